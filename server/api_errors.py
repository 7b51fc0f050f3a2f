"""JSON error answers of the server's API: ``{"error": {"code", "message", ...}}``."""

from typing import Any

from aiohttp import web

from bridge import DialerError

DIALER_STATUS = {
    "invalid_request": 400,
    "not_supported": 501,
    "dialer_unauthorized": 502,
    "dialer_rejected": 422,
    "dialer_busy": 503,
    "dialer_unavailable": 503,
    "dialer_timeout": 504,
    "dialer_bad_response": 502,
}


def api_error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message, **extra}}, status=status)


def dialer_error(error: DialerError) -> web.Response:
    body = error.to_dict()
    return web.json_response({"error": body}, status=DIALER_STATUS.get(error.code, 502))


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or an HTTP 400 that says what is wrong with it."""
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(
            text='{"error": {"code": "invalid_json", "message": "the body must be JSON"}}',
            content_type="application/json",
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text='{"error": {"code": "invalid_json", "message": "the body must be a JSON object"}}',
            content_type="application/json",
        )
    return body
