"""Waiting for a dialer that is down: one job's senders pause together, then one probes.

The first failure pauses the job for ``first`` seconds; while paused, senders take turns
(one at a time) to try again after the pause, and each failed try doubles it, up to
``most`` seconds (with jitter, so bridges sharing a dialer do not retry in step). The
first success ends the pause for everyone.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from server.backoff import next_wait


@dataclass(frozen=True, slots=True)
class Attempt:
    go: bool  # False: the job is stopping, do not send
    probe: bool  # this attempt tests whether a paused dialer answers again


class DialerPause:
    def __init__(self, stop: asyncio.Event, *, first: float = 0.5, most: float = 30.0) -> None:
        self._stop = stop
        self._first = first
        self._most = max(most, first)
        self._failures = 0  # in a row: 0 while the dialer answers
        self._turn = asyncio.Lock()

    @property
    def paused(self) -> bool:
        return self._failures > 0

    @contextlib.asynccontextmanager
    async def attempt(self) -> AsyncIterator[Attempt]:
        """Wait until a call may go (at once unless paused); hold the probing turn."""
        if not self.paused:
            yield Attempt(go=not self._stop.is_set(), probe=False)
            return
        async with self._turn:
            probe = self.paused
            if probe:
                delay = next_wait(self._failures, base_seconds=self._first, max_seconds=self._most)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
            yield Attempt(go=not self._stop.is_set(), probe=probe)

    def failed(self, attempt: Attempt) -> None:
        """The dialer did not answer: pause, or pause longer after a failed probe."""
        if attempt.probe or not self.paused:
            self._failures += 1

    def answered(self) -> None:
        self._failures = 0
