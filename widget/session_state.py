"""The agent's session and call, as a small state machine (pure logic).

`SessionState` holds the bearer token in memory only, decides whether a request may go
ahead, and renders what the agent sees as plain texts that the browser glue puts into
the page.
"""

LOGGED_OUT = "logged_out"
LOGGING_IN = "logging_in"
LOGGED_IN = "logged_in"

CALL_IDLE = "idle"
CALL_DIALING = "dialing"
CALL_STARTED = "started"
CALL_FAILED = "failed"
CALL_UNKNOWN = "unknown"  # sent to the dialer, no answer: it may have been placed

# The live call, as the bridge's stream tells it
LIVE_NONE = "none"
LIVE_RINGING = "ringing"
LIVE_CONNECTED = "connected"
LIVE_ENDED = "ended"
LIVE_PHASES = {
    "call_ringing": LIVE_RINGING,
    "call_answered": LIVE_CONNECTED,
    "call_ended": LIVE_ENDED,
}

AGENT_STATES = {
    "checked_out": "Checked out",
    "available": "Available",
    "paused": "Paused",
    "in_call": "In a call",
    "wrap_up": "Wrap-up",
}
NO_LIVE_STATUS = "Live call status is not available for this dialer"


def clock_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    minutes, secs = divmod(int(max(0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return str(hours) + ":" + ("0" + str(minutes))[-2:] + ":" + ("0" + str(secs))[-2:]
    return str(minutes) + ":" + ("0" + str(secs))[-2:]


class SessionState:
    def __init__(self) -> None:
        self.error = ""
        self.ignored_messages = 0
        self.logged_out()

    @property
    def logged_in(self) -> bool:
        return self.status == LOGGED_IN

    def begin_login(self, username: str) -> None:
        self.status = LOGGING_IN
        self.username = username
        self.error = ""

    def login_succeeded(self, token: str, username: str, extension: str) -> None:
        self.status = LOGGED_IN
        self.token = token
        self.username = username
        self.extension = extension
        self.error = ""

    def logged_out(self) -> None:
        """Forget the token and the call: nothing of the session stays in memory."""
        self.status = LOGGED_OUT
        self.token = None
        self.username = ""
        self.extension = ""
        self.call_status = CALL_IDLE
        self.call_number = ""
        self.call_uuid = ""
        self.recording_name = ""
        self.recording_url = ""
        self.live_status = None  # unknown until the stream welcomes the widget
        self.agent_state = None
        self.pause_reasons = []
        self.live_phase = LIVE_NONE
        self.live_call = {}
        self.connected_at = 0.0
        self.wrapup_call_id = ""

    def stream_welcomed(self, live_status: bool, agent_state, calls: list, reasons: list) -> None:
        self.live_status = live_status
        self.agent_state = agent_state if isinstance(agent_state, dict) else None
        self.pause_reasons = [str(reason) for reason in reasons]
        if calls and isinstance(calls[-1], dict) and self.live_phase == LIVE_NONE:
            self.live_call = calls[-1]
            self.live_phase = LIVE_CONNECTED if calls[-1].get("answered") else LIVE_RINGING

    def stream_refused(self, message: str) -> None:
        self.error = "live events: " + message

    def live_event(self, name: str, data: dict, now: float = 0.0) -> None:
        """Apply one stream event; ``now`` (seconds) starts a connected call's timer."""
        if name == "agent_state":
            self.agent_state = data
            return
        phase = LIVE_PHASES[name]
        if not self._shows(data.get("call_id"), phase):
            return
        if phase == LIVE_CONNECTED:
            self.connected_at = now
        if phase == LIVE_ENDED:
            self.wrapup_call_id = str(data.get("call_id") or "")
        self.live_phase = phase
        self.live_call = data

    def _shows(self, call_id, phase: str) -> bool:
        """Whether an event of call ``call_id`` takes the panel: another call's events do
        not hide a connected call, nor does another call's end hide a ringing one."""
        if call_id == self.live_call.get("call_id") or self.live_phase in (LIVE_NONE, LIVE_ENDED):
            return True
        return self.live_phase == LIVE_RINGING and phase != LIVE_ENDED

    def wrapped_up(self) -> None:
        self.wrapup_call_id = ""

    def begin_call(self, number: str) -> None:
        self.call_status = CALL_DIALING
        self.call_number = number
        self.call_uuid = ""
        self.error = ""

    def call_originated(self, number: str, uuid: str) -> None:
        self.call_status = CALL_STARTED
        self.call_number = number
        self.call_uuid = uuid or ""

    def recording_loaded(self, name: str, url: str) -> None:
        self.recording_name = name
        self.recording_url = url
        self.error = ""

    def failed(self, message: str) -> None:
        """Record an error; a call being dialled is marked failed, the session is kept."""
        self.error = message
        if self.call_status == CALL_DIALING:
            self.call_status = CALL_FAILED
        if self.status == LOGGING_IN:
            self.status = LOGGED_OUT
            self.username = ""

    def call_outcome_unknown(self, message: str) -> None:
        """The dialer got the call but did not answer: it may ring; the session is kept."""
        self.error = message
        if self.call_status == CALL_DIALING:
            self.call_status = CALL_UNKNOWN

    def ignore_message(self) -> None:
        self.ignored_messages += 1

    def agent_text(self) -> str:
        if self.agent_state is None:
            return ""
        text = AGENT_STATES.get(self.agent_state.get("state"), str(self.agent_state.get("state")))
        if self.agent_state.get("pause_reason"):
            text += " (" + str(self.agent_state["pause_reason"]) + ")"
        queues = self.agent_state.get("queues") or []
        if queues:
            text += " · queues " + ", ".join(str(queue) for queue in queues)
        return text

    def live_text(self, now: float) -> str:
        if self.live_status is False:
            return NO_LIVE_STATUS
        if self.live_phase == LIVE_NONE:
            return ""
        call = self.live_call
        party = str(call.get("number") or "unknown number")
        if call.get("caller_name"):
            party += " (" + str(call["caller_name"]) + ")"
        way = "from " if call.get("direction") == "inbound" else "to "
        if self.live_phase == LIVE_RINGING:
            return "Ringing " + way + party
        if self.live_phase == LIVE_CONNECTED:
            return "Connected " + way + party + " · " + clock_text(now - self.connected_at)
        duration = clock_text((call.get("duration_ms") or 0) / 1000)
        text = "Ended " + way + party + " after " + duration
        if call.get("hangup_cause"):
            text += " (" + str(call["hangup_cause"]) + ")"
        return text

    def controls(self) -> dict:
        """Which of the panel's controls show, keyed by ``data-testid``."""
        state = (self.agent_state or {}).get("state", "checked_out")
        live = self.logged_in and self.live_status is not None
        acts = live and self.live_status is True  # a dialer without live status has no states
        checked_in = acts and state != "checked_out"
        return {
            "live": live,
            "check-in": acts and not checked_in,
            "check-out": checked_in,
            "pause-controls": checked_in and state != "paused" and bool(self.pause_reasons),
            "resume": checked_in and state == "paused",
            "wrapup": live and bool(self.wrapup_call_id),
        }

    def view(self, now: float = 0.0) -> dict:
        """The texts the widget shows, keyed by the element's ``data-testid``."""
        if self.status == LOGGED_IN:
            session = "Logged in as " + self.username
            if self.extension:
                session += " (ext. " + self.extension + ")"
        elif self.status == LOGGING_IN:
            session = "Logging in as " + self.username + "…"
        else:
            session = "Logged out"
        calls = {
            CALL_IDLE: "No call",
            CALL_DIALING: "Calling " + self.call_number + "…",
            CALL_STARTED: "Call started to " + self.call_number,
            CALL_FAILED: "Call to " + self.call_number + " failed",
            CALL_UNKNOWN: "Call to "
            + self.call_number
            + " may have been placed: check before calling again",
        }
        return {
            "session-status": session,
            "call-status": calls[self.call_status],
            "error": self.error,
            "ignored-count": str(self.ignored_messages),
            "recording-status": ("Recording " + self.recording_name) if self.recording_name else "",
            "agent-state": self.agent_text(),
            "live-call": self.live_text(now),
        }
