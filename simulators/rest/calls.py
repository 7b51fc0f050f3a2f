"""``/api/cc_agent/originate``: click to call; with an event URL, the call's events follow
(how the call goes: `call_events`)."""

import uuid
from typing import Any

from aiohttp import web

from simulators.rest.call_events import CALL_EVENT_DELAYS, CALL_PLANS, blank_variables, play
from simulators.rest.envelope import fail
from simulators.rest.events import EVENTS
from simulators.rest.state import STATE, OriginatedCall, RestState


async def originate(request: web.Request) -> web.Response:
    state = request.app[STATE]
    query = request.query
    destination = query.get("destination", "").strip()
    if not destination:
        return fail("destination is required")
    if not any(query.get(name) for name in ("device_id", "user_id", "extension")):
        return fail("one of device_id, user_id, extension is required")
    extension = query.get("extension")
    if extension and extension not in state.extensions:
        return fail(f"extension {extension} is not routed to a device or user")
    call = OriginatedCall(
        uuid=str(uuid.uuid4()),
        destination=destination,
        extension=extension,
        user_id=query.get("user_id"),
        device_id=query.get("device_id"),
        params={k: v for k, v in query.items() if k != "api_key"},
    )
    state.calls.append(call)
    pusher = request.app[EVENTS]
    if pusher.enabled:
        pusher.spawn(
            play(
                pusher,
                _variables(call, _calling_user(state, call)),
                request.app[CALL_PLANS].plan_for(call.destination),
                request.app[CALL_EVENT_DELAYS],
            )
        )
    return web.json_response({"Success": True, "uuid": call.uuid})


def _variables(call: OriginatedCall, src_user_id: int | None) -> dict[str, Any]:
    params = call.params
    return {
        **blank_variables(),
        "id": call.uuid,
        "call_id": call.uuid,
        "type": "outbound",
        "dst_num": call.destination,
        "src_device_id": _number(call.device_id),
        "src_user_id": src_user_id,
        "cid_num": params.get("cid"),
        "cid_name": params.get("cnam"),
        "lead_id": params.get("lead_id"),
    }


def _number(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


def _calling_user(state: RestState, call: OriginatedCall) -> int | None:
    """The agent placing the call: ``user_id``, else the user the extension is routed to."""
    if call.user_id is not None and call.user_id.isdigit():
        return int(call.user_id)
    if call.extension is not None:
        return state.extensions[call.extension].get("user_id")
    return None


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/cc_agent/originate", originate)
