"""The CRM <-> widget postMessage protocol: every message type named once.

The one wire-protocol module: the widget imports it in the browser (MicroPython or
Pyodide), the server as ``widget.protocol`` for the live stream's words, close codes and
event names, and tests check static/embed.d.ts against it. Inbound
requests are the spec's (``login``, ``logout``, ``click_to_call``), optionally with a
``request_id``. Outbound events carry ``channel: "crm-bridge"`` so they cannot be taken
for the CRM's own messages, and echo the ``request_id`` of the request they answer.
"""

PROTOCOL_VERSION = 1
CHANNEL = "crm-bridge"

# Requests (CRM -> widget)
LOGIN = "login"
LOGOUT = "logout"
CLICK_TO_CALL = "click_to_call"
PLAY_RECORDING = "play_recording"  # our extension: load a call's recording in the widget
# Our extension: the agent's state on the dialer, and a call's wrap-up
CHECK_IN = "check_in"
CHECK_OUT = "check_out"
PAUSE = "pause"
RESUME = "resume"
SET_QUEUES = "set_queues"
WRAPUP = "wrapup"
AGENT_ACTIONS = (CHECK_IN, CHECK_OUT, PAUSE, RESUME, SET_QUEUES)
RUN_WEBHOOK = "run_webhook"  # our extension: run one of the Integration Centre's webhooks
ACTIONS = (LOGIN, LOGOUT, CLICK_TO_CALL, PLAY_RECORDING) + AGENT_ACTIONS + (WRAPUP, RUN_WEBHOOK)
DISPOSITIONS = ("Success", "Unsure", "Failed", "Failed Contact")

# Events (widget -> CRM)
READY = "ready"
LOGGED_IN = "logged_in"
LOGGED_OUT = "logged_out"
CALL_ORIGINATED = "call_originated"
RECORDING_READY = "recording_ready"
ERROR = "error"
WRAPPED_UP = "wrapped_up"  # a wrapup's outcome; the agent requests answer with agent_state
WEBHOOK_STARTED = "webhook_started"  # a run_webhook's outcome: the delivery is under way
# After each welcome of the live stream: the current call, the agent's state, the pending
# wrap-up (a snapshot for a page that reloaded or opened in a new tab)
CALL_STATE = "call_state"
# The panel's content height, so embed.js can size the iframe (``autoResize``)
RESIZE = "resize"
# Live events from the bridge's stream (our extension), forwarded as they come
CALL_RINGING = "call_ringing"
CALL_ANSWERED = "call_answered"
CALL_ENDED = "call_ended"
AGENT_STATE = "agent_state"
# ... and from the Integration Centre's webhooks: a page to open, a record lookup's rows
SCREEN_POP = "screen_pop"
LOOKUP_RESULT = "lookup_result"
LIVE_EVENTS = (CALL_RINGING, CALL_ANSWERED, CALL_ENDED, AGENT_STATE, SCREEN_POP, LOOKUP_RESULT)
EVENTS = (READY, LOGGED_IN, LOGGED_OUT, CALL_ORIGINATED, RECORDING_READY, ERROR, WRAPPED_UP)
EVENTS = EVENTS + (WEBHOOK_STARTED, CALL_STATE, RESIZE) + LIVE_EVENTS
# Who placed a call: the CRM page (click_to_call) or the agent in the panel (call_originated)
SOURCE_CRM = "crm"
SOURCE_WIDGET = "widget"

# The fields each live event carries to the CRM page (``uuid`` only for a click_to_call's)
CALL_FIELDS = (
    "call_id",
    "uuid",
    "direction",
    "number",
    "display",
    "caller_name",
    "queue",
    "queue_name",
    "lead_id",
)
LIVE_FIELDS = {
    CALL_RINGING: CALL_FIELDS,
    CALL_ANSWERED: CALL_FIELDS,
    CALL_ENDED: CALL_FIELDS + ("duration_ms", "bill_ms", "hangup_cause"),
    AGENT_STATE: ("state", "pause_reason", "queues", "since", "wrapup"),
    SCREEN_POP: ("url", "webhook", "call_id"),
    LOOKUP_RESULT: ("webhook", "call_id", "columns", "labels", "records", "error"),
}
# The live stream between the widget and the server (/api/v1/stream, docs/protocol.md):
# the widget says hello, the server answers welcome, then sends each event once.
STREAM_HELLO = "hello"
STREAM_WELCOME = "welcome"
STREAM_EVENT = "event"
STREAM_ERROR = "error"  # why the server closes the stream, just before it does
# ... and the codes it closes with: the widget signs in again after AUTH_FAILED, and
# reconnects (resuming after its last event) after the others.
CLOSE_BAD_HELLO = 4400
CLOSE_AUTH_FAILED = 4401
CLOSE_RESTARTING = 1012  # the instance is stopping: another takes over
CLOSE_TRY_AGAIN_LATER = 1013  # the database is down for a moment

CRM_TAG_MAX = 100  # characters of click_to_call's crm_tag
# The most characters the server takes in each login field (a longer one is refused here)
LOGIN_FIELD_MAX = {"username": 150, "password": 200, "token": 100, "extension": 32}

# Error codes carried by ``error`` events
INVALID_MESSAGE = "invalid_message"
UNKNOWN_ACTION = "unknown_action"
NOT_LOGGED_IN = "not_logged_in"
SERVER_UNREACHABLE = "server_unreachable"
# The widget could not start: sent by its page's start-up script (widget/templates/_startup.js)
# to the CRM and in answer to every request, since the Python above never ran.
WIDGET_FAILED = "widget_failed"
# No ``ready`` came within embed.js's ``readyTimeout``: raised by static/embed.js itself.
WIDGET_NOT_READY = "widget_not_ready"
# The call was sent to the dialer but its answer did not come: it may have been placed.
DIALER_OUTCOME_UNKNOWN = "dialer_outcome_unknown"
# A click_to_call while a call is being placed or is not over yet: one call at a time.
CALL_IN_PROGRESS = "call_in_progress"

_REQUIRED_TEXT = {
    LOGIN: ("username", "password"),
    LOGOUT: (),
    CLICK_TO_CALL: ("phone_number",),
    PLAY_RECORDING: ("filename",),
    CHECK_IN: (),
    CHECK_OUT: (),
    PAUSE: ("reason",),
    RESUME: (),
    SET_QUEUES: (),
    WRAPUP: ("call_id", "disposition"),
    RUN_WEBHOOK: ("webhook",),
}
# ``login`` with a single-use token from the CRM's back end instead of a password.
_TOKEN_LOGIN_REQUIRED = ("token",)
_TOKEN_LOGIN_OPTIONAL = ("extension",)
_OPTIONAL_TEXT = {
    LOGIN: ("extension", "phone_pass"),
    LOGOUT: (),
    CLICK_TO_CALL: ("phone_code", "crm_tag"),
    PLAY_RECORDING: (),
    CHECK_IN: ("device_id",),
    CHECK_OUT: (),
    PAUSE: (),
    RESUME: (),
    SET_QUEUES: (),
    WRAPUP: ("outcome", "notes"),
    RUN_WEBHOOK: ("call_id", "dynamic_parameter"),
}


class ProtocolError(Exception):
    """A request that cannot be carried out as sent; ``message`` says what to fix."""

    def __init__(self, code: str, message: str, request_id=None, action=None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.action = action


def is_request(data) -> bool:
    """True for messages meant for the widget, which answers each of them.

    Those are objects with an ``action``, and objects whose ``type`` names one of our
    actions (a common mix-up, answered with what to fix). Anything else - text that is not
    JSON, arrays, objects with neither - may be the CRM's own traffic and is left alone.
    """
    if not isinstance(data, dict):
        return False
    return "action" in data or data.get("type") in ACTIONS


def _text(value) -> "str | None":
    """Accept text and plain numbers (CRMs often post a phone number as a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    return None


def parse_request(data: dict) -> dict:
    """Validate one inbound message; return ``{"action", "request_id", ...fields}``."""
    request_id = data.get("request_id")
    if request_id is not None and not isinstance(request_id, (str, int)):
        request_id = None
    if "action" not in data and data.get("type") in ACTIONS:
        raise ProtocolError(
            INVALID_MESSAGE,
            "the request names its action in 'type'; use 'action': {action: '"
            + data["type"]
            + "', ...}",
            request_id,
            data["type"],
        )
    action = data.get("action")
    if action not in ACTIONS:
        raise ProtocolError(
            UNKNOWN_ACTION,
            "unknown action " + repr(action) + "; expected one of " + ", ".join(ACTIONS),
            request_id,
            action if isinstance(action, str) else None,
        )
    request = {"action": action, "request_id": request_id}
    with_token = action == LOGIN and data.get("token") is not None
    skip = action == WRAPUP and data.get("skip") is True
    required = _TOKEN_LOGIN_REQUIRED if with_token else _REQUIRED_TEXT[action]
    if skip:
        required = ("call_id",)
    optional = _TOKEN_LOGIN_OPTIONAL if with_token else _OPTIONAL_TEXT[action]
    for name in required:
        value = _text(data.get(name))
        if not value:
            raise ProtocolError(
                INVALID_MESSAGE,
                action + " needs '" + name + "' as non-empty text",
                request_id,
                action,
            )
        request[name] = value
    for name in optional:
        value = data.get(name)
        if value is None:
            request[name] = ""
            continue
        text = _text(value)
        if text is None:
            raise ProtocolError(
                INVALID_MESSAGE, action + ": '" + name + "' must be text", request_id, action
            )
        request[name] = text
    if action == WRAPUP:
        request["skip"] = skip
        request.setdefault("disposition", "")
    if action == LOGIN:
        _check_login_lengths(request)
    if action == WRAPUP and not skip and request["disposition"] not in DISPOSITIONS:
        raise ProtocolError(
            INVALID_MESSAGE,
            "wrapup: 'disposition' must be one of " + ", ".join(DISPOSITIONS),
            request_id,
            action,
        )
    if action == SET_QUEUES:
        request["queues"] = _queues(data.get("queues"), request_id)
    if action == CLICK_TO_CALL and len(request["crm_tag"]) > CRM_TAG_MAX:
        raise ProtocolError(
            INVALID_MESSAGE,
            "click_to_call: 'crm_tag' must be at most " + str(CRM_TAG_MAX) + " characters",
            request_id,
            action,
        )
    return request


def _check_login_lengths(request: dict) -> None:
    for name in LOGIN_FIELD_MAX:
        if len(request.get(name) or "") > LOGIN_FIELD_MAX[name]:
            raise ProtocolError(
                INVALID_MESSAGE,
                "login: '"
                + name
                + "' must be at most "
                + str(LOGIN_FIELD_MAX[name])
                + " characters",
                request["request_id"],
                LOGIN,
            )


def _queues(value, request_id) -> list:
    queues = [_text(queue) for queue in value] if isinstance(value, list) else None
    if queues is None or not all(queues):
        raise ProtocolError(
            INVALID_MESSAGE,
            "set_queues needs 'queues' as a list of queue ids (text or numbers; [] for none)",
            request_id,
            SET_QUEUES,
        )
    return queues


def event(name: str, request_id=None, **fields) -> dict:
    """An outbound event, namespaced by ``channel``."""
    message = {"channel": CHANNEL, "protocol": PROTOCOL_VERSION, "event": name}
    if request_id is not None:
        message["request_id"] = request_id
    message.update(fields)
    return message


def error_event(code: str, message: str, request_id=None, action=None) -> dict:
    return event(ERROR, request_id, code=code, message=message, action=action)
