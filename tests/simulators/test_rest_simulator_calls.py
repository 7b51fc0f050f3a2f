"""The REST simulator's call controls: plans, inbound calls, re-delivery, the event URL."""

import asyncio
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from simulators.rest import create_rest_simulator
from simulators.rest.call_events import CallPlan, CallPlans, seconds


def test_a_plan_for_the_number_beats_its_pattern_which_beats_the_default() -> None:
    plans = CallPlans(default=CallPlan("answer", 1.0, 2.0))
    plans.by_number["2025550486"] = CallPlan("no_answer")
    assert plans.plan_for("2025550486") == CallPlan("no_answer")
    assert plans.plan_for("3125550486") == CallPlan("busy", 1.0, 2.0)
    assert plans.plan_for("3125550408").outcome == "no_answer"
    assert plans.plan_for("3125550100") == CallPlan("answer", 1.0, 2.0)


@pytest.mark.parametrize(
    ("method", "path", "body", "says"),
    [
        ("PUT", "/_sim/call_plan", {"outcome": "maybe"}, "outcome must be one of"),
        ("PUT", "/_sim/call_plan", {"ring_seconds": -1}, "ring_seconds"),
        ("PUT", "/_sim/call_plan", [], "JSON object"),
        ("POST", "/_sim/inbound", {"caller": "+1202"}, "user_id"),
        ("POST", "/_sim/inbound", {"user_id": 1, "caller": "+1", "queue_id": "q"}, "queue_id"),
        ("PUT", "/_sim/event_url", {"url": "ftp://x"}, "http"),
        ("POST", "/_sim/events/redeliver", {"index": 0}, "0 sent"),
    ],
)
async def test_bad_controls_are_refused_with_a_reason(
    rest_simulator: TestServer,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    body: Any,
    says: str,
) -> None:
    async with session.request(method, rest_simulator.make_url(path), json=body) as response:
        assert response.status == 400
        assert says in (await response.json())["error"]


async def test_inbound_needs_an_event_url(
    rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    body = {"user_id": 1, "caller": "+12025550143"}
    async with session.post(rest_simulator.make_url("/_sim/inbound"), json=body) as response:
        assert response.status == 409


def test_a_time_may_be_a_range_each_call_picks_from() -> None:
    picks = {seconds((8.0, 15.0), 1.0) for _ in range(200)}
    assert all(8.0 <= pick <= 15.0 for pick in picks) and len(picks) > 1
    assert (seconds(3.0, 1.0), seconds(None, 1.0)) == (3.0, 1.0)


def test_forgetting_the_plans_goes_back_to_the_starting_plan() -> None:
    watchable = CallPlan("answer", 3.0, (8.0, 15.0))
    plans = CallPlans(default=watchable)
    plans.default = CallPlan("busy")
    plans.by_number["1"] = CallPlan("no_answer")
    plans.forget()
    assert (plans.default, plans.by_number) == (watchable, {})


@pytest.mark.parametrize(
    ("talk", "status"),
    [([8, 15], 200), (2.5, 200), ([15, 8], 400), ([1], 400), ("long", 400), (True, 400)],
)
async def test_talk_seconds_is_a_number_or_a_range(
    rest_simulator: TestServer, session: aiohttp.ClientSession, talk: Any, status: int
) -> None:
    body = {"outcome": "answer", "talk_seconds": talk}
    async with session.put(rest_simulator.make_url("/_sim/call_plan"), json=body) as response:
        assert response.status == status, await response.text()


async def test_an_inbound_call_without_times_takes_the_default_plans(
    aiohttp_server: Callable[..., Any], session: aiohttp.ClientSession
) -> None:
    """The simulator's own delays are an hour here; the default plan's are short."""
    received: asyncio.Queue[str] = asyncio.Queue()

    async def collect(request: web.Request) -> web.Response:
        received.put_nowait((await request.json())["event"])
        return web.json_response({"ok": True})

    receiver = web.Application()
    receiver.router.add_post("/events", collect)
    crm = await aiohttp_server(receiver)
    simulator = await aiohttp_server(
        create_rest_simulator(
            api_keys=["k"],
            event_url=str(crm.make_url("/events")),
            call_event_delays=(0.0, 3600.0, 3600.0),
            call_plan=CallPlan("answer", 0.05, (0.05, 0.1)),
        )
    )
    body = {"user_id": 1, "caller": "+12025550143"}
    async with session.post(simulator.make_url("/_sim/inbound"), json=body) as response:
        assert response.status == 202
    names = [await asyncio.wait_for(received.get(), 10) for _ in range(3)]
    assert names == ["call:ring", "call:answer", "call:end"]
