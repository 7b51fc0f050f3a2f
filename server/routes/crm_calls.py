"""``GET /api/v1/crm/calls?from&to&agent&page&per_page``: the tenant's calls, newest first.

``from`` and ``to`` are dates (``2026-11-22``, a whole day for ``to``) or ISO times
(naive ones are UTC) and bound when the call started; ``agent`` is a username.
"""

import datetime as dt

from aiohttp import web

from server.auth import API_KEY
from server.events.call_queries import CallQuery, find_calls
from server.keys import DATABASE, INTAKE
from server.problems import Problem
from server.strict_json import json_response

PER_PAGE_MAX = 1000


def _moment(name: str, value: str | None, *, end_of_day: bool = False) -> float | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Problem(
            "invalid_query", f"{name}: {value!r} is not a date like 2026-11-22 or an ISO time"
        ) from None
    if end_of_day and len(value) == 10:
        moment += dt.timedelta(days=1)
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).timestamp()


def _whole(name: str, value: str | None, default: int, highest: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= highest:
        raise Problem("invalid_query", f"{name} must be a whole number from 1 to {highest}")
    return int(value)


async def list_calls(request: web.Request) -> web.Response:
    query = request.query
    page = _whole("page", query.get("page"), 1, 1_000_000)
    per_page = _whole("per_page", query.get("per_page"), 100, PER_PAGE_MAX)
    found, total = await find_calls(
        request.config_dict[DATABASE],
        CallQuery(
            tenant=request[API_KEY].tenant,
            since=_moment("from", query.get("from")),
            until=_moment("to", query.get("to"), end_of_day=True),
            agent=query.get("agent") or None,
            limit=per_page,
            offset=(page - 1) * per_page,
        ),
        request.config_dict[INTAKE].queue_names(request[API_KEY].tenant),
    )
    return json_response({"calls": found, "total": total, "page": page, "per_page": per_page})


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_get("/calls", list_calls)
