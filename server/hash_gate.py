"""Bounds how many password hashes are checked at once, fairly between client addresses.

An argon2 check takes a CPU core and 64 MiB for a quarter of a second. Without a
bound, a flood of bad logins queues hundreds of them and a real agent's login waits
behind all of them. The gate lets ``slots`` checks run (one per core) and a few more
wait, refusing the rest at once with a 503 that says when to try again. The waiting ones
go in order of their client address's recent wrong passwords (fewest first): when the
queue is full, a login from an address with fewer failures takes the place of the
worst-placed one, which is refused. A flood from many addresses thus delays a real agent
by one check at most, while the agents behind one address (an office's NAT at the start
of a shift) are never refused for sharing it.

Background work (a user sync's hashes) shares the same slots through `HashGate.background`:
it is never refused and waits apart, taking a free slot only when no login waits, so a
login waits for one hash at most; while logins keep waiting, every ``slots + 1``-th turn
still goes to the background, so a flood of logins slows a sync but never stops it.
"""

import asyncio
import contextlib
import itertools
import os
from collections import deque
from collections.abc import AsyncIterator, Callable, MutableSequence
from dataclasses import dataclass, field
from typing import TypeVar

from server.problems import Problem

T = TypeVar("T")


class ServerBusy(Problem):
    def __init__(self, why: str = "checking too many passwords at once") -> None:
        super().__init__(
            "server_busy",
            f"the bridge is {why}: try again in a second",
            headers={"Retry-After": "1"},
        )


@dataclass(order=True)
class _Waiter:
    failures: int
    order: int
    address: str = field(compare=False)
    turn: asyncio.Future[None] = field(compare=False)


class HashGate:
    def __init__(self, slots: int | None = None, max_waiting: int | None = None) -> None:
        self.slots = slots or os.cpu_count() or 1
        self._max_waiting = max_waiting if max_waiting is not None else 4 * self.slots
        self._running = 0
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._background: deque[asyncio.Future[None]] = deque()
        self._logins_in_a_row = 0  # turns given to logins since the background's last

    def _queue(self, address: str, failures: int) -> _Waiter:
        turn = asyncio.get_running_loop().create_future()
        waiter = _Waiter(failures, next(self._order), address, turn)
        if len(self._waiting) >= self._max_waiting:
            worst = max(self._waiting)
            if worst < waiter:
                raise ServerBusy()
            self._waiting.remove(worst)
            worst.turn.set_exception(ServerBusy())
        self._waiting.append(waiter)
        return waiter

    def _next(self) -> None:
        while (self._waiting or self._background) and self._running < self.slots:
            if self._background and (not self._waiting or self._logins_in_a_row >= self.slots):
                turn = self._background.popleft()
                self._logins_in_a_row = 0
            else:
                waiter = min(self._waiting)
                self._waiting.remove(waiter)
                turn = waiter.turn
                self._logins_in_a_row += 1
            self._running += 1
            turn.set_result(None)

    async def _wait(self, turn: asyncio.Future[None], forget: Callable[[], bool]) -> None:
        """Wait for ``turn``; if cancelled, ``forget`` it, or give back the slot it got."""
        try:
            await turn
        except asyncio.CancelledError:
            if not forget() and not turn.cancelled() and turn.exception() is None:
                self._running -= 1  # the turn came as the request was cancelled
                self._next()
            raise

    @contextlib.asynccontextmanager
    async def admitted(self, address: str, failures: int = 0) -> AsyncIterator[None]:
        """Wait for a turn to check a password from ``address``, whose recent wrong
        passwords number ``failures``; `ServerBusy` at once (or when displaced)."""
        if self._running < self.slots and not self._waiting:
            self._running += 1
        else:
            waiter = self._queue(address, failures)
            await self._wait(waiter.turn, lambda: _removed(self._waiting, waiter))
        try:
            yield
        finally:
            self._running -= 1
            self._next()

    @contextlib.asynccontextmanager
    async def background(self) -> AsyncIterator[None]:
        """Wait for a turn to hash for background work; never refused."""
        if self._running < self.slots and not self._waiting and not self._background:
            self._running += 1
        else:
            turn = asyncio.get_running_loop().create_future()
            self._background.append(turn)
            await self._wait(turn, lambda: _removed(self._background, turn))
        try:
            yield
        finally:
            self._running -= 1
            self._next()


def _removed(queue: MutableSequence[T], item: T) -> bool:
    """Take ``item`` out of ``queue``; False if it was no longer there."""
    if item not in queue:
        return False
    queue.remove(item)
    return True
