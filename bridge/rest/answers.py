"""Reading the REST API's answers: lenient JSON and the ``{success, msg, data}`` envelope.

The flag is spelt ``success`` or ``Success``; ``false`` comes with ``msg``. HTTP 401
means the key is wrong or missing. Strict JSON is read first; the spec's own answers
leave a comma before a closing bracket (``{"success": true,}``), so when strict reading
fails the text is read once more as JSON5, which allows that.
"""

import json
from typing import Any

import json5

from bridge.errors import DialerBadResponse, DialerRejected, DialerUnauthorized
from bridge.redaction import Redactor
from bridge.transport import EXCERPT, DialerResponse


def loads(body: bytes | str) -> Any:
    """Parse ``body``; raise ``ValueError`` if it is neither JSON nor JSON5."""
    try:
        return json.loads(body)
    except ValueError:
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        return json5.loads(text)


def envelope(response: DialerResponse, *, dialer: str, redactor: Redactor) -> dict[str, Any]:
    """The whole envelope of a success; a refusal or a malformed answer raises."""
    if response.status == 401:
        raise DialerUnauthorized(
            f"{dialer} refused the bridge's api_key (HTTP 401): "
            "check the tenant's REST api_key and its Call Center API permission",
            dialer=dialer,
            dialer_text=_message_of(response, redactor) or "Unauthorized",
        )
    try:
        value = loads(response.body)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not ("success" in value or "Success" in value):
        raise DialerBadResponse(
            f"{dialer} answered HTTP {response.status} without its JSON envelope",
            dialer=dialer,
            dialer_text=redactor.excerpt(response.text(), EXCERPT),
        )
    if value.get("success", value.get("Success")) is not True:
        text = redactor.redact(_text(value.get("msg")) or "no reason given")
        raise DialerRejected(f"{dialer} refused: {text}", dialer=dialer, dialer_text=text)
    return value


def _message_of(response: DialerResponse, redactor: Redactor) -> str | None:
    try:
        value = loads(response.body)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("msg"), str):
        return redactor.redact(value["msg"])
    return None


def _text(value: Any) -> str:
    """A value of the answer as text (JSON for anything but text), to be redacted."""
    if value is None or isinstance(value, str):
        return value or ""
    return json.dumps(value, default=str)
