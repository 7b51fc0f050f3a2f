"""Lead export ("Export To Dialer") through the bridge vs straight to the REST simulator.

Both push the same number of fresh leads into a new phone list: straight, with the
REST adapter and the lead-export service (batches of 500; the baseline); through the
bridge, as one request to
``POST /api/v1/crm/leads`` (normalisation, batching, per-lead outcomes), followed to the
end of its job when it answers ``202`` (a large export runs as a job). Reported as
leads per second, with the demo process's resident memory before and after (the bridge
and the simulators share that process; the REST simulator keeps every lead it gets).
"""

import asyncio
import time
from pathlib import Path

import aiohttp

from bench.demo_process import Demo
from bridge import (
    DialerList,
    Lead,
    RestSettings,
    build_adapter,
    dialer_session,
    export_leads,
    normalise,
)


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def numbers(count: int, area: str) -> list[str]:
    return [f"{area}{i:07d}" for i in range(count)]


async def direct(demo: Demo, count: int) -> float:
    """Leads per second, adapter straight to the simulator."""
    async with dialer_session() as session:
        settings = RestSettings(base_url=demo.simulator, api_key=demo.rest_api_key)
        adapter = build_adapter(settings, session, lambda entry: None)
        target = await adapter.create_list(DialerList(list_id="", name="bench direct"))
        leads = [Lead(phone=normalise(n, phone_code="1")) for n in numbers(count, "312")]
        started = time.perf_counter()
        outcomes = await export_leads(adapter, target, leads)
        assert all(o.ok for o in outcomes)
        return count / (time.perf_counter() - started)


async def bridged(demo: Demo, count: int, area: str) -> tuple[float, float, float]:
    """Leads per second through the bridge, and the demo's memory (MiB) before and after."""
    async with aiohttp.ClientSession() as http:
        created = await http.post(
            f"{demo.bridge}/admin/api/keys",
            json={"tenant": "demo", "name": f"bench {area}"},
            headers={"Authorization": aiohttp.encode_basic_auth("admin", demo.admin_password)},
        )
        headers = {"X-Api-Key": (await created.json())["key"]}
        body = {
            "dialer": "rest",
            "list": {"list_id": "new", "name": f"bench bridged {area}"},
            "create_list": True,
            "leads": [{"phone_number": n, "phone_code": "1"} for n in numbers(count, area)],
        }
        before = resident_mib(demo.pid)
        started = time.perf_counter()
        async with http.post(f"{demo.bridge}/api/v1/crm/leads", json=body, headers=headers) as r:
            assert r.status in (200, 202), await r.text()
            answer = await r.json()
            location = r.headers.get("Location")  # a job's; not for an awaited small one
        while location is not None and answer["state"] in ("queued", "running"):
            await asyncio.sleep(0.1)
            async with http.get(f"{demo.bridge}{location}", headers=headers) as r:
                answer = await r.json()
        elapsed = time.perf_counter() - started
        added = answer["counts"]["added"] if location is not None else answer["added"]
        assert added == count, answer
        return count / elapsed, before, resident_mib(demo.pid)
