"""Routes that answer with and without a trailing slash, as the spec writes both."""

from typing import Any

from aiohttp import web


def add_route(app: web.Application, method: str, path: str, handler: Any) -> None:
    """Route ``path`` and ``path + "/"`` to ``handler``."""
    app.router.add_route(method, path, handler)
    app.router.add_route(method, path + "/", handler)


def path_id(request: web.Request, name: str) -> int:
    """A numeric id from the path (its route pattern admits only digits)."""
    return int(request.match_info[name])
