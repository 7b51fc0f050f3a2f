"""One dialer operation's outcome as the API reports it, success or typed error."""

from collections.abc import Awaitable
from typing import Any

from bridge.errors import DialerError


async def outcome(run: Awaitable[str]) -> dict[str, Any]:
    """``{"ok": true, "message": …}`` or ``{"ok": false, "error": {code, message, …}}``."""
    try:
        return {"ok": True, "message": await run}
    except DialerError as error:
        return {"ok": False, "error": error.to_dict()}
