"""Schema migrations: a new database gets the newest schema, an old one is upgraded or
adopted, and the migrations build exactly the tables the code uses."""

import asyncio
import json
import sqlite3
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, Table, Text, insert, inspect, text

from bridge.audit import AuditEntry
from server.agents import AgentDirectory
from server.api_keys import ApiKeyStore
from server.audit_log import AuditLog, AuditQuery
from server.database import Database, StorageError
from server.migrations import BASELINE, SchemaChange, alembic_config
from server.passwords import hash_password
from server.sessions import SessionStore
from server.tables import metadata
from tests.databases import BOTH_DATABASES, run_on

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

# The schema the bridge created before it had migrations, as its database.py wrote it.
SCHEMA_BEFORE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS agents (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL DEFAULT '',
    extension TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    synced_dialers TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (tenant, username)
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    extension TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    tenant TEXT NOT NULL,
    user TEXT NOT NULL,
    dialer TEXT NOT NULL,
    action TEXT NOT NULL,
    duration_ms REAL NOT NULL,
    outcome TEXT NOT NULL,
    error_text TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_tenant_at ON audit_log (tenant, at);
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    last_used_at REAL,
    revoked_at REAL
);
"""


def differences(connection: Connection) -> list:
    return compare_metadata(MigrationContext.configure(connection), metadata)


async def test_a_new_database_gets_the_newest_schema_exactly_as_the_code_defines_it(
    empty_database_url: str,
) -> None:
    database = Database.from_setting(empty_database_url)
    try:
        assert await database.upgrade_schema() == SchemaChange(before=None, after=HEAD)
        again = await database.upgrade_schema()
        assert again == SchemaChange(before=HEAD, after=HEAD)
        assert again.describe() == f"schema already at the newest revision {HEAD}"
    finally:
        await database.close()
    assert await run_on(empty_database_url, differences) == []


async def test_an_older_revision_is_upgraded_keeping_its_rows(empty_database_url: str) -> None:
    def baseline_with_an_entry(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), BASELINE)
        audit_log = Table("audit_log", MetaData(), autoload_with=connection)
        connection.execute(
            insert(audit_log).values(
                at=1.0,
                tenant="acme",
                user="a",
                dialer="rest",
                action="originate",
                duration_ms=3.0,
                outcome="ok",
            )
        )

    await run_on(empty_database_url, baseline_with_an_entry)
    database = Database.from_setting(empty_database_url)
    try:
        change = await database.upgrade_schema()
        assert change.describe() == f"schema upgraded from revision {BASELINE} to {HEAD}"
        rows, total = await AuditLog(database).query(AuditQuery())
        assert (total, rows[0]["action"], rows[0]["detail"]) == (1, "originate", None)
    finally:
        await database.close()


async def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    now = time.time()
    with sqlite3.connect(path) as old:
        old.executescript(SCHEMA_BEFORE_MIGRATIONS)
        old.execute(
            "INSERT INTO agents (tenant, username, password_hash, extension, created_at,"
            " updated_at) VALUES ('acme', 'agent1', ?, '1001', ?, ?)",
            (await hash_password("Old-pass-1"), now, now),
        )
        old.execute(
            "INSERT INTO audit_log (at, tenant, user, dialer, action, duration_ms, outcome)"
            " VALUES (?, 'acme', 'agent1', 'rest', 'originate', 4.5, 'ok')",
            (now,),
        )
    old.close()

    database = await Database.open(str(path))  # a plain path, as the old setting was
    try:
        agent = await AgentDirectory(database).authenticate("acme", "agent1", "Old-pass-1")
        assert agent.extension == "1001"
        audit = AuditLog(database)
        audit.record(
            AuditEntry(now + 1, "acme", "agent1", "rest", "originate", 2.0, "ok", None, detail="x")
        )
        await audit.flush()
        rows, total = await audit.query(AuditQuery())
        assert (total, [r["detail"] for r in rows]) == (2, ["x", None])
        sessions = SessionStore(database, idle_seconds=60, max_seconds=600)
        token, _ = await sessions.open(agent.id, "1001")
        assert (await sessions.resolve(token)).agent_id == agent.id
        _, secret = await ApiKeyStore(database).create("acme", "crm")
        assert await ApiKeyStore(database).authenticate(secret) is not None
        assert (await database.upgrade_schema()).before == HEAD
    finally:
        await database.close()

    def revision(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    assert await run_on(str(path), revision) == HEAD


async def test_the_adoption_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(SCHEMA_BEFORE_MIGRATIONS)
    old.close()
    database = Database.from_setting(f"sqlite:///{path}")
    try:
        change = await database.upgrade_schema()
    finally:
        await database.close()
    assert change == SchemaChange(before=None, after=HEAD, adopted=True)
    assert change.describe() == (
        f"adopted the tables made before migrations (revision {BASELINE}),"
        f" schema now at revision {HEAD}"
    )


async def test_a_database_with_other_tables_is_refused(empty_database_url: str) -> None:
    def foreign_table(connection: Connection) -> None:
        Table("agents", MetaData(), Column("name", Text)).create(connection)

    await run_on(empty_database_url, foreign_table)
    with pytest.raises(StorageError, match=r"it has the tables \['agents'\] but not") as caught:
        await Database.open(empty_database_url)
    assert "it was not made by crm-bridge; give an empty database" in str(caught.value)

    def tables(connection: Connection) -> list[str]:
        return inspect(connection).get_table_names()

    assert await run_on(empty_database_url, tables) == ["agents"]  # untouched


async def test_a_schema_newer_than_the_code_is_refused(empty_database_url: str) -> None:
    await (await Database.open(empty_database_url)).close()

    def from_the_future(connection: Connection) -> None:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")

    await run_on(empty_database_url, from_the_future)
    with pytest.raises(
        StorageError,
        match=rf"at revision '9999', which this crm-bridge \(newest revision {HEAD}\)"
        " does not know",
    ):
        await Database.open(empty_database_url)


async def test_two_instances_starting_together_migrate_once(empty_database_url: str) -> None:
    first, second = await asyncio.gather(
        Database.open(empty_database_url), Database.open(empty_database_url)
    )
    try:
        await AgentDirectory(first).save("t", "a", password="Pass-word-1")
        assert await AgentDirectory(second).get("t", "a") is not None
    finally:
        await first.close()
        await second.close()
    assert await run_on(empty_database_url, differences) == []


async def test_a_wrap_up_pending_before_the_upgrade_is_kept_with_its_call_and_a_deadline(
    empty_database_url: str,
) -> None:
    def before(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO agents (id, tenant, username, password_hash, created_at, updated_at)"
                " VALUES (1, 'acme', 'ada', 'x', 0, 0)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO calls (tenant, dialer, call_id, state, direction, number,"
                " caller_name, agent_id, started_at, ended_at, updated_at) VALUES ('acme',"
                " 'rest', 'c1', 'ended', 'inbound', '+442079460018', 'Jane', 1, 10, 70, 70)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO agent_states (agent_id, checked_in, wrap_up_call_id, updated_at)"
                " VALUES (1, true, 'c1', 80)"
            )
        )

    await run_on(empty_database_url, before)
    upgraded = time.time()
    database = await Database.open(empty_database_url)
    try:
        async with database.connect() as connection:
            row = (await connection.execute(text("SELECT * FROM agent_states"))).one()
    finally:
        await database.close()
    assert row.since == 80
    assert row.wrap_up_deadline >= upgraded + 120 - 1
    assert json.loads(row.wrap_up) == {
        "call_id": "c1",
        "number": "+442079460018",
        "direction": "inbound",
        "caller_name": "Jane",
        "ended_at": 70,
        "deadline": row.wrap_up_deadline,
    }
