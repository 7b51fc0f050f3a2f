"""How fast each tenant's dialers may push events: a token bucket per tenant.

A tenant may send ``burst`` events at once and ``per_second`` on average; beyond, an
event is refused with 429 and ``Retry-After`` (a dialer sends it again later). The
buckets live in memory, per bridge process, one per configured tenant.
"""

import time
from collections.abc import Callable
from math import ceil

from server.problems import Problem


class TooManyEvents(Problem):
    def __init__(self, wait_seconds: float, per_second: float) -> None:
        seconds = max(1, ceil(wait_seconds))
        super().__init__(
            "too_many_events",
            f"this tenant's dialers send more than {per_second:g} events a second: send"
            f" this one again in {seconds} s",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


class PushRate:
    def __init__(
        self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_second, self.burst, self._clock = per_second, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # tenant: (tokens, when)

    def take(self, tenant: str) -> None:
        """Count one event of ``tenant``, or raise `TooManyEvents` saying when to retry."""
        now = self._clock()
        tokens, then = self._buckets.get(tenant, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_second)
        if tokens < 1:
            self._buckets[tenant] = (tokens, now)
            raise TooManyEvents((1 - tokens) / self.per_second, self.per_second)
        self._buckets[tenant] = (tokens - 1, now)
