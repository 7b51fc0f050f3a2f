"""Work that runs beside the app for its whole life: a step repeated on a schedule, each
failure logged without ending the loop, and the loops stopped cleanly on the way out."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, NoReturn

log = logging.getLogger(__name__)


async def every(seconds: float, step: Callable[[], Awaitable[object]], *, doing: str) -> NoReturn:
    """Run ``step`` now and then every ``seconds``, for ever; a failure is logged as
    "``doing`` failed; trying again" and the next run comes on time."""
    while True:
        try:
            await step()
        except Exception:
            log.exception("%s failed; trying again", doing)
        await asyncio.sleep(seconds)


@contextlib.asynccontextmanager
async def running(*loops: Coroutine[Any, Any, object]) -> AsyncIterator[None]:
    """Run ``loops`` as tasks while the block runs; cancel them and wait for them after."""
    tasks = [asyncio.create_task(loop) for loop in loops]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
