"""Closes the streams of sessions that ended (logout, expiry, agent disabled or deleted).

Every few seconds one query asks which of the open streams' sessions are still live;
the streams of the others are closed with code 4401.
"""

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

from sqlalchemy import select

from server import background
from server.database import Database, padded
from server.tables import agents, sessions

EVERY_SECONDS = 5.0
Closer = Callable[[], Awaitable[None]]


class SessionWatch:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._streams: defaultdict[str, set[Closer]] = defaultdict(set)

    @contextlib.contextmanager
    def watching(self, token_hash: str, close: Closer) -> Iterator[None]:
        """While inside, ``close`` is called once the session ``token_hash`` has ended."""
        self._streams[token_hash].add(close)
        try:
            yield
        finally:
            self._streams[token_hash].discard(close)
            if not self._streams[token_hash]:
                del self._streams[token_hash]

    async def sweep(self) -> None:
        watched = list(self._streams)
        if not watched:
            return
        async with self._db.connect() as connection:
            live: set[str] = set(
                (
                    await connection.execute(
                        select(sessions.c.token_hash)
                        .join(agents, agents.c.id == sessions.c.agent_id)
                        .where(
                            sessions.c.token_hash.in_(padded(watched))
                            & (sessions.c.expires_at > time.time())
                            & agents.c.active
                        )
                    )
                ).scalars()
            )
        ended = [
            close
            for token_hash in set(watched) - live
            for close in self._streams.get(token_hash, ())
        ]
        await asyncio.gather(*(close() for close in ended), return_exceptions=True)

    async def run(self, _app: object) -> AsyncIterator[None]:
        sweeping = background.every(
            EVERY_SECONDS, self.sweep, doing="checking the streams' sessions"
        )
        async with background.running(sweeping):
            yield
