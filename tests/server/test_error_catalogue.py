"""One error vocabulary: every code the bridge can answer is in `server.error_catalogue`,
with its status, and in the error table of each audience's doc with that status."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web

import bridge
from server.error_catalogue import (
    CATALOGUE,
    DOCUMENTED_IN,
    STREAM_CLOSES,
    dialer_status,
    error_code,
)
from server.error_middleware import http_error_code
from server.problems import Problem
from tests.support import ROOT

STATUS = r"\b[1-5]\d\d\b"  # an HTTP status in a table's cell (not a close code: 4401)
SOURCES = sorted(
    path
    for package in ("server", "bridge")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


PROBLEMS = {"Problem", *(cls.__name__ for cls in _subclasses(Problem))}


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's ``NAME = "text"`` assignments."""
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }


def _text(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, _IMPORTED.get(node.id))
    return None


_IMPORTED = {
    name: value
    for path in SOURCES
    for name, value in _constants(ast.parse(path.read_text(encoding="utf-8"))).items()
    if name.isupper()
}


def _called(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _spoken_codes(path: Path) -> Iterator[tuple[str, str, int]]:
    """(code, how it is spoken, line) for each error code ``path`` raises or answers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree)
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        bases = {base.id for base in cls.bases if isinstance(base, ast.Name)}
        for node in ast.walk(cls):
            is_init = isinstance(node, ast.Call) and _called(node) == "__init__"
            if is_init and bases & PROBLEMS and node.args:  # type: ignore[union-attr]
                code = _text(node.args[0], constants)  # type: ignore[union-attr]
                if code is not None:
                    yield code, "problem", node.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = _called(node)
            if name in PROBLEMS:
                code = _text(node.args[0], constants)
                if code is not None:
                    yield code, "problem", node.lineno
            elif name == "StreamClosed":
                code = _text(node.args[0], constants)
                if code is not None:
                    yield code, "stream", node.lineno
        if isinstance(node, ast.Call) and _called(node) == "close":
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "message" and isinstance(value, ast.Constant):
                    yield value.value.decode(), "stream", node.lineno
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code":
                    code = _text(value, constants)
                    typed = any(
                        isinstance(k, ast.Constant) and k.value == "type" for k in node.keys
                    )
                    if code is not None:
                        yield code, "stream" if typed else "answer", node.lineno
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if (
                    isinstance(statement, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets)
                    and isinstance(statement.value, ast.Constant)
                ):
                    yield statement.value.value, "class", statement.lineno


def test_every_code_spoken_in_server_and_bridge_is_catalogued() -> None:
    spoken = [
        (code, how, f"{path.relative_to(ROOT)}:{line}")
        for path in SOURCES
        for code, how, line in _spoken_codes(path)
    ]
    assert len(spoken) > 100  # the scan finds the raises
    missing = [
        where
        for code, how, where in spoken
        if code not in (STREAM_CLOSES if how == "stream" else CATALOGUE)
        and (code, how) != ("dialer_error", "class")  # the base class, never raised
    ]
    assert missing == []


def test_every_dialer_error_has_a_status_and_no_default() -> None:
    # A mixin that keeps the base's code (`EuphoriaError`) is never raised: its
    # subclasses are, and each names its code; a leaf that names none is unmapped.
    unmapped = [
        cls.__name__
        for cls in _subclasses(bridge.DialerError)
        if cls.code not in CATALOGUE
        and not (cls.code == bridge.DialerError.code and cls.__subclasses__())
    ]
    assert unmapped == []
    assert dialer_status(bridge.DialerOutcomeUnknown("late", dialer="d")) == 504

    class DialerOnFire(bridge.DialerError):
        code = "dialer_on_fire"

    with pytest.raises(KeyError):
        dialer_status(DialerOnFire("fire", dialer="d"))


@pytest.mark.parametrize(
    "raised",
    [
        web.HTTPNotFound(),
        web.HTTPMethodNotAllowed("PUT", ["GET"]),
        web.HTTPRequestEntityTooLarge(1, 2),
    ],
)
def test_aiohttp_s_own_refusals_are_catalogued(raised: web.HTTPException) -> None:
    assert error_code(http_error_code(raised)).status == raised.status


def test_a_problem_takes_its_status_sentence_and_headers_from_the_catalogue() -> None:
    refused = Problem("invalid_token")
    assert (refused.status, refused.message) == (401, "not logged in: the session is unknown")
    assert refused.headers == {"WWW-Authenticate": "Bearer"}
    assert Problem("unknown_tenant", "no tenant 'x'", in_field=True).status == 400
    with pytest.raises(ValueError):
        Problem("invalid_token", in_field=True)  # a session is never named in a field
    with pytest.raises(KeyError):
        Problem("no_such_code", "never said")


def _table(doc: str, heading: str) -> dict[str, str]:
    """``{code: status cell}`` of the first table under ``heading`` in ``doc``; a row of
    several codes and as many statuses gives each code its own."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    assert heading in text.splitlines(), f"{doc} has no {heading!r}"
    section = text.split(f"\n{heading}\n", 1)[1]
    rows = section[section.index("|") :].split("\n\n", 1)[0]
    header, _, *body = rows.splitlines()
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert columns[:2] == ["code", "status"], f"{doc} {heading}: {columns}"
    table = {}
    for row in body:
        codes, status = (cell.strip() for cell in row.strip("|").split("|")[:2])
        named, statuses = re.findall(r"`([a-z_]+)`", codes), re.findall(STATUS, status)
        paired = len(named) == len(statuses) > 1
        for position, code in enumerate(named):
            table[code] = statuses[position] if paired else status
    return table


def _statuses(cell: str) -> set[int]:
    return {int(status) for status in re.findall(STATUS, cell)}


@pytest.mark.parametrize("audience", sorted(DOCUMENTED_IN))
def test_each_audience_s_doc_lists_its_codes_with_their_status(audience: str) -> None:
    doc, heading = DOCUMENTED_IN[audience]  # type: ignore[index]
    table = _table(doc, heading)
    wrong = {}
    for entry in CATALOGUE.values():
        if audience not in entry.audiences:
            continue
        cell = table.get(entry.code, "missing")
        if not _statuses(cell) or not _statuses(cell) <= {entry.status, entry.field_status}:
            wrong[entry.code] = f"{cell} (catalogue: {entry.status})"
    for code, cell in table.items():
        if code not in CATALOGUE and not cell.startswith(("-", "close")):
            wrong[code] = f"{cell}: not in the catalogue"
    assert wrong == {}


def test_a_code_s_every_status_is_documented() -> None:
    documented: dict[str, set[int]] = {}
    for doc, heading in DOCUMENTED_IN.values():
        for code, cell in _table(doc, heading).items():
            documented.setdefault(code, set()).update(_statuses(cell))
    undocumented = {
        entry.code: status
        for entry in CATALOGUE.values()
        for status in (entry.status, entry.field_status)
        if status is not None and status not in documented.get(entry.code, set())
    }
    assert undocumented == {}


def test_the_stream_s_close_codes_are_documented() -> None:
    table = _table(*DOCUMENTED_IN["widget"])
    wrong = {
        code: table.get(code, "missing")
        for code, close in STREAM_CLOSES.items()
        if str(close) not in table.get(code, "")
    }
    assert wrong == {}
