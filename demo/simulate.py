"""`crm-bridge simulate`: the dialer simulators alone, for integrators without a dialer.

Ports from ``--port`` P: REST call-centre API P, Euphoria XML API P+1, Elision non-agent
API P+2. ``--event-url`` is where the REST simulator pushes its call and queue events (the
bridge's Event Push URL). Credentials come from flags or ``CRM_BRIDGE_SIM_*`` environment variables;
those not given are made up at start. Give them all to keep a bridge configured against
the simulators working across restarts. At start the command prints the bridge's
``[tenants.<id>.dialers.*]`` tables, ready to paste into its configuration.
"""

import argparse
import asyncio

from aiohttp import web

from demo.app_runners import serve
from demo.simulation import Simulation, bridge_dialers_toml, simulation_of
from simulators.elision import create_elision_simulator
from simulators.euphoria import DEMO_RECORDING, create_euphoria_simulator
from simulators.rest import create_rest_simulator


def simulator_apps(simulation: Simulation) -> list[tuple[web.Application, str, list[int]]]:
    host, port = simulation.host, simulation.port
    rest = create_rest_simulator(
        api_keys=[simulation.rest_api_key],
        extensions=simulation.extensions,
        event_url=simulation.event_url or None,
    )
    euphoria = create_euphoria_simulator(
        tenants={simulation.euphoria_tenant: simulation.euphoria_auth}
    )
    elision = create_elision_simulator(
        api_users={simulation.elision_user: (simulation.elision_pass, 9)}
    )
    return [(rest, host, [port]), (euphoria, host, [port + 1]), (elision, host, [port + 2])]


async def run_simulators(simulation: Simulation, tenant: str, *, access_log: bool = False) -> None:
    runners = await serve(simulator_apps(simulation), access_log=access_log)
    events = simulation.event_url or "nowhere yet (--event-url, or PUT /_sim/event_url)"
    print(
        f"Dialer simulators are running (state in memory; /_sim/requests, /_sim/faults).\n"
        f"  REST call-centre API:  {simulation.rest_url}"
        f"  (extensions {', '.join(simulation.extensions)})\n"
        f"    its events go to:    {_without_query(events)}\n"
        f"  Euphoria XML API:      {simulation.euphoria_url}/api/"
        f"  (recording {DEMO_RECORDING})\n"
        f"  Elision non-agent API: {simulation.elision_url}/dialer/elision_api.php"
        f"  (campaign TESTCAMP, user group AGENTS)\n"
        f"\nFor the bridge's configuration:\n\n"
        f"{bridge_dialers_toml(simulation, tenant)}\n"
        f"Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        for runner in runners:
            await runner.cleanup()


def main(args: argparse.Namespace) -> None:
    """The ``simulate`` command."""
    asyncio.run(run_simulators(simulation_of(args), args.tenant, access_log=args.access_log))


def _without_query(url: str) -> str:
    """The URL without its query string (an Event Push URL's secret stays unprinted)."""
    return url.split("?", 1)[0] + (" (with its secret)" if "?" in url else "")
