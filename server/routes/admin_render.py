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
    # Not "no-referrer": Chromium then sends "Origin: null" with the pages' own forms,
    # which the admin's check of the Origin (`server.auth.require_admin`) refuses.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
