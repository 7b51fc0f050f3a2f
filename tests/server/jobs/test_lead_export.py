"""The lead-export service: batches cut by what the adapter says, one rule for failures."""

from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bridge import DialerList, DialerUnavailable, export_leads
from bridge.interface import Lead, LeadBatching
from bridge.lead_export import plan_batches
from tests.dialers import lead, rest_adapter
from tests.support import REST_API_KEY

NUMBERS = [f"1202555{n:04d}" for n in range(8)]


def leads(count: int, **fields: Any) -> list[Lead]:
    return [lead(number, **fields) for number in NUMBERS[:count]]


def by_notes(lead: Lead) -> int:
    return len(lead.notes)


def by_priority(lead: Lead) -> int | None:
    return lead.priority


@pytest.mark.parametrize(
    ("batching", "sent", "batches", "too_large"),
    [
        (LeadBatching(max_leads=500), leads(5), [[0, 1, 2, 3, 4]], set()),
        (LeadBatching(max_leads=2), leads(5), [[0, 1], [2, 3], [4]], set()),
        (LeadBatching(max_leads=1), leads(2), [[0], [1]], set()),
        (LeadBatching(max_leads=9), [], [], set()),
        (
            LeadBatching(max_leads=9, max_size=10, size=by_notes),
            [lead(n, notes="x" * s) for n, s in zip(NUMBERS, [4, 4, 4, 11, 10, 1], strict=False)],
            [[0, 1], [2], [4], [5]],
            {3},
        ),
        (
            LeadBatching(max_leads=2, group=by_priority),
            [lead(n, priority=p) for n, p in zip(NUMBERS, [2, None, 2, 5, 2], strict=False)],
            [[0, 2], [4], [1], [3]],
            set(),
        ),
    ],
    ids=["one", "by-count", "one-by-one", "none", "by-size", "by-group"],
)
def test_batches_follow_the_adapters_limits(
    batching: LeadBatching, sent: list[Lead], batches: list[list[int]], too_large: set[int]
) -> None:
    assert plan_batches(batching, sent) == (batches, too_large)


@pytest.fixture
def rest(rest_simulator: TestServer, session: aiohttp.ClientSession) -> Callable[..., Any]:
    def make() -> Any:
        return rest_adapter(session, str(rest_simulator.make_url("")), api_key=REST_API_KEY)

    return make


async def fault(server: TestServer, session: aiohttp.ClientSession, **spec: Any) -> None:
    async with session.post(server.make_url("/_sim/faults"), json=spec) as reply:
        assert reply.status == 201


async def test_many_leads_go_in_batches_of_the_adapters_size(
    rest: Callable[..., Any], rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    adapter = rest()
    target = await adapter.create_list(DialerList("", "L"))
    sent = [lead(f"1202{n:07d}") for n in range(1201)]
    outcomes = await export_leads(adapter, target, sent)
    assert [o.phone for o in outcomes] == [x.phone.digits for x in sent]
    assert all(o.ok for o in outcomes)
    async with session.get(rest_simulator.make_url("/_sim/requests")) as reply:
        posts = [r for r in await reply.json() if r["path"].endswith("/lead")]
    assert len(posts) == 3  # 500 + 500 + 201


async def test_a_failure_once_leads_were_added_reports_the_rest_not_sent(
    rest: Callable[..., Any], rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    adapter = rest()
    target = await adapter.create_list(DialerList("", "L"))
    sent = [lead(f"1202{n:07d}") for n in range(700)]
    await fault(rest_simulator, session, kind="status", status=503, body_contains="12020000500")
    outcomes = await export_leads(adapter, target, sent)
    assert all(o.ok for o in outcomes[:500])
    assert {o.message for o in outcomes[500:]} == {
        "not sent: rest answered HTTP 503; try again shortly"
    }


async def test_a_failure_before_any_lead_was_added_is_raised(
    rest: Callable[..., Any], rest_simulator: TestServer, session: aiohttp.ClientSession
) -> None:
    adapter = rest()
    target = await adapter.create_list(DialerList("", "L"))
    await fault(rest_simulator, session, kind="status", status=503, path="/api/phone_list")
    with pytest.raises(DialerUnavailable):
        await export_leads(adapter, target, leads(3))
