"""Upgrades to the live stream that never say hello cannot lock real agents out.

The bridge runs as its own process (``crm-bridge serve``) started with a soft open-file
limit of 256 under a hard one of 2,048, as a distribution starts a service, with small
waiting caps (10 per address, 100 in all). 300 idle upgrades from 25 loopback addresses
(more than the soft limit's files) keep coming back while a real agent signs in and
streams three times and ``/healthz`` answers.
"""

import asyncio
import contextlib
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from server.address_key import address_key
from server.stream_admission import StreamAdmission
from tests.processes import Processes, free_ports, processes

SOFT_FILES, HARD_FILES = 256, 2048
ADDRESSES, PER_ADDRESS = 25, 12
WAITING_PER_ADDRESS, WAITING_MAX = 10, 100
PASSWORD = "Flood-agent-1x"
CONFIG = """
[server]
port = {port}
database = "sqlite:///{folder}/bridge.sqlite3"
stream_waiting_per_address = {per_address}
stream_waiting_max = {most}

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]
"""
UPGRADE = (
    b"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Processes]:
    with processes(tmp_path) as running:
        yield running


def _low_open_file_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT_FILES, HARD_FILES))


async def _idle_upgrades(port: int, address: str, stop: asyncio.Event) -> tuple[int, int]:
    """Upgrade and never say hello, again and again until ``stop``; (upgraded, refused)."""
    upgraded = refused = 0
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(address, 0)
            )
        except OSError:
            await asyncio.sleep(0.2)
            continue
        try:
            writer.write(UPGRADE)
            status = await asyncio.wait_for(reader.readline(), 30)
            if b" 101 " in status:
                upgraded += 1
            else:
                refused += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reader.read(), 30)  # until the bridge closes it
        except (OSError, TimeoutError):
            await asyncio.sleep(0.2)
        finally:
            writer.close()
    return upgraded, refused


async def _agent_streams(bridge: str) -> None:
    """Sign in and stream: the welcome arrives."""
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(bridge, timeout=timeout) as http:
        health = await http.get("/healthz")
        assert health.status == 200
        response = await http.post(
            "/api/v1/tenants/acme/sessions", json={"username": "agent1", "password": PASSWORD}
        )
        assert response.status == 200, await response.text()
        token = (await response.json())["token"]
        async with http.ws_connect("/api/v1/stream") as ws:
            await ws.send_json({"type": "hello", "token": token, "after": None})
            welcome = await ws.receive_json(timeout=30)
            assert welcome["type"] == "welcome"


def _configured(folder: Path, port: int) -> Path:
    """The bridge's configuration file, with agent1 in its directory."""
    config = folder / "bridge.toml"
    config.write_text(
        CONFIG.format(port=port, folder=folder, per_address=WAITING_PER_ADDRESS, most=WAITING_MAX)
    )
    subprocess.run(  # noqa: S603 - the project's own CLI
        [sys.executable, "-m", "cli", "agent", "add", "--config", str(config),
         "--tenant", "acme", "--username", "agent1", "--extension", "1001"],
        env={**os.environ, "CRM_BRIDGE_AGENT_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
    )  # fmt: skip
    return config


def _open_file_limits(pid: int) -> tuple[int, int]:
    lines = Path(f"/proc/{pid}/limits").read_text().splitlines()
    line = next(line for line in lines if line.startswith("Max open files"))
    soft, hard = line.split()[3:5]
    return int(soft), int(hard)


async def test_idle_upgrades_do_not_lock_out_a_real_agent(
    tmp_path: Path, started: Processes
) -> None:
    port = free_ports(1)
    config = await asyncio.to_thread(_configured, tmp_path, port)
    bridge = started.start("bridge", ["serve", "--config", str(config)], None, _low_open_file_limit)
    await bridge.answers(f"http://127.0.0.1:{port}/healthz")
    soft, hard = await asyncio.to_thread(_open_file_limits, bridge.popen.pid)
    assert (soft, hard) == (HARD_FILES, HARD_FILES)  # the soft limit was raised to the hard

    stop = asyncio.Event()
    attack = [
        asyncio.create_task(_idle_upgrades(port, f"127.0.1.{1 + n // PER_ADDRESS}", stop))
        for n in range(ADDRESSES * PER_ADDRESS)
    ]
    try:
        await asyncio.sleep(5)  # the flood is under way
        for _ in range(3):
            await _agent_streams(f"http://127.0.0.1:{port}")
    finally:
        stop.set()
        results = await asyncio.gather(*attack)
    upgraded = sum(up for up, _ in results)
    refused = sum(no for _, no in results)
    # Beyond the total, the oldest made room (more upgrades than could wait at once);
    # beyond the per-address cap, refusals.
    assert upgraded > WAITING_MAX and refused > 0


def test_the_crowded_address_makes_room_and_ipv6_counts_by_its_64() -> None:
    admission = StreamAdmission(per_address=3, total=4)
    closed: list[str] = []
    with contextlib.ExitStack() as held:
        for name, remote in (("a1", "192.0.2.1"), ("a2", "192.0.2.1"), ("a3", "192.0.2.1")):
            held.enter_context(admission.waiting(remote, lambda name=name: closed.append(name)))
        assert admission.full_for("192.0.2.1") and not admission.full_for("192.0.2.2")
        held.enter_context(admission.waiting("192.0.2.9", lambda: closed.append("agent")))
        held.enter_context(admission.waiting("2001:db8::1", lambda: closed.append("v6")))
        assert closed == ["a1"]  # the total was reached: the crowded address lost its oldest
        assert len(admission) == 4
        held.enter_context(admission.waiting("2001:db8::2", lambda: closed.append("v6b")))
        assert closed == ["a1", "a2"]
    assert address_key("2001:db8::1") == address_key("2001:db8::ffff") == "2001:db8::/64"
    assert address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert len(admission) == 0
