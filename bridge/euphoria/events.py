"""Euphoria's Integration Centre webhooks, read as call updates (`read`).

Euphoria has no event push of its own; an administrator creates a webhook (AJAX POST)
whose parameter lines send the `{VARIABLE}`s of ``specs/002_…`` under the same names
without braces (``CALL_SIPID={CALL_SIPID}``), plus ``event`` (``ring``, ``answer`` or
``end``; without it, ``end``) and ``api_key`` (a key of the bridge's API Manager, unless
the group's auth sends it as a header). `WEBHOOK_PARAMETERS` is what the admin page
prints. A variable Euphoria left unexpanded (``{CALL_QUEUE}``) counts as empty.
"""

import re
import time
from collections.abc import Mapping

from bridge.events import CallUpdate, Direction, EventRefused, PushedEvent, State

WEBHOOK_PARAMETERS = (
    "CALL_SIPID",
    "CALL_DIR",
    "CALL_NUMBER",
    "CALLERID_NAME",
    "CALLERID_NUMBER",
    "EXTENSION_NO",
    "CALL_QUEUE",
    "CALL_DURATION",
    "CALL_DISPOSITION",
    "CALL_OUTCOME",
    "CALL_NOTES",
    "CALL_CRMTAG",
)
EVENTS: dict[str, State] = {"ring": "ringing", "answer": "answered", "end": "ended"}
DIRECTIONS: dict[str, Direction] = {"outgoing": "outbound", "incoming": "inbound"}
MAX_VALUE = 2000
MAX_PARAMETERS = 100  # a webhook sends the dozen above; more is no Euphoria webhook
KEPT = frozenset((*WEBHOOK_PARAMETERS, "event"))  # what is stored with the event
MAX_DURATION_SECONDS = 2**53 // 1000  # in milliseconds, still exact in every JSON reader
_UNEXPANDED = re.compile(r"^\{[A-Z_]+\}$")


def _value(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    if len(value) > MAX_VALUE:
        raise EventRefused("invalid_event", f"{name}: at most {MAX_VALUE} characters")
    return None if not value or _UNEXPANDED.match(value) else value


def event_name(params: Mapping[str, str]) -> str:
    name = (_value(params, "event") or "end").lower()
    if name not in EVENTS:
        raise EventRefused(
            "unknown_event", f"event must be one of {', '.join(EVENTS)}, not {name!r}"
        )
    return name


def remote_number(params: Mapping[str, str]) -> str | None:
    return _value(params, "CALL_NUMBER") or _value(params, "CALLERID_NUMBER")


def read(params: Mapping[str, str]) -> PushedEvent:
    """The event the webhook's ``params`` tell (its API key taken out); `EventRefused`
    says what is wrong with them."""
    number = remote_number(params)
    update = call_update(params, number)
    name = event_name(params)
    return PushedEvent(name, {k: v for k, v in params.items() if k in KEPT}, update)


def call_update(params: Mapping[str, str], number: str | None) -> CallUpdate:
    """The webhook's parameters as a `CallUpdate`; ``number`` is the remote party's."""
    call_id = _value(params, "CALL_SIPID")
    if call_id is None:
        raise EventRefused("invalid_event", "CALL_SIPID is required: add CALL_SIPID={CALL_SIPID}")
    direction_text = (_value(params, "CALL_DIR") or "").lower()
    if direction_text and direction_text not in DIRECTIONS:
        raise EventRefused("invalid_event", "CALL_DIR must be outgoing or incoming")
    duration = _value(params, "CALL_DURATION")
    if duration is not None and not (
        duration.isascii() and duration.isdigit() and int(duration) <= MAX_DURATION_SECONDS
    ):
        raise EventRefused(
            "invalid_event",
            f"CALL_DURATION must be a whole number of seconds (0-9 only), at most"
            f" {MAX_DURATION_SECONDS}",
        )
    disposition = _value(params, "CALL_DISPOSITION")
    state = EVENTS[event_name(params)]
    return CallUpdate(
        call_id=call_id,
        state=state,
        at=time.time(),
        direction=DIRECTIONS.get(direction_text),
        number=number,
        caller_name=_value(params, "CALLERID_NAME"),
        extension=_value(params, "EXTENSION_NO"),
        queue=_value(params, "CALL_QUEUE"),
        tags=_value(params, "CALL_CRMTAG"),
        billms=int(duration) * 1000 if duration is not None and state == "ended" else None,
        disposition=disposition,
        outcome=_value(params, "CALL_OUTCOME"),
        notes=_value(params, "CALL_NOTES"),
    )
