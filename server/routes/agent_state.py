"""The agent's state from the widget (or a CRM page through it): check in and out,
pause and resume, queues, and the wrap-up of a call.

``POST /api/v1/agent/check-in`` ``{device_id?}``, ``POST /api/v1/agent/check-out``,
``POST /api/v1/agent/pause`` ``{reason}`` (one of the tenant's ``pause_reasons``),
``POST /api/v1/agent/resume``, ``PUT /api/v1/agent/queues`` ``{queues}``: each asks the
tenant's click-to-call dialer in the agent's name (its ``user_id`` there, see
`server.events.agent_ids`) and answers ``{"state": <agent_state data>}``; check-in adds
``check_in_number`` when the dialer wants the agent to dial one to finish.
``POST /api/v1/calls/{call_id}/wrapup`` ``{disposition, outcome?, notes?}`` ends the
wrap-up on the dialer, stores them on the call and answers ``{"call": {...}, "state":
{...}}``; ``{"skip": true}`` ends it storing nothing. A dialer without these functions
answers 501 ``not_supported``.
"""

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from aiohttp import web
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from bridge import DialerAdapter, NotSupported, kind_offers
from server.auth import AgentCaller, require_agent
from server.events import agent_ids
from server.events.agent_model import AgentState
from server.events.agents_call import agents_call
from server.events.call_model import DISPOSITIONS
from server.events.call_queries import call_json, find_call
from server.keys import CONFIG, DATABASE, DIALERS, INTAKE
from server.problems import Problem
from server.request_body import Body, read_json

Model = TypeVar("Model", bound=Body)
DialerId = Annotated[str, Field(min_length=1, max_length=64)] | int


class CheckInBody(Body):
    device_id: DialerId | None = None


class NoBody(Body):
    pass


class PauseBody(Body):
    reason: Annotated[str, Field(min_length=1, max_length=40)]


class QueuesBody(Body):
    queues: Annotated[list[DialerId], Field(max_length=200)]


class WrapupBody(Body):
    disposition: Literal[DISPOSITIONS] | None = None  # type: ignore[valid-type]
    outcome: Annotated[str, Field(max_length=255)] | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None
    skip: bool = False

    @model_validator(mode="after")
    def _saved_or_skipped(self) -> "WrapupBody":
        if self.skip and (self.disposition, self.outcome, self.notes) != (None, None, None):
            raise PydanticCustomError(
                "skipped", "a skipped wrap-up has no disposition, outcome or notes"
            )
        if not self.skip and self.disposition is None:
            raise PydanticCustomError("no_disposition", "give a disposition, or skip: true")
        return self


class AgentAction:
    """One request's agent, the dialer that acts for the agent, and the agent's id there."""

    def __init__(self, caller: AgentCaller, dialer: DialerAdapter, user_id: str) -> None:
        self.caller, self.dialer, self.user_id = caller, dialer, user_id


async def _body(request: web.Request, model: type[Model]) -> Model:
    """The JSON body as ``model``; a request without a body is an empty one."""
    return await read_json(request, model) if request.body_exists else model()


async def _action(request: web.Request, operation: str) -> AgentAction:
    caller = await require_agent(request)
    tenant = request.config_dict[CONFIG].tenants[caller.agent.tenant]
    name = tenant.click_to_call_dialer or next(iter(tenant.dialers), "")
    if not name:
        raise Problem("not_supported", f"tenant {tenant.id} has no dialer")
    if not kind_offers(tenant.dialers[name].kind, operation):
        raise NotSupported(operation, dialer=name)
    async with request.config_dict[DATABASE].connect() as connection:
        ids = (await agent_ids.of_agent(connection, caller.agent.id)).get(name)
    if ids is None or ids.user_id is None:
        raise Problem(
            "no_dialer_user",
            f"agent {caller.agent.username} has no user id on dialer {name}: the CRM sets it"
            " with dialer_ids in PUT /api/v1/crm/agents/{username}",
        )
    return AgentAction(caller, request.config_dict[DIALERS].get(tenant.id, name), ids.user_id)


async def _answer(
    request: web.Request,
    action: AgentAction,
    change: Callable[[AgentState], AgentState],
    **extra: Any,
) -> web.Response:
    state = await request.config_dict[INTAKE].change_agent(action.caller.agent.id, change)
    return web.json_response({"state": state.data(), **extra})


async def check_in(request: web.Request) -> web.Response:
    action = await _action(request, "check_in")
    body = await _body(request, CheckInBody)
    device = None if body.device_id is None else str(body.device_id)
    number = await action.dialer.check_in(action.user_id, device)
    if device is not None:
        await request.config_dict[INTAKE].save_dialer_ids(
            action.caller.agent.id, action.dialer.name, user_id=None, device_id=device
        )
    extra = {} if number is None else {"check_in_number": number}
    return await _answer(request, action, AgentState.checked_in_now, **extra)


async def check_out(request: web.Request) -> web.Response:
    action = await _action(request, "check_out")
    await _body(request, NoBody)
    await action.dialer.check_out(action.user_id)
    return await _answer(request, action, AgentState.checked_out_now)


async def pause(request: web.Request) -> web.Response:
    action = await _action(request, "pause")
    body = await _body(request, PauseBody)
    reasons = request.config_dict[CONFIG].tenants[action.caller.agent.tenant].pause_reasons
    if body.reason not in reasons:
        raise Problem("unknown_pause_reason", f"reason must be one of: {', '.join(reasons)}")
    await action.dialer.pause(action.user_id, reasons.index(body.reason) + 1)
    return await _answer(request, action, lambda state: state.paused(body.reason))


async def resume(request: web.Request) -> web.Response:
    action = await _action(request, "resume")
    await _body(request, NoBody)
    await action.dialer.resume(action.user_id)
    return await _answer(request, action, lambda state: state.paused(None))


async def set_queues(request: web.Request) -> web.Response:
    action = await _action(request, "set_queues")
    body = await read_json(request, QueuesBody)
    queues = tuple(str(queue) for queue in body.queues)
    await action.dialer.set_queues(action.user_id, queues)
    return await _answer(request, action, lambda state: state.with_queues(queues))


async def wrapup(request: web.Request) -> web.Response:
    action = await _action(request, "wrapup")
    body = await read_json(request, WrapupBody)
    tenant, call_id = action.caller.agent.tenant, request.match_info["call_id"]
    async with request.config_dict[DATABASE].connect() as connection:
        known = (
            await connection.execute(agents_call(tenant, call_id, action.caller.agent.id))
        ).first()
    if known is None:
        raise Problem("unknown_call", f"no call {call_id!r} is known to the bridge")
    if known.agent_id not in (None, action.caller.agent.id):
        raise Problem("not_your_call", f"call {call_id!r} is another agent's")
    await action.dialer.wrapup(action.user_id, 0)
    intake = request.config_dict[INTAKE]
    call: Any  # the call as stored (a row, or the `Call` the wrap-up saved)
    if body.disposition is None:  # skipped
        state = await intake.change_agent(
            action.caller.agent.id, lambda state: state.wrapped_up(call_id)
        )
        async with request.config_dict[DATABASE].connect() as connection:
            call = await find_call(connection, tenant, call_id)
    else:
        call, state = await intake.wrap_up(
            tenant,
            action.caller.agent.id,
            call_id,
            disposition=body.disposition,
            outcome=body.outcome,
            notes=body.notes,
        )
    queues = intake.queue_names(tenant)
    answer = call_json(call, action.caller.agent.username, queues)
    return web.json_response({"call": answer, "state": state.data()})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/agent/check-in", check_in)
    app.router.add_post("/api/v1/agent/check-out", check_out)
    app.router.add_post("/api/v1/agent/pause", pause)
    app.router.add_post("/api/v1/agent/resume", resume)
    app.router.add_put("/api/v1/agent/queues", set_queues)
    app.router.add_post("/api/v1/calls/{call_id}/wrapup", wrapup)
