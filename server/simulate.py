"""`crm-bridge simulate`: the dialer simulators alone, for integrators without a dialer.

Ports from ``--port`` P: REST call-centre API P, Euphoria XML API P+1, Elision non-agent
API P+2. Credentials are
printed at start (they belong to the simulators, not to any real dialer).
"""

import asyncio
import secrets

from server.app_runners import serve
from simulators.elision import create_elision_simulator
from simulators.euphoria import DEMO_RECORDING, create_euphoria_simulator
from simulators.rest import create_rest_simulator


async def run_simulators(host: str = "127.0.0.1", port: int = 8790) -> None:
    rest_key = secrets.token_urlsafe(18)
    euphoria_auth = secrets.token_urlsafe(18)
    elision_pass = secrets.token_urlsafe(12)
    runners = await serve(
        [
            (create_rest_simulator(api_keys=[rest_key], extensions=["1001", "1002"]), host, [port]),
            (create_euphoria_simulator(tenants={"demo": euphoria_auth}), host, [port + 1]),
            (create_elision_simulator(api_users={"api": (elision_pass, 9)}), host, [port + 2]),
        ]
    )
    print(
        f"Dialer simulators are running (state in memory; /_sim/requests, /_sim/faults).\n"
        f"  REST call-centre API:  http://{host}:{port}  api_key={rest_key}"
        f"  (extensions 1001, 1002)\n"
        f"  Euphoria XML API:      http://{host}:{port + 1}/api/  tenant=demo"
        f"  auth={euphoria_auth}  recording {DEMO_RECORDING}\n"
        f"  Elision non-agent API: http://{host}:{port + 2}/dialer/elision_api.php"
        f"  user=api pass={elision_pass}  (campaign TESTCAMP, user group AGENTS)\n"
        f"Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        for runner in runners:
            await runner.cleanup()
