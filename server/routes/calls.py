"""Click-to-call: ``POST /api/v1/calls`` ``{phone_code, phone_number, lead_id?}``.

The number is normalised, then originated on the tenant's click-to-call dialer from
the session's extension; the dialer's credentials are added by the bridge.
"""

from aiohttp import web

from bridge import Actor, DialerError, InvalidNumber, OriginateRequest, current_actor, normalise
from server.api_errors import api_error, dialer_error, json_body
from server.keys import AGENTS, CONFIG, DIALERS
from server.routes.sessions import current_session


async def click_to_call(request: web.Request) -> web.Response:
    session = await current_session(request)
    body = await json_body(request)
    agent = await request.app[AGENTS].get_by_id(session.agent_id)
    if agent is None or not agent.active:
        return api_error(403, "agent_disabled", "this agent is disabled; ask an administrator")
    tenant = request.app[CONFIG].tenants[agent.tenant]
    try:
        number = normalise(
            str(body.get("phone_number", "")),
            phone_code=str(body.get("phone_code") or ""),
            default_region=tenant.default_region,
        )
    except InvalidNumber as error:
        return api_error(400, "invalid_number", str(error))
    if not tenant.click_to_call_dialer:
        return api_error(501, "not_supported", f"tenant {tenant.id} has no click-to-call dialer")
    dialer = request.app[DIALERS].get(tenant.id, tenant.click_to_call_dialer)
    current_actor.set(Actor(tenant.id, agent.username))
    lead_id = body.get("lead_id")
    try:
        result = await dialer.originate(
            OriginateRequest(
                destination=number.digits,
                extension=session.extension or None,
                lead_id=str(lead_id) if lead_id is not None else None,
            )
        )
    except DialerError as error:
        return dialer_error(error)
    return web.json_response(
        {
            "uuid": result.uuid,
            "destination": number.e164,
            "display": number.display,
            "dialer": dialer.name,
        }
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/calls", click_to_call)
