"""API keys: shown once, kept as a hash, revoked for good; use is noted."""

from sqlalchemy import select

from server.api_keys import ApiKeyStore
from server.database import Database
from server.tables import api_keys
from tests.databases import BOTH_DATABASES

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too


async def test_a_key_authenticates_until_revoked_and_only_its_hash_is_kept(
    database: Database,
) -> None:
    store = ApiKeyStore(database)
    key, secret = await store.create("acme", "CRM")
    assert secret.startswith(key.prefix)
    assert (key.active, key.last_used_at) == (True, None)
    used = await store.authenticate(secret)
    assert used is not None
    assert (used.id, used.tenant, used.name) == (key.id, "acme", "CRM")
    assert used.last_used_at is not None
    async with database.connect() as connection:
        stored = list(await connection.execute(select(api_keys)))
    assert secret not in repr([tuple(row) for row in stored])

    assert await store.revoke(key.id)
    assert not await store.revoke(key.id)
    assert await store.authenticate(secret) is None
    [revoked] = await store.list()
    assert not revoked.active
    assert await store.authenticate("cbk_not-a-key") is None


async def test_keys_are_listed_newest_first_and_by_tenant(database: Database) -> None:
    store = ApiKeyStore(database)
    first, _ = await store.create("acme", "one")
    second, _ = await store.create("other", "two")
    third, _ = await store.create("acme", "three")
    assert [k.id for k in await store.list()] == [third.id, second.id, first.id]
    assert [k.name for k in await store.list("acme")] == ["three", "one"]
    assert await store.list("nobody") == []
