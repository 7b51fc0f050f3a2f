"""`crm-bridge demo` as people run it: quiet (no access log unless asked), and the admin
password, which ``DEMO_ADMIN_PASSWORD`` sets, printed last."""

import asyncio
from pathlib import Path

import aiohttp

from tests.processes import free_ports, processes

PASSWORD = "Demo-admin-pass-42"


async def test_the_demo_prints_the_admin_password_last_and_logs_no_requests(
    tmp_path: Path,
) -> None:
    port = free_ports(6)
    with processes(tmp_path) as started:
        demo = started.start(
            "demo",
            ["demo", "--port", str(port), "--quick-calls"],
            env={"DEMO_ADMIN_PASSWORD": PASSWORD, "DEMO_REST_API_KEY": "demo-test-key"},
        )
        await demo.answers(f"http://127.0.0.1:{port}/healthz")
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert response.status == 200
        for _ in range(100):  # the banner comes once everything listens
            printed = demo.log.read_text()
            if PASSWORD in printed:
                break
            await asyncio.sleep(0.1)
    lines = [line for line in printed.splitlines() if line.strip()]
    assert PASSWORD in lines[-1] and f"http://127.0.0.1:{port}/admin" in lines[-1]
    assert "made up" not in lines[-1]
    assert "/healthz" not in printed  # no access log
