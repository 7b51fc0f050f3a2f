"""The widget's login and logout: credentials are exchanged for a bearer token.

``POST /api/v1/tenants/{tenant}/sessions`` ``{username, password, extension?}`` →
``{token, expires_at, agent}``. ``DELETE /api/v1/session`` with the bearer token ends it.
The extension sent at login (the desk the agent sits at) wins over the directory's.
"""

from math import ceil

from aiohttp import web

from server.agents import LoginError
from server.auth import bearer_token
from server.keys import AGENTS, CONFIG, LOGIN_THROTTLE, SESSIONS
from server.problems import NotFound, Problem, Unauthorized
from server.request_body import Body, read_json, text


class LoginBody(Body):
    username: text(150, min_length=1)
    password: text(200, strip=False)
    extension: text(32) = ""


async def login(request: web.Request) -> web.Response:
    tenant_id = request.match_info["tenant"]
    if tenant_id not in request.config_dict[CONFIG].tenants:
        raise NotFound("unknown_tenant", f"tenant {tenant_id!r} is not configured on this bridge")
    body = await read_json(request, LoginBody)
    throttle = request.config_dict[LOGIN_THROTTLE]
    wait = throttle.wait_seconds(tenant_id, body.username)
    if wait > 0:
        raise Problem(
            "too_many_attempts",
            f"too many wrong passwords: try again in {ceil(wait)} s",
            status=429,
            headers={"Retry-After": str(ceil(wait))},
        )
    try:
        agent = await request.config_dict[AGENTS].authenticate(
            tenant_id, body.username, body.password
        )
    except LoginError as error:
        if error.code == "invalid_credentials":
            throttle.failed(tenant_id, body.username)
        raise
    throttle.succeeded(tenant_id, body.username)
    extension = body.extension or agent.extension
    token, expires_at = await request.config_dict[SESSIONS].open(agent.id, extension)
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
    if token is None or not await request.config_dict[SESSIONS].close(token):
        raise Unauthorized("invalid_token", "not logged in: the session is unknown")
    return web.json_response({"logged_out": True})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/tenants/{tenant}/sessions", login)
    app.router.add_delete("/api/v1/session", logout)
