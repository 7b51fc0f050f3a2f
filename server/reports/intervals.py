"""Report intervals cut in the tenant's time zone: 15 minutes, an hour, a day, or the
whole range at once.

A report covers whole local days, ``first`` to ``last``. The boundaries are computed
here with `zoneinfo` (a daylight-saving day has 23 or 25 hours, so 92 or 100 quarters);
the database only buckets calls by epoch arithmetic, with the UTC offset in force at
each moment (`OffsetSpan`), so SQLite and PostgreSQL run the same query.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Literal, get_args
from zoneinfo import ZoneInfo

Interval = Literal["15min", "hour", "day", "total"]
INTERVALS: tuple[Interval, ...] = get_args(Interval)
STEP_SECONDS: dict[Interval, int] = {"15min": 900, "hour": 3600, "day": 86400}
MAX_DAYS = 366
MAX_INTERVALS = 10_000
_SCAN_SECONDS = 900  # time zones change offset on a quarter hour


class RangeError(ValueError):
    """The range or interval asked for cannot be reported; the message says why."""


@dataclass(frozen=True, slots=True)
class Span:
    """One interval: UTC epoch seconds, ``start`` included, ``end`` not."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class OffsetSpan:
    """From ``start`` (UTC epoch seconds) the zone is ``offset`` seconds ahead of UTC."""

    start: int
    offset: int


def _midnight(day: dt.date, zone: ZoneInfo) -> int:
    return int(dt.datetime.combine(day, dt.time(), zone).timestamp())


@dataclass(frozen=True, slots=True)
class ReportRange:
    """Local days ``first`` to ``last`` (both included) in ``zone``, cut by ``interval``."""

    first: dt.date
    last: dt.date
    zone: ZoneInfo
    interval: Interval

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise RangeError("to is before from")
        if (self.last - self.first).days + 1 > MAX_DAYS:
            raise RangeError(f"a report covers at most {MAX_DAYS} days")
        if self.interval == "15min" and (self.last - self.first).days + 1 > MAX_INTERVALS // 100:
            raise RangeError(f"15-minute intervals cover at most {MAX_INTERVALS // 100} days")

    @property
    def start(self) -> int:
        """The first day's local midnight, in UTC epoch seconds."""
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> int:
        """The local midnight after the last day, in UTC epoch seconds."""
        return _midnight(self.last + dt.timedelta(days=1), self.zone)

    def spans(self) -> list[Span]:
        """The intervals in order, each local day cut from its own midnight."""
        if self.interval == "total":
            return [Span(self.start, self.end)]
        spans: list[Span] = []
        day = self.first
        while day <= self.last:
            start, end = _midnight(day, self.zone), _midnight(day + dt.timedelta(days=1), self.zone)
            step = end - start if self.interval == "day" else STEP_SECONDS[self.interval]
            spans.extend(Span(t, min(t + step, end)) for t in range(start, end, step))
            day += dt.timedelta(days=1)
        return spans

    def offsets(self) -> list[OffsetSpan]:
        """The zone's UTC offsets over the range: one per change, the first at `start`."""
        found = [OffsetSpan(self.start, self._offset_at(self.start))]
        for moment in range(self.start, self.end, _SCAN_SECONDS):
            offset = self._offset_at(moment)
            if offset != found[-1].offset:
                found.append(OffsetSpan(moment, offset))
        return found

    def _offset_at(self, moment: int) -> int:
        utc = dt.datetime.fromtimestamp(moment, dt.UTC)
        delta = utc.astimezone(self.zone).utcoffset()
        return 0 if delta is None else int(delta.total_seconds())

    def label(self, moment: int) -> str:
        """``moment`` as a local ISO time with its offset (unique even in a repeated hour)."""
        return dt.datetime.fromtimestamp(moment, self.zone).isoformat()


def parse_interval(value: str | None) -> Interval:
    """The ``interval`` query parameter (default ``day``)."""
    if not value:
        return "day"
    for interval in INTERVALS:
        if value == interval:
            return interval
    raise RangeError(f"interval must be one of {', '.join(INTERVALS)}")


def parse_day(name: str, value: str | None, default: dt.date) -> dt.date:
    """A ``from`` or ``to`` date like 2026-11-22 (a local day in the tenant's zone)."""
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RangeError(f"{name}: {value!r} is not a date like 2026-11-22") from None


def today(zone: ZoneInfo) -> dt.date:
    return dt.datetime.now(zone).date()
