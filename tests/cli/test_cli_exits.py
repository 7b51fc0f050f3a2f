"""The crm-bridge command as an operator meets it: --version, help for every option,
one-line errors when a server cannot start, exit statuses of jobs (Ctrl+C included), log
lines that go above a progress bar."""

import argparse
import asyncio
import logging
import re
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from rich.console import Console

from cli.jobs import _logs_above
from cli.main import build_parser, main
from tests.jobs_api import fault
from tests.support import REST_API_KEY

CONFIG = """
[server]
database = "{database}"
port = {port}

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]

[tenants.acme.dialers.rest]
base_url = "{rest}"
api_key = "{key}"
"""
QUIET = {"CRM_BRIDGE_LOG_LEVEL": "WARNING", "PATH": "/usr/bin:/bin"}


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == "crm-bridge 0.1.0\n"


def test_every_option_has_help_without_markup() -> None:
    for parser in parsers(build_parser()):
        texts = [parser.description or ""]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            assert action.help, f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"
            texts.append(action.help)
        assert not any("``" in text for text in texts), parser.prog
    assert "Exit statuses: 0 done; 1" in build_parser().format_help()


async def crm_bridge(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=QUIET,
    )  # fmt: skip


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


@pytest.mark.parametrize("command", ["serve", "demo", "simulate"])
async def test_a_busy_port_is_one_line_and_status_1(
    command: str, busy_port: int, tmp_path: Path
) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text(
        CONFIG.format(
            database=f"sqlite:///{tmp_path}/b.sqlite3", port=busy_port, rest="http://127.0.0.1:9",
            key="k",
        )
    )  # fmt: skip
    # demo and simulate: --port is their first port (the bridge, the REST simulator)
    args = ["--config", str(config)] if command == "serve" else ["--port", str(busy_port)]
    process = await crm_bridge(command, *args)
    _, err = await asyncio.wait_for(process.communicate(), 90)
    hint = "[server] port in the configuration" if command == "serve" else "--port"
    assert process.returncode == 1
    # The other ports of demo and simulate follow their first (up to 5 more): one may be
    # taken by another program too, and is then the one named.
    said = re.fullmatch(
        r"crm-bridge: cannot listen on 127\.0\.0\.1:(\d+): the port is in use \(another"
        r" crm-bridge, or another program, listens there\): stop it, or choose another port"
        rf" with {re.escape(hint)}\n",
        err.decode(),
    )
    assert said, err.decode()
    assert busy_port <= int(said.group(1)) <= busy_port + (0 if command == "serve" else 5)


async def test_ctrl_c_while_watching_a_job_exits_130_and_leaves_it(
    tmp_path: Path, database_url: str, rest_simulator: TestServer
) -> None:
    config = tmp_path / "bridge.toml"
    config.write_text(
        CONFIG.format(
            database=database_url, port=8080, rest=rest_simulator.make_url(""), key=REST_API_KEY
        )
    )
    leads = tmp_path / "leads.csv"
    leads.write_text("Phone\n2025550143\n")
    await asyncio.to_thread(
        main,
        ["export", str(leads), "--config", str(config), "--tenant", "acme", "--dialer", "rest",
         "--list", "new", "--create-list", "--list-name", "Slow", "--no-wait"],
    )  # fmt: skip
    async with aiohttp.ClientSession() as session:
        await fault(rest_simulator, session, kind="latency", ms=20_000, path="/api/phone_list")
    process = await crm_bridge("jobs", "watch", "1", "--config", str(config))
    assert process.stdout is not None
    started = await asyncio.wait_for(process.stdout.readline(), 30)
    assert started.startswith(b"Ctrl+C stops watching")
    await asyncio.sleep(1.5)  # the job is running here, waiting for the dialer
    process.send_signal(signal.SIGINT)
    _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 130
    assert err.decode() == (
        "crm-bridge: interrupted: job 1 goes on in a bridge instance, or with"
        " `crm-bridge jobs watch 1 --config ...`\n"
    )


def test_log_lines_go_through_the_progress_console() -> None:
    console = Console(record=True, width=120, force_terminal=False)
    with _logs_above(console):
        logging.getLogger("server.jobs").warning("the dialer paused")
    assert "server.jobs the dialer paused" in console.export_text()
    assert all(getattr(h, "console", None) is not console for h in logging.getLogger().handlers)
