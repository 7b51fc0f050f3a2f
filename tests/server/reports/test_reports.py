"""Call reports (`server.reports`) over seeded calls, with answers worked out by hand, on
SQLite and PostgreSQL: abandoned in queue, a call whose answer crosses an interval
boundary, and both daylight-saving days of Europe/Berlin."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.database import Database
from server.reports.intervals import Interval, RangeError, ReportRange
from server.reports.queries import ReportQuery, Slice, run_report
from tests.databases import BOTH_DATABASES
from tests.reports_support import add_agent, add_call, moment

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

TENANT = "acme"
ZONE = "Europe/Berlin"
DAY = "2026-03-10"  # an ordinary winter day: UTC+1


async def seed_day(database: Database) -> None:
    """Seven calls on 10 March 2026 (Berlin), one the evening before, one of another tenant."""
    one, two = (
        await add_agent(database, TENANT, "agent1"),
        await add_agent(database, TENANT, "agent2"),
    )

    def at(clock: str) -> float:
        return moment(f"{DAY} {clock}", ZONE)

    # c1: queue q1, agent1, answered after 10 s, 300 s talk, Success.
    await add_call(
        database,
        TENANT,
        "c1",
        at("09:00:00"),
        queue="q1",
        agent_id=one,
        wait=10,
        talk=300,
        disposition="Success",
    )
    # c2: starts 09:14:50, answered 09:15:20 (in the next quarter): counts at 09:00.
    await add_call(
        database,
        TENANT,
        "c2",
        at("09:14:50"),
        queue="q1",
        agent_id=one,
        wait=30,
        talk=120,
        disposition="Failed",
    )
    # c3: abandoned in queue q1 after 90 s.
    await add_call(database, TENANT, "c3", at("09:20:00"), queue="q1", rang=90)
    # c4: queue q2, agent2, answered after 5 s, 60 s talk.
    await add_call(
        database,
        TENANT,
        "c4",
        at("09:30:00"),
        queue="q2",
        agent_id=two,
        wait=5,
        talk=60,
        disposition="Success",
    )
    # c5: outbound by agent1, connected after 20 s, 600 s talk.
    await add_call(
        database,
        TENANT,
        "c5",
        at("10:00:00"),
        direction="outbound",
        agent_id=one,
        wait=20,
        talk=600,
    )
    # c6: outbound by agent2, not connected.
    await add_call(
        database, TENANT, "c6", at("10:05:00"), direction="outbound", agent_id=two, rang=30
    )
    # c7: inbound straight to agent2 (no queue), unanswered: offered, not abandoned.
    await add_call(database, TENANT, "c7", at("10:20:00"), agent_id=two, rang=40)
    # Not in the report: the day before (local), and another tenant's call.
    await add_call(database, TENANT, "x1", moment("2026-03-09 23:59:00", ZONE), wait=1, talk=1)
    await add_call(database, "other", "x2", at("09:00:00"), wait=1, talk=1)


def report(
    kind: Slice, interval: Interval, first: str = DAY, last: str = DAY, **filters: Any
) -> ReportQuery:
    return ReportQuery(
        tenant=TENANT,
        slice=kind,
        range=ReportRange(
            dt.date.fromisoformat(first), dt.date.fromisoformat(last), ZoneInfo(ZONE), interval
        ),
        service_level_seconds=20,
        **filters,
    )


def pick(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: row[name] for name in names}


INBOUND = (
    "offered",
    "answered",
    "abandoned",
    "answer_rate",
    "abandon_rate",
    "asa_seconds",
    "longest_wait_seconds",
    "answered_within_sl",
    "service_level",
)
OUTBOUND = ("outbound_attempts", "outbound_connected", "connect_rate", "avg_talk_seconds")
HANDLING = ("handled", "aht_seconds", "dispositions")


async def test_the_day_in_total(database: Database) -> None:
    await seed_day(database)
    [row] = await run_report(database, report("calls", "total"))
    assert row["start"] == "2026-03-10T00:00:00+01:00"
    assert row["end"] == "2026-03-11T00:00:00+01:00"
    # offered c1 c2 c3 c4 c7; answered c1 c2 c4; abandoned c3; waits 10, 30, 5 → ASA 15;
    # longest wait 90 (c3); within 20 s: c1, c4 → 2 of 5 offered.
    assert pick(row, *INBOUND) == {
        "offered": 5,
        "answered": 3,
        "abandoned": 1,
        "answer_rate": 60.0,
        "abandon_rate": 20.0,
        "asa_seconds": 15.0,
        "longest_wait_seconds": 90.0,
        "answered_within_sl": 2,
        "service_level": 40.0,
    }
    # c5 connected (600 s talk), c6 not.
    assert pick(row, *OUTBOUND) == {
        "outbound_attempts": 2,
        "outbound_connected": 1,
        "connect_rate": 50.0,
        "avg_talk_seconds": 600.0,
    }
    # handled c1 c2 c4 c5: (300 + 120 + 60 + 600) / 4.
    assert pick(row, *HANDLING) == {
        "handled": 4,
        "aht_seconds": 270.0,
        "dispositions": {"Success": 2, "Failed": 1},
    }


async def test_quarters_count_a_call_where_it_started(database: Database) -> None:
    await seed_day(database)
    rows = await run_report(database, report("calls", "15min"))
    assert len(rows) == 96
    by_start = {row["start"][11:16]: row for row in rows}
    assert [row["start"][11:16] for row in rows][:2] == ["00:00", "00:15"]
    # 09:00: c1 (10 s) and c2 (30 s, answered at 09:15:20).
    assert pick(by_start["09:00"], *INBOUND) == {
        "offered": 2,
        "answered": 2,
        "abandoned": 0,
        "answer_rate": 100.0,
        "abandon_rate": 0.0,
        "asa_seconds": 20.0,
        "longest_wait_seconds": 30.0,
        "answered_within_sl": 1,
        "service_level": 50.0,
    }
    assert pick(
        by_start["09:15"],
        "offered",
        "abandoned",
        "asa_seconds",
        "longest_wait_seconds",
        "service_level",
    ) == {
        "offered": 1,
        "abandoned": 1,
        "asa_seconds": None,
        "longest_wait_seconds": 90.0,
        "service_level": 0.0,
    }
    assert pick(by_start["10:00"], *OUTBOUND) == {
        "outbound_attempts": 2,
        "outbound_connected": 1,
        "connect_rate": 50.0,
        "avg_talk_seconds": 600.0,
    }
    assert pick(by_start["10:15"], "offered", "answered", "abandoned") == {
        "offered": 1,
        "answered": 0,
        "abandoned": 0,
    }
    assert pick(by_start["11:00"], *INBOUND, *OUTBOUND, *HANDLING) == {
        "offered": 0,
        "answered": 0,
        "abandoned": 0,
        "answer_rate": None,
        "abandon_rate": None,
        "asa_seconds": None,
        "longest_wait_seconds": None,
        "answered_within_sl": 0,
        "service_level": None,
        "outbound_attempts": 0,
        "outbound_connected": 0,
        "connect_rate": None,
        "avg_talk_seconds": None,
        "handled": 0,
        "aht_seconds": None,
        "dispositions": {},
    }
    hours = {
        row["start"][11:13]: row for row in await run_report(database, report("calls", "hour"))
    }
    assert [hours[h]["offered"] for h in ("08", "09", "10", "11")] == [0, 4, 1, 0]
    assert hours["09"]["abandoned"] == 1 and hours["10"]["outbound_attempts"] == 2


async def test_by_queue_and_by_agent(database: Database) -> None:
    await seed_day(database)
    queues = {row["queue"]: row for row in await run_report(database, report("queues", "total"))}
    assert set(queues) == {None, "q1", "q2"}
    assert pick(
        queues["q1"],
        "offered",
        "answered",
        "abandoned",
        "asa_seconds",
        "longest_wait_seconds",
        "service_level",
    ) == {
        "offered": 3,
        "answered": 2,
        "abandoned": 1,
        "asa_seconds": 20.0,
        "longest_wait_seconds": 90.0,
        "service_level": 33.3,
    }
    assert pick(queues["q2"], "offered", "answered", "service_level") == {
        "offered": 1,
        "answered": 1,
        "service_level": 100.0,
    }
    assert pick(queues[None], "offered", "abandoned", "outbound_attempts") == {
        "offered": 1,
        "abandoned": 0,
        "outbound_attempts": 2,
    }
    agents = {row["agent"]: row for row in await run_report(database, report("agents", "total"))}
    assert set(agents) == {None, "agent1", "agent2"}
    # agent1: c1 c2 c5, handled (300 + 120 + 600) / 3.
    assert pick(
        agents["agent1"],
        "offered",
        "answered",
        "outbound_attempts",
        "handled",
        "aht_seconds",
        "dispositions",
    ) == {
        "offered": 2,
        "answered": 2,
        "outbound_attempts": 1,
        "handled": 3,
        "aht_seconds": 340.0,
        "dispositions": {"Success": 1, "Failed": 1},
    }
    assert pick(agents["agent2"], "offered", "answered", "connect_rate", "aht_seconds") == {
        "offered": 2,
        "answered": 1,
        "connect_rate": 0.0,
        "aht_seconds": 60.0,
    }
    assert pick(agents[None], "offered", "abandoned") == {"offered": 1, "abandoned": 1}
    [mine] = await run_report(database, report("calls", "total", agent="agent1"))
    assert pick(mine, "offered", "outbound_attempts") == {"offered": 2, "outbound_attempts": 1}
    [q1] = await run_report(database, report("queues", "total", queue="q1"))
    assert (q1["queue"], q1["offered"]) == ("q1", 3)


async def test_the_spring_day_has_23_hours(database: Database) -> None:
    # 29 March 2026: Berlin goes from 02:00 (UTC+1) to 03:00 (UTC+2).
    day = "2026-03-29"
    await add_call(database, TENANT, "d1", moment(f"{day} 01:30", ZONE), wait=10, talk=5)
    await add_call(database, TENANT, "d2", moment(f"{day} 03:10", ZONE), wait=40, talk=5)
    await add_call(database, TENANT, "d3", moment(f"{day} 23:30", ZONE), wait=1, talk=5)
    await add_call(database, TENANT, "d4", moment("2026-03-28 23:30", ZONE), wait=1, talk=5)
    hours = await run_report(database, report("calls", "hour", day, day))
    assert len(hours) == 23
    assert [row["start"] for row in hours[1:3]] == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
    ]
    assert [row["offered"] for row in hours[:3]] == [0, 1, 1]
    assert (hours[1]["service_level"], hours[2]["service_level"]) == (100.0, 0.0)
    assert hours[22]["start"] == "2026-03-29T23:00:00+02:00" and hours[22]["offered"] == 1
    assert len(await run_report(database, report("calls", "15min", day, day))) == 92
    days = await run_report(database, report("calls", "day", "2026-03-28", "2026-03-30"))
    assert [(row["start"], row["offered"]) for row in days] == [
        ("2026-03-28T00:00:00+01:00", 1),
        ("2026-03-29T00:00:00+01:00", 3),
        ("2026-03-30T00:00:00+02:00", 0),
    ]


async def test_the_autumn_day_has_25_hours(database: Database) -> None:
    # 25 October 2026: Berlin's 02:00-03:00 happens twice (UTC+2, then UTC+1).
    day = "2026-10-25"
    await add_call(database, TENANT, "e1", moment(f"{day} 02:30", ZONE), wait=10, talk=5)
    await add_call(
        database, TENANT, "e2", moment(f"{day} 02:30", ZONE, fold=1), rang=50, queue="q1"
    )
    hours = await run_report(database, report("calls", "hour", day, day))
    assert len(hours) == 25
    assert [(row["start"], row["offered"], row["abandoned"]) for row in hours[2:4]] == [
        ("2026-10-25T02:00:00+02:00", 1, 0),
        ("2026-10-25T02:00:00+01:00", 1, 1),
    ]
    [whole] = await run_report(database, report("calls", "day", day, day))
    assert whole["end"] == "2026-10-26T00:00:00+01:00"
    assert (whole["offered"], whole["abandon_rate"], whole["longest_wait_seconds"]) == (
        2,
        50.0,
        50.0,
    )


@pytest.mark.parametrize(
    ("first", "last", "interval", "message"),
    [
        ("2026-03-10", "2026-03-09", "day", "to is before from"),
        ("2025-01-01", "2026-03-09", "day", "at most 366 days"),
        ("2026-01-01", "2026-06-01", "15min", "at most 100 days"),
    ],
)
def test_ranges_a_report_refuses(first: str, last: str, interval: Interval, message: str) -> None:
    with pytest.raises(RangeError, match=message):
        ReportRange(
            dt.date.fromisoformat(first), dt.date.fromisoformat(last), ZoneInfo(ZONE), interval
        )
