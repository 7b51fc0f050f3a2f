"""``/api/phone_list``: phone lists. The name is the only writable field."""

from aiohttp import web

from simulators.rest.envelope import ok, read_fields
from simulators.rest.fields import clean, forbid_blank, require, text
from simulators.rest.routing import add_route, path_id
from simulators.rest.state import STATE, PhoneListRecord

SCHEMA = {"name": text}


async def list_phone_lists(request: web.Request) -> web.Response:
    """All phone lists, or those whose name contains ``q`` (case-insensitive)."""
    state = request.app[STATE]
    q = request.query.get("q", "").casefold()
    return ok(
        [
            state.phone_list_json(phone_list)
            for phone_list in state.phone_lists.values()
            if q in phone_list.name.casefold()
        ]
    )


async def get_phone_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return ok(state.phone_list_json(state.phone_list(path_id(request, "list_id"))))


async def create_phone_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    fields = clean(await read_fields(request), SCHEMA)
    require(fields, ["name"])
    phone_list = PhoneListRecord(id=state.new_id(), name=fields["name"])
    state.phone_lists[phone_list.id] = phone_list
    return ok(state.phone_list_json(phone_list))


async def update_phone_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    phone_list = state.phone_list(path_id(request, "list_id"))
    fields = clean(await read_fields(request), SCHEMA)
    forbid_blank(fields, ["name"])
    phone_list.name = fields.get("name", phone_list.name)
    return ok(state.phone_list_json(phone_list))


async def delete_phone_list(request: web.Request) -> web.Response:
    state = request.app[STATE]
    del state.phone_lists[state.phone_list(path_id(request, "list_id")).id]
    return ok()


def add_routes(app: web.Application) -> None:
    one = r"/api/phone_list/{list_id:\d+}"
    add_route(app, "GET", "/api/phone_list", list_phone_lists)
    add_route(app, "POST", "/api/phone_list", create_phone_list)
    add_route(app, "GET", one, get_phone_list)
    add_route(app, "PUT", one, update_phone_list)
    add_route(app, "DELETE", one, delete_phone_list)
