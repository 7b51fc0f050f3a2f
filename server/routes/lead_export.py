"""Export To Dialer: ``POST /api/v1/crm/leads`` pushes a batch of leads into a list.

Body: ``{dialer, list: {list_id, name?, campaign?}, create_list?: bool, leads: [{
phone_number, phone_code?, first_name?, last_name?, title?, email?, address?, city?,
postal_code?, notes?, language?, vendor_lead_code?, priority?, custom?}]}``.

Numbers are normalised first; a lead whose number cannot be dialled is reported and
not sent. With ``create_list`` the list is created first (the "new list" case) and the leads go
to it, under the id the dialer gave it (``list_id`` in the answer). The answer has one
outcome per lead, in the order sent.
"""

from typing import Any

from aiohttp import web

from bridge import DialerError, InvalidNumber, Lead, normalise
from bridge import export_leads as export_to_dialer
from server.api_errors import api_error, dialer_error, json_body
from server.routes.dialer_lists import list_from, tenant_dialer

MAX_LEADS = 100_000
LEAD_TEXT = (
    "first_name", "last_name", "title", "email", "address", "city", "postal_code",
    "notes", "language", "vendor_lead_code",
)  # fmt: skip


def _lead(raw: Any, region: str) -> Lead:
    if not isinstance(raw, dict):
        raise InvalidNumber("each lead must be an object with a phone_number")
    number = normalise(
        str(raw.get("phone_number", "")),
        phone_code=str(raw.get("phone_code") or ""),
        default_region=region,
    )
    priority = raw.get("priority")
    custom = raw.get("custom") or {}
    return Lead(
        phone=number,
        priority=priority if isinstance(priority, int) and not isinstance(priority, bool) else None,
        custom={str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        **{name: str(raw.get(name) or "") for name in LEAD_TEXT},
    )


async def export_leads(request: web.Request) -> web.Response:
    body = await json_body(request)
    tenant, adapter = await tenant_dialer(request, body.get("dialer"))
    dialer_list = list_from(body.get("list"))
    raw_leads = body.get("leads")
    if dialer_list is None:
        return api_error(400, "invalid_message", "'list' needs a 'list_id'")
    if not isinstance(raw_leads, list) or not raw_leads:
        return api_error(400, "invalid_message", "'leads' must be a non-empty list")
    if len(raw_leads) > MAX_LEADS:
        return api_error(400, "invalid_message", f"send at most {MAX_LEADS} leads per request")
    outcomes: list[dict[str, Any] | None] = [None] * len(raw_leads)
    valid: list[tuple[int, Lead]] = []
    for index, raw in enumerate(raw_leads):
        try:
            valid.append((index, _lead(raw, tenant.default_region)))
        except InvalidNumber as error:
            outcomes[index] = {"index": index, "ok": False, "message": str(error)}
    if body.get("create_list"):
        try:
            dialer_list = await adapter.create_list(dialer_list)
        except DialerError as error:
            return dialer_error(error)
    try:
        results = await export_to_dialer(adapter, dialer_list, [lead for _, lead in valid])
    except DialerError as error:
        return dialer_error(error)
    for (index, _), result in zip(valid, results, strict=True):
        outcomes[index] = {
            "index": index,
            "phone": result.phone,
            "ok": result.ok,
            "message": result.message,
        }
    added = sum(1 for o in outcomes if o and o["ok"])
    return web.json_response(
        {
            "dialer": adapter.name,
            "list_id": dialer_list.list_id,
            "added": added,
            "failed": len(outcomes) - added,
            "leads": outcomes,
        },
        status=200 if added == len(outcomes) else 207,
    )


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/crm/leads", export_leads)
