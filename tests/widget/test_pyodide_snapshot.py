"""Pyodide's memory snapshot: made at set-up, served with the runtime, optional."""

import gzip
import re
from pathlib import Path

from aiohttp.test_utils import TestClient

from server.keys import ASSETS
from server.widget_assets import PROJECT_ROOT, WidgetAssets
from tests.support import TENANT

YEAR = "public, max-age=31536000, immutable"
NODE_MODULES = PROJECT_ROOT / "node_modules"


def _interpreter(html: str) -> str:
    found = re.search(r'"interpreter": "([^"]+)"', html.replace("&#34;", '"'))
    assert found
    return found.group(1)


async def test_pyodide_starts_from_the_snapshot_set_up_made(bridge: TestClient) -> None:
    snapshot = WidgetAssets().pyodide_snapshot
    assert snapshot is not None, "./dev setup makes it (scripts/make-pyodide-snapshot.mjs)"
    assert snapshot.path.stat().st_size > 1_000_000
    assert bridge.app[ASSETS].pyodide_snapshot == snapshot

    html = await (await bridge.get(f"/widget/{TENANT}", params={"runtime": "pyodide"})).text()
    start_url = _interpreter(html)
    assert re.fullmatch(r"/runtime/pyodide@[\d.]+/crm-bridge-start-[0-9a-f]{12}\.mjs", start_url)
    start = await bridge.get(start_url)
    assert start.status == 200 and start.headers["Cache-Control"] == YEAR
    module = await start.text()
    assert 'from "./pyodide.mjs"' in module
    named = re.search(r'new URL\("\./(crm-bridge-[0-9a-f]{12}\.snapshot)"', module)
    assert named and start_url.rsplit("/", 1)[0] + "/" + named.group(1) == snapshot.url

    packed = await bridge.get(
        snapshot.url, headers={"Accept-Encoding": "gzip"}, auto_decompress=False
    )
    assert packed.status == 200 and packed.headers["Cache-Control"] == YEAR
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(await packed.read()) == snapshot.path.read_bytes()


async def test_without_a_snapshot_pyodide_starts_plainly(tmp_path: Path) -> None:
    """node_modules without the snapshot (set-up not run since npm ci): Pyodide's own
    module is the interpreter and no snapshot URL exists."""
    for package in NODE_MODULES.iterdir():
        if package.name != ".crm-bridge":
            (tmp_path / package.name).symlink_to(package)
    assets = WidgetAssets(tmp_path)
    assert assets.pyodide_snapshot is None
    assert re.fullmatch(r"/runtime/pyodide@[\d.]+/pyodide\.mjs", assets.interpreter_url("pyodide"))
