"""An agent runs a manual webhook from the widget: ``POST /api/v1/webhooks/run``
``{webhook, call_id?, dynamic_parameter?}`` → 202 ``{webhook, delivery_id}`` (an AJAX
webhook, queued) or ``{webhook, screen_pop}`` (a Browser Window webhook; the same
``screen_pop`` event goes to the agent's stream). See `server.integrations.manual_run`.
"""

from typing import Annotated

from aiohttp import web
from pydantic import StringConstraints

from server.auth import require_agent
from server.fields import Name
from server.integrations.manual_run import run_manual
from server.integrations.triggers import Triggers
from server.keys import CONFIG, DELIVERY_WORKER, EVENT_WRITER, INTEGRATIONS
from server.request_body import Body, read_json


class RunBody(Body):
    webhook: Name
    call_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    dynamic_parameter: Annotated[str, StringConstraints(max_length=1000)] = ""


async def run(request: web.Request) -> web.Response:
    caller = await require_agent(request)
    body = await read_json(request, RunBody)
    answer = await run_manual(
        request.config_dict[EVENT_WRITER],
        request.config_dict[INTEGRATIONS],
        Triggers(request.config_dict[CONFIG]),
        tenant=caller.agent.tenant,
        agent_id=caller.agent.id,
        webhook_name=body.webhook,
        call_id=body.call_id,
        dynamic_parameter=body.dynamic_parameter,
    )
    request.config_dict[DELIVERY_WORKER].wake()
    return web.json_response(answer, status=202)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/webhooks/run", run)
