"""The widget's JSON API over HTTP: login, click-to-call, logout, and their errors."""

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.audit_log import AuditQuery
from server.keys import AGENTS, AUDIT
from tests.support import AGENT, REST_API_KEY, TENANT, login, rest_state


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def call(client: TestClient, token: str, **body: object):
    return await client.post("/api/v1/calls", json=body, headers=bearer(token))


async def test_login_returns_a_token_and_the_agent(bridge: TestClient) -> None:
    response = await bridge.post(f"/api/v1/tenants/{TENANT}/sessions", json=AGENT)
    body = await response.json()
    assert response.status == 200
    assert len(body["token"]) >= 40
    assert body["agent"] == {"username": "agent1", "full_name": "Agent One", "extension": "1001"}
    assert "set-cookie" not in {k.lower() for k in response.headers}


@pytest.mark.parametrize(
    ("tenant", "body", "status", "code"),
    [
        (TENANT, {**AGENT, "password": "wrong"}, 401, "invalid_credentials"),
        (TENANT, {**AGENT, "username": "nobody"}, 401, "invalid_credentials"),
        (TENANT, {"username": "gone", "password": "Gone-agent1"}, 403, "agent_disabled"),
        ("other", AGENT, 404, "unknown_tenant"),
        (TENANT, {"username": "agent1"}, 400, "invalid_message"),
    ],
    ids=["wrong-password", "unknown-user", "disabled", "unknown-tenant", "no-password"],
)
async def test_each_login_failure_has_its_own_error(
    bridge: TestClient, tenant: str, body: dict, status: int, code: str
) -> None:
    response = await bridge.post(f"/api/v1/tenants/{tenant}/sessions", json=body)
    assert response.status == status, await response.text()
    assert (await response.json())["error"]["code"] == code


async def test_a_body_that_is_not_json_is_refused_clearly(bridge: TestClient) -> None:
    response = await bridge.post(
        f"/api/v1/tenants/{TENANT}/sessions",
        data="{username",
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    assert (await response.json())["error"] == {
        "code": "invalid_json",
        "message": "the body must be valid JSON (UTF-8)",
    }


async def test_a_body_that_is_not_declared_json_is_refused(bridge: TestClient) -> None:
    response = await bridge.post(f"/api/v1/tenants/{TENANT}/sessions", data="username=agent1")
    assert response.status == 415
    assert (await response.json())["error"]["code"] == "unsupported_media_type"


async def test_click_to_call_originates_from_the_agent_extension_with_the_key(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    token = await login(bridge)
    response = await call(bridge, token, phone_code="44", phone_number="20 7946 0018", lead_id=42)
    body = await response.json()
    assert response.status == 200, body
    assert body["destination"] == "+442079460018"
    assert body["display"] == "+44 20 7946 0018"
    [request] = rest_simulator.app[
        __import__("simulators.rest.app", fromlist=["CONTROL"]).CONTROL
    ].requests
    assert request.query == {
        "destination": "442079460018",
        "extension": "1001",
        "lead_id": "42",
        "api_key": REST_API_KEY,
    }
    assert body["uuid"] == rest_state(rest_simulator).calls[0].uuid
    assert REST_API_KEY not in json.dumps(body)


async def test_a_bad_number_never_reaches_the_dialer(
    bridge: TestClient, rest_simulator: TestServer
) -> None:
    token = await login(bridge)
    response = await call(bridge, token, phone_code="1", phone_number="12")
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_number"
    assert "wrong length" in error["message"]
    assert rest_state(rest_simulator).calls == []


async def test_without_a_live_session_click_to_call_is_refused(bridge: TestClient) -> None:
    no_token = await bridge.post("/api/v1/calls", json={"phone_number": "2025550143"})
    assert (await no_token.json())["error"]["code"] == "not_logged_in"
    forged = await call(bridge, "forged-token", phone_number="2025550143")
    assert forged.status == 401
    assert (await forged.json())["error"]["code"] == "invalid_token"
    token = await login(bridge)
    assert (await bridge.delete("/api/v1/session", headers=bearer(token))).status == 200
    after = await call(bridge, token, phone_number="2025550143")
    assert after.status == 401


@pytest.mark.parametrize(
    ("fault", "status", "code", "words"),
    [
        (
            {
                "kind": "body",
                "body": '{"success": false, "msg": "No free channels"}',
                "content_type": "application/json",
            },
            422,
            "dialer_rejected",
            "No free channels",
        ),
        (
            {
                "kind": "status",
                "status": 401,
                "body": '{"success":false,"msg":"Unauthorized"}',
                "content_type": "application/json",
            },
            502,
            "dialer_unauthorized",
            "api_key",
        ),
        ({"kind": "drop"}, 503, "dialer_unavailable", "unreachable"),
    ],
    ids=["refused", "wrong-key", "dropped"],
)
async def test_dialer_failures_map_to_clear_statuses(
    bridge: TestClient, rest_simulator: TestServer, fault: dict, status: int, code: str, words: str
) -> None:
    token = await login(bridge)
    await bridge.session.post(rest_simulator.make_url("/_sim/faults"), json={**fault, "times": 1})
    response = await call(bridge, token, phone_code="1", phone_number="2025550143")
    error = (await response.json())["error"]
    assert (response.status, error["code"]) == (status, code)
    assert words in error["message"] + error.get("dialer_text", "")
    assert REST_API_KEY not in json.dumps(error)


async def test_every_dialer_call_is_audited_without_secrets(bridge: TestClient) -> None:
    await bridge.app[AGENTS].save(
        TENANT, "agent1", full_name="Agent One", extension="1001", allowed_extensions=("9999",)
    )
    token = await login(bridge)
    await call(bridge, token, phone_code="1", phone_number="2025550143")
    await call(
        bridge, await login(bridge, extension="9999"), phone_code="1", phone_number="2025550143"
    )
    audit = bridge.app[AUDIT]
    await audit.flush()
    rows, total = await audit.query(AuditQuery(tenant=TENANT))
    assert total == 2
    assert [(r["action"], r["outcome"], r["user"], r["dialer"]) for r in rows] == [
        ("originate", "dialer_rejected", "agent1", "rest"),
        ("originate", "ok", "agent1", "rest"),
    ]
    assert rows[0]["error_text"] == "extension 9999 is not routed to a device or user"
    assert REST_API_KEY not in json.dumps(rows)


async def test_password_guessing_is_slowed_down(bridge: TestClient) -> None:
    path = f"/api/v1/tenants/{TENANT}/sessions"
    for _ in range(5):
        wrong = await bridge.post(path, json={**AGENT, "password": "guess"})
        assert wrong.status == 401
    locked = await bridge.post(path, json=AGENT)
    assert locked.status == 429
    error = (await locked.json())["error"]
    assert error["code"] == "too_many_attempts"
    assert error["message"] == "too many wrong passwords for this account: try again in 1 s"
    assert locked.headers["Retry-After"] == "1"
    other_agent = await bridge.post(path, json={"username": "gone", "password": "Gone-agent1"})
    assert other_agent.status == 403  # only the guessed username is slowed down
