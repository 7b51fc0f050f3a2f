"""``GET /api/v1/crm/reports/{calls|queues|agents}?from&to&interval&queue&agent``: the
tenant's call reports (`server.reports`), as JSON or, with ``Accept: text/csv``, CSV.

``from`` and ``to`` are local days in the tenant's ``time_zone`` (both included, default
today); ``interval`` is ``15min``, ``hour``, ``day`` (default) or ``total``.
"""

from typing import Any

from aiohttp import web

from server.auth import API_KEY
from server.keys import CONFIG, DATABASE, INTAKE
from server.problems import Problem
from server.reports.parameters import report_query
from server.reports.queries import SLICES, run_report
from server.reports.report_csv import report_csv
from server.strict_json import json_response


def wants_csv(request: web.Request) -> bool:
    """Whether the client asked for CSV (``Accept: text/csv``)."""
    return "text/csv" in request.headers.get("Accept", "")


async def get_report(request: web.Request) -> web.Response:
    kind = request.match_info["kind"]
    slice_ = next((s for s in SLICES if s == kind), None)
    if slice_ is None:
        raise Problem("unknown_report", f"no report {kind!r}: use one of {', '.join(SLICES)}")
    tenant = request.config_dict[CONFIG].tenants[request[API_KEY].tenant]
    query = report_query(tenant, slice_, request.query)
    rows = await run_report(
        request.config_dict[DATABASE], query, request.config_dict[INTAKE].queue_names(tenant.id)
    )
    if wants_csv(request):
        return web.Response(
            text=report_csv(rows),
            content_type="text/csv",
            charset="utf-8",
            headers={"Content-Disposition": f'attachment; filename="{kind}-report.csv"'},
        )
    answer: dict[str, Any] = {
        "report": kind,
        "time_zone": tenant.time_zone,
        "from": query.range.first.isoformat(),
        "to": query.range.last.isoformat(),
        "interval": query.range.interval,
        "service_level_seconds": query.service_level_seconds,
        "rows": rows,
    }
    return json_response(answer)


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_get("/reports/{kind}", get_report)
