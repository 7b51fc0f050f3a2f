"""Starts the whole demo on loopback: bridge, dialer simulators, demo CRM (two origins).

Ports, from ``--port`` P: bridge P, CRM P+1, an untrusted origin P+2, REST simulator P+3,
Elision simulator P+4, Euphoria simulator P+5. On 127.0.0.1 the CRM also answers at
127.0.0.2:P+1: another *site* than the bridge, as a CRM on its own domain is, where
browsers treat the widget as a third-party frame. Dialer secrets are made up at start (or
taken from ``DEMO_REST_API_KEY``); a CRM API key and, last, the admin login (its password
from ``DEMO_ADMIN_PASSWORD``, else made up) are printed.

Calls go at a pace people can watch (`WATCHABLE_CALLS`: ring 3 s, talk 8 to 15 s);
with ``quick_calls`` they are answered and end at once (`QUICK_CALLS`), for the
end-to-end tests, which give the calls they watch plans of their own. Access logs
are off unless ``access_log``.

The REST simulator's Event Push URL is the bridge's (`wire_live_events`), and the demo
agent is an agent of the simulator, on extension 1001, who may pick its two queues
(the tenant's ``queues``, listed in the widget): calls ring,
are answered and end on the widget; numbers ending in 486 are busy, in 408 unanswered;
``POST /_sim/inbound`` on the simulator rings the agent with an inbound queue call.
The Integration Centre is declared (`demo.crm_webhooks`): every ended call is logged into
the demo CRM's call log, an inbound call's caller is looked up there and popped up.
"""

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from demo.app_runners import serve
from demo.crm_back_office import CallLog
from demo.crm_site import DemoAgent, create_crm_site
from demo.crm_webhooks import demo_integrations
from server.app import create_app
from server.config import ServerConfig, parse_config
from server.integrations.secret_box import SecretBox
from server.keys import AGENTS, API_KEYS, CONFIG, INTAKE, PUSH_SECRETS
from server.routes.event_push_admin import push_url
from simulators.elision import create_elision_simulator
from simulators.euphoria import DEMO_RECORDING, create_euphoria_simulator
from simulators.rest import create_rest_simulator
from simulators.rest.call_events import CallPlan
from simulators.rest.events import EVENTS
from simulators.rest.state import STATE, QueueRecord, RestState, UserRecord

DEMO_TENANT = "demo"
# The demo's own agent: printed at start, seeded into a scratch database.
DEMO_AGENT = DemoAgent(username="agent1", password="Agent1-demo-pass", extension="1001")  # noqa: S106
# A second agent, wired the same way: the end-to-end tests of live calls and agent state
# use it, so that the other tests' calls (as agent1) never show on its panel.
SECOND_AGENT = DemoAgent(username="agent2", password="Agent2-demo-pass", extension="1002")  # noqa: S106
DEMO_AGENTS = ((DEMO_AGENT, "Demo Agent"), (SECOND_AGENT, "Second Agent"))
CROSS_SITE_HOSTS = {"127.0.0.1": "127.0.0.2"}  # all of 127/8 is loopback on Linux
ADMIN_PASSWORD_VARIABLE = "DEMO_ADMIN_PASSWORD"  # noqa: S105 - the variable's name
WATCHABLE_CALLS = CallPlan("answer", ring_seconds=3.0, talk_seconds=(8.0, 15.0))
# For the end-to-end tests: a call is answered and ends at once, so that one test's call
# never keeps the agent busy (one call at a time) when another test of the agent dials.
QUICK_CALLS = CallPlan("answer", ring_seconds=0.0, talk_seconds=0.0)


@dataclass(frozen=True, slots=True)
class DemoSecrets:
    rest_api_key: str
    elision_pass: str
    euphoria_auth: str
    admin_password: str
    crm_api_key: str
    integrations_key: str  # encrypts the Integration Centre's secrets (a new one each run)


def crm_hosts(host: str) -> list[str]:
    """The hosts the demo CRM answers on at P+1: ``host``, and another site on loopback."""
    return [host, CROSS_SITE_HOSTS[host]] if host in CROSS_SITE_HOSTS else [host]


def demo_queues(state: RestState) -> list[dict[str, str]]:
    """The simulator's two queues, as the tenant's ``queues`` list them for the widget."""
    queues = []
    for name in ("Sales", "Support"):
        queue_id = state.new_id()
        state.queues[queue_id] = QueueRecord(queue_id, {"name": name, "strategy": "ring-all"})
        queues.append({"id": str(queue_id), "name": name})
    return queues


def demo_config(
    host: str, port: int, database: str, secrets_: DemoSecrets, queues: list[dict[str, str]]
) -> ServerConfig:
    return parse_config(
        {
            "server": {"host": host, "port": port, "database": database},
            "admin": {"username": "admin", "password": secrets_.admin_password},
            # Webhooks may reach the demo CRM, which is on loopback and plain http.
            "integrations": {
                "secret_keys": [secrets_.integrations_key],
                "allow_http_hosts": crm_hosts(host),
                "allow_addresses": ["127.0.0.0/8", "::1/128"],
            },
            "tenants": {
                DEMO_TENANT: {
                    "name": "Demo CRM",
                    "allowed_origins": [f"http://{h}:{port + 1}" for h in crm_hosts(host)],
                    "queues": queues,
                    "dialers": {
                        "rest": {
                            "base_url": f"http://{host}:{port + 3}",
                            "api_key": secrets_.rest_api_key,
                            "timeout": 5,
                        },
                        "elision": {
                            "base_url": f"http://{host}:{port + 4}",
                            "api_user": "api",
                            "api_pass": secrets_.elision_pass,
                            "source": "crmbridge",
                            "timeout": 5,
                        },
                        "euphoria": {
                            "base_url": f"http://{host}:{port + 5}",
                            "tenant_name": DEMO_TENANT,
                            "auth_code": secrets_.euphoria_auth,
                            "timeout": 10,
                        },
                    },
                    "integrations": demo_integrations(
                        f"http://{host}:{port + 1}", secrets_.crm_api_key
                    ),
                }
            },
        }
    )


def _seed(api_key: list[str]) -> Callable[[web.Application], Awaitable[None]]:
    async def seed(app: web.Application) -> None:
        for agent, full_name in DEMO_AGENTS:
            await app[AGENTS].save(
                DEMO_TENANT,
                agent.username,
                password=agent.password,
                full_name=full_name,
                extension=agent.extension,
            )
        _, secret = await app[API_KEYS].create(DEMO_TENANT, "demo CRM back end")
        api_key.append(secret)

    return seed


def _wire(
    rest: web.Application, user_ids: list[int]
) -> Callable[[web.Application], Awaitable[None]]:
    async def wire(bridge: web.Application) -> None:
        user_ids.append(await wire_live_events(bridge, rest))

    return wire


async def wire_live_events(bridge: web.Application, rest: web.Application) -> int:
    """Point the simulator's Event Push at the bridge; make each demo agent an agent of the
    simulator (extension routed) that the bridge knows; the first one's user id there."""
    secret = await bridge[PUSH_SECRETS].rotate(DEMO_TENANT, "rest")
    rest[EVENTS].url = push_url(bridge[CONFIG], DEMO_TENANT, "rest", secret)
    state = rest[STATE]
    user_ids = []
    for demo_agent, full_name in DEMO_AGENTS:
        user_id = state.new_id()
        state.users[user_id] = UserRecord(
            id=user_id,
            password=secrets.token_urlsafe(12),
            fields={"username": demo_agent.username, "name": full_name, "is_agent": True},
        )
        state.route_extension(demo_agent.extension, user_id=user_id)
        agent = await bridge[AGENTS].get(DEMO_TENANT, demo_agent.username)
        assert agent is not None  # seeded at start
        await bridge[INTAKE].save_dialer_ids(agent.id, "rest", user_id=str(user_id), device_id=None)
        user_ids.append(user_id)
    return user_ids[0]


async def run_demo(
    host: str = "127.0.0.1",
    port: int = 8780,
    database: str | None = None,
    *,
    quick_calls: bool = False,
    access_log: bool = False,
) -> None:
    admin_password_given = bool(os.environ.get(ADMIN_PASSWORD_VARIABLE))
    secrets_ = DemoSecrets(
        rest_api_key=os.environ.get("DEMO_REST_API_KEY") or secrets.token_urlsafe(24),
        elision_pass=secrets.token_urlsafe(12),
        euphoria_auth=secrets.token_urlsafe(24),
        admin_password=os.environ.get(ADMIN_PASSWORD_VARIABLE) or secrets.token_urlsafe(12),
        crm_api_key=secrets.token_urlsafe(18),
        integrations_key=SecretBox.new_key(),
    )
    with tempfile.TemporaryDirectory(prefix="crm-bridge-demo-") as scratch:
        rest_state = RestState()
        queues = demo_queues(rest_state)
        database = database or str(Path(scratch) / "demo.sqlite3")
        config = demo_config(host, port, database, secrets_, queues)
        api_key: list[str] = []
        bridge = create_app(config)
        bridge.on_startup.append(_seed(api_key))
        call_log = CallLog(api_key=secrets_.crm_api_key)
        crm_sites = [
            (
                create_crm_site(
                    bridge_origin=config.origin,
                    tenant=DEMO_TENANT,
                    agent=DEMO_AGENT,
                    recording=DEMO_RECORDING,
                    call_log=call_log,
                ),
                crm_host,
                [port + 1, port + 2] if crm_host == host else [port + 1],
            )
            for crm_host in crm_hosts(host)
        ]
        rest = create_rest_simulator(
            api_keys=[secrets_.rest_api_key],
            extensions=[agent.extension for agent, _ in DEMO_AGENTS],
            state=rest_state,
            call_plan=QUICK_CALLS if quick_calls else WATCHABLE_CALLS,
        )
        user_ids: list[int] = []
        bridge.on_startup.append(_wire(rest, user_ids))  # before the bridge answers
        elision = create_elision_simulator(api_users={"api": (secrets_.elision_pass, 9)})
        euphoria = create_euphoria_simulator(tenants={DEMO_TENANT: secrets_.euphoria_auth})
        runners = await serve(
            [
                (rest, host, [port + 3]),
                (elision, host, [port + 4]),
                (euphoria, host, [port + 5]),
                (bridge, host, [port]),
                *crm_sites,
            ],
            access_log=access_log,
        )
        user_id = user_ids[0]
        sim = f"http://{host}:{port + 3}"
        pace = "ring 3 s, then talk 8 to 15 s"
        if quick_calls:
            pace = "answered and ended at once (--quick-calls)"
        print(
            f"crm-bridge demo is running.\n"
            f"  Open the CRM page:        http://{host}:{port + 1}/\n"
            f"  Framed-CRM topology:      {config.origin}/console/{DEMO_TENANT}"
            f"?crm=http://{host}:{port + 1}/framed\n"
            f"  Pyodide runtime instead:  http://{host}:{port + 1}/?runtime=pyodide\n"
            + "".join(
                f"  CRM on another site:      http://{h}:{port + 1}/\n" for h in crm_hosts(host)[1:]
            )
            + f"  Agent: {DEMO_AGENT.username} / {DEMO_AGENT.password}, extension"
            f" {DEMO_AGENT.extension} (and {SECOND_AGENT.username} /"
            f" {SECOND_AGENT.password}, extension {SECOND_AGENT.extension})\n"
            f"  CRM back-end API key:     {api_key[0]}\n"
            f"  CRM call log (webhooks):  http://{host}:{port + 1}/call-log"
            f"  (X-Api-Key: {secrets_.crm_api_key})\n"
            f"  Recording to try:         {config.origin}/api/v1/recordings/{DEMO_RECORDING}\n"
            f"  REST simulator:           {sim}/_sim/requests\n"
            f"  Live calls:               {pace}; numbers ending 486 are busy,"
            f" 408 not answered\n"
            f"  An inbound call to the {queues[1]['name']} queue:\n"
            f"    curl -X POST {sim}/_sim/inbound -H 'Content-Type:"
            f' application/json\' -d \'{{"user_id": {user_id}, "caller":'
            f' "+12025550143", "caller_name": "Jane Roe", "queue_id": {queues[1]["id"]}}}\'\n'
            f"Press Ctrl+C to stop.\n"
            f"Admin pages (audit log, keys, integrations): {config.origin}/admin"
            f"  user admin, password {secrets_.admin_password}"
            f"{'' if admin_password_given else '  (made up; DEMO_ADMIN_PASSWORD sets it)'}",
            flush=True,
        )
        try:
            await asyncio.Event().wait()
        finally:
            for runner in reversed(runners):
                with contextlib.suppress(Exception):
                    await runner.cleanup()
