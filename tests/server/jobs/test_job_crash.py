"""A bridge killed with ``kill -9`` in the middle of two 20,000-lead exports, restarted,
and asked again with the same ``Idempotency-Key``: every lead reaches each dialer once.

Bridge and simulators run as separate processes (``crm-bridge serve``, ``crm-bridge
simulate``). The simulators' latency fault slows the exports down enough to kill the
bridge halfway; the test watches the jobs' progress instead of sleeping.
"""

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.databases import BOTH_DATABASES
from tests.jobs_api import FINISHED, leads, until
from tests.processes import Process, Processes, free_ports, processes

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

LEADS = 20_000
REST_KEY, EUPHORIA_AUTH, ELISION_PASS, ADMIN_PASSWORD = (
    "crash-rest-key",
    "crash-euphoria-auth",
    "crash-elision-pass",
    "crash-admin-Pass1",
)
CONFIG = """
[server]
port = {bridge}
database = "sqlite:///{folder}/bridge.sqlite3"

[jobs]
lease_seconds = 6
poll_seconds = 0.2

[admin]
username = "admin"
password = "{admin}"

[tenants.acme]
allowed_origins = ["https://crm.acme.test"]

[tenants.acme.dialers.rest]
base_url = "http://127.0.0.1:{sim}"
api_key = "{rest}"

[tenants.acme.dialers.elision]
base_url = "http://127.0.0.1:{elision}"
api_user = "api"
api_pass = "{elision_pass}"
"""


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Processes]:
    with processes(tmp_path) as running:
        yield running


class Setup:
    def __init__(self, folder: Path, started: Processes) -> None:
        self.sim_port = free_ports(3)
        self.bridge_port = free_ports(1)
        self.started = started
        self.config = folder / "bridge.toml"
        self.config.write_text(
            CONFIG.format(
                bridge=self.bridge_port,
                folder=folder,
                admin=ADMIN_PASSWORD,
                sim=self.sim_port,
                rest=REST_KEY,
                elision=self.sim_port + 2,
                elision_pass=ELISION_PASS,
            )
        )

    @property
    def bridge(self) -> str:
        return f"http://127.0.0.1:{self.bridge_port}"

    def simulator(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.sim_port + offset}"

    async def start_simulators(self) -> None:
        simulators = self.started.start(
            "simulators",
            ["simulate", "--port", str(self.sim_port), "--rest-api-key", REST_KEY,
             "--euphoria-auth", EUPHORIA_AUTH, "--elision-pass", ELISION_PASS],
        )  # fmt: skip
        for offset in range(3):
            await simulators.answers(f"{self.simulator(offset)}/_sim/requests")

    async def start_bridge(self) -> Process:
        bridge = self.started.start("bridge", ["serve", "--config", str(self.config)])
        await bridge.answers(f"{self.bridge}/healthz")
        return bridge


async def ok(response: aiohttp.ClientResponse, *statuses: int) -> Any:
    body = await response.json()
    assert response.status in (statuses or (200,)), body
    return body


async def test_a_bridge_killed_mid_export_resumes_and_sends_no_lead_twice(
    tmp_path: Path, started: Processes
) -> None:
    setup = Setup(tmp_path, started)
    await setup.start_simulators()
    bridge = await setup.start_bridge()
    async with aiohttp.ClientSession(setup.bridge) as http:
        created = await http.post(
            "/admin/api/keys",
            json={"tenant": "acme", "name": "crash test"},
            headers={"Authorization": aiohttp.encode_basic_auth("admin", ADMIN_PASSWORD)},
        )
        api_key = {"X-Api-Key": (await ok(created, 201))["key"]}
        await ok(
            await http.post(
                "/api/v1/crm/lists",
                json={"dialer": "elision", "list_id": "1101", "name": "Crash list",
                      "campaign": "TESTCAMP"},
                headers=api_key,
            ),
            201,
        )  # fmt: skip
        # Slow enough to be killed halfway on any machine; removed before the restart.
        for offset, ms in ((0, 400), (2, 200)):
            await ok(
                await http.post(
                    f"{setup.simulator(offset)}/_sim/faults", json={"kind": "latency", "ms": ms}
                ),
                201,
            )
        exports = {
            "rest": {
                "dialer": "rest",
                "list": {"list_id": "new", "name": "Crash list"},
                "create_list": True,
                "leads": leads(LEADS, "312"),
            },
            "elision": {"dialer": "elision", "list": {"list_id": "1101"},
                        "leads": leads(LEADS, "415")},
        }  # fmt: skip
        keys = {dialer: {**api_key, "Idempotency-Key": f"crash-{dialer}"} for dialer in exports}
        answers = await asyncio.gather(
            *(http.post("/api/v1/crm/leads", json=exports[d], headers=keys[d]) for d in exports)
        )
        jobs = {
            d: (await ok(a, 202))["links"]["self"] for d, a in zip(exports, answers, strict=True)
        }

        async def progress() -> dict[str, dict[str, Any]]:
            return {d: await ok(await http.get(url, headers=api_key)) for d, url in jobs.items()}

        await until(progress, lambda jobs: all(j["counts"]["sent"] >= 1000 for j in jobs.values()))
        bridge.kill()
        before = await progress_after_kill(http, setup)
        assert all(0 < sent < LEADS for sent in before.values()), before

        for offset in (0, 2):
            await http.delete(f"{setup.simulator(offset)}/_sim/faults")
        await setup.start_bridge()
        for dialer, body in exports.items():
            again = await http.post("/api/v1/crm/leads", json=body, headers=keys[dialer])
            assert (await ok(again, 200, 202))["links"]["self"] == jobs[dialer]
        finished = await until(
            progress, lambda jobs: all(j["state"] in FINISHED for j in jobs.values())
        )

        rest, elision = finished["rest"], finished["elision"]
        for job in (rest, elision):
            counts = job["counts"]
            assert (job["state"], counts["total"], counts["sent"]) == ("done", LEADS, LEADS), job
            assert counts["failed"] == counts["not_sent"] == 0, job
            assert counts["added"] + counts["already_there"] + counts["unknown"] == LEADS

        # REST refuses duplicates: the leads in flight were sent again.
        state = await ok(await http.get(f"{setup.simulator(0)}/_sim/state"))
        [phone_list] = [p for p in state["phone_lists"] if str(p["id"]) == rest["list_id"]]
        assert len(state["phone_lists"]) == 1  # the list was created once
        assert phone_list["list_rows"] == LEADS
        assert rest["counts"]["unknown"] == 0

        # Without a duplicate check, leads in flight are "unknown", never sent twice; with
        # one, they are sent again and the list holds every lead once.
        state = await ok(await http.get(f"{setup.simulator(2)}/_sim/state"))
        phones = [lead["phone_number"] for lead in state["leads"] if lead["list_id"] == "1101"]
        assert len(set(phones)) == len(phones)
        counts = elision["counts"]
        there = counts["added"] + counts["already_there"]
        assert there <= len(phones) <= there + counts["unknown"]


async def progress_after_kill(http: aiohttp.ClientSession, setup: Setup) -> dict[str, int]:
    """How many leads each simulator holds right after the kill."""
    rest = await ok(await http.get(f"{setup.simulator(0)}/_sim/state"))
    elision = await ok(await http.get(f"{setup.simulator(2)}/_sim/state"))
    return {
        "rest": sum(p["list_rows"] for p in rest["phone_lists"]),
        "elision": len(elision["leads"]),
    }
