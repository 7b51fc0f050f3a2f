"""User sync for CRM back ends: an agent created or changed once, everywhere.

``PUT /api/v1/crm/agents/{username}`` ``{full_name, password?, extension?, email?,
user_level?, user_group?, phone_login?, phone_pass?, active?, allowed_extensions?,
dialer_ids?}`` saves the agent in the bridge's directory (so the widget login works with
the same username and password; ``dialer_ids`` are the agent's ids on each dialer, which
match the dialer's events to the agent, and a REST dialer's user id is asked for when
not given) and creates it on every dialer of the tenant it is not yet on, or updates it
where it is. ``DELETE`` removes it everywhere. The answer reports each dialer's outcome; HTTP
207 when any failed (the directory is saved either way, and repeating the request
finishes the job).

``PUT /api/v1/crm/agents`` ``{"agents": [{username, full_name, ...}, ...]}`` syncs many
agents as a job (`server.jobs.agent_sync`): up to ``[jobs] sync_max_agents`` of them
(without ``Prefer: respond-async``) are answered when done, each agent's outcome on each
dialer; more answer ``202 Accepted`` with the job's ``Location``.
"""

import json
from typing import Any

from aiohttp import web
from pydantic import Field, ValidationError

from bridge import DialerAdapter, DialerError, kind_offers
from server.agent_sync import AgentBody, agent_json, sync_agent
from server.auth import API_KEY
from server.dialer_outcomes import all_ok, outcome
from server.events import agent_ids
from server.fields import Code, Identifier, Username
from server.jobs.records import Job, NewRow
from server.jobs.states import ADDED, PENDING
from server.jobs.worker import AGENT_SYNC
from server.keys import AGENTS, CONFIG, DATABASE, DIALERS, INTAKE, JOBS
from server.problems import Problem
from server.request_body import Body, invalid, read_json
from server.routes.job_submission import (
    accepted,
    earlier_job,
    finished,
    idempotency_key,
    job_error,
    prefers_async,
    read_json_bytes,
    request_digest,
    submit,
)

MAX_AGENTS = 10_000


def _status(results: dict[str, dict[str, Any]]) -> int:
    return 200 if all_ok(results) else 207


def _username(request: web.Request) -> str:
    username = request.match_info["username"]
    if len(username) > 150:
        raise Problem("invalid_message", "username: at most 150 characters")
    return username


class DialerIdsBody(Body):
    user_id: Code | int | None = None
    device_id: Code | int | None = None


class OneAgentBody(AgentBody):
    # The agent's ids on each dialer (``{"rest": {"user_id": "7", "device_id": "3"}}``),
    # which match the dialer's events to the agent.
    dialer_ids: dict[Identifier, DialerIdsBody] = Field(default_factory=dict, max_length=20)


async def put_agent(request: web.Request) -> web.Response:
    tenant = request[API_KEY].tenant
    username = _username(request)
    body = await read_json(request, OneAgentBody)
    adapters = request.config_dict[DIALERS].of_tenant(tenant)
    synced = await sync_agent(request.config_dict[AGENTS], adapters, tenant, username, body)
    for dialer, ids in body.dialer_ids.items():
        await request.config_dict[INTAKE].save_dialer_ids(
            synced.agent.id,
            dialer,
            user_id=None if ids.user_id is None else str(ids.user_id),
            device_id=None if ids.device_id is None else str(ids.device_id),
        )
    learn = set(synced.agent.synced_dialers) - set(body.dialer_ids)
    await _learn_user_ids(request, synced.agent.id, username, learn)
    answer = {
        "agent": agent_json(synced.agent),
        "created": synced.created,
        "dialers": synced.dialers,
    }
    return web.json_response(answer, status=_status(synced.dialers))


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
        raise Problem("unknown_agent", f"agent {username} is not in tenant {tenant}")
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


class BulkAgent(AgentBody):
    username: Username


class BulkAgentsBody(Body):
    agents: list[BulkAgent] = Field(min_length=1, max_length=MAX_AGENTS)


def _agent_rows(raw: bytes) -> list[NewRow]:
    try:
        body = BulkAgentsBody.model_validate_json(raw)
    except ValidationError as error:
        raise invalid(error) from None
    seen: set[str] = set()
    for index, agent in enumerate(body.agents):
        if agent.username in seen:
            raise Problem(
                "invalid_message",
                f"agents.{index}.username: {agent.username!r} appears twice",
                fields=[{"field": f"agents.{index}.username", "message": "appears twice"}],
            )
        seen.add(agent.username)
    return [
        NewRow(index, PENDING, agent.username, json.dumps(agent.model_dump()))
        for index, agent in enumerate(body.agents)
    ]


async def _agents_answer(request: web.Request, job: Job) -> web.Response:
    """A small sync's answer: each agent's outcome on each dialer; else the job (202)."""
    if not job.awaited:
        return accepted(job)
    job = await finished(request, job)
    if job.state == "failed" and job.counts.succeeded == 0 and job.error:
        raise job_error(job)
    agents = [
        {
            "username": row.phone,
            "status": row.state,
            "created": row.state == ADDED,
            "message": row.message,
            "dialers": json.loads(row.data).get("dialers", {}),
        }
        for row in await request.config_dict[JOBS].rows(job.id, limit=job.counts.total)
    ]
    counts = job.counts
    return web.json_response(
        {
            "created": counts.added,
            "updated": counts.already_there,
            "failed": counts.total - counts.succeeded,
            "job_id": job.id,
            "agents": agents,
        },
        status=200 if counts.succeeded == counts.total else 207,
    )


async def put_agents(request: web.Request) -> web.Response:
    """Bulk user sync: ``{"agents": [{username, full_name, password?, ...}, ...]}``."""
    raw = await read_json_bytes(request)
    key, digest = idempotency_key(request), request_digest(request, raw)
    if job := await earlier_job(request, key, digest):
        return await _agents_answer(request, job)
    rows = _agent_rows(raw)
    small = len(rows) <= request.config_dict[CONFIG].jobs.sync_max_agents
    spec = {"awaited": small and not prefers_async(request)}
    job = await submit(request, AGENT_SYNC, rows, spec=spec, key=key, digest=digest)
    return await _agents_answer(request, job)


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_put("/agents", put_agents)
    crm_api.router.add_put("/agents/{username}", put_agent)
    crm_api.router.add_delete("/agents/{username}", delete_agent)
