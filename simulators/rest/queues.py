"""``/api/cc_queue``: queues, and the agents assigned to them (``/api/cc_queue/{id}/users``).

``name``, ``strategy`` (one of `STRATEGIES`) and ``time_base_score`` (system or queue)
are required. ``users`` (rows ``[user_id, mode, position, level, timegroup_id]``) may
come with a create or update; a queue answers with its agents as the spec's examples do.
Removing agents takes ``ids`` from the query or from a JSON body ``{"ids": ...}``, as
an array or a comma-separated list.
"""

from typing import Any

from aiohttp import web

from simulators.rest.assignments import add_queue_agents, parse_rows, remove_queue_agents
from simulators.rest.envelope import Refused, ok, read_fields, read_json
from simulators.rest.fields import (
    anything,
    clean,
    flag,
    forbid_blank,
    id_list,
    integer,
    nullable,
    one_of,
    require,
    text,
)
from simulators.rest.routing import add_route, path_id
from simulators.rest.state import STATE, QueueRecord, RestState

STRATEGIES = (
    "ring-all",
    "longest-idle-agent",
    "round-robin",
    "top-down",
    "agent-with-least-talk-time",
    "agent-with-fewest-calls",
    "sequentially-by-agent-order",
    "sequentially-by-next-agent-order",
    "random",
)
SCHEMA = {
    "name": text,
    "tv_name": nullable(text),
    "strategy": one_of(*STRATEGIES),
    "record": integer,
    "time_base_score": one_of("system", "queue"),
    "labels": id_list,
    "exits": anything,
    "audio_playback": anything,
    "background_color": nullable(text),
    "font_color": nullable(text),
    **dict.fromkeys(
        [
            *("max_wait_time", "max_wait_time_with_no_agent"),
            *("max_wait_time_with_no_agent_time_reached", "tier_rule_wait_second"),
            *("discard_abandoned_after", "announce_frequency", "sla_strategy"),
            *("sla_answer_time", "ring_timeout", "avg_wait_range"),
        ],
        integer,
    ),
    **dict.fromkeys(
        ["announce_id", "moh_id", "pre_bridge_announce", "join_announce"], nullable(integer)
    ),
    **dict.fromkeys(
        [
            *("tier_rules_apply", "tier_rule_no_agent_no_wait", "abandoned_resume_allowed"),
            *("tier_rule_wait_multiply_level", "auto_answer", "music_advanced"),
        ],
        flag,
    ),
}


def _queue(request: web.Request) -> QueueRecord:
    return request.app[STATE].queue(path_id(request, "queue_id"))


def _assign(state: RestState, queue: QueueRecord, users: Any, *, replace: bool) -> None:
    add_queue_agents(state, queue.id, parse_rows(users, "user_id"), replace=replace)


async def list_queues(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return ok([state.queue_json(queue) for queue in state.queues.values()])


async def get_queue(request: web.Request) -> web.Response:
    return ok(request.app[STATE].queue_json(_queue(request)))


async def create_queue(request: web.Request) -> web.Response:
    state = request.app[STATE]
    fields = await read_fields(request)
    require(fields, ["name", "strategy", "time_base_score"])
    queue = QueueRecord(id=state.new_id(), fields=clean(fields, SCHEMA))
    state.queues[queue.id] = queue
    if "users" in fields:
        try:
            _assign(state, queue, fields["users"], replace=True)
        except Refused:
            del state.queues[queue.id]
            raise
    return ok(state.queue_json(queue))


async def update_queue(request: web.Request) -> web.Response:
    """Change only the submitted properties; ``users`` replaces the queue's agents."""
    state = request.app[STATE]
    queue = _queue(request)
    fields = await read_fields(request)
    forbid_blank(fields, ["name", "strategy", "time_base_score"])
    values = clean(fields, SCHEMA)
    if "users" in fields:
        _assign(state, queue, fields["users"], replace=True)
    queue.fields.update(values)
    return ok(state.queue_json(queue))


async def delete_queue(request: web.Request) -> web.Response:
    state = request.app[STATE]
    queue = _queue(request)
    remove_queue_agents(state, queue.id, None)
    for user in state.users.values():
        if queue.id in user.agent.queues:
            user.agent.queues.remove(queue.id)
    del state.queues[queue.id]
    return ok()


async def list_agents(request: web.Request) -> web.Response:
    return ok(request.app[STATE].queue_agent_rows(_queue(request).id))


async def add_agents(request: web.Request) -> web.Response:
    """``POST`` adds (or re-places) the agents of ``users``; ``PUT`` keeps only them."""
    state = request.app[STATE]
    queue = _queue(request)
    fields = await read_fields(request)
    require(fields, ["users"])
    _assign(state, queue, fields["users"], replace=request.method == "PUT")
    return ok(state.queue_agent_rows(queue.id))


async def delete_agents(request: web.Request) -> web.Response:
    state = request.app[STATE]
    queue = _queue(request)
    body = await read_json(request)
    ids = body.get("ids") if isinstance(body, dict) else request.query.get("ids")
    if ids is None or ids == "":
        raise Refused("ids is required (an array or comma-separated list of user ids)")
    remove_queue_agents(state, queue.id, id_list("ids", ids))
    return ok(state.queue_agent_rows(queue.id))


def add_routes(app: web.Application) -> None:
    one = r"/api/cc_queue/{queue_id:\d+}"
    add_route(app, "GET", "/api/cc_queue", list_queues)
    add_route(app, "POST", "/api/cc_queue", create_queue)
    add_route(app, "GET", one, get_queue)
    add_route(app, "PUT", one, update_queue)
    add_route(app, "DELETE", one, delete_queue)
    add_route(app, "GET", one + "/users", list_agents)
    add_route(app, "POST", one + "/users", add_agents)
    add_route(app, "PUT", one + "/users", add_agents)
    add_route(app, "DELETE", one + "/users", delete_agents)
