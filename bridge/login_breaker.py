"""Not calling a dialer again with credentials it just refused (a circuit breaker).

A dialer that refused a login is not asked again with the same credentials until a
cool-down has passed: repeating a wrong password only brings its lockout closer
(VICIdial locks an API user for 15 minutes after ten failed logins, and then refuses
even the right password). A lockout holds the API user whatever the password, until
the dialer's own lock ends. Both are kept per dialer (base URL) and API user, in one
`LoginBreakers` that the server shares between all its tenants' adapters, so tenants
that share an API user do not lock each other out.

While the breaker is open, the call fails at once, before anything is sent, with the
refusal's own error (`DialerLocked` or `DialerUnauthorized`), saying when the bridge
will try again (``retry_after``).

A `RefusalStore` (the server keeps one in its database) shares the refusals between
processes: bridge instances, and an instance after a restart. Refusals are written
through to it and read back at most every `REFRESH_SECONDS`; a store that fails is
logged and the breaker goes on with what this process knows. Passwords are told apart
by a slow, salted fingerprint (scrypt), never stored.
"""

import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bridge.errors import DialerLocked, DialerUnauthorized

log = logging.getLogger(__name__)

REFUSED_COOLDOWN = 60.0  # seconds after a refused login before the same one is tried
LOCK_COOLDOWN = 15 * 60.0  # when the dialer does not say how long its lock lasts
_MINUTES = re.compile(r"try again in (\d+) minutes?", re.IGNORECASE)
REFRESH_SECONDS = 1.0  # how stale another process's refusals may be here


@dataclass(frozen=True, slots=True)
class StoredRefusal:
    """A refusal as a `RefusalStore` keeps it: ``fingerprint`` is "" for a lock of the
    API user (any password); ``until`` is wall-clock seconds (``time.time()``)."""

    fingerprint: str
    until: float
    dialer: str
    message: str
    dialer_text: str | None


class RefusalStore(Protocol):
    """Where the refusals of each breaker (``key``: dialer base URL and API user) are
    shared between processes."""

    async def refusals(self, key: str) -> list[StoredRefusal]:
        """Those of ``key`` still in force."""
        ...

    async def save(self, key: str, refusal: StoredRefusal) -> None: ...

    async def clear(self, key: str, fingerprint: str) -> None:
        """Forget the lock of ``key`` and the refusal of ``fingerprint``."""
        ...


@dataclass(slots=True)
class _Refusal:
    until: float
    error: DialerUnauthorized


@dataclass(slots=True)
class LoginBreaker:
    """The refusals of one (dialer base URL, API user)."""

    clock: Callable[[], float]
    key: str
    store: RefusalStore | None = None
    locked: _Refusal | None = None
    refused: dict[str, _Refusal] = field(default_factory=dict)  # by password fingerprint
    read_at: float | None = None  # when the store was last read (``clock``)

    async def refresh(self) -> None:
        """Take in the refusals other processes stored (at most every REFRESH_SECONDS)."""
        now = self.clock()
        if self.store is None or (
            self.read_at is not None and now - self.read_at < REFRESH_SECONDS
        ):
            return
        self.read_at = now
        try:
            stored = await self.store.refusals(self.key)
        except Exception as failure:
            log.warning("reading the shared login refusals failed: %r", failure)
            return
        wall = time.time()
        for refusal in stored:
            kind = DialerLocked if not refusal.fingerprint else DialerUnauthorized
            error = kind(refusal.message, dialer=refusal.dialer, dialer_text=refusal.dialer_text)
            known = _Refusal(now + refusal.until - wall, error)
            if not refusal.fingerprint:
                self.locked = known
            else:
                self.refused[refusal.fingerprint] = known

    async def write(self, fingerprint: str, refusal: _Refusal) -> None:
        if self.store is None:
            return
        error = refusal.error
        stored = StoredRefusal(
            fingerprint,
            time.time() + refusal.until - self.clock(),
            error.dialer,
            error.message,
            error.dialer_text,
        )
        try:
            await self.store.save(self.key, stored)
        except Exception as failure:
            log.warning("storing a login refusal failed: %r", failure)

    async def forget(self, fingerprint: str) -> None:
        if self.store is None:
            return
        try:
            await self.store.clear(self.key, fingerprint)
        except Exception as failure:
            log.warning("clearing the shared login refusals failed: %r", failure)


@dataclass(frozen=True, slots=True)
class Login:
    """One set of credentials (a password of the breaker's API user), as the adapter
    that uses them sees the breaker."""

    breaker: LoginBreaker
    fingerprint: str  # tells passwords apart without keeping them

    async def check(self) -> None:
        """Raise the last refusal (saying when to try again) while it still holds."""
        breaker = self.breaker
        await breaker.refresh()
        now = breaker.clock()
        for refusal in (breaker.locked, breaker.refused.get(self.fingerprint)):
            if refusal is not None and refusal.until > now:
                raise _again(refusal, math.ceil(refusal.until - now))

    async def refused(self, error: DialerUnauthorized) -> DialerUnauthorized:
        """Note the dialer's refusal; return ``error`` saying when the bridge tries again."""
        breaker = self.breaker
        if isinstance(error, DialerLocked):
            found = _MINUTES.search(error.dialer_text or "")
            seconds = int(found[1]) * 60.0 if found else LOCK_COOLDOWN
            breaker.locked = refusal = _Refusal(breaker.clock() + seconds, error)
            await breaker.write("", refusal)
        else:
            seconds = REFUSED_COOLDOWN
            refusal = _Refusal(breaker.clock() + seconds, error)
            breaker.refused[self.fingerprint] = refusal
            await breaker.write(self.fingerprint, refusal)
        return _again(_Refusal(0, error), math.ceil(seconds))

    async def accepted(self) -> None:
        """The dialer accepted these credentials: what it refused before is over."""
        breaker = self.breaker
        had = breaker.locked is not None or self.fingerprint in breaker.refused
        breaker.locked = None
        breaker.refused.pop(self.fingerprint, None)
        if had:
            await breaker.forget(self.fingerprint)


class LoginBreakers:
    """The breakers of every (dialer base URL, API user), made on first use; shared
    through ``store`` with other processes when given."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, store: RefusalStore | None = None
    ) -> None:
        self._clock = clock
        self._store = store
        self._breakers: dict[str, LoginBreaker] = {}

    def login(self, base_url: str, api_user: str, password: str) -> Login:
        """The breaker of ``api_user`` at ``base_url``, for these credentials."""
        key = f"{base_url.rstrip('/')} {api_user}"
        if key not in self._breakers:
            self._breakers[key] = LoginBreaker(self._clock, key, self._store)
        return Login(self._breakers[key], _fingerprint(key, password))


def _fingerprint(key: str, password: str) -> str:
    """Tells passwords apart; slow and salted, so a stored one does not give it away."""
    return hashlib.scrypt(password.encode(), salt=key.encode(), n=2**14, r=8, p=1, dklen=16).hex()


def _again(refusal: _Refusal, seconds: int) -> DialerUnauthorized:
    error = refusal.error
    at = (datetime.now(UTC) + timedelta(seconds=seconds)).strftime("%H:%M:%S UTC")
    return type(error)(
        f"{error.message}; the bridge will not call {error.dialer} with this API user "
        f"again before {at} (in {seconds} s)",
        dialer=error.dialer,
        dialer_text=error.dialer_text,
        retry_after=seconds,
    )
