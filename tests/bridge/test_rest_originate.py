"""REST originate through the adapter, against the simulator on a real socket."""

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bridge import (
    AuditEntry,
    DialerAdapter,
    DialerBadResponse,
    DialerOutcomeUnknown,
    DialerRejected,
    DialerTimeout,
    DialerUnauthorized,
    DialerUnavailable,
    OriginateRequest,
    OriginateResult,
    RestSettings,
    build_adapter,
    dialer_session,
)
from tests.support import REST_API_KEY, rest_state

CALL = OriginateRequest(destination="12025550143", extension="1001", lead_id="L-9")


@pytest.fixture
async def audit() -> list[AuditEntry]:
    return []


def adapter_for(
    session: aiohttp.ClientSession, url: str, audit: list[AuditEntry], *, key: str = REST_API_KEY
) -> DialerAdapter:
    """The adapter as the server builds it: from settings, audited."""
    return build_adapter(
        RestSettings(base_url=url, api_key=key, timeout=0.5), session, audit.append
    )


@pytest.fixture
async def adapter(
    rest_simulator: TestServer, session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> AsyncIterator[DialerAdapter]:
    async with dialer_session() as session:
        yield adapter_for(session, str(rest_simulator.make_url("")), audit)


async def add_fault(server: TestServer, session: aiohttp.ClientSession, **fault: object) -> None:
    async with session.post(server.make_url("/_sim/faults"), json=fault) as response:
        assert response.status == 201


async def test_originate_sends_the_spec_parameters_and_reads_the_uuid(
    adapter: DialerAdapter, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    result = await adapter.originate(CALL)
    async with session.get(rest_simulator.make_url("/_sim/requests")) as response:
        [request] = await response.json()
    assert request["path"] == "/api/cc_agent/originate"
    assert request["query"] == {
        "destination": "12025550143",
        "extension": "1001",
        "lead_id": "L-9",
        "api_key": REST_API_KEY,
    }
    assert result.uuid == rest_state(rest_simulator).calls[0].uuid


async def test_the_spec_example_answer_is_read(
    adapter: DialerAdapter, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    example = '{\n  "Success": true,\n  "uuid": "70b27a69-1363-42e1-9c37-4f9c159beb3b"\n}'
    await add_fault(
        rest_simulator, session, kind="body", body=example, content_type="application/json"
    )
    assert (await adapter.originate(CALL)).uuid == "70b27a69-1363-42e1-9c37-4f9c159beb3b"


async def test_a_wrong_key_is_unauthorized_and_never_shown(
    rest_simulator: TestServer, session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> None:
    adapter = adapter_for(session, str(rest_simulator.make_url("")), audit, key="wrong-key-123")
    with pytest.raises(DialerUnauthorized) as caught:
        await adapter.originate(CALL)
    assert caught.value.dialer_text == "Unauthorized"
    assert "wrong-key-123" not in str(caught.value.to_dict())
    assert audit[-1].outcome == "dialer_unauthorized"


async def test_success_false_keeps_the_dialer_text(adapter: DialerAdapter) -> None:
    with pytest.raises(DialerRejected) as caught:
        await adapter.originate(OriginateRequest(destination="12025550143", extension="9999"))
    assert caught.value.dialer_text == "extension 9999 is not routed to a device or user"


async def test_a_dialer_that_echoes_the_key_has_it_redacted(
    adapter: DialerAdapter,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
    audit: list[AuditEntry],
) -> None:
    body = json.dumps({"success": False, "msg": f"bad request api_key={REST_API_KEY}"})
    await add_fault(
        rest_simulator, session, kind="body", body=body, content_type="application/json"
    )
    with pytest.raises(DialerRejected) as caught:
        await adapter.originate(CALL)
    assert REST_API_KEY not in str(caught.value.to_dict())
    assert REST_API_KEY not in repr(audit)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (
            {"kind": "body", "body": "<html>502 Bad Gateway</html>", "content_type": "text/html"},
            DialerBadResponse,
        ),
        (
            {"kind": "body", "body": '{"success": tr', "content_type": "application/json"},
            DialerBadResponse,
        ),
        ({"kind": "body", "body": '["ok"]', "content_type": "application/json"}, DialerBadResponse),
        ({"kind": "status", "status": 503, "body": "down for maintenance"}, DialerUnavailable),
        ({"kind": "drop"}, DialerUnavailable),
        ({"kind": "timeout"}, DialerTimeout),
    ],
)
async def test_broken_answers_become_typed_errors(
    adapter: DialerAdapter,
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
    audit: list[AuditEntry],
    fault: dict,
    error: type,
) -> None:
    await add_fault(rest_simulator, session, **fault)
    with pytest.raises(error) as caught:
        await adapter.originate(CALL)
    assert REST_API_KEY not in str(caught.value.to_dict())
    assert audit[-1].action == "originate"
    assert audit[-1].outcome == caught.value.code


async def test_a_dialer_that_is_down_says_so(
    session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    adapter = adapter_for(session, f"http://127.0.0.1:{closed_port}", audit)
    with pytest.raises(DialerUnavailable) as caught:
        await adapter.originate(CALL)
    assert f"cannot connect to 127.0.0.1:{closed_port}" in caught.value.message
    assert REST_API_KEY not in caught.value.message


async def test_a_dropped_originate_is_not_sent_twice(
    adapter: DialerAdapter, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    await add_fault(rest_simulator, session, kind="drop", times=1)
    with pytest.raises(DialerUnavailable):
        await adapter.originate(CALL)
    async with session.get(rest_simulator.make_url("/_sim/requests")) as response:
        assert len(await response.json()) == 1
    assert rest_state(rest_simulator).calls == []


async def test_a_uuid_that_is_not_text_keeps_the_key_out_of_the_error(
    adapter: DialerAdapter, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    body = json.dumps({"success": True, "uuid": {"echo": f"api_key={REST_API_KEY}"}})
    await add_fault(
        rest_simulator, session, kind="body", body=body, content_type="application/json"
    )
    with pytest.raises(DialerBadResponse) as caught:
        await adapter.originate(CALL)
    assert "uuid that is not text" in caught.value.message
    assert REST_API_KEY[:6] not in str(caught.value.to_dict())


# Time budgets: waiting for a pooled connection, and a timeout before or after sending


def budgeted(url: str, session: aiohttp.ClientSession, audit: list[AuditEntry], **budgets: float):
    settings = RestSettings(base_url=url, api_key=REST_API_KEY, **budgets)  # type: ignore[arg-type]
    return build_adapter(settings, session, audit.append)


async def test_waiting_for_a_pooled_connection_does_not_eat_the_dialers_timeout(
    rest_simulator: TestServer, session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> None:
    await add_fault(rest_simulator, session, kind="latency", ms=1000)
    async with dialer_session(connections_per_host=2) as pooled:
        adapter = budgeted(str(rest_simulator.make_url("")), pooled, audit, timeout=1.6)
        results = await asyncio.gather(*(adapter.originate(CALL) for _ in range(4)))
    assert all(result.uuid for result in results)  # two of them waited for a connection
    assert len(rest_state(rest_simulator).calls) == 4


async def test_a_timeout_after_the_call_was_sent_says_it_may_have_been_placed(
    rest_simulator: TestServer, session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> None:
    await add_fault(rest_simulator, session, kind="latency", ms=1500, times=1)
    adapter = budgeted(str(rest_simulator.make_url("")), session, audit, timeout=0.3)
    with pytest.raises(DialerOutcomeUnknown) as caught:
        await adapter.originate(CALL)
    assert caught.value.code == "dialer_outcome_unknown"
    assert "the call may have been placed; check before calling again" in caught.value.message
    async with session.get(rest_simulator.make_url("/_sim/requests")) as response:
        assert len(await response.json()) == 1  # it reached the dialer
    assert audit[-1].outcome == "dialer_outcome_unknown"


async def test_a_timeout_waiting_for_a_connection_says_nothing_was_sent(
    rest_simulator: TestServer, session: aiohttp.ClientSession, audit: list[AuditEntry]
) -> None:
    await add_fault(rest_simulator, session, kind="latency", ms=1000, times=1)
    async with dialer_session(connections_per_host=1) as pooled:
        url = str(rest_simulator.make_url(""))
        adapter = budgeted(url, pooled, audit, timeout=3, pool_timeout=0.2)
        first, second = await asyncio.gather(
            adapter.originate(CALL), adapter.originate(CALL), return_exceptions=True
        )
    assert isinstance(first, OriginateResult)
    assert type(second) is DialerTimeout and second.code == "dialer_timeout"
    assert "nothing was sent" in second.message
    async with session.get(rest_simulator.make_url("/_sim/requests")) as response:
        assert len(await response.json()) == 1
