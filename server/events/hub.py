"""Hands each agent's new stream events to that agent's open streams (every tab).

On one instance, `StreamHub.deliver` puts the events on the queue of every subscription
of their agent. With PostgreSQL, `StreamHub.announce` also sends a ``NOTIFY`` inside the
transaction that wrote the events, and `listen_to_other_instances` (a ``LISTEN`` on its
own connection) delivers what other instances wrote; no other broker is needed.

A subscription whose queue overflows (a stuck client), or that may have missed a
notification (the ``LISTEN`` connection dropped), is told to resync: its stream reads
the events after the last one it sent from the database instead.

`StreamHub.watch_writes` is for views of everything (the admins' wallboard): its callback
runs after each committed write of this instance, and each notification from another.
"""

import asyncio
import contextlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, text

from server.database import Database
from server.events import stream_log
from server.events.stream_log import StreamEvent

log = logging.getLogger(__name__)

CHANNEL = "crm_bridge_stream"
QUEUE_SIZE = 1000
NOTIFY_BATCH = 200  # [id, agent] pairs per NOTIFY, well under PostgreSQL's 8000 bytes
RECONNECT_SECONDS = 1.0


class Resync:
    """Read the database from the last event sent: something may have been missed."""


RESYNC = Resync()


class Subscription:
    """One stream's view of the hub: its agent's events, in the order they are handed in."""

    def __init__(self, agent_id: int) -> None:
        self.agent_id = agent_id
        self._queue: asyncio.Queue[StreamEvent | Resync] = asyncio.Queue(QUEUE_SIZE)

    def put(self, item: StreamEvent | Resync) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(RESYNC)

    async def get(self) -> StreamEvent | Resync:
        return await self._queue.get()


class StreamHub:
    def __init__(self, on_reconnect: Callable[[], object] = lambda: None) -> None:
        self.instance = secrets.token_hex(8)
        self._on_reconnect = on_reconnect
        # None: no LISTEN needed (SQLite); else whether it is connected now (PostgreSQL)
        self.listening: bool | None = None
        self._subscriptions: defaultdict[int, set[Subscription]] = defaultdict(set)
        self._write_watchers: set[Callable[[], None]] = set()

    @contextlib.contextmanager
    def subscribe(self, agent_id: int) -> Iterator[Subscription]:
        subscription = Subscription(agent_id)
        self._subscriptions[agent_id].add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions[agent_id].discard(subscription)
            if not self._subscriptions[agent_id]:
                del self._subscriptions[agent_id]

    @contextlib.contextmanager
    def watch_writes(self, callback: Callable[[], None]) -> Iterator[None]:
        """Run ``callback`` after every write handed in (with or without events)."""
        self._write_watchers.add(callback)
        try:
            yield
        finally:
            self._write_watchers.discard(callback)

    def _written(self) -> None:
        for callback in list(self._write_watchers):
            callback()

    def open_streams(self) -> int:
        return sum(len(subscriptions) for subscriptions in self._subscriptions.values())

    def watches(self, agent_id: int) -> bool:
        return agent_id in self._subscriptions

    def deliver(self, events: Iterable[StreamEvent]) -> None:
        """Hand ``events`` (committed) to this instance's subscriptions of their agents."""
        for event in events:
            for subscription in self._subscriptions.get(event.agent_id, ()):
                subscription.put(event)
        self._written()

    def resync_all(self) -> None:
        for subscriptions in self._subscriptions.values():
            for subscription in subscriptions:
                subscription.put(RESYNC)

    def announce(self, connection: Connection, events: list[StreamEvent]) -> None:
        """Inside the transaction writing ``events``: tell the other instances (PostgreSQL
        delivers a NOTIFY at commit, and never if the transaction rolls back)."""
        if connection.dialect.name != "postgresql" or not events:
            return
        pairs = [[event.id, event.agent_id] for event in events]
        for start in range(0, len(pairs), NOTIFY_BATCH):
            payload = json.dumps({"from": self.instance, "events": pairs[start:][:NOTIFY_BATCH]})
            connection.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": payload},
            )

    async def _deliver_notified(self, database: Database, payload: str) -> None:
        message: dict[str, Any] = json.loads(payload)
        if message.get("from") == self.instance:
            return
        self._written()
        ids = [event_id for event_id, agent_id in message["events"] if self.watches(agent_id)]
        if ids:
            async with database.connect() as connection:
                self.deliver(await stream_log.by_ids(connection, ids))

    async def listen_to_other_instances(self, database: Database) -> AsyncIterator[None]:
        """A ``cleanup_ctx`` part: on PostgreSQL, ``LISTEN`` until the app stops."""
        async with database.connect() as probe:
            postgres = probe.dialect.name == "postgresql"
        if not postgres:
            yield
            return
        self.listening = False
        task = asyncio.create_task(self._listen_forever(database))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _listen_forever(self, database: Database) -> None:
        first = True
        while True:
            try:
                await self._listen_once(database, resync=not first)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("LISTEN for stream events lost (%s); reconnecting", error)
            first = False
            self._on_reconnect()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen_once(self, database: Database, *, resync: bool) -> None:
        notified: asyncio.Queue[str] = asyncio.Queue()
        lost = asyncio.Event()
        async with database.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            if raw is None:
                raise ConnectionError("no PostgreSQL connection to LISTEN on")
            raw.add_termination_listener(lambda _connection: lost.set())

            def on_notify(*args: Any) -> None:
                notified.put_nowait(args[-1])  # (connection, pid, channel, payload)

            await raw.add_listener(CHANNEL, on_notify)
            self.listening = True
            if resync:  # notifications may have been missed while reconnecting
                self.resync_all()
            waiting_for_loss = asyncio.create_task(lost.wait())
            try:
                while not lost.is_set():
                    getting = asyncio.create_task(notified.get())
                    done, _ = await asyncio.wait(
                        {getting, waiting_for_loss}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if getting not in done:
                        getting.cancel()
                        break
                    try:
                        await self._deliver_notified(database, getting.result())
                    except Exception:
                        log.exception("delivering notified stream events failed")
                        self.resync_all()
            finally:
                self.listening = False
                waiting_for_loss.cancel()
                with contextlib.suppress(Exception):
                    await raw.remove_listener(CHANNEL, on_notify)
        raise ConnectionError("the LISTEN connection closed")
