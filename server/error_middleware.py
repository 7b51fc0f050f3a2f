"""The one place where exceptions become HTTP answers.

Handlers raise; this middleware renders every error as the documented body
``{"error": {"code", "message", ...}}``: the server's `Problem`s with their status,
dialer errors with the status `server.error_catalogue` gives their code, aiohttp's own
HTTP errors on the JSON API (unknown route, wrong method, body too large) in the same
shape, named after their reason (`http_error_code`). A database
that is down is a 503 ``database_unavailable`` with ``Retry-After`` (see
`database_faults`), logged as one line. Anything unexpected is logged with a request
id and answered as a bare 500 that carries the id, never a traceback.
"""

import logging
import secrets
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bridge import DialerError
from server.database_faults import DatabaseUnavailable, is_database_down
from server.error_catalogue import dialer_status
from server.keys import METRICS
from server.problems import Problem
from server.strict_json import json_response

log = logging.getLogger(__name__)

JSON_PREFIXES = ("/api/", "/admin/api/")
REFUSALS = (429, 503)  # throttled or busy: counted in the metrics, by code


def error_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> web.Response:
    return json_response({"error": body}, status=status, headers=headers)


def http_error_code(http_error: web.HTTPException) -> str:
    """The catalogued code of one of aiohttp's HTTP errors: its reason, ``not_found``."""
    return http_error.reason.lower().replace(" ", "_")


def _count_refusal(request: web.Request, code: str) -> None:
    observed = request.config_dict.get(METRICS)
    if observed is not None:
        observed.refusals.labels(code).inc()


def _speaks_json(request: web.Request) -> bool:
    return request.path.startswith(JSON_PREFIXES)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        if problem.status in REFUSALS:
            _count_refusal(request, problem.code)
        return error_response(problem.status, problem.to_dict(), problem.headers)
    except DialerError as error:
        return error_response(dialer_status(error), error.to_dict())
    except web.HTTPException as http_error:
        if http_error.status < 400 or not _speaks_json(request):
            raise
        code = http_error_code(http_error)
        message = (
            http_error.text
            if http_error.text != f"{http_error.status}: {http_error.reason}"
            else http_error.reason
        )
        headers = {
            k: v
            for k, v in http_error.headers.items()
            if k.lower() in ("allow", "www-authenticate", "retry-after")
        }
        return error_response(http_error.status, {"code": code, "message": message}, headers)
    except Exception as error:
        if is_database_down(error):
            log.warning("database unavailable in %s %s: %r", request.method, request.path, error)
            down = DatabaseUnavailable()
            _count_refusal(request, down.code)
            if _speaks_json(request):
                return error_response(down.status, down.to_dict(), down.headers)
            return web.Response(status=down.status, text=down.message, headers=down.headers)
        request_id = secrets.token_hex(8)
        log.exception(
            "unexpected error in %s %s [request %s]", request.method, request.path, request_id
        )
        body = {
            "code": "internal_error",
            "message": f"the bridge failed unexpectedly; quote request {request_id}"
            " to its operator",
            "request_id": request_id,
        }
        if _speaks_json(request):
            return error_response(500, body)
        return web.Response(status=500, text=body["message"])
