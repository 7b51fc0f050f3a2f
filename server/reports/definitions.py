"""What each report metric is: the SQL sums and counts over ``calls`` (`aggregates`) and
the figures derived from them (`figures`). docs/reports.md gives every formula.

A call counts in the interval in which it started. Its wait runs from its first event
at the bridge to its answer (or, unanswered, to its end); its talk from its answer to
its end (the dialer's ``billms`` where the bridge missed the answer). The bridge does not
record when a wrap-up ends, so the handle time is the talk time.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, true

from server.tables import calls

METRICS = (
    "offered",
    "answered",
    "abandoned",
    "answer_rate",
    "abandon_rate",
    "asa_seconds",
    "longest_wait_seconds",
    "answered_within_sl",
    "service_level",
    "outbound_attempts",
    "outbound_connected",
    "connect_rate",
    "avg_talk_seconds",
    "handled",
    "aht_seconds",
)

_c = calls.c
_inbound = _c.direction == "inbound"
_outbound = _c.direction == "outbound"
_answered = _c.answered.is_(true())
_ended = _c.state == "ended"
_wait_to_answer = _c.answered_at - _c.started_at
_talk = case(
    (_c.answered_at.is_not(None) & _c.ended_at.is_not(None), _c.ended_at - _c.answered_at),
    else_=cast(_c.billms, Float) / 1000,
)


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.count(case((condition, 1)))


def aggregates(service_level_seconds: int) -> dict[str, ColumnElement[Any]]:
    """The SQL aggregates of a group of calls, by name."""
    answered_in = _inbound & _answered
    timed_answer = answered_in & _c.answered_at.is_not(None)
    handled = _answered & _ended
    return {
        "offered": _count(_inbound),
        "answered": _count(answered_in),
        "abandoned": _count(_inbound & ~_answered & _ended & _c.queue.is_not(None)),
        "wait_sum": func.sum(case((timed_answer, _wait_to_answer))),
        "wait_count": _count(timed_answer),
        "longest_wait": func.max(
            case(
                (timed_answer, _wait_to_answer),
                (_inbound & ~_answered & _ended, _c.ended_at - _c.started_at),
            )
        ),
        "answered_within_sl": _count(timed_answer & (_wait_to_answer <= service_level_seconds)),
        "outbound_attempts": _count(_outbound),
        "outbound_connected": _count(_outbound & _answered),
        "outbound_talk_sum": func.sum(case((_outbound & handled, _talk))),
        "outbound_talk_count": func.count(case((_outbound & handled, _talk))),
        "handle_sum": func.sum(case((handled, _talk))),
        "handled": func.count(case((handled, _talk))),
    }


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _average(total: Any, count: int) -> float | None:
    return None if count == 0 or total is None else round(float(total) / count, 1)


def figures(sums: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics (`METRICS`, in order) from one group's `aggregates`."""
    offered, answered = int(sums["offered"]), int(sums["answered"])
    attempts, connected = int(sums["outbound_attempts"]), int(sums["outbound_connected"])
    longest = sums["longest_wait"]
    return {
        "offered": offered,
        "answered": answered,
        "abandoned": int(sums["abandoned"]),
        "answer_rate": _percent(answered, offered),
        "abandon_rate": _percent(int(sums["abandoned"]), offered),
        "asa_seconds": _average(sums["wait_sum"], int(sums["wait_count"])),
        "longest_wait_seconds": None if longest is None else round(float(longest), 1),
        "answered_within_sl": int(sums["answered_within_sl"]),
        "service_level": _percent(int(sums["answered_within_sl"]), offered),
        "outbound_attempts": attempts,
        "outbound_connected": connected,
        "connect_rate": _percent(connected, attempts),
        "avg_talk_seconds": _average(sums["outbound_talk_sum"], int(sums["outbound_talk_count"])),
        "handled": int(sums["handled"]),
        "aht_seconds": _average(sums["handle_sum"], int(sums["handled"])),
    }


def empty_figures() -> dict[str, Any]:
    """The metrics of an interval without calls."""
    zero = dict.fromkeys(
        ("offered", "answered", "abandoned", "answered_within_sl", "outbound_attempts"), 0
    )
    return figures(
        zero
        | {
            "outbound_connected": 0,
            "wait_sum": None,
            "wait_count": 0,
            "longest_wait": None,
            "outbound_talk_sum": None,
            "outbound_talk_count": 0,
            "handle_sum": None,
            "handled": 0,
        }
    )
