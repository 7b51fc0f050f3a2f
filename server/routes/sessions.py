"""The widget's login and logout: credentials are exchanged for a bearer token.

``POST /api/v1/tenants/{tenant}/sessions`` ``{username, password, extension?}`` →
``{token, expires_at, agent}``. ``DELETE /api/v1/session`` with the bearer token ends it.
The extension sent at login (the desk the agent sits at) wins over the directory's.
"""

from aiohttp import web

from server.auth import bearer_token
from server.fields import Extension, Password, Username
from server.keys import AGENTS, CONFIG, HASH_GATE, LOGIN_THROTTLE, SESSIONS
from server.problems import NotFound, Unauthorized
from server.request_body import Body, read_json

LOGIN_MAX_BYTES = 4096


class LoginBody(Body):
    username: Username
    password: Password
    extension: Extension = ""


async def login(request: web.Request) -> web.Response:
    tenant_id = request.match_info["tenant"]
    if tenant_id not in request.config_dict[CONFIG].tenants:
        raise NotFound("unknown_tenant", f"tenant {tenant_id!r} is not configured on this bridge")
    body = await read_json(request, LoginBody, max_bytes=LOGIN_MAX_BYTES)
    throttle, account = request.config_dict[LOGIN_THROTTLE], f"{tenant_id}/{body.username}"
    address = request.remote or "-"
    throttle.attempt(account, address)
    async with request.config_dict[HASH_GATE]:
        agent = await request.config_dict[AGENTS].authenticate(
            tenant_id, body.username, body.password
        )
    throttle.succeeded(account, address)
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
