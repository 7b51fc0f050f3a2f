"""Starts the whole demo on loopback: bridge, REST simulator, demo CRM (two origins).

Ports, from ``--port`` P: bridge P, CRM P+1, an untrusted origin P+2, REST simulator P+3.
"""

import asyncio
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from aiohttp import web

from server.access_log import PathOnlyAccessLogger
from server.app import create_app
from server.config import ServerConfig, parse_config
from server.demo.crm_site import DemoAgent, create_crm_site
from server.keys import AGENTS
from simulators.rest import create_rest_simulator

DEMO_TENANT = "demo"
# The demo's own agent: printed at start, seeded into a scratch database.
DEMO_AGENT = DemoAgent(username="agent1", password="Agent1-demo-pass", extension="1001")  # noqa: S106


def demo_config(host: str, port: int, database: str, rest_api_key: str) -> ServerConfig:
    crm = f"http://{host}:{port + 1}"
    return parse_config(
        {
            "server": {"host": host, "port": port, "database": database},
            "tenants": {
                DEMO_TENANT: {
                    "name": "Demo CRM",
                    "allowed_origins": [crm],
                    "dialers": {
                        "rest": {
                            "base_url": f"http://{host}:{port + 3}",
                            "api_key": rest_api_key,
                            "timeout": 5,
                        }
                    },
                }
            },
        }
    )


async def _seed(app: web.Application) -> None:
    await app[AGENTS].save(
        DEMO_TENANT,
        DEMO_AGENT.username,
        password=DEMO_AGENT.password,
        full_name="Demo Agent",
        extension=DEMO_AGENT.extension,
    )


async def serve(apps: list[tuple[web.Application, str, list[int]]]) -> list[web.AppRunner]:
    runners = []
    for app, host, ports in apps:
        runner = web.AppRunner(app, access_log_class=PathOnlyAccessLogger)
        await runner.setup()
        for port in ports:
            await web.TCPSite(runner, host, port).start()
        runners.append(runner)
    return runners


async def run_demo(host: str = "127.0.0.1", port: int = 8780, database: str | None = None) -> None:
    rest_api_key = os.environ.get("DEMO_REST_API_KEY") or secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="crm-bridge-demo-") as scratch:
        config = demo_config(
            host, port, database or str(Path(scratch) / "demo.sqlite3"), rest_api_key
        )
        bridge = create_app(config)
        bridge.on_startup.append(_seed)
        crm = create_crm_site(bridge_origin=config.origin, tenant=DEMO_TENANT, agent=DEMO_AGENT)
        simulator = create_rest_simulator(
            api_keys=[rest_api_key], extensions=[DEMO_AGENT.extension]
        )
        runners = await serve(
            [
                (simulator, host, [port + 3]),
                (bridge, host, [port]),
                (crm, host, [port + 1, port + 2]),
            ]
        )
        print(
            f"crm-bridge demo is running.\n"
            f"  Open the CRM page:        http://{host}:{port + 1}/\n"
            f"  Framed-CRM topology:      {config.origin}/console/{DEMO_TENANT}"
            f"?crm=http://{host}:{port + 1}/framed\n"
            f"  Pyodide runtime instead:  http://{host}:{port + 1}/?runtime=pyodide\n"
            f"  Agent: {DEMO_AGENT.username} / {DEMO_AGENT.password}, extension"
            f" {DEMO_AGENT.extension}\n"
            f"  REST simulator:           http://{host}:{port + 3}/_sim/requests\n"
            f"Press Ctrl+C to stop.",
            flush=True,
        )
        try:
            await asyncio.Event().wait()
        finally:
            for runner in reversed(runners):
                with contextlib.suppress(Exception):
                    await runner.cleanup()
