"""``/metrics`` in Prometheus' text format: behind the admin's credentials on the
bridge's address, open on ``[server] metrics_listen``."""

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient
from prometheus_client.parser import text_string_to_metric_families

from server.app import create_app
from server.config import parse_config
from tests.databases import BOTH_DATABASES
from tests.events_support import connect, events, push, push_path, set_dialer_ids
from tests.processes import free_ports
from tests.support import ADMIN, CRM_ORIGIN, REST_API_KEY, TENANT, login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ADMIN_AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
NOWHERE = "http://127.0.0.1:9"
CALL = {"type": "outbound", "dst_num": "2025550143", "src_user_id": 7}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(bridge: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await bridge.get("/metrics", headers=ADMIN_AUTH)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    return samples(await response.text())


async def test_metrics_count_streams_events_lag_and_dialer_requests(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    assert (await bridge.get("/metrics")).status == 401
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    ws, _ = await connect(bridge, await login(bridge))
    await push(bridge, path, "call:ring", call_id="c1", **CALL)
    await push(bridge, path, "call:ring", call_id="c1", **CALL)  # repeated by the dialer
    await events(ws, 1)
    await bridge.get("/api/v1/crm/lists", params={"dialer": "rest"}, headers=api_key)

    seen = await scrape(bridge)
    assert seen[("crm_bridge_streams_open", ())] == 1
    assert seen[("crm_bridge_dialer_events_total", (("outcome", "new"),))] == 1
    assert seen[("crm_bridge_dialer_events_total", (("outcome", "repeated"),))] == 1
    assert seen[("crm_bridge_stream_events_sent_total", ())] == 1
    assert seen[("crm_bridge_stream_lag_seconds_count", ())] == 1
    assert seen[("crm_bridge_outbox_depth", ())] == 0
    assert seen[("crm_bridge_job_leases", ())] == 0
    assert seen[("crm_bridge_listen_reconnects_total", ())] == 0
    requests = [
        labels
        for (name, labels), value in seen.items()
        if name == "crm_bridge_dialer_request_seconds_count" and value >= 1
    ]
    assert any(dict(labels)["dialer"] == "rest" for labels in requests), requests
    await ws.close()
    assert (await scrape(bridge))[("crm_bridge_streams_open", ())] == 0


async def test_metrics_listen_serves_them_without_credentials(
    database_url: str, aiohttp_client: Any
) -> None:
    port = free_ports(1)
    config = parse_config(
        {
            "server": {"database": database_url, "metrics_listen": f"127.0.0.1:{port}"},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {
                TENANT: {
                    "allowed_origins": [CRM_ORIGIN],
                    "dialers": {"rest": {"base_url": NOWHERE, "api_key": REST_API_KEY}},
                }
            },
        }
    )
    await aiohttp_client(create_app(config))
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        assert response.status == 200
        assert ("crm_bridge_streams_open", ()) in samples(await response.text())


async def test_wrong_admin_credentials_get_no_metrics(bridge: TestClient) -> None:
    response = await bridge.get("/metrics", headers={"Authorization": "Basic bm86bm8="})
    assert response.status == 401
