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

    def view(self) -> dict:
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
        }
