"""The events of a call: ``call:ring``, then ``call:answer`` and ``call:end`` (answered),
or ``call:end`` alone (busy, no answer); inbound queue calls start with ``call:start``.

How an originated call goes is its `CallPlan`: the plan set for its destination with
``PUT /_sim/call_plan``, else the number's pattern (ending in ``486``: busy, ``408``: no
answer; both sip codes), else the default plan (answered). The delays come from the
plan, or from ``CallEventDelays``. Every event carries the call's variables; ``call:end``
adds the timings and ``hangup_cause`` (and ``canceled`` and ``cc_wait`` for queue calls).
"""

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from aiohttp import web

from simulators.rest.events import EventPusher

Outcome = Literal["answer", "busy", "no_answer"]
OUTCOMES: tuple[Outcome, ...] = ("answer", "busy", "no_answer")
HANGUP_CAUSES = {"answer": "NORMAL_CLEARING", "busy": "USER_BUSY", "no_answer": "NO_ANSWER"}
PATTERNS: dict[str, Outcome] = {"486": "busy", "408": "no_answer"}


class CallEventDelays(NamedTuple):
    ring: float = 0.05  # originate → call:ring
    answer: float = 0.2  # call:ring → call:answer (or the end of an unanswered call)
    end: float = 1.0  # call:answer → call:end


Seconds = float | tuple[float, float]  # a time, or a range a call picks its time from


@dataclass(frozen=True, slots=True)
class CallPlan:
    outcome: Outcome = "answer"
    ring_seconds: Seconds | None = None  # None: the simulator's CallEventDelays
    talk_seconds: Seconds | None = None

    def with_times_of(self, other: "CallPlan") -> "CallPlan":
        """This plan, its unset times taken from ``other``."""
        ring = self.ring_seconds if self.ring_seconds is not None else other.ring_seconds
        talk = self.talk_seconds if self.talk_seconds is not None else other.talk_seconds
        return CallPlan(self.outcome, ring, talk)


def seconds(planned: Seconds | None, default: float) -> float:
    """A call's time: the plan's, one picked from its range, or ``default``."""
    if planned is None:
        return default
    if isinstance(planned, tuple):
        return random.uniform(*planned)  # noqa: S311 - a simulated call's length
    return planned


@dataclass(slots=True)
class CallPlans:
    """``PUT /_sim/call_plan``: plans by destination, and the default (``DELETE`` goes
    back to ``initial``, the plan the simulator started with)."""

    default: CallPlan = CallPlan()
    by_number: dict[str, CallPlan] = field(default_factory=dict)
    initial: CallPlan | None = None

    def __post_init__(self) -> None:
        if self.initial is None:
            self.initial = self.default

    def forget(self) -> None:
        self.default = self.initial or CallPlan()
        self.by_number.clear()

    def plan_for(self, destination: str) -> CallPlan:
        if destination in self.by_number:
            return self.by_number[destination]
        for ending, outcome in PATTERNS.items():
            if destination.endswith(ending):
                return CallPlan(outcome, self.default.ring_seconds, self.default.talk_seconds)
        return self.default


CALL_EVENT_DELAYS = web.AppKey("rest_call_event_delays", CallEventDelays)
CALL_PLANS = web.AppKey("rest_call_plans", CallPlans)


def blank_variables() -> dict[str, Any]:
    """Every call variable of the spec, unset."""
    names = (
        "id call_id ts site_id type dst_num src_device_id dst_device_id src_user_id dst_user_id"
        " cid_num cid_name a2 tags queue_id lead_id lead_name campaign_id dialer_id"
    )
    return dict.fromkeys(names.split())


async def play(
    pusher: EventPusher,
    variables: dict[str, Any],
    plan: CallPlan,
    delays: CallEventDelays,
    *,
    queued: bool = False,
) -> None:
    """Push the call's events at their times. ``variables`` are the call's own."""

    def event(name: str, **extra: Any) -> None:
        pusher.push(name, {**variables, "ts": int(time.time()), **extra})

    invited = time.monotonic()
    if queued:
        event("call:start")
    await asyncio.sleep(delays.ring)
    started = time.monotonic()
    progress = {"progressms": round((started - invited) * 1000)}
    event("call:ring", **progress)
    await asyncio.sleep(seconds(plan.ring_seconds, delays.answer))
    answered = time.monotonic()
    if plan.outcome == "answer":
        event("call:answer", **progress)
        await asyncio.sleep(seconds(plan.talk_seconds, delays.end))
    ended = time.monotonic()
    timings = {
        "waitms": round((answered - started) * 1000),
        "durationms": round((ended - started) * 1000),
        "billms": round((ended - answered) * 1000) if plan.outcome == "answer" else 0,
    }
    if queued:
        timings["cc_wait"] = round(answered - invited)
        timings["canceled"] = "NONE" if plan.outcome == "answer" else "TIMEOUT"
    event("call:end", **progress, **timings, hangup_cause=HANGUP_CAUSES[plan.outcome])
