"""Behind a proxy: the client's address is read from ``X-Forwarded-For`` / ``Forwarded``
only when the connecting peer is one of ``[server] trusted_proxies`` (here the test
client's 127.0.0.1), as the Event Push source allowlist shows."""

from typing import Any

import pytest

from server.app import create_app
from server.config import parse_config
from tests.events_support import push_path
from tests.support import ADMIN, CRM_ORIGIN, REST_API_KEY, TENANT

DIALER = "203.0.113.7"  # the only address the dialer's pushes are accepted from


@pytest.mark.parametrize(
    ("trusted", "headers", "status"),
    [
        ([], {"X-Forwarded-For": DIALER}, 403),  # not from a proxy: the header is ignored
        (["127.0.0.1"], {"X-Forwarded-For": DIALER}, 200),
        (["127.0.0.1"], {"Forwarded": f'for="{DIALER}";proto=https'}, 200),
        (["127.0.0.1"], {"X-Forwarded-For": f"{DIALER}, 10.0.0.5"}, 403),  # 10.0.0.5 sent it
        (["127.0.0.1", "10.0.0.0/8"], {"X-Forwarded-For": f"{DIALER}, 10.0.0.5"}, 200),
        (["127.0.0.1"], {"X-Forwarded-For": f"{DIALER}, 198.51.100.1"}, 403),  # a forged left
        (["127.0.0.0/8"], {}, 403),  # no header: the proxy's own address
    ],
)
async def test_forwarded_addresses_count_only_from_trusted_proxies(
    database_url: str,
    aiohttp_client: Any,
    trusted: list[str],
    headers: dict[str, str],
    status: int,
) -> None:
    rest = {"base_url": "http://127.0.0.1:9", "api_key": REST_API_KEY}
    config = parse_config(
        {
            "server": {"database": database_url, "trusted_proxies": trusted},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {
                TENANT: {
                    "allowed_origins": [CRM_ORIGIN],
                    "dialers": {"rest": {**rest, "event_push_sources": [DIALER]}},
                }
            },
        }
    )
    client = await aiohttp_client(create_app(config))
    path = await push_path(client)
    event = {"event": "agent:checkout", "data": {"user_id": 1}}
    response = await client.post(path, json=event, headers=headers)
    assert response.status == status, await response.text()
