"""Hands fresh wallboard snapshots to the open wallboards, fed by the stream hub: after
each write of the event flow (`StreamHub.watch_writes`), each tenant that has a
wallboard open gets one new snapshot, shared by all its wallboards, at most every
`SETTLE_SECONDS` (a burst of events makes one snapshot, not one per event). Nothing
runs while no wallboard is open; no browser polls."""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping

from server.config import TenantConfig
from server.database import Database
from server.events.hub import StreamHub
from server.wallboard.snapshot import Snapshot, take_snapshot

log = logging.getLogger(__name__)

SETTLE_SECONDS = 0.2


class Board:
    """One open wallboard's view: the newest snapshot not yet taken."""

    def __init__(self) -> None:
        self._newest: asyncio.Queue[Snapshot] = asyncio.Queue(1)

    def put(self, snapshot: Snapshot) -> None:
        if self._newest.full():
            self._newest.get_nowait()
        self._newest.put_nowait(snapshot)

    async def next(self) -> Snapshot:
        return await self._newest.get()


class WallboardFeed:
    def __init__(self) -> None:
        self._boards: defaultdict[str, set[Board]] = defaultdict(set)
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def open(
        self, database: Database, hub: StreamHub, tenants: Mapping[str, TenantConfig], tenant: str
    ) -> AsyncIterator[Board]:
        """A board of ``tenant``, fed until the block ends."""
        board = Board()
        self._boards[tenant].add(board)
        if self._task is None:
            self._task = asyncio.create_task(self._refresh_forever(database, hub, tenants))
        try:
            yield board
        finally:
            self._boards[tenant].discard(board)
            if not self._boards[tenant]:
                del self._boards[tenant]
            if not self._boards and self._task is not None:
                task, self._task = self._task, None
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _refresh_forever(
        self, database: Database, hub: StreamHub, tenants: Mapping[str, TenantConfig]
    ) -> None:
        with hub.watch_writes(self._changed.set):
            while True:
                await self._changed.wait()
                await asyncio.sleep(SETTLE_SECONDS)
                self._changed.clear()
                for tenant, boards in list(self._boards.items()):
                    try:
                        snapshot = await take_snapshot(database, tenants[tenant])
                    except Exception:
                        log.exception("the wallboard of tenant %s could not be read", tenant)
                        continue
                    for board in list(boards):
                        board.put(snapshot)
