"""The REST API's answers: ``api_key`` check and the ``{success, msg, data}`` envelope.

Every refusal is HTTP 200 with ``{"success": false, "msg": ...}`` (the spec gives no
other status than 401); handlers raise `Refused` to send one. Unknown paths and methods
under ``/api/`` answer the same envelope with their HTTP status (404, 405).
"""

import json
from typing import Any

from aiohttp import web

UNAUTHORIZED = "Unauthorized"


class Refused(Exception):
    """The dialer says no: answered ``{"success": false, "msg": msg}``."""

    def __init__(self, msg: str) -> None:
        super().__init__(msg)
        self.msg = msg


def ok(data: Any = None, **extra: Any) -> web.Response:
    body: dict[str, Any] = {"success": True, **extra}
    if data is not None:
        body["data"] = data
    return web.json_response(body)


def fail(msg: str, *, status: int = 200) -> web.Response:
    return web.json_response({"success": False, "msg": msg}, status=status)


def require_api_key(valid_keys: frozenset[str]) -> Any:
    """Middleware: a wrong or missing ``api_key`` gets HTTP 401 and msg "Unauthorized"."""

    @web.middleware
    async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/api/") and request.query.get("api_key") not in valid_keys:
            return fail(UNAUTHORIZED, status=401)
        return await handler(request)

    return middleware


@web.middleware
async def refusals(request: web.Request, handler: Any) -> web.StreamResponse:
    """Middleware: `Refused` and routing errors under ``/api/`` become the envelope."""
    try:
        return await handler(request)
    except Refused as refusal:
        return fail(refusal.msg)
    except web.HTTPException as error:
        if not request.path.startswith("/api/") or error.status < 400:
            raise
        return fail(error.reason, status=error.status)


async def read_json(request: web.Request) -> Any:
    """The request's JSON body, or ``None`` when it has none."""
    raw = await request.text()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise Refused("the request body is not valid JSON") from None


async def read_fields(request: web.Request) -> dict[str, Any]:
    """The submitted fields: query parameters (but ``api_key``) overlaid by a JSON object body.

    The spec's queue example passes fields in the query string; the UI sends JSON.
    """
    body = await read_json(request)
    if body is not None and not isinstance(body, dict):
        raise Refused("the request body must be a JSON object")
    fields: dict[str, Any] = {k: v for k, v in request.query.items() if k != "api_key"}
    fields.update(body or {})
    return fields
