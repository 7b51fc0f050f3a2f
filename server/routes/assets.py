"""Static files: browser runtimes (from npm), the widget's Python modules, ``static/``.

Files whose URL carries a version or a content hash are cached for a year.
"""

from aiohttp import web

from server.keys import ASSETS
from server.widget_assets import STATIC_DIR, WIDGET_DIR, WIDGET_MODULES

IMMUTABLE = "public, max-age=31536000, immutable"


async def widget_module(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    if name not in WIDGET_MODULES:
        raise web.HTTPNotFound()
    response = web.FileResponse(WIDGET_DIR / name)
    fresh = request.query.get("v") == request.app[ASSETS].module_hashes[name]
    response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
    return response


async def static_file(request: web.Request) -> web.FileResponse:
    name = request.match_info["name"]
    assets = request.app[ASSETS]
    if name not in assets.static_hashes:
        raise web.HTTPNotFound()
    response = web.FileResponse(STATIC_DIR / name)
    fresh = request.query.get("v") == assets.static_hashes[name]
    response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"  # embed.js is loaded by CRM pages
    return response


async def _cache_runtimes(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/runtime/") and response.status == 200:
        response.headers["Cache-Control"] = IMMUTABLE


def add_routes(app: web.Application) -> None:
    for runtime in app[ASSETS].runtimes.values():
        app.router.add_static(runtime.prefix, runtime.directory, follow_symlinks=False)
    app.router.add_get("/widget/py/{name}", widget_module)
    app.router.add_get("/static/{name}", static_file)
    app.on_response_prepare.append(_cache_runtimes)
