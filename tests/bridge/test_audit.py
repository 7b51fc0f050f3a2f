"""The audit log names each interface call once, the same way for every dialer.

Adapters are built as the server builds them (`build_adapter` from settings) and talk to
the simulators over real sockets; the audit sink is a list.
"""

import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bridge import (
    Actor,
    AuditEntry,
    DialerAdapter,
    DialerList,
    DialerRejected,
    DialerUnavailable,
    DialerUser,
    ElisionSettings,
    EuphoriaSettings,
    NotSupported,
    OriginateRequest,
    RestSettings,
    build_adapter,
    current_actor,
    dialer_session,
)
from bridge.audit import AuditedAdapter
from simulators.euphoria import DEMO_RECORDING
from tests.dialers import lead
from tests.support import ELISION_PASS, EUPHORIA_AUTH, REST_API_KEY

USER = DialerUser("agent7", "Agent Seven", password="Agent7-pass", email="a7@example.com")
LISTS = {
    "rest": DialerList("", "Audit list"),
    "elision": DialerList("1101", "Audit list", "TESTCAMP"),
    "euphoria": DialerList("7", "Audit list", "CAMPAIGN"),
}

Build = Callable[[str], DialerAdapter]


@pytest.fixture
async def audit() -> list[AuditEntry]:
    return []


@pytest.fixture
async def build(
    rest_simulator: TestServer,
    elision_simulator: TestServer,
    euphoria_simulator: TestServer,
    audit: list[AuditEntry],
) -> AsyncIterator[Build]:
    """``build(kind)``: the audited adapter of that kind, against its simulator."""
    settings = {
        "rest": RestSettings(base_url=str(rest_simulator.make_url("")), api_key=REST_API_KEY),
        "elision": ElisionSettings(
            base_url=str(elision_simulator.make_url("")), api_user="api", api_pass=ELISION_PASS
        ),
        "euphoria": EuphoriaSettings(
            base_url=str(euphoria_simulator.make_url("")),
            tenant_name="acme",
            auth_code=EUPHORIA_AUTH,
        ),
    }
    async with dialer_session() as session:
        yield lambda kind: build_adapter(settings[kind], session, audit.append, name=f"my-{kind}")


async def call(adapter: DialerAdapter, kind: str, operation: str) -> Any:
    """Prepare what ``operation`` needs, then call it once."""
    dialer_list = LISTS[kind]
    if operation in ("update_user", "delete_user"):
        await adapter.create_user(USER)
    if operation == "add_leads" and kind != "euphoria":
        dialer_list = await adapter.create_list(dialer_list)
    if operation in AGENT_OPERATIONS:
        user_id = "1"
        if kind == "rest":  # an agent of the dialer, checked in for a pause or a resume
            user_id = (await adapter.create_user(USER)).rsplit(" ", 1)[-1]
            if operation in ("pause", "resume"):
                await adapter.check_in(user_id)
        return await AGENT_OPERATIONS[operation](adapter, user_id)
    match operation:
        case "originate":
            return await adapter.originate(OriginateRequest("12025550143", extension="1001"))
        case "create_user":
            return await adapter.create_user(USER)
        case "update_user":
            return await adapter.update_user(DialerUser("agent7", "Agent 7"))
        case "delete_user":
            return await adapter.delete_user("agent7")
        case "create_list":
            return await adapter.create_list(dialer_list)
        case "active_lists":
            return await adapter.active_lists()
        case "add_leads":
            return await adapter.add_leads(dialer_list, [lead("12025550143")])
        case "download_recording":
            return [chunk async for chunk in adapter.download_recording(DEMO_RECORDING)]


AGENT_OPERATIONS: dict[str, Callable[[DialerAdapter, str], Awaitable[Any]]] = {
    "check_in": lambda adapter, user_id: adapter.check_in(user_id),
    "check_out": lambda adapter, user_id: adapter.check_out(user_id),
    "pause": lambda adapter, user_id: adapter.pause(user_id, 2),
    "resume": lambda adapter, user_id: adapter.resume(user_id),
    "wrapup": lambda adapter, user_id: adapter.wrapup(user_id, 0),
}


# (kind, interface operation, what the dialer was asked: a pattern of the entry's detail)
OPERATIONS = [
    ("rest", "originate", "GET /api/cc_agent/originate"),
    ("rest", "create_user", "POST /api/user"),
    ("rest", "update_user", r"GET /api/user/, PUT /api/user/\d+"),
    ("rest", "delete_user", r"GET /api/user/, DELETE /api/user/\d+"),
    ("rest", "create_list", "POST /api/phone_list"),
    ("rest", "active_lists", "GET /api/phone_list"),
    ("rest", "add_leads", r"POST /api/phone_list/\d+/lead"),
    ("rest", "check_in", "GET /api/cc_agent/checkIn"),
    ("rest", "check_out", "GET /api/cc_agent/checkOut"),
    ("rest", "pause", "GET /api/cc_agent/setPause"),
    ("rest", "resume", "GET /api/cc_agent/setPause"),
    ("rest", "wrapup", "GET /api/cc_agent/wrapup"),
    ("elision", "create_user", "add_user"),
    ("elision", "update_user", "update_user"),
    ("elision", "delete_user", "update_user"),
    ("elision", "create_list", "add_list"),
    ("elision", "active_lists", "active_lists"),
    ("elision", "add_leads", "add_multi_lead"),
    ("euphoria", "add_leads", "DialerTrickleFeed"),
    ("euphoria", "download_recording", "DownloadCallRecordingByFilename"),
]


def test_every_operation_that_may_call_a_dialer_is_audited() -> None:
    """The audited adapter declares each of the interface's operations, so that none
    passes to a dialer unaudited (an operation added to the interface must be added)."""
    operations = {
        name
        for name, member in vars(DialerAdapter).items()
        if inspect.iscoroutinefunction(member) or inspect.isasyncgenfunction(member)
    }
    assert operations
    assert operations <= set(vars(AuditedAdapter))


@pytest.mark.parametrize(("kind", "operation", "detail"), OPERATIONS)
async def test_one_call_is_one_entry_named_by_the_interface(
    build: Build, audit: list[AuditEntry], kind: str, operation: str, detail: str
) -> None:
    adapter = build(kind)
    await call(adapter, kind, operation)
    entry = audit[-1]
    assert [e.action for e in audit].count(operation) == 1
    assert (entry.dialer, entry.action, entry.outcome, entry.error_text) == (
        f"my-{kind}",
        operation,
        "ok",
        None,
    )
    assert re.fullmatch(detail, entry.detail or ""), entry.detail


@pytest.mark.parametrize("kind", ["rest", "elision"])
async def test_an_inactive_user_is_one_entry_whatever_the_dialer_needs(
    build: Build, audit: list[AuditEntry], kind: str
) -> None:
    await build(kind).create_user(
        DialerUser("agent8", "Eight", password="Agent8-pass", email="a8@x.io", active=False)
    )
    assert [e.action for e in audit] == ["create_user"]


@pytest.mark.parametrize(
    ("kind", "operation"),
    [
        ("euphoria", "create_user"),
        ("euphoria", "originate"),
        ("elision", "download_recording"),
        ("rest", "download_recording"),
        ("elision", "check_in"),
        ("euphoria", "pause"),
        ("elision", "wrapup"),
    ],
)
async def test_an_operation_a_dialer_lacks_reaches_no_dialer_and_no_entry(
    build: Build, audit: list[AuditEntry], kind: str, operation: str
) -> None:
    with pytest.raises(NotSupported):
        await call(build(kind), kind, operation)
    assert audit == []


@pytest.mark.parametrize(
    ("kind", "outcome", "error_text"),
    [
        ("rest", "dialer_rejected", "rest has no user 'ghost'"),
        ("elision", "dialer_rejected", "ERROR: update_user USER DOES NOT EXIST - api|ghost"),
    ],
)
async def test_a_refusal_is_recorded_with_the_dialers_words(
    build: Build, audit: list[AuditEntry], kind: str, outcome: str, error_text: str
) -> None:
    with pytest.raises(DialerRejected):
        await build(kind).delete_user("ghost")
    [entry] = audit
    assert (entry.action, entry.outcome) == ("delete_user", outcome)
    assert error_text in (entry.error_text or "")


async def test_the_entry_names_who_acted(build: Build, audit: list[AuditEntry]) -> None:
    token = current_actor.set(Actor("acme", "api-key:crm"))
    try:
        await build("rest").active_lists()
    finally:
        current_actor.reset(token)
    await build("rest").active_lists()
    assert [(e.tenant, e.user) for e in audit] == [("acme", "api-key:crm"), ("-", "-")]


async def test_a_streamed_recording_is_one_entry_written_when_the_stream_ends(
    build: Build, audit: list[AuditEntry]
) -> None:
    chunks = build("euphoria").download_recording(DEMO_RECORDING)
    await anext(chunks)
    assert audit == []  # still streaming
    async for _ in chunks:
        pass
    [entry] = audit
    assert (entry.action, entry.outcome) == ("download_recording", "ok")


async def test_a_recording_abandoned_midway_is_recorded_as_cancelled(
    build: Build, audit: list[AuditEntry]
) -> None:
    chunks = build("euphoria").download_recording(DEMO_RECORDING)
    await anext(chunks)
    await chunks.aclose()
    assert [(e.action, e.outcome) for e in audit] == [("download_recording", "cancelled")]


async def test_a_dialer_that_is_down_is_recorded_for_every_kind(
    audit: list[AuditEntry], unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}"
    settings = [
        RestSettings(base_url=url, api_key=REST_API_KEY, timeout=1),
        ElisionSettings(base_url=url, api_user="api", api_pass=ELISION_PASS, timeout=1),
        EuphoriaSettings(base_url=url, tenant_name="acme", auth_code=EUPHORIA_AUTH, timeout=1),
    ]
    async with aiohttp.ClientSession() as session:
        for each in settings:
            with pytest.raises(DialerUnavailable, match="unreachable"):
                await build_adapter(each, session, audit.append).add_leads(
                    DialerList("1101", "Audit list", "CAMPAIGN"), [lead("12025550143")]
                )
    assert [(e.dialer, e.action, e.outcome) for e in audit] == [
        (kind, "add_leads", "dialer_unavailable") for kind in ("rest", "elision", "euphoria")
    ]
