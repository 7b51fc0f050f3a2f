"""Agents' time in each state per interval, from the state log (``agent_state_log``), and
the figures derived from it with the agent's handled calls (`agent_figures`).
docs/reports.md gives every formula.

A state's time is cut at the intervals' boundaries: the part of ``[started_at, ended_at)``
inside each interval counts there (a state still going lasts until ``now``). The
intervals are a ``VALUES`` list; days and the total are joined to the log; quarters and
hours (many intervals) are computed by epoch arithmetic (`buckets.step_start`), joined
only for the states longer than an interval. Summed by the database, the same SQL on
SQLite and PostgreSQL. Checked-out time is not counted.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Float,
    Select,
    Subquery,
    column,
    func,
    select,
    values,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from server.database import Database
from server.reports.buckets import span_key, step_start
from server.reports.intervals import STEP_SECONDS, ReportRange
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

    def add(self, state: str, reason: str | None, seconds: float) -> None:
        self.seconds[state] += seconds
        if state == "paused":
            key = reason or ""
            self.paused_by_reason[key] = self.paused_by_reason.get(key, 0.0) + seconds


def _spans(report: ReportRange) -> Any:
    return (
        values(
            column("bucket", BigInteger),
            column("span_start", Float),
            column("span_end", Float),
            name="spans",
            literal_binds=True,
        )
        .data([(span_key(report, s), float(s.start), float(s.end)) for s in report.spans()])
        .cte("spans")
    )


def _clipped(tenant: str, report: ReportRange, now: float, agent: str | None) -> Subquery:
    """The tenant's logged states (not checked out) that overlap the range, each cut to
    it: ``s`` to ``u`` (a state still going lasts until ``now``)."""
    log = agent_state_log.c
    until = func.coalesce(log.ended_at, now)
    conditions = [
        agents.c.tenant == tenant,
        log.state != "checked_out",
        log.started_at < report.end,
        (log.ended_at.is_(None)) | (log.ended_at > report.start),
    ]
    if agent is not None:
        conditions.append(agents.c.username == agent)
    return (
        select(
            agents.c.username,
            log.state,
            log.pause_reason,
            _greatest(log.started_at, float(report.start)).label("s"),
            _least(until, float(report.end)).label("u"),
        )
        .select_from(agent_state_log.join(agents, agents.c.id == log.agent_id))
        .where(*conditions)
        .subquery("clipped")
    )


def _by_span_join(report: ReportRange, clipped: Subquery) -> list[Select[Any]]:
    """Each state joined to every interval it overlaps (few intervals: days, the total)."""
    spans = _spans(report)
    seconds = func.sum(
        _least(clipped.c.u, spans.c.span_end) - _greatest(clipped.c.s, spans.c.span_start)
    )
    return [
        select(spans.c.bucket, *_keys(clipped), seconds.label("seconds"))
        .select_from(
            clipped.join(
                spans, (clipped.c.s < spans.c.span_end) & (clipped.c.u > spans.c.span_start)
            )
        )
        .group_by(spans.c.bucket, *_keys(clipped))
    ]


def _by_step(report: ReportRange, clipped: Subquery) -> list[Select[Any]]:
    """Quarters and hours, without joining every state to every interval: a state's part
    in the interval it starts in, its part in the one it ends in, and (joined to the
    intervals, for the few states that long) the whole intervals between."""
    step = STEP_SECONDS[report.interval]
    first, last = step_start(report, clipped.c.s, step), step_start(report, clipped.c.u, step)
    keys = _keys(clipped)
    starts, ends = first.label("bucket"), last.label("bucket")
    starting = select(
        starts, *keys, func.sum(_least(clipped.c.u, first + step) - clipped.c.s)
    ).group_by(starts, *keys)
    ending = (
        select(ends, *keys, func.sum(clipped.c.u - last))
        .where((last > first) & (clipped.c.u > last))
        .group_by(ends, *keys)
    )
    # The few states longer than an interval, found first (MATERIALIZED: not joined to
    # the intervals before they are filtered).
    long_states = (
        select(*keys, (first + step).label("after_first"), last.label("last"))
        .where(last > first + step)
        .cte("long_states")
        .prefix_with("MATERIALIZED")
    )
    spans = _spans(report)
    between = (
        select(spans.c.bucket, *_keys(long_states), func.sum(spans.c.span_end - spans.c.span_start))
        .select_from(
            long_states.join(
                spans,
                (spans.c.span_start >= long_states.c.after_first)
                & (spans.c.span_start < long_states.c.last),
            )
        )
        .group_by(spans.c.bucket, *_keys(long_states))
    )
    return [starting, ending, between]


def _keys(states: Subquery | CTE) -> tuple[ColumnElement[Any], ...]:
    return (states.c.username, states.c.state, states.c.pause_reason)


async def agent_times(
    database: Database,
    tenant: str,
    report: ReportRange,
    now: float,
    agent: str | None = None,
) -> dict[int, dict[str, AgentTime]]:
    """By interval key (`buckets.span_key`) and user name, each agent's time in state."""
    clipped = _clipped(tenant, report, now, agent)
    stepped = report.interval in STEP_SECONDS and report.interval != "day"
    statements = _by_step(report, clipped) if stepped else _by_span_join(report, clipped)
    found: dict[int, dict[str, AgentTime]] = {}
    async with database.connect() as connection:
        for statement in statements:
            for bucket_key, username, state, reason, seconds in await connection.execute(statement):
                time = found.setdefault(int(bucket_key), {}).setdefault(username, AgentTime())
                time.add(state, reason, float(seconds))
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
