"""The widget's login and logout: credentials are exchanged for a bearer token.

``POST /api/v1/tenants/{tenant}/sessions`` ``{username, password, extension?}`` or
``{token, extension?}`` (a single-use login token a CRM back end got from
``/api/v1/crm/login-tokens``) → ``{token, expires_at, agent}``. ``DELETE
/api/v1/session`` with the bearer token ends it. The agent uses the directory's
extension unless it asks for another one the directory allows it.
"""

from typing import Self

from aiohttp import web
from pydantic import model_validator

from server.address_key import address_key
from server.agents import Agent, LoginError
from server.auth import bearer_token
from server.client_address import client_address
from server.fields import Extension, LoginToken, Password, Username
from server.hash_gate import ServerBusy
from server.keys import AGENTS, CONFIG, HASH_GATE, LOGIN_THROTTLE, LOGIN_TOKENS, SESSIONS
from server.problems import Problem
from server.request_body import Body, read_json

LOGIN_MAX_BYTES = 4096


class LoginBody(Body):
    username: Username | None = None
    password: Password | None = None
    token: LoginToken | None = None
    extension: Extension = ""

    @model_validator(mode="after")
    def _one_way_to_log_in(self) -> Self:
        with_password = self.username is not None and self.password is not None
        if self.token is None and not with_password:
            raise ValueError("give 'username' and 'password', or a login 'token'")
        if self.token is not None and (self.username or self.password):
            raise ValueError("give a login 'token' or 'username' and 'password', not both")
        return self


async def _with_password(
    request: web.Request, tenant_id: str, username: str, password: str
) -> Agent:
    throttle, account = request.config_dict[LOGIN_THROTTLE], f"{tenant_id}/{username}"
    address = client_address(request)
    failures = throttle.failures(address)
    throttle.attempt(account, address)
    try:
        async with request.config_dict[HASH_GATE].admitted(address_key(address), failures):
            agent = await request.config_dict[AGENTS].authenticate(tenant_id, username, password)
    except ServerBusy:
        throttle.refund(account, address)  # refused before the check: not an attempt
        raise
    except LoginError as error:
        if error.code == "invalid_credentials":
            throttle.failed(account, address)
        raise
    throttle.succeeded(account, address)
    return agent


async def _with_token(request: web.Request, tenant_id: str, token: str) -> Agent:
    agent_id = await request.config_dict[LOGIN_TOKENS].spend(token)
    agent = await request.config_dict[AGENTS].get_by_id(agent_id)
    if agent is None or agent.tenant != tenant_id:
        raise Problem("invalid_login_token", "this login token is not for this tenant")
    if not agent.active:
        raise Problem("agent_disabled", f"agent {agent.username} is disabled")
    return agent


async def login(request: web.Request) -> web.Response:
    tenant_id = request.match_info["tenant"]
    if tenant_id not in request.config_dict[CONFIG].tenants:
        raise Problem("unknown_tenant", f"tenant {tenant_id!r} is not configured on this bridge")
    body = await read_json(request, LoginBody, max_bytes=LOGIN_MAX_BYTES)
    if body.token is not None:
        agent = await _with_token(request, tenant_id, body.token)
    else:
        agent = await _with_password(request, tenant_id, body.username or "", body.password or "")
    extension = body.extension or agent.extension
    if not agent.may_use(extension):
        raise Problem(
            "extension_not_allowed",
            f"extension {extension} is not allowed for agent {agent.username}; log in with"
            f" {agent.extension or 'no extension'} or ask an administrator to allow it",
        )
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
        raise Problem("invalid_token", "not logged in: the session is unknown")
    return web.json_response({"logged_out": True})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/tenants/{tenant}/sessions", login)
    app.router.add_delete("/api/v1/session", logout)
