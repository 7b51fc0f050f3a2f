"""Steering the simulated calls over HTTP (tests, benchmarks and the demo).

- ``PUT /_sim/call_plan`` ``{"outcome": "answer"|"busy"|"no_answer", "ring_seconds"?,
  "talk_seconds"?, "number"?}``: how calls to ``number`` go, or, without it, every call
  no plan or pattern covers. ``DELETE /_sim/call_plan`` forgets the plans. A time is a
  number of seconds or a range ``[low, high]`` each call picks its time from.
- ``POST /_sim/inbound`` ``{"user_id", "caller", "caller_name"?, "queue_id"?,
  "outcome"?, "ring_seconds"?, "talk_seconds"?}``: an inbound call (a queue call when
  ``queue_id`` is given) rings the agent ``user_id``; times not given are the default
  plan's; answers ``{"call_id"}``.
"""

import uuid
from typing import Any

from aiohttp import web

from simulators.rest.call_events import (
    CALL_EVENT_DELAYS,
    CALL_PLANS,
    OUTCOMES,
    CallPlan,
    CallPlans,
    Seconds,
    blank_variables,
    play,
)
from simulators.rest.events import EVENTS
from simulators.rest.state import STATE


class BadControl(ValueError):
    pass


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadControl("the body must be a JSON object")
    return body


def _seconds(body: dict[str, Any], name: str) -> Seconds | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, list) and len(value) == 2 and all(_duration(v) for v in value):
        low, high = value
        if low <= high:
            return (float(low), float(high))
    elif _duration(value):
        return float(value)
    raise BadControl(f"{name} must be a number of seconds, 0 or more, or a range [low, high]")


def _duration(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def _plan(body: dict[str, Any]) -> CallPlan:
    outcome = body.get("outcome", "answer")
    if outcome not in OUTCOMES:
        raise BadControl(f"outcome must be one of {', '.join(OUTCOMES)}")
    return CallPlan(outcome, _seconds(body, "ring_seconds"), _seconds(body, "talk_seconds"))


def _refusal(error: BadControl) -> web.Response:
    return web.json_response({"error": str(error)}, status=400)


async def put_call_plan(request: web.Request) -> web.Response:
    try:
        body = await _body(request)
        plan = _plan(body)
    except BadControl as error:
        return _refusal(error)
    plans = request.app[CALL_PLANS]
    if body.get("number"):
        plans.by_number[str(body["number"])] = plan
    else:
        plans.default = plan
    return web.json_response({"ok": True})


async def delete_call_plans(request: web.Request) -> web.Response:
    request.app[CALL_PLANS].forget()
    return web.json_response({"ok": True})


async def inbound(request: web.Request) -> web.Response:
    pusher = request.app[EVENTS]
    try:
        body = await _body(request)
        plan = _plan(body)
        user_id, caller = body.get("user_id"), body.get("caller")
        if not isinstance(user_id, int) or not isinstance(caller, str) or not caller:
            raise BadControl("user_id (a number) and caller (a phone number) are required")
        queue_id = body.get("queue_id")
        if queue_id is not None and not isinstance(queue_id, int):
            raise BadControl("queue_id must be a number")
    except BadControl as error:
        return _refusal(error)
    if not pusher.enabled:
        return web.json_response({"error": "the simulator has no event_url"}, status=409)
    user = request.app[STATE].users.get(user_id)
    call_id = str(uuid.uuid4())
    variables = {
        **blank_variables(),
        "id": call_id,
        "call_id": call_id,
        "type": "queue" if queue_id is not None else "inbound",
        "dst_num": str(body.get("did", "")) or None,
        "dst_user_id": user_id,
        "dst_device_id": user.agent.device_id if user else None,
        "cid_num": caller,
        "cid_name": body.get("caller_name"),
        "queue_id": queue_id,
    }
    plan = plan.with_times_of(request.app[CALL_PLANS].default)
    pusher.spawn(
        play(pusher, variables, plan, request.app[CALL_EVENT_DELAYS], queued=queue_id is not None)
    )
    return web.json_response({"call_id": call_id}, status=202)


def install(app: web.Application, default_plan: CallPlan) -> None:
    app[CALL_PLANS] = CallPlans(default=default_plan)
    app.router.add_put("/_sim/call_plan", put_call_plan)
    app.router.add_delete("/_sim/call_plan", delete_call_plans)
    app.router.add_post("/_sim/inbound", inbound)
