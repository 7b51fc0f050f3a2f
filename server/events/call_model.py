"""One call per dialer ``call_id``: ``ringing → answered → ended`` (or ended unanswered).

`merge` folds a `CallUpdate` (what a dialer's event says, `bridge.events`) into a `Call`.
The state only moves forward, a value once known is kept, and the timings come from the
end, so updates arriving late, early or twice leave the same call. `agent_news` says
which stream event the call's agent has not had yet (at most one per state reached,
none for states skipped).
"""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bridge import CallUpdate, Direction, State
from server.events.call_display import display_number
from widget import protocol

RANK: dict[str | None, int] = {None: 0, "ringing": 1, "answered": 2, "ended": 3}
EVENT_OF_STATE = {
    "ringing": protocol.CALL_RINGING,
    "answered": protocol.CALL_ANSWERED,
    "ended": protocol.CALL_ENDED,
}
DISPOSITIONS = ("Success", "Unsure", "Failed", "Failed Contact")


@dataclass(frozen=True, slots=True)
class Call:
    tenant: str
    dialer: str
    call_id: str
    state: State
    direction: Direction
    started_at: float
    uuid: str | None = None
    number: str = ""
    caller_name: str = ""
    agent_id: int | None = None
    queue: str | None = None
    lead_id: str | None = None
    tags: str | None = None
    answered: bool = False
    waitms: int | None = None
    durationms: int | None = None
    billms: int | None = None
    progressms: int | None = None
    cc_wait: int | None = None
    hangup_cause: str | None = None
    canceled: str | None = None
    answered_at: float | None = None
    ended_at: float | None = None
    notified: State | None = None
    disposition: str | None = None
    outcome: str | None = None
    notes: str | None = None
    crm_tag: str | None = None  # from the click-to-call that made the call


def _first(*values: Any) -> Any:
    return next((value for value in values if value not in (None, "")), None)


def _earliest(known: float | None, new: float | None) -> float | None:
    return new if known is None else known if new is None else min(known, new)


def merge(
    tenant: str, dialer: str, call: Call | None, update: CallUpdate, agent_id: int | None
) -> Call:
    """``call`` (None if new) with ``update`` folded in; ``agent_id`` is the agent the
    update names, if any (the answering agent takes over a call rung to another)."""
    if call is None:
        call = Call(
            tenant=tenant,
            dialer=dialer,
            call_id=update.call_id,
            state=update.state,
            direction=update.direction or "outbound",
            started_at=update.at,
        )
    state = update.state if RANK[update.state] > RANK[call.state] else call.state
    answered = call.answered or update.state == "answered" or (update.billms or 0) > 0
    ended = update.state == "ended"
    if agent_id is not None and (call.agent_id is None or update.state == "answered"):
        call = replace(call, agent_id=agent_id)
    return replace(
        call,
        state=state,
        answered=answered,
        number=_first(call.number, update.number) or "",
        caller_name=_first(call.caller_name, update.caller_name) or "",
        queue=_first(call.queue, update.queue),
        lead_id=_first(call.lead_id, update.lead_id),
        tags=_first(call.tags, update.tags),
        waitms=_first(update.waitms if ended else None, call.waitms),
        durationms=_first(update.durationms if ended else None, call.durationms),
        billms=_first(update.billms if ended else None, call.billms),
        progressms=_first(call.progressms, update.progressms),
        cc_wait=_first(update.cc_wait if ended else None, call.cc_wait),
        hangup_cause=_first(call.hangup_cause, update.hangup_cause),
        canceled=_first(call.canceled, update.canceled),
        started_at=min(call.started_at, update.at) if update.state != "ended" else call.started_at,
        answered_at=_earliest(call.answered_at, update.at if update.state == "answered" else None),
        ended_at=_first(call.ended_at, update.at if ended else None),
        disposition=_first(update.disposition, call.disposition),
        outcome=_first(update.outcome, call.outcome),
        notes=_first(update.notes, call.notes),
    )


def agent_news(call: Call) -> str | None:
    """The stream event the call's agent is owed (``call_ringing``...), or None."""
    if call.agent_id is None or RANK[call.state] <= RANK[call.notified]:
        return None
    return EVENT_OF_STATE[call.state]


def event_data(call: Call, queue_names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A call event's ``data``, as the widget and the CRM page get it; ``queue_names``
    are the tenant's names of its queues."""
    data: dict[str, Any] = {
        "call_id": call.call_id,
        "uuid": call.uuid,
        "direction": call.direction,
        "number": call.number,
        "display": display_number(call.number),
        "caller_name": call.caller_name,
        "queue": call.queue,
        "queue_name": (queue_names or {}).get(call.queue) if call.queue else None,
        "lead_id": call.lead_id,
    }
    if call.state == "ended":
        data |= {
            "duration_ms": call.durationms,
            "bill_ms": call.billms,
            "hangup_cause": call.hangup_cause or call.canceled,
            "answered": call.answered,
        }
    return data
