"""REST originate through the adapter, against the simulator on a real socket."""

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
    DialerRejected,
    DialerTimeout,
    DialerUnauthorized,
    DialerUnavailable,
    OriginateRequest,
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
