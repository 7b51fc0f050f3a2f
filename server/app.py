"""The application factory."""

import asyncio
import functools
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import web

from bridge import AuditEntry, dialer_session
from server import background, readiness, single_instance, templating
from server.agents import AgentDirectory
from server.api_keys import ApiKeyStore
from server.audit_log import AuditLog
from server.auth import api_key_middleware
from server.config import ServerConfig
from server.database import Database
from server.dialers import DialerRegistry
from server.drain import Drain
from server.error_middleware import error_middleware
from server.events.running import live_events
from server.hash_gate import HashGate
from server.integrations.running import integrations
from server.jobs.store import JobStore
from server.jobs.uploads import CsvUploads
from server.jobs.worker import JobWorker
from server.keys import (
    AGENTS,
    API_KEYS,
    ASSETS,
    AUDIT,
    CONFIG,
    CSV_UPLOADS,
    DATABASE,
    DIALERS,
    DRAIN,
    EVENT_WRITER,
    HASH_GATE,
    JOB_WORKER,
    JOBS,
    LOGIN_THROTTLE,
    LOGIN_TOKENS,
    METRICS,
    SESSIONS,
    STREAM_ADMISSION,
    TEMPLATES,
)
from server.login_refusals import DatabaseRefusals
from server.login_throttle import LoginThrottle
from server.login_tokens import LoginTokenStore
from server.metrics import Metrics
from server.routes import (
    admin,
    agent_calls,
    agent_state,
    agent_sync,
    assets,
    calls,
    crm_calls,
    crm_reports,
    dialer_lists,
    events,
    jobs,
    lead_export,
    login_tokens,
    metrics,
    pages,
    recordings,
    sessions,
    stream,
    webhook_runs,
)
from server.routes.metrics import metrics_listen
from server.security_headers import add_security_headers
from server.sessions import SessionStore
from server.stream_admission import StreamAdmission
from server.widget_assets import WidgetAssets

log = logging.getLogger(__name__)
PURGE_SESSIONS_SECONDS = 600  # how often expired sessions and login tokens are deleted


async def _single_instance(app: web.Application) -> AsyncIterator[None]:
    with single_instance.serving(app[CONFIG].database):
        yield


async def _storage(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    database = await Database.open(config.database)
    app[DATABASE] = database
    app[AGENTS] = AgentDirectory(database, app[HASH_GATE])
    app[SESSIONS] = SessionStore(
        database,
        idle_seconds=config.session_idle_seconds,
        max_seconds=config.session_max_seconds,
    )
    app[API_KEYS] = ApiKeyStore(database)
    app[LOGIN_TOKENS] = LoginTokenStore(database)
    audit = AuditLog(database)
    app[AUDIT] = audit
    async with background.running(
        background.every(
            PURGE_SESSIONS_SECONDS,
            functools.partial(_purge_expired, app[SESSIONS], app[LOGIN_TOKENS]),
            doing="purging expired sessions",
        )
    ):
        yield
    await database.close()


async def _purge_expired(sessions: SessionStore, login_tokens: LoginTokenStore) -> None:
    await sessions.purge_expired()
    await login_tokens.purge_expired()


async def _audit(app: web.Application) -> AsyncIterator[None]:
    """The audit log's writer, storing through the events' batch writer (`server.audit_log`)."""
    async with app[AUDIT].running(app[EVENT_WRITER]):
        yield


async def _dialers(app: web.Application) -> AsyncIterator[None]:
    connections = app[CONFIG].server.dialer_connections_per_host
    async with dialer_session(connections_per_host=connections) as session:
        audit, observed = app[AUDIT], app[METRICS]

        def record(entry: AuditEntry) -> None:
            observed.dialer_request(entry)
            audit.record(entry)

        refusals = DatabaseRefusals(app[DATABASE])
        app[DIALERS] = DialerRegistry(app[CONFIG], session, record, refusals)
        yield


async def _jobs(app: web.Application) -> AsyncIterator[None]:
    """The job worker: it resumes unfinished jobs and runs new ones (`server.jobs`)."""
    app[JOBS] = JobStore(app[DATABASE])
    app[CSV_UPLOADS] = CsvUploads(app[DATABASE])
    worker = JobWorker(app[JOBS], app[DIALERS], app[AGENTS], app[CONFIG])
    app[JOB_WORKER] = worker
    async with worker.running():
        yield


async def _drain(app: web.Application) -> None:
    """At the start of a stop: not ready, streams closed, jobs handed back (`server.drain`)."""
    await asyncio.gather(app[DRAIN].begin(), app[JOB_WORKER].hand_back())


def create_crm_api() -> web.Application:
    """The CRM back-end API under ``/api/v1/crm``: every route needs a tenant's API key."""
    crm_api = web.Application(middlewares=[api_key_middleware])
    crm_routes = (agent_sync, dialer_lists, lead_export, login_tokens, crm_calls, crm_reports, jobs)
    for routes in crm_routes:
        routes.add_routes(crm_api)
    return crm_api


def create_app(config: ServerConfig, *, node_modules: Path | None = None) -> web.Application:
    app = web.Application(client_max_size=16 * 1024**2, middlewares=[error_middleware])
    app[CONFIG] = config
    app[ASSETS] = WidgetAssets(node_modules)
    app[TEMPLATES] = templating.environment()
    app[LOGIN_THROTTLE] = LoginThrottle()
    app[HASH_GATE] = HashGate()
    app[DRAIN] = Drain()
    app[METRICS] = Metrics()
    app[STREAM_ADMISSION] = StreamAdmission(
        per_address=config.server.stream_waiting_per_address,
        total=config.server.stream_waiting_max,
    )
    app.cleanup_ctx.extend(
        [
            _single_instance,
            _storage,
            live_events,
            _audit,
            integrations,
            _dialers,
            _jobs,
            metrics_listen,
        ]
    )
    app.on_shutdown.append(_drain)
    app.on_response_prepare.append(add_security_headers)
    readiness.add_routes(app)
    metrics.add_routes(app)
    for routes in (
        assets,
        pages,
        sessions,
        calls,
        recordings,
        events,
        stream,
        agent_state,
        agent_calls,
        webhook_runs,
    ):
        routes.add_routes(app)
    app.add_subapp("/api/v1/crm", create_crm_api())
    app.add_subapp("/admin", admin.create_admin_app())
    return app
