"""The demo CRM's back office: the look-up and call log the Integration Centre calls."""

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from demo.crm_back_office import CallLog
from demo.crm_site import CONTACTS, DemoAgent, create_crm_site

KEY = "demo-crm-key"
AUTH = {"X-Api-Key": KEY}


@pytest.fixture
async def crm() -> AsyncIterator[tuple[TestClient, CallLog]]:
    call_log = CallLog(api_key=KEY)
    app = create_crm_site(
        bridge_origin="http://127.0.0.1:1",
        tenant="demo",
        agent=DemoAgent("agent1", "pw", "1001"),
        recording="r.wav",
        call_log=call_log,
    )
    async with TestClient(TestServer(app)) as client:
        yield client, call_log


@pytest.mark.parametrize(
    ("path", "method"), [("/api/contacts?number=1", "GET"), ("/api/call-log", "POST")]
)
@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}])
async def test_the_back_office_wants_its_key(
    crm: tuple[TestClient, CallLog], path: str, method: str, headers: dict[str, str]
) -> None:
    client, call_log = crm
    response = await client.request(method, path, headers=headers, data={"a": "1"})
    assert response.status == 401
    assert "X-Api-Key" in (await response.json())["error"]
    assert call_log.entries == []


@pytest.mark.parametrize(
    ("number", "names"),
    [
        ("+12025550143", ["Ada Lovelace"]),
        ("2025550143", ["Ada Lovelace"]),
        ("+44 20 7946 0018", ["Alan Turing"]),
        ("+19999999999", []),
        ("", []),
    ],
)
async def test_contacts_are_found_by_number(
    crm: tuple[TestClient, CallLog], number: str, names: list[str]
) -> None:
    client, _ = crm
    response = await client.get("/api/contacts", params={"number": number}, headers=AUTH)
    records = await response.json()
    assert [record["name"] for record in records] == names
    assert all(set(record) == {"name", "phone", "company", "status", "owner"} for record in records)


async def test_a_logged_call_is_stored_once_per_delivery(crm: tuple[TestClient, CallLog]) -> None:
    client, call_log = crm
    name = "O'Brien & Søn <b>"
    first = await client.post(
        "/api/call-log",
        data={"name": name, "duration": "12"},
        headers={**AUTH, "Idempotency-Key": "d-1"},
    )
    again = await client.post(
        "/api/call-log",
        data={"name": name, "duration": "12"},
        headers={**AUTH, "Idempotency-Key": "d-1"},
    )
    as_json = await client.post("/api/call-log", json={"name": "Ada"}, headers=AUTH)
    assert (first.status, again.status, as_json.status) == (201, 200, 201)
    assert [entry["fields"] for entry in call_log.entries] == [
        {"name": name, "duration": "12"},
        {"name": "Ada"},
    ]
    page = await (await client.get("/call-log")).text()
    assert "O&#39;Brien &amp; Søn &lt;b&gt;" in page
    assert page.count('data-testid="call-log-entry"') == 2


async def test_the_contacts_page_still_lists_every_contact(crm: tuple[TestClient, CallLog]) -> None:
    client, _ = crm
    page = await (await client.get("/")).text()
    assert all(contact["name"] in page for contact in CONTACTS)
