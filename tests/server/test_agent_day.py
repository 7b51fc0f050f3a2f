"""The agent's own figures of the day (``today`` in ``GET /api/v1/agent/calls``): calls
handled today, their talk time and average handle time, from the dialer's events."""

import datetime as dt

from aiohttp.test_utils import TestClient

from tests.databases import BOTH_DATABASES
from tests.events_support import push, push_path, set_dialer_ids
from tests.support import login

pytestmark = BOTH_DATABASES  # storage-facing: PostgreSQL too

OUTBOUND = {"type": "outbound", "src_user_id": 7, "dst_num": "3125550178"}


async def test_todays_calls_talk_and_average_handle_time(
    bridge: TestClient, api_key: dict[str, str]
) -> None:
    await set_dialer_ids(bridge, api_key, user_id="7")
    path = await push_path(bridge)
    # The tenant's day is UTC: its midnight, so that every call is today's.
    midnight = int(
        dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(), dt.UTC).timestamp()
    )
    yesterday = midnight - 3600
    for call_id, ring, answer, end in (
        ("a", midnight + 10, midnight + 20, midnight + 80),  # 60 s talk
        ("b", midnight + 100, midnight + 105, midnight + 115),  # 10 s talk
        ("busy", midnight + 200, None, midnight + 205),  # not handled
        ("old", yesterday, yesterday + 5, yesterday + 500),  # not today
    ):
        await push(bridge, path, "call:ring", call_id=call_id, ts=ring, **OUTBOUND)
        if answer is not None:
            await push(bridge, path, "call:answer", call_id=call_id, ts=answer, **OUTBOUND)
        cause = "NORMAL_CLEARING" if answer else "USER_BUSY"
        await push(
            bridge, path, "call:end", call_id=call_id, ts=end, hangup_cause=cause, **OUTBOUND
        )
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    response = await bridge.get("/api/v1/agent/calls", headers=headers)
    assert response.status == 200, await response.text()
    assert (await response.json())["today"] == {
        "calls": 2,
        "talk_seconds": 70.0,
        "aht_seconds": 35.0,
    }


async def test_an_agent_without_calls_today(bridge: TestClient) -> None:
    headers = {"Authorization": f"Bearer {await login(bridge)}"}
    answer = await (await bridge.get("/api/v1/agent/calls", headers=headers)).json()
    assert answer["today"] == {"calls": 0, "talk_seconds": 0.0, "aht_seconds": None}
