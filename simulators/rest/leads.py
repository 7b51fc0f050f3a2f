"""``/api/phone_list/{id}/lead``: leads. A phone appears at most once in a phone list.

Adding an array is all or nothing: one duplicate phone (already in the list, or twice
in the array) or one invalid lead refuses the whole request, naming the phones.
"""

from typing import Any

from aiohttp import web

from simulators.rest.envelope import Refused, ok, read_json
from simulators.rest.fields import (
    clean,
    forbid_blank,
    integer,
    json_object,
    nullable,
    require,
    text,
    text_or_number,
)
from simulators.rest.routing import add_route, path_id
from simulators.rest.state import STATE, PhoneListRecord

SCHEMA = {
    "phone": text,
    "name": nullable(text),
    "lead_id": nullable(text_or_number),
    "priority": integer,
    "tags": nullable(text),
    "ext_api_vars": nullable(json_object),
}


def _new_lead(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Refused("each lead must be a JSON object")
    fields = clean(value, SCHEMA)
    require(fields, ["phone"])
    lead = {"lead_id": None, "priority": 0, "name": None, "tags": None, "ext_api_vars": None}
    return {"id": fields["phone"], "phone": fields["phone"], **lead, **fields}


def _phone_list(request: web.Request) -> PhoneListRecord:
    return request.app[STATE].phone_list(path_id(request, "list_id"))


async def list_leads(request: web.Request) -> web.Response:
    return ok(list(_phone_list(request).leads.values()))


async def add_leads(request: web.Request) -> web.Response:
    """One lead (a JSON object) or several (an array of them)."""
    phone_list = _phone_list(request)
    body = await read_json(request)
    if not isinstance(body, dict | list) or not body:
        raise Refused("the body must be a lead object or a non-empty array of lead objects")
    leads = [_new_lead(item) for item in (body if isinstance(body, list) else [body])]
    phones = [lead["phone"] for lead in leads]
    taken = [phone for phone in phones if phone in phone_list.leads]
    if taken:
        raise Refused(f"duplicate phone in phone list {phone_list.id}: {', '.join(taken)}")
    repeated = sorted({phone for phone in phones if phones.count(phone) > 1})
    if repeated:
        raise Refused(f"duplicate phone in the request: {', '.join(repeated)}")
    phone_list.leads.update((lead["phone"], lead) for lead in leads)
    return ok()


async def update_lead(request: web.Request) -> web.Response:
    """Change only the submitted fields; a new ``phone`` must not be in the list yet."""
    phone_list = _phone_list(request)
    phone = request.match_info["phone"]
    if phone not in phone_list.leads:
        raise Refused(f"phone {phone} is not in phone list {phone_list.id}")
    body = await read_json(request)
    changes = clean(json_object("the body", body if body is not None else {}), SCHEMA)
    forbid_blank(changes, ["phone"])
    new_phone = changes.get("phone", phone)
    if new_phone != phone and new_phone in phone_list.leads:
        raise Refused(f"duplicate phone in phone list {phone_list.id}: {new_phone}")
    lead = phone_list.leads[phone]
    lead.update(changes, id=new_phone)
    if new_phone != phone:
        phone_list.leads[new_phone] = phone_list.leads.pop(phone)
    return ok(lead)


async def delete_lead(request: web.Request) -> web.Response:
    phone_list = _phone_list(request)
    phone = request.match_info["phone"]
    if phone_list.leads.pop(phone, None) is None:
        raise Refused(f"phone {phone} is not in phone list {phone_list.id}")
    return ok()


async def delete_leads(request: web.Request) -> web.Response:
    """Delete the leads whose phones the body lists; phones not in the list are ignored."""
    phone_list = _phone_list(request)
    phones = await read_json(request)
    if not isinstance(phones, list) or not all(isinstance(p, str) for p in phones):
        raise Refused('the body must be a JSON array of phone numbers, like ["1234567"]')
    for phone in phones:
        phone_list.leads.pop(phone, None)
    return ok()


def add_routes(app: web.Application) -> None:
    many = r"/api/phone_list/{list_id:\d+}/lead"
    one = many + "/{phone}"
    add_route(app, "GET", many, list_leads)
    add_route(app, "POST", many, add_leads)
    add_route(app, "DELETE", many, delete_leads)
    app.router.add_put(one, update_lead)
    app.router.add_delete(one, delete_lead)
