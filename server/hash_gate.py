"""Bounds how many password hashes are checked at once.

An argon2 check takes a CPU core and 64 MiB for a quarter of a second. Without a
bound, a flood of bad logins queues hundreds of them and a real agent's login waits
behind all of them. The gate lets ``slots`` checks run (one per core), lets a few more
wait, and refuses the rest at once with a 503 that says when to try again.
"""

import asyncio
import os
from types import TracebackType

from server.problems import Problem


class ServerBusy(Problem):
    status = 503

    def __init__(self) -> None:
        super().__init__(
            "server_busy",
            "the bridge is checking too many passwords at once: try again in a second",
            headers={"Retry-After": "1"},
        )


class HashGate:
    def __init__(self, slots: int | None = None, max_waiting: int | None = None) -> None:
        slots = slots or os.cpu_count() or 1
        self._semaphore = asyncio.Semaphore(slots)
        self._max_waiting = max_waiting if max_waiting is not None else 4 * slots
        self._waiting = 0

    async def __aenter__(self) -> None:
        if self._waiting >= self._max_waiting:
            raise ServerBusy()
        self._waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting -= 1

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._semaphore.release()
