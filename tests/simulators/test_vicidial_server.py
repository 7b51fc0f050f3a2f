"""The CRM API with a stock VICIdial dialer (the simulator's ``vicidial`` flavour).

Lead statuses as the API counts them, the lockout as its own error, and a wrong API
password, echoed by VICIdial as it filtered it, nowhere in answers or the audit log.
"""

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from server.app import create_app
from server.audit_log import AuditQuery
from server.config import parse_config
from server.keys import AUDIT, DATABASE
from server.tables import job_rows, jobs
from simulators.elision import create_elision_simulator
from tests.jobs_api import FINISHED, until
from tests.support import ADMIN, CRM_ORIGIN, TENANT

DIALER_PASS = "Vici-pass-77"
WRONG_PASS = "Wr0ng!Pass#9.x"  # VICIdial echoes it as Wr0ngPass9x
ADMIN_AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}

Bridge = Callable[..., Any]


@pytest.fixture
async def vicidial_simulator(aiohttp_server: Callable[..., Any]) -> TestServer:
    app = create_elision_simulator(
        api_users={"api": (DIALER_PASS, 9)},
        flavour="vicidial",
        lists=[("1101", "Leads", "TESTCAMP")],
    )
    return await aiohttp_server(app)


@pytest.fixture
async def make_bridge(
    tmp_path: Path, vicidial_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> AsyncIterator[Bridge]:
    async def make(api_pass: str = DIALER_PASS) -> tuple[TestClient, dict[str, str]]:
        config = parse_config(
            {
                "server": {"database": str(tmp_path / f"bridge-{len(api_pass)}.sqlite3")},
                "admin": {"username": ADMIN[0], "password": ADMIN[1]},
                "tenants": {
                    TENANT: {
                        "allowed_origins": [CRM_ORIGIN],
                        "dialers": {
                            "vicidial": {
                                "kind": "elision",
                                "flavour": "vicidial",
                                "base_url": str(vicidial_simulator.make_url("")),
                                "api_user": "api",
                                "api_pass": api_pass,
                                "timeout": 2,
                            }
                        },
                    }
                },
            }
        )
        client = await aiohttp_client(create_app(config))
        response = await client.post(
            "/admin/api/keys", json={"tenant": TENANT, "name": "crm"}, headers=ADMIN_AUTH
        )
        return client, {"X-Api-Key": (await response.json())["key"]}

    yield make


LEADS = [
    {"phone_number": "202-555-0143", "first_name": "D'Arcy", "last_name": "Müller-Øst"},
    {"phone_number": "202-555-0144", "first_name": "Ada", "email": "ada+crm@acme.test"},
    {"phone_number": "not a number"},
]


async def export(client: TestClient, key: dict[str, str]) -> tuple[int, dict[str, Any]]:
    body = {"dialer": "vicidial", "list": {"list_id": "1101"}, "leads": LEADS}
    response = await client.post("/api/v1/crm/leads", json=body, headers=key)
    return response.status, await response.json()


async def test_the_lead_export_counts_each_status(make_bridge: Bridge) -> None:
    client, key = await make_bridge()
    status, first = await export(client, key)
    assert status == 207  # the number that is not one failed
    counts = ("added", "already_there", "failed", "not_sent", "unknown")
    assert [first[name] for name in counts] == [2, 0, 1, 0, 0]
    assert [lead["status"] for lead in first["leads"]] == ["added", "added", "failed"]
    assert first["leads"][0]["message"].endswith("(the dialer stores last_name as 'Mller-st')")
    assert first["leads"][1]["message"].endswith("(the dialer stores email as 'ada crm@acme.test')")
    status, again = await export(client, key)
    assert [again[name] for name in counts] == [0, 2, 1, 0, 0]
    assert [(lead["status"], lead["ok"]) for lead in again["leads"]] == [
        ("already_there", True),
        ("already_there", True),
        ("failed", False),
    ]
    assert again["leads"][0]["message"].startswith(
        "ERROR: add_lead DUPLICATE PHONE NUMBER IN LIST - 2025550143|1101|"
    )


async def test_a_locked_api_user_is_503_dialer_locked(
    make_bridge: Bridge, vicidial_simulator: TestServer
) -> None:
    client, key = await make_bridge()
    async with aiohttp.ClientSession() as session:
        for _ in range(10):
            params = {"source": "test", "user": "api", "pass": "x", "function": "add_lead"}
            await session.get(
                vicidial_simulator.make_url("/vicidial/non_agent_api.php"), params=params
            )
    status, body = await export(client, key)
    assert status == 503
    error = body["error"]
    assert (error["code"], error["retry_after"]) == ("dialer_locked", 900)
    assert error["dialer_text"] == (
        "ERROR: Too many login attempts, try again in 15 minutes: |api|LOCK|"
    )
    assert "check api_user" not in error["message"]


async def test_a_wrong_api_password_is_never_shown_even_as_vicidial_filtered_it(
    make_bridge: Bridge,
) -> None:
    client, key = await make_bridge(WRONG_PASS)
    agent = {"full_name": "Zoe", "password": "Zoe-Secret-77"}
    synced = await client.put("/api/v1/crm/agents/zoe", json=agent, headers=key)
    assert synced.status == 207
    refused = (await synced.json())["dialers"]["vicidial"]["error"]
    assert refused["code"] == "dialer_unauthorized"
    assert refused["dialer_text"] == "ERROR: Login incorrect, please try again: |api|***|BAD|"
    status, exported = await export(client, key)
    assert (status, exported["error"]["code"]) == (502, "dialer_unauthorized")
    assert exported["error"]["retry_after"] > 0  # not sent again so soon
    page = await client.get("/admin/audit", headers=ADMIN_AUTH)
    api = await client.get("/admin/api/audit?per_page=500", headers=ADMIN_AUTH)
    audit = client.app[AUDIT]
    await audit.flush()
    rows, _ = await audit.query(AuditQuery(limit=500))
    assert {row["outcome"] for row in rows} == {"dialer_unauthorized"}
    texts = [await synced.text(), json.dumps(exported), await page.text(), await api.text()]
    everything = "\n".join([*texts, json.dumps(rows)])
    assert "|api|***|BAD|" in everything
    for form in (WRONG_PASS, "Wr0ngPass9x", "Wr0ng%21Pass%239.x"):
        assert form not in everything


async def test_at_most_128_leads_are_in_flight_for_a_crash_to_send_again(
    make_bridge: Bridge, vicidial_simulator: TestServer
) -> None:
    """Rows committed ``sending`` are what a crash sends again: watched through a job."""
    client, key = await make_bridge()
    async with aiohttp.ClientSession() as http:
        faults = vicidial_simulator.make_url("/_sim/faults")
        async with http.post(faults, json={"kind": "latency", "ms": 40}) as added:
            assert added.status == 201
    leads = [{"phone_number": f"202555{n:04d}"} for n in range(2000)]
    body = {"dialer": "vicidial", "list": {"list_id": "1101"}, "leads": leads}
    headers = {**key, "Prefer": "respond-async"}
    response = await client.post("/api/v1/crm/leads", json=body, headers=headers)
    assert response.status == 202, await response.text()
    job_id = (await response.json())["id"]

    async def in_flight() -> tuple[int, str]:
        async with client.app[DATABASE].connect() as connection:
            sending = await connection.scalar(
                select(func.count()).where(
                    (job_rows.c.job_id == job_id) & (job_rows.c.state == "sending")
                )
            )
            state = await connection.scalar(select(jobs.c.state).where(jobs.c.id == job_id))
        seen.append(int(sending or 0))
        return seen[-1], str(state)

    seen: list[int] = []
    await until(in_flight, lambda found: found[1] in FINISHED)
    assert max(seen) > 0  # the job was watched while leads were in flight
    assert max(seen) <= 128, max(seen)


async def test_a_bulk_user_sync_reports_what_vicidial_stored_and_refuses_what_it_would_change(
    make_bridge: Bridge, vicidial_simulator: TestServer
) -> None:
    client, key = await make_bridge()
    agents = [
        {"username": "zoe", "full_name": "Zoë Ångström", "password": "Zoe-pass-1",
         "extension": "1001", "phone_login": "2002"},
        {"username": "long", "full_name": "é" * 8 + "n" * 39, "password": "Long-pass-1"},
    ]  # fmt: skip
    response = await client.put("/api/v1/crm/agents", json={"agents": agents}, headers=key)
    assert response.status == 207, await response.text()
    zoe, long = (await response.json())["agents"]
    assert zoe["status"] == "added"
    assert "vicidial: ok (the dialer stores agent_full_name as 'Zo ngstrm')" in zoe["message"]
    assert long["status"] == "failed"
    assert "agent_full_name must be 1-50 bytes (UTF-8)" in long["message"]
    async with aiohttp.ClientSession() as http:
        listed = vicidial_simulator.make_url("/_sim/requests")
        async with http.get(listed) as answer:
            sent = [row["query"] for row in await answer.json()]
    [added] = [q for q in sent if q.get("function") == "add_user"]
    assert added["phone_login"] == "2002"  # as asked, not the extension


@pytest.mark.parametrize(
    ("list_id", "phone", "reason"),
    [
        ("0000001104", "202-555-0143", "list_id must be 2-14 digits, not starting with 0"),
        ("1101", "202-555-0148 ext. 12", "has an extension (12), which no dialer dials"),
    ],
)
async def test_what_vicidial_would_silently_change_in_an_export_is_refused(
    make_bridge: Bridge, list_id: str, phone: str, reason: str
) -> None:
    client, key = await make_bridge()
    body = {"dialer": "vicidial", "list": {"list_id": list_id}, "leads": [{"phone_number": phone}]}
    response = await client.post("/api/v1/crm/leads", json=body, headers=key)
    assert reason in await response.text()
    assert response.status in (207, 400, 422), await response.text()
