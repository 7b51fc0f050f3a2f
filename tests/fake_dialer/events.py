"""Acme's Event Push: one JSON object ``{"call", "state", "number"}`` per call change,
``state`` one of ``ringing``, ``answered``, ``ended``."""

import json
import time

from bridge.events import CallUpdate, EventRefused, PushedEvent, State

STATES: tuple[State, ...] = ("ringing", "answered", "ended")


def read(raw: bytes) -> PushedEvent:
    """The call change pushed in ``raw``; `EventRefused` says what is wrong with it."""
    try:
        value = json.loads(raw)
    except ValueError:
        raise EventRefused("invalid_json", "an Acme push is one JSON object") from None
    if not isinstance(value, dict) or not isinstance(value.get("call"), str):
        raise EventRefused("invalid_event", "an Acme push names its call")
    state = value.get("state")
    if state not in STATES:
        raise EventRefused("unknown_event", f"state must be one of {', '.join(STATES)}")
    number = value.get("number") if isinstance(value.get("number"), str) else None
    update = CallUpdate(call_id=value["call"], state=state, at=time.time(), number=number)
    kept = {"call": value["call"], "state": state, "number": number}
    return PushedEvent(name=f"call:{state}", variables=kept, change=update)
