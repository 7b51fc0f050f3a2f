"""Authentication of CRM back ends by API key, and of either callers of shared routes."""

import json

from aiohttp import web

from server.api_keys import ApiKey
from server.keys import AGENTS, API_KEYS, CONFIG
from server.routes.sessions import bearer_token, current_session


def _unauthorized(code: str, message: str) -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(
        text=json.dumps({"error": {"code": code, "message": message}}),
        content_type="application/json",
    )


def api_key_of(request: web.Request) -> str | None:
    """The key from ``X-Api-Key``, or from ``Authorization: Bearer cbk_…``."""
    key = request.headers.get("X-Api-Key")
    if key:
        return key.strip()
    token = bearer_token(request)
    return token if token and token.startswith("cbk_") else None


async def require_api_key(request: web.Request) -> ApiKey:
    secret = api_key_of(request)
    if secret is None:
        raise _unauthorized("missing_api_key", "send the tenant's API key in X-Api-Key")
    key = await request.app[API_KEYS].authenticate(secret)
    if key is None or key.tenant not in request.app[CONFIG].tenants:
        raise _unauthorized("invalid_api_key", "this API key is unknown or revoked")
    return key


async def caller_tenant(request: web.Request) -> tuple[str, str]:
    """(tenant, who) for a route open to CRM back ends (API key) and to agents (bearer)."""
    if api_key_of(request) is not None:
        key = await require_api_key(request)
        return key.tenant, f"api-key:{key.name}"
    session = await current_session(request)
    agent = await request.app[AGENTS].get_by_id(session.agent_id)
    if agent is None:
        raise _unauthorized("invalid_token", "not logged in: the agent no longer exists")
    return agent.tenant, agent.username
