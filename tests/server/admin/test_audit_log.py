"""The audit log's store: queued off the hot path, written in batches, queried with filters."""

import asyncio

from bridge.audit import AuditEntry
from server.audit_log import BATCH, AuditLog, AuditQuery
from server.database import Database
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


def entry(at: float, **fields: object) -> AuditEntry:
    values: dict = {
        "tenant": "acme",
        "user": "agent1",
        "dialer": "rest",
        "action": "originate",
        "duration_ms": 12.5,
        "outcome": "ok",
        "error_text": None,
        **fields,
    }
    return AuditEntry(at=at, **values)


async def test_recording_only_queues_and_flush_stores_every_field(database: Database) -> None:
    audit = AuditLog(database)
    audit.record(entry(100.0, detail="list 1101: 3 leads"))
    audit.record(entry(101.0, outcome="dialer_rejected", error_text="no such extension"))
    assert await audit.query(AuditQuery()) == ([], 0)
    await audit.flush()
    rows, total = await audit.query(AuditQuery())
    assert total == 2
    assert rows == [
        {
            "at": 101.0,
            "tenant": "acme",
            "user": "agent1",
            "dialer": "rest",
            "action": "originate",
            "duration_ms": 12.5,
            "outcome": "dialer_rejected",
            "error_text": "no such extension",
            "detail": None,
        },
        {
            "at": 100.0,
            "tenant": "acme",
            "user": "agent1",
            "dialer": "rest",
            "action": "originate",
            "duration_ms": 12.5,
            "outcome": "ok",
            "error_text": None,
            "detail": "list 1101: 3 leads",
        },
    ]


async def test_the_background_writer_stores_more_than_one_batch(database: Database) -> None:
    audit = AuditLog(database)
    async with audit.running():
        for n in range(BATCH + 20):
            audit.record(entry(float(n)))
        await asyncio.sleep(0)
    _, total = await audit.query(AuditQuery())
    assert total == BATCH + 20


async def test_flush_waits_for_the_batch_the_writer_is_storing(
    database: Database, database_url: str
) -> None:
    audit = AuditLog(database)
    other = Database.from_setting(database_url)
    try:
        async with audit.running():
            async with other.begin() as blocker:  # holds back the writer's INSERT
                await blocker.exec_driver_sql(
                    "LOCK TABLE audit_log IN SHARE MODE"
                    if blocker.dialect.name == "postgresql"
                    else "DELETE FROM audit_log"
                )
                for n in range(3):
                    audit.record(entry(float(n)))
                await asyncio.sleep(0)  # the writer takes all three and waits
                flush = asyncio.create_task(audit.flush())
                for _ in range(5):
                    await asyncio.sleep(0)
                assert not flush.done()
            await flush
            _, total = await audit.query(AuditQuery())
            assert total == 3
    finally:
        await other.close()


async def test_queries_filter_and_page_newest_first(database: Database) -> None:
    audit = AuditLog(database)
    for n in range(10):
        audit.record(entry(1000.0 + n, tenant="acme" if n % 2 else "other"))
    audit.record(entry(1005.5, action="add_lead"))
    await audit.flush()
    rows, total = await audit.query(AuditQuery(tenant="acme", limit=2, offset=1))
    assert total == 6
    assert [r["at"] for r in rows] == [1007.0, 1005.5]
    rows, total = await audit.query(AuditQuery(since=1003.0, until=1006.0, action="originate"))
    assert (total, [r["at"] for r in rows]) == (3, [1005.0, 1004.0, 1003.0])
    assert await audit.query(AuditQuery(action="nothing")) == ([], 0)
