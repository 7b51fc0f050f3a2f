"""The databases every storage test runs on: SQLite always, PostgreSQL when
``CRM_BRIDGE_TEST_DATABASE_URL`` names a server and a role there that may create roles
and databases (``scripts/with-throwaway-postgres`` starts such a server).

Each test gets a database of its own, dropped after the test: ``fresh_database`` an
empty one (a new SQLite file, or on PostgreSQL a new role with a schema of the same
name, which PostgreSQL's default ``search_path`` (``"$user", public``) makes that role's
default); ``migrated_database`` one at the newest schema, copied from a template that
is migrated once per test process (a file copy, or PostgreSQL's ``CREATE DATABASE …
TEMPLATE``), so tests do not each pay for the migrations."""

import asyncio
import contextlib
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from server.database import Database, engine_url

TEST_DATABASE_URL = "CRM_BRIDGE_TEST_DATABASE_URL"
KINDS = ("sqlite", "postgresql") if os.environ.get(TEST_DATABASE_URL) else ("sqlite",)
# The databases several bridge instances may share (`./dev test` always has PostgreSQL).
SHARED_KINDS = tuple(kind for kind in KINDS if kind != "sqlite")
SQLITE_FILE = "bridge.sqlite3"
# Marks a storage-facing test module (``pytestmark = BOTH_DATABASES``): its tests run on
# PostgreSQL too; the others on SQLite alone.
BOTH_DATABASES = pytest.mark.both_databases


def _server() -> URL:
    return make_url(os.environ[TEST_DATABASE_URL])


def _dsn(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def fresh_database(kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """The ``[server] database`` setting of a new, empty database."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / SQLITE_FILE}"
        return
    server = _server()
    role, password = f"crm_bridge_test_{secrets.token_hex(6)}", secrets.token_hex(16)
    admin = await asyncpg.connect(_dsn(server))
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await admin.execute(f"CREATE SCHEMA {role} AUTHORIZATION {role}")
        try:
            yield _dsn(server.set(username=role, password=password))
        finally:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role
            )
            await admin.execute(f"DROP SCHEMA {role} CASCADE")
            await admin.execute(f"DROP ROLE {role}")
    finally:
        await admin.close()


class Templates:
    """Per test process, one migrated database of each kind to copy from, made when
    first asked for and dropped by `close`."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._made: dict[str, str] = {}

    async def template(self, kind: str) -> str:
        """The template's setting (SQLite: its file's path; PostgreSQL: its name)."""
        if kind not in self._made:
            if kind == "sqlite":
                path = self._folder / SQLITE_FILE
                await (await Database.open(f"sqlite:///{path}")).close()
                self._made[kind] = str(path)
            else:
                name = f"crm_bridge_template_{secrets.token_hex(6)}"
                await _on_server(f"CREATE DATABASE {name}")
                await (await Database.open(_dsn(_server().set(database=name)))).close()
                self._made[kind] = name
        return self._made[kind]

    def close(self) -> None:
        if "postgresql" in self._made:
            asyncio.run(_on_server(f"DROP DATABASE {self._made['postgresql']} WITH (FORCE)"))


@contextlib.asynccontextmanager
async def migrated_database(kind: str, tmp_path: Path, templates: Templates) -> AsyncIterator[str]:
    """The ``[server] database`` setting of a new database at the newest schema."""
    template = await templates.template(kind)
    if kind == "sqlite":
        shutil.copyfile(template, tmp_path / SQLITE_FILE)
        yield f"sqlite:///{tmp_path / SQLITE_FILE}"
        return
    name = f"crm_bridge_test_{secrets.token_hex(6)}"
    await _on_server(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield _dsn(_server().set(database=name))
    finally:
        await _on_server(f"DROP DATABASE {name} WITH (FORCE)")


async def _on_server(statement: str) -> None:
    admin = await asyncpg.connect(_dsn(_server()))
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


async def run_on(setting: str, work: object) -> object:
    """Run ``work(sync_connection)`` on the database, outside the bridge's own code."""
    engine = create_async_engine(engine_url(setting))
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)  # type: ignore[arg-type]
    finally:
        await engine.dispose()
