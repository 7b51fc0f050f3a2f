"""Static files: browser packages (from npm), the widget's Python modules, ``static/``.

Files whose URL carries a version or a content hash are cached for a year. What CRM pages
load (``static/``, libphonenumber-js for ``embed.js``) may be read from any origin.
"""

from aiohttp import web

from server.keys import ASSETS
from server.widget_assets import PHONE_NUMBERS_LATEST, STATIC_DIR, WIDGET_DIR, WIDGET_MODULES

IMMUTABLE = "public, max-age=31536000, immutable"
ANY_ORIGIN = {"Access-Control-Allow-Origin": "*"}
# Types Python's mimetypes does not know (it takes .ts for a Qt translation file)
STATIC_TYPES = {".ts": "application/typescript; charset=utf-8"}


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
    path = STATIC_DIR / name
    response = web.FileResponse(path, headers=ANY_ORIGIN)
    if path.suffix in STATIC_TYPES:
        response.content_type = STATIC_TYPES[path.suffix]
    fresh = request.query.get("v") == assets.static_hashes[name]
    response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
    return response


async def phone_number_module(request: web.Request) -> web.Response:
    """libphonenumber-js as an ES module, imported by ``embed.js`` into CRM pages."""
    assets = request.app[ASSETS]
    return web.Response(
        text=assets.phone_number_module(),
        content_type="text/javascript",
        headers={**ANY_ORIGIN, "Cache-Control": IMMUTABLE},
    )


async def latest_phone_number_module(request: web.Request) -> web.Response:
    """The unversioned name ``embed.js`` knows, sent on to the versioned (cached) one."""
    raise web.HTTPFound(
        request.app[ASSETS].phone_number_module_url,
        headers={**ANY_ORIGIN, "Cache-Control": "no-cache"},
    )


async def pyodide_start_module(request: web.Request) -> web.Response:
    """The module PyScript loads as Pyodide: it starts Pyodide from the snapshot."""
    snapshot = request.app[ASSETS].pyodide_snapshot
    assert snapshot is not None  # the route exists only with a snapshot
    return web.Response(text=snapshot.start_module, content_type="text/javascript")


async def pyodide_snapshot(request: web.Request) -> web.FileResponse:
    """Pyodide's memory snapshot (gzip-compressed for browsers that accept it)."""
    snapshot = request.app[ASSETS].pyodide_snapshot
    assert snapshot is not None
    return web.FileResponse(snapshot.path, headers={"Content-Type": "application/octet-stream"})


async def _cache_runtimes(request: web.Request, response: web.StreamResponse) -> None:
    if request.path.startswith("/runtime/") and response.status == 200:
        response.headers["Cache-Control"] = IMMUTABLE


def add_routes(app: web.Application) -> None:
    assets = app[ASSETS]
    if assets.pyodide_snapshot is not None:  # before the runtime's folder, whose URLs they share
        app.router.add_get(assets.pyodide_snapshot.start_url, pyodide_start_module)
        app.router.add_get(assets.pyodide_snapshot.url, pyodide_snapshot)
    for package in assets.packages.values():
        app.router.add_static(package.prefix, package.directory, follow_symlinks=False)
    app.router.add_get("/widget/py/{name}", widget_module)
    app.router.add_get("/static/{name}", static_file)
    app.router.add_get(PHONE_NUMBERS_LATEST, latest_phone_number_module)
    app.router.add_get(assets.phone_number_module_url, phone_number_module)
    app.on_response_prepare.append(_cache_runtimes)
