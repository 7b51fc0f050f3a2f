"""How the Elision simulator answers: HTTP 200 ``text/html``, as text lines or PHP's JSON."""

import json
from typing import Any

from aiohttp import web


def answer(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def line(result: str, reason: str, *data: str) -> web.Response:
    """``RESULT: reason - a|b|c`` and a newline, as non_agent_api.php echoes it."""
    suffix = f" - {'|'.join(data)}" if data else ""
    return answer(f"{result}: {reason}{suffix}\n")


def php_json(value: Any) -> web.Response:
    """``value`` as PHP's ``json_encode`` writes it: compact, '/' and non-ASCII escaped."""
    return answer(json.dumps(value, separators=(",", ":")).replace("/", "\\/"))


def envelope(success: bool, message: str, data: Any) -> web.Response:
    return php_json({"success": success, "message": message, "data": data})
