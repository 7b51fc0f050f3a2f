"""Event push: the simulator POSTs JSON events to the account's event URL.

The spec names the events and their variables but not the wrapper; the simulator sends
one JSON object per request::

    {"event": "agent:checkin", "data": {"user_id": 7, "device_id": 3, "device_name": "..."}}

Request handlers only queue an event; one background task delivers them in order.
A delivery that fails (connection error, timeout, non-2xx answer) is retried after each
of ``retry_delays`` (to the URL set by then) and then given up. ``GET /_sim/events``
lists what was sent and what was given up; ``POST /_sim/events`` pushes an arbitrary
``{"event", "data"}``;
``POST /_sim/events/redeliver`` ``{"index"?}`` pushes a sent event once more (the last
one by default), as a dialer retrying a delivery would. ``PUT /_sim/event_url``
``{"url"}`` sets where events go (``null``: nowhere), as the account's "Event Push
Notifications URL" does.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Coroutine, Sequence
from typing import Any

import aiohttp
from aiohttp import web

KEEP = 10_000  # events remembered under ``sent`` and ``given_up``


class EventPusher:
    """Queue and deliver events to ``url``; does nothing when ``url`` is ``None``."""

    def __init__(
        self,
        url: str | None,
        *,
        retry_delays: Sequence[float] = (0.1, 0.5, 1.0),
        timeout_seconds: float = 2.0,
    ) -> None:
        self.url = url
        self.sent: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self.given_up: deque[dict[str, Any]] = deque(maxlen=KEEP)
        self._retry_delays = tuple(retry_delays)
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def enabled(self) -> bool:
        return self.url is not None

    def push(self, event: str, data: dict[str, Any]) -> None:
        """Queue one event for delivery (returns at once)."""
        if self.enabled:
            self._queue.put_nowait({"event": event, "data": data})

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        """Run ``job`` (e.g. a call's timed events) in the background until cleanup."""
        task = asyncio.get_running_loop().create_task(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self, app: web.Application) -> AsyncIterator[None]:
        """``cleanup_ctx``: the delivery task and its HTTP session live as long as the app."""
        async with aiohttp.ClientSession(timeout=self._timeout) as session:
            self.spawn(self._deliver_forever(session))
            yield
            for task in list(self._tasks):
                task.cancel()
            for task in list(self._tasks):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _deliver_forever(self, session: aiohttp.ClientSession) -> None:
        while True:
            event = await self._queue.get()
            if self.url is not None:
                await self._deliver(session, event)

    async def _deliver(self, session: aiohttp.ClientSession, event: dict[str, Any]) -> None:
        """Each try goes to the URL set at that moment (a new one set meanwhile is used)."""
        error = ""
        for delay in (0.0, *self._retry_delays):
            await asyncio.sleep(delay)
            url = self.url
            if url is None:
                error = "no event_url"
                break
            try:
                async with session.post(url, json=event) as response:
                    if response.status < 300:
                        self.sent.append(event)
                        return
                    error = f"HTTP {response.status}"
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = type(failure).__name__
        self.given_up.append({**event, "error": error})


EVENTS = web.AppKey("rest_events", EventPusher)


async def _list_events(request: web.Request) -> web.Response:
    pusher = request.app[EVENTS]
    return web.json_response({"sent": list(pusher.sent), "given_up": list(pusher.given_up)})


async def _push_event(request: web.Request) -> web.Response:
    pusher = request.app[EVENTS]
    if not pusher.enabled:
        return web.json_response({"error": "the simulator has no event_url"}, status=409)
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not (
        isinstance(body, dict)
        and isinstance(body.get("event"), str)
        and isinstance(body.get("data", {}), dict)
    ):
        return web.json_response(
            {"error": 'the body must be {"event": "<name>", "data": {...}}'}, status=400
        )
    pusher.push(body["event"], body.get("data", {}))
    return web.json_response({"queued": True}, status=202)


async def _redeliver(request: web.Request) -> web.Response:
    pusher = request.app[EVENTS]
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        body = None
    index = body.get("index", -1) if isinstance(body, dict) else None
    if not isinstance(index, int) or not -len(pusher.sent) <= index < len(pusher.sent):
        return web.json_response(
            {"error": f'give {{"index": n}} of a sent event ({len(pusher.sent)} sent)'}, status=400
        )
    event = pusher.sent[index]
    pusher.push(event["event"], event["data"])
    return web.json_response({"queued": event}, status=202)


async def _set_event_url(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except ValueError:
        body = None
    url = body.get("url") if isinstance(body, dict) else ""
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        return web.json_response({"error": 'the body must be {"url": "http(s)://..."}'}, status=400)
    request.app[EVENTS].url = url
    return web.json_response({"url": url})


def install(app: web.Application, pusher: EventPusher) -> None:
    """Make ``pusher`` the app's event channel, with its ``/_sim/events`` routes."""
    app[EVENTS] = pusher
    app.cleanup_ctx.append(pusher.run)
    app.router.add_get("/_sim/events", _list_events)
    app.router.add_post("/_sim/events", _push_event)
    app.router.add_post("/_sim/events/redeliver", _redeliver)
    app.router.add_put("/_sim/event_url", _set_event_url)
