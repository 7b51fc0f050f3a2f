"""How every admin page is rendered: its template, and the headers of a strict page."""

from typing import Any

from aiohttp import web

from server.keys import ASSETS, TEMPLATES
from server.security_headers import ADMIN_CSP


def render(request: web.Request, template: str, **context: Any) -> web.Response:
    html = (
        request.config_dict[TEMPLATES]
        .get_template(template)
        .render(assets=request.config_dict[ASSETS], **context)
    )
    response = web.Response(text=html, content_type="text/html")
    response.headers["Content-Security-Policy"] = ADMIN_CSP
    # With no-referrer, the pages' own forms carry "Origin: null": `server.auth` tells
    # them from other sites' by Sec-Fetch-Site.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
