"""The REST call-centre API's Event Push, read into the bridge's terms (`read`).

The spec (``Events``) names the events and their variables but not the wrapper; the
bridge reads one JSON object ``{"event": "<name>", "data": {<variables>}}`` per request
(what the simulator sends). Queue events: ``agent:checkin`` (``user_id``, ``device_id``,
``device_name``), ``agent:checkout`` (``user_id``), ``queue:join`` / ``queue:leave``
(``user_id``, ``queues``), ``agent:status`` (``user_id``, ``activity_id``, ``pause_id``,
``in_calls``). Call events ``call:ring``, ``call:answer``, ``call:end``, ``call:start``
with every variable of the spec. Numbers may come as JSON numbers or as text; unknown
variables are dropped (neither read nor kept). Queue events become `AgentEvent`s, call
events `CallUpdate`s.
"""

import time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bridge.events import AgentEvent, CallUpdate, Direction, EventRefused, PushedEvent, State

QUEUE_EVENTS = ("agent:checkin", "agent:checkout", "queue:join", "queue:leave", "agent:status")
CALL_EVENTS = {"call:ring": "ringing", "call:start": "ringing", "call:answer": "answered"}
CALL_EVENTS |= {"call:end": "ended"}
EVENT_NAMES = (*QUEUE_EVENTS, *CALL_EVENTS)
DIRECTIONS: dict[str, Direction] = {"inbound": "inbound", "queue": "inbound"}
DIRECTIONS |= {"outbound": "outbound", "internal": "internal", "conf": "internal"}


def _id_text(value: Any) -> Any:
    """Ids arrive as numbers or text; both are kept as text."""
    if isinstance(value, bool):
        return value
    return str(value) if isinstance(value, int) else value


MAX_INTEGER = 2**53  # the largest integer every JSON reader keeps exactly
MAX_TIME = 253_402_300_799.0  # 9999-12-31T23:59:59Z: a later ts is no time of a call

Id = Annotated[Annotated[str, Field(max_length=128)] | None, BeforeValidator(_id_text)]
Text = Annotated[str, Field(max_length=1000)] | None
TagList = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)]
Whole = Annotated[int | None, Field(ge=-MAX_INTEGER, le=MAX_INTEGER)]
Millis = Annotated[int | None, Field(ge=0, le=MAX_INTEGER)]
Moment = Annotated[float | None, Field(ge=0, le=MAX_TIME, allow_inf_nan=False)]


class Variables(BaseModel):
    """Every variable the spec lists for queue and call events (all optional here)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    # queue events
    user_id: Id = None
    device_id: Id = None
    device_name: Text = None
    queues: Annotated[list[Annotated[str, BeforeValidator(_id_text)]], Field(max_length=1000)] = []
    activity_id: Whole = None
    pause_id: Annotated[int | None, Field(ge=0, le=MAX_INTEGER)] = None
    in_calls: Whole = None
    # call events
    id: Id = None
    call_id: Id = None
    ts: Moment = None
    site_id: Id = None
    type: Text = None
    dst_num: Text = None
    src_device_id: Id = None
    dst_device_id: Id = None
    src_user_id: Id = None
    dst_user_id: Id = None
    cid_num: Text = None
    cid_name: Text = None
    a2: Text = None
    tags: Text | TagList = None
    queue_id: Id = None
    lead_id: Id = None
    lead_name: Text = None
    campaign_id: Id = None
    dialer_id: Id = None
    conference_id: Id = None
    call_script: Id = None
    waitms: Millis = None
    durationms: Millis = None
    progressms: Millis = None
    billms: Millis = None
    cc_wait: Millis = None
    hangup_cause: Text = None
    canceled: Text = None


class Push(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event: Literal[EVENT_NAMES]  # type: ignore[valid-type]
    data: Variables


def read(raw: bytes) -> PushedEvent:
    """The event pushed in ``raw``; `EventRefused` says what is wrong with it."""
    pushed = _parse(raw)
    name, data = pushed.event, pushed.data
    change = call_update(name, data) if name in CALL_EVENTS else agent_event(name, data)
    return PushedEvent(name, data.model_dump(mode="json", exclude_unset=True), change)


def _parse(raw: bytes) -> Push:
    try:
        return Push.model_validate_json(raw)
    except ValidationError as error:
        problems = error.errors(include_url=False, include_input=False, include_context=False)
        if any(p["type"] == "json_invalid" for p in problems):
            raise EventRefused("invalid_json", "the body must be one JSON object") from None
        where = [".".join(str(part) for part in p["loc"]) or "(body)" for p in problems]
        if "event" in where:
            raise EventRefused(
                "unknown_event",
                f"'event' must be one of {', '.join(EVENT_NAMES)}",
            ) from None
        summary = "; ".join(f"{w}: {p['msg']}" for w, p in zip(where, problems, strict=True))
        raise EventRefused("invalid_event", summary) from None


def _tags(value: str | list[str] | None) -> str | None:
    return ",".join(value) if isinstance(value, list) else value


def call_update(name: str, data: Variables) -> CallUpdate:
    """A call event as a `CallUpdate`."""
    call_id = data.call_id or data.id
    if not call_id:
        raise EventRefused("invalid_event", f"{name}: call_id (or id) is required")
    direction = DIRECTIONS.get((data.type or "").lower())
    state: State = CALL_EVENTS[name]  # type: ignore[assignment]
    return CallUpdate(
        call_id=call_id,
        leg_id=data.id,
        state=state,
        at=data.ts if data.ts is not None else time.time(),
        direction=direction,
        number=remote_number(data),
        caller_name=data.cid_name if direction == "inbound" else data.lead_name,
        user_ids=tuple(i for i in (data.src_user_id, data.dst_user_id) if i),
        device_ids=tuple(i for i in (data.src_device_id, data.dst_device_id) if i),
        extension=data.dst_num if direction == "internal" else None,
        queue=data.queue_id,
        lead_id=data.lead_id,
        tags=_tags(data.tags),
        waitms=data.waitms,
        durationms=data.durationms,
        billms=data.billms,
        progressms=data.progressms,
        cc_wait=data.cc_wait,
        hangup_cause=data.hangup_cause,
        canceled=data.canceled,
    )


def remote_number(data: Variables) -> str | None:
    """The other party's number as the dialer wrote it: the caller for inbound calls,
    the dialled destination otherwise."""
    direction = DIRECTIONS.get((data.type or "").lower())
    return data.cid_num if direction == "inbound" else data.dst_num


def agent_event(name: str, data: Variables) -> AgentEvent:
    """A queue event as an `AgentEvent`."""
    if not data.user_id:
        raise EventRefused("invalid_event", f"{name}: user_id is required")
    queues = tuple(data.queues)
    if name == "agent:checkin":
        return AgentEvent(data.user_id, checked_in=True, device_id=data.device_id)
    if name == "agent:checkout":
        return AgentEvent(data.user_id, checked_in=False)
    if name == "queue:join":
        return AgentEvent(data.user_id, joined=queues)
    if name == "queue:leave":
        return AgentEvent(data.user_id, left=queues)
    checked_in = None if data.in_calls is None else bool(data.in_calls)  # agent:status
    return AgentEvent(data.user_id, checked_in=checked_in, pause_id=data.pause_id)
