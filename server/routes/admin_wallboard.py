"""Admin page "Wallboard" (``/admin/wallboard``): a tenant's agents and queues now, for
a wall screen. The page is the board as a table snapshot (readable without JavaScript);
``/admin/wallboard/events`` is a server-sent-events stream of the board, a new
``board`` event after each change of the event flow (`server.wallboard.feed`), the
first at once. Each event's data is ``{"board": <the snapshot as JSON>, "html": <the
board's markup>}``; the page's script swaps the markup in and counts the times up.
Dark by default; ``?theme=light`` for a light room."""

import asyncio
import contextlib
import json
import time
from typing import Any

from aiohttp import web

from server.keys import CONFIG, DATABASE, DRAIN, STREAM_HUB, TEMPLATES
from server.routes.admin_render import chosen_tenant, render
from server.wallboard.feed import WallboardFeed
from server.wallboard.snapshot import Snapshot, take_snapshot

FEED = web.AppKey("wallboard_feed", WallboardFeed)
KEEP_ALIVE_SECONDS = 15.0
RETRY_MILLISECONDS = 2000  # how soon a browser reconnects a dropped stream


def elapsed(seconds: float) -> str:
    """A time in state as a clock shows it: ``4:07``, ``1:02:03``."""
    whole = max(int(seconds), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _board_context(snapshot: Snapshot) -> dict[str, Any]:
    return {"board": snapshot, "elapsed": elapsed}


def _board_html(request: web.Request, snapshot: Snapshot) -> str:
    template = request.config_dict[TEMPLATES].get_template("admin/wallboard_board.html")
    return template.render(**_board_context(snapshot))


async def wallboard_html(request: web.Request) -> web.Response:
    tenant = chosen_tenant(request)
    snapshot = await take_snapshot(request.config_dict[DATABASE], tenant)
    return render(
        request,
        "admin/wallboard.html",
        tenant=tenant,
        tenants=sorted(request.config_dict[CONFIG].tenants),
        theme="light" if request.query.get("theme") == "light" else "dark",
        **_board_context(snapshot),
    )


def _event(request: web.Request, snapshot: Snapshot) -> bytes:
    data = json.dumps({"board": snapshot.data(), "html": _board_html(request, snapshot)})
    return f"event: board\ndata: {data}\n\n".encode()


async def wallboard_events(request: web.Request) -> web.StreamResponse:
    tenant = chosen_tenant(request)
    config = request.config_dict
    database, hub = config[DATABASE], config[STREAM_HUB]
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # a proxy passes each event on at once
        }
    )
    await response.prepare(request)
    await response.write(f"retry: {RETRY_MILLISECONDS}\n\n".encode())
    stopping = asyncio.Event()

    async def stop() -> None:
        stopping.set()

    feed = request.app[FEED]
    async with feed.open(database, hub, config[CONFIG].tenants, tenant.id) as board:
        # A closed browser tab ends the stream: nothing to report.
        with config[DRAIN].closing(stop), contextlib.suppress(ConnectionResetError):
            await response.write(_event(request, await take_snapshot(database, tenant)))
            while not stopping.is_set():
                waiting = asyncio.ensure_future(board.next())
                stopped = asyncio.ensure_future(stopping.wait())
                done, _ = await asyncio.wait(
                    {waiting, stopped},
                    timeout=KEEP_ALIVE_SECONDS,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in (waiting, stopped):
                    if task not in done:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                if waiting in done:
                    await response.write(_event(request, waiting.result()))
                elif not done:
                    await response.write(f": still here {int(time.time())}\n\n".encode())
    return response


def add_routes(admin: web.Application) -> None:
    admin[FEED] = WallboardFeed()
    admin.router.add_get("/wallboard", wallboard_html)
    admin.router.add_get("/wallboard/events", wallboard_events)
