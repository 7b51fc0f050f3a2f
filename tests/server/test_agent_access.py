"""Who may act as an agent: sessions end with the agent's password or activity, an agent
dials only from extensions the directory allows, and single-use login tokens."""

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.keys import AGENTS, DATABASE
from server.login_tokens import LoginTokenStore
from tests.support import AGENT, TENANT, login, rest_state

LOGIN = f"/api/v1/tenants/{TENANT}/sessions"
NUMBER = {"phone_code": "1", "phone_number": "2025550143"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def put_agent(bridge: TestClient, api_key: dict[str, str], **changes: object) -> None:
    body = {"full_name": "Agent One", "extension": AGENT["extension"], **changes}
    response = await bridge.put(
        f"/api/v1/crm/agents/{AGENT['username']}", json=body, headers=api_key
    )
    assert response.status in (200, 207), await response.text()


@pytest.mark.parametrize(
    "change",
    [{"password": "A-new-Passw0rd"}, {"active": False}],
    ids=["password-changed", "disabled"],
)
async def test_a_new_password_or_disabling_ends_the_agent_s_sessions(
    bridge: TestClient, api_key: dict[str, str], rest_simulator: TestServer, change: dict
) -> None:
    token = await login(bridge)
    await put_agent(bridge, api_key, **change)
    for method, path in (("POST", "/api/v1/calls"), ("GET", "/api/v1/recordings/x.WAV")):
        response = await bridge.request(method, path, json=NUMBER, headers=bearer(token))
        assert response.status == 401, (path, await response.text())
        assert (await response.json())["error"]["code"] == "invalid_token"
    assert rest_state(rest_simulator).calls == []


async def test_an_agent_dials_only_from_an_extension_the_directory_allows(
    bridge: TestClient, api_key: dict[str, str], rest_simulator: TestServer
) -> None:
    refused = await bridge.post(LOGIN, json={**AGENT, "extension": "2002"})
    assert refused.status == 403
    error = (await refused.json())["error"]
    assert error["code"] == "extension_not_allowed"
    assert "1001" in error["message"]
    await put_agent(bridge, api_key, allowed_extensions=["2002"])
    token = await login(bridge, extension="2002")
    assert (await bridge.post("/api/v1/calls", json=NUMBER, headers=bearer(token))).status == 200
    assert rest_state(rest_simulator).calls[0].extension == "2002"


async def issue_token(
    bridge: TestClient, api_key: dict[str, str], username: str
) -> aiohttp.ClientResponse:
    return await bridge.post(
        "/api/v1/crm/login-tokens", json={"username": username}, headers=api_key
    )


async def test_a_login_token_logs_the_agent_in_once(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    issued = await issue_token(bridge, api_key, AGENT["username"])
    assert issued.status == 201
    token = (await issued.json())["token"]
    first = await bridge.post(LOGIN, json={"token": token})
    assert first.status == 200
    assert (await first.json())["agent"]["username"] == AGENT["username"]
    again = await bridge.post(LOGIN, json={"token": token})
    assert again.status == 401
    assert (await again.json())["error"]["code"] == "invalid_login_token"


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [("nobody", 404, "unknown_agent"), ("gone", 403, "agent_disabled")],
)
async def test_login_tokens_only_for_active_agents_of_the_key_s_tenant(
    bridge: TestClient, api_key: dict[str, str], username: str, status: int, code: str
) -> None:
    response = await issue_token(bridge, api_key, username)
    assert response.status == status
    assert (await response.json())["error"]["code"] == code


async def test_an_expired_login_token_is_refused(bridge: TestClient) -> None:
    agent = await bridge.app[AGENTS].get(TENANT, AGENT["username"])
    assert agent is not None
    store = LoginTokenStore(bridge.app[DATABASE], lifetime_seconds=-1)
    token, _ = await store.issue(agent.id)
    response = await bridge.post(LOGIN, json={"token": token})
    assert response.status == 401
    assert (await response.json())["error"]["code"] == "invalid_login_token"


@pytest.mark.parametrize(
    "body",
    [{"token": "clt_x", "username": "agent1"}, {"username": "agent1"}, {}],
    ids=["both", "no-password", "nothing"],
)
async def test_a_login_is_either_a_password_or_a_token(bridge: TestClient, body: dict) -> None:
    response = await bridge.post(LOGIN, json=body)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_message"
