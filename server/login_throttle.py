"""Slows down password guessing, per account and client address, with backoff.

Every password check is counted *before* it runs, against two records: the account at
that client address (``acme/agent1`` from ``203.0.113.7``) and the client address alone.
Each record allows a few free attempts within ``window_seconds``; after those, each next
attempt must wait twice as long as the one before (1 s, 2 s, 4 s, ... up to
``max_wait_seconds``). A correct password clears the account's record at that address
and gives back its attempt to the address, so agents behind one NAT do not throttle
each other by logging in, and a guesser elsewhere cannot lock a real agent out.

The records live in memory, per server process, in bounded TTL caches: a flood of
distinct user names costs at most ``max_entries`` small records.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from math import ceil

from cachetools import TTLCache

from server.problems import Problem


class TooManyAttempts(Problem):
    def __init__(self, wait_seconds: float, whose: str) -> None:
        seconds = max(1, ceil(wait_seconds))
        super().__init__(
            "too_many_attempts",
            f"too many wrong passwords {whose}: try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


@dataclass(slots=True)
class _Record:
    attempts: int = 0
    last: float = 0.0


def _counted(record: _Record | None, now: float) -> _Record:
    record = record or _Record()
    record.attempts += 1
    record.last = now
    return record


class LoginThrottle:
    def __init__(
        self,
        *,
        free_per_account: int = 5,
        free_per_address: int = 30,
        window_seconds: float = 900,
        max_wait_seconds: float = 900,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._free_per_account = free_per_account
        self._free_per_address = free_per_address
        self._max_wait = max_wait_seconds
        self._accounts: TTLCache[tuple[str, str], _Record] = TTLCache(
            max_entries, window_seconds, timer=clock
        )
        self._addresses: TTLCache[str, _Record] = TTLCache(max_entries, window_seconds, timer=clock)

    def __len__(self) -> int:
        """How many records are kept (bounded by ``max_entries`` per kind)."""
        return len(self._accounts) + len(self._addresses)

    def _wait(self, record: _Record | None, free: int, now: float) -> float:
        if record is None or record.attempts < free:
            return 0.0
        backoff = min(self._max_wait, 2.0 ** (record.attempts - free))
        return max(0.0, record.last + backoff - now)

    def attempt(self, account: str, address: str) -> None:
        """Count one password check, or raise `TooManyAttempts` saying how long to wait."""
        now = self._clock()
        key = (account, address)
        account_record, address_record = self._accounts.get(key), self._addresses.get(address)
        wait = self._wait(account_record, self._free_per_account, now)
        if wait > 0:
            raise TooManyAttempts(wait, "for this account")
        wait = self._wait(address_record, self._free_per_address, now)
        if wait > 0:
            raise TooManyAttempts(wait, "from this address")
        self._accounts[key] = _counted(account_record, now)  # (re)starts its time to live
        self._addresses[address] = _counted(address_record, now)

    def failures(self, address: str) -> int:
        """How many attempts the address has made lately (its right passwords given back)."""
        record = self._addresses.get(address)
        return record.attempts if record is not None else 0

    def refund(self, account: str, address: str) -> None:
        """The attempt was refused before its password was checked: it does not count."""
        for record in (self._accounts.get((account, address)), self._addresses.get(address)):
            if record is not None and record.attempts > 0:
                record.attempts -= 1

    def failed(self, account: str, address: str) -> None:
        """The password was wrong: the wait runs from now, when the check has ended."""
        now = self._clock()
        for record in (self._accounts.get((account, address)), self._addresses.get(address)):
            if record is not None:
                record.last = now

    def succeeded(self, account: str, address: str) -> None:
        """The password was right: forget the account's failures, refund the address."""
        self._accounts.pop((account, address), None)
        record = self._addresses.get(address)
        if record is not None and record.attempts > 0:
            record.attempts -= 1
