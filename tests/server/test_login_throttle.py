"""Password guessing is slowed down without letting anyone lock a real agent out."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from server.hash_gate import HashGate, ServerBusy
from server.login_throttle import LoginThrottle, TooManyAttempts
from tests.support import ADMIN, AGENT, TENANT

LOGIN = f"/api/v1/tenants/{TENANT}/sessions"


@pytest.fixture
async def elsewhere(bridge: TestClient) -> AsyncIterator[aiohttp.ClientSession]:
    """A client connecting from another loopback address (127.0.0.2) than the tests'."""
    connector = aiohttp.TCPConnector(local_addr=("127.0.0.2", 0))
    async with aiohttp.ClientSession(
        base_url=str(bridge.make_url("/")), connector=connector
    ) as session:
        yield session


async def test_a_guesser_elsewhere_cannot_lock_the_agent_out(
    bridge: TestClient, elsewhere: aiohttp.ClientSession
) -> None:
    for _ in range(6):
        async with elsewhere.post(LOGIN, json={**AGENT, "password": "guess"}) as guess:
            assert guess.status in (401, 429)
    async with elsewhere.post(LOGIN, json=AGENT) as blocked:
        assert blocked.status == 429
    assert (await bridge.post(LOGIN, json=AGENT)).status == 200


async def test_parallel_guesses_cannot_exceed_the_allowance(bridge: TestClient) -> None:
    guesses = [{**AGENT, "password": f"guess-{i}"} for i in range(40)] + [AGENT]
    answers = await asyncio.gather(*(bridge.post(LOGIN, json=body) for body in guesses))
    checked = [a.status for a in answers if a.status not in (429, 503)]  # 503: not checked
    assert len(checked) <= 5, checked


async def test_usernames_and_bodies_are_bounded(bridge: TestClient) -> None:
    long_name = await bridge.post(LOGIN, json={"username": "u" * 1_000, "password": "x"})
    assert long_name.status == 400
    assert (await long_name.json())["error"]["fields"][0]["field"] == "username"
    huge = await bridge.post(LOGIN, json={"username": "u", "password": "p" * 1_000_000})
    assert huge.status == 413
    assert (await huge.json())["error"]["code"] == "body_too_large"


def test_the_throttle_keeps_a_bounded_number_of_records() -> None:
    throttle = LoginThrottle(max_entries=100)
    for i in range(5_000):
        throttle.attempt(f"{TENANT}/user-{i}", f"198.51.100.{i % 250}")
    assert len(throttle) <= 200


def test_after_the_free_attempts_the_wait_doubles() -> None:
    now = [1000.0]
    throttle = LoginThrottle(free_per_account=2, clock=lambda: now[0])
    waits = []
    for _ in range(6):
        try:
            throttle.attempt("acme/a", "192.0.2.1")
        except TooManyAttempts as refused:
            waits.append(refused.details["retry_after"])
            now[0] += refused.details["retry_after"]
            throttle.attempt("acme/a", "192.0.2.1")
    assert waits == [1, 2, 4, 8]
    throttle.succeeded("acme/a", "192.0.2.1")
    throttle.attempt("acme/a", "192.0.2.1")  # a right password starts afresh


async def test_the_hash_gate_refuses_at_once_when_its_queue_is_full() -> None:
    gate = HashGate(slots=1, max_waiting=1)
    async with gate.admitted("192.0.2.1"):
        waiting = asyncio.create_task(_hold(gate, "192.0.2.2", failures=3))
        await asyncio.sleep(0)
        with pytest.raises(ServerBusy):  # no better placed than the one waiting
            await _hold(gate, "192.0.2.3", failures=3)
        better = asyncio.create_task(_hold(gate, "192.0.2.4", failures=0))
        await asyncio.sleep(0)
        with pytest.raises(ServerBusy):  # displaced by an address with fewer failures
            await waiting
    await better  # it gets the slot once it is free


async def test_agents_behind_one_address_without_wrong_passwords_all_get_their_turn() -> None:
    """An office's NAT at the start of a shift: many logins from one address at once."""
    gate = HashGate(slots=1, max_waiting=4)
    checked: list[int] = []

    async def login(n: int) -> None:
        async with gate.admitted("198.51.100.7"):
            await asyncio.sleep(0.01)
            checked.append(n)

    await asyncio.gather(*(login(n) for n in range(5)))
    assert sorted(checked) == [0, 1, 2, 3, 4]


async def test_a_login_goes_before_the_background_hashes_waiting() -> None:
    """A user sync's hashes wait apart: a login waits for one hash at most."""
    gate, order = HashGate(slots=1), []

    async def background(n: int) -> None:
        async with gate.background():
            order.append(f"sync {n}")

    async def login() -> None:
        async with gate.admitted("192.0.2.1"):
            order.append("login")

    async with gate.background():
        syncs = [asyncio.create_task(background(n)) for n in range(3)]
        await asyncio.sleep(0)
        agent = asyncio.create_task(login())
        await asyncio.sleep(0)
        assert order == []
    await asyncio.gather(*syncs, agent)
    assert order == ["login", "sync 0", "sync 1", "sync 2"]


async def test_logins_that_keep_coming_slow_the_background_but_never_stop_it() -> None:
    gate, order = HashGate(slots=2, max_waiting=100), []

    async def turn(name: str, admission: contextlib.AbstractAsyncContextManager[None]) -> None:
        async with admission:
            order.append(name)
            await asyncio.sleep(0)

    async with gate.admitted("192.0.2.1"), gate.admitted("192.0.2.2"):
        sync = asyncio.create_task(turn("sync", gate.background()))
        logins = [
            asyncio.create_task(turn(f"login {n}", gate.admitted(f"192.0.2.{n + 10}")))
            for n in range(6)
        ]
        await asyncio.sleep(0)
    await asyncio.gather(sync, *logins)
    assert order.index("sync") == 2  # after `slots` logins, while four more wait


async def test_a_cancelled_background_wait_gives_its_turn_on() -> None:
    gate = HashGate(slots=1)
    async with gate.admitted("192.0.2.1"):
        cancelled = asyncio.create_task(_hold_background(gate))
        await asyncio.sleep(0)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    await asyncio.wait_for(_hold_background(gate), 5)  # the slot is free, not lost


async def _hold_background(gate: HashGate) -> None:
    async with gate.background():
        await asyncio.sleep(0)


async def _hold(gate: HashGate, address: str, failures: int) -> None:
    async with gate.admitted(address, failures):
        await asyncio.sleep(0)


async def test_a_flood_from_48_addresses_lets_the_real_agent_in(bridge: TestClient) -> None:
    """Bad logins from 48 addresses keep the hash gate full; the agent still signs in."""
    stop, checked = asyncio.Event(), [asyncio.Event() for _ in range(48)]
    url = str(bridge.make_url(LOGIN))

    async def flood(n: int) -> int:
        refused, address = 0, f"127.0.2.{n + 1}"
        connector = aiohttp.TCPConnector(local_addr=(address, 0))
        async with aiohttp.ClientSession(connector=connector) as http:
            for attempt in range(10_000):
                if stop.is_set():
                    break
                body = {"username": f"guess-{address}-{attempt}", "password": "wrong-password"}
                async with http.post(url, json=body) as answer:
                    refused += answer.status == 503
                    if answer.status == 401:
                        checked[n].set()
        return refused

    flooders = [asyncio.create_task(flood(n)) for n in range(48)]
    try:
        with contextlib.suppress(TimeoutError):  # every address had a wrong password checked
            await asyncio.wait_for(asyncio.gather(*(event.wait() for event in checked)), 60)
        signed_in = 0
        for _ in range(9):
            signed_in += (await bridge.post(LOGIN, json=AGENT)).status == 200
    finally:
        stop.set()
        refused = sum(await asyncio.gather(*flooders))
    assert refused > 0  # the gate was full
    assert signed_in >= 8


async def test_admin_basic_guessing_is_throttled_too(bridge: TestClient) -> None:
    wrong = aiohttp.encode_basic_auth(ADMIN[0], "guess")
    statuses = [
        (await bridge.get("/admin/api/keys", headers={"Authorization": wrong})).status
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
