"""A faithful Euphoria XML API (specs 000 and 001) as an aiohttp app.

One endpoint (``path``, default ``/api/``) takes the XML document as the request body
and always answers HTTP 200 with an ``<XML>`` document; errors are
``<?xml version="1.0" encoding="UTF-8"?><XML><Error>…</Error></XML>`` with the exact
texts of the Error Reference, checked in this order:

1. the body is not well-formed XML (or has a DTD): "Input XML not loaded";
2. the root is not ``XML`` (case-sensitive): "No Document Element";
3. ``Tenant/Name`` and ``Tenant/Auth`` do not match a tenant: "Authorization Failed";
4. no ``ActionName``, or an empty one: "No Action Defined";
5. an unknown action (matched after trimming whitespace): "Action Name Not Found";
6. a 4th concurrent call of one action for one tenant: "Concurrent API Calls Exceeded";
7. a required field missing or invalid: "Incorrect Input Parameters. Please check the
   documentation" (``DialerTrickleFeed``, spec 000's spelling) or "… Please check
   documentation" (``DownloadCallRecordingByFilename``, spec 001's spelling).

Element names are matched without regard to case (``email``/``Email``); ``<Contact>``
(the example) and ``<Contacts>`` (the field table) are both accepted. The texts the spec
documents but that no simulated condition raises ("Permission Denied", "Sip Server not
found", "That username is not part of this Tenant", the database failure) are produced
with a ``body`` fault (`simulators.control`).

Readings of our own, where the spec shows nothing: a trickle feed's success answer is
``<XML><Success>True</Success><ContactsAdded>N</ContactsAdded></XML>``; an unknown
recording is ``<Error>File Not Found</Error>``.

``GET /_sim/state`` shows the contacts fed (tenant → campaign → list → contacts), the
peak number of concurrent calls seen per tenant and action (refused ones included, so a
client that respects the limit never shows more than 3), and the recordings held.
"""

import asyncio
from collections.abc import Awaitable, Callable
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from aiohttp import web

from simulators.control import SimulatorControl
from simulators.euphoria import wav
from simulators.euphoria.answers import Refusal, xml_answer
from simulators.euphoria.recordings import DOWNLOAD_RECORDING, download_recording
from simulators.euphoria.requests import authenticate, parse, text
from simulators.euphoria.state import (
    CONCURRENT_LIMIT,
    CONTROL,
    DEMO_RECORDING,
    STATE,
    EuphoriaState,
)
from simulators.euphoria.trickle_feed import TRICKLE_FEED, trickle_feed

Action = Callable[[web.Request, Element, str], Awaitable[web.StreamResponse]]


def create_euphoria_simulator(
    *,
    tenants: dict[str, str],
    recordings: dict[str, bytes] | None = None,
    path: str = "/api/",
    work_seconds: float = 0.0,
) -> web.Application:
    """The API for ``tenants`` (tenant name → auth code).

    ``recordings`` (file name → WAV bytes) defaults to one GSM 6.10 demo tone under
    `DEMO_RECORDING`. ``work_seconds`` is how long each action takes inside the dialer,
    the time a call counts against the concurrency limit.
    """
    if recordings is None:
        recordings = {DEMO_RECORDING: wav.demo_recording()}
    control = SimulatorControl()
    app = web.Application()
    control.install(app)  # outermost: even refused requests are recorded
    app[STATE] = EuphoriaState(dict(tenants), dict(recordings), work_seconds)
    app[CONTROL] = control
    app.router.add_route("*", path, _handle)
    app.router.add_get("/_sim/state", _state)
    return app


async def _state(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].snapshot())


async def _handle(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        root = parse(await request.read())
        tenant = authenticate(root, state.tenants)
        action_name = text(root, "ActionName").strip()
        if not action_name:
            raise Refusal("No Action Defined")
        action = ACTIONS.get(action_name)
        if action is None:
            raise Refusal("Action Name Not Found")
        key = (tenant, action_name)
        state.in_flight[key] += 1
        try:
            state.peak[key] = max(state.peak[key], state.in_flight[key])
            if state.in_flight[key] > CONCURRENT_LIMIT:
                raise Refusal("Concurrent API Calls Exceeded")
            await asyncio.sleep(state.work_seconds)
            return await action(request, root, tenant)
        finally:
            state.in_flight[key] -= 1
    except Refusal as refusal:
        return xml_answer(f" <Error>{escape(str(refusal))}</Error>")


ACTIONS: dict[str, Action] = {
    TRICKLE_FEED: trickle_feed,
    DOWNLOAD_RECORDING: download_recording,
}
