"""``GET /api/v1/stream``: the live events of the logged-in agent, over a WebSocket.

A WebSocket rather than Server-Sent Events: browsers limit HTTP/1.1 to 6 connections per
host, and each SSE stream holds one, so a seventh CRM tab would starve; WebSockets are
not counted against that limit. The token never goes in the URL (which proxies and
access logs record): the client's first message, within `HELLO_SECONDS`, is
``{"type": "hello", "token", "after"}``. The server answers ``{"type": "welcome",
"live_status", "state", "calls", "pause_reasons", "cursor"}`` (or ``{"type": "error", "code",
"message"}`` and closes: 4401 for authentication, 4400 for anything else), then sends
every stored event of the agent numbered above ``cursor``, in order, then the live ones,
each once: ``{"type": "event", "id", "name", "data"}``, ``id`` being the agent's event
number (see `stream_log`): whichever instance received an event, the stream sends them in
number order without a gap. ``cursor`` is ``after`` when given; without it, the stream
starts before the agent's oldest call event of the last 10 minutes that no stream has
sent (see `server.events.missed_calls`), else at the newest event. Heartbeats keep it
alive; a session that ends closes it with 4401; a database that is down closes it with
1013, an instance that stops with 1012 (at the start of its stop); the widget then
resumes where it was, on another instance.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from aiohttp import WSMsgType, web
from pydantic import Field, ValidationError

from bridge import DialerAdapter
from server.agents import Agent
from server.client_address import client_address
from server.config import TenantConfig
from server.database_faults import is_database_down
from server.error_catalogue import AUTH_FAILED, RESTARTING, STREAM_CLOSES, TRY_AGAIN_LATER
from server.error_middleware import error_response
from server.events import stream_log
from server.events.call_display import queue_names
from server.events.call_model import event_data
from server.events.hub import Resync, Subscription
from server.events.stream_log import StreamEvent
from server.keys import (
    AGENTS,
    CONFIG,
    DATABASE,
    DELIVERY_NOTES,
    DIALERS,
    DRAIN,
    INTAKE,
    METRICS,
    SESSION_WATCH,
    SESSIONS,
    STREAM_ADMISSION,
    STREAM_HUB,
)
from server.problems import Problem
from server.request_body import Body
from widget import protocol

log = logging.getLogger(__name__)

HELLO_SECONDS = 3.0
CLOSE_REPLY_SECONDS = 1.0  # how long a refused client may take to answer the close
HEARTBEAT_SECONDS = 25.0


def stream_busy(per_address: int) -> web.Response:
    """The refusal of an upgrade beyond the per-address cap: 429, and the connection closed."""
    response = error_response(
        429,
        {
            "code": "too_many_streams",
            "message": f"at most {per_address} live streams may wait for their hello per"
            " client address: try again in a second",
            "retry_after": 1,
        },
        headers={"Retry-After": "1"},
    )
    response.force_close()
    return response


class Hello(Body):
    type: Literal["hello"]
    token: Annotated[str, Field(min_length=1, max_length=200)]
    after: Annotated[int, Field(ge=0)] | None = None


class ClientGone(Exception):
    """The client closed the socket (or it broke) before its hello."""


class StreamClosed(Exception):
    """A refusal of the stream: ``error`` is a code of `STREAM_CLOSES`, which gives the
    close code."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(message)
        self.code, self.error, self.message = STREAM_CLOSES[error], error, message


def live_status(tenant: TenantConfig, dialers: Mapping[str, DialerAdapter]) -> bool:
    """Whether the bridge hears about the tenant's calls: its click-to-call dialer, or
    any of its ``dialers`` when none places calls, pushes events."""
    if tenant.click_to_call_dialer:
        dialers = {tenant.click_to_call_dialer: dialers[tenant.click_to_call_dialer]}
    return any(adapter.traits.event_push is not None for adapter in dialers.values())


async def _hello(ws: web.WebSocketResponse) -> Hello:
    try:
        message = await ws.receive(timeout=HELLO_SECONDS)
    except TimeoutError:
        raise StreamClosed("no_hello", f"send hello within {HELLO_SECONDS:g} s") from None
    if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
        raise ClientGone()
    if message.type != WSMsgType.TEXT:
        raise StreamClosed("invalid_hello", "the first message must be a JSON hello")
    try:
        return Hello.model_validate_json(message.data)
    except ValidationError:
        raise StreamClosed(
            "invalid_hello",
            'the first message must be {"type": "hello", "token": "...", "after": null}',
        ) from None


async def _agent(request: web.Request, token: str) -> tuple[Agent, str]:
    try:
        session = await request.config_dict[SESSIONS].resolve(token)
    except Problem as problem:
        raise StreamClosed(problem.code, problem.message) from None
    agent = await request.config_dict[AGENTS].get_by_id(session.agent_id)
    if agent is None or not agent.active:
        raise StreamClosed("agent_disabled", "this agent is disabled or gone")
    return agent, session.token_hash


async def _welcome(request: web.Request, agent: Agent) -> dict[str, Any]:
    tenant = request.config_dict[CONFIG].tenants[agent.tenant]
    state, calls = await request.config_dict[INTAKE].agent_view(agent.id)
    return {
        "type": protocol.STREAM_WELCOME,
        "live_status": live_status(tenant, request.config_dict[DIALERS].of_tenant(tenant.id)),
        "state": None if state is None else state.data(),
        # Not ended yet: "answered" tells a ringing call from a connected one.
        "calls": [
            {**event_data(call, queue_names(tenant)), "answered": call.answered} for call in calls
        ],
        "pause_reasons": list(tenant.pause_reasons),
    }


async def _start_after(request: web.Request, agent_id: int) -> int:
    """Where a stream opened without ``after`` starts (`missed_calls.DeliveryNotes`)."""
    async with request.config_dict[DATABASE].connect() as connection:
        return await request.config_dict[DELIVERY_NOTES].start_after(connection, agent_id)


async def _send(request: web.Request, ws: web.WebSocketResponse, event: StreamEvent) -> None:
    await ws.send_json(event.message())
    observed = request.config_dict[METRICS]
    observed.events_sent.inc()
    observed.stream_lag.observe(max(0.0, time.time() - event.stored_at))
    request.config_dict[DELIVERY_NOTES].note(event)


async def _send_stored(
    request: web.Request, ws: web.WebSocketResponse, agent_id: int, after: int
) -> int:
    """Send the agent's stored events after ``after``; the id of the last one sent."""
    while True:
        async with request.config_dict[DATABASE].connect() as connection:
            events = await stream_log.since(connection, agent_id, after)
        for event in events:
            await _send(request, ws, event)
            after = event.seq
        if len(events) < stream_log.PAGE:
            return after


async def _send_live(
    request: web.Request, ws: web.WebSocketResponse, subscription: Subscription, last: int
) -> None:
    """Send each event numbered ``last + 1``; skip those sent; on a gap (the next one went
    through another instance and is not here yet) or a resync, read the database. If
    the database is down, close with 1013: the widget resumes from its last event."""
    try:
        while True:
            item = await subscription.get()
            if isinstance(item, Resync) or item.seq > last + 1:
                last = await _send_stored(request, ws, subscription.agent_id, last)
            elif item.seq == last + 1:
                await _send(request, ws, item)
                last = item.seq
    except Exception as error:
        if not is_database_down(error):
            raise
        await ws.close(code=TRY_AGAIN_LATER, message=b"database_unavailable")


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends until it closes."""
    async for _message in ws:
        pass


async def _refuse(ws: web.WebSocketResponse, closed: StreamClosed) -> None:
    """Say why, close, and wait at most `CLOSE_REPLY_SECONDS` for the client's reply."""
    with contextlib.suppress(ConnectionError):
        await ws.send_json(
            {"type": protocol.STREAM_ERROR, "code": closed.error, "message": closed.message}
        )
    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(
            ws.close(code=closed.code, message=closed.error.encode()), CLOSE_REPLY_SECONDS
        )


async def _signed_in(
    request: web.Request, ws: web.WebSocketResponse
) -> tuple[Hello, Agent, str] | None:
    """Upgrade, then read the hello and check its token, counted by `StreamAdmission`;
    ``None`` when the socket was refused or went away."""
    transport = request.transport
    admission = request.config_dict[STREAM_ADMISSION]
    with admission.waiting(client_address(request), transport.close if transport else lambda: None):
        await ws.prepare(request)
        try:
            hello = await _hello(ws)
            agent, token_hash = await _agent(request, hello.token)
        except ClientGone:
            log.debug("a live stream from %s closed before its hello", client_address(request))
            return None
        except StreamClosed as closed:
            await _refuse(ws, closed)
            return None
        except Exception as error:
            if not is_database_down(error):
                raise
            await ws.close(code=TRY_AGAIN_LATER, message=b"database_unavailable")
            return None
    return hello, agent, token_hash


async def stream(request: web.Request) -> web.StreamResponse:
    admission = request.config_dict[STREAM_ADMISSION]
    if admission.full_for(client_address(request)):
        return stream_busy(admission.per_address)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS, max_msg_size=4096)
    signed_in = await _signed_in(request, ws)
    if signed_in is None:
        return ws
    hello, agent, token_hash = signed_in

    async def close_session() -> None:
        with contextlib.suppress(ConnectionError):
            await ws.send_json(
                {
                    "type": protocol.STREAM_ERROR,
                    "code": "session_ended",
                    "message": "the session has ended",
                }
            )
        await ws.close(code=AUTH_FAILED, message=b"session_ended")

    async def close_for_restart() -> None:
        await ws.close(code=RESTARTING, message=b"server_restarting")

    hub, watch = request.config_dict[STREAM_HUB], request.config_dict[SESSION_WATCH]
    drain = request.config_dict[DRAIN]
    with (
        hub.subscribe(agent.id) as subscription,
        watch.watching(token_hash, close_session),
        drain.closing(close_for_restart),
    ):
        if drain.draining:
            await close_for_restart()
            return ws
        try:
            last = await _start_after(request, agent.id) if hello.after is None else hello.after
            await ws.send_json({**await _welcome(request, agent), "cursor": last})
            last = await _send_stored(request, ws, agent.id, last)
        except ConnectionError:  # the client left while it was being welcomed
            log.debug("a live stream closed while it was welcomed")
            return ws
        except Exception as error:
            if not is_database_down(error):
                raise
            await ws.close(code=TRY_AGAIN_LATER, message=b"database_unavailable")
            return ws
        sending = asyncio.create_task(_send_live(request, ws, subscription, last))
        try:
            await _drain(ws)
        finally:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await sending
    return ws


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/stream", stream)
