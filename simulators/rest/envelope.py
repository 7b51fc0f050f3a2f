"""The REST API's answers: ``api_key`` check and the ``{success, msg, data}`` envelope."""

from typing import Any

from aiohttp import web

UNAUTHORIZED = "Unauthorized"


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
