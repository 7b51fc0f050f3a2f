"""``GET /healthz`` and ``GET /readyz``, for load balancers and orchestrators.

``/healthz`` answers 200 while the process runs (restart it when it does not).
``/readyz`` answers 200 ``{"ready": true, ...}`` only while the instance can serve: its
database answers, on PostgreSQL its ``LISTEN`` for other instances' events is connected,
and it is not draining (`server.drain`); otherwise 503 with what is wrong (send it no
new requests, but leave it running).
"""

import asyncio

from aiohttp import web
from sqlalchemy import text

from server.database_faults import RETRY_AFTER_SECONDS, is_database_down
from server.keys import DATABASE, DRAIN, STREAM_HUB

DATABASE_CHECK_SECONDS = 2.0


async def health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def _database_answers(request: web.Request) -> bool:
    try:
        async with asyncio.timeout(DATABASE_CHECK_SECONDS):
            async with request.config_dict[DATABASE].connect() as connection:
                await connection.execute(text("SELECT 1"))
    except TimeoutError:
        return False
    except Exception as error:
        if is_database_down(error):
            return False
        raise
    return True


async def ready(request: web.Request) -> web.Response:
    draining = request.config_dict[DRAIN].draining
    hub = request.config_dict[STREAM_HUB]
    checks = {
        "database": "ok" if await _database_answers(request) else "unavailable",
        "listen": "ok" if hub.listening is not False else "disconnected",
        "draining": draining,
    }
    is_ready = checks["database"] == "ok" and checks["listen"] == "ok" and not draining
    if is_ready:
        return web.json_response({"ready": True, **checks})
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return web.json_response({"ready": False, **checks}, status=503, headers=headers)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", health)
    app.router.add_get("/readyz", ready)
