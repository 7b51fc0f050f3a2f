"""The structure the code keeps: dialer packages of one shape, a server behind the facade."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("rest", "elision", "euphoria")


@pytest.mark.parametrize("kind", KINDS)
def test_each_dialer_package_has_the_same_shape(kind: str) -> None:
    modules = {path.name for path in (ROOT / "bridge" / kind).glob("*.py")}
    assert {"__init__.py", "settings.py", "requests.py", "answers.py", "adapter.py"} <= modules


@pytest.mark.parametrize("kind", KINDS)
def test_each_simulator_mirrors_it(kind: str) -> None:
    modules = {path.name for path in (ROOT / "simulators" / kind).glob("*.py")}
    assert {"__init__.py", "app.py", "state.py"} <= modules


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "server").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_server_uses_the_bridge_through_its_facade(path: Path) -> None:
    bridge_modules = {m for m in imported_modules(path) if m.split(".")[0] == "bridge"}
    assert bridge_modules <= {"bridge", "bridge.phone"}
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "simulators"}


def test_the_server_loads_without_the_simulators_or_the_demo() -> None:
    script = (
        "import sys, server.app, server.cli\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] == 'simulators'"
        " or m in ('demo.simulate', 'demo.runner')]\n"
        "print(loaded)\n"
    )
    finished = subprocess.run(  # noqa: S603 (the project's own modules)
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert finished.stdout.strip() == "[]"


def test_no_test_imports_the_conftest() -> None:
    """Fixtures come from conftest by pytest's injection; shared values from tests/support."""
    importers = [
        path.name
        for path in (ROOT / "tests").glob("*.py")
        if {"tests.conftest", "conftest"} & imported_modules(path)
    ]
    assert importers == []


def test_no_test_module_imports_another() -> None:
    """What several test modules share lives in a support module (tests/*_support.py)."""
    importers = [
        path.name
        for path in (ROOT / "tests").glob("*.py")
        if any(name.startswith("tests.test_") for name in imported_modules(path))
    ]
    assert importers == []
