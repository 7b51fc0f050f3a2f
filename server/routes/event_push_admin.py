"""The admin's Event Push page: each REST dialer's push URL (created or rotated here,
shown once) and the webhook to create in Euphoria's Integration Centre.

HTML ``GET|POST /admin/events``; JSON ``POST /admin/api/event-push/{tenant}/{dialer}``
→ ``{"url"}``. Mounted on the admin sub-application (admin login required).
"""

from typing import Any

from aiohttp import web

from server.config import ServerConfig
from server.events.euphoria_webhook import WEBHOOK_PARAMETERS
from server.keys import CONFIG, PUSH_SECRETS
from server.problems import NotFound
from server.routes.admin_render import render


def push_url(config: ServerConfig, tenant: str, dialer: str, secret: str) -> str:
    return f"{config.origin}/api/v1/events/{tenant}/{dialer}?secret={secret}"


def _rest_dialer(config: ServerConfig, tenant: str, dialer: str) -> None:
    settings = config.tenants[tenant].dialers.get(dialer) if tenant in config.tenants else None
    if settings is None or settings.kind != "rest":
        raise NotFound("unknown_dialer", f"tenant {tenant!r} has no REST dialer {dialer!r}")


async def rotate_json(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    tenant, dialer = request.match_info["tenant"], request.match_info["dialer"]
    _rest_dialer(config, tenant, dialer)
    secret = await request.config_dict[PUSH_SECRETS].rotate(tenant, dialer)
    return web.json_response({"url": push_url(config, tenant, dialer, secret)}, status=201)


async def events_html(request: web.Request) -> web.Response:
    config = request.config_dict[CONFIG]
    created: dict[str, Any] | None = None
    if request.method == "POST":
        form = await request.post()
        tenant, dialer = str(form.get("tenant", "")), str(form.get("dialer", ""))
        _rest_dialer(config, tenant, dialer)
        secret = await request.config_dict[PUSH_SECRETS].rotate(tenant, dialer)
        created = {"tenant": tenant, "dialer": dialer}
        created["url"] = push_url(config, tenant, dialer, secret)
    made = await request.config_dict[PUSH_SECRETS].created()
    rest_dialers = [
        {
            "tenant": tenant.id,
            "dialer": name,
            "created_at": made.get((tenant.id, name)),
            "sources": ", ".join(str(network) for network in settings.event_push_sources),
        }
        for tenant in config.tenants.values()
        for name, settings in tenant.dialers.items()
        if settings.kind == "rest"
    ]
    return render(
        request,
        "admin/events.html",
        rest_dialers=rest_dialers,
        created=created,
        euphoria_url=f"{config.origin}/api/v1/events/euphoria",
        euphoria_parameters=WEBHOOK_PARAMETERS,
    )


def add_routes(admin: web.Application) -> None:
    admin.router.add_get("/events", events_html)
    admin.router.add_post("/events", events_html)
    admin.router.add_post("/api/event-push/{tenant}/{dialer}", rotate_json)
