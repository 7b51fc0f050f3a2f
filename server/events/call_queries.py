"""Reading the calls back: for the CRM back end (``GET /api/v1/crm/calls``), the
wrap-up's answer and the agent's recent calls (``GET /api/v1/agent/calls``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.database import Database
from server.events.call_display import display_number, iso_utc
from server.events.call_outcomes import call_outcome
from server.problems import Problem
from server.tables import agents, calls

PUBLIC_FIELDS = (
    "call_id",
    "uuid",
    "dialer",
    "state",
    "direction",
    "number",
    "caller_name",
    "queue",
    "lead_id",
    "tags",
    "answered",
    "waitms",
    "durationms",
    "billms",
    "progressms",
    "cc_wait",
    "hangup_cause",
    "canceled",
    "started_at",
    "answered_at",
    "ended_at",
    "disposition",
    "outcome",
    "notes",
)


@dataclass(frozen=True, slots=True)
class CallQuery:
    tenant: str
    since: float | None = None
    until: float | None = None
    agent: str | None = None  # username
    limit: int = 100
    offset: int = 0


def call_json(
    row: Row[Any] | Any, agent: str | None, queue_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A call as the CRM API shows it (times in epoch seconds, agent by username; the
    number also in international format, the queue also by the tenant's name of it)."""
    answer = {name: getattr(row, name) for name in PUBLIC_FIELDS}
    answer["answered"] = bool(answer["answered"])
    answer["display"] = display_number(row.number)
    answer["queue_name"] = (queue_names or {}).get(row.queue) if row.queue else None
    return {**answer, "agent": agent}


async def find_call(connection: AsyncConnection, tenant: str, call_id: str) -> Row[Any]:
    """The tenant's call ``call_id`` (or `NotFound`)."""
    row = (
        await connection.execute(
            select(calls).where((calls.c.tenant == tenant) & (calls.c.call_id == call_id))
        )
    ).first()
    if row is None:
        raise Problem("unknown_call", f"no call {call_id!r} is known to the bridge")
    return row


def recent_call_json(row: Row[Any] | Any, queue_names: Mapping[str, str]) -> dict[str, Any]:
    """A call as the agent's recent calls list it (times in ISO 8601 UTC)."""
    return {
        "call_id": row.call_id,
        "direction": row.direction,
        "number": row.number,
        "display": display_number(row.number),
        "caller_name": row.caller_name,
        "queue_name": queue_names.get(row.queue) if row.queue else None,
        "started_at": iso_utc(row.started_at),
        "answered_at": iso_utc(row.answered_at),
        "ended_at": iso_utc(row.ended_at),
        "duration_ms": row.durationms,
        "outcome": call_outcome(
            state=row.state,
            answered=bool(row.answered),
            direction=row.direction,
            hangup_cause=row.hangup_cause or row.canceled,
        ),
        "hangup_cause": row.hangup_cause or row.canceled,
    }


async def agent_calls(
    database: Database, agent_id: int, limit: int, queue_names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The agent's newest ``limit`` calls, newest first."""
    async with database.connect() as connection:
        rows = await connection.execute(
            select(calls)
            .where(calls.c.agent_id == agent_id)
            .order_by(calls.c.started_at.desc(), calls.c.id.desc())
            .limit(limit)
        )
        return [recent_call_json(row, queue_names) for row in rows]


async def find_calls(
    database: Database, query: CallQuery, queue_names: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The tenant's calls started in the range (newest first, a page), and how many."""
    conditions: list[ColumnElement[bool]] = [calls.c.tenant == query.tenant]
    if query.since is not None:
        conditions.append(calls.c.started_at >= query.since)
    if query.until is not None:
        conditions.append(calls.c.started_at < query.until)
    if query.agent is not None:
        conditions.append(agents.c.username == query.agent)
    joined = calls.outerjoin(agents, agents.c.id == calls.c.agent_id)
    where = and_(*conditions)
    async with database.connect() as connection:
        rows = await connection.execute(
            select(calls, agents.c.username.label("agent_username"))
            .select_from(joined)
            .where(where)
            .order_by(calls.c.started_at.desc(), calls.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        found = [call_json(row, row.agent_username, queue_names) for row in rows]
        total = (
            await connection.execute(select(func.count()).select_from(joined).where(where))
        ).scalar_one()
    return found, total
