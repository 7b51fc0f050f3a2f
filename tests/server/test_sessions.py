"""Bearer sessions: expiry, sliding extension, revocation; the token is never stored."""

import time

import pytest
from sqlalchemy import Row, select, update

from server.agents import AgentDirectory
from server.database import Database
from server.sessions import SessionError, SessionStore
from server.tables import sessions
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


async def stored_sessions(database: Database) -> list[Row]:
    async with database.connect() as connection:
        return list(await connection.execute(select(sessions)))


async def set_times(database: Database, created_at: float, expires_at: float) -> None:
    async with database.begin() as connection:
        await connection.execute(
            update(sessions).values(created_at=created_at, expires_at=expires_at)
        )


async def test_a_session_resolves_until_closed_and_only_its_hash_is_stored(
    database: Database,
) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1", extension="1001")
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, expires_at = await store.open(agent.id, "1001")
    assert expires_at > time.time()
    session = await store.resolve(token)
    assert (session.agent_id, session.extension) == (agent.id, "1001")
    rows = await stored_sessions(database)
    assert len(rows) == 1
    assert token not in repr([tuple(r) for r in rows])
    assert await store.close(token)
    assert not await store.close(token)
    with pytest.raises(SessionError) as caught:
        await store.resolve(token)
    assert caught.value.code == "invalid_token"


async def test_an_idle_session_expires(database: Database) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=0, max_seconds=600)
    token, _ = await store.open(agent.id, "")
    with pytest.raises(SessionError) as caught:
        await store.resolve(token)
    assert caught.value.code == "session_expired"
    assert await stored_sessions(database) == []


async def test_use_extends_a_session_but_never_past_its_maximum(database: Database) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=300, max_seconds=900)
    token, _ = await store.open(agent.id, "")
    # Opened 200 s ago, 100 s left: use brings it back to a full idle period.
    now = time.time()
    await set_times(database, now - 200, now + 100)
    assert (await store.resolve(token)).expires_at == pytest.approx(now + 300, abs=2)
    # Opened 800 s ago: use extends it only up to 900 s after it opened.
    await set_times(database, now - 800, now + 10)
    assert (await store.resolve(token)).expires_at == pytest.approx(now + 100, abs=2)
    [row] = await stored_sessions(database)
    assert row.expires_at == pytest.approx(now + 100, abs=2)


async def test_expired_sessions_are_purged(database: Database) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=0, max_seconds=600)
    await store.open(agent.id, "")
    live = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await live.open(agent.id, "")
    assert await store.purge_expired() == 1
    assert (await live.resolve(token)).agent_id == agent.id


async def test_deleting_an_agent_ends_its_sessions(database: Database) -> None:
    directory = AgentDirectory(database)
    agent = await directory.save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await store.open(agent.id, "")
    assert await directory.delete("t", "a")
    assert not await directory.delete("t", "a")
    assert await stored_sessions(database) == []
    with pytest.raises(SessionError):
        await store.resolve(token)
