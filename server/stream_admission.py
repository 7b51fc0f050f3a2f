"""Admission of live-stream sockets that have not signed in yet.

Every upgrade to ``/api/v1/stream`` holds an open file until its hello arrives (or its
deadline passes). Without a bound, anyone can hold thousands of them without a token.
This caps them twice: per client address (an IPv6 client by its /64, which one host
usually owns whole) further upgrades are refused before the upgrade; in all, a new
upgrade closes the oldest waiting socket of the address that has the most, so a flood
from many addresses cannot lock out a real agent, which has one socket waiting.
"""

import contextlib
import itertools
from collections.abc import Callable, Iterator

from server.address_key import address_key


class StreamAdmission:
    """Counts the sockets waiting for their hello, per address and in all."""

    def __init__(self, *, per_address: int, total: int) -> None:
        self.per_address, self.total = per_address, total
        # per address, its waiting sockets oldest first: how to close each
        self._waiting: dict[str, dict[int, Callable[[], None]]] = {}
        self._count = 0
        self._ids = itertools.count()

    def __len__(self) -> int:
        return self._count

    def full_for(self, remote: str | None) -> bool:
        """Whether ``remote`` already has as many waiting sockets as it may."""
        return len(self._waiting.get(address_key(remote), ())) >= self.per_address

    def _make_room(self) -> None:
        """Close the oldest waiting socket of the address that has the most."""
        crowded = max(self._waiting.values(), key=len)
        oldest = next(iter(crowded))
        crowded.pop(oldest)()
        self._count -= 1

    @contextlib.contextmanager
    def waiting(self, remote: str | None, close: Callable[[], None]) -> Iterator[None]:
        """Count one socket until its hello phase ends; ``close`` ends it early when the
        total is reached and its address has the most waiting."""
        if self._count >= self.total:
            self._make_room()
        key, ticket = address_key(remote), next(self._ids)
        self._waiting.setdefault(key, {})[ticket] = close
        self._count += 1
        try:
            yield
        finally:
            mine = self._waiting.get(key, {})
            if mine.pop(ticket, None) is not None:
                self._count -= 1
            if not mine:
                self._waiting.pop(key, None)
