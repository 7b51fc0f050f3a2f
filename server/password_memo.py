"""Remembers, in the process's memory only, which password each agent's stored hash was
made from or last checked against, so that a user sync needs no argon2 check to know
whether the password it sends is the agent's already (then nothing is hashed) or another
(then only the new hash is made).

What is kept per agent is an HMAC-SHA256 of its stored hash and the password, under a key
drawn at random when the process starts and never written anywhere. So nothing of it is
in the database, a backup or a log, where a fast hash would let a thief guess passwords
quickly; only the argon2 hash is stored. Whoever could read the process's memory could
also read the passwords the bridge receives, so the memo exposes nothing more. The stored
hash is kept with it: once the hash changes (a new password, an upgrade, another bridge
process), the memo does not know and the password is checked with argon2.
"""

import hashlib
import hmac
import secrets

from cachetools import LRUCache

MAX_AGENTS = 20_000  # about 10 MB; beyond it the least recently seen agents are forgotten


class PasswordMemo:
    def __init__(self, max_agents: int = MAX_AGENTS) -> None:
        self._key = secrets.token_bytes(32)
        # (tenant, username) → (the stored hash, the HMAC of that hash and its password)
        self._seen: LRUCache[tuple[str, str], tuple[str, bytes]] = LRUCache(max_agents)

    def _digest(self, password_hash: str, password: str) -> bytes:
        message = password_hash.encode() + b"\0" + password.encode()
        return hmac.digest(self._key, message, hashlib.sha256)

    def remember(self, tenant: str, username: str, password_hash: str, password: str) -> None:
        """``password`` is known to be the one ``password_hash`` was made from."""
        self._seen[(tenant, username)] = (password_hash, self._digest(password_hash, password))

    def same(self, tenant: str, username: str, password_hash: str, password: str) -> bool | None:
        """Whether ``password`` is the one the agent's stored ``password_hash`` was made
        from; None if the memo does not know that hash."""
        seen_hash, digest = self._seen.get((tenant, username), ("", b""))
        if seen_hash != password_hash:
            return None
        return hmac.compare_digest(digest, self._digest(password_hash, password))
