"""The REST simulator's app factory."""

from collections.abc import Iterable

from aiohttp import web

from simulators.control import SimulatorControl
from simulators.rest import calls
from simulators.rest.envelope import require_api_key
from simulators.rest.state import STATE, RestState

CONTROL = web.AppKey("rest_control", SimulatorControl)


def create_rest_simulator(
    *, api_keys: Iterable[str], extensions: Iterable[str] = (), state: RestState | None = None
) -> web.Application:
    """A REST call-centre API that accepts ``api_keys`` and routes ``extensions``."""
    state = state or RestState()
    for extension in extensions:
        state.route_extension(extension)
    control = SimulatorControl()
    app = web.Application()
    control.install(app)  # outermost: even refused requests are recorded
    app.middlewares.append(require_api_key(frozenset(api_keys)))
    app[STATE] = state
    app[CONTROL] = control
    calls.add_routes(app)
    return app
