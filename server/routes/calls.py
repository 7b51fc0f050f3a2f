"""Click-to-call: ``POST /api/v1/calls`` ``{phone_code, phone_number, lead_id?, crm_tag?}``.

The number is normalised, then originated on the tenant's click-to-call dialer from
the session's extension; the dialer's credentials are added by the bridge. One call at a
time: while the agent places one or is on one, the answer is 409 ``call_in_progress``
(`server.events.call_in_progress`). The call's
uuid is remembered, so that the dialer's events about it carry it (`server.events`), with
the CRM's ``crm_tag`` (the webhooks' ``{CALL_CRMTAG}``, `server.integrations`).

Nothing before the originate waits for a commit, and nothing after it does either: the
call is placed first, then what is remembered (the click, the audit entry) is queued for
the next shared transaction. The answer's ``Server-Timing`` header gives each step's
milliseconds (``auth``, ``body``, ``number``, ``guard``, ``dialer``, ``remember``).
"""

from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints

from bridge import InvalidNumber, OriginateRequest, normalise
from server.auth import require_agent
from server.fields import Code, PhoneCode, PhoneNumber
from server.keys import CALL_GUARD, CONFIG, DIALERS, INTAKE
from server.problems import Problem
from server.request_body import Body, read_json
from server.step_timer import StepTimer


class CallBody(Body):
    phone_number: PhoneNumber
    phone_code: PhoneCode = ""
    lead_id: Code | int | None = None
    crm_tag: Annotated[str, StringConstraints(max_length=100)] | None = None


async def click_to_call(request: web.Request) -> web.Response:
    timer = StepTimer()
    caller = await require_agent(request)
    timer.step("auth")
    body = await read_json(request, CallBody)
    timer.step("body")
    tenant = request.config_dict[CONFIG].tenants[caller.agent.tenant]
    try:
        number = normalise(
            body.phone_number, phone_code=body.phone_code, default_region=tenant.default_region
        )
    except InvalidNumber as error:
        raise Problem("invalid_number", str(error)) from None
    if not tenant.click_to_call_dialer:
        raise Problem("not_supported", f"tenant {tenant.id} has no click-to-call dialer")
    timer.step("number")
    dialer = request.config_dict[DIALERS].get(tenant.id, tenant.click_to_call_dialer)
    lead_id = str(body.lead_id) if body.lead_id is not None else None
    async with request.config_dict[CALL_GUARD].placing(caller.agent.id):
        timer.step("guard")
        result = await dialer.originate(
            OriginateRequest(
                destination=number.digits,
                extension=caller.session.extension or None,
                lead_id=lead_id,
            )
        )
        timer.step("dialer")
        if result.uuid:
            request.config_dict[INTAKE].record_click(
                tenant.id,
                dialer.name,
                result.uuid,
                caller.agent.id,
                number.e164,
                lead_id,
                body.crm_tag,
            )
        timer.step("remember")
    return web.json_response(
        {
            "uuid": result.uuid,
            "destination": number.e164,
            "display": number.display,
            "dialer": dialer.name,
        },
        headers={"Server-Timing": timer.header()},
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/calls", click_to_call)
