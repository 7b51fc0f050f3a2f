"""The agent directory: hashed passwords, create-or-update in one statement, no races."""

import asyncio

import pytest
from sqlalchemy import select

from server.agents import AgentDirectory, LoginError
from server.database import Database
from server.tables import agents
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


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
