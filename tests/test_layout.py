"""The structure the code keeps: dialer packages whose modules of one name play one role,
each dialer whole in its package, a server behind the facade that names no kind."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from bridge import DIALER_KINDS, DialerSettingsBase, adapter_class

ROOT = Path(__file__).resolve().parents[1]
KINDS = DIALER_KINDS
# What a module of each name does, in every dialer package that has one.
ROLES = {
    "__init__.py": "exports the kind's adapter and settings",
    "settings.py": "the settings model, its kind fixed to the package's name",
    "adapter.py": "the adapter class, registered under the package's name, with its traits",
    "answers.py": "reads the dialer's answers into records and typed errors",
    "events.py": "reads what the dialer pushes into the bridge's events (pure: nothing sent)",
    "requests.py": "builds the request documents sent (pure: nothing sent)",
    "connection.py": "sends the requests through the transport",
    "rules.py": "checks fields before anything is sent (pure)",
}
REQUIRED = {"__init__.py", "settings.py", "adapter.py", "answers.py"}
PURE = {"events.py", "requests.py", "rules.py"}  # no I/O of their own


def package(kind: str) -> Path:
    return ROOT / "bridge" / kind


@pytest.mark.parametrize("kind", KINDS)
def test_each_dialer_package_has_the_required_roles(kind: str) -> None:
    modules = {path.name for path in package(kind).glob("*.py")}
    assert modules >= REQUIRED


def test_a_module_name_shared_by_dialer_packages_is_a_role() -> None:
    """Two packages' modules of one name do the same thing: a name they share is a role."""
    seen: dict[str, list[str]] = {}
    for kind in KINDS:
        for path in package(kind).glob("*.py"):
            seen.setdefault(path.name, []).append(kind)
    shared = {name for name, kinds in seen.items() if len(kinds) > 1}
    assert shared <= set(ROLES)


@pytest.mark.parametrize("kind", KINDS)
def test_each_simulator_mirrors_it(kind: str) -> None:
    modules = {path.name for path in (ROOT / "simulators" / kind).glob("*.py")}
    assert {"__init__.py", "app.py", "state.py"} <= modules


@pytest.mark.parametrize("kind", KINDS)
def test_the_adapter_and_settings_are_the_kinds(kind: str) -> None:
    adapter = adapter_class(kind)
    assert adapter.__module__ == f"bridge.{kind}.adapter"
    assert adapter.kind == kind
    exported = importlib.import_module(f"bridge.{kind}")
    settings = [
        value
        for value in vars(exported).values()
        if isinstance(value, type) and issubclass(value, DialerSettingsBase)
    ]
    assert [model.__module__ for model in settings] == [f"bridge.{kind}.settings"]
    assert settings[0].model_fields["kind"].default == kind
    assert adapter in vars(exported).values()


@pytest.mark.parametrize("kind", KINDS)
def test_a_dialer_that_pushes_events_reads_them_in_its_events_module(kind: str) -> None:
    push = adapter_class(kind).traits.event_push
    has_events = (package(kind) / "events.py").exists()
    assert has_events == (push is not None)
    if push is not None:
        assert push.read is importlib.import_module(f"bridge.{kind}.events").read


@pytest.mark.parametrize(
    "path",
    sorted(p for kind in KINDS for p in package(kind).glob("*.py") if p.name in PURE),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_translating_and_building_modules_send_nothing(path: Path) -> None:
    imported = {m.split(".")[0] for m in imported_modules(path)} | imported_modules(path)
    assert not {"aiohttp", "server", "bridge.transport", "bridge.audit"} & imported


@pytest.mark.parametrize("kind", KINDS)
def test_only_the_connection_and_the_adapter_hold_the_transport(kind: str) -> None:
    holders = {
        path.name
        for path in package(kind).rglob("*.py")
        if any("DialerTransport" in name for name in imported_names(path, "bridge.transport"))
    }
    assert holders <= {"adapter.py", "connection.py"}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "server").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_server_names_no_kind_of_dialer(path: Path) -> None:
    """The server asks the adapters' traits and the registry, never a kind by name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not named & {*KINDS, "vicidial"}


def imported_names(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module
        for alias in node.names
    }


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_server_loads_without_the_simulators_or_the_demo() -> None:
    script = (
        "import sys, server.app, cli.main\n"
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
        for path in (ROOT / "tests").rglob("*.py")
        if {"tests.conftest", "conftest"} & imported_modules(path)
    ]
    assert importers == []


def test_no_test_module_imports_another() -> None:
    """What several test modules share lives in a support module (tests/*_support.py)."""
    importers = [
        path.name
        for path in (ROOT / "tests").rglob("*.py")
        if any(
            name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith("test_")
            for name in imported_modules(path)
        )
    ]
    assert importers == []
