"""Bearer sessions: expiry, sliding extension, revocation; the token is never stored."""

import time
from pathlib import Path

import pytest

from server.agents import AgentDirectory, LoginError
from server.database import Database
from server.sessions import SessionError, SessionStore


@pytest.fixture
async def database(tmp_path: Path):
    db = await Database.open(str(tmp_path / "s.sqlite3"))
    yield db
    await db.close()


async def test_a_session_resolves_until_closed_and_only_its_hash_is_stored(
    database: Database,
) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1", extension="1001")
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, expires_at = await store.open(agent.id, "1001")
    assert expires_at > time.time()
    session = await store.resolve(token)
    assert (session.agent_id, session.extension) == (agent.id, "1001")
    rows = await database.fetch_all("SELECT * FROM sessions")
    assert token not in repr([tuple(r) for r in rows])
    assert await store.close(token)
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
    assert await database.fetch_all("SELECT * FROM sessions") == []


async def test_use_extends_a_session_but_never_past_its_maximum(database: Database) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=300, max_seconds=900)
    token, _ = await store.open(agent.id, "")
    # Opened 200 s ago, 100 s left: use brings it back to a full idle period.
    now = time.time()
    await database.execute(
        "UPDATE sessions SET created_at = ?, expires_at = ?", (now - 200, now + 100)
    )
    assert (await store.resolve(token)).expires_at == pytest.approx(now + 300, abs=2)
    # Opened 800 s ago: use extends it only up to 900 s after it opened.
    await database.execute(
        "UPDATE sessions SET created_at = ?, expires_at = ?", (now - 800, now + 10)
    )
    assert (await store.resolve(token)).expires_at == pytest.approx(now + 100, abs=2)
    row = await database.fetch_one("SELECT expires_at FROM sessions")
    assert row["expires_at"] == pytest.approx(now + 100, abs=2)


async def test_passwords_are_hashed_and_checked(database: Database) -> None:
    directory = AgentDirectory(database)
    await directory.save("t", "a", password="Pass-word-1", full_name="A")
    row = await database.fetch_one("SELECT password_hash FROM agents")
    assert row["password_hash"].startswith("$argon2")
    assert (await directory.authenticate("t", "a", "Pass-word-1")).username == "a"
    await directory.save("t", "a", full_name="A", active=False)  # no password: kept
    with pytest.raises(LoginError) as caught:
        await directory.authenticate("t", "a", "Pass-word-1")
    assert caught.value.code == "agent_disabled"
    with pytest.raises(LoginError, match="wrong username or password"):
        await directory.authenticate("t", "a", "wrong")
    with pytest.raises(LoginError, match="wrong username or password"):
        await directory.authenticate("other-tenant", "a", "Pass-word-1")


async def test_expired_sessions_are_purged(database: Database) -> None:
    agent = await AgentDirectory(database).save("t", "a", password="Pass-word-1")
    store = SessionStore(database, idle_seconds=0, max_seconds=600)
    await store.open(agent.id, "")
    live = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await live.open(agent.id, "")
    assert await store.purge_expired() == 1
    assert (await live.resolve(token)).agent_id == agent.id
