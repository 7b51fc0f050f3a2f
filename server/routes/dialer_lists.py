"""Lists for CRM back ends: ``POST /api/v1/crm/lists``, ``GET /api/v1/crm/lists?dialer=``.

``POST`` ``{dialer, list_id, name, campaign?, active?}`` creates the list on that dialer
and answers it as the dialer knows it: dialers that choose their own ids (the REST API)
answer theirs, which is the one to push leads to.
"""

import json

from aiohttp import web

from bridge import Actor, DialerAdapter, DialerError, DialerList, current_actor
from server.api_errors import api_error, dialer_error, json_body
from server.config import TenantConfig
from server.crm_auth import require_api_key
from server.dialers import UnknownDialer
from server.keys import CONFIG, DIALERS


async def tenant_dialer(request: web.Request, name: object) -> tuple[TenantConfig, DialerAdapter]:
    """The caller's tenant and its dialer called ``name``, with the audit actor set."""
    key = await require_api_key(request)
    current_actor.set(Actor(key.tenant, f"api-key:{key.name}"))
    try:
        adapter = request.app[DIALERS].get(key.tenant, str(name or ""))
    except UnknownDialer as error:
        raise web.HTTPNotFound(
            text=json.dumps({"error": {"code": "unknown_dialer", "message": str(error)}}),
            content_type="application/json",
        ) from None
    return request.app[CONFIG].tenants[key.tenant], adapter


def list_json(dialer_list: DialerList) -> dict[str, object]:
    return {
        "list_id": dialer_list.list_id,
        "name": dialer_list.name,
        "campaign": dialer_list.campaign,
        "active": dialer_list.active,
    }


def list_from(body: object) -> DialerList | None:
    if not isinstance(body, dict) or not body.get("list_id"):
        return None
    return DialerList(
        list_id=str(body["list_id"]),
        name=str(body.get("name", "")),
        campaign=str(body.get("campaign", "")),
        active=body.get("active", True) is not False,
    )


async def create_list(request: web.Request) -> web.Response:
    body = await json_body(request)
    _, adapter = await tenant_dialer(request, body.get("dialer"))
    dialer_list = list_from(body)
    if dialer_list is None:
        return api_error(400, "invalid_message", "'list_id' is required")
    try:
        created = await adapter.create_list(dialer_list)
    except DialerError as error:
        return dialer_error(error)
    return web.json_response({"dialer": adapter.name, "list": list_json(created)}, status=201)


async def active_lists(request: web.Request) -> web.Response:
    _, adapter = await tenant_dialer(request, request.query.get("dialer"))
    try:
        lists = await adapter.active_lists()
    except DialerError as error:
        return dialer_error(error)
    return web.json_response({"dialer": adapter.name, "lists": [list_json(x) for x in lists]})


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/crm/lists", create_list)
    app.router.add_get("/api/v1/crm/lists", active_lists)
