"""Helpers for tests of jobs through the CRM API: leads, and waiting for a job to finish."""

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

T = TypeVar("T")

FINISHED = ("done", "failed", "cancelled")
WAIT_LIMIT = 60.0  # seconds before a test gives up on a job (never reached when it works)


def numbers(count: int, area: str = "312") -> list[str]:
    """``count`` distinct, dialable US numbers (E.164 digits without the country code)."""
    return [f"{area}555{n:04d}" if count <= 10_000 else f"{area}{n:07d}" for n in range(count)]


def leads(count: int, area: str = "312") -> list[dict[str, Any]]:
    return [{"phone_number": number, "phone_code": "1"} for number in numbers(count, area)]


async def until(fetch: Callable[[], Awaitable[T]], good: Callable[[T], bool]) -> T:
    """Call ``fetch`` until what it gives is ``good``; give up after `WAIT_LIMIT`."""
    async with asyncio.timeout(WAIT_LIMIT):
        while True:
            value = await fetch()
            if good(value):
                return value
            await asyncio.sleep(0.2)


async def job_until(
    client: TestClient, url: str, headers: dict[str, str], *, done: Any = None
) -> dict[str, Any]:
    """Poll the job at ``url`` until ``done(job)`` (default: it is finished)."""
    done = done or (lambda job: job["state"] in FINISHED)
    async with asyncio.timeout(WAIT_LIMIT):
        while True:
            response = await client.get(url, headers=headers)
            assert response.status == 200, await response.text()
            job = await response.json()
            if done(job):
                return job
            await asyncio.sleep(0.2)


async def report(client: TestClient, url: str, headers: dict[str, str]) -> list[dict[str, str]]:
    response = await client.get(f"{url}/report.csv", headers=headers)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/csv"
    return list(csv.DictReader(io.StringIO(await response.text())))


async def fault(server: TestServer, session: aiohttp.ClientSession, **spec: Any) -> None:
    """Make the simulator ``server`` misbehave (`simulators.control`)."""
    async with session.post(server.make_url("/_sim/faults"), json=spec) as reply:
        assert reply.status == 201


async def clear_faults(server: TestServer, session: aiohttp.ClientSession) -> None:
    async with session.delete(server.make_url("/_sim/faults")) as reply:
        assert reply.status == 200
