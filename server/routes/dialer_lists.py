"""Lists for CRM back ends: ``POST /api/v1/crm/lists``, ``GET /api/v1/crm/lists?dialer=``.

``POST`` ``{dialer, list_id, name, campaign?, active?}`` creates the list on that dialer
and answers it as the dialer knows it: dialers that choose their own ids (the REST API)
answer theirs, which is the one to push leads to.
"""

from aiohttp import web

from bridge import DialerAdapter, DialerList, kinds_where
from server.auth import API_KEY
from server.config import TenantConfig
from server.dialers import UnknownDialer
from server.fields import Code, Identifier, Name
from server.keys import CONFIG, DIALERS
from server.problems import Problem
from server.request_body import Body, read_json


class ListBody(Body):
    list_id: Identifier | int | None = None  # required but for a new list of a dialer above
    name: Name = ""
    campaign: Code = ""
    active: bool = True

    def dialer_list(self) -> DialerList:
        list_id = "" if self.list_id is None else str(self.list_id)
        return DialerList(list_id, self.name, self.campaign, self.active)


def require_list_id(dialer: DialerAdapter, field: str, creating: bool) -> None:
    """A 400 unless the list has an id or is new on a dialer that chooses list ids."""
    if not creating or not dialer.traits.chooses_list_ids:
        choosing = kinds_where(lambda traits: traits.chooses_list_ids)
        raise Problem(
            "invalid_message",
            f"{field}: give the list's id (only a new list of a dialer of kind"
            f" {', '.join(choosing)} may go without, as the dialer chooses it)",
            fields=[{"field": field, "message": "required"}],
        )


class NewListBody(ListBody):
    dialer: Identifier


def tenant_dialer(request: web.Request, name: str) -> tuple[TenantConfig, DialerAdapter]:
    """The calling CRM's tenant and its dialer called ``name``."""
    tenant = request.config_dict[CONFIG].tenants[request[API_KEY].tenant]
    try:
        return tenant, request.config_dict[DIALERS].get(tenant.id, name)
    except UnknownDialer as error:
        raise Problem("unknown_dialer", str(error)) from None


def list_json(dialer_list: DialerList) -> dict[str, object]:
    return {
        "list_id": dialer_list.list_id,
        "name": dialer_list.name,
        "campaign": dialer_list.campaign,
        "active": dialer_list.active,
    }


async def create_list(request: web.Request) -> web.Response:
    body = await read_json(request, NewListBody)
    _, adapter = tenant_dialer(request, body.dialer)
    if body.list_id is None:
        require_list_id(adapter, "list_id", creating=True)
    created = await adapter.create_list(body.dialer_list())
    return web.json_response({"dialer": adapter.name, "list": list_json(created)}, status=201)


async def active_lists(request: web.Request) -> web.Response:
    _, adapter = tenant_dialer(request, request.query.get("dialer", ""))
    lists = await adapter.active_lists()
    return web.json_response({"dialer": adapter.name, "lists": [list_json(x) for x in lists]})


def add_routes(crm_api: web.Application) -> None:
    crm_api.router.add_post("/lists", create_list)
    crm_api.router.add_get("/lists", active_lists)
