"""`crm-bridge serve` processes with one tenant, one agent and a REST dialer that pushes
events: for the tests of several instances, stops and faults (`tests.processes` starts
and kills them)."""

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from tests.processes import Process, Processes, free_ports
from tests.support import ADMIN, AGENT, CRM_ORIGIN, TENANT

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
database = "{database}"
{server_extra}

[jobs]
poll_seconds = 0.2

[admin]
username = "{admin}"
password = "{admin_password}"

[tenants.{tenant}]
allowed_origins = ["{origin}"]

[tenants.{tenant}.dialers.rest]
base_url = "http://127.0.0.1:9"
api_key = "rest-key"
"""
ROOT = Path(__file__).resolve().parents[1]
DIALER_IDS = {"rest": {"user_id": 7}}
ADMIN_AUTH = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}


def write_config(folder: Path, name: str, database: str, server_extra: str = "") -> Path:
    """A configuration on a free port; its file is ``folder / f"{name}.toml"``."""
    config = folder / f"{name}.toml"
    config.write_text(
        CONFIG.format(
            port=free_ports(1),
            database=database,
            server_extra=server_extra,
            admin=ADMIN[0],
            admin_password=ADMIN[1],
            tenant=TENANT,
            origin=CRM_ORIGIN,
        )
    )
    return config


def base_url(config: Path) -> str:
    port = next(line for line in config.read_text().splitlines() if line.startswith("port"))
    return f"http://127.0.0.1:{port.split('=')[1].strip()}"


async def serve(started: Processes, config: Path) -> tuple[Process, str]:
    """Start ``crm-bridge serve`` on ``config``; the process and its URL once it answers."""
    process = started.start(config.stem, ["serve", "--config", str(config)])
    url = base_url(config)
    await process.answers(f"{url}/healthz")
    return process, url


async def json_call(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Any:
    async with session.request(method, url, **kw) as response:
        assert response.status < 300, await response.text()
        return await response.json()


@dataclass
class Agent:
    """The tenant's agent, known on the REST dialer as user 7: where its events are
    pushed (a path with the secret, on any instance) and a session token."""

    push_path: str
    token: str


async def agent(session: aiohttp.ClientSession, config: Path, url: str) -> Agent:
    """Add the agent (``crm-bridge agent add``), give it its dialer id, log it in."""
    added = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cli",
        "agent",
        "add",
        "--config",
        str(config),
        "--tenant",
        TENANT,
        "--username",
        AGENT["username"],
        "--extension",
        AGENT["extension"],
        env={**os.environ, "CRM_BRIDGE_AGENT_PASSWORD": AGENT["password"]},
        cwd=ROOT,
    )
    assert await added.wait() == 0
    key = await json_call(
        session,
        "POST",
        f"{url}/admin/api/keys",
        json={"tenant": TENANT, "name": "crm"},
        headers=ADMIN_AUTH,
    )
    await json_call(
        session,
        "PUT",
        f"{url}/api/v1/crm/agents/{AGENT['username']}",
        json={"full_name": "Agent One", "extension": "1001", "dialer_ids": DIALER_IDS},
        headers={"X-Api-Key": key["key"]},
    )
    push = await json_call(
        session, "POST", f"{url}/admin/api/event-push/{TENANT}/rest", headers=ADMIN_AUTH
    )
    login = await json_call(session, "POST", f"{url}/api/v1/tenants/{TENANT}/sessions", json=AGENT)
    pushed_to = urlsplit(push["url"])
    return Agent(f"{pushed_to.path}?{pushed_to.query}", login["token"])


async def open_stream(
    session: aiohttp.ClientSession, url: str, token: str, after: int | None = None
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    """A live stream after its hello, and its welcome."""
    ws = await session.ws_connect(f"{url}/api/v1/stream")
    await ws.send_json({"type": "hello", "token": token, "after": after})
    welcome = await ws.receive_json(timeout=10)
    assert welcome["type"] == "welcome", welcome
    return ws, welcome
