"""One call at a time: a click-to-call while the agent places a call or is on one is
refused with 409 ``call_in_progress``; nothing reaches the dialer."""

import asyncio
import time

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from simulators.rest.app import CONTROL
from tests.databases import BOTH_DATABASES
from tests.events_support import push, push_path, set_dialer_ids
from tests.support import login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

CALL = {"type": "outbound", "dst_num": "2025550143", "src_user_id": 7}


async def _dial(bridge: TestClient, headers: dict[str, str], number: str) -> aiohttp.ClientResponse:
    return await bridge.post("/api/v1/calls", json={"phone_number": number}, headers=headers)


def _originates(rest_simulator: TestServer) -> int:
    requests = rest_simulator.app[CONTROL].requests
    return sum(1 for request in requests if request.path == "/api/cc_agent/originate")


async def _refused(response: aiohttp.ClientResponse) -> str:
    assert response.status == 409, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "call_in_progress"
    return str(error["message"])


async def test_a_second_call_while_on_a_call_is_refused_until_it_ends(
    bridge: TestClient, api_key: dict[str, str], rest_simulator: TestServer
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    await push(bridge, path, "call:ring", call_id="live", **CALL)
    before = _originates(rest_simulator)

    message = await _refused(await _dial(bridge, headers, "3125550178"))
    assert message == "you are on a call: finish it before placing another call"
    assert _originates(rest_simulator) == before  # the dialer never heard of it

    await push(bridge, path, "call:end", call_id="live", hangup_cause="NO_ANSWER", **CALL)
    placed = await _dial(bridge, headers, "3125550178")
    assert placed.status == 200, await placed.text()


async def test_a_call_whose_end_never_came_stops_counting_after_four_hours(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    await push(bridge, path, "call:ring", call_id="stale", ts=time.time() - 5 * 3600, **CALL)
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    placed = await _dial(bridge, headers, "3125550178")
    assert placed.status == 200, await placed.text()


async def test_two_clicks_at_once_place_one_call(
    bridge: TestClient, rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    """A slow dialer (the REST originate answers once the agent picks up): the second
    click meanwhile is refused; once the dialer has answered, the next may go."""
    fault = {"kind": "latency", "ms": 1000, "path": "/api/cc_agent/originate", "times": 1}
    async with session.post(rest_simulator.make_url("/_sim/faults"), json=fault) as response:
        assert response.status == 201, await response.text()
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    first = asyncio.create_task(_dial(bridge, headers, "3125550178"))
    for _ in range(1000):  # until the first reaches the dialer
        if rest_simulator.app[CONTROL].in_flight:
            break
        await asyncio.sleep(0.01)
    message = await _refused(await _dial(bridge, headers, "3125550199"))
    assert message == "a call of yours is being placed: finish it before placing another call"
    placed = await first
    assert placed.status == 200, await placed.text()
    assert _originates(rest_simulator) == 1
    again = await _dial(bridge, headers, "3125550199")  # this simulator sends no events
    assert again.status == 200, await again.text()


async def test_another_agents_call_does_not_count(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    await push(bridge, path, "call:ring", call_id="theirs", **{**CALL, "src_user_id": 8})
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    placed = await _dial(bridge, headers, "3125550178")
    assert placed.status == 200, await placed.text()
