"""An agent's own figures of the local day so far, for the widget: calls handled, their
talk time and average handle time (`definitions.aggregates`: answered calls that have
ended, counted on the day they started, in the tenant's time zone)."""

from typing import Any

from sqlalchemy import select

from server.config import TenantConfig
from server.database import Database
from server.reports.definitions import aggregates
from server.reports.intervals import ReportRange, today
from server.tables import calls


async def agent_day(database: Database, tenant: TenantConfig, agent_id: int) -> dict[str, Any]:
    """``{"calls", "talk_seconds", "aht_seconds"}`` of the agent today (``aht`` None
    without calls)."""
    day = today(tenant.zone)
    span = ReportRange(first=day, last=day, zone=tenant.zone, interval="total")
    sums = aggregates(tenant.service_level_seconds)
    statement = select(sums["handled"], sums["handle_sum"]).where(
        (calls.c.tenant == tenant.id)
        & (calls.c.agent_id == agent_id)
        & (calls.c.started_at >= span.start)
        & (calls.c.started_at < span.end)
    )
    async with database.connect() as connection:
        row = (await connection.execute(statement)).one()
    handled, talk_seconds = int(row[0]), round(float(row[1] or 0), 1)
    return {
        "calls": handled,
        "talk_seconds": talk_seconds,
        "aht_seconds": round(talk_seconds / handled, 1) if handled else None,
    }
