"""The CRM back-end API: recordings, lists and lead export, over real sockets."""

import io
import json
import wave

from aiohttp.test_utils import TestClient, TestServer

from simulators.euphoria import DEMO_RECORDING, STATE
from simulators.wav import demo_recording
from tests.conftest import ADMIN, EUPHORIA_AUTH, REST_API_KEY, login


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


async def test_no_secret_reaches_a_response(bridge: TestClient, api_key: dict) -> None:
    bodies = []
    for method, path, body in [
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
    ]:
        response = await bridge.request(method, path, json=body, headers=api_key)
        bodies.append(await response.text())
    for secret in (REST_API_KEY, EUPHORIA_AUTH, ADMIN[1]):
        assert all(secret not in text for text in bodies)
