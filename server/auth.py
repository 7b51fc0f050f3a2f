"""Who is calling: an agent (the widget's bearer token), a CRM back end (API key), or
the bridge's admin (HTTP Basic).

Each ``require_*`` returns the caller or raises a `Problem` (401/403) that says what is
missing, and sets the audit actor so every dialer call the request causes is recorded
in the caller's name. The CRM API and the admin pages are sub-applications whose
middleware (`api_key_middleware`, `admin_middleware`) requires their caller once.
"""

import base64
import binascii
import hmac
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from bridge import Actor, current_actor
from server.agents import Agent
from server.api_keys import ApiKey
from server.client_address import client_address
from server.keys import AGENTS, API_KEYS, CONFIG, LOGIN_THROTTLE, SESSIONS
from server.problems import Problem
from server.sessions import Session

API_KEY_PREFIX = "cbk_"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BASIC = {"WWW-Authenticate": 'Basic realm="crm-bridge admin"'}
# Open without credentials: it answers 401 to everyone, so the browser forgets them.
ADMIN_SIGN_OUT = "/admin/sign-out"


@dataclass(frozen=True, slots=True)
class AgentCaller:
    """A logged-in agent and the session their token stands for."""

    agent: Agent
    session: Session


API_KEY = web.RequestKey("api_key", ApiKey)
ADMIN = web.RequestKey("admin", str)


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _api_key_of(request: web.Request) -> str | None:
    """The key from ``X-Api-Key``, or from ``Authorization: Bearer cbk_…``."""
    key = request.headers.get("X-Api-Key")
    if key:
        return key.strip()
    token = bearer_token(request)
    return token if token and token.startswith(API_KEY_PREFIX) else None


async def require_agent(request: web.Request) -> AgentCaller:
    """The agent whose bearer token the request carries; the agent must be active."""
    token = bearer_token(request)
    if token is None:
        raise Problem("not_logged_in", "log in first: no bearer token was sent")
    session = await request.config_dict[SESSIONS].resolve(token)
    agent = await request.config_dict[AGENTS].get_by_id(session.agent_id)
    if agent is None:
        raise Problem("invalid_token", "not logged in: the agent no longer exists")
    if not agent.active:
        raise Problem("agent_disabled", "this agent is disabled; ask an administrator")
    current_actor.set(Actor(agent.tenant, agent.username))
    return AgentCaller(agent, session)


async def require_api_key(request: web.Request) -> ApiKey:
    """The tenant's API key the request carries (``X-Api-Key`` or ``Bearer cbk_…``)."""
    secret = _api_key_of(request)
    if secret is None:
        raise Problem("missing_api_key", "send the tenant's API key in X-Api-Key")
    key = await request.config_dict[API_KEYS].authenticate(secret)
    if key is None or key.tenant not in request.config_dict[CONFIG].tenants:
        raise Problem("invalid_api_key", "this API key is unknown or revoked")
    current_actor.set(Actor(key.tenant, f"api-key:{key.name}"))
    return key


async def require_agent_or_api_key(request: web.Request) -> Actor:
    """For routes open to CRM back ends and to agents alike: the caller as an `Actor`."""
    if _api_key_of(request) is not None:
        await require_api_key(request)
    else:
        await require_agent(request)
    return current_actor.get()


def require_admin(request: web.Request) -> str:
    """The admin's user name, checked against ``[admin]`` of the configuration.

    Browsers resend Basic credentials by themselves, so a form on another site could
    post to the admin pages in the admin's name: changes are accepted only from the
    bridge's own origin."""
    config = request.config_dict[CONFIG]
    admin = config.admin
    if admin is None:
        raise Problem(
            "admin_disabled",
            "the admin pages are off: configure [admin] username and password",
        )
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise Problem("admin_login_required", "log in as the bridge's admin", headers=BASIC)
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Problem(
            "admin_login_required", "malformed Basic credentials", headers=BASIC
        ) from None
    throttle, address = request.config_dict[LOGIN_THROTTLE], client_address(request)
    throttle.attempt("admin", address)
    valid = hmac.compare_digest(username.encode(), admin.username.encode())
    valid &= hmac.compare_digest(password.encode(), admin.password.encode())
    if not valid:
        throttle.failed("admin", address)
        raise Problem("admin_login_required", "wrong admin user name or password", headers=BASIC)
    throttle.succeeded("admin", address)
    if request.method in UNSAFE_METHODS and not _from_own_pages(request, config.origin):
        raise Problem("cross_origin_change", f"changes are accepted from {config.origin} only")
    current_actor.set(Actor("-", f"admin:{admin.username}"))
    return admin.username


def _from_own_pages(request: web.Request, own_origin: str) -> bool:
    """Whether a change comes from the bridge's own pages or from a non-browser client.

    Browsers say where a request comes from in ``Sec-Fetch-Site``, which pages cannot
    forge; the admin pages' ``Referrer-Policy: no-referrer`` makes their form posts carry
    ``Origin: null``, so the origin alone cannot tell. Without that header (older
    browsers, scripts), the ``Origin`` must be the bridge's or absent."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == own_origin


@web.middleware
async def api_key_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[API_KEY] = await require_api_key(request)
    return await handler(request)


@web.middleware
async def admin_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path != ADMIN_SIGN_OUT:
        request[ADMIN] = require_admin(request)
    return await handler(request)
