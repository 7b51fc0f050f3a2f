"""Every error code the bridge answers, declared once: its HTTP status, its sentence, and
who can meet it.

A refusal names its code (``Problem("unknown_call", ...)``, a `bridge.DialerError`
subclass's ``code``); the status, the default message and the standing headers come from
here, and one renderer per channel turns it into an answer: JSON ``{"error": {"code",
"message", ...}}`` for the APIs (`server.error_middleware`), an HTML page for a person on
the admin pages (`server.routes.admin_error_pages`), a close code for the live stream
(`STREAM_CLOSES`).

Adding an error:

1. add an `ErrorCode` to ``_CODES`` below: the code, its HTTP status, a sentence (the
   message when a raise gives none), and the audiences that can meet it;
2. raise ``Problem("your_code", "what to do about it, for people")`` (never a status:
   the catalogue has it), or give a new `bridge.DialerError` subclass its ``code``; a
   refusal of the live stream is a code of `STREAM_CLOSES`, with its close code;
3. list the code, with its status, in the error table of each audience's doc
   (`DOCUMENTED_IN`: docs/protocol.md, docs/crm-api.md).

``tests/server/test_error_catalogue.py`` fails until the three agree: a code raised, answered
or closed with anywhere in server/ or bridge/ that is not here, a `DialerError`
subclass whose code is not here, a code missing from its audiences' tables or listed
there with another status.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import bridge
from widget import protocol

Audience = Literal["widget", "crm", "admin"]
WIDGET: Audience = "widget"  # the agents' widget and its server API, the live stream
CRM: Audience = "crm"  # a CRM's back end (API keys) and the dialers' event pushes
ADMIN: Audience = "admin"  # the bridge's admin pages and their JSON API

# Where each audience reads its error codes: a table whose first column names codes.
DOCUMENTED_IN: Mapping[Audience, tuple[str, str]] = MappingProxyType(
    {
        WIDGET: ("docs/protocol.md", "## Error codes"),
        CRM: ("docs/crm-api.md", "## Errors"),
        ADMIN: ("docs/crm-api.md", "### Admin errors"),
    }
)

BEARER = MappingProxyType({"WWW-Authenticate": "Bearer"})

# The live stream's close codes (RFC 6455 §7.4; 4xxx are the bridge's own), from the wire
# protocol the widget shares.
BAD_HELLO = protocol.CLOSE_BAD_HELLO  # no hello, or not one
AUTH_FAILED = protocol.CLOSE_AUTH_FAILED  # unknown or expired token, agent disabled, session over
RESTARTING = protocol.CLOSE_RESTARTING  # the instance stops; the widget reconnects elsewhere
TRY_AGAIN_LATER = protocol.CLOSE_TRY_AGAIN_LATER  # the database is down: the widget reconnects


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    status: int
    sentence: str  # what it means, for people: the message when a refusal gives none
    audiences: frozenset[Audience]
    # The status when the unknown thing was named in a body's or query's field (400)
    # rather than in the path (``status``, 404).
    field_status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def _code(
    code: str,
    status: int,
    sentence: str,
    *audiences: Audience,
    field_status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> ErrorCode:
    return ErrorCode(code, status, sentence, frozenset(audiences), field_status, headers or {})


_EVERYONE = (WIDGET, CRM, ADMIN)
_APIS = (WIDGET, CRM)

_CODES = (
    # Requests the bridge cannot read
    _code("invalid_message", 400, "a field is missing, unknown or out of range", *_EVERYONE),
    _code("invalid_json", 400, "the body is not valid JSON", *_EVERYONE),
    _code("invalid_query", 400, "a query parameter is not valid", *_EVERYONE),
    _code("body_too_large", 413, "the body is larger than the bridge accepts", *_EVERYONE),
    _code(
        "unsupported_media_type",
        415,
        "send the body as JSON with Content-Type: application/json",
        *_EVERYONE,
    ),
    # aiohttp's own refusals on the JSON APIs, named after their reason
    _code("not_found", 404, "no such route", *_EVERYONE),
    _code("method_not_allowed", 405, "this route does not take this method", *_EVERYONE),
    _code("request_entity_too_large", 413, "the body is over 16 MiB", *_EVERYONE),
    # The bridge itself
    _code(
        "internal_error",
        500,
        "the bridge failed unexpectedly; quote the request id to its operator",
        *_EVERYONE,
    ),
    _code(
        "database_unavailable",
        503,
        "the bridge's database is unavailable for a moment; try again",
        *_EVERYONE,
    ),
    # Agents: login, sessions
    _code("unknown_tenant", 404, "no such tenant is configured", WIDGET, ADMIN, field_status=400),
    _code("invalid_credentials", 401, "wrong username or password", WIDGET),
    _code("too_many_attempts", 429, "too many wrong passwords: wait and try again", WIDGET, ADMIN),
    _code(
        "too_many_streams",
        429,
        "too many live streams wait for their hello from this address: try again",
        WIDGET,
    ),
    _code("server_busy", 503, "the bridge is busy checking passwords: try again", WIDGET),
    _code("extension_not_allowed", 403, "this extension is not allowed for the agent", WIDGET),
    _code(
        "invalid_login_token",
        401,
        "this login token is unknown, used or expired: ask the CRM for a new one",
        WIDGET,
        headers=BEARER,
    ),
    _code("agent_disabled", 403, "this agent is disabled; ask an administrator", WIDGET, CRM),
    _code("not_logged_in", 401, "log in first: no bearer token was sent", WIDGET, headers=BEARER),
    _code("invalid_token", 401, "not logged in: the session is unknown", WIDGET, headers=BEARER),
    _code("session_expired", 401, "the session has expired: log in again", WIDGET, headers=BEARER),
    # Agents: calls and state
    _code("invalid_number", 400, "the number cannot be dialled", WIDGET),
    _code("call_in_progress", 409, "the agent is placing a call or is on one", WIDGET),
    _code("no_dialer_user", 409, "the agent has no user id on the dialer", WIDGET),
    _code("unknown_pause_reason", 400, "not one of the tenant's pause reasons", WIDGET),
    _code("unknown_call", 404, "the bridge knows no such call", WIDGET, CRM),
    _code("not_your_call", 403, "this call is another agent's", WIDGET),
    _code("invalid_filename", 400, "not a recording's file name", WIDGET, CRM),
    _code("invalid_format", 400, "not a recording format the bridge offers", WIDGET, CRM),
    _code("not_manual", 409, "this webhook does not run manually", WIDGET),
    # CRM back ends
    _code("missing_api_key", 401, "send the tenant's API key in X-Api-Key", CRM, headers=BEARER),
    _code("invalid_api_key", 401, "this API key is unknown or revoked", CRM, headers=BEARER),
    _code("unknown_agent", 404, "the bridge knows no such agent", CRM),
    _code("unknown_dialer", 404, "the tenant has no such dialer", CRM, ADMIN),
    _code("unknown_report", 404, "no such report", CRM, ADMIN),
    _code("unknown_job", 404, "no such job", CRM, ADMIN),
    _code("job_finished", 409, "the job has finished already: nothing to cancel", CRM),
    _code("job_running", 409, "the job is still running: retry once it has finished", CRM),
    _code("nothing_to_retry", 409, "the job has no failed rows to retry", CRM),
    _code("job_failed", 502, "the job failed", CRM),
    _code(
        "invalid_idempotency_key",
        400,
        "Idempotency-Key must be 1 to 255 printable characters",
        CRM,
    ),
    _code(
        "idempotency_key_reused",
        422,
        "this Idempotency-Key was used for a different request: use a new key",
        CRM,
    ),
    # Dialers pushing events
    _code("unknown_event_url", 404, "no REST dialer has this Event Push URL", CRM),
    _code("source_not_allowed", 403, "events are accepted from the dialer's sources only", CRM),
    _code("invalid_secret", 401, "the secret in this Event Push URL is not the current one", CRM),
    _code("unknown_event", 400, "not an event the bridge knows", CRM),
    _code("invalid_event", 400, "a field of the event is missing or not valid", CRM),
    _code("event_too_large", 413, "the event is larger than the bridge accepts", CRM),
    _code("too_many_events", 429, "the tenant's dialers send too many events: send it again", CRM),
    _code("no_euphoria_dialer", 404, "the tenant has no Euphoria dialer", CRM),
    # The admin
    _code(
        "admin_disabled",
        503,
        "the admin pages are off: configure [admin] username and password",
        ADMIN,
    ),
    _code("admin_login_required", 401, "log in as the bridge's admin", ADMIN),
    _code("cross_origin_change", 403, "changes are accepted from the bridge's origin only", ADMIN),
    _code("unknown_key", 404, "no such API key", ADMIN),
    _code("unknown_upload", 404, "no such upload: it was imported or is over a day old", ADMIN),
    _code("unknown_group", 404, "no such group", ADMIN, field_status=400),
    _code("unknown_webhook", 404, "no such webhook", WIDGET, ADMIN),
    _code("unknown_member", 404, "no such member of the group", ADMIN),
    _code("unknown_delivery", 404, "no such delivery", ADMIN),
    _code("name_taken", 409, "the tenant has one of that name already", ADMIN),
    _code("group_in_use", 409, "a webhook uses this group", ADMIN),
    _code("webhook_in_use", 409, "this webhook runs on an event or has deliveries to send", ADMIN),
    _code("declared", 409, "it is declared in the configuration file: change it there", ADMIN),
    _code("not_user_level", 409, "only a user-level group with authentication has members", ADMIN),
    _code("no_member", 409, "the agent is not a member of the user-level group", ADMIN),
    _code("not_failed", 409, "only a failed delivery is retried", ADMIN),
    _code("secret_required", 400, "the group's authentication needs its secret", ADMIN),
    _code("secret_in_browser", 400, "a browser window webhook cannot carry a secret", ADMIN),
    _code(
        "secret_unreadable", 500, "a stored secret was encrypted with a key no longer known", ADMIN
    ),
    _code("secret_keys_missing", 503, "the bridge has no key to encrypt secrets with", ADMIN),
    _code("unsafe_url", 400, "the bridge does not send requests to this URL", ADMIN),
    _code("crm_unreachable", 502, "the CRM cannot be reached", ADMIN),
    # The dialers (`bridge.errors`): every `DialerError` subclass's code; the admin
    # pages show a dialer's refusal on their forms
    _code("invalid_request", 400, "refused before sending: a field the dialer cannot take", *_APIS),
    _code("not_supported", 501, "the dialer's API has no such operation", *_APIS),
    _code("dialer_unauthorized", 502, "the dialer refused the bridge's credentials", *_APIS),
    _code("dialer_locked", 503, "the dialer locked the bridge's API user for a while", *_APIS),
    _code("dialer_rejected", 422, "the dialer said no", *_APIS),
    _code("dialer_busy", 503, "the dialer is too busy: try again", *_APIS),
    _code("dialer_unavailable", 503, "the dialer is down or failed", *_APIS),
    _code("dialer_timeout", 504, "no connection to the dialer in time: nothing was sent", *_APIS),
    _code(
        "dialer_outcome_unknown",
        504,
        "sent, but the dialer's answer did not come in time: it may have been carried out",
        *_APIS,
    ),
    _code("dialer_bad_response", 502, "the dialer answered something unreadable", *_APIS),
)


def _by_code(entries: tuple[ErrorCode, ...]) -> Mapping[str, ErrorCode]:
    catalogue = {entry.code: entry for entry in entries}
    if len(catalogue) != len(entries):
        raise ValueError("an error code is declared twice")
    return MappingProxyType(catalogue)


CATALOGUE = _by_code(_CODES)

# The errors the live stream closes with, after ``{"type": "error", "code", "message"}``
# (`database_unavailable` and `server_restarting` only close).
STREAM_CLOSES: Mapping[str, int] = MappingProxyType(
    {
        "no_hello": BAD_HELLO,
        "invalid_hello": BAD_HELLO,
        "invalid_token": AUTH_FAILED,
        "session_expired": AUTH_FAILED,
        "agent_disabled": AUTH_FAILED,
        "session_ended": AUTH_FAILED,
        "server_restarting": RESTARTING,
        "database_unavailable": TRY_AGAIN_LATER,
    }
)


def error_code(code: str) -> ErrorCode:
    """The catalogue's entry for ``code``; a `KeyError` for a code not declared here."""
    return CATALOGUE[code]


def dialer_status(error: bridge.DialerError) -> int:
    """The HTTP status of a dialer error: its code's in the catalogue, no default."""
    return CATALOGUE[error.code].status
