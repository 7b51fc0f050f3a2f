"""An agent's state as the widget shows it: ``checked_out``, ``available``, ``paused``,
``in_call`` or ``wrap_up``, with the pause reason and the queues.

`AgentState` keeps the facts (checked in, paused why, queues, the call the agent is in,
the answered call still to wrap up); `AgentState.data` derives what the stream sends.
Each change is a pure function, so dialer events and the agent's own requests apply the
same way, and applying one twice changes nothing.
"""

from dataclasses import dataclass, replace
from typing import Any

from server.events.call_model import Call


@dataclass(frozen=True, slots=True)
class AgentState:
    checked_in: bool = False
    pause_reason: str | None = None
    queues: tuple[str, ...] = ()
    call_id: str | None = None
    wrap_up_call_id: str | None = None

    @property
    def name(self) -> str:
        if self.call_id is not None:
            return "in_call"
        if self.wrap_up_call_id is not None:
            return "wrap_up"
        if not self.checked_in:
            return "checked_out"
        return "paused" if self.pause_reason else "available"

    def data(self) -> dict[str, Any]:
        """An ``agent_state`` event's ``data``."""
        return {"state": self.name, "pause_reason": self.pause_reason, "queues": list(self.queues)}

    def checked_in_now(self) -> "AgentState":
        return replace(self, checked_in=True)

    def checked_out_now(self) -> "AgentState":
        return replace(self, checked_in=False, pause_reason=None, wrap_up_call_id=None)

    def paused(self, reason: str | None) -> "AgentState":
        return replace(self, pause_reason=reason or None)

    def with_queues(self, queues: tuple[str, ...]) -> "AgentState":
        return replace(self, queues=tuple(dict.fromkeys(queues)))

    def joined(self, queues: tuple[str, ...]) -> "AgentState":
        return self.with_queues(self.queues + queues)

    def left(self, queues: tuple[str, ...]) -> "AgentState":
        return replace(self, queues=tuple(q for q in self.queues if q not in queues))

    def wrapped_up(self, call_id: str) -> "AgentState":
        return replace(
            self, wrap_up_call_id=None if self.wrap_up_call_id == call_id else self.wrap_up_call_id
        )

    def following(self, call: Call) -> "AgentState":
        """The state once ``call`` (of this agent) is in its current state."""
        if call.state == "answered" and self.call_id is None:
            return replace(self, call_id=call.call_id)
        if call.state == "ended":
            in_call = None if self.call_id == call.call_id else self.call_id
            wrap_up = self.wrap_up_call_id
            if call.answered and self.checked_in and call.disposition is None:
                wrap_up = call.call_id
            return replace(self, call_id=in_call, wrap_up_call_id=wrap_up)
        return self
