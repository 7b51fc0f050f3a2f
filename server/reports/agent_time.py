"""Agents' time in each state per interval, from the state log (``agent_state_log``), and
the figures derived from it with the agent's handled calls (`agent_figures`).
docs/reports.md gives every formula.

A state's time is cut at the intervals' boundaries: the part of ``[started_at, ended_at)``
inside each interval counts there (a state still going lasts until ``now``). The
intervals are a ``VALUES`` list joined to the log, summed by the database, the same SQL
on SQLite and PostgreSQL. Checked-out time is not counted.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Float, column, func, select, values
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from server.database import Database
from server.reports.buckets import span_key
from server.reports.intervals import ReportRange
from server.tables import agent_state_log, agents

STATES = ("available", "paused", "in_call", "wrap_up")
AGENT_METRICS = (
    "available_seconds",
    "paused_seconds",
    "in_call_seconds",
    "wrap_up_seconds",
    "logged_in_seconds",
    "occupancy",
    "calls_per_hour",
)


class _least(FunctionElement[float]):
    """The smaller of two numbers (``least`` on PostgreSQL, ``min`` on SQLite)."""

    type = Float()
    inherit_cache = True


class _greatest(FunctionElement[float]):
    type = Float()
    inherit_cache = True


@compiles(_least)
def _least_postgresql(element: _least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"least({compiler.process(element.clauses, **kw)})"


@compiles(_least, "sqlite")
def _least_sqlite(element: _least, compiler: SQLCompiler, **kw: Any) -> str:
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(_greatest)
def _greatest_postgresql(element: _greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(_greatest, "sqlite")
def _greatest_sqlite(element: _greatest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@dataclass(slots=True)
class AgentTime:
    """One agent's seconds in each state in one interval; paused ones by reason."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    paused_by_reason: dict[str, float] = field(default_factory=dict)


async def agent_times(
    database: Database,
    tenant: str,
    report: ReportRange,
    now: float,
    agent: str | None = None,
) -> dict[int, dict[str, AgentTime]]:
    """By interval key (`buckets.span_key`) and user name, each agent's time in state."""
    spans = values(
        column("bucket", BigInteger),
        column("span_start", Float),
        column("span_end", Float),
        name="spans",
        literal_binds=True,
    ).data([(span_key(report, s), float(s.start), float(s.end)) for s in report.spans()])
    spans_cte = spans.cte("spans")
    log = agent_state_log.c
    until = func.coalesce(log.ended_at, now)
    seconds: ColumnElement[Any] = func.sum(
        _least(until, spans_cte.c.span_end) - _greatest(log.started_at, spans_cte.c.span_start)
    )
    conditions = [
        agents.c.tenant == tenant,
        log.state != "checked_out",
        log.started_at < report.end,
        (log.ended_at.is_(None)) | (log.ended_at > report.start),
    ]
    if agent is not None:
        conditions.append(agents.c.username == agent)
    statement = (
        select(
            spans_cte.c.bucket,
            agents.c.username,
            log.state,
            log.pause_reason,
            seconds.label("seconds"),
        )
        .select_from(
            agent_state_log.join(agents, agents.c.id == log.agent_id).join(
                spans_cte,
                (log.started_at < spans_cte.c.span_end) & (until > spans_cte.c.span_start),
            )
        )
        .where(*conditions)
        .group_by(spans_cte.c.bucket, agents.c.username, log.state, log.pause_reason)
    )
    found: dict[int, dict[str, AgentTime]] = {}
    async with database.connect() as connection:
        for row in await connection.execute(statement):
            time = found.setdefault(int(row.bucket), {}).setdefault(row.username, AgentTime())
            time.seconds[row.state] += float(row.seconds)
            if row.state == "paused":
                reason = row.pause_reason or ""
                time.paused_by_reason[reason] = time.paused_by_reason.get(reason, 0.0) + float(
                    row.seconds
                )
    return found


def _percent(part: float, whole: float) -> float | None:
    return None if whole <= 0 else round(100 * part / whole, 1)


def agent_figures(time: AgentTime | None, handled: int) -> dict[str, Any]:
    """The agent metrics (`AGENT_METRICS`, then ``paused_by_reason``) of one agent and
    interval, with ``handled`` the agent's handled calls there."""
    time = time or AgentTime()
    seconds = time.seconds
    busy = seconds["in_call"] + seconds["wrap_up"]
    logged_in = sum(seconds.values())
    return {
        "available_seconds": round(seconds["available"], 1),
        "paused_seconds": round(seconds["paused"], 1),
        "in_call_seconds": round(seconds["in_call"], 1),
        "wrap_up_seconds": round(seconds["wrap_up"], 1),
        "logged_in_seconds": round(logged_in, 1),
        "occupancy": _percent(busy, busy + seconds["available"]),
        "calls_per_hour": None if logged_in <= 0 else round(handled * 3600 / logged_in, 1),
        "paused_by_reason": {
            reason: round(value, 1) for reason, value in sorted(time.paused_by_reason.items())
        },
    }
