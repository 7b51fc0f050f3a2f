"""Admission of live-stream sockets that have not signed in yet.

Every upgrade to ``/api/v1/stream`` holds an open file until its hello arrives (or its
deadline passes). Without a bound, anyone can hold thousands of them without a token.
This caps them twice: per client address (an IPv6 client by its /64, which one host
usually owns whole) further upgrades are refused before the upgrade; in all, a new
upgrade closes the oldest socket still waiting for its hello, so a flood from many
addresses cannot lock out a real agent, whose hello follows its upgrade at once.
"""

import contextlib
import itertools
from collections.abc import Callable, Iterator

from server.address_key import address_key


class StreamAdmission:
    """Counts the sockets waiting for their hello, per address and in all."""

    def __init__(self, *, per_address: int, total: int) -> None:
        self.per_address, self.total = per_address, total
        self._per_key: dict[str, int] = {}
        self._waiting: dict[int, Callable[[], None]] = {}  # oldest first: how to close each
        self._ids = itertools.count()

    def __len__(self) -> int:
        return len(self._waiting)

    def full_for(self, remote: str | None) -> bool:
        """Whether ``remote`` already has as many waiting sockets as it may."""
        return self._per_key.get(address_key(remote), 0) >= self.per_address

    @contextlib.contextmanager
    def waiting(self, remote: str | None, close: Callable[[], None]) -> Iterator[None]:
        """Count one socket until its hello phase ends; ``close`` ends it when it is the
        oldest and the total is reached."""
        while len(self._waiting) >= self.total:
            oldest = next(iter(self._waiting))
            self._waiting.pop(oldest)()
        key, ticket = address_key(remote), next(self._ids)
        self._per_key[key] = self._per_key.get(key, 0) + 1
        self._waiting[ticket] = close
        try:
            yield
        finally:
            self._waiting.pop(ticket, None)
            left = self._per_key[key] - 1
            if left:
                self._per_key[key] = left
            else:
                del self._per_key[key]
