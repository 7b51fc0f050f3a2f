"""Acme's answers: ``{"call": "<id>"}``, or an error status with ``{"error": "<why>"}``."""

import json
from typing import Any

from bridge.errors import DialerBadResponse, DialerRejected, DialerUnauthorized
from bridge.transport import DialerResponse


def body(response: DialerResponse, *, dialer: str) -> dict[str, Any]:
    """The answer of a success; a refusal or an unreadable answer raises."""
    try:
        value = json.loads(response.body)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise DialerBadResponse(f"{dialer} answered no JSON object", dialer=dialer)
    if response.status == 401:
        raise DialerUnauthorized(f"{dialer} refused the bridge's token", dialer=dialer)
    if response.status >= 400:
        why = str(value.get("error", "no reason given"))
        raise DialerRejected(f"{dialer} refused: {why}", dialer=dialer, dialer_text=why)
    return value
