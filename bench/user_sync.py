"""Bulk user sync (``PUT /api/v1/crm/agents``, a job), with the bridge and the simulators
in processes of their own, once for each dialer: VICIdial (the Elision adapter's VICIdial
flavour) and REST, each the only dialer of its tenant.

For each dialer: the adapter creating as many users straight on the simulator, as many in
flight as the job syncs at once (the baseline: what the dialer allows); then the sync of
that many new agents (every password hashed), the same sync again with nothing changed
(no password hashed), and again with every password changed. Measured: agents per second
from the request to the job's end (what the CRM sees) and over the job's own run, and the
bridge process's CPU time per agent (what the rate would be on idle cores follows from it:
the machine is shared, so the wall-clock rates depend on its load). Each new password
costs one argon2id hash, so the same run also measures the bare hashing rate on one
thread per core (today's parameters: the bound of a sync that hashes every password; the
parameters before 2026-12: what bounded it then). During the last sync one agent logs in
to the widget every quarter of a second: its login time then against the same logins
with nothing running.
"""

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from argon2 import PasswordHasher

from bench.jobs import ADMIN_PASSWORD, Processes, running
from bench.simulators_process import REST_API_KEY, VICIDIAL_PASS
from bench.stats import HEADER, met, row
from bridge import DialerUser, ElisionSettings, RestSettings, build_adapter, dialer_session
from server.jobs.agent_sync import CONCURRENCY
from server.passwords import HASHER

OLD_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)  # until 2026-12

TARGET = 50  # agents per second
CONFIG = """
[server]
port = {bridge}
database = "sqlite:///{folder}/bench.sqlite3"

[admin]
username = "admin"
password = "{admin}"

[tenants.vici]
allowed_origins = ["https://crm.bench.test"]

[tenants.vici.dialers.vicidial]
kind = "elision"
flavour = "vicidial"
base_url = "http://127.0.0.1:{vicidial}"
api_user = "api"
api_pass = "{vicidial_pass}"

[tenants.rest]
allowed_origins = ["https://crm.bench.test"]

[tenants.rest.dialers.rest]
base_url = "http://127.0.0.1:{rest}"
api_key = "{rest_key}"
timeout = 30
"""
TENANTS = {"vici": "VICIdial", "rest": "REST"}
SEATED = "seated"  # the agent who logs in during the syncs
POLL_SECONDS = 0.05
LOGIN_EVERY = 5  # polls of the job


def hashing_rate(hasher: PasswordHasher, count: int) -> float:
    """Hashes per second with one thread per core, here (as the bridge's pool hashes)."""
    passwords = [f"Bench-hash-{n}" for n in range(count)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        started = time.perf_counter()
        list(pool.map(hasher.hash, passwords))
        return count / (time.perf_counter() - started)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process ``pid`` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _agent(n: int, password: str) -> dict[str, Any]:
    return {
        "username": f"bench{n:05d}",
        "full_name": f"Bench Agent {n}",
        "password": password,
        "extension": str(1001 + n % 1000),
        "email": f"bench{n:05d}@bench.test",
    }


def _adapter_settings(tenant: str, processes: Processes) -> ElisionSettings | RestSettings:
    if tenant == "vici":
        return ElisionSettings(
            base_url=processes.vicidial, api_user="api", api_pass=VICIDIAL_PASS, flavour="vicidial"
        )
    return RestSettings(base_url=processes.rest, api_key=REST_API_KEY)


async def direct(tenant: str, processes: Processes, count: int) -> float:
    """Users per second the adapter creates straight on the simulator, ``CONCURRENCY`` in
    flight (the job's own concurrency)."""
    users = [
        DialerUser(
            username=f"direct{n:05d}",
            full_name=f"Direct User {n}",
            password=f"Direct-{n}",
            extension=str(1001 + n % 1000),
            email=f"direct{n:05d}@bench.test",
        )
        for n in range(count)
    ]
    async with dialer_session() as session:
        adapter = build_adapter(_adapter_settings(tenant, processes), session, lambda entry: None)

        async def create(each: list[DialerUser]) -> None:
            for user in each:
                await adapter.create_user(user)

        started = time.perf_counter()
        await asyncio.gather(*(create(users[n::CONCURRENCY]) for n in range(CONCURRENCY)))
        return count / (time.perf_counter() - started)


@dataclass(frozen=True, slots=True)
class Synced:
    agents: int
    end_to_end: float  # agents per second, request to the job's end
    job_rate: float  # agents per second, the job's start to its end
    cpu_per_agent: float  # seconds of the bridge process's CPU (any logins' included)

    def row(self, name: str, versus: str) -> str:
        return (
            f"| {name} | {self.agents} | {self.end_to_end:,.1f} | {self.job_rate:,.1f}"
            f" | {versus} | {self.cpu_per_agent * 1000:.1f}"
            f" | ≥ {TARGET} agents/s | {met(self.end_to_end >= TARGET)} |"
        )


class Bench:
    """One tenant's bridge API as a CRM back end and as the seated agent's widget."""

    def __init__(self, http: aiohttp.ClientSession, processes: Processes, tenant: str) -> None:
        self.http, self.bridge, self.tenant = http, processes.bridge, tenant
        self.pid = processes.bridge_pid
        self.key: dict[str, str] = {}

    async def start(self) -> None:
        admin = aiohttp.encode_basic_auth("admin", ADMIN_PASSWORD)
        async with self.http.post(
            f"{self.bridge}/admin/api/keys",
            json={"tenant": self.tenant, "name": "bench"},
            headers={"Authorization": admin},
        ) as created:
            self.key = {"X-Api-Key": (await created.json())["key"]}
        seated = {**_agent(99_999, "Seated-agent-1"), "username": SEATED}
        async with self.http.put(
            f"{self.bridge}/api/v1/crm/agents", json={"agents": [seated]}, headers=self.key
        ) as answer:
            assert answer.status == 200, await answer.text()

    async def login(self) -> float:
        """One widget login of the seated agent, in milliseconds."""
        started = time.perf_counter()
        async with self.http.post(
            f"{self.bridge}/api/v1/tenants/{self.tenant}/sessions",
            json={"username": SEATED, "password": "Seated-agent-1"},
        ) as answer:
            assert answer.status == 200, await answer.text()
        return (time.perf_counter() - started) * 1000

    async def sync(self, agents: list[dict[str, Any]], logins: list[float] | None = None) -> Synced:
        """Sync ``agents`` as a job; with ``logins``, the seated agent logs in meanwhile and
        its login times are added there."""
        headers = {**self.key, "Prefer": "respond-async"}
        cpu, started = cpu_seconds(self.pid), time.perf_counter()
        async with self.http.put(
            f"{self.bridge}/api/v1/crm/agents", json={"agents": agents}, headers=headers
        ) as answer:
            assert answer.status == 202, await answer.text()
            location = answer.headers["Location"]
        for poll in range(1_000_000):
            if logins is not None and poll % LOGIN_EVERY == 0:
                logins.append(await self.login())
            async with self.http.get(f"{self.bridge}{location}", headers=self.key) as answer:
                job = await answer.json()
            if job["state"] not in ("queued", "running"):
                break
            await asyncio.sleep(POLL_SECONDS)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(self.pid) - cpu
        counts = job["counts"]
        if job["state"] != "done" or counts["added"] + counts["already_there"] != len(agents):
            report = f"{self.bridge}{job['links']['report']}"
            async with self.http.get(report, headers=self.key) as answer:
                raise AssertionError(f"{job}\n{await answer.text()}")
        own = job["finished_at"] - job["started_at"]
        return Synced(len(agents), len(agents) / elapsed, len(agents) / own, cpu / len(agents))


async def _tenant_rows(
    processes: Processes, tenant: str, count: int, logins: dict[str, list[float]]
) -> list[str]:
    dialer = TENANTS[tenant]
    baseline = await direct(tenant, processes, count)
    hashes = max(2, count // 2)
    bound = await asyncio.to_thread(hashing_rate, HASHER, hashes)
    lines = [
        f"| {dialer} create_user straight to the simulator, {CONCURRENCY} in flight (baseline)"
        f" | {count} | {baseline:,.1f} | - | 1.00x | - | - | - |",
        f"| argon2id hashes alone, today's parameters, {os.cpu_count()} threads, just before"
        f" (what bounds a sync that hashes every password) | {hashes} | {bound:,.1f} | - | -"
        " | - | - | - |",
    ]

    def versus(rate: float, hashing: bool) -> str:
        return f"{rate / bound:.2f}x bare hashing" if hashing else f"{rate / baseline:.2f}x"

    async with aiohttp.ClientSession() as http:
        bench = Bench(http, processes, tenant)
        await bench.start()
        logins["idle"] += [await bench.login() for _ in range(max(5, count // 10))]
        during = logins["during"]
        first = [_agent(n, f"Bench-first-{n}") for n in range(count)]
        synced = await bench.sync(first)
        name = f"{dialer}, {count} new agents (every password hashed)"
        lines.append(synced.row(name, versus(synced.end_to_end, hashing=True)))
        synced = await bench.sync(first)
        name = f"{dialer}, the same {count} again, nothing changed"
        lines.append(synced.row(name, versus(synced.end_to_end, hashing=False)))
        changed = [_agent(n, f"Bench-second-{n}") for n in range(count)]
        synced = await bench.sync(changed, during)
        name = f"{dialer}, the same {count} again, every password changed, an agent logging in"
        lines.append(synced.row(name, versus(synced.end_to_end, hashing=True)))
    return lines


async def rows(count: int) -> list[str]:
    """The benchmark's markdown tables."""
    logins: dict[str, list[float]] = {"idle": [], "during": []}
    lines = [
        "| user sync | agents | agents/s request → end | job's own agents/s | vs baseline"
        " | bridge CPU ms per agent | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    old = max(1, count // 8)
    before = await asyncio.to_thread(hashing_rate, OLD_HASHER, old)
    lines.append(
        f"| argon2id hashes alone, the parameters before (64 MiB, 3 passes, 4 lanes),"
        f" {os.cpu_count()} threads (what bounded a sync then) | {old} | {before:,.1f} | - | -"
        " | - | - | - |"
    )
    async with running(CONFIG) as processes:
        for tenant in TENANTS:
            lines += await _tenant_rows(processes, tenant, count, logins)
    return [
        *lines,
        "",
        "The seated agent's widget logins (`POST /api/v1/tenants/{tenant}/sessions`, one"
        " after another with nothing else running, and one every quarter of a second during"
        " the syncs that change every password):",
        "",
        HEADER,
        row("widget login, nothing else running (baseline)", logins["idle"], None),
        row("widget login during a sync that hashes", logins["during"], logins["idle"]),
    ]
