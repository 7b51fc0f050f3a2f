"""The REST simulator's app factory.

``GET /_sim/state`` shows the whole account (no passwords); ``/_sim/requests`` and
``/_sim/faults`` come from `SimulatorControl`; ``/_sim/events`` and ``/_sim/event_url``
from `events`; ``/_sim/call_plan`` and ``/_sim/inbound`` from `call_control`.
"""

from collections.abc import Iterable, Sequence

from aiohttp import web

from simulators.control import SimulatorControl
from simulators.rest import (
    agents,
    call_control,
    calls,
    events,
    leads,
    phone_lists,
    queues,
    users,
)
from simulators.rest.call_events import CALL_EVENT_DELAYS, CallEventDelays, CallPlan
from simulators.rest.envelope import refusals, require_api_key
from simulators.rest.state import STATE, RestState

CONTROL = web.AppKey("rest_control", SimulatorControl)


async def _state(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].snapshot())


def create_rest_simulator(
    *,
    api_keys: Iterable[str],
    extensions: Iterable[str] = (),
    state: RestState | None = None,
    event_url: str | None = None,
    call_event_delays: Sequence[float] = CallEventDelays(),
    event_retry_delays: Sequence[float] = (0.1, 0.5, 1.0),
    call_plan: CallPlan | None = None,
) -> web.Application:
    """A REST call-centre API that accepts ``api_keys`` and routes ``extensions``.

    With ``event_url``, queue and call events are POSTed there; an originated call's
    ``call:ring``, ``call:answer`` and ``call:end`` follow each other after
    ``call_event_delays`` seconds, unless ``call_plan`` (the default plan, see
    `call_control`) says otherwise; a failed delivery is retried after each of
    ``event_retry_delays``.
    """
    state = state or RestState()
    for extension in extensions:
        state.route_extension(extension)
    control = SimulatorControl()
    app = web.Application()
    control.install(app)  # outermost: even refused requests are recorded
    app.middlewares.append(require_api_key(frozenset(api_keys)))
    app.middlewares.append(refusals)
    app[STATE] = state
    app[CONTROL] = control
    app[CALL_EVENT_DELAYS] = CallEventDelays(*call_event_delays)
    events.install(app, events.EventPusher(event_url, retry_delays=event_retry_delays))
    call_control.install(app, call_plan or CallPlan())
    app.router.add_get("/_sim/state", _state)
    for module in (calls, agents, phone_lists, leads, users, queues):
        module.add_routes(app)
    return app
