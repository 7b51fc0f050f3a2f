"""Lead exports as jobs, with the bridge and the simulators in processes of their own.

- REST: 100,000 leads in one ``POST /api/v1/crm/leads`` into a new phone list (the job
  answers 202 at once, then runs), against the REST adapter pushing the same count
  straight to the simulator (the baseline). Measured: leads per second from the request
  to the job's end (reading and normalising the body included) and the job's own rate
  (its start to its end); the bridge process's resident memory before, at its peak
  (sampled while the job runs) and after.
- VICIdial (the Elision adapter's ``add_lead`` flavour, one lead per call) with 5 ms
  added to every ``add_lead`` by the simulator's latency fault: the job's rate against
  what its concurrency allows (8 calls in flight / 5 ms = 1,600 leads/s).
"""

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench.demo_process import _free_base_port
from bench.lead_export import resident_mib
from bench.simulators_process import REST_API_KEY, VICIDIAL_PASS
from bench.stats import met
from bridge import (
    DialerList,
    ElisionSettings,
    Lead,
    RestSettings,
    build_adapter,
    dialer_session,
    export_leads,
    normalise,
)

ADMIN_PASSWORD = "bench-admin-Pass1"  # noqa: S105 - a throw-away bridge's made-up password
MIB = 1024 * 1024
ADD_LEAD_MS = 5
VICIDIAL_CONCURRENCY = 8
CONFIG = """
[server]
port = {bridge}
database = "sqlite:///{folder}/bench.sqlite3"

[admin]
username = "admin"
password = "{admin}"

[tenants.bench]
allowed_origins = ["https://crm.bench.test"]
click_to_call_dialer = "rest"

[tenants.bench.dialers.rest]
base_url = "http://127.0.0.1:{rest}"
api_key = "{rest_key}"
timeout = 30

[tenants.bench.dialers.vicidial]
kind = "elision"
flavour = "vicidial"
base_url = "http://127.0.0.1:{vicidial}"
api_user = "api"
api_pass = "{vicidial_pass}"
"""


@dataclass(frozen=True, slots=True)
class Processes:
    bridge: str
    bridge_pid: int
    rest: str
    vicidial: str
    database: str


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - the project's own modules, fixed arguments
        [sys.executable, *args],
        env={**os.environ, "CRM_BRIDGE_LOG_LEVEL": "WARNING", **(env or {})},
        stdout=subprocess.DEVNULL,
    )


async def _answers(url: str) -> None:
    async with aiohttp.ClientSession() as http, asyncio.timeout(60):
        while True:
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(url) as response:
                    if response.status < 500:
                        return
            await asyncio.sleep(0.1)


@contextlib.contextmanager
def _stopped_at_the_end(*processes: subprocess.Popen[bytes]) -> Iterator[None]:
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=15)


@contextlib.asynccontextmanager
async def running(config_template: str = CONFIG) -> AsyncIterator[Processes]:
    """The bridge (configured by ``config_template``) and the simulators, each in a process."""
    port = _free_base_port()
    with tempfile.TemporaryDirectory(prefix="crm-bridge-bench-") as folder:
        config = Path(folder) / "bench.toml"
        config.write_text(
            config_template.format(bridge=port + 2, folder=folder, admin=ADMIN_PASSWORD,
                                   rest=port, rest_key=REST_API_KEY, vicidial=port + 1,
                                   vicidial_pass=VICIDIAL_PASS)
        )  # fmt: skip
        simulators = _start(["-m", "bench.simulators_process", str(port)])
        bridge = _start(["-m", "cli", "serve", "--config", str(config)])
        with _stopped_at_the_end(bridge, simulators):
            processes = Processes(
                f"http://127.0.0.1:{port + 2}",
                bridge.pid,
                f"http://127.0.0.1:{port}",
                f"http://127.0.0.1:{port + 1}",
                f"sqlite:///{folder}/bench.sqlite3",
            )
            for url in (f"{processes.bridge}/healthz", f"{processes.rest}/_sim/requests",
                        f"{processes.vicidial}/_sim/requests"):  # fmt: skip
                await _answers(url)
            yield processes


async def _api_key(http: aiohttp.ClientSession, bridge: str) -> dict[str, str]:
    async with http.post(
        f"{bridge}/admin/api/keys",
        json={"tenant": "bench", "name": "bench"},
        headers={"Authorization": aiohttp.encode_basic_auth("admin", ADMIN_PASSWORD)},
    ) as created:
        return {"X-Api-Key": (await created.json())["key"]}


def _leads(count: int, area: str) -> list[dict[str, str]]:
    return [{"phone_number": f"{area}{n:07d}", "phone_code": "1"} for n in range(count)]


@dataclass(frozen=True, slots=True)
class JobRun:
    leads: int
    end_to_end: float  # leads per second, request to the job's end
    job_rate: float  # leads per second, the job's start to its end
    rss_before: float
    rss_peak: float
    rss_after: float
    job: dict[str, Any]


async def _export(
    http: aiohttp.ClientSession, processes: Processes, body: dict[str, Any]
) -> JobRun:
    headers = {**await _api_key(http, processes.bridge), "Prefer": "respond-async"}
    before = peak = resident_mib(processes.bridge_pid)
    started = time.perf_counter()
    async with http.post(f"{processes.bridge}/api/v1/crm/leads", json=body, headers=headers) as r:
        assert r.status == 202, await r.text()
        location = r.headers["Location"]
    while True:
        peak = max(peak, resident_mib(processes.bridge_pid))
        async with http.get(f"{processes.bridge}{location}", headers=headers) as r:
            job = await r.json()
        if job["state"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.25)
    elapsed = time.perf_counter() - started
    count = len(body["leads"])
    assert job["state"] == "done" and job["counts"]["added"] == count, job
    return JobRun(
        leads=count,
        end_to_end=count / elapsed,
        job_rate=count / (job["finished_at"] - job["started_at"]),
        rss_before=before,
        rss_peak=peak,
        rss_after=resident_mib(processes.bridge_pid),
        job=job,
    )


async def direct_rest(processes: Processes, count: int) -> float:
    """Leads per second, the REST adapter straight to the simulator (the baseline)."""
    async with dialer_session() as session:
        settings = RestSettings(base_url=processes.rest, api_key=REST_API_KEY)
        adapter = build_adapter(settings, session, lambda entry: None)
        target = await adapter.create_list(DialerList(list_id="", name="bench direct"))
        leads = [Lead(phone=normalise(f"311{n:07d}", phone_code="1")) for n in range(count)]
        started = time.perf_counter()
        outcomes = await export_leads(adapter, target, leads)
        assert all(outcome.ok for outcome in outcomes)
        return count / (time.perf_counter() - started)


async def direct_vicidial(processes: Processes, count: int) -> float:
    """Leads per second, the VICIdial adapter straight to the simulator, 8 in flight
    (``add_lead`` slowed as for the job): what this machine allows without jobs."""
    settings = ElisionSettings(
        base_url=processes.vicidial, api_user="api", api_pass=VICIDIAL_PASS, flavour="vicidial"
    )
    leads = [Lead(phone=normalise(f"416{n:07d}", phone_code="1")) for n in range(count)]
    target = DialerList("1101", "")
    async with dialer_session() as session:
        adapter = build_adapter(settings, session, lambda entry: None)

        async def send(each: list[Lead]) -> None:
            for lead in each:
                [outcome] = await adapter.add_leads(target, [lead])
                assert outcome.ok, outcome

        started = time.perf_counter()
        share = VICIDIAL_CONCURRENCY
        await asyncio.gather(*(send(leads[n::share]) for n in range(share)))
        return count / (time.perf_counter() - started)


async def rest_job(processes: Processes, count: int) -> JobRun:
    body = {"dialer": "rest", "list": {"list_id": "new", "name": "bench job"},
            "create_list": True, "leads": _leads(count, "312")}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        return await _export(http, processes, body)


async def slow_add_lead(processes: Processes) -> None:
    async with aiohttp.ClientSession() as http:
        fault = {"kind": "latency", "ms": ADD_LEAD_MS, "match": {"function": "add_lead"}}
        async with http.post(f"{processes.vicidial}/_sim/faults", json=fault) as r:
            assert r.status == 201


async def vicidial_job(processes: Processes, count: int) -> JobRun:
    async with aiohttp.ClientSession() as http:
        body = {"dialer": "vicidial", "list": {"list_id": "1101"}, "leads": _leads(count, "415")}
        return await _export(http, processes, body)


async def rows(rest_leads: int, vicidial_leads: int) -> list[str]:
    """The benchmark's markdown table."""
    async with running() as processes:
        baseline = await direct_rest(processes, min(rest_leads, 20_000))
        rest = await rest_job(processes, rest_leads)
        await slow_add_lead(processes)
        vicidial_baseline = await direct_vicidial(processes, vicidial_leads // 4)
        vicidial = await vicidial_job(processes, vicidial_leads)
    bound = VICIDIAL_CONCURRENCY * 1000 / ADD_LEAD_MS
    rest_met = rest.job_rate >= 5000 and (rest.rss_peak - rest.rss_before) * MIB <= 50e6
    return [
        "| lead export as a job | leads | leads/s request → end | job's own leads/s |"
        " vs baseline / bound | bridge RSS MiB before → peak → after | target | met |",
        "|---|---|---|---|---|---|---|---|",
        f"| REST adapter straight to the simulator (baseline) | {min(rest_leads, 20_000)} |"
        f" {baseline:,.0f} | - | 1.00x | - | - | - |",
        f"| REST, one request, job | {rest.leads} | {rest.end_to_end:,.0f} |"
        f" {rest.job_rate:,.0f} | {rest.job_rate / baseline:.2f}x |"
        f" {rest.rss_before:.0f} → {rest.rss_peak:.0f} → {rest.rss_after:.0f} |"
        f" job ≥ 5,000 leads/s, peak ≤ +50 MB | {met(rest_met)} |",
        f"| VICIdial adapter straight to the simulator, {VICIDIAL_CONCURRENCY} in flight"
        f" (baseline) | {vicidial_leads // 4} | {vicidial_baseline:,.0f} | - |"
        f" {vicidial_baseline / bound:.0%} of {bound:,.0f} | - | - | - |",
        f"| VICIdial add_lead + {ADD_LEAD_MS} ms, {VICIDIAL_CONCURRENCY} in flight, job |"
        f" {vicidial.leads} | {vicidial.end_to_end:,.0f} | {vicidial.job_rate:,.0f} |"
        f" {vicidial.job_rate / bound:.0%} of {bound:,.0f} |"
        f" {vicidial.rss_before:.0f} → {vicidial.rss_peak:.0f} → {vicidial.rss_after:.0f} |"
        f" ≥ 80 % of the bound | {met(vicidial.job_rate >= 0.8 * bound)} |",
    ]
