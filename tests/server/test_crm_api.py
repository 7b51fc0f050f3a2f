"""The CRM back-end API: recordings, lists and lead export, over real sockets."""

import io
import json
import wave

import pytest
from aiohttp.test_utils import TestClient, TestServer

from simulators.elision import STATE as ELISION_STATE
from simulators.euphoria import DEMO_RECORDING, STATE
from simulators.euphoria.wav import demo_recording
from tests.support import ADMIN, ELISION_PASS, EUPHORIA_AUTH, REST_API_KEY, login


async def test_a_recording_streams_as_the_dialer_has_it(bridge: TestClient, api_key: dict) -> None:
    response = await bridge.get(f"/api/v1/recordings/{DEMO_RECORDING}", headers=api_key)
    assert response.status == 200
    assert response.content_type == "audio/wav"
    assert await response.read() == demo_recording()


async def test_an_agent_gets_a_recording_the_browser_can_play(bridge: TestClient) -> None:
    token = await login(bridge)
    response = await bridge.get(
        f"/api/v1/recordings/{DEMO_RECORDING}",
        params={"format": "pcm"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200
    with wave.open(io.BytesIO(await response.read())) as pcm:
        assert (pcm.getnchannels(), pcm.getsampwidth(), pcm.getframerate()) == (1, 2, 8000)
        assert pcm.getnframes() == 16_000


async def test_recording_errors_are_clear(
    bridge: TestClient, api_key: dict, euphoria_simulator: TestServer
) -> None:
    assert (await bridge.get(f"/api/v1/recordings/{DEMO_RECORDING}")).status == 401
    bad_name = await bridge.get("/api/v1/recordings/..%2Fsecrets", headers=api_key)
    assert bad_name.status in (400, 404)
    missing = await bridge.get("/api/v1/recordings/nope.WAV", headers=api_key)
    assert missing.status == 422
    assert (await missing.json())["error"]["dialer_text"] == "File Not Found"
    await euphoria_simulator.close()  # the dialer goes down
    down = await bridge.get(f"/api/v1/recordings/{DEMO_RECORDING}", headers=api_key)
    assert down.status == 503
    assert EUPHORIA_AUTH not in await down.text()


async def test_leads_are_normalised_and_reported_one_by_one(
    bridge: TestClient, api_key: dict, euphoria_simulator: TestServer
) -> None:
    leads = [
        {"phone_number": "202-555-0143", "first_name": "Ada", "last_name": "Lovelace & Co <1>"},
        {"phone_number": "not a number", "first_name": "Bad"},
        {"phone_number": "20 7946 0018", "phone_code": "44", "first_name": "Alan"},
    ]
    response = await bridge.post(
        "/api/v1/crm/leads",
        json={
            "dialer": "euphoria",
            "list": {"list_id": "L1", "name": "ListNumber5", "campaign": "SalesCampaign"},
            "leads": leads,
        },
        headers=api_key,
    )
    body = await response.json()
    assert response.status == 207
    assert (body["added"], body["failed"]) == (2, 1)
    assert [(o["index"], o["ok"]) for o in body["leads"]] == [(0, True), (1, False), (2, True)]
    assert body["leads"][1]["message"] == "'not a number' is not a phone number"
    assert body["leads"][2]["phone"] == "442079460018"
    fed = json.dumps(euphoria_simulator.app[STATE].contacts)
    assert "12025550143" in fed
    assert "Lovelace & Co <1>" in fed
    assert "not a number" not in fed


async def test_an_operation_a_dialer_lacks_says_so(bridge: TestClient, api_key: dict) -> None:
    response = await bridge.get("/api/v1/crm/lists", params={"dialer": "euphoria"}, headers=api_key)
    assert response.status == 501
    assert (await response.json())["error"][
        "message"
    ] == "active_lists is not supported by euphoria"
    unknown = await bridge.get("/api/v1/crm/lists", params={"dialer": "nope"}, headers=api_key)
    assert unknown.status == 404
    assert (await unknown.json())["error"]["code"] == "unknown_dialer"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/recordings/nope.WAV", None),
        ("GET", "/api/v1/crm/lists?dialer=euphoria", None),
        (
            "POST",
            "/api/v1/crm/leads",
            {
                "dialer": "euphoria",
                "list": {"list_id": "x"},
                "leads": [{"phone_number": "2025550143"}],
            },
        ),
        ("GET", "/widget/acme", None),
    ],
    ids=["missing-recording", "unsupported-lists", "refused-leads", "widget-page"],
)
async def test_no_secret_reaches_a_response(
    bridge: TestClient, api_key: dict, method: str, path: str, body: dict | None
) -> None:
    response = await bridge.request(method, path, json=body, headers=api_key)
    text = await response.text()
    for secret in (REST_API_KEY, EUPHORIA_AUTH, ADMIN[1]):
        assert secret not in text


async def test_a_new_list_then_leads_go_to_the_elision_dialer(
    bridge: TestClient, api_key: dict, elision_simulator: TestServer
) -> None:
    created = await bridge.post(
        "/api/v1/crm/lists",
        json={
            "dialer": "elision",
            "list_id": "1101",
            "name": "Test API list",
            "campaign": "TESTCAMP",
        },
        headers=api_key,
    )
    assert created.status == 201, await created.text()
    duplicate = await bridge.post(
        "/api/v1/crm/lists",
        json={
            "dialer": "elision",
            "list_id": "1101",
            "name": "Test API list",
            "campaign": "TESTCAMP",
        },
        headers=api_key,
    )
    assert duplicate.status == 422
    assert '"message":"1101 list already exist"' in (await duplicate.json())["error"]["dialer_text"]
    assert ELISION_PASS not in await duplicate.text()  # the dialer echoes it back in `data`

    listed = await (
        await bridge.get("/api/v1/crm/lists", params={"dialer": "elision"}, headers=api_key)
    ).json()
    assert {
        "list_id": "1101",
        "name": "Test API list",
        "campaign": "TESTCAMP",
        "active": True,
    } in listed["lists"]

    leads = [{"phone_number": "1234567893", "first_name": "test", "city": "Ahmedabad"}]
    pushed = await bridge.post(
        "/api/v1/crm/leads",
        json={"dialer": "elision", "list": {"list_id": "1101"}, "leads": leads},
        headers=api_key,
    )
    body = await pushed.json()
    assert pushed.status == 200, body
    assert body["leads"][0]["ok"] is True
    [stored] = [
        lead for lead in elision_simulator.app[ELISION_STATE].leads if lead["list_id"] == "1101"
    ]
    assert (stored["phone_code"], stored["phone_number"]) == ("1", "1234567893")
    assert (stored["first_name"], stored["city"]) == ("test", "Ahmedabad")


async def test_a_lead_export_into_a_new_rest_list_uses_the_dialers_list_id(
    bridge: TestClient, api_key: dict
) -> None:
    body = {
        "dialer": "rest",
        "list": {"list_id": "crm-7", "name": "From the CRM"},
        "create_list": True,
        "leads": [{"phone_number": f"312555{i:04d}"} for i in range(3)],
    }
    pushed = await bridge.post("/api/v1/crm/leads", json=body, headers=api_key)
    answer = await pushed.json()
    assert pushed.status == 200, answer
    assert answer["added"] == 3
    assert answer["list_id"] != "crm-7"
    listed = await (
        await bridge.get("/api/v1/crm/lists", params={"dialer": "rest"}, headers=api_key)
    ).json()
    assert {
        "list_id": answer["list_id"],
        "name": "From the CRM",
        "campaign": "",
        "active": True,
    } in (listed["lists"])
