"""Secrets at rest: the groups' and members' API keys and passwords, encrypted with
Fernet (AES-CBC + HMAC) under the ``[integrations] secret_keys`` (or the environment's
``CRM_BRIDGE_SECRET_KEYS``, comma-separated).

The first key encrypts; every key decrypts (`MultiFernet`), so a key is rotated by
putting a new one first and re-saving the secrets before the
old one is removed. Webhooks need the secrets themselves, so they cannot be hashed.
"""

import json
import os
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from server.integrations.model import Credentials
from server.problems import Problem

ENVIRONMENT = "CRM_BRIDGE_SECRET_KEYS"


class SecretKeysMissing(Problem):
    def __init__(self) -> None:
        super().__init__(
            "secret_keys_missing",
            "the bridge has no key to encrypt secrets with: set [integrations] secret_keys"
            f" or {ENVIRONMENT} (`crm-bridge secret-key` makes one)",
        )


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None

    @classmethod
    def from_settings(cls, keys: Sequence[str]) -> "SecretBox":
        """The configured keys, else those of the environment, else none (secrets refused)."""
        if not keys:
            keys = [key.strip() for key in os.environ.get(ENVIRONMENT, "").split(",")]
        try:
            return cls([key for key in keys if key])
        except ValueError:
            raise ValueError(
                "[integrations] secret_keys: each key must be 32 url-safe base64-encoded bytes"
                " (`crm-bridge secret-key` makes one)"
            ) from None

    @staticmethod
    def new_key() -> str:
        """A new random key (``crm-bridge secret-key`` prints one)."""
        return Fernet.generate_key().decode()

    def seal(self, credentials: Credentials) -> str:
        """``credentials`` as a token to store."""
        if self._fernet is None:
            raise SecretKeysMissing()
        plain = {"api_key": credentials.api_key, "username": credentials.username}
        plain["password"] = credentials.password
        return self._fernet.encrypt(json.dumps(plain).encode()).decode()

    def open(self, token: str | None) -> Credentials:
        """The credentials in a stored token (empty ones for none)."""
        if not token:
            return Credentials()
        if self._fernet is None:
            raise SecretKeysMissing()
        try:
            plain = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise Problem(
                "secret_unreadable",
                "a stored secret was encrypted with a key no longer in [integrations]"
                " secret_keys: add the old key back, or save the secret again",
            ) from None
        return Credentials(**plain)
