"""The widget's login and logout: credentials are exchanged for a bearer token.

``POST /api/v1/tenants/{tenant}/sessions`` ``{username, password, extension?}`` →
``{token, expires_at, agent}``. ``DELETE /api/v1/session`` with the bearer token ends it.
The extension sent at login (the desk the agent sits at) wins over the directory's.
"""

import json
from math import ceil

from aiohttp import web

from server.agents import LoginError
from server.api_errors import api_error, json_body
from server.keys import AGENTS, CONFIG, LOGIN_THROTTLE, SESSIONS
from server.sessions import Session, SessionError

LOGIN_STATUS = {"invalid_credentials": 401, "agent_disabled": 403}


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def current_session(request: web.Request) -> Session:
    """The session of the request's bearer token, or an HTTP 401 saying why not."""
    token = bearer_token(request)
    if token is None:
        raise _unauthorized("not_logged_in", "log in first: no bearer token was sent")
    try:
        return await request.app[SESSIONS].resolve(token)
    except SessionError as error:
        raise _unauthorized(error.code, error.message) from None


def _unauthorized(code: str, message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        text=json.dumps({"error": {"code": code, "message": message}}),
        content_type="application/json",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def login(request: web.Request) -> web.Response:
    tenant_id = request.match_info["tenant"]
    if tenant_id not in request.app[CONFIG].tenants:
        return api_error(
            404, "unknown_tenant", f"tenant {tenant_id!r} is not configured on this bridge"
        )
    body = await json_body(request)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str):
        return api_error(400, "invalid_message", "login needs 'username' and 'password' as text")
    throttle = request.app[LOGIN_THROTTLE]
    wait = throttle.wait_seconds(tenant_id, username)
    if wait > 0:
        return api_error(
            429, "too_many_attempts", f"too many wrong passwords: try again in {ceil(wait)} s"
        )
    try:
        agent = await request.app[AGENTS].authenticate(tenant_id, username, password)
    except LoginError as error:
        if error.code == "invalid_credentials":
            throttle.failed(tenant_id, username)
        return api_error(LOGIN_STATUS[error.code], error.code, error.message)
    throttle.succeeded(tenant_id, username)
    extension = str(body.get("extension") or agent.extension)
    token, expires_at = await request.app[SESSIONS].open(agent.id, extension)
    return web.json_response(
        {
            "token": token,
            "expires_at": expires_at,
            "agent": {
                "username": agent.username,
                "full_name": agent.full_name,
                "extension": extension,
            },
        }
    )


async def logout(request: web.Request) -> web.Response:
    token = bearer_token(request)
    if token is None or not await request.app[SESSIONS].close(token):
        return api_error(401, "invalid_token", "not logged in: the session is unknown")
    return web.json_response({"logged_out": True})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/tenants/{tenant}/sessions", login)
    app.router.add_delete("/api/v1/session", logout)
