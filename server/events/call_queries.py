"""Reading the calls back: for the CRM back end (``GET /api/v1/crm/calls``) and the
wrap-up's answer."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select

from server.database import Database
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


def call_json(row: Row[Any] | Any, agent: str | None) -> dict[str, Any]:
    """A call as the CRM API shows it (times in epoch seconds, agent by username)."""
    answer = {name: getattr(row, name) for name in PUBLIC_FIELDS}
    answer["answered"] = bool(answer["answered"])
    return {**answer, "agent": agent}


async def find_calls(database: Database, query: CallQuery) -> tuple[list[dict[str, Any]], int]:
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
        found = [call_json(row, row.agent_username) for row in rows]
        total = (
            await connection.execute(select(func.count()).select_from(joined).where(where))
        ).scalar_one()
    return found, total
