"""An agent's state as the widget shows it: ``checked_out``, ``available``, ``paused``,
``in_call`` or ``wrap_up``, with the pause reason, the queues, since when, and the
pending wrap-up.

`AgentState` keeps the facts (checked in, paused why, queues, the call the agent is in,
the answered call still to wrap up and until when); `AgentState.data` derives what the
stream sends. Each change is a pure function, so dialer events and the agent's own
requests apply the same way, and applying one twice changes nothing. When the state's
name changes, the writer sets ``since`` (`with_since`).
"""

from dataclasses import asdict, dataclass, replace
from typing import Any

from server.events.call_display import display_number, iso_utc
from server.events.call_model import Call


@dataclass(frozen=True, slots=True)
class PendingWrapup:
    """The wrap-up the bridge holds for the agent after an answered call of theirs ended:
    until it is saved or skipped, or ``deadline`` (epoch seconds) passes."""

    call_id: str
    number: str
    direction: str
    caller_name: str
    ended_at: float
    deadline: float

    def data(self) -> dict[str, Any]:
        """The ``wrapup`` of an ``agent_state`` event's data."""
        return {
            "call_id": self.call_id,
            "display": display_number(self.number),
            "number": self.number,
            "direction": self.direction,
            "caller_name": self.caller_name,
            "ended_at": iso_utc(self.ended_at),
            "deadline": iso_utc(self.deadline),
        }

    def stored(self) -> dict[str, Any]:
        """As kept in the database (JSON)."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class AgentState:
    checked_in: bool = False
    pause_reason: str | None = None
    queues: tuple[str, ...] = ()
    call_id: str | None = None
    wrapup: PendingWrapup | None = None
    since: float | None = None  # when the current state (its name) began

    @property
    def name(self) -> str:
        if self.call_id is not None:
            return "in_call"
        if self.wrapup is not None:
            return "wrap_up"
        if not self.checked_in:
            return "checked_out"
        return "paused" if self.pause_reason else "available"

    def data(self) -> dict[str, Any]:
        """An ``agent_state`` event's ``data``."""
        return {
            "state": self.name,
            "pause_reason": self.pause_reason,
            "queues": list(self.queues),
            "since": iso_utc(self.since),
            "wrapup": None if self.wrapup is None else self.wrapup.data(),
        }

    def with_since(self, before: "AgentState", now: float) -> "AgentState":
        """This state (changed from ``before``), begun ``now`` if its name changed."""
        if self.name != before.name or self.since is None:
            return replace(self, since=now)
        return self

    def checked_in_now(self) -> "AgentState":
        return replace(self, checked_in=True)

    def checked_out_now(self) -> "AgentState":
        return replace(self, checked_in=False, pause_reason=None, wrapup=None)

    def paused(self, reason: str | None) -> "AgentState":
        return replace(self, pause_reason=reason or None)

    def with_queues(self, queues: tuple[str, ...]) -> "AgentState":
        return replace(self, queues=tuple(dict.fromkeys(queues)))

    def joined(self, queues: tuple[str, ...]) -> "AgentState":
        return self.with_queues(self.queues + queues)

    def left(self, queues: tuple[str, ...]) -> "AgentState":
        return replace(self, queues=tuple(q for q in self.queues if q not in queues))

    def wrapped_up(self, call_id: str) -> "AgentState":
        """The wrap-up of ``call_id`` saved or skipped: no longer pending."""
        if self.wrapup is None or self.wrapup.call_id != call_id:
            return self
        return replace(self, wrapup=None)

    def wrap_up_expired(self, now: float) -> "AgentState":
        """The pending wrap-up dropped if its deadline has passed by ``now``."""
        if self.wrapup is None or self.wrapup.deadline > now:
            return self
        return replace(self, wrapup=None)

    def following(self, call: Call, *, wrapup_seconds: int, now: float) -> "AgentState":
        """The state once ``call`` (of this agent) is in its current state: an answered
        call ends another call's pending wrap-up; an answered call that ends while the
        agent is checked in leaves a wrap-up for ``wrapup_seconds`` (0: none)."""
        if call.state == "answered" and self.call_id is None:
            wrapup = self.wrapup if self.wrapup and self.wrapup.call_id == call.call_id else None
            return replace(self, call_id=call.call_id, wrapup=wrapup)
        if call.state == "ended":
            in_call = None if self.call_id == call.call_id else self.call_id
            wrapup = self.wrapup
            wanted = call.answered and self.checked_in and call.disposition is None
            if wanted and wrapup_seconds > 0 and (wrapup is None or wrapup.call_id != call.call_id):
                wrapup = PendingWrapup(
                    call_id=call.call_id,
                    number=call.number,
                    direction=call.direction,
                    caller_name=call.caller_name,
                    ended_at=call.ended_at if call.ended_at is not None else now,
                    deadline=now + wrapup_seconds,
                )
            return replace(self, call_id=in_call, wrapup=wrapup)
        return self
