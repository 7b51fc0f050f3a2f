"""The widget pages: the iframe a CRM embeds, and the console that frames a CRM.

``GET /widget/{tenant}``: the iframe. ``Content-Security-Policy: frame-ancestors`` is the
tenant's allowlist. ``parent_origin`` (sent by ``embed.js``) must be on it; the widget
then announces itself to that origin only.

``GET /console/{tenant}?crm=URL``: for CRMs that run inside a frame and post to
``parent``: this page frames the CRM (whose origin must be allowed) and runs the widget.

``runtime=micropython|pyodide`` overrides the tenant's default runtime on both; the look
comes from ``theme=light|dark|auto``, ``accent=#rrggbb``, ``locale=en|es|de`` (else the
browser's language) and ``debug=1`` (see docs/widget.md).
"""

import re
import secrets
from urllib.parse import urlsplit

from aiohttp import web

from server.config import RUNTIMES, ConfigError, TenantConfig, normalise_origin
from server.keys import ASSETS, CONFIG, DIALERS, TEMPLATES
from server.security_headers import widget_csp
from widget import messages, protocol

WIDGET_VERSION = "0.1.0"
THEMES = ("light", "dark", "auto")
ACCENT = re.compile(r"#[0-9a-fA-F]{6}")


class Look:
    """How the page asked the widget to look: theme, accent, language, debug footer."""

    def __init__(self, request: web.Request) -> None:
        query = request.query
        theme = query.get("theme", "light")
        if theme not in THEMES:
            raise web.HTTPBadRequest(text=f"theme must be one of {', '.join(THEMES)}")
        accent = query.get("accent", "")
        if accent and not ACCENT.fullmatch(accent):
            raise web.HTTPBadRequest(text="accent must be a colour as #rrggbb")
        self.theme = theme
        self.accent = accent.lower()
        wanted = query.get("locale", "")
        self.locale = messages.pick_locale(wanted) if wanted else ""
        self.debug = query.get("debug", "") in ("1", "true")

    def text(self, key: str) -> str:
        return messages.text(self.locale or messages.DEFAULT_LOCALE, key)


def tenant_of(request: web.Request) -> TenantConfig:
    tenant = request.app[CONFIG].tenants.get(request.match_info["tenant"])
    if tenant is None:
        raise web.HTTPNotFound(text=f"tenant {request.match_info['tenant']!r} is not configured")
    return tenant


def _runtime(request: web.Request, tenant: TenantConfig) -> str:
    runtime = request.query.get("runtime", tenant.runtime)
    if runtime not in RUNTIMES:
        raise web.HTTPBadRequest(text=f"runtime must be one of {', '.join(RUNTIMES)}")
    return runtime


def _allowed_origin(tenant: TenantConfig, value: str, what: str) -> str:
    try:
        origin = normalise_origin(what, value)
    except ConfigError as error:
        raise web.HTTPBadRequest(text=str(error)) from None
    if origin not in tenant.allowed_origins:
        raise web.HTTPForbidden(
            text=f"{origin} is not an allowed origin of tenant {tenant.id}; add it to "
            f"tenants.{tenant.id}.allowed_origins"
        )
    return origin


def _render(
    request: web.Request, template: str, *, framing: str, look: Look, **context: object
) -> web.Response:
    """The page, under `widget_csp` with a fresh nonce for its own inline scripts."""
    nonce = secrets.token_urlsafe(18)
    html = (
        request.app[TEMPLATES]
        .get_template(template)
        .render(
            assets=request.app[ASSETS],
            protocol=protocol,
            csp_nonce=nonce,
            t=look.text,
            locale=look.locale or messages.DEFAULT_LOCALE,
            theme=look.theme,
            **context,
        )
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = widget_csp(nonce, framing)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _rings_agent_first(request: web.Request, tenant: TenantConfig) -> bool:
    """Whether the tenant's click-to-call dialer rings the agent's own phone first, the
    call answered once the agent picks up."""
    if not tenant.click_to_call_dialer:
        return False
    dialer = request.config_dict[DIALERS].get(tenant.id, tenant.click_to_call_dialer)
    return dialer.traits.rings_agent_first


def _widget_config(
    request: web.Request,
    tenant: TenantConfig,
    runtime: str,
    announce_to: list[dict[str, str]],
    look: Look,
) -> dict[str, object]:
    return {
        "tenant": tenant.id,
        "api_base": "",
        "runtime": runtime,
        "widget_version": WIDGET_VERSION,
        "allowed_origins": list(tenant.allowed_origins),
        "announce_to": announce_to,
        "pause_reasons": list(tenant.pause_reasons),
        "queues": [{"id": queue.id, "name": queue.name} for queue in tenant.queues],
        "rings_agent_first": _rings_agent_first(request, tenant),
        "sign_in": tenant.widget_sign_in,
        "locale": look.locale,
        "accent": look.accent,
        "debug": look.debug,
    }


async def widget_page(request: web.Request) -> web.Response:
    tenant = tenant_of(request)
    runtime = _runtime(request, tenant)
    look = Look(request)
    if "parent_origin" in request.query:
        origins = [_allowed_origin(tenant, request.query["parent_origin"], "parent_origin")]
    else:
        origins = list(tenant.allowed_origins)
    return _render(
        request,
        "widget.html",
        framing="frame-ancestors " + " ".join(tenant.allowed_origins),
        look=look,
        tenant=tenant,
        runtime=runtime,
        widget_config=_widget_config(
            request, tenant, runtime, [{"window": "parent", "origin": o} for o in origins], look
        ),
    )


async def console_page(request: web.Request) -> web.Response:
    tenant = tenant_of(request)
    runtime = _runtime(request, tenant)
    look = Look(request)
    crm_url = request.query.get("crm", "")
    parts = urlsplit(crm_url)
    origin = _allowed_origin(tenant, f"{parts.scheme}://{parts.netloc}", "crm")
    return _render(
        request,
        "console.html",
        framing=f"frame-ancestors 'self'; frame-src {origin}",
        look=look,
        tenant=tenant,
        runtime=runtime,
        crm_url=crm_url,
        widget_config=_widget_config(
            request, tenant, runtime, [{"window": "crm-frame", "origin": origin}], look
        ),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/widget/{tenant}", widget_page)
    app.router.add_get("/console/{tenant}", console_page)
