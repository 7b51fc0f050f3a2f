"""What an operator graphs and alerts on, in Prometheus' text format (served by
`server.routes.metrics`). Each app has its own registry. Counters count on this
instance since it started; the outbox and job figures are read from the database at
each scrape, so they are the cluster's.
"""

import time

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import and_, func, select

from bridge import AuditEntry
from server.database import Database
from server.tables import jobs, webhook_deliveries

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
ACTIVE_JOB_STATES = ("queued", "running")


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.streams_open = Gauge(
            "crm_bridge_streams_open", "Live streams open on this instance", registry=registry
        )
        self.dialer_events = Counter(
            "crm_bridge_dialer_events",
            "Dialer events received (new, or repeated and ignored)",
            ["outcome"],
            registry=registry,
        )
        self.events_sent = Counter(
            "crm_bridge_stream_events_sent", "Events sent on live streams", registry=registry
        )
        self.stream_lag = Histogram(
            "crm_bridge_stream_lag_seconds",
            "From an event stored to its sending on a live stream",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.listen_reconnects = Counter(
            "crm_bridge_listen_reconnects",
            "Reconnections of the PostgreSQL LISTEN for other instances' events",
            registry=registry,
        )
        self.dialer_latency = Histogram(
            "crm_bridge_dialer_request_seconds",
            "Requests to dialers, by dialer, operation and outcome",
            ["dialer", "operation", "outcome"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.refusals = Counter(
            "crm_bridge_refusals",
            "Requests refused for load or faults (throttles, busy, database down), by code",
            ["code"],
            registry=registry,
        )
        self.outbox_depth = Gauge(
            "crm_bridge_outbox_depth",
            "Webhook deliveries not finished (pending or sending), all instances",
            registry=registry,
        )
        self.outbox_oldest = Gauge(
            "crm_bridge_outbox_oldest_seconds",
            "Age of the oldest unfinished webhook delivery",
            registry=registry,
        )
        self.job_leases = Gauge(
            "crm_bridge_job_leases",
            "Jobs held by a worker now (a live lease), all instances",
            registry=registry,
        )
        self.jobs_waiting = Gauge(
            "crm_bridge_jobs_waiting",
            "Jobs queued or running with no live lease",
            registry=registry,
        )

    def dialer_request(self, entry: AuditEntry) -> None:
        """Observe one dialer request (an audit entry)."""
        self.dialer_latency.labels(entry.dialer, entry.action, entry.outcome).observe(
            entry.duration_ms / 1000
        )

    async def read_database(self, database: Database) -> None:
        """Set the outbox and job figures from the database."""
        now = time.time()
        unfinished = webhook_deliveries.c.state.in_(("pending", "sending"))
        async with database.connect() as connection:
            depth, oldest = (
                await connection.execute(
                    select(func.count(), func.min(webhook_deliveries.c.created_at)).where(
                        unfinished
                    )
                )
            ).one()
            leased = (
                await connection.execute(
                    select(func.count()).where(
                        and_(jobs.c.state.in_(ACTIVE_JOB_STATES), jobs.c.lease_until >= now)
                    )
                )
            ).scalar_one()
            active = (
                await connection.execute(
                    select(func.count()).where(jobs.c.state.in_(ACTIVE_JOB_STATES))
                )
            ).scalar_one()
        self.outbox_depth.set(depth)
        self.outbox_oldest.set(0 if oldest is None else max(0.0, now - oldest))
        self.job_leases.set(leased)
        self.jobs_waiting.set(active - leased)

    async def exposition(self, database: Database) -> web.Response:
        await self.read_database(database)
        return web.Response(
            body=generate_latest(self.registry), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )
