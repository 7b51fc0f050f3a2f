"""How every admin page is rendered: its template in the one admin layout (the nav with
the current page, the tenants, who is signed in), and the headers of a strict page."""

from typing import Any

from aiohttp import web

from server.auth import ADMIN
from server.config import TenantConfig
from server.keys import ASSETS, CONFIG, TEMPLATES
from server.problems import Problem
from server.security_headers import ADMIN_CSP

# The nav: (path, label); a page is "current" under its path (a webhook's page under
# the Integration Centre's).
NAV = (
    ("/admin/audit", "API monitoring"),
    ("/admin/keys", "API keys"),
    ("/admin/events", "Event push"),
    ("/admin/jobs", "Jobs"),
    ("/admin/imports", "Import leads"),
    ("/admin/integrations", "Integrations"),
    ("/admin/deliveries", "Webhook deliveries"),
    ("/admin/reports", "Reports"),
    ("/admin/wallboard", "Wallboard"),
)


def current_page(path: str) -> str | None:
    """The nav entry ``path`` belongs to, if any."""
    for href, _ in NAV:
        if path == href or path.startswith(href + "/"):
            return href
    return None


def render(request: web.Request, template: str, **context: Any) -> web.Response:
    admin = request.get(ADMIN)
    shell = {  # the nav and the tenants only for the signed-in admin
        "nav": NAV,
        "current": current_page(request.path),
        "admin": admin,
        "tenants": sorted(request.config_dict[CONFIG].tenants) if admin else [],
    }
    html = (
        request.config_dict[TEMPLATES]
        .get_template(template)
        .render(assets=request.config_dict[ASSETS], shell=shell, **context)
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    # With no-referrer, the pages' own forms carry "Origin: null": `server.auth` tells
    # them from other sites' by Sec-Fetch-Site.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def chosen_tenant(request: web.Request) -> TenantConfig:
    """The tenant a page's ``?tenant=`` names, or the first one configured."""
    tenants = request.config_dict[CONFIG].tenants
    name = request.query.get("tenant") or sorted(tenants)[0]
    if name not in tenants:
        raise Problem("invalid_query", f"no tenant {name!r}")
    return tenants[name]
