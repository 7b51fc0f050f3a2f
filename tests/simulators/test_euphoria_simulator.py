"""The Euphoria simulator answers as specs 000 and 001 say, over real sockets."""

import asyncio
import base64
import io
import struct
from typing import Any

import numpy as np
import pytest
import soundfile
from aiohttp.test_utils import TestClient

from simulators.euphoria import DEMO_RECORDING, create_euphoria_simulator, wav

TENANT, AUTH = "Acme", "Your-Auth-Key-goes-here"
ENVELOPE = '<?xml version="1.0" encoding="UTF-8"?>\n<XML>\n <Error>{}</Error>\n</XML>\n'

# Spec 000's request example, verbatim (its "<Name>" closing tag included).
SPEC_000_REQUEST = """<XML>
<Tenant>
<Name>Your Tenant Name<Name>
<Auth>Your-Auth-Key-goes-here</Auth>
</Tenant>
<ActionName>DialerTrickleFeed</ActionName>
<ListName></ListName>
<CampaignName></CampaignName>
<DataSource></DataSource>
<priority></priority>
<ContactsList>
<Contact>
<Title></Title>
<FirstName></FirstName>
<Surname></Surname>
<Address></Address>
<email></email>
<PhoneNumber></PhoneNumber>
<Notes></Notes>
<Language></Language>
<Custom1></Custom1>
<Custom2></Custom2>
<Custom3></Custom3>
<Custom4></Custom4>
<Custom5></Custom5>
<CrmTag></CrmTag>
<AssignedTo></AssignedTo>
</Contact>
</ContactsList>
</XML>"""

# Spec 001's request example, verbatim (trailing space in ActionName included).
SPEC_001_REQUEST = """<XML>
\t<Tenant>
\t\t<Name>Your Tenant Name<Name>
\t\t<Auth>Your-Auth-Key-goes-here</Auth>
\t</Tenant>
\t<ActionName>DownloadCallRecordingByFilename </ActionName>
<FileName></FileName>
</XML>"""

# The field table's examples of spec 000.
TABLE_EXAMPLE = {
    "Title": "Mr",
    "FirstName": "TestName",
    "Surname": "TestSurname",
    "Address": "Johannesburg",
    "email": "test@gmail.com",
    "PhoneNumber": "0105934500",
    "Notes": "NotesTesting",
    "Language": "English",
    "Custom1": "Custom1",
    "Custom2": "Custom2",
    "Custom3": "Custom3",
    "Custom4": "Custom4",
    "Custom5": "Custom5",
    "CrmTag": "CrmTag1",
    "AssignedTo": "105",
}


def fixed(example: str) -> str:
    """The example as the project reads it: ``</Name>``, and our test tenant's name."""
    return example.replace("<Name>Your Tenant Name<Name>", f"<Name>{TENANT}</Name>")


def filled_feed(**replace: str) -> str:
    """Spec 000's example, well-formed, with the field table's example values."""
    body = fixed(SPEC_000_REQUEST)
    values = {
        "ListName": "ListNumber5",
        "CampaignName": "SalesCampaign",
        "DataSource": "UploadMarch",
        "priority": "2",
        **TABLE_EXAMPLE,
        **replace,
    }
    for tag, value in values.items():
        body = body.replace(f"<{tag}></{tag}>", f"<{tag}>{value}</{tag}>")
    return body


def download(filename: str) -> str:
    return fixed(SPEC_001_REQUEST).replace(
        "<FileName></FileName>", f"<FileName>{filename}</FileName>"
    )


@pytest.fixture
async def client(aiohttp_client: Any) -> TestClient:
    return await aiohttp_client(create_euphoria_simulator(tenants={TENANT: AUTH}))


async def post(client: TestClient, body: str | bytes) -> str:
    async with client.post("/api/", data=body, headers={"Content-Type": "text/xml"}) as response:
        assert response.status == 200
        assert response.content_type == "text/xml"
        return await response.text()


async def state(client: TestClient) -> dict[str, Any]:
    async with client.get("/_sim/state") as response:
        return await response.json()


# Spec examples as test vectors


async def test_spec_000_example_as_printed_is_not_well_formed(client: TestClient) -> None:
    assert await post(client, SPEC_000_REQUEST) == ENVELOPE.format("Input XML not loaded")


async def test_spec_000_example_with_empty_fields_lacks_required_input(client: TestClient) -> None:
    answer = await post(client, fixed(SPEC_000_REQUEST))
    assert answer == ENVELOPE.format("Incorrect Input Parameters. Please check the documentation")


async def test_spec_000_example_with_table_values_stores_the_contact(client: TestClient) -> None:
    answer = await post(client, filled_feed())
    assert "<Success>True</Success>" in answer and "<ContactsAdded>1</ContactsAdded>" in answer
    stored = (await state(client))["contacts"][TENANT]["SalesCampaign"]["ListNumber5"]
    assert stored == [{**TABLE_EXAMPLE, "priority": 2, "DataSource": "UploadMarch"}]


async def test_spec_001_example_with_trailing_space_and_empty_file_name(client: TestClient) -> None:
    answer = await post(client, fixed(SPEC_001_REQUEST))
    assert answer == ENVELOPE.format("Incorrect Input Parameters. Please check documentation")


async def test_spec_001_example_downloads_the_seeded_recording(client: TestClient) -> None:
    answer = await post(client, download(DEMO_RECORDING))
    assert answer.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<XML>')
    assert f"<fileName>{DEMO_RECORDING}</fileName>" in answer
    audio = answer.split("<audioData>")[1].split("</audioData>")[0]
    assert audio.startswith("UklGR")  # as the spec's "UklGRuIPAQ....": "RIFF"
    assert base64.b64decode(audio, validate=True) == wav.demo_recording()


# Every condition with its documented text


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (b"", "Input XML not loaded"),
        ("<XML><Tenant>", "Input XML not loaded"),
        ("not xml at all", "Input XML not loaded"),
        (
            '<?xml version="1.0"?><!DOCTYPE XML [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><XML>&b;</XML>',
            "Input XML not loaded",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE XML [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<XML>&x;</XML>",
            "Input XML not loaded",
        ),
        ("<xml></xml>", "No Document Element"),
        ("<Request><Tenant/></Request>", "No Document Element"),
        ("<XML></XML>", "Authorization Failed"),
        ("<XML><Tenant><Name>Acme</Name><Auth>wrong</Auth></Tenant></XML>", "Authorization Failed"),
        (
            f"<XML><Tenant><Name>Other</Name><Auth>{AUTH}</Auth></Tenant></XML>",
            "Authorization Failed",
        ),
        (f"<XML><Tenant><Name>Acme</Name><Auth>{AUTH}</Auth></Tenant></XML>", "No Action Defined"),
        (
            f"<XML><Tenant><Name>Acme</Name><Auth>{AUTH}</Auth></Tenant>"
            "<ActionName>  </ActionName></XML>",
            "No Action Defined",
        ),
        (
            f"<XML><Tenant><Name>Acme</Name><Auth>{AUTH}</Auth></Tenant>"
            "<ActionName>DialerTrickleFeeds</ActionName></XML>",
            "Action Name Not Found",
        ),
    ],
)
async def test_envelope_errors(client: TestClient, body: str | bytes, text: str) -> None:
    assert await post(client, body) == ENVELOPE.format(text)


async def test_a_get_without_a_body_is_an_error_envelope_too(client: TestClient) -> None:
    async with client.get("/api/") as response:
        assert response.status == 200
        assert await response.text() == ENVELOPE.format("Input XML not loaded")


@pytest.mark.parametrize(
    "body",
    [
        filled_feed(ListName=""),
        filled_feed(CampaignName=""),
        filled_feed(PhoneNumber=""),
        filled_feed(priority="11"),
        filled_feed(priority="0"),
        filled_feed(priority="high"),
        filled_feed().replace("<Notes>NotesTesting</Notes>", ""),
        filled_feed().replace("<DataSource>UploadMarch</DataSource>", ""),
        filled_feed().replace("<Contact>", "<Person>").replace("</Contact>", "</Person>"),
        filled_feed().split("<ContactsList>")[0] + "<ContactsList></ContactsList></XML>",
    ],
    ids=[
        "no-list",
        "no-campaign",
        "no-phone",
        "priority-11",
        "priority-0",
        "priority-text",
        "missing-tag",
        "missing-datasource",
        "not-a-contact",
        "no-contacts",
    ],
)
async def test_trickle_feed_required_input(client: TestClient, body: str) -> None:
    answer = await post(client, body)
    assert answer == ENVELOPE.format("Incorrect Input Parameters. Please check the documentation")
    assert (await state(client))["contacts"] == {}


async def test_element_names_match_without_case_and_contacts_wrapper(client: TestClient) -> None:
    body = (
        filled_feed(priority="")
        .replace("<email>", "<Email>")
        .replace("</email>", "</Email>")
        .replace("<ListName>", "<LISTNAME>")
        .replace("</ListName>", "</LISTNAME>")
        .replace("<Contact>", "<Contacts>")
        .replace("</Contact>", "</Contacts>")
    )
    assert "<Success>True</Success>" in await post(client, body)
    [contact] = (await state(client))["contacts"][TENANT]["SalesCampaign"]["ListNumber5"]
    assert contact["email"] == "test@gmail.com"
    assert contact["priority"] == 5  # empty priority: the documented default


async def test_many_contacts_in_one_call(client: TestClient) -> None:
    one = filled_feed().split("<ContactsList>")[1].split("</ContactsList>")[0]
    body = filled_feed().replace(one, one.replace("0105934500", "0105934501") + one)
    assert "<ContactsAdded>2</ContactsAdded>" in await post(client, body)
    stored = (await state(client))["contacts"][TENANT]["SalesCampaign"]["ListNumber5"]
    assert [c["PhoneNumber"] for c in stored] == ["0105934501", "0105934500"]


async def test_unknown_recording(client: TestClient) -> None:
    assert await post(client, download("pbx4-nope.WAV")) == ENVELOPE.format("File Not Found")


async def test_error_texts_are_escaped_and_bodies_are_recorded(client: TestClient) -> None:
    await post(client, "<xml/>")
    async with client.get("/_sim/requests", params={"path": "/api/"}) as response:
        [recorded] = await response.json()
    assert recorded["body"] == "<xml/>" and recorded["method"] == "POST"


# The concurrency limit


async def test_a_fourth_concurrent_call_of_one_action_is_refused(aiohttp_client: Any) -> None:
    app = create_euphoria_simulator(tenants={TENANT: AUTH, "Other": AUTH}, work_seconds=0.3)
    client = await aiohttp_client(app)
    feeds = [post(client, filled_feed()) for _ in range(4)]
    other_action = post(client, download(DEMO_RECORDING))
    other_tenant = post(
        client, filled_feed().replace(f"<Name>{TENANT}</Name>", "<Name>Other</Name>")
    )
    answers = await asyncio.gather(*feeds, other_action, other_tenant)
    refused = [a for a in answers if "Concurrent API Calls Exceeded" in a]
    assert refused == [ENVELOPE.format("Concurrent API Calls Exceeded")]
    assert "<audioData>" in answers[4] and "<Success>" in answers[5]
    peak = (await state(client))["peak_concurrency"]
    assert peak == {
        TENANT: {"DialerTrickleFeed": 4, "DownloadCallRecordingByFilename": 1},
        "Other": {"DialerTrickleFeed": 1},
    }
    # Once the calls are over, the action is free again.
    assert "<Success>" in await post(client, filled_feed())


# The seeded recording is a real GSM 6.10 WAV


def gsm_header(data: bytes) -> dict[str, int]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack("<I", data[4:8])[0] == len(data) - 8
    chunks, at = {}, 12
    while at < len(data):
        kind, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        chunks[kind] = data[at + 8 : at + 8 + size]
        at += 8 + size + size % 2
    tag, channels, rate, per_second, align, bits, extra, per_block = struct.unpack(
        "<HHIIHHHH", chunks[b"fmt "]
    )
    return {
        "tag": tag,
        "channels": channels,
        "rate": rate,
        "bytes_per_second": per_second,
        "block_align": align,
        "bits": bits,
        "extra": extra,
        "samples_per_block": per_block,
        "samples": struct.unpack("<I", chunks[b"fact"])[0],
        "data": len(chunks[b"data"]),
    }


def test_demo_recording_is_a_gsm610_wav() -> None:
    header = gsm_header(wav.demo_recording())
    assert header == {
        "tag": 0x0031,
        "channels": 1,
        "rate": 8000,
        "bytes_per_second": 1625,
        "block_align": 65,
        "bits": 0,
        "extra": 2,
        "samples_per_block": 320,
        "samples": 16000,
        "data": 50 * 65,
    }


def test_odd_length_data_is_padded_and_counted() -> None:
    header = gsm_header(wav.gsm610_wav(wav.tone(0.05, 1000.0)))  # 400 samples: 2 blocks
    assert header["samples"] == 400 and header["data"] == 130
    odd = wav.gsm610_wav(wav.tone(0.01, 1000.0))  # 1 block, 65 bytes: a pad byte
    assert len(odd) % 2 == 0 and gsm_header(odd)["data"] == 65


async def test_the_seeded_recording_decodes_as_a_440_hz_tone(client: TestClient) -> None:
    answer = await post(client, download(DEMO_RECORDING))
    data = base64.b64decode(answer.split("<audioData>")[1].split("</audioData>")[0])
    header = gsm_header(data)
    assert (header["tag"], header["rate"], header["channels"]) == (0x0031, 8000, 1)
    decoded, rate = soundfile.read(io.BytesIO(data), dtype="int16")
    assert rate == 8000 and decoded.shape == (16000,)  # mono, 2 s
    spectrum = np.abs(np.fft.rfft(decoded))
    assert np.fft.rfftfreq(len(decoded), 1 / rate)[spectrum.argmax()] == 440.0
    original = wav.tone(2.0, 440.0).astype(np.float64)
    noise = np.sum((original - decoded) ** 2)
    assert 10 * np.log10(np.sum(original**2) / noise) > 20  # dB
