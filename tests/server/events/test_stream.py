"""The agents' live stream (WebSocket): hello, welcome, events, resume without loss."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, event, update

from server.events import stream_log
from server.keys import AGENTS, DATABASE, SESSION_WATCH, STREAM_HUB
from server.tables import stream_events
from tests.databases import BOTH_DATABASES
from tests.events_support import connect, events, push, push_path, set_dialer_ids
from tests.support import ADMIN, TENANT, login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

CALL = {"type": "outbound", "dst_num": "2025550143", "src_user_id": 7, "lead_id": "L-1"}


@pytest.fixture
async def pushing(bridge: TestClient, api_key: dict[str, str]) -> AsyncIterator[str]:
    """The Event Push path, with agent1 known on the REST dialer as user 7."""
    await set_dialer_ids(bridge, api_key, user_id="7")
    yield await push_path(bridge)


async def test_the_welcome_tells_the_state_and_live_status(bridge: TestClient) -> None:
    ws, welcome = await connect(bridge, await login(bridge))
    assert welcome == {
        "type": "welcome",
        "live_status": True,
        "state": None,
        "calls": [],
        "pause_reasons": ["Break", "Lunch", "Meeting", "Training", "Other"],
        "cursor": 0,
    }
    await ws.close()


@pytest.mark.parametrize(
    ("hello", "close_code", "code"),
    [
        ({"type": "hello", "token": "not-a-token", "after": None}, 4401, "invalid_token"),
        ({"type": "hello"}, 4400, "invalid_hello"),
        ({"type": "hello", "token": "x", "after": -1}, 4400, "invalid_hello"),
        ("plain text", 4400, "invalid_hello"),
    ],
)
async def test_a_bad_hello_gets_an_error_and_a_close(
    bridge: TestClient, hello: Any, close_code: int, code: str
) -> None:
    ws = await bridge.ws_connect("/api/v1/stream")
    if isinstance(hello, str):
        await ws.send_str(hello)
    else:
        await ws.send_json(hello)
    error = await ws.receive_json(timeout=5)
    assert (error["type"], error["code"]) == ("error", code)
    closing = await ws.receive(timeout=5)
    assert closing.type == WSMsgType.CLOSE
    assert ws.close_code == close_code


async def test_a_call_reaches_the_stream_with_the_contract_fields(
    bridge: TestClient, pushing: str
) -> None:
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    await push(bridge, pushing, "call:answer", call_id="c1", **CALL)
    await push(
        bridge,
        pushing,
        "call:end",
        call_id="c1",
        durationms=9000,
        billms=7000,
        hangup_cause="NORMAL_CLEARING",
        **CALL,
    )
    everything = await events(ws, 5)
    assert [m["id"] for m in everything] == [1, 2, 3, 4, 5]  # the agent's event numbers
    assert [(m["name"], m["data"].get("state")) for m in everything] == [
        ("call_ringing", None),
        ("call_answered", None),
        ("agent_state", "in_call"),
        ("call_ended", None),
        ("agent_state", "checked_out"),  # the agent was not checked in: no wrap-up
    ]
    received = [m for m in everything if m["name"] != "agent_state"]
    common = {
        "call_id": "c1",
        "uuid": None,
        "direction": "outbound",
        "number": "+12025550143",
        "display": "+1 202-555-0143",
        "caller_name": "",
        "queue": None,
        "queue_name": None,
        "lead_id": "L-1",
    }
    assert received[0]["data"] == common
    assert received[2]["data"] == {
        **common,
        "duration_ms": 9000,
        "bill_ms": 7000,
        "hangup_cause": "NORMAL_CLEARING",
        "answered": True,
    }
    await ws.close()


async def test_agent_events_become_agent_state(bridge: TestClient, pushing: str) -> None:
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "agent:checkin", user_id=7, device_id=3, device_name="Desk")
    await push(bridge, pushing, "queue:join", user_id=7, queues=[4, 5])
    await push(bridge, pushing, "agent:status", user_id=7, activity_id=1, pause_id=2, in_calls=1)
    await push(bridge, pushing, "queue:leave", user_id=7, queues=[4])
    await push(bridge, pushing, "agent:checkout", user_id=7)
    states = [m["data"] for m in await events(ws, 5)]
    assert all(state.pop("wrapup") is None for state in states)
    since = [state.pop("since") for state in states]
    assert since[0] == since[1] < since[2] == since[3] < since[4]  # each state's start
    assert states == [
        {"state": "available", "pause_reason": None, "queues": []},
        {"state": "available", "pause_reason": None, "queues": ["4", "5"]},
        {"state": "paused", "pause_reason": "Lunch", "queues": ["4", "5"]},
        {"state": "paused", "pause_reason": "Lunch", "queues": ["5"]},
        {"state": "checked_out", "pause_reason": None, "queues": ["5"]},
    ]
    _, welcome = await connect(bridge, await login(bridge))
    assert welcome["state"] == {**states[-1], "since": since[-1], "wrapup": None}
    await ws.close()


async def test_after_a_dropped_connection_the_missed_events_come_in_order_once(
    bridge: TestClient, pushing: str
) -> None:
    token = await login(bridge)
    ws, _ = await connect(bridge, token)
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    [seen] = await events(ws, 1)
    await ws.close()
    await push(bridge, pushing, "call:answer", call_id="c1", **CALL)
    await push(bridge, pushing, "call:end", call_id="c1", billms=1000, **CALL)
    await push(bridge, pushing, "call:ring", call_id="c2", **CALL)
    ws, welcome = await connect(bridge, token, after=seen["id"])
    assert [c["call_id"] for c in welcome["calls"]] == ["c2"]
    missed = await events(ws, 5)
    assert [(m["data"].get("call_id"), m["name"]) for m in missed] == [
        ("c1", "call_answered"),
        (None, "agent_state"),
        ("c1", "call_ended"),
        (None, "agent_state"),
        ("c2", "call_ringing"),
    ]
    await push(bridge, pushing, "call:answer", call_id="c2", **CALL)
    live, _in_call = await events(ws, 2)
    assert (live["name"], live["id"] > missed[-1]["id"]) == ("call_answered", True)
    await ws.close()


async def test_without_after_a_call_no_page_was_told_of_comes_once(
    bridge: TestClient, pushing: str
) -> None:
    await push(bridge, pushing, "call:ring", call_id="old", **CALL)
    ws, welcome = await connect(bridge, await login(bridge))
    assert [c["call_id"] for c in welcome["calls"]] == ["old"]
    [replayed] = await events(ws, 1)
    assert (replayed["name"], replayed["data"]["call_id"]) == ("call_ringing", "old")
    other_tab, _ = await connect(bridge, await login(bridge))  # "old" was sent: not again
    await push(bridge, pushing, "call:ring", call_id="new", **CALL)
    for stream in (ws, other_tab):
        [event] = await events(stream, 1)
        assert event["data"]["call_id"] == "new"
        await stream.close()


async def test_a_call_that_ended_during_a_reload_reaches_the_new_page_once(
    bridge: TestClient, pushing: str
) -> None:
    token = await login(bridge)
    page, _ = await connect(bridge, token)
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    await push(bridge, pushing, "call:answer", call_id="c1", **CALL)
    told = await events(page, 3)  # ringing, answered, in_call
    await page.close()  # the page reloads...
    await push(bridge, pushing, "call:end", call_id="c1", billms=1000, **CALL)
    reloaded, welcome = await connect(bridge, token)  # ... and comes back without `after`
    assert welcome["calls"] == [] and welcome["state"]["state"] == "checked_out"
    missed = await events(reloaded, 2)
    assert [(m["name"], m["data"].get("call_id")) for m in missed] == [
        ("call_ended", "c1"),
        ("agent_state", None),
    ]
    assert missed[0]["id"] > told[-1]["id"]
    await reloaded.close()
    next_tab, _ = await connect(bridge, token)  # sent once: not to the next tab
    await push(bridge, pushing, "call:ring", call_id="c2", **CALL)
    [first] = await events(next_tab, 1)
    assert (first["name"], first["data"]["call_id"]) == ("call_ringing", "c2")
    await next_tab.close()


async def test_calls_older_than_ten_minutes_are_not_replayed(
    bridge: TestClient, pushing: str
) -> None:
    await push(bridge, pushing, "call:ring", call_id="old", **CALL)
    async with bridge.app[DATABASE].begin() as connection:
        await connection.execute(update(stream_events).values(created_at=time.time() - 601))
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "call:ring", call_id="new", **CALL)
    [event] = await events(ws, 1)
    assert event["data"]["call_id"] == "new"
    await ws.close()


async def test_a_resume_from_the_welcomes_cursor_loses_nothing(
    bridge: TestClient, pushing: str
) -> None:
    token = await login(bridge)
    ws, welcome = await connect(bridge, token)
    await ws.close()  # dropped before its first event
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    await push(bridge, pushing, "call:answer", call_id="c1", **CALL)
    ws, resumed = await connect(bridge, token, after=welcome["cursor"])
    assert resumed["cursor"] == welcome["cursor"]
    ringing, answered = await events(ws, 2)
    assert (ringing["name"], ringing["id"]) == ("call_ringing", welcome["cursor"] + 1)
    assert (answered["name"], answered["id"]) == ("call_answered", welcome["cursor"] + 2)
    await ws.close()


async def test_an_event_delivered_before_an_older_one_comes_after_it_once(
    bridge: TestClient, pushing: str
) -> None:
    """As when two instances receive one call's pushes: the newer event reaches the
    stream first; the older one, committed earlier, is read from the database."""
    agent = await bridge.app[AGENTS].get(TENANT, "agent1")
    assert agent is not None
    ws, welcome = await connect(bridge, await login(bridge))
    elsewhere = stream_log.new(agent.id, "call_ringing", {"call_id": "c0"})
    async with bridge.app[DATABASE].begin() as connection:  # another instance's commit,
        [older] = await connection.run_sync(stream_log.store, [elsewhere])  # not notified yet
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    bridge.app[STREAM_HUB].deliver([older])  # its notification arrives late
    await push(bridge, pushing, "call:end", call_id="c1", **CALL)
    received = await events(ws, 3)
    assert [(m["id"], m["data"].get("call_id")) for m in received] == [
        (welcome["cursor"] + 1, "c0"),
        (welcome["cursor"] + 2, "c1"),
        (welcome["cursor"] + 3, "c1"),
    ]
    await ws.close()


async def test_ten_tabs_of_one_agent_each_get_every_event(bridge: TestClient, pushing: str) -> None:
    token = await login(bridge)
    tabs = [(await connect(bridge, token))[0] for _ in range(10)]
    await push(bridge, pushing, "call:ring", call_id="c1", **CALL)
    for ws in tabs:
        [event] = await events(ws, 1)
        assert event["data"]["call_id"] == "c1"
        await ws.close()


async def test_logging_out_closes_the_stream(bridge: TestClient) -> None:
    token = await login(bridge)
    ws, _ = await connect(bridge, token)
    response = await bridge.delete("/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    assert response.status in (200, 204), await response.text()
    await bridge.app[SESSION_WATCH].sweep()
    error = await ws.receive_json(timeout=5)
    assert error["code"] == "session_ended"
    assert (await ws.receive(timeout=5)).type == WSMsgType.CLOSE
    assert ws.close_code == 4401


async def test_after_a_bridge_restart_the_widget_resumes_where_it_was(
    database_url: str, aiohttp_client: Any
) -> None:
    from server.app import create_app
    from server.keys import AGENTS
    from tests.support import AGENT, TENANT, bridge_config

    config = bridge_config(database_url, "http://127.0.0.1:9")
    first = await aiohttp_client(create_app(config))
    await first.app[AGENTS].save(
        TENANT, AGENT["username"], password=AGENT["password"], extension=AGENT["extension"]
    )
    key = await first.post(
        "/admin/api/keys",
        json={"tenant": TENANT, "name": "crm"},
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    api_key = {"X-Api-Key": (await key.json())["key"]}
    await set_dialer_ids(first, api_key, user_id="7")
    path = await push_path(first)
    token = await login(first)
    ws, _ = await connect(first, token)
    await push(first, path, "call:ring", call_id="c1", **CALL)
    [seen] = await events(ws, 1)
    await push(first, path, "call:end", call_id="c1", **CALL)
    await first.close()  # the bridge stops

    second = await aiohttp_client(create_app(config))
    ws, welcome = await connect(second, token, after=seen["id"])
    assert welcome["calls"] == []
    [missed] = await events(ws, 1)
    assert (missed["name"], missed["data"]["call_id"]) == ("call_ended", "c1")
    await push(second, path, "call:ring", call_id="c2", **CALL)  # the same push URL works
    [live] = await events(ws, 1)
    assert live["data"]["call_id"] == "c2"
    await ws.close()


async def test_a_stream_closed_before_its_hello_is_a_quiet_debug_line(
    bridge: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="server")
    logged = asyncio.Event()

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "closed before its hello" in record.getMessage():
                logged.set()

    watch = Watch()
    logging.getLogger("server").addHandler(watch)
    try:
        ws = await bridge.ws_connect("/api/v1/stream")
        await ws.close()
        await asyncio.wait_for(logged.wait(), 10)
    finally:
        logging.getLogger("server").removeHandler(watch)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_the_session_sweep_asks_in_few_statement_shapes_however_many_streams(
    bridge: TestClient,
) -> None:
    """Each distinct statement is prepared and kept by every pooled connection: the
    sweep over the open streams' sessions must not make one per number of streams (the
    memory that grew under steady traffic)."""
    shapes: set[str] = set()

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "token_hash IN" in statement:
            shapes.add(statement)

    async def close() -> None:
        pass

    watch = bridge.app[SESSION_WATCH]
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        with contextlib.ExitStack() as streams:
            for n in range(40):
                streams.enter_context(watch.watching(f"no-such-session-{n}", close))
                await watch.sweep()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert len(shapes) == 7  # 1, 2, 4, 8, 16, 32 and 64 sessions: not 40 shapes
