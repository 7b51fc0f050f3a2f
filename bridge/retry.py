"""The one retry policy of every dialer: what may be repeated, how often, how long to wait.

Only a call that cannot change the dialer twice is ever repeated, and only on the error
the caller names: a read while the dialer is unavailable (REST reads, Elision's
active_lists and version), or a Euphoria call the dialer refused as busy (it was not
carried out). Waits are full-jitter exponential (`tenacity.wait_random_exponential`):
each a random time up to ``first_delay``, then twice that, capped at ``max_delay``, so
callers that collided do not collide again.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity import wait_random_exponential as full_jitter

T = TypeVar("T")

RetryOn = type[Exception] | tuple[type[Exception], ...]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``attempts`` in all (the first included); ``sleep`` is how a wait is waited."""

    attempts: int = 3
    first_delay: float = 0.2
    max_delay: float = 2.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)

    async def call(self, send: Callable[[], Awaitable[T]], *, retry_on: RetryOn) -> T:
        """``await send()``, repeated after a wait while it raises ``retry_on``.

        The last attempt's error is raised as it was."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(retry_on),
            stop=stop_after_attempt(self.attempts),
            wait=full_jitter(multiplier=self.first_delay, max=self.max_delay),
            sleep=self.sleep,
            reraise=True,
        )

        async def attempt() -> T:
            return await send()

        return await retrying(attempt)


READS = RetryPolicy(attempts=3)  # a read while the dialer is unavailable
BUSY = RetryPolicy(attempts=4)  # a call refused because too many were in flight
