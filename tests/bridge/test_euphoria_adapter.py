"""The Euphoria adapter against the simulator, over real sockets, with a real transport."""

import asyncio
import base64
import os
import socket
import struct
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bridge.audit import AuditedAdapter, AuditEntry
from bridge.errors import (
    DialerBadResponse,
    DialerBusy,
    DialerError,
    DialerRejected,
    DialerTimeout,
    DialerUnauthorized,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.euphoria import EuphoriaSettings
from bridge.euphoria import error_reference as ex
from bridge.euphoria.adapter import EuphoriaAdapter, TrickleFeedResult
from bridge.euphoria.requests import CONTACT_TAGS, Contact
from bridge.interface import DialerList, OriginateRequest
from bridge.lead_export import export_leads
from simulators.euphoria import DEMO_RECORDING, create_euphoria_simulator, wav
from tests.dialers import FAST_BUSY, SimulatorRig, lead, transport

TENANT = "Acme & Sons <\"Ltd\"> 'Zoë'"
AUTH = "Auth-9f3c-SECRET-d41d"
ERROR = '<?xml version="1.0" encoding="UTF-8"?>\n<XML>\n <Error>{}</Error>\n</XML>\n'
FAST = FAST_BUSY
LIST = DialerList("7", "L", "C")

# Spec 000's request example with "</Name>" as the project reads it: the shape to send.
SPEC_000_SHAPE = """<XML><Tenant><Name>Your Tenant Name</Name><Auth>Your-Auth-Key-goes-here</Auth>
</Tenant><ActionName>DialerTrickleFeed</ActionName><ListName></ListName>
<CampaignName></CampaignName><DataSource></DataSource><priority></priority><ContactsList>
<Contact><Title></Title><FirstName></FirstName><Surname></Surname><Address></Address>
<email></email><PhoneNumber></PhoneNumber><Notes></Notes><Language></Language>
<Custom1></Custom1><Custom2></Custom2><Custom3></Custom3><Custom4></Custom4>
<Custom5></Custom5><CrmTag></CrmTag><AssignedTo></AssignedTo></Contact></ContactsList></XML>"""
SPEC_001_SHAPE = """<XML><Tenant><Name>Your Tenant Name</Name><Auth>Your-Auth-Key-goes-here</Auth>
</Tenant><ActionName>DownloadCallRecordingByFilename </ActionName><FileName></FileName></XML>"""
# The spec's error answer, verbatim.
SPEC_ERROR_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<XML>
 <Error>Description of error</Error>
</XML>
"""

EVERY_ERROR_TEXT = [
    ("Input XML not loaded", ex.InputXmlNotLoaded, DialerRejected),
    ("No Document Element", ex.NoDocumentElement, DialerRejected),
    ("Authorization Failed", ex.AuthorizationFailed, DialerUnauthorized),
    ("No Action Defined", ex.NoActionDefined, DialerRejected),
    (
        "Incorrect Input Parameters. Please check the documentation",
        ex.IncorrectInputParameters,
        DialerRejected,
    ),
    (
        "Incorrect Input Parameters. Please check documentation",
        ex.IncorrectInputParameters,
        DialerRejected,
    ),
    (
        "I'm sorry, connection to one or more of the databases failed",
        ex.DatabaseConnectionFailed,
        DialerUnavailable,
    ),
    ("That username is not part of this Tenant", ex.UsernameNotInTenant, DialerUnauthorized),
    ("Permission Denied", ex.PermissionDenied, DialerUnauthorized),
    ("Sip Server not found", ex.SipServerNotFound, DialerUnavailable),
    ("Concurrent API Calls Exceeded", ex.ConcurrentCallsExceeded, DialerBusy),
    ("Action Name Not Found", ex.ActionNameNotFound, DialerRejected),
]


def adapter_at(
    session: aiohttp.ClientSession,
    url: str,
    *,
    auth: str = AUTH,
    secrets: bool = True,
    **options: Any,
) -> EuphoriaAdapter:
    settings = EuphoriaSettings(base_url=url, tenant_name=TENANT, auth_code=auth, **options)
    told = settings.secrets() if secrets else ()
    return EuphoriaAdapter(
        transport(session, url, dialer="euphoria", timeout=settings.timeout, secrets=told),
        settings,
        retry=FAST,
    )


class Rig(SimulatorRig[EuphoriaAdapter]):
    async def sent(self) -> list[str]:
        """The bodies the simulator received at the API path, oldest first."""
        return [
            r["body"] for r in await self.sim("GET", "/_sim/requests", params={"path": "/api/"})
        ]

    async def fault(self, **spec: Any) -> None:
        await self.sim("POST", "/_sim/faults", json=spec)

    async def answer_once(self, body: str, *, times: int = 1, **spec: Any) -> None:
        """The next ``times`` calls (that match ``spec``) get ``body`` as the answer."""
        await self.fault(kind="body", body=body, content_type="text/xml", times=times, **spec)

    async def state(self) -> dict[str, Any]:
        return await self.sim("GET", "/_sim/state")


MakeRig = Callable[..., Awaitable[Rig]]


@pytest.fixture
async def make_rig(aiohttp_server: Any) -> AsyncIterator[MakeRig]:
    sessions: list[aiohttp.ClientSession] = []

    async def make(
        *,
        work_seconds: float = 0.0,
        recordings: dict[str, bytes] | None = None,
        timeout_seconds: float = 5.0,
        secrets: bool = True,
        auth: str = AUTH,
    ) -> Rig:
        app = create_euphoria_simulator(
            tenants={TENANT: AUTH}, recordings=recordings, work_seconds=work_seconds
        )
        server = await aiohttp_server(app)
        session = aiohttp.ClientSession()
        sessions.append(session)
        url = str(server.make_url(""))
        adapter = adapter_at(session, url, auth=auth, secrets=secrets, timeout=timeout_seconds)
        return Rig(adapter, [], server, session)

    yield make
    for session in sessions:
        await session.close()


@pytest.fixture
async def rig(make_rig: MakeRig) -> Rig:
    return await make_rig()


OddDialer = Callable[..., Awaitable[EuphoriaAdapter]]


@pytest.fixture
async def odd_dialer(aiohttp_server: Any) -> AsyncIterator[OddDialer]:
    """An adapter talking to a hand-written dialer: ``handler`` answers every POST."""
    sessions: list[aiohttp.ClientSession] = []

    async def make(handler: Any, *, path: str = "/api/") -> EuphoriaAdapter:
        app = web.Application()
        app.router.add_post(path, handler)
        server = await aiohttp_server(app)
        session = aiohttp.ClientSession()
        sessions.append(session)
        return adapter_at(session, str(server.make_url("")), path=path)

    yield make
    for session in sessions:
        await session.close()


def paths(document: str | bytes) -> list[str]:
    """Every element of ``document`` as its path from the root, in document order."""

    def walk(element: ET.Element, prefix: str) -> list[str]:
        here = f"{prefix}/{element.tag}"
        return [here] + [p for child in element for p in walk(child, here)]

    return walk(ET.fromstring(document), "")  # noqa: S314 (the test's own documents)


async def download(adapter: EuphoriaAdapter | AuditedAdapter, filename: str) -> bytes:
    return b"".join([chunk async for chunk in adapter.download_recording(filename)])


# What the adapter sends: the spec's examples are the contract


async def test_trickle_feed_sends_the_spec_example_shape(rig: Rig) -> None:
    result = await rig.adapter.trickle_feed("ListNumber5", "SalesCampaign", [Contact("0105934500")])
    [body] = await rig.sent()
    assert paths(body) == paths(SPEC_000_SHAPE)
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<Title></Title>" in body and "<email></email>" in body  # empty tags, as written
    root = ET.fromstring(body)  # noqa: S314
    assert root.findtext("Tenant/Name") == TENANT and root.findtext("Tenant/Auth") == AUTH
    assert root.findtext("priority") == "5" and root.findtext("DataSource") == ""
    assert result == TrickleFeedResult(contacts=1, answer={"Success": "True", "ContactsAdded": "1"})


async def test_recording_request_sends_the_spec_example_shape(rig: Rig) -> None:
    await download(rig.adapter, DEMO_RECORDING)
    [body] = await rig.sent()
    assert paths(body) == paths(SPEC_001_SHAPE)
    root = ET.fromstring(body)  # noqa: S314
    assert root.findtext("ActionName") == "DownloadCallRecordingByFilename"
    assert root.findtext("FileName") == DEMO_RECORDING


async def test_requests_are_posted_as_text_xml_to_the_configured_path(
    odd_dialer: OddDialer,
) -> None:
    async def echo_content_type(request: web.Request) -> web.Response:
        return web.Response(text=f"<XML><Got>{request.content_type}</Got></XML>")

    adapter = await odd_dialer(echo_content_type, path="/custom/endpoint")
    result = await adapter.trickle_feed("L", "C", [Contact("1")])
    assert result.answer == {"Got": "text/xml"}


async def test_every_contact_field_reaches_the_dialer(rig: Rig) -> None:
    contacts = [
        Contact(
            phone_number="0105934500",
            title="Mr",
            first_name="TestName",
            surname="TestSurname",
            address="Johannesburg",
            email="test@gmail.com",
            notes="NotesTesting",
            language="English",
            custom1="Custom1",
            custom2="Custom2",
            custom3="Custom3",
            custom4="Custom4",
            custom5="Custom5",
            crm_tag="CrmTag1",
            assigned_to="105",
        ),
        Contact(phone_number="0105934501", first_name="Second"),
    ]
    result = await rig.adapter.trickle_feed(
        "ListNumber5", "SalesCampaign", contacts, data_source="UploadMarch", priority=2
    )
    assert result.contacts == 2
    [body] = await rig.sent()
    assert len(ET.fromstring(body).findall("ContactsList/Contact")) == 2  # noqa: S314
    stored = (await rig.state())["contacts"][TENANT]["SalesCampaign"]["ListNumber5"]
    first = {tag: getattr(contacts[0], name) for tag, name in CONTACT_TAGS}
    assert stored[0] == {**first, "priority": 2, "DataSource": "UploadMarch"}
    assert stored[1]["FirstName"] == "Second" and stored[1]["Title"] == ""


async def test_hostile_names_survive_the_round_trip(rig: Rig) -> None:
    hostile = 'O\'Brien & Sons <b>"Ltd"</b> ]]> &amp; Zoë 😀 \u202e'
    await rig.adapter.trickle_feed(
        hostile, hostile, [Contact("1", first_name=hostile, notes="a\nb\tc")], data_source=hostile
    )
    lists = (await rig.state())["contacts"][TENANT]
    [contact] = lists[hostile][hostile]
    assert contact["FirstName"] == hostile and contact["DataSource"] == hostile
    assert contact["Notes"] == "a\nb\tc"


@pytest.mark.parametrize("value", ["bell\x07", "nul\x00", "lone \ud800 surrogate", "\ufffe"])
async def test_characters_xml_cannot_carry_are_refused_before_sending(rig: Rig, value: str) -> None:
    with pytest.raises(InvalidRequest, match="<FirstName>"):
        await rig.adapter.trickle_feed("L", "C", [Contact("1", first_name=value)])
    assert await rig.sent() == []


@pytest.mark.parametrize("priority", [0, 11, -1, True, 5.0, "5"])
async def test_priority_outside_1_to_10_is_refused_before_sending(rig: Rig, priority: Any) -> None:
    with pytest.raises(InvalidRequest, match="priority"):
        await rig.adapter.trickle_feed("L", "C", [Contact("1")], priority=priority)
    assert await rig.sent() == []


@pytest.mark.parametrize(
    ("list_name", "campaign", "contacts", "match"),
    [
        ("", "C", [Contact("1")], "list name"),
        ("L", " ", [Contact("1")], "campaign"),
        ("L", "C", [], "at least one contact"),
        ("L", "C", [Contact("1"), Contact(" ")], "without a phone number: 2"),
    ],
)
async def test_feed_input_is_checked_before_sending(
    rig: Rig, list_name: str, campaign: str, contacts: list[Contact], match: str
) -> None:
    with pytest.raises(InvalidRequest, match=match):
        await rig.adapter.trickle_feed(list_name, campaign, contacts)
    assert await rig.sent() == []


async def test_priority_bounds_are_accepted(rig: Rig) -> None:
    for priority in (1, 10):
        await rig.adapter.trickle_feed("L", "C", [Contact(str(priority))], priority=priority)
    stored = (await rig.state())["contacts"][TENANT]["C"]["L"]
    assert [c["priority"] for c in stored] == [1, 10]


# The generic interface


async def test_add_leads_maps_lead_fields_to_contact_tags(rig: Rig) -> None:
    contact = lead(
        "27105934500",
        first_name="Thandi",
        last_name="Nkosi",
        title="Ms",
        email="t@example.com",
        address="1 Main Rd",
        city="Johannesburg",
        postal_code="2000",
        notes="call after 5",
        language="Zulu",
        vendor_lead_code="CRM-42",
        custom={"Custom1": "gold", "CUSTOM5": "x", "assignedTo": "105"},
    )
    outcomes = await rig.adapter.add_leads(
        DialerList("7", "ListNumber5", "SalesCampaign"), [contact]
    )
    assert [(o.phone, o.ok) for o in outcomes] == [("27105934500", True)]
    [stored] = (await rig.state())["contacts"][TENANT]["SalesCampaign"]["ListNumber5"]
    assert stored == {
        "Title": "Ms",
        "FirstName": "Thandi",
        "Surname": "Nkosi",
        "Address": "1 Main Rd, Johannesburg, 2000",
        "email": "t@example.com",
        "PhoneNumber": "27105934500",
        "Notes": "call after 5",
        "Language": "Zulu",
        "Custom1": "gold",
        "Custom2": "",
        "Custom3": "",
        "Custom4": "",
        "Custom5": "x",
        "CrmTag": "CRM-42",
        "AssignedTo": "105",
        "priority": 5,
        "DataSource": "",
    }


NUMBERS = ["27105934501", "27105934502", "27105934503", "27105934504"]


async def test_exported_leads_go_in_one_call_per_priority(rig: Rig) -> None:
    priorities = [2, None, 2, 5]
    leads = [lead(n, priority=p) for n, p in zip(NUMBERS, priorities, strict=True)]
    outcomes = await export_leads(rig.adapter, LIST, leads)
    assert [o.ok for o in outcomes] == [True] * 4
    sent = [ET.fromstring(body) for body in await rig.sent()]  # noqa: S314
    calls = [
        (root.findtext("priority"), [c.findtext("PhoneNumber") for c in root.iter("Contact")])
        for root in sent
    ]
    assert calls == [("2", [NUMBERS[0], NUMBERS[2]]), ("5", [NUMBERS[1], NUMBERS[3]])]


async def test_one_batch_has_one_priority(rig: Rig) -> None:
    with pytest.raises(InvalidRequest, match="one priority"):
        await rig.adapter.add_leads(LIST, [lead(NUMBERS[0], priority=3), lead(NUMBERS[1])])
    assert await rig.sent() == []


async def test_export_reports_the_leads_a_later_call_failed(rig: Rig) -> None:
    await rig.answer_once(ERROR.format("Sip Server not found"), body_contains="<priority>5<")
    leads = [lead(NUMBERS[0], priority=3), lead(NUMBERS[1])]
    outcomes = await export_leads(rig.adapter, LIST, leads)
    assert [(o.phone, o.ok) for o in outcomes] == [(NUMBERS[0], True), (NUMBERS[1], False)]
    assert outcomes[1].message.startswith("not sent: ") and "SIP server" in outcomes[1].message


async def test_export_raises_when_the_first_call_fails(rig: Rig) -> None:
    await rig.answer_once(ERROR.format("Permission Denied"))
    with pytest.raises(ex.PermissionDenied):
        await export_leads(rig.adapter, LIST, [lead(NUMBERS[0])])


async def test_add_leads_refuses_custom_fields_it_cannot_send(rig: Rig) -> None:
    with pytest.raises(InvalidRequest, match="favourite_colour"):
        await rig.adapter.add_leads(LIST, [lead(NUMBERS[0], custom={"favourite_colour": "red"})])
    assert await rig.sent() == []


async def test_operations_euphoria_does_not_offer(rig: Rig) -> None:
    with pytest.raises(NotSupported, match="originate is not supported by euphoria"):
        await rig.adapter.originate(OriginateRequest("27105934500"))


# How the adapter reads answers


async def test_spec_error_answer_keeps_the_dialers_text(rig: Rig) -> None:
    await rig.answer_once(SPEC_ERROR_ANSWER)
    with pytest.raises(DialerRejected) as caught:
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])
    assert not isinstance(caught.value, ex.EuphoriaError)
    assert caught.value.dialer_text == "Description of error"
    assert "Description of error" in caught.value.message


@pytest.mark.parametrize(("text", "cls", "category"), EVERY_ERROR_TEXT)
async def test_every_documented_error_text_has_its_own_type(
    rig: Rig, text: str, cls: type[DialerError], category: type[DialerError]
) -> None:
    # Enough answers for a busy call's every attempt; other errors are not retried.
    await rig.answer_once(ERROR.format(text.replace("'", "&apos;")), times=FAST.attempts)
    with pytest.raises(cls) as caught:
        await rig.adapter.trickle_feed("L", "C", [Contact("1")], priority=1)
    error = caught.value
    assert type(error) is cls and isinstance(error, category)
    assert error.dialer_text == text and error.dialer == "euphoria"
    others = {c for _, c, _ in EVERY_ERROR_TEXT} - {cls}
    assert not any(isinstance(error, other) for other in others)


@pytest.mark.parametrize(
    ("text", "cls"),
    [(text, cls) for text, cls, _ in EVERY_ERROR_TEXT if cls is not ex.ConcurrentCallsExceeded],
)  # a busy answer is retried: see the concurrency tests
async def test_each_documented_text_is_detected_on_recordings_too(
    rig: Rig, text: str, cls: type[DialerError]
) -> None:
    await rig.answer_once(ERROR.format(text.replace("'", "&apos;")))
    with pytest.raises(cls):
        await download(rig.adapter, DEMO_RECORDING)


@pytest.mark.parametrize(
    "text",
    [
        "authorization failed",
        "  Authorization   Failed.  ",
        "Authorization Failed: Either the Name or Auth fields did not contain the correct",
    ],
)
async def test_error_texts_match_loosely(rig: Rig, text: str) -> None:
    await rig.answer_once(ERROR.format(text))
    with pytest.raises(ex.AuthorizationFailed) as caught:
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])
    assert caught.value.dialer_text == text.strip()


async def test_a_real_authorization_failure(make_rig: MakeRig) -> None:
    rig = await make_rig(auth="not-the-code")
    with pytest.raises(ex.AuthorizationFailed, match="auth code"):
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])


async def test_an_unknown_recording_is_a_rejection_with_the_dialers_text(rig: Rig) -> None:
    with pytest.raises(DialerRejected) as caught:
        await download(rig.adapter, "pbx4-missing.WAV")
    assert caught.value.dialer_text == "File Not Found"


async def test_any_xml_without_error_is_success(rig: Rig) -> None:
    await rig.answer_once("<XML/>")
    assert (await rig.adapter.trickle_feed("L", "C", [Contact("1")])).answer == {}


# Hostile and malformed answers

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE XML [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]><XML><Error>&j;</Error></XML>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE XML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<XML><Error>&x;</Error></XML>"
)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("<html><body><h1>502 Bad Gateway</h1></body></html>", "<html> document"),
        ("<p>not <b>nested</p></b>", "<p> document"),
        ("<XML><br></XML>", "malformed"),
        ('<?xml version="1.0"?><XML><Error>Authorization', "truncated"),
        ("", "not XML"),
        ("OK", "not XML"),
        (BILLION_LAUGHS, "DTD"),
        (EXTERNAL_ENTITY, "DTD"),
        ("<XML>&undefined;</XML>", "malformed"),
        ("<XML><Notes>" + "x" * 70_000 + "</Notes></XML>", "more text"),
    ],
    ids=[
        "html",
        "other-root",
        "mismatched",
        "truncated",
        "empty",
        "text",
        "bomb",
        "xxe",
        "entity",
        "big",
    ],
)
async def test_malformed_answers_are_bad_responses(rig: Rig, body: str, match: str) -> None:
    await rig.answer_once(body)
    started = time.perf_counter()
    with pytest.raises(DialerBadResponse, match=match) as caught:
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])
    assert time.perf_counter() - started < 2
    assert "root:" not in str(caught.value.to_dict())  # nothing of /etc/passwd


@pytest.mark.parametrize(
    ("audio", "match"),
    [
        (base64.b64encode(wav.demo_recording()).decode()[:-3], "cut short"),
        ("UklGR!!!", "not base64"),
        ("UklGRg==UklGRg==", "base64"),
        (base64.b64encode(b"ID3\x04 not a wav at all").decode(), "not a WAV"),
        (base64.b64encode(b"RIFF").decode(), "not a WAV"),
        ("", "not a WAV"),
    ],
)
async def test_bad_audio_is_a_bad_response(rig: Rig, audio: str, match: str) -> None:
    await rig.answer_once(f"<XML><fileName>f</fileName><audioData>{audio}</audioData></XML>")
    with pytest.raises(DialerBadResponse, match=match):
        await download(rig.adapter, DEMO_RECORDING)


async def test_an_answer_without_audio_data_is_a_bad_response(rig: Rig) -> None:
    await rig.answer_once("<XML><fileName>f</fileName></XML>")
    with pytest.raises(DialerBadResponse, match="without audioData"):
        await download(rig.adapter, DEMO_RECORDING)


async def test_an_endless_answer_without_a_recording_is_cut_off(odd_dialer: OddDialer) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/xml"})
        await response.prepare(request)
        await response.write(b"<XML>")
        while True:  # until the client goes away
            await response.write(b"<a/>" * 4096)

    adapter = await odd_dialer(endless)
    with pytest.raises(DialerBadResponse, match="without a recording"):
        await adapter.trickle_feed("L", "C", [Contact("1")])


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, DialerBadResponse), (302, DialerBadResponse), (503, DialerUnavailable)],
)
async def test_http_statuses_other_than_200(rig: Rig, status: int, error: type) -> None:
    await rig.fault(kind="status", status=status, body="<html>nope</html>", times=1)
    with pytest.raises(error, match=f"HTTP {status}"):
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])


async def test_base64_wrapped_in_lines_is_decoded(rig: Rig) -> None:
    encoded = base64.encodebytes(wav.demo_recording()).decode()  # 76-character lines
    await rig.answer_once(
        f"<XML>\n<fileName>x</fileName>\n<audioData>\n{encoded}</audioData></XML>"
    )
    assert await download(rig.adapter, DEMO_RECORDING) == wav.demo_recording()


async def test_the_spec_output_example_prefix_decodes_to_riff(rig: Rig) -> None:
    # Spec 001's audioData example starts "UklGRuIPAQ": "RIFF" and a size of 0x010FE2.
    size = 0x010FE2
    audio = b"RIFF" + struct.pack("<I", size) + b"WAVE" + bytes(size - 4)
    encoded = base64.b64encode(audio).decode()
    assert encoded.startswith("UklGRuIPAQ")
    await rig.answer_once(f"<XML><fileName>x.WAV</fileName><audioData>{encoded}</audioData></XML>")
    assert await download(rig.adapter, "x.WAV") == audio


# A dialer that is down or slow


async def test_a_closed_port_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with aiohttp.ClientSession() as session:
        adapter = adapter_at(session, f"http://127.0.0.1:{port}")
        with pytest.raises(DialerUnavailable, match="unreachable"):
            await adapter.trickle_feed("L", "C", [Contact("1")])
        with pytest.raises(DialerUnavailable, match="unreachable"):
            await download(adapter, DEMO_RECORDING)


async def test_a_dialer_that_never_answers_times_out(make_rig: MakeRig) -> None:
    rig = await make_rig(timeout_seconds=0.3)
    await rig.fault(kind="timeout", times=1)
    with pytest.raises(DialerTimeout):
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])


async def test_a_dropped_connection_is_unavailable(rig: Rig) -> None:
    await rig.fault(kind="drop", times=1)
    with pytest.raises(DialerUnavailable):
        await download(rig.adapter, DEMO_RECORDING)


# Limits: 3 in flight per action, back off and retry when the dialer is busy


async def test_never_more_than_three_calls_in_flight_per_action(make_rig: MakeRig) -> None:
    rig = await make_rig(work_seconds=0.15)
    feeds = [rig.adapter.trickle_feed("L", "C", [Contact(str(n))]) for n in range(8)]
    downloads = [download(rig.adapter, DEMO_RECORDING) for _ in range(5)]
    results = await asyncio.gather(*feeds, *downloads)
    assert all(isinstance(r, TrickleFeedResult) for r in results[:8])
    assert all(r == wav.demo_recording() for r in results[8:])
    peak = (await rig.state())["peak_concurrency"][TENANT]
    assert peak == {"DialerTrickleFeed": 3, "DownloadCallRecordingByFilename": 3}
    assert len(await rig.sent()) == 13  # queued, never refused, so never retried


async def test_busy_answer_is_retried(rig: Rig) -> None:
    await rig.answer_once(ERROR.format("Concurrent API Calls Exceeded"))
    [outcome] = await rig.audited.add_leads(LIST, [lead(NUMBERS[0])])
    assert outcome.ok
    assert len(await rig.sent()) == 2
    assert [(e.action, e.outcome) for e in rig.audit] == [("add_leads", "ok")]


async def test_busy_answer_on_a_recording_is_retried(rig: Rig) -> None:
    await rig.answer_once(ERROR.format("Concurrent API Calls Exceeded"))
    assert await download(rig.adapter, DEMO_RECORDING) == wav.demo_recording()
    assert len(await rig.sent()) == 2


async def test_busy_after_every_attempt_raises_dialer_busy(rig: Rig) -> None:
    body = ERROR.format("Concurrent API Calls Exceeded")
    await rig.fault(kind="body", body=body, content_type="text/xml", times=10)
    with pytest.raises(ex.ConcurrentCallsExceeded) as caught:
        await rig.audited.add_leads(LIST, [lead(NUMBERS[0])])
    assert isinstance(caught.value, DialerBusy)
    assert len(await rig.sent()) == FAST.attempts
    assert [(e.action, e.outcome) for e in rig.audit] == [("add_leads", "dialer_busy")]


# Recordings


async def test_recording_saved_to_a_file_is_the_seeded_gsm_wav(rig: Rig, tmp_path: Path) -> None:
    target = tmp_path / DEMO_RECORDING
    size = await rig.adapter.save_recording(DEMO_RECORDING, target)
    data = target.read_bytes()
    assert data == wav.demo_recording() and size == len(data)
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    tag, channels, rate = struct.unpack("<HHI", data[20:28])
    assert (tag, channels, rate) == (0x0031, 1, 8000)  # WAVE_FORMAT_GSM610
    assert not (tmp_path / f"{DEMO_RECORDING}.part").exists()


async def test_a_failed_save_leaves_no_file(rig: Rig, tmp_path: Path) -> None:
    target = tmp_path / "missing.WAV"
    with pytest.raises(DialerRejected):
        await rig.adapter.save_recording("missing.WAV", target)
    assert os.listdir(tmp_path) == []


async def test_a_large_recording_is_streamed_not_held(make_rig: MakeRig) -> None:
    size = 16 * 1024 * 1024
    audio = b"RIFF" + struct.pack("<I", size - 8) + b"WAVE" + bytes(range(256)) * (size // 256 - 1)
    audio += bytes(size - len(audio))
    rig = await make_rig(recordings={"big.WAV": audio})
    tracemalloc.start()
    try:
        pieces, received, mismatch = 0, 0, False
        async for chunk in rig.adapter.download_recording("big.WAV"):
            mismatch |= chunk != audio[received : received + len(chunk)]
            pieces += 1
            received += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size and not mismatch
    assert pieces > 50  # arrived in pieces ...
    # ... and never held whole (the simulator's copy was made before tracing began).
    assert peak < size // 4, f"{peak} bytes traced while streaming {size}"


async def test_an_empty_file_name_is_refused_before_sending(rig: Rig) -> None:
    with pytest.raises(InvalidRequest):
        await download(rig.adapter, "  ")
    assert await rig.sent() == []


# Secrets and the audit log


ECHOES = [
    ERROR.format(f"Authorization Failed for {AUTH}"),
    ERROR.format(f"Unexpected auth {AUTH}"),
    f"<{AUTH}>not xml",
    f"<X{AUTH}/>",
]


async def provoke(rig: Rig) -> list[DialerError]:
    """Failures whose dialer texts echo the auth code, and one refused before sending."""
    errors: list[DialerError] = []
    for body in ECHOES:
        await rig.answer_once(body)
        with pytest.raises(DialerError) as caught:
            await rig.audited.add_leads(LIST, [lead(NUMBERS[0])])
        errors.append(caught.value)
    with pytest.raises(DialerError) as caught:
        await rig.audited.add_leads(LIST, [lead(NUMBERS[0], notes="\x01")])
    errors.append(caught.value)
    return errors


def leaks(errors: list[DialerError], audit: list[AuditEntry]) -> list[str]:
    texts = [str(e.to_dict()) + repr(e) + str(e) for e in errors] + [repr(e) for e in audit]
    assert len(audit) == len(errors)
    return [text for text in texts if AUTH in text]


async def test_the_auth_code_is_in_no_error_and_no_audit_entry(rig: Rig) -> None:
    errors = await provoke(rig)
    await rig.fault(kind="status", status=500, body=f"crash {AUTH}", times=1)
    with pytest.raises(DialerUnavailable) as caught:
        await download(rig.audited, DEMO_RECORDING)
    errors.append(caught.value)
    assert not leaks(errors, rig.audit)
    assert errors[0].dialer_text == "Authorization Failed for ***"


async def test_a_secret_across_the_excerpts_end_is_still_redacted(rig: Rig) -> None:
    await rig.answer_once("x" * 190 + AUTH + "<not xml")
    with pytest.raises(DialerBadResponse) as caught:
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])
    assert caught.value.dialer_text == ("x" * 190 + "***<not xml")[:200]
    assert AUTH[:5] not in str(caught.value.to_dict())


async def test_an_empty_error_is_a_rejection(rig: Rig) -> None:
    await rig.answer_once("<XML><Error></Error></XML>")
    with pytest.raises(DialerRejected, match="no reason given"):
        await rig.adapter.trickle_feed("L", "C", [Contact("1")])


async def test_the_adapter_redacts_even_if_the_transport_was_not_told(make_rig: MakeRig) -> None:
    rig = await make_rig(secrets=False)
    assert not leaks(await provoke(rig), rig.audit)


async def test_audit_entries_name_the_operation_the_action_and_the_outcome(rig: Rig) -> None:
    await rig.audited.add_leads(LIST, [lead(NUMBERS[0])])
    await download(rig.audited, DEMO_RECORDING)
    with pytest.raises(DialerRejected):
        await download(rig.audited, "missing.WAV")
    assert [(e.dialer, e.action, e.detail, e.outcome, e.error_text) for e in rig.audit] == [
        ("euphoria", "add_leads", "DialerTrickleFeed", "ok", None),
        ("euphoria", "download_recording", "DownloadCallRecordingByFilename", "ok", None),
        (
            "euphoria",
            "download_recording",
            "DownloadCallRecordingByFilename",
            "dialer_rejected",
            "File Not Found",
        ),
    ]
