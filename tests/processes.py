"""Bridges and simulators as separate processes, as operators run them: free ports,
start, wait until they answer, ``kill -9``."""

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp

START_LIMIT = 60.0  # seconds a process may take to answer (a loaded machine is slow)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports on the loopback."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        with contextlib.ExitStack() as stack:
            try:
                for offset in range(count):
                    probe = stack.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", base + offset))
            except OSError:
                continue
            return base
    raise RuntimeError(f"no {count} consecutive free ports")


class Process:
    """A ``crm-bridge`` command in a child process; its output goes to ``log``."""

    def __init__(
        self,
        args: list[str],
        log: Path,
        env: dict[str, str] | None = None,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        """``preexec`` runs in the child before it starts (to set its limits, say)."""
        self.log = log
        with log.open("ab") as output:
            self.popen = subprocess.Popen(  # noqa: S603 - the project's own CLI
                [sys.executable, "-m", "cli", *args],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "CRM_BRIDGE_LOG_LEVEL": "INFO", **(env or {})},
                cwd=Path(__file__).resolve().parents[1],
                preexec_fn=preexec,
            )

    async def answers(self, url: str) -> None:
        """Wait until ``url`` answers (or fail, showing the process's output)."""
        async with aiohttp.ClientSession() as session:
            try:
                async with asyncio.timeout(START_LIMIT):
                    while self.popen.poll() is None:
                        with contextlib.suppress(aiohttp.ClientError):
                            async with session.get(url) as response:
                                if response.status < 500:
                                    return
                        await asyncio.sleep(0.1)
            except TimeoutError:
                pass
        raise AssertionError(f"{url} did not answer; output:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """``kill -9``: no cleanup, no goodbye."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class Processes:
    """Processes a test starts; all stopped at its end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Process] = []

    def start(
        self,
        name: str,
        args: list[str],
        env: dict[str, str] | None = None,
        preexec: Callable[[], None] | None = None,
    ) -> Process:
        process = Process(args, self.folder / f"{name}.log", env, preexec)
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()


@contextlib.contextmanager
def processes(folder: Path) -> Iterator[Processes]:
    started = Processes(folder)
    try:
        yield started
    finally:
        started.stop_all()
