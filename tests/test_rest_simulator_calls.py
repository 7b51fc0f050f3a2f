"""The REST simulator's call controls: plans, inbound calls, re-delivery, the event URL."""

from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from simulators.rest.call_events import CallPlan, CallPlans


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
