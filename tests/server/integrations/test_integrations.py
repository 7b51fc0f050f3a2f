"""The Integration Centre end to end on real sockets: the admin's JSON API, calls that
run webhooks (outbox, worker, retries), the agent's stream events (screen_pop,
lookup_result), manual runs, every variable and auth type, against a stand-in CRM."""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from server.keys import AGENTS, CONFIG, DATABASE, DELIVERY_WORKER, INTAKE
from server.tables import webhook_deliveries
from tests.databases import BOTH_DATABASES, SHARED_KINDS
from tests.events_support import connect, events, push, push_path, set_dialer_ids
from tests.integrations_support import (
    HOSTILE,
    FakeCrm,
    admin,
    bridge_app,
    deliveries,
    settled,
)
from tests.support import TENANT, login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

INBOUND = {"type": "inbound", "cid_num": "2025550143", "dst_user_id": 7, "queue_id": "5"}


@pytest.fixture
async def crm(aiohttp_server: Callable[..., Any]) -> tuple[FakeCrm, str]:
    fake = FakeCrm()
    server: TestServer = await aiohttp_server(fake.app(), host="127.0.0.1")
    return fake, f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[TestClient]:
    yield await aiohttp_client(bridge_app(database_url, str(rest_simulator.make_url(""))))


@pytest.fixture
async def pushing(bridge: TestClient, api_key: dict[str, str]) -> str:
    """The Event Push path; agent1 is user 7 on the REST dialer."""
    await set_dialer_ids(bridge, api_key, user_id="7")
    return await push_path(bridge)


async def webhook(bridge: TestClient, **fields: Any) -> dict[str, Any]:
    return await admin(bridge, "POST", "/admin/api/webhooks", {"tenant": TENANT, **fields}, 201)


async def group(bridge: TestClient, **fields: Any) -> dict[str, Any]:
    return await admin(bridge, "POST", "/admin/api/groups", {"tenant": TENANT, **fields}, 201)


async def run(bridge: TestClient, token: str, **body: Any) -> dict[str, Any]:
    response = await bridge.post(
        "/api/v1/webhooks/run", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 202, await response.text()
    return await response.json()


ALL_VARIABLES = [
    "CALLERID_NAME",
    "CALLERID_NUMBER",
    "CALLERID",
    "CALL_CRMTAG",
    "CALL_DIR",
    "CALL_DISPOSITION",
    "CALL_DURATION",
    "CALL_NOTES",
    "CALL_NUMBER",
    "CALL_OUTCOME",
    "CALL_QUEUE",
    "CALL_SIPID",
    "DATETIME_DATE",
    "DATETIME_TIME",
    "DATETIME",
    "DYNAMIC_PARAMETER",
    "EXTENSION_NO",
    "EXTENSION",
]


@pytest.mark.parametrize(
    ("kind", "content_type"), [("ajax_get", "form"), ("ajax_post", "form"), ("ajax_post", "json")]
)
async def test_every_variable_arrives_exactly_however_it_is_encoded(
    bridge: TestClient,
    crm: tuple[FakeCrm, str],
    pushing: str,
    kind: str,
    content_type: str,
) -> None:
    fake, base = crm
    parameters = [{"name": name.lower(), "value": f"{{{name}}}"} for name in ALL_VARIABLES]
    parameters.append({"name": "mixed & =", "value": "x={CALL_QUEUE}&y"})
    await webhook(
        bridge,
        name="log",
        url=f"{base}/calls/{{CALLERID_NAME}}",
        parameters=parameters,
        type=kind,
        content_type=content_type,
    )
    name = HOSTILE
    call = {**INBOUND, "cid_name": name, "queue_id": "Q&1"}
    await push(bridge, pushing, "call:ring", call_id="c-1&x", ts=1000.0, **call)
    await push(bridge, pushing, "call:answer", call_id="c-1&x", ts=1010.0, **call)
    await push(bridge, pushing, "call:end", call_id="c-1&x", ts=1025.0, billms=15000, **call)
    token = await login(bridge)
    await run(bridge, token, webhook="log", call_id="c-1&x", dynamic_parameter=HOSTILE)
    [request] = await fake.wait_for(f"/calls/{name}")
    assert request.method == ("GET" if kind == "ajax_get" else "POST")
    if kind == "ajax_get":
        got = request.query
    elif content_type == "json":
        assert request.headers["Content-Type"] == "application/json"
        got = json.loads(request.body)
    else:
        got = dict(parse_qsl(request.body.decode(), keep_blank_values=True))
    assert got["callerid_name"] == name
    assert got["callerid_number"] == got["call_number"] == "+12025550143"
    assert got["callerid"] == f"{name} <+12025550143@127.0.0.1>"
    assert got["call_crmtag"] == ""
    assert got["call_dir"] == "incoming"
    assert got["call_duration"] == "15"
    assert got["call_queue"] == "Q&1"
    assert got["call_sipid"] == "c-1&x"
    assert got["dynamic_parameter"] == HOSTILE
    assert got["extension_no"] == "1001"
    assert got["extension"] == "1001-Acme"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", got["datetime_date"])
    assert re.fullmatch(r"\d\d-\d\d-\d\d", got["datetime_time"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", got["datetime"])
    assert got["datetime_date"] == f"{got['datetime']}_{got['datetime_time']}"
    assert got["mixed & ="] == "x=Q&1&y"
    assert re.fullmatch(r"[0-9a-f-]{36}", request.headers["Idempotency-Key"])


async def test_a_wrapup_sends_the_disposition_outcome_and_notes(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    parameters = [
        {"name": n, "value": f"{{{n.upper()}}}"}
        for n in ("call_disposition", "call_outcome", "call_notes")
    ]
    await webhook(
        bridge,
        name="wrapped",
        url=f"{base}/wrapup",
        parameters=parameters,
        type="ajax_post",
        content_type="json",
        trigger="wrapup",
    )
    await push(bridge, pushing, "call:ring", call_id="w1", **INBOUND)
    await push(bridge, pushing, "call:end", call_id="w1", **INBOUND)
    intake = bridge.app[INTAKE]
    agent = await bridge.app[AGENTS].get(TENANT, "agent1")
    assert agent is not None
    await intake.wrap_up(
        TENANT, agent.id, "w1", disposition="Unsure", outcome="Voicemail", notes=HOSTILE
    )
    [request] = await fake.wait_for("/wrapup")
    assert json.loads(request.body) == {
        "call_disposition": "Unsure",
        "call_outcome": "Voicemail",
        "call_notes": HOSTILE,
    }


async def test_a_browser_window_webhook_pops_the_filled_in_url_on_the_stream(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    await webhook(
        bridge,
        name="open contact",
        url=f"{base}/contact",
        parameters=[
            {"name": "phone", "value": "{CALLERID_NUMBER}"},
            {"name": "n", "value": "{CALLERID_NAME}"},
        ],
        type="browser_window",
        trigger="call_ringing",
        directions=["inbound"],
    )
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "call:ring", call_id="b1", cid_name="A&B", **INBOUND)
    ringing, pop = await events(ws, 2)
    assert ringing["name"] == "call_ringing"
    assert pop["name"] == "screen_pop"
    assert pop["data"] == {
        "url": f"{base}/contact?phone=%2B12025550143&n=A%26B",
        "webhook": "open contact",
        "call_id": "b1",
    }
    await push(
        bridge,
        pushing,
        "call:ring",
        call_id="b2",
        type="outbound",
        dst_num="2025550100",
        src_user_id=7,
    )
    [outbound] = await events(ws, 1)
    assert outbound["name"] == "call_ringing"  # filtered: inbound calls only
    await ws.close()
    assert fake.received == []  # the browser opens it, not the bridge


async def test_a_lookup_shows_the_chosen_columns_to_the_agent(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    records = [
        {"id": 1, "name": HOSTILE, "email": "a@x.test", "balance": 12.5, "tags": ["vip"]},
        {"id": 2, "name": "Bo", "email": None, "balance": 0},
    ]
    fake.replies["/lookup"] = [web.json_response({"data": records}) for _ in range(2)]
    hook = await webhook(
        bridge,
        name="caller lookup",
        url=f"{base}/lookup",
        parameters=[{"name": "phone", "value": "{CALLERID_NUMBER}"}],
        test_values={"CALLERID_NUMBER": "+12025550143"},
        type="ajax_get",
        response_type="records",
        trigger="call_ringing",
        queues=["5"],
    )
    tried = await admin(bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test")
    assert tried["status"] == 200 and tried["time_ms"] >= 0
    assert tried["answer"]["columns"] == ["id", "name", "email", "balance", "tags"]
    assert tried["answer"]["rows"][0]["tags"] == '["vip"]'
    assert fake.to("/lookup")[0].query["phone"] == "+12025550143"
    labels = {"name": "Caller", "email": "E-mail", "id": "Not shown"}
    chosen = await admin(
        bridge,
        "PUT",
        f"/admin/api/webhooks/{hook['id']}/columns",
        {"columns": ["name", "email"], "labels": labels},
    )
    assert (chosen["columns"], chosen["column_labels"]) == (["name", "email"], labels)
    kept = await admin(  # without labels, the labels stay
        bridge, "PUT", f"/admin/api/webhooks/{hook['id']}/columns", {"columns": ["name", "email"]}
    )
    assert kept["column_labels"] == labels
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "call:ring", call_id="L1", **INBOUND)
    _ringing, lookup = await events(ws, 2)
    assert lookup == {
        "type": "event",
        "id": lookup["id"],
        "name": "lookup_result",
        "data": {
            "webhook": "caller lookup",
            "call_id": "L1",
            "columns": ["name", "email"],
            "labels": {"name": "Caller", "email": "E-mail"},  # of the columns shown
            "records": [{"name": HOSTILE, "email": "a@x.test"}, {"name": "Bo", "email": ""}],
            "error": None,
        },
    }
    await ws.close()


async def test_a_failed_lookup_tells_the_agent_why(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    fake.replies["/lookup"] = [web.Response(text="<html>not json</html>")]
    await webhook(
        bridge,
        name="lookup",
        url=f"{base}/lookup",
        response_type="object",
        trigger="call_answered",
    )
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, pushing, "call:answer", call_id="L2", **INBOUND)
    received = await events(ws, 3)
    [lookup] = [m for m in received if m["name"] == "lookup_result"]
    assert lookup["data"]["error"] == "the answer is not JSON"
    assert lookup["data"]["records"] == []
    await ws.close()


async def test_5xx_and_429_are_retried_with_the_same_idempotency_key_until_delivered(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    fake.replies["/log"] = [
        web.Response(status=503),
        web.Response(status=429, headers={"Retry-After": "0"}),
        web.json_response({"ok": True}),
    ]
    await webhook(bridge, name="log", url=f"{base}/log", type="ajax_post", trigger="call_ended")
    await push(bridge, pushing, "call:end", call_id="r1", **INBOUND)
    sent = await fake.wait_for("/log", 3)
    assert len({request.headers["Idempotency-Key"] for request in sent}) == 1
    [delivery] = await settled(bridge)
    assert (delivery["state"], delivery["attempts"], delivery["last_status"]) == (
        "delivered",
        3,
        200,
    )
    assert delivery["delivery_id"] == sent[0].headers["Idempotency-Key"]


async def test_retry_after_is_honoured(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    fake.replies["/log"] = [web.Response(status=503, headers={"Retry-After": "3600"})]
    await webhook(bridge, name="log", url=f"{base}/log", trigger="call_ended")
    await push(bridge, pushing, "call:end", call_id="r2", **INBOUND)
    await fake.wait_for("/log")
    for _ in range(200):
        [delivery] = await deliveries(bridge)
        if delivery["state"] == "pending" and delivery["attempts"] == 1:
            break
        await asyncio.sleep(0.02)
    assert delivery["state"] == "pending"
    assert delivery["next_attempt_at"] - delivery["updated_at"] >= 3599
    assert delivery["last_error"] == "the CRM answered 503 Service Unavailable"


async def test_deliveries_finished_longer_ago_than_keep_days_are_deleted(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    fake, base = crm
    fake.replies["/old"] = [web.Response(status=404)]
    await webhook(bridge, name="old", url=f"{base}/old")
    await webhook(bridge, name="recent", url=f"{base}/recent")
    token = await login(bridge)
    for name in ("old", "old", "recent"):
        await run(bridge, token, webhook=name)
    found = await settled(bridge, 3)
    assert sorted(d["state"] for d in found if d["webhook_name"] == "old") == [
        "delivered",
        "failed",
    ]
    keep_days = bridge.app[CONFIG].integrations.keep_days
    async with bridge.app[DATABASE].begin() as connection:
        await connection.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.webhook_name == "old")
            .values(finished_at=time.time() - keep_days * 86400 - 60)
        )

    assert await bridge.app[DELIVERY_WORKER].purge() == 2

    assert [d["webhook_name"] for d in await deliveries(bridge)] == ["recent"]


async def test_a_4xx_fails_at_once_and_a_dead_crm_after_the_last_attempt_then_retry(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    fake.replies["/gone"] = [web.Response(status=404)]
    fake.replies["/down"] = [web.Response(status=500) for _ in range(3)]
    await webhook(bridge, name="gone", url=f"{base}/gone", trigger="call_ended")
    await webhook(bridge, name="down", url=f"{base}/down", trigger="call_ended")
    await push(bridge, pushing, "call:end", call_id="f1", **INBOUND)
    found = {d["webhook_name"]: d for d in await settled(bridge, 2)}
    assert (found["gone"]["state"], found["gone"]["attempts"]) == ("failed", 1)
    assert found["gone"]["last_error"] == "the CRM answered 404 Not Found"
    assert (found["down"]["state"], found["down"]["attempts"]) == ("failed", 3)
    assert found["down"]["last_error"].endswith("gave up after 3 attempts")
    assert len(fake.to("/down")) == 3
    failed = await deliveries(bridge, outcome="failed", webhook="down")
    assert [d["webhook_name"] for d in failed] == ["down"]
    retried = await admin(
        bridge, "POST", f"/admin/api/deliveries/{found['down']['delivery_id']}/retry"
    )
    assert retried["state"] == "pending"
    sent = await fake.wait_for("/down", 4)
    assert len({r.headers["Idempotency-Key"] for r in sent}) == 1
    for _ in range(200):
        again = (await deliveries(bridge, webhook="down"))[0]
        if again["state"] == "delivered":
            break
        await asyncio.sleep(0.02)
    assert again["state"] == "delivered"
    await admin(
        bridge, "POST", f"/admin/api/deliveries/{found['down']['delivery_id']}/retry", status=409
    )


async def test_each_auth_type_and_level_sends_its_own_secret(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    await group(bridge, name="open")
    await group(
        bridge, name="header key", auth_type="api_key", key_name="X-Api-Key", api_key="k-global-1"
    )
    await group(
        bridge,
        name="param key",
        auth_type="api_key",
        key_name="token",
        key_placement="parameter",
        api_key="k&param=2",
    )
    await group(
        bridge, name="basic", auth_type="credentials", username="crm-user", password="p:ss wörd"
    )
    per_user = await group(bridge, name="per user", auth_type="credentials", level="user")
    await group(bridge, name="per user key", auth_type="api_key", key_name="X-Key", level="user")
    await admin(
        bridge,
        "POST",
        f"/admin/api/groups/{per_user['id']}/members",
        {"agent": "agent1", "username": "agent-one", "password": "one-pass"},
        201,
    )
    await admin(
        bridge,
        "POST",
        f"/admin/api/groups/{per_user['id']}/members",
        {"agent": "agent2", "username": "agent-two", "password": "two-pass"},
        201,
    )
    for name, path in (
        ("open", "/none"),
        ("header key", "/header"),
        ("param key", "/param"),
        ("basic", "/basic"),
        ("per user", "/user"),
        ("per user key", "/nomember"),
    ):
        await webhook(
            bridge,
            name=path,
            url=f"{base}{path}",
            group=name,
            trigger="call_ended",
            type="ajax_post",
        )
    await push(bridge, pushing, "call:end", call_id="a1", **INBOUND)
    found = {d["webhook_name"]: d for d in await settled(bridge, 6)}
    assert "Authorization" not in (await fake.wait_for("/none"))[0].headers
    assert (await fake.wait_for("/header"))[0].headers["X-Api-Key"] == "k-global-1"
    assert dict(parse_qsl((await fake.wait_for("/param"))[0].body.decode()))["token"] == "k&param=2"
    basic = (await fake.wait_for("/basic"))[0].headers["Authorization"]
    assert basic == aiohttp.encode_basic_auth("crm-user", "p:ss wörd", encoding="utf-8")
    mine = (await fake.wait_for("/user"))[0].headers["Authorization"]
    assert mine == aiohttp.encode_basic_auth("agent-one", "one-pass")  # agent1's own
    assert found["/nomember"]["state"] == "failed"
    assert "agent 'agent1' is" in found["/nomember"]["last_error"]
    assert "Members" in found["/nomember"]["last_error"]
    assert fake.to("/nomember") == []


async def test_the_admin_api_refuses_what_it_cannot_keep(
    bridge: TestClient, crm: tuple[FakeCrm, str]
) -> None:
    _, base = crm
    refused = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "x",
            "url": f"{base}/x",
            "parameters": [{"name": "a", "value": "{CALLER_NAME}"}],
        },
        400,
    )
    assert "{CALLER_NAME}" in refused["error"]["message"]
    g = await group(bridge, name="g", auth_type="api_key", key_name="X-Key", api_key="k1")
    hook = await webhook(bridge, name="logger", url=f"{base}/x", group="g", trigger="call_ended")
    in_use = await admin(bridge, "DELETE", f"/admin/api/groups/{g['id']}", status=409)
    assert "in use by webhook logger" in in_use["error"]["message"]
    busy = await admin(bridge, "DELETE", f"/admin/api/webhooks/{hook['id']}", status=409)
    assert "runs on call_ended" in busy["error"]["message"]
    popup = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "pop",
            "url": f"{base}/x",
            "type": "browser_window",
            "group": "g",
        },
        400,
    )
    assert popup["error"]["code"] == "secret_in_browser"
    await admin(
        bridge,
        "PUT",
        f"/admin/api/webhooks/{hook['id']}",
        {"name": "logger", "url": f"{base}/x", "group": "g", "trigger": "manual"},
    )
    await admin(bridge, "DELETE", f"/admin/api/webhooks/{hook['id']}")
    await admin(bridge, "DELETE", f"/admin/api/groups/{g['id']}")
    await admin(
        bridge,
        "POST",
        "/admin/api/groups",
        {"tenant": TENANT, "name": "k", "auth_type": "api_key", "key_name": "K"},
        400,
    )


async def test_a_slow_crm_never_delays_calls_or_click_to_call(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    release = asyncio.Event()

    async def stuck() -> web.Response:
        await release.wait()
        return web.json_response({})

    fake.replies["/slow"] = [stuck for _ in range(10)]
    await webhook(bridge, name="slow", url=f"{base}/slow", trigger="call_ringing")
    await push(bridge, pushing, "call:ring", call_id="s1", **INBOUND)
    await fake.wait_for("/slow")
    await push(bridge, pushing, "call:end", call_id="s1", **INBOUND)  # one call at a time
    token = await login(bridge)
    response = await bridge.post(
        "/api/v1/calls",
        json={"phone_number": "+1 202 555 0100", "crm_tag": "deal-7 & co"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    uuid = (await response.json())["uuid"]
    await push(
        bridge,
        pushing,
        "call:ring",
        call_id=uuid,
        type="outbound",
        dst_num="2025550100",
        src_user_id=7,
    )
    await push(bridge, pushing, "call:end", call_id="s1", **INBOUND)
    assert not release.is_set()  # all of that while the CRM still holds its request
    [waiting] = [d for d in await deliveries(bridge) if d["call_id"] == "s1"]
    assert waiting["state"] == "sending"
    release.set()
    await fake.wait_for("/slow", 2)


async def test_the_crm_tag_of_a_click_to_call_reaches_the_webhook(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    await webhook(
        bridge,
        name="tagged",
        url=f"{base}/tagged",
        parameters=[
            {"name": "tag", "value": "{CALL_CRMTAG}"},
            {"name": "dir", "value": "{CALL_DIR}"},
        ],
        trigger="call_ringing",
    )
    token = await login(bridge)
    response = await bridge.post(
        "/api/v1/calls",
        json={"phone_number": "+1 202 555 0100", "crm_tag": HOSTILE},
        headers={"Authorization": f"Bearer {token}"},
    )
    uuid = (await response.json())["uuid"]
    await push(
        bridge,
        pushing,
        "call:ring",
        call_id=uuid,
        type="outbound",
        dst_num="2025550100",
        src_user_id=7,
    )
    [request] = await fake.wait_for("/tagged")
    assert (request.query["tag"], request.query["dir"]) == (HOSTILE, "outgoing")


async def test_objects_declared_in_the_configuration_are_read_only(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, str],
) -> None:
    fake, base = crm
    declared = {
        "pbx_host": "pbx0.acme.test",
        "groups": [
            {
                "name": "crm",
                "auth_type": "api_key",
                "key_name": "X-Key",
                "api_key": "declared-key-1",
            }
        ],
        "webhooks": [
            {
                "name": "who",
                "url": f"{base}/who",
                "group": "crm",
                "parameters": [{"name": "cid", "value": "{CALLERID}"}],
                "test_values": {"CALLERID_NAME": "Conrad", "CALLERID_NUMBER": "100"},
                "response_type": "records",
                "columns": ["name"],
                "column_labels": {"name": "Customer"},
            }
        ],
    }
    app = bridge_app(database_url, str(rest_simulator.make_url("")), tenant_integrations=declared)
    bridge = await aiohttp_client(app)
    [hook] = await admin(bridge, "GET", "/admin/api/webhooks")
    assert (hook["declared"], hook["group"]) == (True, "crm")
    assert hook["column_labels"] == {"name": "Customer"}
    [g] = await admin(bridge, "GET", "/admin/api/groups")
    assert g["declared"] and g["has_secret"]
    refused = await admin(bridge, "DELETE", f"/admin/api/webhooks/{hook['id']}", status=409)
    assert "configuration file" in refused["error"]["message"]
    await admin(bridge, "PUT", f"/admin/api/groups/{g['id']}", {"name": "crm"}, 409)
    tried = await admin(bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test")
    assert tried["status"] == 200
    [request] = await fake.wait_for("/who")
    assert request.query["cid"] == "Conrad <100@pbx0.acme.test>"
    assert request.headers["X-Key"] == "declared-key-1"


async def test_one_tenant_has_at_most_its_share_of_requests_in_flight(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, str],
) -> None:
    fake, base = crm
    release = asyncio.Event()

    async def stuck() -> web.Response:
        await release.wait()
        return web.json_response({})

    fake.replies["/slow"] = [stuck, stuck]
    app = bridge_app(database_url, str(rest_simulator.make_url("")), per_tenant_concurrency=1)
    bridge = await aiohttp_client(app)
    await webhook(bridge, name="slow", url=f"{base}/slow")
    token = await login(bridge)
    await run(bridge, token, webhook="slow")
    await run(bridge, token, webhook="slow")
    await fake.wait_for("/slow")
    await asyncio.sleep(0.3)  # many looks at the outbox (poll_seconds 0.02)
    assert len(fake.to("/slow")) == 1
    assert sorted(d["state"] for d in await deliveries(bridge)) == ["pending", "sending"]
    release.set()
    await fake.wait_for("/slow", 2)
    assert {d["state"] for d in await settled(bridge, 2)} == {"delivered"}


# Several instances share a PostgreSQL database only (a SQLite file serves one instance).
@pytest.mark.parametrize("database_kind", SHARED_KINDS)
async def test_a_tenants_share_holds_across_instances(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, str],
) -> None:
    """Two instances on one database: together at most ``per_tenant_concurrency``."""
    fake, base = crm
    release = asyncio.Event()

    async def stuck() -> web.Response:
        await release.wait()
        return web.json_response({})

    fake.replies["/slow"] = [stuck, stuck, stuck]
    rest = str(rest_simulator.make_url(""))
    first = await aiohttp_client(bridge_app(database_url, rest, per_tenant_concurrency=2))
    second = await aiohttp_client(bridge_app(database_url, rest, per_tenant_concurrency=2))
    await webhook(first, name="slow", url=f"{base}/slow")
    token = await login(first)
    for instance in (first, second, first):
        await run(instance, token, webhook="slow")
        second.app[DELIVERY_WORKER].wake()
    await fake.wait_for("/slow", 2)
    await asyncio.sleep(0.3)  # many looks at the outbox by both (poll_seconds 0.02)
    assert len(fake.to("/slow")) == 2
    assert sorted(d["state"] for d in await deliveries(first)) == ["pending", "sending", "sending"]
    release.set()
    await fake.wait_for("/slow", 3)
    assert {d["state"] for d in await settled(first, 3)} == {"delivered"}


async def test_a_stuck_crm_of_one_tenant_does_not_hold_up_another_tenants_deliveries(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, str],
) -> None:
    fake, base = crm
    release = asyncio.Event()
    hanging = 0

    async def stuck() -> web.Response:
        nonlocal hanging
        hanging += 1
        try:
            await release.wait()  # no answer: the bridge's timeout (30 s here) would end it
        finally:
            hanging -= 1
        return web.json_response({})

    fake.replies["/stuck"] = [stuck for _ in range(4)]
    app = bridge_app(
        database_url,
        str(rest_simulator.make_url("")),
        other_tenants=("beta",),
        per_tenant_concurrency=2,
        timeout_seconds=30,
    )
    bridge = await aiohttp_client(app)
    await app[AGENTS].save("beta", "agentb", password="Agent-b-secret!", extension="300")
    await webhook(bridge, name="crm", url=f"{base}/stuck")
    await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": "beta", "name": "crm", "url": f"{base}/fast"},
        201,
    )
    stuck_token = await login(bridge)
    for _ in range(4):  # twice its per_tenant_concurrency, all queued before beta's
        await run(bridge, stuck_token, webhook="crm")
    await fake.wait_for("/stuck", 2)
    signed_in = await bridge.post(
        "/api/v1/tenants/beta/sessions",
        json={"username": "agentb", "password": "Agent-b-secret!"},
    )
    await run(bridge, (await signed_in.json())["token"], webhook="crm")

    [done] = [d for d in await settled(bridge, 1) if d["state"] in ("delivered", "failed")]
    assert (done["tenant"], done["state"]) == ("beta", "delivered")
    assert hanging == 2 and not release.is_set()  # acme's requests are still unanswered
    assert len(fake.to("/stuck")) == 2
    acme = await deliveries(bridge, tenant=TENANT)
    assert sorted(d["state"] for d in acme) == ["pending", "pending", "sending", "sending"]
    release.set()
    await fake.wait_for("/stuck", 4)
    assert {d["state"] for d in await settled(bridge, 5)} == {"delivered"}


async def test_a_dead_or_silent_crm_is_retried_then_failed(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, str],
    unused_tcp_port_factory: Callable[[], int],
) -> None:
    fake, base = crm
    release = asyncio.Event()

    async def silent() -> web.Response:
        await release.wait()
        return web.json_response({})

    fake.replies["/silent"] = [silent for _ in range(3)]
    app = bridge_app(database_url, str(rest_simulator.make_url("")), timeout_seconds=0.2)
    bridge = await aiohttp_client(app)
    closed = f"http://127.0.0.1:{unused_tcp_port_factory()}/x"
    await webhook(bridge, name="dead", url=closed)
    await webhook(bridge, name="silent", url=f"{base}/silent")
    token = await login(bridge)
    await run(bridge, token, webhook="dead")
    await run(bridge, token, webhook="silent")
    found = {d["webhook_name"]: d for d in await settled(bridge, 2)}
    release.set()
    assert (found["dead"]["state"], found["dead"]["attempts"]) == ("failed", 3)
    assert found["dead"]["last_error"] == (
        f"127.0.0.1, port {closed.split(':')[2][:-2]} refused the connection (connection"
        " refused: nothing listens there, or a firewall says no); gave up after 3 attempts"
    )
    assert (found["silent"]["state"], found["silent"]["attempts"]) == ("failed", 3)
    assert found["silent"]["last_error"] == (
        f"{base.split('//')[1].replace(':', ', port ')} did not answer within 0.2 s (timeout);"
        " gave up after 3 attempts"
    )
    assert len({r.headers["Idempotency-Key"] for r in fake.to("/silent")}) == 1


async def test_a_call_no_agent_had_still_runs_the_call_ended_webhooks_once(
    bridge: TestClient, crm: tuple[FakeCrm, str], pushing: str
) -> None:
    fake, base = crm
    parameters = [
        {"name": name.lower(), "value": f"{{{name}}}"}
        for name in ("CALL_SIPID", "CALL_DIR", "EXTENSION")
    ]
    await webhook(
        bridge, name="log", url=f"{base}/missed", parameters=parameters, trigger="call_ended"
    )
    await webhook(
        bridge, name="pop", url=f"{base}/pop", type="browser_window", trigger="call_ended"
    )
    missed = {**INBOUND, "dst_user_id": 999}  # an agent the bridge does not know
    await push(bridge, pushing, "call:ring", call_id="m1", **missed)
    await push(bridge, pushing, "call:end", call_id="m1", canceled="timeout", **missed)
    await push(bridge, pushing, "call:answer", call_id="m1", **missed)  # late: changes nothing
    [request] = await fake.wait_for("/missed")
    assert (request.query["call_sipid"], request.query["call_dir"]) == ("m1", "incoming")
    assert request.query["extension"] == ""
    [delivery] = await settled(bridge)
    assert (delivery["state"], delivery["call_id"]) == ("delivered", "m1")
    assert fake.to("/pop") == []  # a screen pop needs an agent to show it
