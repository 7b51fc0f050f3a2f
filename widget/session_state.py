"""The agent's session and call, as a small state machine (pure logic).

`SessionState` holds the bearer token in memory only, decides whether a request may go
ahead, and renders what the agent sees as plain texts that the browser glue puts into
the page.
"""

import json

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
# A lookup result shows at most this many rows, each cell at most this many characters
LOOKUP_ROWS = 20
LOOKUP_CELL = 200
URL_MAX = 2048


def web_url(value) -> str:
    """``value`` if it is an http(s) URL a link may point at, else ``""`` (a screen pop's
    URL comes from a webhook: ``javascript:`` and the like must never become a link)."""
    if not isinstance(value, str) or len(value) > URL_MAX:
        return ""
    lowered = value.lower()
    if not (lowered.startswith("http://") or lowered.startswith("https://")):
        return ""
    for char in value:
        if ord(char) <= 32 or ord(char) == 127:
            return ""
    return value if value.split("//", 1)[1] else ""  # a host must follow


def cell_text(value) -> str:
    """A looked-up value as plain text (never markup: the page puts it in textContent)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value) if isinstance(value, (str, int, float)) else json.dumps(value)
    return text if len(text) <= LOOKUP_CELL else text[: LOOKUP_CELL - 1] + "…"


def clock_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    minutes, secs = divmod(int(max(0, seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return str(hours) + ":" + ("0" + str(minutes))[-2:] + ":" + ("0" + str(secs))[-2:]
    return str(minutes) + ":" + ("0" + str(secs))[-2:]


class SessionState:
    def __init__(self, queue_choices: "list | tuple" = ()) -> None:
        self.error = ""
        self.ignored_messages = 0
        # The tenant's queues the agent may pick: [{"id", "name"}], from the page's config
        self.queue_choices = [dict(choice) for choice in queue_choices]
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
        self.screen_pop = {}
        self.lookup = {}

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
        if name == "screen_pop":
            self.screen_pop = data
            return
        if name == "lookup_result":
            self.lookup = data
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

    def _of_live_call(self, data: dict) -> bool:
        """Whether a webhook's result belongs on the panel now: it is of the call shown
        (ringing, connected, or ended and in wrap-up), or of no call at all."""
        call_id = data.get("call_id")
        return not call_id or (
            self.live_phase != LIVE_NONE and call_id == self.live_call.get("call_id")
        )

    def screen_pop_link(self):
        """``{"url", "text"}`` of the screen pop to show, or None (none, or not http(s))."""
        url = web_url(self.screen_pop.get("url"))
        if not url or not self._of_live_call(self.screen_pop):
            return None
        webhook = self.screen_pop.get("webhook")
        return {"url": url, "text": "Open " + (str(webhook) if webhook else "the screen pop")}

    def lookup_table(self):
        """The lookup result to show as ``{"caption", "columns", "rows", "error"}`` (all
        plain text), or None."""
        data = self.lookup
        if not data or not self._of_live_call(data):
            return None
        columns = data.get("columns")
        columns = [cell_text(column) for column in columns] if isinstance(columns, list) else []
        records = data.get("records")
        records = [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []
        rows = []
        for record in records[:LOOKUP_ROWS]:
            rows.append([cell_text(record.get(column)) for column in columns])
        caption = "Lookup " + (cell_text(data.get("webhook")) or "result")
        if len(records) > LOOKUP_ROWS:
            caption += " (first " + str(LOOKUP_ROWS) + " of " + str(len(records)) + ")"
        error = cell_text(data.get("error"))
        if not error and not rows:
            error = "No records found"
        return {"caption": caption, "columns": columns, "rows": rows, "error": error}

    def chosen_queues(self) -> list:
        """The ids of the agent's queues now, as text."""
        return [str(queue) for queue in (self.agent_state or {}).get("queues") or []]

    def queue_name(self, queue_id) -> str:
        for choice in self.queue_choices:
            if choice.get("id") == str(queue_id):
                return str(choice.get("name"))
        return str(queue_id)

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
            text += " · queues " + ", ".join(self.queue_name(queue) for queue in queues)
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
            "queue-controls": acts and bool(self.queue_choices),
            "resume": checked_in and state == "paused",
            "wrapup": live and bool(self.wrapup_call_id),
            "screen-pop": live and self.screen_pop_link() is not None,
            "lookup": live and self.lookup_table() is not None,
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
