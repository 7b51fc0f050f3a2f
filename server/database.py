"""The server's storage: SQLite or PostgreSQL behind one async SQLAlchemy engine.

The ``[server] database`` setting is ``sqlite:///var/crm-bridge.sqlite3`` (a plain file
path works too) or ``postgresql://user:password@host:5432/dbname``. Only this module
and the migrations know which database it is; the stores above use SQLAlchemy Core on
the tables of `server.tables`, each change inside one transaction (`Database.begin`).
Opening a database brings its schema to the newest migration.
"""

import logging
import sqlite3
from collections import namedtuple
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Select, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from server import migrations
from server.migrations import SchemaChange, SchemaError

log = logging.getLogger(__name__)
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed number: it keeps two bridge instances from migrating a PostgreSQL database at once.
MIGRATION_LOCK = 0x63726D62

_EXAMPLES = "sqlite:///var/crm-bridge.sqlite3 or postgresql://user:password@host:5432/dbname"


class StorageError(Exception):
    """The configured database cannot be used; the message says what to fix."""


def engine_url(setting: str) -> URL:
    """The SQLAlchemy URL (with its async driver) for a ``[server] database`` setting.

    Errors never repeat the setting, which may hold a password."""
    if "://" not in setting:  # a plain path
        url = URL.create("sqlite", database=setting.strip())
    else:
        try:
            url = make_url(setting)
        except (ArgumentError, ValueError):
            raise StorageError(
                f"[server] database: not a database URL like {_EXAMPLES} (check the port,"
                " and percent-encode special characters in the password)"
            ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            raise StorageError(
                "[server] database: give a file (an in-memory database would be a different"
                f" empty one for each connection), e.g. {_EXAMPLES}"
            )
        return url.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        if not url.database:
            raise StorageError(
                "[server] database: name the database at the end of the URL, like"
                " postgresql://user:password@host:5432/dbname"
            )
        return url.set(drivername="postgresql+asyncpg")
    raise StorageError(f"[server] database: {backend} is not supported: use {_EXAMPLES}")


def _tune_sqlite(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",  # readers do not wait for the writer
        "synchronous=NORMAL",  # safe with WAL, and much faster than FULL
        "foreign_keys=ON",  # a deleted agent's sessions go with it
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",  # writers queue instead of failing
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def _upgrade_sqlite(connection: AsyncConnection) -> SchemaChange:
    """Migrate SQLite in a transaction of our own: the driver would run DDL outside one.

    ``BEGIN IMMEDIATE`` takes the write lock first, so a second process waits (busy
    timeout) instead of migrating too. Foreign keys are off meanwhile, as SQLite asks for
    table rebuilds, and checked before the commit."""
    await connection.execution_options(isolation_level="AUTOCOMMIT")
    await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            change = await connection.run_sync(migrations.upgrade)
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).first()
            if broken is not None:
                raise SchemaError(f"the migration left rows pointing nowhere in {broken[0]}")
        except BaseException:
            await connection.exec_driver_sql("ROLLBACK")
            raise
        await connection.exec_driver_sql("COMMIT")
    finally:
        await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
    return change


@dataclass(frozen=True, slots=True)
class _SqliteQuery:
    """A SELECT compiled once for `sqlite3`: its SQL, its parameters' names in order, the
    values of those fixed in the statement (its literals) and a named tuple of its
    columns."""

    sql: str
    parameters: tuple[str, ...]
    fixed: dict[str, Any]
    row: Callable[..., Any]

    @classmethod
    def of(cls, statement: Select[Any]) -> "_SqliteQuery":
        compiled = statement.compile(dialect=sqlite.dialect())
        columns = [str(column.key) for column in statement.selected_columns]
        names = tuple(compiled.positiontup or ())
        fixed = {name: value for name, value in compiled.params.items() if value is not None}
        return cls(str(compiled), names, fixed, namedtuple("Row", columns))


def padded(values: Sequence[T]) -> list[T]:
    """``values`` (not empty) repeated at the end up to the next power of two, for an
    ``IN (...)`` list: each length is a statement of its own that the driver prepares
    and keeps per connection, so lists that vary freely (open streams' sessions) would
    fill every connection's statement cache; padded ones make at most a few shapes."""
    size = 1 << (len(values) - 1).bit_length()
    return [*values, *[values[-1]] * (size - len(values))]


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sqlite_reader: sqlite3.Connection | None = None
        self._sqlite_queries: dict[Select[Any], _SqliteQuery] = {}
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _tune_sqlite)

    @classmethod
    def from_setting(cls, setting: str) -> "Database":
        """The database named by ``setting``, not connected yet (see `upgrade_schema`)."""
        url = engine_url(setting)
        if url.get_backend_name() == "sqlite":
            folder = Path(url.database or "").parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageError(
                    f"cannot create the folder {folder} for the database: {error.strerror};"
                    " check [server] database"
                ) from None
        # pre-ping: a pooled connection a database restart closed is replaced, not used
        return cls(create_async_engine(url, pool_pre_ping=True))

    @classmethod
    async def open(cls, setting: str) -> "Database":
        """Connect, and create or upgrade the schema to the newest migration."""
        database = cls.from_setting(setting)
        try:
            change = await database.upgrade_schema()
        except BaseException:
            await database.close()
            raise
        log.info("database %s: %s", database.url, change.describe())
        return database

    @property
    def shared(self) -> bool:
        """Whether several bridge instances may use this database (PostgreSQL; a SQLite
        file serves one instance, see `server.single_instance`)."""
        return self._engine.dialect.name != "sqlite"

    @property
    def url(self) -> str:
        """Where the database is, with any password hidden (fit for logs and messages)."""
        url = self._engine.url
        return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)

    async def upgrade_schema(self) -> SchemaChange:
        """Bring the schema to the newest migration (see `migrations`), in one transaction
        that also keeps a second bridge instance from migrating at the same time."""
        try:
            async with self._engine.connect() as connection:
                if self._engine.dialect.name == "sqlite":
                    return await _upgrade_sqlite(connection)
                async with connection.begin():
                    await connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                    return await connection.run_sync(migrations.upgrade)
        except SchemaError as error:
            raise StorageError(f"database {self.url}: {error}") from None
        except (OSError, SQLAlchemyError) as error:
            reason = getattr(error, "orig", None) or error
            raise StorageError(
                f"cannot use the database {self.url}: {reason}; check [server] database"
            ) from None

    def begin(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection in one transaction: committed at the end, rolled back on error."""
        return self._engine.begin()

    def connect(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for queries that change nothing."""
        return self._engine.connect()

    async def read_one(self, statement: Select[Any], parameters: dict[str, Any]) -> Any:
        """The first row of a read by an indexed key (None if there is none), for a hot
        path: every agent request checks its session. Build ``statement`` once, with
        ``bindparam`` for what varies; read the row's columns as attributes.

        On SQLite it runs right on the calling thread, on a plain `sqlite3` connection
        with the statement compiled once: such a read takes microseconds, where the async
        driver's hops between threads take a millisecond under load (each waits for the
        event loop, and for the GIL while a writer thread runs) and SQLAlchemy's execution
        a tenth of one. Columns come as SQLite stores them (no type conversion: booleans
        are 0 or 1). In WAL mode such a read never waits for a writer. On PostgreSQL, one
        round trip on the async engine."""
        if self._engine.dialect.name != "sqlite":
            async with self._engine.connect() as connection:
                return (await connection.execute(statement, parameters)).first()
        query = self._sqlite_queries.get(statement)
        if query is None:
            query = self._sqlite_queries[statement] = _SqliteQuery.of(statement)
        if self._sqlite_reader is None:
            self._sqlite_reader = sqlite3.connect(self._engine.url.database or "")
            _tune_sqlite(self._sqlite_reader, None)
        given = {**query.fixed, **parameters}
        cursor = self._sqlite_reader.execute(query.sql, [given[name] for name in query.parameters])
        try:
            found = cursor.fetchone()
        finally:
            cursor.close()  # ends the read at once: it holds no snapshot of the database
        return None if found is None else query.row(*found)

    def sqlite_writer(self) -> Engine | None:
        """On SQLite, a synchronous engine of the same file, for a writer that runs a whole
        transaction in one worker thread (the async driver hops threads per statement);
        None on PostgreSQL, whose driver does not."""
        if self._engine.dialect.name != "sqlite":
            return None
        engine = create_engine(self._engine.url.set(drivername="sqlite+pysqlite"))
        event.listen(engine, "connect", _tune_sqlite)
        return engine

    def upsert(self, table: Table) -> postgresql.Insert | sqlite.Insert:
        """An INSERT into ``table`` that ``on_conflict_do_update`` turns into an upsert."""
        dialect_insert: Callable[[Table], postgresql.Insert | sqlite.Insert] = (
            postgresql.insert if self._engine.dialect.name == "postgresql" else sqlite.insert
        )
        return dialect_insert(table)

    async def close(self) -> None:
        if self._sqlite_reader is not None:
            self._sqlite_reader.close()
        await self._engine.dispose()
