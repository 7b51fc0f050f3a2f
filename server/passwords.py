"""Agents' password hashes: argon2id with OWASP's parameters, computed on a bounded pool of
threads, never on the event loop.

The parameters are the argon2id configuration that the summary of OWASP's Password Storage
Cheat Sheet recommends: 19 MiB of memory, 2 passes, 1 lane (about 25 ms of one core per
hash on the project's machine; docs/security.md says why these). Hashes made with other
parameters (argon2-cffi's defaults, 64 MiB, 3 passes, 4 lanes, until 2026-12) still
verify; `needs_rehash` says which to upgrade.
"""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# One thread per core: more would only take turns. Callers wait in `server.hash_gate`.
_POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="password-hash")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_POOL, HASHER.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from (False for a
    malformed hash)."""
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _POOL, HASHER.verify, password_hash, password
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that verified was made with other parameters than today's."""
    return HASHER.check_needs_rehash(password_hash)
