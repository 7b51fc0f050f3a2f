"""The ``[server] database`` setting: SQLite or PostgreSQL, clear errors, no password
in any log line or message, SQLite tuned for a server."""

import logging
import socket
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from server.database import SQLITE_BUSY_TIMEOUT_MS, Database, StorageError, engine_url
from server.tables import api_keys
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        ("var/crm-bridge.sqlite3", "sqlite+aiosqlite:///var/crm-bridge.sqlite3"),
        ("/srv/bridge/db.sqlite3", "sqlite+aiosqlite:////srv/bridge/db.sqlite3"),
        ("sqlite:///var/crm-bridge.sqlite3", "sqlite+aiosqlite:///var/crm-bridge.sqlite3"),
        ("sqlite:////srv/db.sqlite3", "sqlite+aiosqlite:////srv/db.sqlite3"),
        ("postgresql://u:p@db:5432/bridge", "postgresql+asyncpg://u:***@db:5432/bridge"),
        ("postgres://u@db/bridge", "postgresql+asyncpg://u@db/bridge"),
        ("postgresql+asyncpg://u:p@db/bridge", "postgresql+asyncpg://u:***@db/bridge"),
    ],
)
def test_settings_map_to_the_async_drivers(setting: str, url: str) -> None:
    assert repr(engine_url(setting)) == url


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("mysql://u:Pw-9a@db/bridge", "mysql is not supported: use sqlite:///"),
        ("postgresql://u:Pw-9a@db", "name the database at the end of the URL"),
        ("postgresql://u:Pw-9a@db:port/bridge", "not a database URL like sqlite:///"),
        (":memory:", "an in-memory database would be a different empty one"),
        ("sqlite:///:memory:", "give a file"),
        ("sqlite://", "give a file"),
        ("", "give a file"),
    ],
)
def test_a_wrong_setting_says_what_to_write_without_repeating_the_password(
    setting: str, message: str
) -> None:
    with pytest.raises(StorageError) as caught:
        engine_url(setting)
    assert message in str(caught.value)
    assert "postgresql://user:password@host:5432/dbname" in str(caught.value)  # an example
    assert "Pw-9a" not in str(caught.value)


async def test_the_password_reaches_no_log_line(
    empty_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    database = await Database.open(empty_database_url)
    await database.close()
    shown = make_url(empty_database_url).render_as_string(hide_password=True)
    assert f"database {shown}: created the schema at revision" in caplog.text
    password = make_url(empty_database_url).password
    assert password is None or password not in caplog.text


async def test_a_database_that_cannot_be_reached_is_reported_without_its_password(
    empty_database_url: str,
) -> None:
    url = make_url(empty_database_url)
    if url.get_backend_name() == "postgresql":
        wrong = url.set(password="Wrong-pass-4")  # the real server refuses it
    else:
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        wrong = make_url(f"postgresql://bridge:Wrong-pass-4@127.0.0.1:{port}/bridge")
    with pytest.raises(StorageError) as caught:
        await Database.open(wrong.render_as_string(hide_password=False))
    message = str(caught.value)
    assert message.startswith(f"cannot use the database postgresql://{wrong.username}:***@")
    assert message.endswith("; check [server] database")
    assert "Wrong-pass-4" not in message


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    database = await Database.open(f"sqlite:///{tmp_path}/tuned/bridge.sqlite3")
    try:
        async with database.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await database.close()
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 1,
    }


def test_a_sqlite_file_where_no_folder_can_be_made_is_reported(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(StorageError) as caught:
        Database.from_setting(f"sqlite:///{tmp_path}/file/sub/bridge.sqlite3")
    assert str(caught.value) == (
        f"cannot create the folder {tmp_path}/file/sub for the database: Not a directory;"
        " check [server] database"
    )


async def test_a_change_that_fails_halfway_leaves_nothing(database: Database) -> None:
    key = {"tenant": "t", "name": "n", "prefix": "p", "created_at": 1.0}
    with pytest.raises(IntegrityError):
        async with database.begin() as connection:
            await connection.execute(insert(api_keys).values(key_hash="first", **key))
            await connection.execute(insert(api_keys).values(key_hash="first", **key))
    async with database.connect() as connection:
        assert (await connection.execute(select(func.count()).select_from(api_keys))).scalar() == 0
