"""The live-event machinery of one bridge instance, as a ``cleanup_ctx`` part: the hub,
the intake and its batch writer, the push secrets, the ``LISTEN`` for other instances
(PostgreSQL), the watch on the streams' sessions, the purge of old events and the end of
overdue wrap-ups."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import delete

from server.database import Database
from server.events import stream_log, wrap_up_timeout
from server.events.batch_writer import BatchWriter
from server.events.call_in_progress import CallGuard
from server.events.hub import StreamHub
from server.events.intake import EventIntake
from server.events.missed_calls import DeliveryNotes
from server.events.push_secrets import PushSecrets
from server.events.session_watch import SessionWatch
from server.integrations.triggers import Triggers
from server.keys import (
    CALL_GUARD,
    CONFIG,
    DATABASE,
    DELIVERY_NOTES,
    EVENT_WRITER,
    INTAKE,
    PUSH_SECRETS,
    SESSION_WATCH,
    STREAM_HUB,
)
from server.tables import dialer_events

log = logging.getLogger(__name__)

KEEP_DIALER_EVENTS_SECONDS = 30 * 24 * 3600
PURGE_EVERY_SECONDS = 3600


async def _purge_forever(database: Database) -> None:
    while True:
        try:
            now = time.time()
            async with database.begin() as connection:
                await stream_log.purge(connection, now - stream_log.KEEP_SECONDS)
                await connection.execute(
                    delete(dialer_events).where(
                        dialer_events.c.received_at < now - KEEP_DIALER_EVENTS_SECONDS
                    )
                )
        except Exception:
            log.exception("purging old events failed; trying again later")
        await asyncio.sleep(PURGE_EVERY_SECONDS)


async def live_events(app: web.Application) -> AsyncIterator[None]:
    database, hub = app[DATABASE], StreamHub()
    app[STREAM_HUB] = hub
    writer = app[EVENT_WRITER] = BatchWriter(database, hub)
    intake = app[INTAKE] = EventIntake(
        database, writer, Triggers(app[CONFIG]).on_call, app[CONFIG].tenants
    )
    app[PUSH_SECRETS] = PushSecrets(database)
    app[DELIVERY_NOTES] = DeliveryNotes(database, writer)
    app[CALL_GUARD] = CallGuard(database)
    watch = app[SESSION_WATCH] = SessionWatch(database)
    async with (
        writer.running(),
        contextlib.asynccontextmanager(hub.listen_to_other_instances)(database),
        contextlib.asynccontextmanager(watch.run)(app),
    ):
        tasks = [
            asyncio.create_task(_purge_forever(database)),
            asyncio.create_task(wrap_up_timeout.expire_forever(intake)),
        ]
        yield
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
