"""Errors on the admin sub-application, as people and programs read them.

A person (a page of ``/admin``, a browser that accepts HTML, and a browser that opens an
address of the JSON API itself) gets a page in the admin layout: what happened, what to
do, a way back; programs on the JSON API (``/admin/api/...``, the pages' own scripts)
and clients that ask for JSON keep the documented ``{"error": {...}}`` body of
`server.error_middleware`, which renders everything this middleware lets through. The
status of each code is `server.error_catalogue`'s.
"""

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler

from bridge import DialerError
from server.error_catalogue import dialer_status
from server.problems import Problem
from server.routes.admin_render import NAV, current_page, render
from server.templating import sentence

log = logging.getLogger(__name__)

API_PREFIX = "/admin/api/"
KEPT_HEADERS = ("www-authenticate", "allow", "retry-after")


@dataclass(frozen=True, slots=True)
class ErrorPage:
    title: str
    advice: str


PAGES = {
    401: ErrorPage(
        "Sign-in required",
        "These pages are for the bridge's administrator: sign in with the user name and"
        " password of the configuration's [admin] table.",
    ),
    403: ErrorPage("Not allowed", "The bridge refused this change."),
    404: ErrorPage("Not found", "There is no such page or object: it may have been deleted."),
    405: ErrorPage("Not possible here", "This page cannot be used that way."),
    409: ErrorPage("Not done", "The bridge did not do this, for the reason below."),
    413: ErrorPage(
        "Too large", "What was sent is larger than the bridge accepts: send a smaller file."
    ),
    500: ErrorPage(
        "Something went wrong",
        "The bridge failed unexpectedly. Nothing is lost that was saved before; quote the"
        " request id below to whoever runs the bridge.",
    ),
}
OTHER = ErrorPage("Not done", "The bridge did not do this, for the reason below.")


def wants_json(request: web.Request) -> bool:
    """The JSON API, or a client that prefers JSON to HTML; never a person's browser
    opening a page (``Sec-Fetch-Dest: document``, which scripts cannot send)."""
    if request.headers.get("Sec-Fetch-Dest") == "document":
        return False
    if request.path.startswith(API_PREFIX):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_page(
    request: web.Request,
    status: int,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> web.Response:
    page = PAGES.get(status, OTHER)
    current = current_page(request.path)
    back = {"href": current or "/admin", "label": dict(NAV).get(current or "", "the admin pages")}
    response = render(
        request,
        "admin/error.html",
        status=status,
        page=page,
        message=sentence(message),
        request_id=request_id,
        back=back,
    )
    response.set_status(status)
    response.headers.update(headers or {})
    return response


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in KEPT_HEADERS}


@web.middleware
async def admin_error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    if wants_json(request):
        return await handler(request)
    try:
        return await handler(request)
    except Problem as problem:
        return error_page(request, problem.status, problem.message, headers=_kept(problem.headers))
    except DialerError as error:
        return error_page(request, dialer_status(error), error.message)
    except web.HTTPException as http_error:
        if http_error.status < 400:
            raise
        default = f"{http_error.status}: {http_error.reason}"
        message = http_error.text if http_error.text and http_error.text != default else ""
        return error_page(request, http_error.status, message, headers=_kept(http_error.headers))
    except Exception:
        request_id = secrets.token_hex(8)
        log.exception(
            "unexpected error in %s %s [request %s]", request.method, request.path, request_id
        )
        return error_page(request, 500, "", request_id=request_id)
