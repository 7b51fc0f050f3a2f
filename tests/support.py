"""What the tests share besides fixtures: credentials of the simulated dialers, the test
tenant and agent, the bridge configuration over the simulators, and small helpers."""

from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from server.config import ServerConfig, parse_config
from simulators.rest import RestState

ROOT = Path(__file__).resolve().parents[1]  # the project's folder

REST_API_KEY = "rest-key-7d1e9b0c5a"
EUPHORIA_AUTH = "euphoria-auth-3c8f1a"
ELISION_PASS = "elision-pass-9d2"
ADMIN = ("admin", "Admin-pass-91x")
TENANT = "acme"
CRM_ORIGIN = "https://crm.acme.test"
AGENT = {"username": "agent1", "password": "Agent1-secret!", "extension": "1001"}


def rest_state(server: TestServer) -> RestState:
    from simulators.rest.state import STATE

    return server.app[STATE]


def bridge_config(
    database_url: str, rest_url: str, euphoria_url: str = "", elision_url: str = "", **tenant: Any
) -> ServerConfig:
    dialers: dict[str, Any] = {
        "rest": {"base_url": rest_url, "api_key": REST_API_KEY, "timeout": 2}
    }
    if euphoria_url:
        dialers["euphoria"] = {
            "base_url": euphoria_url,
            "tenant_name": "acme",
            "auth_code": EUPHORIA_AUTH,
            "timeout": 2,
        }
    if elision_url:
        dialers["elision"] = {
            "base_url": elision_url,
            "api_user": "api",
            "api_pass": ELISION_PASS,
            "timeout": 2,
        }
    return parse_config(
        {
            "server": {"database": database_url},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {TENANT: {"allowed_origins": [CRM_ORIGIN], "dialers": dialers, **tenant}},
        }
    )


async def login(client: TestClient, **overrides: str) -> str:
    response = await client.post(f"/api/v1/tenants/{TENANT}/sessions", json={**AGENT, **overrides})
    assert response.status == 200, await response.text()
    return (await response.json())["token"]


# An agent as a CRM's user sync sends it (the REST dialer's user 1001).
SYNCED_AGENT = {
    "full_name": "Agent One",
    "password": "Agent1-secret!",
    "extension": "1001",
    "email": "agent1@acme.test",
}
