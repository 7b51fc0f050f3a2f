"""The receivers of dialer events: the REST Event Push URL and Euphoria's webhook."""

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import parse_config
from tests.databases import BOTH_DATABASES
from tests.events_support import calls, push, push_path, set_dialer_ids
from tests.support import ADMIN, CRM_ORIGIN, REST_API_KEY, TENANT

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

EVERY_CALL_VARIABLE: dict[str, Any] = {
    "id": "leg-1",
    "call_id": "call-1",
    "ts": 1_790_000_000,
    "site_id": 3,
    "type": "outbound",
    "dst_num": "2025550143",
    "src_device_id": 31,
    "dst_device_id": None,
    "src_user_id": 7,
    "dst_user_id": None,
    "cid_num": "1001",
    "cid_name": "Acme",
    "a2": "US",
    "tags": ["vip", "renewal"],
    "queue_id": None,
    "lead_id": "L-77",
    "lead_name": "Jane Roe",
    "campaign_id": 12,
    "dialer_id": None,
    "conference_id": None,
    "call_script": 4,
    "progressms": 150,
}


async def test_every_call_event_with_every_variable_makes_one_call(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    path = await push_path(bridge)
    await set_dialer_ids(bridge, api_key, user_id="7")
    start = {**EVERY_CALL_VARIABLE, "type": "queue", "queue_id": 5, "cid_num": "+442071838750"}
    assert await push(bridge, path, "call:start", **start) == {"ok": True, "duplicate": False}
    await push(bridge, path, "call:ring", **EVERY_CALL_VARIABLE)
    await push(bridge, path, "call:answer", **{**EVERY_CALL_VARIABLE, "ts": 1_790_000_003})
    await push(
        bridge,
        path,
        "call:end",
        **{
            **EVERY_CALL_VARIABLE,
            "ts": 1_790_000_063,
            "waitms": 3000,
            "durationms": 63000,
            "billms": 60000,
            "cc_wait": 2,
            "hangup_cause": "NORMAL_CLEARING",
            "canceled": "NONE",
        },
    )
    [call] = await calls(bridge, api_key)
    assert call == {
        "call_id": "call-1",
        "uuid": None,
        "dialer": "rest",
        "state": "ended",
        "direction": "inbound",  # call:start came first, for a queue call
        "number": "+442071838750",
        "display": "+44 20 7183 8750",
        "caller_name": "Acme",
        "queue": "5",
        "queue_name": None,  # the tenant has no name for queue 5
        "lead_id": "L-77",
        "tags": "vip,renewal",
        "answered": True,
        "waitms": 3000,
        "durationms": 63000,
        "billms": 60000,
        "progressms": 150,
        "cc_wait": 2,
        "hangup_cause": "NORMAL_CLEARING",
        "canceled": "NONE",
        "started_at": 1_790_000_000,
        "answered_at": 1_790_000_003,
        "ended_at": 1_790_000_063,
        "disposition": None,
        "outcome": None,
        "notes": None,
        "agent": "agent1",
    }


async def test_an_outbound_call_has_the_dialled_number_in_e164(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    path = await push_path(bridge)
    await push(bridge, path, "call:ring", **EVERY_CALL_VARIABLE)
    [call] = await calls(bridge, api_key)
    assert (call["direction"], call["number"], call["caller_name"]) == (
        "outbound",
        "+12025550143",
        "Jane Roe",
    )
    assert call["state"] == "ringing"
    assert call["agent"] is None  # no agent has user id 7 on this dialer


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("agent:checkin", {"user_id": 7, "device_id": 3, "device_name": "Desk 3"}),
        ("agent:checkout", {"user_id": 7}),
        ("queue:join", {"user_id": 7, "queues": [1, 2]}),
        ("queue:leave", {"user_id": 7, "queues": [2]}),
        ("agent:status", {"user_id": 7, "activity_id": 1, "pause_id": 2, "in_calls": 1}),
    ],
)
async def test_every_queue_event_is_accepted(
    bridge: TestClient, event: str, data: dict[str, Any]
) -> None:
    path = await push_path(bridge)
    assert await push(bridge, path, event, **data) == {"ok": True, "duplicate": False}


async def test_a_redelivered_event_is_a_duplicate_and_changes_nothing(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    path = await push_path(bridge)
    await push(bridge, path, "call:ring", **EVERY_CALL_VARIABLE)
    assert await push(bridge, path, "call:ring", **EVERY_CALL_VARIABLE) == {
        "ok": True,
        "duplicate": True,
    }
    assert len(await calls(bridge, api_key)) == 1


async def test_the_push_url_needs_the_current_secret(bridge: TestClient) -> None:
    old = await push_path(bridge)
    new = await push_path(bridge)  # rotated: the old URL stops working
    event = {"event": "agent:checkout", "data": {"user_id": 7}}
    for path in (old, old.split("?")[0], old.split("?")[0] + "?secret="):
        response = await bridge.post(path, json=event)
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "invalid_secret"
    assert (await bridge.post(new, json=event)).status == 200
    response = await bridge.post(new.replace(f"/{TENANT}/rest", f"/{TENANT}/euphoria"), json=event)
    assert response.status == 404
    response = await bridge.post(new.replace(f"/{TENANT}/", "/nobody/"), json=event)
    assert response.status == 404


@pytest.mark.parametrize(("sources", "status"), [(["10.9.9.9"], 403), (["127.0.0.0/8"], 200)])
async def test_a_source_allowlist_refuses_other_addresses(
    database_url: str, aiohttp_client: Any, sources: list[str], status: int
) -> None:
    rest = {"base_url": "http://127.0.0.1:9", "api_key": REST_API_KEY}
    config = parse_config(
        {
            "server": {"database": database_url},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {
                TENANT: {
                    "allowed_origins": [CRM_ORIGIN],
                    "dialers": {"rest": {**rest, "event_push_sources": sources}},
                }
            },
        }
    )
    client = await aiohttp_client(create_app(config))
    path = await push_path(client)
    response = await client.post(path, json={"event": "agent:checkout", "data": {"user_id": 1}})
    assert response.status == status, await response.text()
    if status == 403:
        assert (await response.json())["error"]["code"] == "source_not_allowed"


@pytest.mark.parametrize(
    ("body", "code", "says"),
    [
        (b"not json", "invalid_json", "JSON"),
        (b"[]", "invalid_event", "(body)"),
        (b'{"event": "call:explode", "data": {}}', "unknown_event", "call:ring"),
        (b'{"data": {}}', "unknown_event", "agent:checkin"),
        (b'{"event": "call:ring", "data": []}', "invalid_event", "data"),
        (b'{"event": "call:ring", "data": {"ts": 1}}', "invalid_event", "call_id"),
        (
            b'{"event": "call:end", "data": {"call_id": "c", "billms": "x"}}',
            "invalid_event",
            "billms",
        ),
        (
            b'{"event": "call:end", "data": {"call_id": "c", "waitms": -1}}',
            "invalid_event",
            "waitms",
        ),
        (b'{"event": "agent:checkout", "data": {}}', "invalid_event", "user_id"),
        (
            b'{"event": "queue:join", "data": {"user_id": 1, "queues": 3}}',
            "invalid_event",
            "queues",
        ),
        (b'{"event": "call:ring", "data": {"call_id": "c"}, "x": 1}', "invalid_event", "x"),
        (b'{"event": "call:ring", "data": {"call_id": "\\ud800"}}', "invalid_json", "JSON"),
    ],
)
async def test_bad_input_is_a_400_that_says_what_is_wrong(
    bridge: TestClient, body: bytes, code: str, says: str
) -> None:
    path = await push_path(bridge)
    response = await bridge.post(path, data=body, headers={"Content-Type": "application/json"})
    assert response.status == 400, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == code
    assert says in error["message"]


async def test_a_body_too_large_is_refused(bridge: TestClient) -> None:
    path = await push_path(bridge)
    body = b'{"event": "call:ring", "data": {"call_id": "' + b"x" * 70_000 + b'"}}'
    response = await bridge.post(path, data=body)
    assert response.status == 413


async def test_numbers_as_text_are_read_as_numbers(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    path = await push_path(bridge)
    await push(
        bridge,
        path,
        "call:end",
        call_id="c9",
        type="outbound",
        dst_num="+442071838750",
        billms="0",
        durationms="15000",
        hangup_cause="NO_ANSWER",
    )
    [call] = await calls(bridge, api_key)
    assert (call["state"], call["answered"], call["durationms"]) == ("ended", False, 15000)
    assert call["number"] == "+442071838750"


# Euphoria's Integration Centre webhook


async def test_the_euphoria_webhook_maps_its_variables_onto_the_call(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    form = {
        "api_key": api_key["X-Api-Key"],
        "event": "end",
        "CALL_SIPID": "a84f@pbx0",
        "CALL_DIR": "incoming",
        "CALL_NUMBER": "+27215550123",
        "CALLERID_NAME": "Conrad",
        "CALLERID_NUMBER": "+27215550123",
        "EXTENSION_NO": "1001",
        "CALL_QUEUE": "{CALL_QUEUE}",  # left unexpanded by Euphoria: empty
        "CALL_DURATION": "42",
        "CALL_DISPOSITION": "Success",
        "CALL_OUTCOME": "Sale",
        "CALL_NOTES": "wants a call back",
        "CALL_CRMTAG": "T-1",
    }
    response = await bridge.post("/api/v1/events/euphoria", data=form)
    assert response.status == 200, await response.text()
    assert (await bridge.post("/api/v1/events/euphoria", data=form)).status == 200
    [call] = await calls(bridge, api_key)
    assert call["dialer"] == "euphoria"
    assert call["call_id"] == "a84f@pbx0"
    assert (call["state"], call["direction"], call["answered"]) == ("ended", "inbound", True)
    assert (call["number"], call["caller_name"]) == ("+27215550123", "Conrad")
    assert (call["agent"], call["queue"], call["billms"], call["tags"]) == (
        "agent1",
        None,
        42000,
        "T-1",
    )
    assert (call["disposition"], call["outcome"], call["notes"]) == (
        "Success",
        "Sale",
        "wants a call back",
    )


async def test_a_euphoria_webhook_with_a_rest_calls_id_leaves_that_call_alone(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    rest_call = {"call_id": "c-77", "type": "outbound", "dst_num": "2025550143", "src_user_id": 7}
    await push(bridge, path, "call:answer", **rest_call)
    form = {"event": "end", "CALL_SIPID": "c-77", "CALL_DURATION": "5", "CALL_NOTES": "forged"}
    response = await bridge.post("/api/v1/events/euphoria", data=form, headers=api_key)
    assert response.status == 200, await response.text()
    by_dialer = {call["dialer"]: call for call in await calls(bridge, api_key)}
    assert (by_dialer["rest"]["state"], by_dialer["rest"]["notes"]) == ("answered", None)
    assert by_dialer["rest"]["number"] == "+12025550143"
    assert (by_dialer["euphoria"]["state"], by_dialer["euphoria"]["notes"]) == ("ended", "forged")


async def test_the_euphoria_webhook_takes_json_and_a_header_key(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    body = {
        "event": "ring",
        "CALL_SIPID": "s1",
        "CALL_DIR": "outgoing",
        "CALL_NUMBER": "2025550143",
    }
    response = await bridge.post("/api/v1/events/euphoria", json=body, headers=api_key)
    assert response.status == 200, await response.text()
    [call] = await calls(bridge, api_key)
    assert (call["state"], call["direction"], call["number"]) == (
        "ringing",
        "outbound",
        "+12025550143",
    )


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"CALL_SIPID": "s1"}, 401, "invalid_api_key"),
        ({"CALL_SIPID": "s1", "api_key": "cbk_wrong"}, 401, "invalid_api_key"),
        ({"api_key": None}, 400, "invalid_event"),
        ({"api_key": None, "CALL_SIPID": "s1", "event": "explode"}, 400, "unknown_event"),
        ({"api_key": None, "CALL_SIPID": "s1", "CALL_DIR": "sideways"}, 400, "invalid_event"),
        ({"api_key": None, "CALL_SIPID": "s1", "CALL_DURATION": "soon"}, 400, "invalid_event"),
    ],
)
async def test_the_euphoria_webhook_refuses_bad_input(
    bridge: TestClient, api_key: dict[str, str], form: dict[str, Any], status: int, code: str
) -> None:
    form = {k: api_key["X-Api-Key"] if v is None else v for k, v in form.items()}
    response = await bridge.post("/api/v1/events/euphoria", data=form)
    assert response.status == status, await response.text()
    assert (await response.json())["error"]["code"] == code


async def test_the_admin_page_shows_a_push_url_once_and_the_euphoria_webhook(
    bridge: TestClient,
) -> None:
    auth = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
    page = await (await bridge.get("/admin/events", headers=auth)).text()
    assert "none yet" in page
    assert "CALL_SIPID={CALL_SIPID}" in page and "AJAX POST" in page
    assert "/api/v1/events/euphoria" in page
    created = await bridge.post(
        "/admin/events", data={"tenant": TENANT, "dialer": "rest"}, headers=auth
    )
    text = await created.text()
    assert f"/api/v1/events/{TENANT}/rest?secret=" in text
    again = await (await bridge.get("/admin/events", headers=auth)).text()
    assert "?secret=" not in again
    assert REST_API_KEY not in text + again
