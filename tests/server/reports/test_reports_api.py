"""The call reports over HTTP: the CRM API (JSON and CSV, behind the tenant's API key)
and the admin page "Reports", for a tenant in Europe/Berlin with a service level of 30 s,
on SQLite and PostgreSQL."""

import csv
import io
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from server.app import create_app
from server.config import ConfigError
from server.keys import DATABASE
from tests.databases import BOTH_DATABASES
from tests.reports_support import add_agent, add_call, moment
from tests.support import ADMIN, TENANT, bridge_config

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ZONE = "Europe/Berlin"
ADMIN_AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}


@pytest.fixture
async def bridge(
    database_url: str, rest_simulator: TestServer, aiohttp_client: Callable[..., Any]
) -> TestClient:
    """The bridge, its tenant in Berlin (service level 30 s) naming queue q1 "Sales", with
    three calls on 10 March 2026."""
    config = bridge_config(
        database_url,
        str(rest_simulator.make_url("")),
        time_zone=ZONE,
        service_level_seconds=30,
        queues=[{"id": "q1", "name": "Sales"}],
    )
    client: TestClient = await aiohttp_client(create_app(config))
    database = client.server.app[DATABASE]
    agent = await add_agent(database, TENANT, "agent1")
    day = "2026-03-10"
    await add_call(
        database,
        TENANT,
        "a1",
        moment(f"{day} 08:10", ZONE),
        queue="q1",
        agent_id=agent,
        wait=25,
        talk=95,
        disposition="Success",
    )
    await add_call(database, TENANT, "a2", moment(f"{day} 08:40", ZONE), queue="q1", rang=45)
    # A queue id a spreadsheet would run as a formula.
    await add_call(
        database,
        TENANT,
        "a3",
        moment(f"{day} 09:05", ZONE),
        queue="=1+2",
        agent_id=agent,
        wait=40,
        talk=20,
    )
    return client


@pytest.fixture
async def api_key(bridge: TestClient) -> dict[str, str]:
    response = await bridge.post(
        "/admin/api/keys", json={"tenant": TENANT, "name": "crm"}, headers=ADMIN_AUTH
    )
    return {"X-Api-Key": (await response.json())["key"]}


REPORT = "/api/v1/crm/reports"
DAY = {"from": "2026-03-10", "to": "2026-03-10"}


async def test_the_api_answers_json_per_hour(bridge: TestClient, api_key: dict) -> None:
    response = await bridge.get(
        f"{REPORT}/calls", params=DAY | {"interval": "hour"}, headers=api_key
    )
    assert response.status == 200, await response.text()
    body = await response.json()
    assert {
        k: body[k]
        for k in ("report", "time_zone", "from", "to", "interval", "service_level_seconds")
    } == {
        "report": "calls",
        "time_zone": ZONE,
        "from": "2026-03-10",
        "to": "2026-03-10",
        "interval": "hour",
        "service_level_seconds": 30,
    }
    assert len(body["rows"]) == 24
    eight, nine = body["rows"][8], body["rows"][9]
    assert (eight["start"], eight["end"]) == (
        "2026-03-10T08:00:00+01:00",
        "2026-03-10T09:00:00+01:00",
    )
    # 08:00: a1 answered after 25 s (within 30), a2 abandoned after 45 s.
    assert {
        k: eight[k]
        for k in (
            "offered",
            "answered",
            "abandoned",
            "asa_seconds",
            "longest_wait_seconds",
            "service_level",
        )
    } == {
        "offered": 2,
        "answered": 1,
        "abandoned": 1,
        "asa_seconds": 25.0,
        "longest_wait_seconds": 45.0,
        "service_level": 50.0,
    }
    # 09:00: a3 answered after 40 s: not within 30.
    assert (nine["offered"], nine["service_level"], nine["aht_seconds"]) == (1, 0.0, 20.0)


async def test_queues_have_their_names_and_agents_their_usernames(
    bridge: TestClient, api_key: dict
) -> None:
    queues = await (
        await bridge.get(f"{REPORT}/queues", params=DAY | {"interval": "total"}, headers=api_key)
    ).json()
    assert [(r["queue"], r["queue_name"], r["offered"]) for r in queues["rows"]] == [
        ("=1+2", None, 1),
        ("q1", "Sales", 2),
    ]
    agents = await (
        await bridge.get(
            f"{REPORT}/agents", params=DAY | {"interval": "total", "queue": "q1"}, headers=api_key
        )
    ).json()
    assert [(r["agent"], r["offered"], r["abandoned"]) for r in agents["rows"]] == [
        (None, 1, 1),
        ("agent1", 1, 0),
    ]


async def test_csv_has_every_column_and_no_formula(bridge: TestClient, api_key: dict) -> None:
    response = await bridge.get(
        f"{REPORT}/queues",
        params=DAY | {"interval": "total"},
        headers=api_key | {"Accept": "text/csv"},
    )
    assert response.status == 200
    assert response.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await response.text())))
    assert [
        (r["queue"], r["offered"], r["aht_seconds"], r["disposition:Success"]) for r in rows
    ] == [("'=1+2", "1", "20.0", "0"), ("q1", "2", "95.0", "1")]
    assert rows[1]["start"] == "2026-03-10T00:00:00+01:00"


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/calls", {"interval": "week"}, 400, "invalid_query"),
        ("/calls", {"from": "10.03.2026"}, 400, "invalid_query"),
        ("/calls", {"from": "2026-03-10", "to": "2026-03-01"}, 400, "invalid_query"),
        ("/leads", {}, 404, "unknown_report"),
    ],
)
async def test_bad_requests_say_what_is_wrong(
    bridge: TestClient, api_key: dict, path: str, params: dict, status: int, code: str
) -> None:
    response = await bridge.get(f"{REPORT}{path}", params=params, headers=api_key)
    assert response.status == status
    assert (await response.json())["error"]["code"] == code


async def test_the_api_needs_a_key(bridge: TestClient) -> None:
    response = await bridge.get(f"{REPORT}/calls")
    assert response.status == 401


async def test_the_admin_page_shows_the_api_numbers(bridge: TestClient, api_key: dict) -> None:
    page = await bridge.get("/admin/reports", params=DAY | {"tenant": TENANT}, headers=ADMIN_AUTH)
    assert page.status == 200
    html = await page.text()
    assert 'aria-current="page">Reports' in html
    # The summary: 3 offered, 2 answered, 1 abandoned, ASA (25 + 40) / 2 = 32.5 s.
    summary = html.split('data-testid="report-summary"')[1].split("</table>")[0]
    cells = [cell.split("</td>")[0] for cell in summary.split('<td class="number">')[1:]]
    assert cells[:6] == ["3", "2", "1", "66.7 %", "33.3 %", "32.5 s"]
    assert "Sales" in html.split('data-testid="report-queues"')[1]
    csv_page = await bridge.get(
        "/admin/reports/agents.csv", params=DAY | {"tenant": TENANT}, headers=ADMIN_AUTH
    )
    assert csv_page.status == 200
    agents = list(csv.DictReader(io.StringIO(await csv_page.text())))
    api = await (await bridge.get(f"{REPORT}/agents", params=DAY, headers=api_key)).json()
    assert [r["offered"] for r in agents] == [str(r["offered"]) for r in api["rows"]]


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ConfigError, match="Mars/Olympus"):
        bridge_config("sqlite:///x.sqlite3", "http://127.0.0.1:1", time_zone="Mars/Olympus")
