"""The Integration Centre's admin pages, server-rendered forms over `IntegrationStore`.

- ``/admin/integrations``: groups (add, delete) and webhooks (list, delete; deleting
  asks first, saying what stops);
- ``/admin/integrations/groups/{id}/members``: a user-level group's members;
- ``/admin/integrations/webhooks/new`` and ``/admin/integrations/webhooks/{id}``: the
  webhook's form; ``…/{id}/test``: Test and Configure (status, time, headers, the answer
  with a checkbox at the head of each column) and the Agent View; ``…/{id}/columns``
  saves the columns ticked and tests again, so the Agent View shows the choice;
- ``/admin/deliveries``: API Monitoring of webhook deliveries, with Retry.

A refusal (a form that does not validate, deleting what is in use, changing what the
configuration declares) is shown on the page it came from, with what to fix. Secrets are
write-only: the forms never show them back.
"""

from collections.abc import Mapping
from typing import Any, get_args
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy
from pydantic import TypeAdapter, ValidationError

from server.integrations import outbox
from server.integrations.model import (
    AUTOMATIC_TRIGGERS,
    TRIGGERS,
    CallDirection,
    Webhook,
)
from server.integrations.retry_outcome import after_retry, retry_message
from server.integrations.settings import ColumnLabels, GroupSpec, MemberSpec, WebhookSpec
from server.integrations.trial import try_webhook
from server.integrations.variables import VARIABLES
from server.keys import CONFIG, DATABASE, DELIVERY_WORKER, INTEGRATIONS, WEBHOOK_SENDER
from server.problems import Problem
from server.request_body import invalid
from server.routes import admin as admin_pages  # mounts these routes: used at call time
from server.routes.admin_confirm import confirm_page, is_confirmed
from server.routes.admin_integrations import DELIVERY_STATES, delivery_page
from server.routes.admin_render import render

Form = MultiDictProxy[str | bytes | Any]
EMPTY_FORM: dict[str, Any] = {
    "tenant": "",
    "name": "",
    "url": "",
    "parameters": "",
    "test_values": "",
    "type": "ajax_get",
    "content_type": "form",
    "response_type": "ignore",
    "group": "",
    "trigger": "manual",
    "directions": [],
    "queues": "",
}
DIRECTIONS: tuple[str, ...] = get_args(CallDirection)


def _text(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _optional(form: Form, name: str) -> str | None:
    return _text(form, name) or None


def _lines(text: str) -> list[tuple[str, str]]:
    """``name=value`` lines (blank lines skipped); a line without ``=`` is a name alone."""
    pairs = []
    for line in text.splitlines():
        if line.strip():
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


ColumnLabelsForm: TypeAdapter[dict[str, str]] = TypeAdapter(ColumnLabels)
FIELD_LABELS = {"url": "URL", "name": "Name", "parameters": "Parameters"}


def _refusal(error: ValidationError | Problem) -> str:
    """Why a form was refused, shown on the form again: each field by its label; the
    whole form's own problems (an unknown variable anywhere) without a field name; a
    refusal of the bridge's (`Problem`) by its message. Every form of these pages says
    it this way."""
    if isinstance(error, Problem):
        return error.message
    return "; ".join(
        p["message"] if p["field"] == "(body)" else f"{_label(p['field'])}: {p['message']}"
        for p in invalid(error).details["fields"]
    )


def _label(field: str) -> str:
    head, dot, rest = field.partition(".")
    return FIELD_LABELS.get(head, head.replace("_", " ")) + dot + rest


def group_spec(form: Form) -> GroupSpec:
    return GroupSpec.model_validate(
        {
            "name": _text(form, "name"),
            "auth_type": _text(form, "auth_type") or "none",
            "level": _text(form, "level") or "global",
            "key_name": _optional(form, "key_name"),
            "key_placement": _text(form, "key_placement") or "header",
            "api_key": _optional(form, "api_key"),
            "username": _optional(form, "username"),
            "password": _optional(form, "password"),
        }
    )


def webhook_spec(
    form: Form, columns: tuple[str, ...] = (), labels: Mapping[str, str] | None = None
) -> WebhookSpec:
    return WebhookSpec.model_validate(
        {
            "name": _text(form, "name"),
            "url": _text(form, "url"),
            "parameters": [
                {"name": name, "value": value} for name, value in _lines(_text(form, "parameters"))
            ],
            "test_values": dict(_lines(_text(form, "test_values"))),
            "type": _text(form, "type") or "ajax_get",
            "content_type": _text(form, "content_type") or "form",
            "response_type": _text(form, "response_type") or "ignore",
            "columns": list(columns),
            "column_labels": dict(labels or {}),
            "group": _optional(form, "group"),
            "trigger": _text(form, "trigger") or "manual",
            "directions": [d for d in form.getall("directions", []) if d in DIRECTIONS],
            "queues": [q.strip() for q in _text(form, "queues").split(",") if q.strip()],
        }
    )


def webhook_form(webhook: Webhook, group_names: Mapping[int, str]) -> dict[str, Any]:
    """The webhook as its form shows it (parameters and test values as lines)."""
    return {
        "name": webhook.name,
        "url": webhook.url,
        "parameters": "\n".join(f"{p.name}={p.value}" for p in webhook.parameters),
        "test_values": "\n".join(f"{k}={v}" for k, v in webhook.test_values.items()),
        "type": webhook.type,
        "content_type": webhook.content_type,
        "response_type": webhook.response_type,
        "group": group_names.get(webhook.group_id or 0, ""),
        "trigger": webhook.trigger,
        "directions": list(webhook.directions),
        "queues": ", ".join(webhook.queues),
    }


def _id(request: web.Request) -> int:
    return admin_pages._int("id", request.match_info["id"], 0, 1, 2**31 - 1)


def _form_id(form: Form, name: str) -> int:
    return admin_pages._int(name, _text(form, name), 0, 1, 2**31 - 1)


async def integrations_html(request: web.Request) -> web.Response:
    store = request.config_dict[INTEGRATIONS]
    tenants = sorted(request.config_dict[CONFIG].tenants)
    error = None
    if request.method == "POST":
        form = await request.post()
        try:
            if "delete_group" in form or "delete_webhook" in form:
                asking = None if is_confirmed(form) else await _confirm_delete(request, form)
                if asking is not None:
                    return asking
            if "delete_group" in form:
                await store.delete_group(_form_id(form, "delete_group"))
            elif "delete_webhook" in form:
                await store.delete_webhook(_form_id(form, "delete_webhook"))
            else:
                tenant = _text(form, "tenant")
                if tenant not in tenants:
                    raise Problem(
                        "unknown_tenant", f"tenant {tenant!r} is not configured", in_field=True
                    )
                await store.create_group(tenant, group_spec(form))
        except (ValidationError, Problem) as refused:
            error = _refusal(refused)
        if error is None:
            raise web.HTTPSeeOther("/admin/integrations")
    groups = await store.groups()
    names = {group.id: group.name for group in groups}
    return render(
        request,
        "admin/integrations.html",
        tenants=tenants,
        groups=groups,
        webhooks=await store.webhooks(),
        group_names=names,
        error=error,
    )


async def _confirm_delete(request: web.Request, form: Form) -> web.Response | None:
    """What deleting the group or webhook in ``form`` stops, to confirm; None when the
    store will refuse it anyway (in use: the refusal says why at once)."""
    store = request.config_dict[INTEGRATIONS]
    if "delete_group" in form:
        group = await store.group(_form_id(form, "delete_group"))
        users = [w.name for w in await store.webhooks(group.tenant) if w.group_id == group.id]
        if users or group.declared:
            return None
        secret = "its members' secrets" if group.level == "user" else "its secret"
        return confirm_page(
            request,
            title=f"Delete the group {group.name!r} of {group.tenant}",
            consequences=[
                f"The group and {secret} are deleted; secrets cannot be shown or recovered,"
                " so re-creating it needs them again.",
                "No webhook uses it now: nothing else stops.",
            ],
            fields={"delete_group": str(group.id)},
            button="Delete the group",
            back="/admin/integrations",
        )
    webhook = await store.webhook(_form_id(form, "delete_webhook"))
    if webhook.trigger != "manual" or webhook.declared:
        return None
    return confirm_page(
        request,
        title=f"Delete the webhook {webhook.name!r} of {webhook.tenant}",
        consequences=[
            f"Agents can no longer run it from the widget: nothing more is sent to {webhook.url}.",
            "Its past deliveries stay in Webhook deliveries.",
        ],
        fields={"delete_webhook": str(webhook.id)},
        button="Delete the webhook",
        back="/admin/integrations",
    )


async def members_html(request: web.Request) -> web.Response:
    store = request.config_dict[INTEGRATIONS]
    group = await store.group(_id(request))
    error = None
    if request.method == "POST":
        form = await request.post()
        try:
            if "remove" in form:
                await store.delete_member(group.id, _text(form, "remove"))
            else:
                member = MemberSpec.model_validate(
                    {
                        "agent": _text(form, "agent"),
                        "api_key": _optional(form, "api_key"),
                        "username": _optional(form, "username"),
                        "password": _optional(form, "password"),
                    }
                )
                await store.set_member(group.id, member)
        except (ValidationError, Problem) as refused:
            error = _refusal(refused)
        if error is None:
            raise web.HTTPSeeOther(f"/admin/integrations/groups/{group.id}/members")
    return render(
        request,
        "admin/members.html",
        group=group,
        members=await store.members(group.id),
        error=error,
    )


async def _webhook_page(
    request: web.Request,
    webhook: Webhook | None,
    *,
    form: Mapping[str, Any] | None = None,
    error: str | None = None,
    test: dict[str, Any] | None = None,
) -> web.Response:
    store = request.config_dict[INTEGRATIONS]
    groups = await store.groups(webhook.tenant if webhook else None)
    names = {group.id: group.name for group in groups}
    if form is None and webhook is not None:
        form = webhook_form(webhook, names)
    return render(
        request,
        "admin/webhook.html",
        webhook=webhook,
        form={**EMPTY_FORM, **(form or {})},
        tenants=sorted(request.config_dict[CONFIG].tenants),
        groups=groups,
        triggers=TRIGGERS,
        automatic=AUTOMATIC_TRIGGERS,
        directions=DIRECTIONS,
        variables=VARIABLES,
        error=error,
        test=test,
    )


async def new_webhook_html(request: web.Request) -> web.Response:
    if request.method == "GET":
        return await _webhook_page(request, None)
    form = await request.post()
    tenant = _text(form, "tenant")
    try:
        if tenant not in request.config_dict[CONFIG].tenants:
            raise Problem("unknown_tenant", f"tenant {tenant!r} is not configured", in_field=True)
        webhook = await request.config_dict[INTEGRATIONS].create_webhook(tenant, webhook_spec(form))
    except (ValidationError, Problem) as refused:
        typed = {**dict(form), "directions": form.getall("directions", [])}
        return await _webhook_page(request, None, form=typed, error=_refusal(refused))
    raise web.HTTPSeeOther(f"/admin/integrations/webhooks/{webhook.id}")


async def webhook_html(request: web.Request) -> web.Response:
    store = request.config_dict[INTEGRATIONS]
    webhook = await store.webhook(_id(request))
    if request.method == "GET":
        return await _webhook_page(request, webhook)
    form = await request.post()
    try:
        spec = webhook_spec(form, webhook.columns, webhook.column_labels)
        webhook = await store.update_webhook(webhook.id, spec)
    except (ValidationError, Problem) as refused:
        editing = {**dict(form), "directions": form.getall("directions", [])}
        return await _webhook_page(request, webhook, form=editing, error=_refusal(refused))
    raise web.HTTPSeeOther(f"/admin/integrations/webhooks/{webhook.id}")


async def _tested(request: web.Request, webhook: Webhook, agent: str | None) -> web.Response:
    """The webhook's page with the outcome of sending its test values now."""
    store = request.config_dict[INTEGRATIONS]
    tenant = request.config_dict[CONFIG].tenants[webhook.tenant]
    try:
        outcome = await try_webhook(
            store, request.config_dict[WEBHOOK_SENDER], tenant, webhook, agent
        )
    except Problem as refused:
        return await _webhook_page(request, webhook, error=_refusal(refused))
    return await _webhook_page(request, webhook, test=outcome)


async def test_webhook_html(request: web.Request) -> web.Response:
    """Test and Configure: send the test values now and show what came back."""
    webhook = await request.config_dict[INTEGRATIONS].webhook(_id(request))
    form = await request.post()
    return await _tested(request, webhook, _optional(form, "agent"))


async def columns_html(request: web.Request) -> web.Response:
    """Save the columns ticked and their labels (a ``label:<column>`` field each), then
    test again: the Agent View shows the choice."""
    store = request.config_dict[INTEGRATIONS]
    webhook_id = _id(request)
    form = await request.post()
    columns = tuple(str(column) for column in form.getall("column", []))[:50]
    typed = {column: _text(form, f"label:{column}") for column in columns}
    try:
        labels = ColumnLabelsForm.validate_python({c: t for c, t in typed.items() if t})
        webhook = await store.set_columns(webhook_id, columns, labels)
    except (ValidationError, Problem) as refused:
        return await _webhook_page(
            request, await store.webhook(webhook_id), error=_refusal(refused)
        )
    return await _tested(request, webhook, _optional(form, "agent"))


async def deliveries_html(request: web.Request) -> web.Response:
    """API Monitoring of webhook deliveries: filter by tenant, webhook, outcome, dates.

    Retry sends a failed delivery again, waits a moment for that attempt and comes back
    (``?retried=<id>``) with how it went, whichever the filter."""
    database = request.config_dict[DATABASE]
    query = {k: v for k, v in request.query.items() if k != "retried"}
    error = None
    if request.method == "POST":
        form = await request.post()
        delivery_id = _text(form, "retry")[:64]
        try:
            await outbox.retry(database, delivery_id)
            request.config_dict[DELIVERY_WORKER].wake()
        except Problem as refused:
            error = _refusal(refused)
        if error is None:
            await after_retry(database, delivery_id)
            back = urlencode({**query, "retried": delivery_id})
            raise web.HTTPSeeOther(f"/admin/deliveries?{back}")
    flash = None
    retried = await outbox.get(database, request.query.get("retried", "")[:64])
    if retried is not None:
        text, good = retry_message(retried)
        flash = {"text": text, "ok": good, "delivery_id": retried["delivery_id"]}
    return render(
        request,
        "admin/deliveries.html",
        **await delivery_page(request),
        filters=query,
        tenants=sorted(request.config_dict[CONFIG].tenants),
        webhooks=sorted({w.name for w in await request.config_dict[INTEGRATIONS].webhooks()}),
        states=DELIVERY_STATES,
        error=error,
        flash=flash,
    )


def add_routes(admin: web.Application) -> None:
    router = admin.router
    for path, page in (
        ("/integrations", integrations_html),
        ("/integrations/groups/{id}/members", members_html),
        ("/integrations/webhooks/new", new_webhook_html),
        ("/integrations/webhooks/{id}", webhook_html),
        ("/deliveries", deliveries_html),
    ):
        router.add_get(path, page)
        router.add_post(path, page)
    router.add_post("/integrations/webhooks/{id}/test", test_webhook_html)
    router.add_post("/integrations/webhooks/{id}/columns", columns_html)
