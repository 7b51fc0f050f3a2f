"""The Integration Centre's safety: where webhooks may go (no loopback, link-local,
metadata or private address unless allow-listed, also behind a DNS name), and secrets
that never come back out (API answers, deliveries, logs, the database in clear)."""

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from server.app import create_app
from server.integrations.model import Credentials
from server.integrations.outbound import OutboundPolicy, UnsafeTarget
from server.integrations.secret_box import ENVIRONMENT, SecretBox
from server.keys import AGENTS, DATABASE
from server.tables import integration_groups, integration_members
from tests.events_support import push, push_path, set_dialer_ids
from tests.integrations_support import FakeCrm, admin, deliveries, integrations_config, settled
from tests.support import AGENT, TENANT

INBOUND = {"type": "inbound", "cid_num": "2025550143", "dst_user_id": 7}
SECRETS = ("key-Sup3r&S3cret", "pass-W0rd/é", "member-K3y+1")


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://192.168.0.10/x",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[64:ff9b::7f00:1]/x",
        "https://[64:ff9b::a9fe:a9fe]/x",
        "https://[64:ff9b:1::a00:1]/x",
        "https://[::7f00:1]/x",
        "https://[::127.0.0.1]/x",
        "https://[::a00:1]/x",
        "https://[2002:7f00:1::1]/x",
        "https://0.0.0.0/x",
        "https://100.64.0.1/x",
        "http://crm.example.com/x",
        "ftp://crm.example.com/x",
        "https://user:pw@crm.example.com/x",
    ],
)
def test_the_policy_refuses_unsafe_urls(url: str) -> None:
    with pytest.raises(UnsafeTarget):
        OutboundPolicy([], []).check_url(url)


def test_the_policy_allows_https_public_and_what_is_allow_listed() -> None:
    OutboundPolicy([], []).check_url("https://crm.example.com/x")
    OutboundPolicy([], []).check_url("https://93.184.216.34/x")
    OutboundPolicy([], []).check_url("https://[64:ff9b::5db8:d822]/x")  # NAT64 of a public one
    allowed = OutboundPolicy(["crm.internal"], ["10.0.0.0/8"])
    allowed.check_url("http://crm.internal/x")
    allowed.check_url("https://10.1.2.3/x")
    with pytest.raises(UnsafeTarget):
        allowed.check_url("https://169.254.169.254/x")


def test_a_rotated_key_still_opens_old_secrets() -> None:
    old, new = SecretBox.new_key(), SecretBox.new_key()
    sealed = SecretBox([old]).seal(Credentials(api_key="the-api-key-1"))
    assert "the-api-key-1" not in sealed
    assert SecretBox([new, old]).open(sealed).api_key == "the-api-key-1"


@pytest.fixture
async def crm(aiohttp_server: Callable[..., Any]) -> tuple[FakeCrm, int]:
    fake = FakeCrm()
    server: TestServer = await aiohttp_server(fake.app(), host="127.0.0.1")
    return fake, server.port


async def _bridge(
    aiohttp_client: Callable[..., Any], database_url: str, rest: TestServer, **settings: Any
) -> TestClient:
    app = create_app(integrations_config(database_url, str(rest.make_url("")), **settings))

    async def seed(app: web.Application) -> None:
        await app[AGENTS].save(TENANT, AGENT["username"], password=AGENT["password"])

    app.on_startup.append(seed)
    return await aiohttp_client(app)


async def test_a_name_that_resolves_to_loopback_is_refused_where_it_connects(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, int],
) -> None:
    fake, port = crm
    bridge = await _bridge(
        aiohttp_client,
        database_url,
        rest_simulator,
        allow_http_hosts=["localhost", "127.0.0.1"],
        allow_addresses=[],
    )
    for url in (f"http://127.0.0.1:{port}/x", "https://169.254.169.254/latest/meta-data"):
        refused = await admin(
            bridge, "POST", "/admin/api/webhooks", {"tenant": TENANT, "name": "x", "url": url}, 400
        )
        assert refused["error"]["code"] == "unsafe_url"
    hook = await admin(
        bridge,
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": "sneaky", "url": f"http://localhost:{port}/x"},
        201,
    )
    tried = await admin(bridge, "POST", f"/admin/api/webhooks/{hook['id']}/test", status=400)
    assert "127.0.0.1 is not public" in tried["error"]["message"]
    await admin(
        bridge,
        "PUT",
        f"/admin/api/webhooks/{hook['id']}",
        {"name": "sneaky", "url": f"http://localhost:{port}/x", "trigger": "call_ended"},
    )
    await set_dialer_ids(bridge, await _key(bridge), user_id="7")
    await push(bridge, await push_path(bridge), "call:end", call_id="x1", **INBOUND)
    [delivery] = await settled(bridge)
    assert delivery["state"] == "failed" and delivery["attempts"] == 1
    assert "127.0.0.1 is not public" in delivery["last_error"]
    assert fake.received == []


async def _key(bridge: TestClient) -> dict[str, str]:
    answer = await admin(bridge, "POST", "/admin/api/keys", {"tenant": TENANT, "name": "crm"}, 201)
    return {"X-Api-Key": answer["key"]}


async def test_secrets_never_come_back_out(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    crm: tuple[FakeCrm, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake, port = crm
    key, password, member_key = SECRETS
    echo = web.json_response({"you_sent": f"{key} ok"}, headers={"X-Echo": key})
    fake.replies["/k"] = [echo, web.Response(status=500, text=f"bad key {key}")]
    fake.replies["/k"].append(web.json_response({"again": key}, headers={"X-Echo": key}))
    fake.replies["/m"] = [web.Response(status=401, text=f"unknown {member_key}")]
    bridge = await _bridge(aiohttp_client, database_url, rest_simulator)
    base = f"http://127.0.0.1:{port}"
    answers: list[Any] = []

    async def call(method: str, path: str, body: Any = None, status: int = 200) -> Any:
        answers.append(await admin(bridge, method, path, body, status))
        return answers[-1]

    keyed = await call(
        "POST",
        "/admin/api/groups",
        {
            "tenant": TENANT,
            "name": "k",
            "auth_type": "api_key",
            "key_name": "key",
            "key_placement": "parameter",
            "api_key": key,
        },
        201,
    )
    await call(
        "POST",
        "/admin/api/groups",
        {
            "tenant": TENANT,
            "name": "c",
            "auth_type": "credentials",
            "username": "u",
            "password": password,
        },
        201,
    )
    users = await call(
        "POST",
        "/admin/api/groups",
        {
            "tenant": TENANT,
            "name": "m",
            "auth_type": "api_key",
            "key_name": "X-Key",
            "level": "user",
        },
        201,
    )
    await call(
        "POST",
        f"/admin/api/groups/{users['id']}/members",
        {"agent": "agent1", "api_key": member_key},
        201,
    )
    hook = await call(
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "k",
            "url": f"{base}/k",
            "group": "k",
            "response_type": "object",
        },
        201,
    )
    await call("POST", f"/admin/api/webhooks/{hook['id']}/test")
    await call(
        "POST",
        "/admin/api/webhooks",
        {
            "tenant": TENANT,
            "name": "kk",
            "url": f"{base}/k",
            "group": "k",
            "type": "ajax_post",
            "trigger": "call_ended",
        },
        201,
    )
    await call(
        "POST",
        "/admin/api/webhooks",
        {"tenant": TENANT, "name": "m", "url": f"{base}/m", "group": "m", "trigger": "call_ended"},
        201,
    )
    await call(
        "PUT",
        f"/admin/api/groups/{keyed['id']}",
        {"name": "k", "auth_type": "api_key", "key_name": "key", "key_placement": "parameter"},
    )  # the secret is kept when none is sent
    await set_dialer_ids(bridge, await _key(bridge), user_id="7")
    await push(bridge, await push_path(bridge), "call:end", call_id="s1", **INBOUND)
    await settled(bridge, 2)
    assert len(fake.to("/k")) == 3 and fake.to("/k")[0].query["key"] == key
    assert fake.to("/m")[0].headers["X-Key"] == member_key
    for path in (
        "/admin/api/groups",
        "/admin/api/webhooks",
        f"/admin/api/groups/{users['id']}/members",
    ):
        await call("GET", path)
    answers.append(await deliveries(bridge))
    shown = json.dumps(answers, ensure_ascii=False)
    assert "[redacted]" in shown
    async with bridge.app[DATABASE].connect() as connection:
        stored = [
            *(await connection.scalars(select(integration_groups.c.secret))),
            *(await connection.scalars(select(integration_members.c.secret))),
        ]
    for secret in SECRETS:
        assert secret not in shown, shown[shown.find(secret) - 300 : shown.find(secret) + 50]
        assert secret not in caplog.text
        assert not any(secret in (token or "") for token in stored)


async def test_without_a_key_secrets_are_refused_with_what_to_set(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    bridge = await _bridge(aiohttp_client, database_url, rest_simulator, secret_keys=[])
    body = {"tenant": TENANT, "name": "k", "auth_type": "api_key", "key_name": "K", "api_key": "x"}
    refused = await admin(bridge, "POST", "/admin/api/groups", body, 503)
    assert "[integrations] secret_keys" in refused["error"]["message"]
    await admin(bridge, "POST", "/admin/api/groups", {"tenant": TENANT, "name": "open"}, 201)
