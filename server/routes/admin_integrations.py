"""The Integration Centre's admin JSON API, in the admin sub-application (`admin.py`).

Groups: ``GET|POST /admin/api/groups``, ``GET|PUT|DELETE /admin/api/groups/{id}``;
members: ``GET|POST /admin/api/groups/{id}/members``, ``DELETE
/admin/api/groups/{id}/members/{agent}``; webhooks: ``GET|POST /admin/api/webhooks``,
``GET|PUT|DELETE /admin/api/webhooks/{id}``, ``POST /admin/api/webhooks/{id}/test``,
``PUT /admin/api/webhooks/{id}/columns``; deliveries: ``GET /admin/api/deliveries``
(``?tenant&webhook&outcome&from&to&page&per_page``), ``POST
/admin/api/deliveries/{delivery_id}/retry``; ``GET /admin/api/webhook-variables``.
No answer ever contains a secret: groups and members say only ``has_secret``.
"""

from typing import Annotated, Any, get_args

from aiohttp import web
from pydantic import Field

from server.fields import Identifier, Name
from server.integrations import outbox
from server.integrations.model import DeliveryState, Group, Webhook
from server.integrations.settings import (
    Column,
    ColumnLabels,
    GroupSpec,
    MemberSpec,
    WebhookSpec,
)
from server.integrations.trial import try_webhook
from server.integrations.variables import VARIABLES
from server.keys import CONFIG, DATABASE, DELIVERY_WORKER, INTEGRATIONS, WEBHOOK_SENDER
from server.problems import Problem
from server.request_body import Body, read_json
from server.routes import admin as admin_pages  # mounts these routes: used at call time

DELIVERY_STATES: tuple[str, ...] = get_args(DeliveryState)


class NewGroupBody(GroupSpec):
    tenant: Identifier


class NewWebhookBody(WebhookSpec):
    tenant: Identifier


class ColumnsBody(Body):
    columns: Annotated[list[Column], Field(max_length=50)]
    labels: ColumnLabels | None = None  # None: keep the labels


class TestBody(Body):
    agent: Name | None = None  # whose member secret a user-level group uses


def group_json(group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "tenant": group.tenant,
        "name": group.name,
        "auth_type": group.auth_type,
        "level": group.level,
        "key_name": group.key_name,
        "key_placement": group.key_placement,
        "has_secret": group.has_secret,
        "declared": group.declared,
    }


def webhook_json(webhook: Webhook, groups: dict[int, str]) -> dict[str, Any]:
    return {
        "id": webhook.id,
        "tenant": webhook.tenant,
        "name": webhook.name,
        "url": webhook.url,
        "parameters": [{"name": p.name, "value": p.value} for p in webhook.parameters],
        "test_values": webhook.test_values,
        "type": webhook.type,
        "content_type": webhook.content_type,
        "response_type": webhook.response_type,
        "columns": list(webhook.columns),
        "column_labels": webhook.column_labels,
        "group": groups.get(webhook.group_id) if webhook.group_id is not None else None,
        "group_id": webhook.group_id,
        "trigger": webhook.trigger,
        "directions": list(webhook.directions),
        "queues": list(webhook.queues),
        "declared": webhook.declared,
    }


def _id(request: web.Request, name: str = "id") -> int:
    return admin_pages._int(name, request.match_info[name], 0, 1, 2**31 - 1)


def _tenant(request: web.Request, tenant: str) -> str:
    if tenant not in request.config_dict[CONFIG].tenants:
        raise Problem("unknown_tenant", f"tenant {tenant!r} is not configured", in_field=True)
    return tenant


async def _webhook_answer(
    request: web.Request, webhook: Webhook, status: int = 200
) -> web.Response:
    groups = {g.id: g.name for g in await request.config_dict[INTEGRATIONS].groups(webhook.tenant)}
    return web.json_response(webhook_json(webhook, groups), status=status)


# groups


async def list_groups(request: web.Request) -> web.Response:
    groups = await request.config_dict[INTEGRATIONS].groups(request.query.get("tenant") or None)
    return web.json_response([group_json(group) for group in groups])


async def create_group(request: web.Request) -> web.Response:
    body = await read_json(request, NewGroupBody)
    spec = GroupSpec.model_validate(body.model_dump(exclude={"tenant"}))
    group = await request.config_dict[INTEGRATIONS].create_group(
        _tenant(request, body.tenant), spec
    )
    return web.json_response(group_json(group), status=201)


async def get_group(request: web.Request) -> web.Response:
    return web.json_response(
        group_json(await request.config_dict[INTEGRATIONS].group(_id(request)))
    )


async def update_group(request: web.Request) -> web.Response:
    spec = await read_json(request, GroupSpec)
    group = await request.config_dict[INTEGRATIONS].update_group(_id(request), spec)
    return web.json_response(group_json(group))


async def delete_group(request: web.Request) -> web.Response:
    await request.config_dict[INTEGRATIONS].delete_group(_id(request))
    return web.json_response({"deleted": _id(request)})


async def list_members(request: web.Request) -> web.Response:
    agents = await request.config_dict[INTEGRATIONS].members(_id(request))
    return web.json_response([{"agent": agent, "has_secret": True} for agent in agents])


async def set_member(request: web.Request) -> web.Response:
    spec = await read_json(request, MemberSpec)
    await request.config_dict[INTEGRATIONS].set_member(_id(request), spec)
    return web.json_response({"agent": spec.agent, "has_secret": True}, status=201)


async def delete_member(request: web.Request) -> web.Response:
    agent = request.match_info["agent"]
    await request.config_dict[INTEGRATIONS].delete_member(_id(request), agent)
    return web.json_response({"deleted": agent})


# webhooks


async def list_webhooks(request: web.Request) -> web.Response:
    store = request.config_dict[INTEGRATIONS]
    tenant = request.query.get("tenant") or None
    groups = {group.id: group.name for group in await store.groups(tenant)}
    return web.json_response([webhook_json(w, groups) for w in await store.webhooks(tenant)])


async def create_webhook(request: web.Request) -> web.Response:
    body = await read_json(request, NewWebhookBody)
    spec = WebhookSpec.model_validate(body.model_dump(exclude={"tenant"}))
    webhook = await request.config_dict[INTEGRATIONS].create_webhook(
        _tenant(request, body.tenant), spec
    )
    return await _webhook_answer(request, webhook, 201)


async def get_webhook(request: web.Request) -> web.Response:
    return await _webhook_answer(
        request, await request.config_dict[INTEGRATIONS].webhook(_id(request))
    )


async def update_webhook(request: web.Request) -> web.Response:
    spec = await read_json(request, WebhookSpec)
    webhook = await request.config_dict[INTEGRATIONS].update_webhook(_id(request), spec)
    return await _webhook_answer(request, webhook)


async def delete_webhook(request: web.Request) -> web.Response:
    await request.config_dict[INTEGRATIONS].delete_webhook(_id(request))
    return web.json_response({"deleted": _id(request)})


async def set_columns(request: web.Request) -> web.Response:
    body = await read_json(request, ColumnsBody)
    webhook = await request.config_dict[INTEGRATIONS].set_columns(
        _id(request), tuple(body.columns), body.labels
    )
    return await _webhook_answer(request, webhook)


async def test(request: web.Request) -> web.Response:
    body = await read_json(request, TestBody) if request.body_exists else TestBody()
    store = request.config_dict[INTEGRATIONS]
    webhook = await store.webhook(_id(request))
    tenant = request.config_dict[CONFIG].tenants[webhook.tenant]
    sender = request.config_dict[WEBHOOK_SENDER]
    outcome = await try_webhook(store, sender, tenant, webhook, body.agent)
    return web.json_response(outcome)


# deliveries


async def delivery_page(request: web.Request) -> dict[str, Any]:
    """The deliveries the query asks for (tenant, webhook, outcome, from, to, page,
    per_page), newest first: ``{"deliveries", "total", "page", "per_page"}``."""
    query = request.query
    page = admin_pages._int("page", query.get("page"), 1, 1, 1_000_000)
    per_page = admin_pages._int("per_page", query.get("per_page"), 50, 1, admin_pages.PER_PAGE_MAX)
    outcome = query.get("outcome") or None
    if outcome not in (None, *DELIVERY_STATES):
        raise Problem("invalid_query", f"outcome: one of {', '.join(DELIVERY_STATES)}")
    found, total = await outbox.find(
        request.config_dict[DATABASE],
        outbox.DeliveryQuery(
            tenant=query.get("tenant") or None,
            webhook=query.get("webhook") or None,
            outcome=outcome,
            since=admin_pages._epoch("from", query.get("from")),
            until=admin_pages._epoch("to", query.get("to"), end_of_day=True),
            limit=per_page,
            offset=(page - 1) * per_page,
        ),
    )
    return {"deliveries": found, "total": total, "page": page, "per_page": per_page}


async def list_deliveries(request: web.Request) -> web.Response:
    return web.json_response(await delivery_page(request))


async def retry_delivery(request: web.Request) -> web.Response:
    delivery = await outbox.retry(request.config_dict[DATABASE], request.match_info["id"][:64])
    request.config_dict[DELIVERY_WORKER].wake()
    return web.json_response(delivery)


async def variables(request: web.Request) -> web.Response:
    return web.json_response([{"name": f"{{{n}}}", "meaning": m} for n, m in VARIABLES.items()])


def add_routes(admin: web.Application) -> None:
    router = admin.router
    router.add_get("/api/groups", list_groups)
    router.add_post("/api/groups", create_group)
    router.add_get("/api/groups/{id}", get_group)
    router.add_put("/api/groups/{id}", update_group)
    router.add_delete("/api/groups/{id}", delete_group)
    router.add_get("/api/groups/{id}/members", list_members)
    router.add_post("/api/groups/{id}/members", set_member)
    router.add_delete("/api/groups/{id}/members/{agent}", delete_member)
    router.add_get("/api/webhooks", list_webhooks)
    router.add_post("/api/webhooks", create_webhook)
    router.add_get("/api/webhooks/{id}", get_webhook)
    router.add_put("/api/webhooks/{id}", update_webhook)
    router.add_delete("/api/webhooks/{id}", delete_webhook)
    router.add_post("/api/webhooks/{id}/test", test)
    router.add_put("/api/webhooks/{id}/columns", set_columns)
    router.add_get("/api/deliveries", list_deliveries)
    router.add_post("/api/deliveries/{id}/retry", retry_delivery)
    router.add_get("/api/webhook-variables", variables)
