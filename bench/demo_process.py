"""The demo (bridge, REST simulator, demo CRM) in a child process, as users run it."""

import contextlib
import dataclasses
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Demo:
    port: int
    rest_api_key: str
    admin_password: str
    pid: int = 0

    @property
    def bridge(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def crm(self) -> str:
        return f"http://127.0.0.1:{self.port + 1}"

    @property
    def simulator(self) -> str:
        return f"http://127.0.0.1:{self.port + 3}"


def _free_base_port() -> int:
    for base in range(28780, 29780, 10):
        with contextlib.ExitStack() as stack:
            try:
                for offset in range(6):
                    probe = stack.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", base + offset))
            except OSError:
                continue
            return base
    raise RuntimeError("no six free consecutive ports between 28780 and 29780")


def _stop_call_events(demo: Demo) -> None:
    """Most benchmarks place one call after another without waiting for their ends: with
    the simulator telling the bridge about them, the bridge refuses a call while the last
    one rings (``call_in_progress``). Stream delivery is measured apart (`live_events`)."""
    request = urllib.request.Request(  # noqa: S310 - the demo's simulator on loopback
        f"{demo.simulator}/_sim/event_url", data=b'{"url": null}', method="PUT"
    )
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310
        pass


@contextlib.contextmanager
def running_demo(*, call_events: bool = False) -> Iterator[Demo]:
    """The demo in a process of its own; with ``call_events`` its calls are told to the
    bridge and end at once (``--quick-calls``), for a widget that waits for each end."""
    # Made-up credentials of a throw-away demo on loopback.
    demo = Demo(_free_base_port(), rest_api_key="bench-rest-key", admin_password="bench-admin")  # noqa: S106
    env = {
        **os.environ,
        "DEMO_REST_API_KEY": demo.rest_api_key,
        "DEMO_ADMIN_PASSWORD": demo.admin_password,
        "CRM_BRIDGE_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [
            sys.executable,
            "-m",
            "cli",
            "demo",
            "--port",
            str(demo.port),
            *(["--quick-calls"] if call_events else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{demo.bridge}/healthz", timeout=1):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the demo did not start") from None
                time.sleep(0.1)
        if not call_events:
            _stop_call_events(demo)
        yield dataclasses.replace(demo, pid=process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
