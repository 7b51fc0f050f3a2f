"""``/api/cc_agent/originate``: click to call."""

import uuid

from aiohttp import web

from simulators.rest.envelope import fail
from simulators.rest.state import STATE, OriginatedCall


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
    return web.json_response({"Success": True, "uuid": call.uuid})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/cc_agent/originate", originate)
