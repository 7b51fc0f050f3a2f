"""Admin pages and API: the audit log ("API Monitoring"), API keys ("API Manager"),
jobs and CSV imports (`admin_jobs`), and the Integration Centre's JSON API
(`admin_integrations`).

A sub-application mounted at ``/admin``, every route behind `admin_middleware`.
HTML: ``/admin/audit`` (filter by tenant, action, date range; newest first; pages),
``/admin/keys`` (create, revoke). JSON: ``GET /admin/api/audit``, ``GET|POST
/admin/api/keys``, ``DELETE /admin/api/keys/{id}``.
"""

import datetime as dt
from typing import Any

from aiohttp import web

from server.api_keys import ApiKey
from server.audit_log import AuditQuery
from server.auth import BASIC, admin_middleware
from server.fields import Identifier, RequiredName
from server.keys import API_KEYS, AUDIT, CONFIG
from server.problems import Problem
from server.request_body import Body, read_json
from server.routes import (
    admin_integration_pages,
    admin_integrations,
    admin_jobs,
    admin_reports,
    admin_wallboard,
    event_push_admin,
)
from server.routes.admin_confirm import confirm_page, is_confirmed
from server.routes.admin_error_pages import admin_error_pages
from server.routes.admin_render import render as _render
from server.templating import utc

PER_PAGE_MAX = 500


class NewKeyBody(Body):
    tenant: Identifier
    name: RequiredName


def _epoch(name: str, value: str | None, *, end_of_day: bool = False) -> float | None:
    """``2026-11-22`` (a whole day) or an ISO datetime; naive times are UTC."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
        if end_of_day and len(value) == 10:
            moment += dt.timedelta(days=1)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.timestamp()
    except (ValueError, OverflowError):
        raise Problem(
            "invalid_query",
            f"{name}: {value!r} is not a date like 2026-11-22 or 2026-11-22T08:00:00Z",
        ) from None


def _int(name: str, value: str | None, default: int, lowest: int, highest: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise Problem("invalid_query", f"{name} must be a whole number") from None
    if not lowest <= number <= highest:
        raise Problem("invalid_query", f"{name} must be between {lowest} and {highest}")
    return number


async def _audit_page(request: web.Request) -> dict[str, Any]:
    query = request.query
    page = _int("page", query.get("page"), 1, 1, 1_000_000)
    per_page = _int("per_page", query.get("per_page"), 50, 1, PER_PAGE_MAX)
    rows, total = await request.config_dict[AUDIT].query(
        AuditQuery(
            tenant=query.get("tenant") or None,
            since=_epoch("from", query.get("from")),
            until=_epoch("to", query.get("to"), end_of_day=True),
            action=query.get("action") or None,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
    )
    return {"entries": rows, "total": total, "page": page, "per_page": per_page}


def _key_json(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "tenant": key.tenant,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": key.created_at,
        "last_used_at": key.last_used_at,
        "revoked_at": key.revoked_at,
    }


async def audit_json(request: web.Request) -> web.Response:
    return web.json_response(await _audit_page(request))


async def audit_html(request: web.Request) -> web.Response:
    return _render(
        request,
        "admin/audit.html",
        filters=dict(request.query),
        tenants=sorted(request.config_dict[CONFIG].tenants),
        **await _audit_page(request),
    )


async def keys_json(request: web.Request) -> web.Response:
    return web.json_response([_key_json(k) for k in await request.config_dict[API_KEYS].list()])


async def create_key_json(request: web.Request) -> web.Response:
    body = await read_json(request, NewKeyBody)
    if body.tenant not in request.config_dict[CONFIG].tenants:
        raise Problem("unknown_tenant", f"tenant {body.tenant!r} is not configured", in_field=True)
    key, secret = await request.config_dict[API_KEYS].create(body.tenant, body.name)
    return web.json_response({**_key_json(key), "key": secret}, status=201)


async def revoke_key_json(request: web.Request) -> web.Response:
    key_id = _int("id", request.match_info["id"], 0, 1, 2**62)
    if not await request.config_dict[API_KEYS].revoke(key_id):
        raise Problem("unknown_key", f"no active API key with id {key_id}")
    return web.json_response({"revoked": key_id})


async def keys_html(request: web.Request) -> web.Response:
    keys, tenants = request.config_dict[API_KEYS], request.config_dict[CONFIG].tenants
    created = None
    if request.method == "POST":
        form = await request.post()
        name = str(form.get("name", "")).strip()
        if "revoke" in form:
            key_id = _int("revoke", str(form["revoke"]), 0, 1, 2**62)
            if not is_confirmed(form):
                return _confirm_revoke(request, await keys.list(), key_id)
            await keys.revoke(key_id)
        elif form.get("tenant") in tenants and 0 < len(name) <= 100:
            _, created = await keys.create(str(form["tenant"]), name)
    return _render(
        request, "admin/keys.html", keys=await keys.list(), tenants=sorted(tenants), created=created
    )


def _confirm_revoke(request: web.Request, listed: list[ApiKey], key_id: int) -> web.Response:
    key = next((k for k in listed if k.id == key_id and k.active), None)
    if key is None:
        raise Problem("unknown_key", f"no active API key with id {key_id}")
    used = f"last used {utc(key.last_used_at)} UTC" if key.last_used_at else "never used"
    return confirm_page(
        request,
        title=f"Revoke the API key {key.name!r} of {key.tenant}",
        consequences=[
            f"Whatever sends the key starting {key.prefix}… ({used}) gets 401"
            " invalid_api_key from its next request on.",
            "For that CRM back end: user sync, lists, lead exports, jobs, calls and"
            " recordings stop until it has a new key; so do Euphoria webhooks that carry it.",
        ],
        fields={"revoke": str(key.id)},
        button="Revoke the key",
        back="/admin/keys",
    )


async def admin_home(request: web.Request) -> web.Response:
    raise web.HTTPFound("/admin/audit")


async def sign_out(request: web.Request) -> web.Response:
    """HTTP Basic has no sign-out: a 401 for the admin realm makes the browser drop the
    credentials it keeps; the page says so (and what to do if it asks again)."""
    response = _render(request, "admin/signed_out.html")
    response.set_status(401)
    response.headers.update(BASIC)
    return response


def create_admin_app() -> web.Application:
    admin = web.Application(middlewares=[admin_error_pages, admin_middleware])
    admin.router.add_get("", admin_home)
    admin.router.add_get("/sign-out", sign_out)
    admin.router.add_get("/audit", audit_html)
    admin.router.add_get("/keys", keys_html)
    admin.router.add_post("/keys", keys_html)
    admin.router.add_get("/api/audit", audit_json)
    admin.router.add_get("/api/keys", keys_json)
    admin.router.add_post("/api/keys", create_key_json)
    admin.router.add_delete("/api/keys/{id}", revoke_key_json)
    event_push_admin.add_routes(admin)
    admin_jobs.add_routes(admin)
    admin_integrations.add_routes(admin)
    admin_integration_pages.add_routes(admin)
    admin_reports.add_routes(admin)
    admin_wallboard.add_routes(admin)
    return admin
