"""The databases every storage test runs on: SQLite always, PostgreSQL when
``CRM_BRIDGE_TEST_DATABASE_URL`` names a server and a role there that may create roles
(``scripts/with-throwaway-postgres`` starts such a server).

Each test gets an empty database of its own: a new SQLite file, or on PostgreSQL a new
role with a schema of the same name, which PostgreSQL's default ``search_path``
(``"$user", public``) makes that role's default; both are dropped after the test."""

import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

TEST_DATABASE_URL = "CRM_BRIDGE_TEST_DATABASE_URL"
KINDS = ("sqlite", "postgresql") if os.environ.get(TEST_DATABASE_URL) else ("sqlite",)
# The databases several bridge instances may share (`./dev test` always has PostgreSQL).
SHARED_KINDS = tuple(kind for kind in KINDS if kind != "sqlite")


@contextlib.asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """The ``[server] database`` setting of a new, empty database."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'bridge.sqlite3'}"
        return
    server = make_url(os.environ[TEST_DATABASE_URL])
    role, password = f"crm_bridge_test_{secrets.token_hex(6)}", secrets.token_hex(16)
    admin = await asyncpg.connect(server.render_as_string(hide_password=False))
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await admin.execute(f"CREATE SCHEMA {role} AUTHORIZATION {role}")
        try:
            yield server.set(username=role, password=password).render_as_string(hide_password=False)
        finally:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role
            )
            await admin.execute(f"DROP SCHEMA {role} CASCADE")
            await admin.execute(f"DROP ROLE {role}")
    finally:
        await admin.close()
