"""User sync for CRM back ends: an agent created or changed once, everywhere.

``PUT /api/v1/crm/agents/{username}`` ``{full_name, password?, extension?, email?,
user_level?, user_group?, phone_login?, phone_pass?, active?}`` saves the agent in the
bridge's directory (so the widget login works with the same username and password)
and creates it on every dialer of the tenant it is not yet on, or updates it where it
is. ``DELETE`` removes it everywhere. The answer reports each dialer's outcome; HTTP
207 when any failed (the directory is saved either way, and repeating the request
finishes the job).
"""

from typing import Any

from aiohttp import web

from bridge import Actor, DialerAdapter, DialerUser, current_actor
from server.api_errors import api_error, json_body
from server.crm_auth import require_api_key
from server.dialer_outcomes import all_ok, outcome
from server.keys import AGENTS, DIALERS

TEXT_FIELDS = (
    "full_name",
    "password",
    "extension",
    "email",
    "user_group",
    "phone_login",
    "phone_pass",
)


def _dialer_user(username: str, body: dict[str, Any]) -> DialerUser:
    return DialerUser(
        username=username,
        full_name=body["full_name"],
        password=body.get("password") or None,
        extension=body.get("extension") or None,
        phone_pass=body.get("phone_pass") or None,
        email=body.get("email", ""),
        user_level=body.get("user_level", 1),
        user_group=body.get("user_group", "AGENTS"),
        active=body.get("active", True) is not False,
    )


def _status(results: dict[str, dict[str, Any]]) -> int:
    return 200 if all_ok(results) else 207


async def put_agent(request: web.Request) -> web.Response:
    key = await require_api_key(request)
    username = request.match_info["username"]
    body = await json_body(request)
    for name in TEXT_FIELDS:
        if name in body and not isinstance(body[name], str):
            return api_error(400, "invalid_message", f"'{name}' must be text")
    level = body.get("user_level", 1)
    if isinstance(level, bool) or not isinstance(level, int):
        return api_error(400, "invalid_message", "'user_level' must be a whole number from 1 to 9")
    if not str(body.get("full_name", "")).strip():
        return api_error(400, "invalid_message", "'full_name' is required")
    directory = request.app[AGENTS]
    existing = await directory.get(key.tenant, username)
    if existing is None and not body.get("password"):
        return api_error(400, "invalid_message", f"agent {username} is new: 'password' is required")
    user = _dialer_user(username, body)
    current_actor.set(Actor(key.tenant, f"api-key:{key.name}"))
    synced = set(existing.synced_dialers if existing else ())
    results = {}
    for name, adapter in request.app[DIALERS].of_tenant(key.tenant).items():
        if name in synced:
            results[name] = await outcome(adapter.update_user(user))
        else:
            results[name] = await outcome(adapter.create_user(user))
            if results[name].get("ok"):
                synced.add(name)
    agent = await directory.save(
        key.tenant,
        username,
        password=user.password,
        full_name=user.full_name,
        extension=user.extension or "",
        active=user.active,
        synced_dialers=tuple(sorted(synced)),
    )
    answer = {
        "agent": {
            "username": agent.username,
            "full_name": agent.full_name,
            "extension": agent.extension,
            "active": agent.active,
            "synced_dialers": list(agent.synced_dialers),
        },
        "created": existing is None,
        "dialers": results,
    }
    return web.json_response(answer, status=_status(results))


async def delete_agent(request: web.Request) -> web.Response:
    key = await require_api_key(request)
    username = request.match_info["username"]
    directory = request.app[AGENTS]
    agent = await directory.get(key.tenant, username)
    if agent is None:
        return api_error(404, "unknown_agent", f"agent {username} is not in tenant {key.tenant}")
    current_actor.set(Actor(key.tenant, f"api-key:{key.name}"))
    adapters: dict[str, DialerAdapter] = request.app[DIALERS].of_tenant(key.tenant)
    results = {
        name: await outcome(adapters[name].delete_user(username))
        for name in agent.synced_dialers
        if name in adapters
    }
    remaining = tuple(name for name, result in results.items() if result.get("ok") is False)
    if remaining:
        await directory.save(
            key.tenant,
            username,
            full_name=agent.full_name,
            extension=agent.extension,
            active=False,
            synced_dialers=remaining,
        )
    else:
        await directory.delete(key.tenant, username)
    return web.json_response(
        {"deleted": not remaining, "dialers": results}, status=_status(results)
    )


def add_routes(app: web.Application) -> None:
    app.router.add_put("/api/v1/crm/agents/{username}", put_agent)
    app.router.add_delete("/api/v1/crm/agents/{username}", delete_agent)
