"""The agent directory: hashed passwords, create-or-update in one statement, no races."""

import asyncio

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from server.agents import AgentDirectory, LoginError
from server.database import Database
from server.sessions import SessionError, SessionStore
from server.tables import agents
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

TODAY = "$argon2id$v=19$m=19456,t=2,p=1$"  # OWASP's parameters
OLD_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)  # until 2026-12


async def stored_hash(database: Database, username: str = "a") -> str:
    async with database.connect() as connection:
        query = select(agents.c.password_hash).where(agents.c.username == username)
        return str((await connection.execute(query)).scalar_one())


async def store_old_hash(database: Database, password: str) -> str:
    """Agent ``a``'s hash as the bridge made it before OWASP's parameters."""
    old = OLD_HASHER.hash(password)
    async with database.begin() as connection:
        await connection.execute(update(agents).values(password_hash=old))
    return old


async def test_passwords_are_hashed_and_checked(database: Database) -> None:
    directory = AgentDirectory(database)
    await directory.save("t", "a", password="Pass-word-1", full_name="A")
    async with database.connect() as connection:
        stored = (await connection.execute(select(agents.c.password_hash))).scalar_one()
    assert stored.startswith("$argon2")
    assert (await directory.authenticate("t", "a", "Pass-word-1")).username == "a"
    await directory.save("t", "a", full_name="A", active=False)  # no password: kept
    with pytest.raises(LoginError) as caught:
        await directory.authenticate("t", "a", "Pass-word-1")
    assert caught.value.code == "agent_disabled"
    with pytest.raises(LoginError, match="wrong username or password"):
        await directory.authenticate("t", "a", "wrong")
    with pytest.raises(LoginError, match="wrong username or password"):
        await directory.authenticate("other-tenant", "a", "Pass-word-1")


async def test_a_save_updates_only_what_it_is_given(database: Database) -> None:
    directory = AgentDirectory(database)
    created = await directory.save(
        "t", "a", password="Pass-word-1", full_name="A", extension="1001", synced_dialers=("rest",)
    )
    assert created.synced_dialers == ("rest",)
    updated = await directory.save("t", "a", full_name="Ann", extension="1002")
    assert (updated.id, updated.full_name, updated.extension) == (created.id, "Ann", "1002")
    assert updated.synced_dialers == ("rest",)  # not given: kept
    resynced = await directory.save("t", "a", password="Pass-word-2", synced_dialers=())
    assert resynced.synced_dialers == ()
    assert resynced.id == created.id
    assert (await directory.authenticate("t", "a", "Pass-word-2")).id == created.id
    assert await directory.get_by_id(created.id) == resynced
    assert await directory.get("t", "a") == resynced


async def test_a_new_agent_needs_a_password(database: Database) -> None:
    with pytest.raises(ValueError, match="agent 'b' is new: a password is required"):
        await AgentDirectory(database).save("t", "b", full_name="B")
    assert await AgentDirectory(database).get("t", "b") is None


async def test_the_same_username_in_two_tenants_is_two_agents(database: Database) -> None:
    directory = AgentDirectory(database)
    one = await directory.save("t1", "a", password="Pass-word-1")
    two = await directory.save("t2", "a", password="Pass-word-2")
    assert one.id != two.id
    assert (await directory.authenticate("t2", "a", "Pass-word-2")).tenant == "t2"


async def test_concurrent_saves_of_a_new_agent_make_one_row(database: Database) -> None:
    directory = AgentDirectory(database)
    saved = await asyncio.gather(
        *(
            directory.save("t", "new", password=f"Pass-word-{n}", extension=f"10{n}")
            for n in range(8)
        )
    )
    assert len({agent.id for agent in saved}) == 1
    async with database.connect() as connection:
        rows = list(await connection.execute(select(agents)))
    assert len(rows) == 1
    final = await directory.get("t", "new")
    assert final is not None
    number = final.extension.removeprefix("10")
    assert (await directory.authenticate("t", "new", f"Pass-word-{number}")).id == final.id


async def test_the_same_password_again_keeps_its_hash_and_the_sessions(database: Database) -> None:
    directory = AgentDirectory(database)
    agent = await directory.save("t", "a", password="Pass-word-1", full_name="A")
    first = await stored_hash(database)
    assert first.startswith(TODAY)
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await store.open(agent.id, "")

    await directory.save("t", "a", password="Pass-word-1", full_name="Ann")  # the memo knows
    # Another process (or a restart) has no memo: one argon2 check tells the same.
    await AgentDirectory(database).save("t", "a", password="Pass-word-1", full_name="Anna")
    assert await stored_hash(database) == first
    assert (await store.resolve(token)).agent_id == agent.id
    renamed = await directory.get("t", "a")
    assert renamed is not None and renamed.full_name == "Anna"

    await directory.save("t", "a", password="Pass-word-2", full_name="Anna")
    assert await stored_hash(database) != first
    with pytest.raises(SessionError):
        await store.resolve(token)
    assert (await directory.authenticate("t", "a", "Pass-word-2")).id == agent.id
    with pytest.raises(LoginError):
        await directory.authenticate("t", "a", "Pass-word-1")


async def test_a_stale_memo_never_keeps_a_changed_password(database: Database) -> None:
    """The memo of one process, while another process changes the password."""
    here, elsewhere = AgentDirectory(database), AgentDirectory(database)
    await here.save("t", "a", password="Pass-word-1")
    await elsewhere.save("t", "a", password="Pass-word-2")
    await here.save("t", "a", password="Pass-word-1")  # the memo's password: but not the hash's
    assert (await here.authenticate("t", "a", "Pass-word-1")).username == "a"
    with pytest.raises(LoginError):
        await here.authenticate("t", "a", "Pass-word-2")


async def test_an_old_hash_still_verifies_and_is_upgraded_at_login(database: Database) -> None:
    directory = AgentDirectory(database)
    agent = await directory.save("t", "a", password="Pass-word-1")
    old = await store_old_hash(database, "Pass-word-1")
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await store.open(agent.id, "")
    with pytest.raises(LoginError):
        await directory.authenticate("t", "a", "wrong")
    assert await stored_hash(database) == old  # a wrong password upgrades nothing

    assert (await directory.authenticate("t", "a", "Pass-word-1")).id == agent.id
    upgraded = await stored_hash(database)
    assert upgraded.startswith(TODAY)
    assert (await store.resolve(token)).agent_id == agent.id  # same password: sessions kept
    assert (await AgentDirectory(database).authenticate("t", "a", "Pass-word-1")).id == agent.id
    assert await stored_hash(database) == upgraded


async def test_an_old_hash_is_upgraded_by_a_sync_with_the_same_password(
    database: Database,
) -> None:
    directory = AgentDirectory(database)
    agent = await directory.save("t", "a", password="Pass-word-1")
    await store_old_hash(database, "Pass-word-1")
    store = SessionStore(database, idle_seconds=60, max_seconds=600)
    token, _ = await store.open(agent.id, "")
    await directory.save("t", "a", password="Pass-word-1", full_name="A")
    assert (await stored_hash(database)).startswith(TODAY)
    assert (await store.resolve(token)).agent_id == agent.id
    assert (await directory.authenticate("t", "a", "Pass-word-1")).full_name == "A"
