"""An instance's way out (SIGTERM, or the app stopping): it says it is not ready at once
(`server.readiness`), closes every live stream with 1012 so that widgets reconnect to
another instance and resume there, and hands its running jobs back to the database for
another instance to take over; requests in flight may finish. `exit_within` bounds the
whole stop: a process still running after ``[server] shutdown_seconds`` exits anyway.
"""

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Awaitable, Callable, Iterator

from aiohttp import web

from server.error_catalogue import RESTARTING

log = logging.getLogger(__name__)

CLOSE_WAIT_SECONDS = 2.0  # for the clients' answers to the close; the stop goes on after

Closer = Callable[[], Awaitable[object]]


class Drain:
    def __init__(self) -> None:
        self.draining = False
        self._closers: set[Closer] = set()

    @contextlib.contextmanager
    def closing(self, close: Closer) -> Iterator[None]:
        """Have ``close`` (a live stream's) called when the instance starts draining."""
        self._closers.add(close)
        try:
            yield
        finally:
            self._closers.discard(close)

    async def begin(self) -> None:
        """Stop being ready and close the live streams (each once, all at once)."""
        if self.draining:
            return
        self.draining = True
        closers, self._closers = list(self._closers), set()
        if closers:
            log.info("draining: closing %s live streams with %s", len(closers), RESTARTING)
        closing = [asyncio.ensure_future(close()) for close in closers]
        if closing:
            await asyncio.wait(closing, timeout=CLOSE_WAIT_SECONDS)


def exit_within(seconds: float) -> Callable[[web.Application], Awaitable[None]]:
    """An ``on_shutdown`` part for a served process: exit, whatever is still running,
    ``seconds`` after the stop began."""

    async def start_clock(app: web.Application) -> None:
        def give_up() -> None:
            log.warning("still stopping after %g s ([server] shutdown_seconds): exiting", seconds)
            logging.shutdown()
            os._exit(0)

        timer = threading.Timer(seconds, give_up)
        timer.daemon = True
        timer.start()

    return start_clock
