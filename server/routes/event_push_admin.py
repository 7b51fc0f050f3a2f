"""The admin's Event Push page: the push URL of each dialer that pushes to a URL of its
own (`bridge.UrlPush`, the REST dialer: created or rotated here, shown once; replacing it
asks first) and the webhook to create for each kind that posts webhooks
(`bridge.WebhookPush`, Euphoria's Integration Centre). After a replacement, the pushes
refused because they still carry the old URL are counted on the page.

HTML ``GET|POST /admin/events``; JSON ``POST /admin/api/event-push/{tenant}/{dialer}``
→ ``{"url"}``. Mounted on the admin sub-application (admin login required).
"""

from typing import Any

from aiohttp import web

from bridge import UrlPush, WebhookPush, adapter_class, kinds_pushing, titles_pushing
from server.config import ServerConfig
from server.keys import CONFIG, DIALERS, PUSH_SECRETS
from server.problems import Problem
from server.routes.admin_confirm import confirm_page, is_confirmed
from server.routes.admin_render import render
from server.routes.events import url_pushing_dialer


def push_url(config: ServerConfig, tenant: str, dialer: str, secret: str) -> str:
    return f"{config.origin}/api/v1/events/{tenant}/{dialer}?secret={secret}"


def _url_dialer(request: web.Request, tenant: str, dialer: str) -> None:
    if url_pushing_dialer(request, tenant, dialer) is None:
        raise Problem(
            "unknown_dialer",
            f"tenant {tenant!r} has no {titles_pushing(UrlPush)} dialer {dialer!r}",
        )


def _webhooks(config: ServerConfig) -> list[dict[str, Any]]:
    """What to create on the dialers that post webhooks, one per kind."""
    webhooks = []
    for kind in kinds_pushing(WebhookPush):
        traits = adapter_class(kind).traits
        if isinstance(traits.event_push, WebhookPush):
            webhooks.append(
                {
                    "kind": kind,
                    "title": traits.title,
                    "url": f"{config.origin}/api/v1/events/{kind}",
                    "parameters": traits.event_push.parameters,
                }
            )
    return webhooks


async def rotate_json(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    tenant, dialer = request.match_info["tenant"], request.match_info["dialer"]
    _url_dialer(request, tenant, dialer)
    secret = await request.config_dict[PUSH_SECRETS].rotate(tenant, dialer)
    return web.json_response({"url": push_url(config, tenant, dialer, secret)}, status=201)


async def events_html(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    push_secrets = request.config_dict[PUSH_SECRETS]
    made = await push_secrets.created()
    created: dict[str, Any] | None = None
    if request.method == "POST":
        form = await request.post()
        tenant, dialer = str(form.get("tenant", "")), str(form.get("dialer", ""))
        _url_dialer(request, tenant, dialer)
        if (tenant, dialer) in made and not is_confirmed(form):
            return confirm_page(
                request,
                title=f"Replace the Event Push URL of {tenant} / {dialer}",
                consequences=[
                    "The current URL stops working at once: the dialer's pushes with it are"
                    " refused (401) until you paste the new URL into its account"
                    " configuration, Event Push Notifications URL.",
                    "Until then live calls and agent states no longer reach the agents'"
                    " widgets: calls still ring, but the widget does not show them.",
                    "The new URL is shown once, on the next page.",
                ],
                fields={"tenant": tenant, "dialer": dialer},
                button="Replace the URL",
                back="/admin/events",
            )
        secret = await push_secrets.rotate(tenant, dialer)
        created = {"tenant": tenant, "dialer": dialer}
        created["url"] = push_url(config, tenant, dialer, secret)
        made = await push_secrets.created()
    url_dialers = [
        {
            "tenant": tenant.id,
            "dialer": name,
            "created_at": made.get((tenant.id, name)),
            "sources": ", ".join(str(network) for network in push.sources),
            "refused": push_secrets.old_secret_refusals(tenant.id, name),
        }
        for tenant in config.tenants.values()
        for name, adapter in request.config_dict[DIALERS].of_tenant(tenant.id).items()
        if isinstance(push := adapter.traits.event_push, UrlPush)
    ]
    return render(
        request,
        "admin/events.html",
        url_dialers=url_dialers,
        created=created,
        webhooks=_webhooks(config),
    )


def add_routes(admin: web.Application) -> None:
    admin.router.add_get("/events", events_html)
    admin.router.add_post("/events", events_html)
    admin.router.add_post("/api/event-push/{tenant}/{dialer}", rotate_json)
