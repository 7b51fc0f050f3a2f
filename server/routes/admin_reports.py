"""Admin page "Reports" (``/admin/reports``): a tenant's call reports (`server.reports`)
for a range of local days, readable without JavaScript: filters, a summary row, the
intervals, by queue and by agent, each table also as CSV
(``/admin/reports/{calls|queues|agents}.csv`` with the same filters)."""

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from server.keys import CONFIG, DATABASE, INTAKE
from server.problems import Problem
from server.reports.intervals import INTERVALS
from server.reports.parameters import report_query
from server.reports.queries import SLICES, Slice, run_report
from server.reports.report_csv import report_csv
from server.routes.admin_render import chosen_tenant, render

FILTERS = ("tenant", "from", "to", "interval", "queue", "agent")


async def _rows(request: web.Request, kind: Slice, **overrides: str) -> list[dict[str, Any]]:
    tenant = chosen_tenant(request)
    query = report_query(tenant, kind, {**request.query, **overrides})
    names = request.config_dict[INTAKE].queue_names(tenant.id)
    return await run_report(request.config_dict[DATABASE], query, names)


async def reports_html(request: web.Request) -> web.Response:
    tenant = chosen_tenant(request)
    query = report_query(tenant, "calls", request.query)
    filters = {name: request.query.get(name, "") for name in FILTERS} | {
        "tenant": tenant.id,
        "from": query.range.first.isoformat(),
        "to": query.range.last.isoformat(),
        "interval": query.range.interval,
    }
    [summary] = await _rows(request, "calls", interval="total")
    intervals_rows = await _rows(request, "calls")
    agent_rows = await _rows(request, "agents", interval="total")
    return render(
        request,
        "admin/reports.html",
        filters=filters,
        tenants=sorted(request.config_dict[CONFIG].tenants),
        intervals=INTERVALS,
        tenant=tenant,
        summary=summary,
        intervals_rows=intervals_rows,
        chart_points=[_chart_point(row) for row in intervals_rows],
        queue_rows=await _rows(request, "queues", interval="total"),
        agent_rows=agent_rows,
        agent_points=[_agent_point(row) for row in agent_rows if row["agent"]],
        csv_query=urlencode(filters),
        csv_total_query=urlencode(filters | {"interval": "total"}),
    )


def _chart_point(row: dict[str, Any]) -> dict[str, Any]:
    """What the page's charts draw of an interval (``static/admin-reports.js``)."""
    start = dt.datetime.fromisoformat(row["start"])
    return {
        "t": start.timestamp(),
        "answered": row["answered"],
        "abandoned": row["abandoned"],
        "service_level": row["service_level"],
        "asa": row["asa_seconds"],
    }


def _agent_point(row: dict[str, Any]) -> dict[str, Any]:
    """What the per-agent chart draws of an agent (``static/admin-reports.js``)."""
    return {"agent": row["agent"], "aht": row["aht_seconds"], "occupancy": row["occupancy"]}


async def report_csv_download(request: web.Request) -> web.Response:
    kind = next((s for s in SLICES if s == request.match_info["kind"]), None)
    if kind is None:
        raise Problem("unknown_report", "no such report")
    return web.Response(
        text=report_csv(await _rows(request, kind)),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{kind}-report.csv"'},
    )


def add_routes(admin: web.Application) -> None:
    admin.router.add_get("/reports", reports_html)
    admin.router.add_get("/reports/{kind}.csv", report_csv_download)
