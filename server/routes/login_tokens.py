"""``POST /api/v1/crm/login-tokens`` ``{username}`` → ``{token, expires_at}``.

A CRM back end, which has authenticated its user already, gets a single-use token
(valid for a minute) and hands it to the widget: ``{action: 'login', token}``. The
agent's password then never passes through the CRM page.
"""

from aiohttp import web

from server.auth import API_KEY
from server.fields import Username
from server.keys import AGENTS, LOGIN_TOKENS
from server.problems import Problem
from server.request_body import Body, read_json


class LoginTokenBody(Body):
    username: Username


async def issue_login_token(request: web.Request) -> web.Response:
    tenant = request[API_KEY].tenant
    body = await read_json(request, LoginTokenBody)
    agent = await request.config_dict[AGENTS].get(tenant, body.username)
    if agent is None:
        raise Problem("unknown_agent", f"agent {body.username} is not in tenant {tenant}")
    if not agent.active:
        raise Problem("agent_disabled", f"agent {body.username} is disabled; ask an administrator")
    token, expires_at = await request.config_dict[LOGIN_TOKENS].issue(agent.id)
    return web.json_response({"token": token, "expires_at": expires_at}, status=201)


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_post("/login-tokens", issue_login_token)
