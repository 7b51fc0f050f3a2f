"""User sync for CRM back ends: an agent created or changed once, everywhere.

``PUT /api/v1/crm/agents/{username}`` ``{full_name, password?, extension?, email?,
user_level?, user_group?, phone_login?, phone_pass?, active?, dialer_ids?}`` saves the
agent in the bridge's directory (so the widget login works with the same username and
password; ``dialer_ids`` are the agent's ids on each dialer, ``{"rest": {"user_id",
"device_id"}}``, which match the dialer's events to the agent; a REST dialer's user id is
asked for when not given) and creates it on every dialer of the tenant it is not yet
on, or updates it where it is. ``DELETE`` removes it everywhere. The answer reports each
dialer's outcome; HTTP 207 when any failed (the directory is saved either way, and
repeating the request finishes the job).
"""

from typing import Any

from aiohttp import web
from pydantic import Field

from bridge import DialerAdapter, DialerError, DialerUser, kind_offers
from server.auth import API_KEY
from server.dialer_outcomes import all_ok, outcome
from server.events import agent_ids
from server.fields import Code, Email, Extension, Identifier, Password, RequiredName, ShortText
from server.keys import AGENTS, CONFIG, DATABASE, DIALERS, INTAKE
from server.problems import NotFound, Problem
from server.request_body import Body, read_json


class DialerIdsBody(Body):
    user_id: Code | int | None = None
    device_id: Code | int | None = None


class AgentBody(Body):
    full_name: RequiredName
    password: Password = ""
    extension: Extension = ""
    email: Email = ""
    user_level: int = Field(default=1, ge=1, le=9)
    user_group: ShortText = "AGENTS"
    phone_login: Extension = ""
    phone_pass: Password = ""
    active: bool = True
    # The agent's ids on each dialer (``{"rest": {"user_id": "7", "device_id": "3"}}``).
    dialer_ids: dict[Identifier, DialerIdsBody] = Field(default_factory=dict, max_length=20)

    def dialer_user(self, username: str) -> DialerUser:
        return DialerUser(
            username=username,
            full_name=self.full_name,
            password=self.password or None,
            extension=self.extension or None,
            phone_pass=self.phone_pass or None,
            email=self.email,
            user_level=self.user_level,
            user_group=self.user_group,
            active=self.active,
        )


def _status(results: dict[str, dict[str, Any]]) -> int:
    return 200 if all_ok(results) else 207


def _username(request: web.Request) -> str:
    username = request.match_info["username"]
    if len(username) > 150:
        raise Problem("invalid_message", "username: at most 150 characters")
    return username


async def put_agent(request: web.Request) -> web.Response:
    tenant = request[API_KEY].tenant
    username = _username(request)
    body = await read_json(request, AgentBody)
    directory = request.config_dict[AGENTS]
    existing = await directory.get(tenant, username)
    if existing is None and not body.password:
        raise Problem("invalid_message", f"agent {username} is new: 'password' is required")
    user = body.dialer_user(username)
    synced = set(existing.synced_dialers if existing else ())
    results = {}
    for name, adapter in request.config_dict[DIALERS].of_tenant(tenant).items():
        if name in synced:
            results[name] = await outcome(adapter.update_user(user))
        else:
            results[name] = await outcome(adapter.create_user(user))
            if results[name].get("ok"):
                synced.add(name)
    agent = await directory.save(
        tenant,
        username,
        password=user.password,
        full_name=user.full_name,
        extension=user.extension or "",
        active=user.active,
        synced_dialers=tuple(sorted(synced)),
    )
    for dialer, ids in body.dialer_ids.items():
        await _save_dialer_ids(request, agent.id, dialer, ids)
    await _learn_user_ids(request, agent.id, username, synced - set(body.dialer_ids))
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


async def _save_dialer_ids(
    request: web.Request, agent_id: int, dialer: str, ids: DialerIdsBody
) -> None:
    await request.config_dict[INTAKE].save_dialer_ids(
        agent_id,
        dialer,
        user_id=None if ids.user_id is None else str(ids.user_id),
        device_id=None if ids.device_id is None else str(ids.device_id),
    )


async def _learn_user_ids(
    request: web.Request, agent_id: int, username: str, dialers: set[str]
) -> None:
    """Ask the dialers that have their own user ids (REST) for the agent's, once."""
    tenant = request[API_KEY].tenant
    settings = request.config_dict[CONFIG].tenants[tenant].dialers
    async with request.config_dict[DATABASE].connect() as connection:
        known = await agent_ids.of_agent(connection, agent_id)
    for name in sorted(dialers):
        if name not in settings or not kind_offers(settings[name].kind, "user_id"):
            continue
        if name in known and known[name].user_id is not None:
            continue
        try:
            user_id = await request.config_dict[DIALERS].get(tenant, name).user_id(username)
        except DialerError:
            continue  # the dialer's outcome is in the answer; the next PUT tries again
        await request.config_dict[INTAKE].save_dialer_ids(
            agent_id, name, user_id=user_id, device_id=None
        )


async def delete_agent(request: web.Request) -> web.Response:
    tenant = request[API_KEY].tenant
    username = _username(request)
    directory = request.config_dict[AGENTS]
    agent = await directory.get(tenant, username)
    if agent is None:
        raise NotFound("unknown_agent", f"agent {username} is not in tenant {tenant}")
    adapters: dict[str, DialerAdapter] = request.config_dict[DIALERS].of_tenant(tenant)
    results = {
        name: await outcome(adapters[name].delete_user(username))
        for name in agent.synced_dialers
        if name in adapters
    }
    remaining = tuple(name for name, result in results.items() if result.get("ok") is False)
    if remaining:
        await directory.save(
            tenant,
            username,
            full_name=agent.full_name,
            extension=agent.extension,
            active=False,
            synced_dialers=remaining,
        )
    else:
        await directory.delete(tenant, username)
    return web.json_response(
        {"deleted": not remaining, "dialers": results}, status=_status(results)
    )


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_put("/agents/{username}", put_agent)
    crm_api.router.add_delete("/agents/{username}", delete_agent)
