"""``GET /metrics`` (`server.metrics`): with the admin's credentials at ``/metrics`` on the
bridge's address, or without any on the separate address ``[server] metrics_listen``
(e.g. ``"127.0.0.1:9108"``: keep it private)."""

from collections.abc import AsyncIterator

from aiohttp import web

from server.auth import require_admin
from server.keys import CONFIG, DATABASE, METRICS


async def metrics(request: web.Request) -> web.Response:
    """``GET /metrics`` on the bridge's own address: the admin's credentials needed."""
    require_admin(request)
    return await request.config_dict[METRICS].exposition(request.config_dict[DATABASE])


async def metrics_listen(app: web.Application) -> AsyncIterator[None]:
    """A ``cleanup_ctx`` part: ``/metrics`` without credentials on ``[server]
    metrics_listen``, when set."""
    listen = app[CONFIG].server.metrics_listen
    if not listen:
        yield
        return

    async def open_metrics(request: web.Request) -> web.Response:
        return await app[METRICS].exposition(app[DATABASE])

    own = web.Application()
    own.router.add_get("/metrics", open_metrics)
    runner = web.AppRunner(own, access_log=None)
    await runner.setup()
    host, _, port = listen.rpartition(":")
    await web.TCPSite(runner, host.strip("[]") or "127.0.0.1", int(port)).start()
    try:
        yield
    finally:
        await runner.cleanup()


def add_routes(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
