"""Which interval a call falls in, as one SQL expression for SQLite and PostgreSQL.

With the zone's UTC offset ``off`` at the call's start ``t`` (a CASE over the range's
`OffsetSpan`s), a quarter or an hour starts at ``floor((t + off) / step) * step - off``
(UTC epoch seconds, as `ReportRange.spans` gives them); a day is the local day number
``floor((t + off) / 86400)``; the whole range is one bucket, 0.
"""

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, case, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from server.reports.intervals import STEP_SECONDS, ReportRange, Span
from server.tables import calls

_EPOCH_DAY = dt.date(1970, 1, 1)


class floor_positive(FunctionElement[int]):
    """``floor(x)`` of a number ≥ 0, as a whole number on either database."""

    type = BigInteger()
    inherit_cache = True


@compiles(floor_positive)
def _floor_postgresql(element: floor_positive, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor({compiler.process(element.clauses, **kw)}) AS BIGINT)"


@compiles(floor_positive, "sqlite")
def _floor_sqlite(element: floor_positive, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite's CAST truncates, which is floor for numbers ≥ 0 (and needs no math functions).
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


def _offset(
    report: ReportRange, moment: ColumnElement[Any] = calls.c.started_at
) -> ColumnElement[Any]:
    spans = report.offsets()
    if len(spans) == 1:
        return literal(spans[0].offset)
    whens = [(moment < later.start, earlier.offset) for earlier, later in itertools.pairwise(spans)]
    return case(*whens, else_=spans[-1].offset)


def step_start(report: ReportRange, moment: ColumnElement[Any], step: int) -> ColumnElement[Any]:
    """The UTC start of the quarter or hour (``step`` seconds) that ``moment`` is in: its
    `span_key`."""
    offset = _offset(report, moment)
    return floor_positive((moment + offset) / step) * step - offset


def bucket(report: ReportRange) -> ColumnElement[Any]:
    """The key of the interval each call started in."""
    if report.interval == "total":
        return literal(0)
    offset = _offset(report)
    local = calls.c.started_at + offset
    if report.interval == "day":
        return floor_positive(local / 86400)
    step = STEP_SECONDS[report.interval]
    return floor_positive(local / step) * step - offset


def span_key(report: ReportRange, span: Span) -> int:
    """The `bucket` key of ``span``."""
    if report.interval == "total":
        return 0
    if report.interval == "day":
        local_day = dt.datetime.fromtimestamp(span.start, report.zone).date()
        return (local_day - _EPOCH_DAY).days
    return span.start
