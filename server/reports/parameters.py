"""A report's query parameters (``from``, ``to``, ``interval``, ``queue``, ``agent``),
read the same way by the CRM API and the admin page."""

from collections.abc import Mapping

from server.config import TenantConfig
from server.problems import Problem
from server.reports.intervals import RangeError, ReportRange, parse_day, parse_interval, today
from server.reports.queries import ReportQuery, Slice


def report_query(tenant: TenantConfig, kind: Slice, query: Mapping[str, str]) -> ReportQuery:
    """The report asked for; ``from`` and ``to`` default to today in the tenant's zone.

    Raises `Problem` (400, ``invalid_query``) saying what is wrong."""
    zone = tenant.zone
    try:
        first = parse_day("from", query.get("from"), today(zone))
        report = ReportRange(
            first=first,
            last=parse_day("to", query.get("to"), first),
            zone=zone,
            interval=parse_interval(query.get("interval")),
        )
    except RangeError as error:
        raise Problem("invalid_query", str(error)) from None
    return ReportQuery(
        tenant=tenant.id,
        slice=kind,
        range=report,
        service_level_seconds=tenant.service_level_seconds,
        queue=query.get("queue") or None,
        agent=query.get("agent") or None,
    )
