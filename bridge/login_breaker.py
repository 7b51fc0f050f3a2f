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
"""

import hashlib
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bridge.errors import DialerLocked, DialerUnauthorized

REFUSED_COOLDOWN = 60.0  # seconds after a refused login before the same one is tried
LOCK_COOLDOWN = 15 * 60.0  # when the dialer does not say how long its lock lasts
_MINUTES = re.compile(r"try again in (\d+) minutes?", re.IGNORECASE)


@dataclass(slots=True)
class _Refusal:
    until: float
    error: DialerUnauthorized


@dataclass(slots=True)
class LoginBreaker:
    """The refusals of one (dialer base URL, API user)."""

    clock: Callable[[], float]
    locked: _Refusal | None = None
    refused: dict[str, _Refusal] = field(default_factory=dict)  # by password fingerprint


@dataclass(frozen=True, slots=True)
class Login:
    """One set of credentials (a password of the breaker's API user), as the adapter
    that uses them sees the breaker."""

    breaker: LoginBreaker
    fingerprint: str  # tells passwords apart without keeping them

    def check(self) -> None:
        """Raise the last refusal (saying when to try again) while it still holds."""
        breaker = self.breaker
        now = breaker.clock()
        for refusal in (breaker.locked, breaker.refused.get(self.fingerprint)):
            if refusal is not None and refusal.until > now:
                raise _again(refusal, math.ceil(refusal.until - now))

    def refused(self, error: DialerUnauthorized) -> DialerUnauthorized:
        """Note the dialer's refusal; return ``error`` saying when the bridge tries again."""
        breaker = self.breaker
        if isinstance(error, DialerLocked):
            found = _MINUTES.search(error.dialer_text or "")
            seconds = int(found[1]) * 60.0 if found else LOCK_COOLDOWN
            breaker.locked = _Refusal(breaker.clock() + seconds, error)
        else:
            seconds = REFUSED_COOLDOWN
            breaker.refused[self.fingerprint] = _Refusal(breaker.clock() + seconds, error)
        return _again(_Refusal(0, error), math.ceil(seconds))

    def accepted(self) -> None:
        """The dialer accepted these credentials: what it refused before is over."""
        self.breaker.locked = None
        self.breaker.refused.pop(self.fingerprint, None)


class LoginBreakers:
    """The breakers of every (dialer base URL, API user), made on first use."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._breakers: dict[tuple[str, str], LoginBreaker] = {}

    def login(self, base_url: str, api_user: str, password: str) -> Login:
        """The breaker of ``api_user`` at ``base_url``, for these credentials."""
        key = (base_url.rstrip("/"), api_user)
        if key not in self._breakers:
            self._breakers[key] = LoginBreaker(self._clock)
        fingerprint = hashlib.sha256(f"{api_user}\0{password}".encode()).hexdigest()
        return Login(self._breakers[key], fingerprint)


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
