"""``GET /api/v1/agent/calls?limit=20``: the logged-in agent's recent calls, newest first,
and the agent's own figures of the day.

Answers ``{"calls": [{call_id, direction, number, display, caller_name, queue_name,
started_at, answered_at, ended_at, duration_ms, outcome, hangup_cause}], "today": {calls,
talk_seconds, aht_seconds}}`` (times in ISO 8601 UTC; ``outcome`` as
`server.events.call_outcomes` reads it; ``today`` as `server.reports.agent_day`).
``limit`` is 1 to 50.
"""

from aiohttp import web

from server.auth import require_agent
from server.events.call_queries import agent_calls
from server.keys import CONFIG, DATABASE, INTAKE
from server.problems import Problem
from server.reports.agent_day import agent_day

DEFAULT_LIMIT, MAX_LIMIT = 20, 50


def _limit(value: str | None) -> int:
    if not value:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise Problem("invalid_query", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(value)


async def recent_calls(request: web.Request) -> web.Response:
    caller = await require_agent(request)
    limit = _limit(request.query.get("limit"))
    names = request.config_dict[INTAKE].queue_names(caller.agent.tenant)
    database = request.config_dict[DATABASE]
    found = await agent_calls(database, caller.agent.id, limit, names)
    tenant = request.config_dict[CONFIG].tenants[caller.agent.tenant]
    return web.json_response(
        {"calls": found, "today": await agent_day(database, tenant, caller.agent.id)}
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/agent/calls", recent_calls)
