"""The live-event machinery of one bridge instance, as a ``cleanup_ctx`` part: the hub,
the intake and its batch writer, the push secrets, the ``LISTEN`` for other instances
(PostgreSQL), the watch on the streams' sessions, the purge of old events and the end of
overdue wrap-ups."""

import contextlib
import functools
import time
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import delete

from server import background
from server.database import Database
from server.events import stream_log, wrap_up_timeout
from server.events.batch_writer import BatchWriter
from server.events.call_in_progress import CallGuard
from server.events.hub import StreamHub
from server.events.intake import EventIntake
from server.events.missed_calls import DeliveryNotes
from server.events.push_rate import PushRate
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
    METRICS,
    PUSH_RATE,
    PUSH_SECRETS,
    SESSION_WATCH,
    STREAM_HUB,
)
from server.retention import Retention
from server.tables import dialer_events

PURGE_SECONDS = 60  # how often to look for events past their keeping time


async def _purge_old(database: Database, retention: Retention) -> None:
    """Forget stream entries and dialer events past their keeping time (when due)."""
    if not retention.due():
        return
    async with database.begin() as connection:
        await stream_log.purge(connection, time.time() - stream_log.KEEP_SECONDS)
        await connection.execute(
            delete(dialer_events).where(dialer_events.c.received_at < retention.finished_before())
        )


async def live_events(app: web.Application) -> AsyncIterator[None]:
    observed = app[METRICS]
    database, hub = app[DATABASE], StreamHub(on_reconnect=observed.listen_reconnects.inc)
    observed.streams_open.set_function(hub.open_streams)
    app[STREAM_HUB] = hub
    writer = app[EVENT_WRITER] = BatchWriter(database, hub)
    intake = app[INTAKE] = EventIntake(
        database, writer, Triggers(app[CONFIG]).on_call, app[CONFIG].tenants
    )
    app[PUSH_SECRETS] = PushSecrets(database)
    app[DELIVERY_NOTES] = DeliveryNotes(database, writer)
    app[CALL_GUARD] = CallGuard(database)
    settings = app[CONFIG].events
    app[PUSH_RATE] = PushRate(settings.max_per_second, settings.burst)
    watch = app[SESSION_WATCH] = SessionWatch(database)
    async with (
        writer.running(),
        contextlib.asynccontextmanager(hub.listen_to_other_instances)(database),
        contextlib.asynccontextmanager(watch.run)(app),
        background.running(
            background.every(
                PURGE_SECONDS,
                functools.partial(_purge_old, database, Retention(settings.keep_days)),
                doing="purging old events",
            ),
            background.every(
                wrap_up_timeout.CHECK_SECONDS,
                functools.partial(wrap_up_timeout.expire_due, intake),
                doing="ending overdue wrap-ups",
            ),
        ),
    ):
        yield
