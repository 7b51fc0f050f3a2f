"""The widget's side of the bridge's live stream (``GET /api/v1/stream``), pure logic.

`LiveStream` writes the ``hello`` (with the id of the last event seen, or the welcome's
``cursor`` before any, so a reconnected stream sends only what was missed), drops
events already seen, updates the `SessionState` and turns each event into the CRM
page's namespaced event. `Backoff` spaces the reconnections after a drop. The browser
glue (main.py) owns the WebSocket.
"""

import protocol

# Close codes after which reconnecting cannot help: the session ended or was refused.
AUTH_FAILED = protocol.CLOSE_AUTH_FAILED


class Backoff:
    """Exponential delays with jitter: each in ``[ceiling / 2, ceiling]``, the ceiling
    doubling from ``first`` up to ``cap`` seconds; `reset` once a stream is welcomed."""

    def __init__(self, random, first: float = 1.0, cap: float = 30.0) -> None:
        self.random = random  # a function returning a float in [0, 1)
        self.first = first
        self.cap = cap
        self.failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return ceiling / 2 + self.random() * ceiling / 2

    def reset(self) -> None:
        self.failures = 0


def crm_event(name: str, data: dict) -> dict:
    """A stream event as the CRM page gets it: its documented fields, namespaced."""
    fields = {}
    for field in protocol.LIVE_FIELDS[name]:
        value = data.get(field)
        if field == "uuid" and not value:
            continue
        fields[field] = value
    return protocol.event(name, **fields)


def _fields(names, data: dict) -> dict:
    fields = {}
    for name in names:
        fields[name] = data.get(name)
    return fields


class LiveStream:
    def __init__(self, state) -> None:
        self.state = state
        self.last_id = None

    def hello(self, token: str) -> dict:
        return {"type": protocol.STREAM_HELLO, "token": token, "after": self.last_id}

    def forget(self) -> None:
        """A new session starts from the server's present, not from the last one's ids."""
        self.last_id = None

    def snapshot(self) -> dict:
        """The ``call_state`` event: the current call (or None), the agent's state and
        the pending wrap-up, for a CRM page that reloaded or opened in a new tab."""
        call = None
        if self.state.live_phase in ("ringing", "connected"):
            call = _fields(protocol.CALL_FIELDS, self.state.live_call)
            call["answered"] = self.state.live_phase == "connected"
        state = self.state.agent_state
        return protocol.event(
            protocol.CALL_STATE,
            call=call,
            agent_state=None
            if state is None
            else _fields(protocol.LIVE_FIELDS["agent_state"], state),
            wrapup=self.state.pending_wrapup(),
        )

    def receive(self, message, now: float = 0.0) -> list:
        """Take one server message (``now`` in seconds, for the call timer); return the
        events for the CRM page (maybe none)."""
        if not isinstance(message, dict):
            return []
        kind = message.get("type")
        if kind == protocol.STREAM_WELCOME:
            cursor = message.get("cursor")
            if self.last_id is None and isinstance(cursor, int):
                self.last_id = cursor  # a drop before the first event resumes from here
            self.state.stream_welcomed(
                bool(message.get("live_status")),
                message.get("state"),
                message.get("calls") or [],
                message.get("pause_reasons") or [],
                now,
            )
            return [self.snapshot()]
        if kind == protocol.STREAM_ERROR:
            self.state.stream_refused(str(message.get("message") or message.get("code")))
            return []
        name = message.get("name")
        event_id = message.get("id")
        if (
            kind != protocol.STREAM_EVENT
            or name not in protocol.LIVE_FIELDS
            or not isinstance(event_id, int)
        ):
            return []
        if self.last_id is not None and event_id <= self.last_id:
            return []  # already seen: a resumed stream never doubles an event
        self.last_id = event_id
        data = message.get("data")
        if not isinstance(data, dict):
            data = {}
        self.state.live_event(name, data, now)
        return [crm_event(name, data)]
