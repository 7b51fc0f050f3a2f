"""Agents' time in state in the reports (`server.reports.agent_time`), from seeded state
logs with answers worked out by hand, on SQLite and PostgreSQL: a state crossing an
hour's boundary, a state still going, pauses by reason, occupancy and calls per hour;
and the log written where the agent's state changes."""

import csv
import datetime as dt
import io
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp.test_utils import TestClient
from alembic import command
from sqlalchemy import Connection, insert, select, text

from server.database import Database
from server.keys import DATABASE
from server.migrations import alembic_config
from server.reports.intervals import Interval, ReportRange
from server.reports.queries import ReportQuery, run_report
from server.reports.report_csv import report_csv
from server.tables import agent_state_log, agents
from tests.databases import BOTH_DATABASES, run_on
from tests.events_support import set_dialer_ids
from tests.reports_support import add_agent, add_call, moment
from tests.support import ADMIN, AGENT, TENANT, login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

ZONE = "Europe/Berlin"
DAY = "2026-03-10"


def at(clock: str) -> float:
    return moment(f"{DAY} {clock}", ZONE)


async def add_state(
    database: Database,
    agent_id: int,
    state: str,
    start: str,
    end: str | None,
    reason: str | None = None,
) -> None:
    async with database.begin() as connection:
        await connection.execute(
            insert(agent_state_log).values(
                agent_id=agent_id,
                state=state,
                pause_reason=reason,
                started_at=at(start),
                ended_at=None if end is None else at(end),
            )
        )


async def seed(database: Database) -> None:
    """agent1's morning, agent2's still going at 09:35, another tenant's agent."""
    one = await add_agent(database, "acme", "agent1")
    two = await add_agent(database, "acme", "agent2")
    other = await add_agent(database, "other", "agent1")
    await add_state(database, one, "available", "09:00:00", "09:10:00")
    await add_state(database, one, "in_call", "09:10:00", "09:15:00")
    await add_state(database, one, "wrap_up", "09:15:00", "09:16:00")
    await add_state(database, one, "paused", "09:16:00", "09:46:00", "Lunch")
    await add_state(database, one, "available", "09:46:00", "10:20:00")  # crosses 10:00
    await add_state(database, one, "in_call", "10:20:00", "10:30:00")
    await add_state(database, one, "checked_out", "10:30:00", None)  # not counted
    await add_state(database, two, "paused", "08:50:00", "09:05:00", "Break")
    await add_state(database, two, "available", "09:05:00", None)  # until "now", 09:35
    await add_state(database, other, "available", "09:00:00", "10:00:00")
    await add_call(database, "acme", "c1", at("09:10:00"), agent_id=one, wait=0, talk=300)
    await add_call(
        database,
        "acme",
        "c2",
        at("10:19:50"),
        direction="outbound",
        agent_id=one,
        wait=10,
        talk=600,
    )


async def agents_report(database: Database, interval: Interval) -> list[dict[str, Any]]:
    day = ReportRange(
        first=dt.date(2026, 3, 10),
        last=dt.date(2026, 3, 10),
        zone=ZoneInfo(ZONE),
        interval=interval,
    )
    query = ReportQuery(tenant="acme", slice="agents", range=day, now=at("09:35:00"))
    return await run_report(database, query)


AGENT_FIELDS = (
    "available_seconds",
    "paused_seconds",
    "in_call_seconds",
    "wrap_up_seconds",
    "logged_in_seconds",
    "occupancy",
    "calls_per_hour",
    "paused_by_reason",
)


def agent_part(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in ("start", "agent", "handled", *AGENT_FIELDS)}


async def test_hours_cut_states_at_their_boundaries(database: Database) -> None:
    await seed(database)
    rows = [row for row in await agents_report(database, "hour") if row["agent"]]
    assert [agent_part(row) for row in rows] == [
        {
            # 08:50-09:05 Break: 600 s before 09:00.
            "start": "2026-03-10T08:00:00+01:00",
            "agent": "agent2",
            "handled": 0,
            "available_seconds": 0.0,
            "paused_seconds": 600.0,
            "in_call_seconds": 0.0,
            "wrap_up_seconds": 0.0,
            "logged_in_seconds": 600.0,
            "occupancy": None,  # neither available nor busy
            "calls_per_hour": 0.0,
            "paused_by_reason": {"Break": 600.0},
        },
        {
            # available 600 + 840 (09:46-10:00), Lunch 1800, in call 300, wrap-up 60.
            "start": "2026-03-10T09:00:00+01:00",
            "agent": "agent1",
            "handled": 1,
            "available_seconds": 1440.0,
            "paused_seconds": 1800.0,
            "in_call_seconds": 300.0,
            "wrap_up_seconds": 60.0,
            "logged_in_seconds": 3600.0,
            "occupancy": 20.0,  # 360 / (360 + 1440)
            "calls_per_hour": 1.0,  # 1 call in 1 h logged in
            "paused_by_reason": {"Lunch": 1800.0},
        },
        {
            # Break 300 (09:00-09:05), available 09:05 until now (09:35): 1800.
            "start": "2026-03-10T09:00:00+01:00",
            "agent": "agent2",
            "handled": 0,
            "available_seconds": 1800.0,
            "paused_seconds": 300.0,
            "in_call_seconds": 0.0,
            "wrap_up_seconds": 0.0,
            "logged_in_seconds": 2100.0,
            "occupancy": 0.0,
            "calls_per_hour": 0.0,
            "paused_by_reason": {"Break": 300.0},
        },
        {
            # available 10:00-10:20 (1200), in call 10:20-10:30 (600); c2 started 10:19:50.
            "start": "2026-03-10T10:00:00+01:00",
            "agent": "agent1",
            "handled": 1,
            "available_seconds": 1200.0,
            "paused_seconds": 0.0,
            "in_call_seconds": 600.0,
            "wrap_up_seconds": 0.0,
            "logged_in_seconds": 1800.0,
            "occupancy": 33.3,  # 600 / 1800
            "calls_per_hour": 2.0,  # 1 call in half an hour
            "paused_by_reason": {},
        },
    ]


async def test_quarters_cut_long_states_into_whole_quarters(database: Database) -> None:
    """Lunch 09:16-09:46 fills the 09:30 quarter; available 09:46-10:20 the 10:00 one."""
    await seed(database)
    rows = [row for row in await agents_report(database, "15min") if row["agent"] == "agent1"]
    fields = ("available_seconds", "paused_seconds", "in_call_seconds", "wrap_up_seconds")
    assert [
        (row["start"][11:16], *(row[f] for f in fields), row["occupancy"], row["calls_per_hour"])
        for row in rows
    ] == [
        ("09:00", 600.0, 0.0, 300.0, 0.0, 33.3, 4.0),  # c1 started 09:10
        ("09:15", 0.0, 840.0, 0.0, 60.0, 100.0, 0.0),
        ("09:30", 0.0, 900.0, 0.0, 0.0, None, 0.0),
        ("09:45", 840.0, 60.0, 0.0, 0.0, 0.0, 0.0),
        ("10:00", 900.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        ("10:15", 300.0, 0.0, 600.0, 0.0, 66.7, 4.0),  # c2 started 10:19:50
    ]
    assert [row["paused_by_reason"] for row in rows[1:4]] == [
        {"Lunch": 840.0},
        {"Lunch": 900.0},
        {"Lunch": 60.0},
    ]


async def test_hours_of_the_spring_day_cut_a_state_across_the_missing_hour(
    database: Database,
) -> None:
    """29 March 2026 in Berlin: available 01:30+01:00 to 03:30+02:00 is one real hour."""
    agent_id = await add_agent(database, "acme", "agent1")
    async with database.begin() as connection:
        await connection.execute(
            insert(agent_state_log).values(
                agent_id=agent_id,
                state="available",
                started_at=moment("2026-03-29 01:30:00", ZONE),
                ended_at=moment("2026-03-29 03:30:00", ZONE),
            )
        )
    spring = ReportRange(
        first=dt.date(2026, 3, 29), last=dt.date(2026, 3, 29), zone=ZoneInfo(ZONE), interval="hour"
    )
    query = ReportQuery(tenant="acme", slice="agents", range=spring, now=0)
    rows = [row for row in await run_report(database, query) if row["agent"]]
    assert [(row["start"], row["available_seconds"]) for row in rows] == [
        ("2026-03-29T01:00:00+01:00", 1800.0),
        ("2026-03-29T03:00:00+02:00", 1800.0),
    ]


async def test_the_day_in_total_per_agent(database: Database) -> None:
    await seed(database)
    rows = await agents_report(database, "total")
    assert [agent_part(row) for row in rows] == [
        {
            "start": "2026-03-10T00:00:00+01:00",
            "agent": "agent1",
            "handled": 2,
            "available_seconds": 2640.0,
            "paused_seconds": 1800.0,
            "in_call_seconds": 900.0,
            "wrap_up_seconds": 60.0,
            "logged_in_seconds": 5400.0,
            "occupancy": 26.7,  # 960 / 3600
            "calls_per_hour": 1.3,  # 2 calls in 1.5 h
            "paused_by_reason": {"Lunch": 1800.0},
        },
        {
            "start": "2026-03-10T00:00:00+01:00",
            "agent": "agent2",
            "handled": 0,
            "available_seconds": 1800.0,
            "paused_seconds": 900.0,
            "in_call_seconds": 0.0,
            "wrap_up_seconds": 0.0,
            "logged_in_seconds": 2700.0,
            "occupancy": 0.0,
            "calls_per_hour": 0.0,
            "paused_by_reason": {"Break": 900.0},
        },
    ]
    csv_text = report_csv(rows)
    header = csv_text.splitlines()[0].split(",")
    assert header[-2:] == ["paused:Break", "paused:Lunch"]
    assert csv_text.splitlines()[1].endswith(",0,1800.0")  # agent1: no Break, Lunch 1800


async def test_the_log_follows_the_agents_state(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    """Check in, pause for lunch, change the reason, resume, check out: one row each."""
    synced = {
        "full_name": "Agent One",
        "password": AGENT["password"],
        "extension": "1001",
        "email": "agent1@acme.test",
    }
    response = await bridge.put("/api/v1/crm/agents/agent1", json=synced, headers=api_key)
    created = (await response.json())["dialers"]["rest"]
    assert created["ok"], created
    await set_dialer_ids(bridge, api_key, user_id=created["message"].rsplit(" ", 1)[-1])
    token = await login(bridge)
    headers = {"Authorization": f"Bearer {token}"}
    for path, body in (
        ("check-in", {}),
        ("pause", {"reason": "Lunch"}),
        ("pause", {"reason": "Break"}),
        ("resume", None),
        ("check-out", None),
    ):
        response = await bridge.post(f"/api/v1/agent/{path}", json=body, headers=headers)
        assert response.status == 200, await response.text()
    database = bridge.server.app[DATABASE]
    async with database.connect() as connection:
        rows = (
            await connection.execute(
                select(agent_state_log)
                .join(agents, agents.c.id == agent_state_log.c.agent_id)
                .where(agents.c.username == AGENT["username"])
                .order_by(agent_state_log.c.id)
            )
        ).all()
    assert [(row.state, row.pause_reason) for row in rows] == [
        ("available", None),
        ("paused", "Lunch"),
        ("paused", "Break"),
        ("available", None),
        ("checked_out", None),
    ]
    assert all(a.ended_at == b.started_at for a, b in itertools.pairwise(rows))
    assert rows[-1].ended_at is None


async def test_the_api_csv_and_page_show_the_agents_time(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    """The tenant in UTC: agent1 available 1 h, paused for lunch 30 min, in a call 30 min."""
    database = bridge.server.app[DATABASE]
    async with database.connect() as connection:
        agent_id = (
            await connection.execute(
                select(agents.c.id).where(
                    (agents.c.tenant == TENANT) & (agents.c.username == AGENT["username"])
                )
            )
        ).scalar_one()
    for state, start, end, reason in (
        ("available", "09:00", "10:00", None),
        ("paused", "10:00", "10:30", "Lunch"),
        ("in_call", "10:30", "11:00", None),
    ):
        async with database.begin() as connection:
            await connection.execute(
                insert(agent_state_log).values(
                    agent_id=agent_id,
                    state=state,
                    pause_reason=reason,
                    started_at=moment(f"{DAY} {start}", "UTC"),
                    ended_at=moment(f"{DAY} {end}", "UTC"),
                )
            )
    day = {"from": DAY, "to": DAY, "interval": "total"}
    answer = await (
        await bridge.get("/api/v1/crm/reports/agents", params=day, headers=api_key)
    ).json()
    [row] = answer["rows"]
    assert {name: row[name] for name in ("agent", *AGENT_FIELDS)} == {
        "agent": "agent1",
        "available_seconds": 3600.0,
        "paused_seconds": 1800.0,
        "in_call_seconds": 1800.0,
        "wrap_up_seconds": 0.0,
        "logged_in_seconds": 7200.0,
        "occupancy": 33.3,  # 1800 / 5400
        "calls_per_hour": 0.0,
        "paused_by_reason": {"Lunch": 1800.0},
    }
    csv_answer = await bridge.get(
        "/api/v1/crm/reports/agents", params=day, headers=api_key | {"Accept": "text/csv"}
    )
    [csv_row] = list(csv.DictReader(io.StringIO(await csv_answer.text())))
    assert (csv_row["occupancy"], csv_row["paused:Lunch"]) == ("33.3", "1800.0")
    page = await bridge.get(
        "/admin/reports",
        params=day | {"tenant": TENANT},
        headers={"Authorization": aiohttp.encode_basic_auth(*ADMIN)},
    )
    html = await page.text()
    table = html[html.index('data-testid="report-agent-time"') :]
    table = table[: table.index("</table>")]
    for shown in ("2:00:00", "1:00:00", "0:30:00", "33.3 %", "Lunch: 0:30:00"):
        assert shown in table


async def test_the_upgrade_begins_the_log_with_each_agents_state(empty_database_url: str) -> None:
    """Migration 0011: an agent paused for lunch since 80 and one in a call since 90."""

    def before(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), "0010")
        for agent_id, name in ((1, "ada"), (2, "bob"), (3, "cy")):
            connection.execute(
                text(
                    "INSERT INTO agents (id, tenant, username, password_hash, created_at,"
                    " updated_at) VALUES (:id, 'acme', :name, 'x', 0, 0)"
                ),
                {"id": agent_id, "name": name},
            )
        connection.execute(
            text(
                "INSERT INTO agent_states (agent_id, checked_in, pause_reason, call_id,"
                " updated_at, since) VALUES (1, true, 'Lunch', NULL, 85, 80),"
                " (2, true, 'Lunch', 'c9', 95, 90), (3, false, NULL, NULL, 70, NULL)"
            )
        )

    await run_on(empty_database_url, before)
    database = await Database.open(empty_database_url)
    try:
        async with database.connect() as connection:
            rows = (
                await connection.execute(
                    select(agent_state_log).order_by(agent_state_log.c.agent_id)
                )
            ).all()
    finally:
        await database.close()
    assert [(r.agent_id, r.state, r.pause_reason, r.started_at, r.ended_at) for r in rows] == [
        (1, "paused", "Lunch", 80.0, None),
        (2, "in_call", None, 90.0, None),
        (3, "checked_out", None, 70.0, None),
    ]
