"""The click-to-call's steps one by one, in this process, on a fresh SQLite database:
what each costs now, and what the steps it no longer waits for cost (the way it was).

The bridged originate's own ``Server-Timing`` (`bench.bridge_overhead`) shows the steps
on the click's path under the demo's load; this shows why they are what they are: a read
straight from SQLite against the same read through the async driver (aiosqlite, a
thread hop per statement), and a click queued for the batch writer against a click whose
commit is awaited. Every sample is one step, sequential, after a warm-up.
"""

import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.seeding import TENANT, seed_agents
from bridge import AuditEntry, normalise
from server.agents import AgentDirectory
from server.audit_log import AuditLog
from server.database import Database
from server.events.batch_writer import BatchWriter
from server.events.hub import StreamHub
from server.events.intake import EventIntake
from server.routes.calls import CallBody
from server.sessions import SessionStore
from server.tables import agents, sessions

BODY = b'{"phone_code": "1", "phone_number": "2025550143", "crm_tag": "bench"}'


async def _timed(samples: int, step: Callable[[int], Awaitable[Any]]) -> list[float]:
    for i in range(min(samples, 20)):  # warm-up: statements compiled, connections open
        await step(i)
    times = []
    for i in range(samples):
        started = time.perf_counter()
        await step(i)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(samples: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(prefix="crm-bridge-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'steps.sqlite3'}"
        [token] = await seed_agents(url, 1)
        database = await Database.open(url)
        store = SessionStore(database, idle_seconds=3600, max_seconds=3600)
        directory = AgentDirectory(database)
        writer = BatchWriter(database, StreamHub())
        intake = EventIntake(database, writer)
        audit = AuditLog(database)
        result: dict[str, list[float]] = {}
        try:
            async with writer.running(), audit.running(writer):
                session = await store.resolve(token)
                agent_id = session.agent_id

                async def read_now(_i: int) -> None:
                    await store.resolve(token)
                    await directory.get_by_id(agent_id)

                async def read_through_aiosqlite(_i: int) -> None:
                    async with database.connect() as connection:
                        the_session = sessions.c.token_hash == session.token_hash
                        (await connection.execute(select(sessions).where(the_session))).one()
                    async with database.connect() as connection:
                        the_agent = agents.c.id == agent_id
                        (await connection.execute(select(agents).where(the_agent))).one()

                async def body(_i: int) -> None:
                    CallBody.model_validate_json(BODY)

                async def number(_i: int) -> None:
                    normalise("2025550143", phone_code="1")

                async def audit_entry(i: int) -> None:
                    audit.record(
                        AuditEntry(
                            time.time(), TENANT, "agent1", "rest", "originate", 1.0, "ok", None
                        )
                    )

                def click(i: int, kind: str) -> None:
                    intake.record_click(
                        TENANT, "rest", f"{kind}-{i}", agent_id, "+12025550143", None, "bench"
                    )

                async def click_queued(i: int) -> None:
                    click(i, "queued")

                async def click_committed(i: int) -> None:
                    click(i, "committed")
                    await writer.run(lambda _connection: (None, []))  # after the click's commit

                result["session + agent read straight from SQLite (now)"] = await _timed(
                    samples, read_now
                )
                result["session + agent read through aiosqlite (before)"] = await _timed(
                    samples, read_through_aiosqlite
                )
                result["body parsed and checked (pydantic)"] = await _timed(samples, body)
                result["number normalised (phonenumbers)"] = await _timed(samples, number)
                result["audit entry queued"] = await _timed(samples, audit_entry)
                result["click queued for the writer (now)"] = await _timed(samples, click_queued)
                result["click written, its commit awaited (before)"] = await _timed(
                    samples, click_committed
                )
        finally:
            await database.close()
    return result
