"""static/embed.d.ts describes embed.js as the end-to-end tests and their config use it."""

import subprocess

import pytest

from tests.support import ROOT

TSC = ROOT / "node_modules" / ".bin" / "tsc"


def test_the_typescript_declaration_type_checks_the_end_to_end_tests() -> None:
    if not TSC.exists():
        pytest.fail("TypeScript is not installed: run `npm ci` (./dev setup does)")
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [str(TSC), "-p", str(ROOT / "tsconfig.json")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_every_name_in_the_protocol_module_is_in_the_declaration_and_embed_js_agrees() -> None:
    import protocol

    declaration = (ROOT / "static" / "embed.d.ts").read_text()
    # The CRM page's names (the live stream's are between the widget and the server).
    names = [
        v
        for k, v in vars(protocol).items()
        if k.isupper() and isinstance(v, str) and not k.startswith("STREAM_")
    ]
    assert len(names) > 15
    for name in names:
        assert f'"{name}"' in declaration, name
    embed = (ROOT / "static" / "embed.js").read_text()
    assert f'var CHANNEL = "{protocol.CHANNEL}";' in embed
    assert f"var PROTOCOL_VERSION = {protocol.PROTOCOL_VERSION};" in embed
    assert f'var WIDGET_FAILED = "{protocol.WIDGET_FAILED}";' in embed
    assert f'var WIDGET_NOT_READY = "{protocol.WIDGET_NOT_READY}";' in embed
