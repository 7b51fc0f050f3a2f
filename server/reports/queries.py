"""Running a report: the `definitions.aggregates` of the tenant's calls started in the
range, grouped by interval (`buckets`) and by the report's slice (none, queue or agent),
with every interval present (zeros where no call started) and the dispositions counted.
By agent, each row also has the agent's time in state (`agent_time`).
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, literal, select

from server.database import Database
from server.reports.agent_time import AgentTime, agent_figures, agent_times
from server.reports.buckets import bucket, span_key
from server.reports.definitions import aggregates, empty_figures, figures
from server.reports.intervals import ReportRange
from server.tables import agents, calls

Slice = Literal["calls", "queues", "agents"]
SLICES: tuple[Slice, ...] = ("calls", "queues", "agents")


@dataclass(frozen=True, slots=True)
class ReportQuery:
    tenant: str
    slice: Slice
    range: ReportRange
    service_level_seconds: int = 20
    queue: str | None = None
    agent: str | None = None  # username
    now: float | None = None  # when a state still going ends (None: the time of the query)


def _slice_column(kind: Slice) -> ColumnElement[Any]:
    if kind == "queues":
        return func.coalesce(calls.c.queue, "").label("slice")
    if kind == "agents":
        return func.coalesce(agents.c.username, "").label("slice")
    return literal("").label("slice")


def _grouped(query: ReportQuery, *columns: ColumnElement[Any]) -> Select[Any]:
    conditions = [
        calls.c.tenant == query.tenant,
        calls.c.started_at >= query.range.start,
        calls.c.started_at < query.range.end,
    ]
    if query.queue is not None:
        conditions.append(calls.c.queue == query.queue)
    if query.agent is not None:
        conditions.append(agents.c.username == query.agent)
    key = bucket(query.range).label("bucket")
    kind = _slice_column(query.slice)
    by_agent = query.slice == "agents" or query.agent is not None
    source = calls.outerjoin(agents, agents.c.id == calls.c.agent_id) if by_agent else calls
    return (
        select(key, kind, *columns).select_from(source).where(and_(*conditions)).group_by(key, kind)
    )


async def run_report(
    database: Database, query: ReportQuery, queue_names: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per interval and slice value (``queue`` or ``agent``), in time order; an
    interval without calls has one row of zeros (without a slice value)."""
    sums = aggregates(query.service_level_seconds)
    figures_statement = _grouped(query, *(value.label(name) for name, value in sums.items()))
    dispositions_statement = (
        _grouped(query, calls.c.disposition, func.count().label("count"))
        .where(calls.c.disposition.is_not(None))
        .group_by(calls.c.disposition)
    )
    async with database.connect() as connection:
        found = list(await connection.execute(figures_statement))
        disposed = list(await connection.execute(dispositions_statement))
    by_key: dict[int, dict[str, dict[str, Any]]] = {}
    for row in found:
        by_key.setdefault(int(row.bucket), {})[row.slice] = figures(row._mapping) | {
            "dispositions": {}
        }
    for row in disposed:
        by_key[int(row.bucket)][row.slice]["dispositions"][row.disposition] = int(row.count)
    times: dict[int, dict[str, AgentTime]] = {}
    if query.slice == "agents":
        now = time.time() if query.now is None else query.now
        times = await agent_times(database, query.tenant, query.range, now, query.agent)
    rows: list[dict[str, Any]] = []
    for span in query.range.spans():
        when = {"start": query.range.label(span.start), "end": query.range.label(span.end)}
        key = span_key(query.range, span)
        groups = by_key.get(key, {})
        in_state = times.get(key, {})
        values: list[str | None] = [*sorted(groups.keys() | in_state.keys())] or [None]
        for value in values:
            row = groups.get(value or "") or _empty()
            if query.slice == "agents":
                row = row | agent_figures(in_state.get(value or ""), row["handled"])
            rows.append(when | _slice_fields(query.slice, value, queue_names) | row)
    return rows


def _empty() -> dict[str, Any]:
    return empty_figures() | {"dispositions": {}}


def _slice_fields(
    kind: Slice, value: str | None, queue_names: Mapping[str, str] | None
) -> dict[str, Any]:
    if kind == "queues":
        queue = value or None
        name = (queue_names or {}).get(queue) if queue else None
        return {"queue": queue, "queue_name": name}
    if kind == "agents":
        return {"agent": value or None}
    return {}
