"""Waiting for a dialer that is down: one job's senders pause together, then one probes.

The first failure pauses the job for ``first`` seconds; while paused, senders take turns
(one at a time) to try again after the pause, and each failed try doubles it, up to
``most`` seconds (with jitter, so bridges sharing a dialer do not retry in step). The
first success ends the pause for everyone.
"""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Attempt:
    go: bool  # False: the job is stopping, do not send
    probe: bool  # this attempt tests whether a paused dialer answers again


class DialerPause:
    def __init__(self, stop: asyncio.Event, *, first: float = 0.5, most: float = 30.0) -> None:
        self._stop = stop
        self._first = first
        self._most = max(most, first)
        self._delay = 0.0
        self._turn = asyncio.Lock()

    @property
    def paused(self) -> bool:
        return self._delay > 0

    @contextlib.asynccontextmanager
    async def attempt(self) -> AsyncIterator[Attempt]:
        """Wait until a call may go (at once unless paused); hold the probing turn."""
        if not self.paused:
            yield Attempt(go=not self._stop.is_set(), probe=False)
            return
        async with self._turn:
            probe = self.paused
            if probe:
                delay = random.uniform(self._delay / 2, self._delay)  # noqa: S311 - jitter
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
            yield Attempt(go=not self._stop.is_set(), probe=probe)

    def failed(self, attempt: Attempt) -> None:
        """The dialer did not answer: pause, or pause longer after a failed probe."""
        if attempt.probe:
            self._delay = min(self._delay * 2, self._most)
        elif not self.paused:
            self._delay = self._first

    def answered(self) -> None:
        self._delay = 0.0
