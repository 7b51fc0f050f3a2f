"""Two bridge instances on one database share the jobs: each job is run by one of them,
no batch is sent twice (on PostgreSQL they claim with FOR UPDATE SKIP LOCKED)."""

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import parse_config
from server.keys import DATABASE
from server.tables import jobs
from tests.databases import BOTH_DATABASES
from tests.jobs_api import fault, job_until, leads
from tests.support import ADMIN, CRM_ORIGIN, REST_API_KEY, TENANT, rest_state

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

JOBS, LEADS = 6, 1000


def instance_config(database_url: str, rest_url: str) -> Any:
    return parse_config(
        {
            "server": {"database": database_url},
            "jobs": {"workers": 2, "poll_seconds": 0.1},
            "admin": {"username": ADMIN[0], "password": ADMIN[1]},
            "tenants": {
                TENANT: {
                    "allowed_origins": [CRM_ORIGIN],
                    "dialers": {"rest": {"base_url": rest_url, "api_key": REST_API_KEY}},
                }
            },
        }
    )


async def test_two_instances_share_the_jobs_without_double_work(
    database_url: str,
    rest_simulator: TestServer,
    aiohttp_client: Callable[..., Any],
    session: aiohttp.ClientSession,
) -> None:
    config = instance_config(database_url, str(rest_simulator.make_url("")))
    first, second = [await aiohttp_client(create_app(config)) for _ in range(2)]
    created = await first.post(
        "/admin/api/keys",
        json={"tenant": TENANT, "name": "crm"},
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    api_key = {"X-Api-Key": (await created.json())["key"]}
    await fault(rest_simulator, session, kind="latency", ms=150, path="/api/phone_list/")

    async def export(client: TestClient, n: int) -> str:
        body = {"dialer": "rest", "list": {"list_id": "new", "name": f"Shared {n}"},
                "create_list": True, "leads": leads(LEADS, str(300 + n))}  # fmt: skip
        response = await client.post(
            "/api/v1/crm/leads", json=body, headers={**api_key, "Prefer": "respond-async"}
        )
        assert response.status == 202, await response.text()
        return response.headers["Location"]

    # All are created through the first instance; the second finds them in the database.
    urls = await asyncio.gather(*(export(first, n) for n in range(JOBS)))
    finished = [await job_until(second, url, api_key) for url in urls]
    assert [(job["state"], job["counts"]["added"]) for job in finished] == [("done", LEADS)] * JOBS

    lists = rest_state(rest_simulator).phone_lists.values()
    assert sorted(len(phone_list.leads) for phone_list in lists) == [LEADS] * JOBS
    async with session.get(rest_simulator.make_url("/_sim/requests")) as sent:
        posts = [r for r in await sent.json() if r["path"].endswith("/lead")]
    assert len(posts) == JOBS * LEADS // 500  # no batch twice
    async with first.app[DATABASE].connect() as connection:
        owners = {row.owner for row in await connection.execute(jobs.select())}
    assert len(owners) == 2, owners  # both instances ran some
