"""Several bridge instances on one PostgreSQL: an event received by one reaches a widget
connected to another (LISTEN/NOTIFY), and a widget resumes on either. Each instance is
a real `crm-bridge serve` process. On SQLite one instance is the documented limit: the
same scenario runs on one process."""

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.databases import BOTH_DATABASES
from tests.support import ADMIN, AGENT, CRM_ORIGIN, TENANT

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

CONFIG = """
[server]
host = "127.0.0.1"
port = {port}
database = "{database}"

[admin]
username = "{admin}"
password = "{admin_password}"

[tenants.{tenant}]
allowed_origins = ["{origin}"]

[tenants.{tenant}.dialers.rest]
base_url = "http://127.0.0.1:9"
api_key = "rest-key"
"""
CALL = {"type": "outbound", "dst_num": "2025550143", "src_user_id": 7}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def cli(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from cli.main import main; main()",
        *args,
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


@contextlib.asynccontextmanager
async def bridge_process(tmp_path: Path, database_url: str) -> AsyncIterator[str]:
    """A `crm-bridge serve` process on a free port; its base URL once it is healthy.

    Its configuration is ``tmp_path / "bridge-<port>.toml"``."""
    port = free_port()
    config = tmp_path / f"bridge-{port}.toml"
    config.write_text(
        CONFIG.format(
            port=port,
            database=database_url,
            admin=ADMIN[0],
            admin_password=ADMIN[1],
            tenant=TENANT,
            origin=CRM_ORIGIN,
        )
    )
    process = await cli("serve", "--config", str(config))
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{base}/healthz") as response:
                        if response.status == 200:
                            break
                if process.returncode is not None:
                    raise AssertionError((await process.stderr.read()).decode()[-2000:])
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the bridge did not start")
        yield base
    finally:
        process.terminate()
        await process.wait()


async def json_call(session: aiohttp.ClientSession, method: str, url: str, **kw: Any) -> Any:
    async with session.request(method, url, **kw) as response:
        assert response.status < 300, await response.text()
        return await response.json()


async def test_an_event_received_by_one_instance_reaches_a_stream_on_another(
    tmp_path: Path, database_url: str
) -> None:
    postgres = database_url.startswith("postgresql")
    async with contextlib.AsyncExitStack() as stack:
        receiving = await stack.enter_async_context(bridge_process(tmp_path, database_url))
        streaming = receiving
        if postgres:
            streaming = await stack.enter_async_context(bridge_process(tmp_path, database_url))
        added = await cli(
            "agent",
            "add",
            "--config",
            str(tmp_path / f"bridge-{receiving.rsplit(':', 1)[1]}.toml"),
            "--tenant",
            TENANT,
            "--username",
            AGENT["username"],
            "--extension",
            "1001",
            env={"CRM_BRIDGE_AGENT_PASSWORD": AGENT["password"]},
        )
        assert await added.wait() == 0
        session = await stack.enter_async_context(aiohttp.ClientSession())
        admin = {"Authorization": aiohttp.encode_basic_auth(*ADMIN)}
        key = await json_call(
            session,
            "POST",
            f"{receiving}/admin/api/keys",
            json={"tenant": TENANT, "name": "crm"},
            headers=admin,
        )
        await json_call(
            session,
            "PUT",
            f"{streaming}/api/v1/crm/agents/{AGENT['username']}",
            json={
                "full_name": "Agent One",
                "extension": "1001",
                "dialer_ids": {"rest": {"user_id": 7}},
            },
            headers={"X-Api-Key": key["key"]},
        )
        push = (
            await json_call(
                session, "POST", f"{receiving}/admin/api/event-push/{TENANT}/rest", headers=admin
            )
        )["url"]
        login = await json_call(
            session, "POST", f"{streaming}/api/v1/tenants/{TENANT}/sessions", json=AGENT
        )
        hello = {"type": "hello", "token": login["token"], "after": None}

        ws = await session.ws_connect(f"{streaming}/api/v1/stream")
        await ws.send_json(hello)
        assert (await ws.receive_json(timeout=10))["type"] == "welcome"
        await json_call(
            session, "POST", push, json={"event": "call:ring", "data": {"call_id": "c1", **CALL}}
        )
        ringing = await ws.receive_json(timeout=10)
        assert (ringing["name"], ringing["data"]["call_id"]) == ("call_ringing", "c1")
        await ws.close()

        # what was missed while away comes from the database, on whichever instance
        await json_call(
            session,
            "POST",
            push.replace(streaming, receiving),
            json={"event": "call:end", "data": {"call_id": "c1", **CALL}},
        )
        ws = await session.ws_connect(f"{receiving}/api/v1/stream")
        await ws.send_json({**hello, "after": ringing["id"]})
        assert (await ws.receive_json(timeout=10))["type"] == "welcome"
        ended = await ws.receive_json(timeout=10)
        assert (ended["name"], ended["id"] > ringing["id"]) == ("call_ended", True)
        await ws.close()
