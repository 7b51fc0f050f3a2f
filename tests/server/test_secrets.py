"""No secret - dialer credentials, the admin's password, agents' passwords, API keys, the
database's password - reaches a response body, a log line or the audit log, whatever goes
right or wrong."""

import json
import logging

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from server.audit_log import AuditQuery
from server.keys import AUDIT
from simulators.euphoria import DEMO_RECORDING
from tests.support import ADMIN, AGENT, ELISION_PASS, EUPHORIA_AUTH, REST_API_KEY, TENANT, login

NEW_AGENT_PASSWORD = "Zoe-Secret-77"


async def test_no_secret_leaks_anywhere(
    database_url: str,
    bridge: TestClient,
    api_key: dict[str, str],
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    admin = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
    token = await login(bridge)
    agent = {"Authorization": f"Bearer {token}"}
    await session.post(rest_simulator.make_url("/_sim/faults"), json={"kind": "drop", "times": 1})
    requests = [
        ("POST", f"/api/v1/tenants/{TENANT}/sessions", {**AGENT, "password": "wrong"}, {}, 401),
        ("POST", "/api/v1/calls", {"phone_code": "1", "phone_number": "2025550143"}, agent, 503),
        ("POST", "/api/v1/calls", {"phone_code": "1", "phone_number": "2025550143"}, agent, 200),
        ("GET", f"/api/v1/recordings/{DEMO_RECORDING}?format=pcm", None, agent, 200),
        ("GET", "/api/v1/recordings/missing.WAV", None, api_key, 422),
        (
            "PUT",
            "/api/v1/crm/agents/zoe",
            {"full_name": "Zoe", "password": NEW_AGENT_PASSWORD},
            api_key,
            207,
        ),
        ("PUT", "/api/v1/crm/agents/zoe", {"full_name": "Zoe", "password": "weak"}, api_key, 207),
        (
            "POST",
            "/api/v1/crm/lists",
            {
                "dialer": "elision",
                "list_id": "1101",
                "name": "Test API list",
                "campaign": "TESTCAMP",
            },
            api_key,
            201,
        ),
        (
            "POST",
            "/api/v1/crm/lists",
            {
                "dialer": "elision",
                "list_id": "1101",
                "name": "Test API list",
                "campaign": "TESTCAMP",
            },
            api_key,
            422,
        ),
        ("GET", "/api/v1/crm/lists?dialer=elision", None, api_key, 200),
        (
            "POST",
            "/api/v1/crm/leads",
            {
                "dialer": "euphoria",
                "list": {"list_id": "L"},
                "leads": [{"phone_number": "2025550143"}],
            },
            api_key,
            400,
        ),
        ("DELETE", "/api/v1/crm/agents/zoe", None, api_key, 200),
        ("GET", f"/widget/{TENANT}", None, {}, 200),
        ("GET", "/admin/audit", None, admin, 200),
        ("GET", "/admin/api/audit?per_page=500", None, admin, 200),
        ("GET", "/admin/api/keys", None, admin, 200),
    ]
    bodies = []
    for method, path, body, headers, status in requests:
        response = await bridge.request(method, path, json=body, headers=headers)
        assert response.status == status, (method, path, await response.read())
        if response.content_type != "audio/wav":
            bodies.append(await response.text())
    audit = bridge.app[AUDIT]
    await audit.flush()
    rows, total = await audit.query(AuditQuery(limit=500))
    assert total >= 10
    assert {row["dialer"] for row in rows} == {"rest", "elision", "euphoria"}
    everything = "\n".join([*bodies, caplog.text, json.dumps(rows)])
    secrets = (REST_API_KEY, ELISION_PASS, EUPHORIA_AUTH, ADMIN[1], AGENT["password"])
    if database_password := make_url(database_url).password:
        secrets = (*secrets, database_password)
    for secret in (*secrets, NEW_AGENT_PASSWORD, token, api_key["X-Api-Key"]):
        assert secret not in everything
