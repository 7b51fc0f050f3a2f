"""Admin pages and API: the audit log ("API Monitoring") and API keys ("API Manager").

HTML: ``/admin/audit`` (filter by tenant, action, date range; newest first; pages),
``/admin/keys`` (create, revoke). JSON: ``GET /admin/api/audit``, ``GET|POST
/admin/api/keys``, ``DELETE /admin/api/keys/{id}``. All behind `require_admin`.
"""

import datetime as dt
from typing import Any

from aiohttp import web

from server.admin_auth import require_admin
from server.api_errors import api_error, json_body
from server.api_keys import ApiKey
from server.audit_log import AuditQuery
from server.keys import API_KEYS, AUDIT, CONFIG, TEMPLATES

PER_PAGE_MAX = 500


def _epoch(name: str, value: str | None, *, end_of_day: bool = False) -> float | None:
    """``2026-11-22`` (a whole day) or an ISO datetime; naive times are UTC."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(
            text=f"{name}: {value!r} is not a date like 2026-11-22 or 2026-11-22T08:00:00Z"
        ) from None
    if end_of_day and len(value) == 10:
        moment += dt.timedelta(days=1)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _int(name: str, value: str | None, default: int, lowest: int, highest: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be a whole number") from None
    if not lowest <= number <= highest:
        raise web.HTTPBadRequest(text=f"{name} must be between {lowest} and {highest}")
    return number


async def _audit_page(request: web.Request) -> dict[str, Any]:
    query = request.query
    page = _int("page", query.get("page"), 1, 1, 1_000_000)
    per_page = _int("per_page", query.get("per_page"), 50, 1, PER_PAGE_MAX)
    rows, total = await request.app[AUDIT].query(
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


def _render(request: web.Request, template: str, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**context)
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Cache-Control"] = "no-store"
    return response


async def audit_json(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response(await _audit_page(request))


async def audit_html(request: web.Request) -> web.Response:
    require_admin(request)
    return _render(
        request,
        "admin/audit.html",
        filters=dict(request.query),
        tenants=sorted(request.app[CONFIG].tenants),
        **await _audit_page(request),
    )


async def keys_json(request: web.Request) -> web.Response:
    require_admin(request)
    return web.json_response([_key_json(k) for k in await request.app[API_KEYS].list()])


async def create_key_json(request: web.Request) -> web.Response:
    require_admin(request)
    body = await json_body(request)
    tenant, name = body.get("tenant"), str(body.get("name") or "").strip()
    if tenant not in request.app[CONFIG].tenants:
        return api_error(400, "unknown_tenant", f"tenant {tenant!r} is not configured")
    if not name:
        return api_error(400, "invalid_message", "give the key a name, e.g. the CRM it is for")
    key, secret = await request.app[API_KEYS].create(tenant, name)
    return web.json_response({**_key_json(key), "key": secret}, status=201)


async def revoke_key_json(request: web.Request) -> web.Response:
    require_admin(request)
    key_id = _int("id", request.match_info["id"], 0, 1, 2**62)
    if not await request.app[API_KEYS].revoke(key_id):
        return api_error(404, "unknown_key", f"no active API key with id {key_id}")
    return web.json_response({"revoked": key_id})


async def keys_html(request: web.Request) -> web.Response:
    require_admin(request)
    created = None
    if request.method == "POST":
        form = await request.post()
        if "revoke" in form:
            await request.app[API_KEYS].revoke(_int("revoke", str(form["revoke"]), 0, 1, 2**62))
        elif (
            form.get("tenant") in request.app[CONFIG].tenants and str(form.get("name", "")).strip()
        ):
            _, created = await request.app[API_KEYS].create(
                str(form["tenant"]), str(form["name"]).strip()
            )
    return _render(
        request,
        "admin/keys.html",
        keys=await request.app[API_KEYS].list(),
        tenants=sorted(request.app[CONFIG].tenants),
        created=created,
    )


async def admin_home(request: web.Request) -> web.Response:
    require_admin(request)
    raise web.HTTPFound("/admin/audit")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin", admin_home)
    app.router.add_get("/admin/audit", audit_html)
    app.router.add_get("/admin/keys", keys_html)
    app.router.add_post("/admin/keys", keys_html)
    app.router.add_get("/admin/api/audit", audit_json)
    app.router.add_get("/admin/api/keys", keys_json)
    app.router.add_post("/admin/api/keys", create_key_json)
    app.router.add_delete("/admin/api/keys/{id}", revoke_key_json)
