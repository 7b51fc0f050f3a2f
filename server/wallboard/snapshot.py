"""What the wallboard shows of a tenant at one moment, read from the database: each
checked-in agent's state and since when, the calls waiting per queue and the oldest's
start, and today's service level and abandon rate (the `server.reports` figures of the
local day so far)."""

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from server.config import TenantConfig
from server.database import Database
from server.events.call_display import queue_names
from server.reports.intervals import ReportRange, today
from server.reports.queries import ReportQuery, run_report
from server.tables import agent_states, agents, calls

ACTIVE_CALL_HOURS = 12  # a call not ended after this long is no longer waiting
# The states in the order the board lists them, with their words for people.
STATE_LABELS = {
    "in_call": "On a call",
    "wrap_up": "Wrap-up",
    "available": "Available",
    "paused": "Paused",
}


@dataclass(frozen=True, slots=True)
class AgentNow:
    username: str
    full_name: str
    state: str  # a key of STATE_LABELS
    pause_reason: str | None
    since: float

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


@dataclass(frozen=True, slots=True)
class QueueNow:
    queue: str
    name: str
    waiting: int
    oldest_started_at: float | None


@dataclass(frozen=True, slots=True)
class Snapshot:
    tenant: str
    at: float
    agents: tuple[AgentNow, ...]
    queues: tuple[QueueNow, ...]
    today: dict[str, Any]  # the calls report's total of today (`definitions.METRICS`)
    service_level_seconds: int

    def count(self, state: str) -> int:
        return sum(1 for agent in self.agents if agent.state == state)

    def data(self) -> dict[str, Any]:
        """As JSON for a machine (the wallboard's test and any script)."""
        return {
            "tenant": self.tenant,
            "at": self.at,
            "agents": [
                {
                    "agent": a.username,
                    "name": a.display_name,
                    "state": a.state,
                    "pause_reason": a.pause_reason,
                    "since": a.since,
                }
                for a in self.agents
            ],
            "queues": [
                {
                    "queue": q.queue,
                    "name": q.name,
                    "waiting": q.waiting,
                    "oldest_started_at": q.oldest_started_at,
                }
                for q in self.queues
            ],
            "today": self.today,
            "service_level_seconds": self.service_level_seconds,
        }


def _state(row: Any) -> tuple[str, str | None] | None:
    """The row's state as `AgentState.name` has it, None when checked out."""
    if row.call_id is not None:
        return "in_call", None
    if row.wrap_up_call_id is not None:
        return "wrap_up", None
    if not row.checked_in:
        return None
    return ("paused", row.pause_reason) if row.pause_reason else ("available", None)


async def _agents(database: Database, tenant: str, now: float) -> tuple[AgentNow, ...]:
    statement = (
        select(
            agents.c.username,
            agents.c.full_name,
            agent_states.c.checked_in,
            agent_states.c.pause_reason,
            agent_states.c.call_id,
            agent_states.c.wrap_up_call_id,
            func.coalesce(agent_states.c.since, agent_states.c.updated_at).label("since"),
        )
        .select_from(agents.join(agent_states, agent_states.c.agent_id == agents.c.id))
        .where((agents.c.tenant == tenant) & agents.c.active)
    )
    async with database.connect() as connection:
        rows = list(await connection.execute(statement))
    found = []
    for row in rows:
        state = _state(row)
        if state is not None:
            since = min(float(row.since), now)
            found.append(AgentNow(row.username, row.full_name, state[0], state[1], since))
    order = list(STATE_LABELS)
    return tuple(sorted(found, key=lambda a: (order.index(a.state), a.since, a.username)))


async def _queues(database: Database, tenant: TenantConfig, now: float) -> tuple[QueueNow, ...]:
    statement = (
        select(calls.c.queue, func.count().label("waiting"), func.min(calls.c.started_at))
        .where(
            (calls.c.tenant == tenant.id)
            & (calls.c.direction == "inbound")
            & calls.c.queue.is_not(None)
            & (calls.c.state == "ringing")
            & (calls.c.started_at > now - ACTIVE_CALL_HOURS * 3600)
        )
        .group_by(calls.c.queue)
    )
    async with database.connect() as connection:
        waiting = {
            row[0]: (int(row[1]), float(row[2])) for row in await connection.execute(statement)
        }
    names = queue_names(tenant)
    ids = [*names, *sorted(q for q in waiting if q not in names)]
    return tuple(
        QueueNow(
            queue=queue,
            name=names.get(queue, f"Queue {queue}"),
            waiting=waiting.get(queue, (0, 0.0))[0],
            oldest_started_at=waiting[queue][1] if queue in waiting else None,
        )
        for queue in ids
    )


async def take_snapshot(
    database: Database, tenant: TenantConfig, now: float | None = None
) -> Snapshot:
    """The tenant's wallboard now (or at ``now``, epoch seconds)."""
    now = time.time() if now is None else now
    day = today(tenant.zone)
    report = ReportRange(first=day, last=day, zone=tenant.zone, interval="total")
    query = ReportQuery(
        tenant=tenant.id,
        slice="calls",
        range=report,
        service_level_seconds=tenant.service_level_seconds,
    )
    [total] = await run_report(database, query)
    return Snapshot(
        tenant=tenant.id,
        at=now,
        agents=await _agents(database, tenant.id, now),
        queues=await _queues(database, tenant, now),
        today=total,
        service_level_seconds=tenant.service_level_seconds,
    )


def snapshot_json(snapshot: Snapshot) -> str:
    return json.dumps(snapshot.data(), separators=(",", ":"))
