"""One dialer operation's outcome as the API reports it, success or typed error."""

from collections.abc import Awaitable
from typing import Any

from bridge import DialerError, NotSupported


async def outcome(run: Awaitable[str]) -> dict[str, Any]:
    """``{"ok": true, "message"}``, ``{"ok": false, "error": {code, message, …}}``, or,
    for a dialer whose API has no such operation, ``{"skipped": true, "message"}``."""
    try:
        return {"ok": True, "message": await run}
    except NotSupported as error:
        return {"skipped": True, "message": error.message}
    except DialerError as error:
        return {"ok": False, "error": error.to_dict()}


def all_ok(results: dict[str, dict[str, Any]]) -> bool:
    """True when no dialer failed (skipped ones do not count)."""
    return all(result.get("ok", True) for result in results.values())
