"""Password hashes: today's parameters, older ones still verified, and the in-memory memo
that tells an unchanged password without an argon2 check."""

from argon2 import PasswordHasher

from server.password_memo import PasswordMemo
from server.passwords import hash_password, needs_rehash, verify_password

OLD = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)  # the bridge's until 2026-12


async def test_hashes_use_owasps_parameters_and_older_ones_still_verify() -> None:
    today = await hash_password("Pass-word-1")
    assert today.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert today != await hash_password("Pass-word-1")  # salted
    assert await verify_password(today, "Pass-word-1")
    assert not await verify_password(today, "Pass-word-2")
    assert not needs_rehash(today)
    old = OLD.hash("Pass-word-1")
    assert await verify_password(old, "Pass-word-1")
    assert needs_rehash(old)
    assert not await verify_password("not a hash", "Pass-word-1")


def test_the_memo_knows_a_password_only_with_the_hash_it_was_remembered_with() -> None:
    memo = PasswordMemo(max_agents=2)
    memo.remember("t", "a", "$hash-1", "Pass-word-1")
    assert memo.same("t", "a", "$hash-1", "Pass-word-1") is True
    assert memo.same("t", "a", "$hash-1", "Pass-word-2") is False  # changed: no check needed
    assert memo.same("t", "a", "$hash-2", "Pass-word-1") is None  # another hash: check it
    assert memo.same("t2", "a", "$hash-1", "Pass-word-1") is None
    memo.remember("t", "b", "$hash-3", "Pass-word-3")
    memo.remember("t", "c", "$hash-4", "Pass-word-4")
    assert memo.same("t", "a", "$hash-1", "Pass-word-1") is None  # bounded: forgotten
