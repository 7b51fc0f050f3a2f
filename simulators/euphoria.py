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
import base64
import hmac
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from aiohttp import web
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from simulators import wav
from simulators.control import SimulatorControl

DEMO_RECORDING = "pbx4-1603469421.1196632-demo.WAV"
CONCURRENT_LIMIT = 3
TRICKLE_FEED = "DialerTrickleFeed"
DOWNLOAD_RECORDING = "DownloadCallRecordingByFilename"
CONTACT_TAGS = (
    "Title",
    "FirstName",
    "Surname",
    "Address",
    "email",
    "PhoneNumber",
    "Notes",
    "Language",
    "Custom1",
    "Custom2",
    "Custom3",
    "Custom4",
    "Custom5",
    "CrmTag",
    "AssignedTo",
)
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
AUDIO_CHUNK = 3 * 16 * 1024  # raw bytes per base64 piece written (a multiple of 3)


class Refusal(Exception):
    """Ends a request with ``<Error>text</Error>``."""


FEED_INPUT_ERROR = "Incorrect Input Parameters. Please check the documentation"  # spec 000
DOWNLOAD_INPUT_ERROR = "Incorrect Input Parameters. Please check documentation"  # spec 001


@dataclass(slots=True)
class EuphoriaState:
    tenants: dict[str, str]
    recordings: dict[str, bytes]
    work_seconds: float = 0.0
    contacts: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = field(default_factory=dict)
    in_flight: Counter[tuple[str, str]] = field(default_factory=Counter)
    peak: Counter[tuple[str, str]] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        peak: dict[str, dict[str, int]] = {}
        for (tenant, action), count in self.peak.items():
            peak.setdefault(tenant, {})[action] = count
        return {
            "contacts": self.contacts,
            "peak_concurrency": peak,
            "recordings": {name: len(data) for name, data in self.recordings.items()},
        }


STATE = web.AppKey("euphoria_state", EuphoriaState)
CONTROL = web.AppKey("euphoria_control", SimulatorControl)

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


def _xml_answer(inner: str) -> web.Response:
    return web.Response(
        text=f"{DECLARATION}<XML>\n{inner}\n</XML>\n", content_type="text/xml", charset="utf-8"
    )


async def _handle(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        root = _parse(await request.read())
        tenant = _authenticate(root, state.tenants)
        action_name = _text(root, "ActionName").strip()
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
        return _xml_answer(f" <Error>{escape(str(refusal))}</Error>")


def _parse(body: bytes) -> Element:
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError):
        raise Refusal("Input XML not loaded") from None
    if root.tag != "XML":
        raise Refusal("No Document Element")
    return root


def _child(parent: Element, name: str) -> Element | None:
    wanted = name.casefold()
    return next((c for c in parent if isinstance(c.tag, str) and c.tag.casefold() == wanted), None)


def _text(parent: Element, name: str) -> str:
    element = _child(parent, name)
    return "" if element is None else (element.text or "")


def _authenticate(root: Element, tenants: dict[str, str]) -> str:
    tenant = _child(root, "Tenant")
    name = "" if tenant is None else _text(tenant, "Name").strip()
    auth = "" if tenant is None else _text(tenant, "Auth").strip()
    expected = tenants.get(name)
    if not name or expected is None or not hmac.compare_digest(auth.encode(), expected.encode()):
        raise Refusal("Authorization Failed")
    return name


async def _trickle_feed(request: web.Request, root: Element, tenant: str) -> web.Response:
    contacts_list = _child(root, "ContactsList")
    required = ("ListName", "CampaignName", "DataSource")
    if contacts_list is None or any(_child(root, name) is None for name in required):
        raise Refusal(FEED_INPUT_ERROR)
    list_name, campaign = _text(root, "ListName").strip(), _text(root, "CampaignName").strip()
    priority = _priority(_text(root, "priority").strip())
    contacts = [_contact(element) for element in contacts_list]
    if not list_name or not campaign or not contacts:
        raise Refusal(FEED_INPUT_ERROR)
    data_source = _text(root, "DataSource")
    stored = [{**c, "priority": priority, "DataSource": data_source} for c in contacts]
    lists = request.app[STATE].contacts.setdefault(tenant, {}).setdefault(campaign, {})
    lists.setdefault(list_name, []).extend(stored)
    return _xml_answer(f" <Success>True</Success>\n <ContactsAdded>{len(contacts)}</ContactsAdded>")


def _priority(text: str) -> int:
    if not text:
        return 5
    if not text.isdigit() or not 1 <= int(text) <= 10:
        raise Refusal(FEED_INPUT_ERROR)
    return int(text)


def _contact(element: Element) -> dict[str, str]:
    if not isinstance(element.tag, str) or element.tag.casefold() not in ("contact", "contacts"):
        raise Refusal(FEED_INPUT_ERROR)
    if any(_child(element, tag) is None for tag in CONTACT_TAGS):
        raise Refusal(FEED_INPUT_ERROR)
    contact = {tag: _text(element, tag) for tag in CONTACT_TAGS}
    if not contact["PhoneNumber"].strip():
        raise Refusal(FEED_INPUT_ERROR)
    return contact


async def _download_recording(
    request: web.Request, root: Element, tenant: str
) -> web.StreamResponse:
    filename = _text(root, "FileName").strip()
    if not filename:
        raise Refusal(DOWNLOAD_INPUT_ERROR)
    audio = request.app[STATE].recordings.get(filename)
    if audio is None:
        raise Refusal("File Not Found")
    response = web.StreamResponse(headers={"Content-Type": "text/xml; charset=utf-8"})
    await response.prepare(request)
    await response.write(
        f"{DECLARATION}<XML>\n <fileName>{escape(filename)}</fileName>\n <audioData>".encode()
    )
    for start in range(0, len(audio), AUDIO_CHUNK):
        await response.write(base64.b64encode(audio[start : start + AUDIO_CHUNK]))
    await response.write(b"</audioData>\n</XML>\n")
    await response.write_eof()
    return response


ACTIONS: dict[str, Action] = {
    TRICKLE_FEED: _trickle_feed,
    DOWNLOAD_RECORDING: _download_recording,
}
