"""The REST adapter against the simulator over real sockets.

A real ``aiohttp.ClientSession``, `DialerTransport` and `RestClient`; faults come from
the simulator's ``/_sim/faults``; the audit log (of the adapter wrapped as the bridge
wraps it) is a list.
"""

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port

from bridge.audit import AuditedAdapter
from bridge.errors import (
    DialerBadResponse,
    DialerError,
    DialerRejected,
    DialerTimeout,
    DialerUnauthorized,
    DialerUnavailable,
    InvalidRequest,
)
from bridge.interface import DialerList, DialerUser, LeadOutcome, OriginateRequest
from bridge.rest import RestAdapter
from bridge.rest.client import AgentAssignment, PhoneListLead, QueueAgent, QueueMembership
from simulators.rest import create_rest_simulator
from tests.dialers import lead, rest_adapter

API_KEY = "adapter-Key-c4f7e0"
HOSTILE = 'Tom & Jerry <b>"quoted"\' Ünïcødé 電話 a=b?c#d'


@pytest.fixture
async def simulator(aiohttp_server):
    return await aiohttp_server(create_rest_simulator(api_keys=[API_KEY], extensions=["100"]))


@pytest.fixture
def audit() -> list[Any]:
    return []


@pytest.fixture
def connect(session, simulator, audit):
    """An adapter to ``base_url`` (the simulator by default)."""

    def connect(
        *, base_url: str | None = None, api_key: str = API_KEY, timeout: float = 5.0
    ) -> RestAdapter:
        url = base_url or str(simulator.make_url(""))
        return rest_adapter(session, url, api_key=api_key, timeout=timeout)

    return connect


@pytest.fixture
def adapter(connect) -> RestAdapter:
    return connect()


@pytest.fixture
def audited(adapter, audit) -> AuditedAdapter:
    """The adapter as the bridge builds it: each interface call audited."""
    return AuditedAdapter(adapter, audit.append)


async def fault(session, simulator, **spec: Any) -> None:
    async with session.post(simulator.make_url("/_sim/faults"), json=spec) as response:
        assert response.status == 201


async def received(session, simulator, path: str = "/api/") -> list[dict[str, Any]]:
    async with session.get(simulator.make_url("/_sim/requests"), params={"path": path}) as r:
        return await r.json()


async def forget_requests(session, simulator) -> None:
    async with session.delete(simulator.make_url("/_sim/requests")):
        pass


async def sim_state(session, simulator) -> dict[str, Any]:
    async with session.get(simulator.make_url("/_sim/state")) as response:
        return await response.json()


async def new_agent(adapter: RestAdapter, username: str = "ann"):
    return await adapter.client.users.create(
        name=f"{username.title()} Agent",
        username=username,
        password="Ab123456",
        email=f"{username}@example.com",
        is_agent=True,
    )


# --- Every function, end to end -------------------------------------------------------------


async def test_phone_lists(adapter):
    created = await adapter.client.phone_lists.create(HOSTILE)
    assert (created.name, created.list_rows, created.account_id) == (HOSTILE, 0, 1000)
    other = await adapter.client.phone_lists.create("Plain")
    assert await adapter.client.phone_lists.get(created.id) == created
    assert await adapter.client.phone_lists.list() == [created, other]
    assert await adapter.client.phone_lists.query("& Jerry <b>") == [created]
    await adapter.client.phone_lists.update(created.id)
    assert (await adapter.client.phone_lists.get(created.id)).name == HOSTILE
    await adapter.client.phone_lists.update(created.id, name="Renamed")
    assert (await adapter.client.phone_lists.get(created.id)).name == "Renamed"
    await adapter.client.phone_lists.delete(created.id)
    assert await adapter.client.phone_lists.list() == [other]


async def test_leads(adapter):
    list_id = (await adapter.client.phone_lists.create("L")).id
    first = PhoneListLead("+442071234567", name=HOSTILE, lead_id="7", priority=2, tags="a,b")
    await adapter.client.leads.add(list_id, first)
    await adapter.client.leads.add(
        list_id,
        [PhoneListLead("15551230001"), PhoneListLead("15551230002", ext_api_vars={"k": HOSTILE})],
    )
    assert await adapter.client.leads.list(list_id) == [
        first,
        PhoneListLead("15551230001", priority=0),
        PhoneListLead("15551230002", priority=0, ext_api_vars={"k": HOSTILE}),
    ]
    await adapter.client.leads.update(list_id, "+442071234567", priority=9, tags="vip")
    [updated, *_] = await adapter.client.leads.list(list_id)
    assert (updated.priority, updated.tags, updated.name) == (9, "vip", HOSTILE)
    await adapter.client.leads.delete(list_id, "+442071234567")
    await adapter.client.leads.delete_many(list_id, ["15551230001", "15550000000"])
    assert [lead.phone for lead in await adapter.client.leads.list(list_id)] == ["15551230002"]
    assert (await adapter.client.phone_lists.get(list_id)).list_rows == 1


async def test_a_duplicate_lead_is_refused_with_the_dialers_reason(adapter):
    list_id = (await adapter.client.phone_lists.create("L")).id
    await adapter.client.leads.add(list_id, PhoneListLead("123"))
    with pytest.raises(DialerRejected) as refused:
        await adapter.client.leads.add(list_id, [PhoneListLead("456"), PhoneListLead("123")])
    assert refused.value.dialer_text == f"duplicate phone in phone list {list_id}: 123"
    assert [lead.phone for lead in await adapter.client.leads.list(list_id)] == ["123"]


async def test_users(adapter):
    ann = await adapter.client.users.create(
        name=HOSTILE,
        username="ann&co",
        password="Ab123456",
        email="ann@example.com",
        is_agent=True,
        in_reports=True,
        timezone="Asia/Jerusalem",
        extra={"geo_limit": "IL,US"},
    )
    assert (ann.name, ann.username, ann.is_agent, ann.in_reports, ann.active) == (
        HOSTILE,
        "ann&co",
        True,
        True,
        True,
    )
    assert ann.timezone == "Asia/Jerusalem" and ann.raw["geo_limit"] == "IL,US"
    assert "password" not in ann.raw
    bob = await adapter.client.users.create(
        name="Bob", username="bob", password="Xy987654", email="bob@example.com"
    )
    assert await adapter.client.users.get(ann.id) == ann
    assert [u.id for u in await adapter.client.users.list()] == [ann.id, bob.id]
    assert [u.id for u in await adapter.client.users.query("ann&co")] == [ann.id]
    assert [u.id for u in await adapter.client.users.query("example.com", agents_only=True)] == [
        ann.id
    ]
    updated = await adapter.client.users.update(bob.id, email="robert@example.com", active=False)
    assert (updated.email, updated.active, updated.name) == ("robert@example.com", False, "Bob")
    await adapter.client.users.update(bob.id, password="N3wSecret")
    await adapter.client.users.login("ann&co", "Ab123456")
    await adapter.client.agents.check_in()  # the session's user
    await adapter.client.users.logout()
    await adapter.client.users.delete(bob.id)
    assert [u.id for u in await adapter.client.users.list()] == [ann.id]


async def test_a_users_queues(adapter):
    ann = await new_agent(adapter)
    sales = await adapter.client.queues.create(
        name="Sales", strategy="ring-all", time_base_score="queue"
    )
    memberships = [QueueMembership(sales.id, 3, 10, 1), QueueMembership(sales.id, 4, 5, 2, 9)]
    await adapter.client.users.set_queues(ann.id, memberships[1:])
    assert await adapter.client.users.queues(ann.id) == memberships[1:]
    await adapter.client.users.set_queues(ann.id, [])
    assert await adapter.client.users.queues(ann.id) == []


async def test_agents(adapter, session, simulator):
    ann = await new_agent(adapter)
    sales = await adapter.client.queues.create(
        name="Sales", strategy="ring-all", time_base_score="queue"
    )
    number = await adapter.client.agents.check_in(user_id=ann.id, force_check_out=True)
    assert number.startswith("***") and number[3:].isdigit()
    await adapter.client.agents.check_in_device(user_id=ann.id, device_id=12)
    await adapter.client.agents.set_pause(3, user_id=ann.id)
    joined = await adapter.client.agents.set_queues([sales.id], user_id=ann.id)
    assert joined is not None and joined.id == sales.id
    assert await adapter.client.agents.set_queues([], user_id=ann.id) is None
    await adapter.client.agents.wrapup(user_id=ann.id, seconds=20)
    [agent] = (await sim_state(session, simulator))["agents"]
    assert (agent["checked_in"], agent["device_id"], agent["pause_id"]) == (True, 12, 3)
    assert agent["wrapup_until"] is not None
    await adapter.client.agents.check_out(user_id=ann.id)
    [agent] = (await sim_state(session, simulator))["agents"]
    assert agent["checked_in"] is False


async def test_queues(adapter):
    ann, bob = await new_agent(adapter, "ann"), await new_agent(adapter, "bob")
    queue = await adapter.client.queues.create(
        name=HOSTILE, strategy="longest-idle-agent", time_base_score="system", extra={"record": 1}
    )
    assert (queue.name, queue.strategy, queue.time_base_score, queue.raw["record"]) == (
        HOSTILE,
        "longest-idle-agent",
        "system",
        1,
    )
    assert await adapter.client.queues.get(queue.id) == queue
    assert [q.id for q in await adapter.client.queues.list()] == [queue.id]
    await adapter.client.queues.update(queue.id, strategy="top-down", extra={"ring_timeout": 20})
    changed = await adapter.client.queues.get(queue.id)
    assert (changed.strategy, changed.raw["ring_timeout"], changed.name) == (
        "top-down",
        20,
        HOSTILE,
    )
    await adapter.client.queues.add_agents(queue.id, [AgentAssignment(ann.id, 4, 10, 1)])
    await adapter.client.queues.add_agents(queue.id, [AgentAssignment(bob.id, 3, 5, 2, 8)])
    assert await adapter.client.queues.agents(queue.id) == [
        QueueAgent(ann.id, 4, 10, 1, "Ann Agent", None, (False,)),
        QueueAgent(bob.id, 3, 5, 2, "Bob Agent", 8, (False,)),
    ]
    await adapter.client.queues.replace_agents(queue.id, [AgentAssignment(bob.id, 1, 1, 1)])
    assert [a.user_id for a in await adapter.client.queues.agents(queue.id)] == [bob.id]
    await adapter.client.queues.delete_agents(queue.id, [bob.id])
    assert await adapter.client.queues.agents(queue.id) == []
    await adapter.client.queues.delete(queue.id)
    assert await adapter.client.queues.list() == []


# --- The generic DialerAdapter operations ---------------------------------------------------


async def test_generic_user_operations(adapter):
    user = DialerUser(
        "agent7", HOSTILE, password="Xy123456", email="a7@example.com", extension="100"
    )
    created = await adapter.create_user(user)
    [found] = await adapter.client.users.query("agent7")
    assert created == f"user agent7 created with id {found.id}"
    assert (found.name, found.is_agent, found.active) == (HOSTILE, True, True)
    assert await adapter.update_user(DialerUser("agent7", "Agent Seven", active=False)) == (
        "user agent7 updated"
    )
    found = await adapter.client.users.get(found.id)
    assert (found.name, found.active, found.email) == ("Agent Seven", False, "a7@example.com")
    assert await adapter.delete_user("agent7") == "user agent7 deleted"
    assert await adapter.client.users.list() == []
    with pytest.raises(DialerRejected, match="has no user 'agent7'"):
        await adapter.delete_user("agent7")


async def test_generic_list_operations(adapter):
    created = await adapter.create_list(DialerList(list_id="ignored", name=HOSTILE))
    [phone_list] = await adapter.client.phone_lists.list()
    assert created == DialerList(str(phone_list.id), HOSTILE)
    assert await adapter.active_lists() == [DialerList(str(phone_list.id), HOSTILE)]


async def test_add_leads_reports_each_lead(adapter, session, simulator):
    list_id = (await adapter.client.phone_lists.create("L")).id
    dialer_list = DialerList(str(list_id), "L")
    await adapter.client.leads.add(list_id, PhoneListLead("15550000001"))
    leads = [
        lead("15550000001"),
        lead(
            "15550000002",
            first_name="Zoë",
            last_name="O'Neil",
            email="z@example.com",
            city="Tel Aviv",
            vendor_lead_code="V-9",
            priority=4,
            custom={"plan": "gold"},
        ),
        lead("15550000002"),
        lead("15550000003"),
    ]
    assert await adapter.add_leads(dialer_list, leads) == [
        LeadOutcome(
            "15550000001",
            "already_there",
            f"duplicate: 15550000001 is already in phone list {list_id}",
        ),
        LeadOutcome("15550000002", "added", f"added to phone list {list_id}"),
        LeadOutcome(
            "15550000002", "already_there", "duplicate: 15550000002 appears earlier in this batch"
        ),
        LeadOutcome("15550000003", "added", f"added to phone list {list_id}"),
    ]
    assert [(r["method"], r["path"]) for r in await received(session, simulator)][-3:] == [
        ("POST", f"/api/phone_list/{list_id}/lead"),  # refused: 15550000001 is in the list
        ("GET", f"/api/phone_list/{list_id}/lead"),
        ("POST", f"/api/phone_list/{list_id}/lead"),
    ]
    stored = {lead.phone: lead for lead in await adapter.client.leads.list(list_id)}
    assert stored["15550000002"] == PhoneListLead(
        "15550000002",
        name="Zoë O'Neil",
        lead_id="V-9",
        priority=4,
        ext_api_vars={"email": "z@example.com", "city": "Tel Aviv", "plan": "gold"},
    )
    assert stored["15550000003"] == PhoneListLead("15550000003", priority=0)
    assert await adapter.add_leads(dialer_list, []) == []


async def test_add_leads_without_duplicates_is_one_request(adapter, session, simulator):
    list_id = (await adapter.client.phone_lists.create("L")).id
    await forget_requests(session, simulator)
    leads = [lead(f"1555000{n:04d}") for n in range(500)]
    outcomes = await adapter.add_leads(DialerList(str(list_id), "L"), leads)
    assert all(outcome.ok for outcome in outcomes) and len(outcomes) == 500
    assert [r["method"] for r in await received(session, simulator)] == ["POST"]
    assert (await adapter.client.phone_lists.get(list_id)).list_rows == 500


async def test_add_leads_reports_the_dialers_refusal_per_lead(adapter, session, simulator):
    list_id = (await adapter.client.phone_lists.create("L")).id
    await fault(
        session,
        simulator,
        kind="body",
        path=f"/api/phone_list/{list_id}/lead",
        body_contains="15550000009",
        body='{"success": false, "msg": "phone list is locked"}',
        content_type="application/json",
    )
    outcomes = await adapter.add_leads(
        DialerList(str(list_id), "L"), [lead("15550000009"), lead("15550000010")]
    )
    assert outcomes == [
        LeadOutcome("15550000009", "failed", "refused: phone list is locked"),
        LeadOutcome("15550000010", "failed", "refused: phone list is locked"),
    ]
    methods = [
        r["method"] for r in await received(session, simulator, f"/api/phone_list/{list_id}/")
    ]
    assert methods == ["POST", "GET"]  # no duplicates explain it: not sent again


async def test_add_leads_reports_a_refusal_that_remains_after_duplicates(
    adapter, session, simulator
):
    list_id = (await adapter.client.phone_lists.create("L")).id
    await adapter.client.leads.add(list_id, PhoneListLead("15550000001"))
    await fault(
        session,
        simulator,
        kind="body",
        path=f"/api/phone_list/{list_id}/lead",
        body_contains="15550000002",
        body='{"success": false, "msg": "quota exceeded"}',
        times=2,
    )
    outcomes = await adapter.add_leads(
        DialerList(str(list_id), "L"), [lead("15550000001"), lead("15550000002")]
    )
    assert outcomes == [
        LeadOutcome(
            "15550000001",
            "already_there",
            f"duplicate: 15550000001 is already in phone list {list_id}",
        ),
        LeadOutcome("15550000002", "failed", "refused: quota exceeded"),
    ]


async def test_add_leads_needs_a_phone_list_id(adapter):
    with pytest.raises(InvalidRequest, match="is not a phone list id"):
        await adapter.add_leads(DialerList("LIST-A", "A"), [lead("12025550143")])


# --- Refused before sending -----------------------------------------------------------------


def _user(**changes: Any) -> dict[str, Any]:
    return {
        "name": "N",
        "username": "u",
        "password": "Ab123456",
        "email": "u@example.com",
        **changes,
    }


@pytest.mark.parametrize(
    ("make_call", "message"),
    [
        (lambda a: a.client.users.create(**_user(password="Ab1")), "needs at least 8 characters"),
        (
            lambda a: a.client.users.create(**_user(password="abcdefg1")),
            "needs an uppercase letter",
        ),
        (lambda a: a.client.users.create(**_user(password="ABCDEFG1")), "needs a lowercase letter"),
        (lambda a: a.client.users.create(**_user(password="Abcdefgh")), "needs a digit"),
        (
            lambda a: a.client.users.create(**_user(password="abc")),
            "needs at least 8 characters, a digit, an uppercase letter",
        ),
        (lambda a: a.client.users.update(1, password="short"), "needs at least 8 characters"),
        (lambda a: a.client.users.create(**_user(name="", email=" ")), "a user needs name, email"),
        (lambda a: a.client.users.update(1, username=""), "a user's username cannot be empty"),
        (
            lambda a: a.client.users.create(**_user(extra={"password": "Ab123456"})),
            "give the password as password=",
        ),
        (
            lambda a: a.create_user(DialerUser("u", "N", email="u@x.io")),
            "a REST dialer user needs a password",
        ),
        (lambda a: a.create_user(DialerUser("u", "N", password="Ab123456")), "a user needs email"),
        (
            lambda a: a.client.queues.create(name="Q", strategy="fastest", time_base_score="queue"),
            "strategy must be one of ring-all, longest-idle-agent",
        ),
        (
            lambda a: a.client.queues.create(name="Q", strategy="random", time_base_score="both"),
            "time_base_score must be system or queue",
        ),
        (
            lambda a: a.client.queues.create(name=" ", strategy="random", time_base_score="queue"),
            "a queue needs a name",
        ),
        (lambda a: a.client.queues.update(1, strategy="sideways"), "strategy must be one of"),
        (lambda a: a.client.phone_lists.create(""), "a phone list needs a name"),
        (lambda a: a.client.phone_lists.update(1, name="  "), "a phone list needs a name"),
        (
            lambda a: a.client.leads.add(1, [PhoneListLead("1"), PhoneListLead("")]),
            "needs a phone number",
        ),
        (lambda a: a.client.leads.delete(1, ""), "a lead needs a phone number"),
    ],
)
async def test_invalid_requests_are_refused_before_sending(
    adapter, session, simulator, audit, make_call, message
):
    with pytest.raises(InvalidRequest, match=message) as refused:
        await make_call(adapter)
    assert refused.value.dialer == "rest"
    assert await received(session, simulator) == []


# --- The dialer's refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make_call", "dialer_text"),
    [
        (lambda a: a.client.users.get(999), "user 999 does not exist"),
        (lambda a: a.client.phone_lists.delete(999), "phone list 999 does not exist"),
        (lambda a: a.client.leads.list(999), "phone list 999 does not exist"),
        (lambda a: a.client.queues.agents(999), "queue 999 does not exist"),
        (lambda a: a.client.agents.check_in(), "user_id is required when no user is logged in"),
        (lambda a: a.client.agents.set_pause(1, user_id=999), "user 999 does not exist"),
        (lambda a: a.client.users.login("nobody", "Ab123456"), "wrong username or password"),
        (lambda a: a.update_user(DialerUser("ghost", "G")), None),
    ],
)
async def test_the_dialers_refusals_are_typed(adapter, make_call, dialer_text):
    with pytest.raises(DialerRejected) as refused:
        await make_call(adapter)
    assert refused.value.dialer_text == dialer_text
    assert refused.value.code == "dialer_rejected"


async def test_a_taken_username_is_refused(adapter):
    await new_agent(adapter)
    with pytest.raises(DialerRejected, match="username ann is already taken"):
        await new_agent(adapter)


async def test_a_wrong_api_key_is_unauthorized(connect):
    adapter = connect(api_key="not-the-key")
    with pytest.raises(DialerUnauthorized) as refused:
        await adapter.client.phone_lists.list()
    assert refused.value.dialer_text == "Unauthorized"


# --- Malformed answers, a dialer that is down or slow ---------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "make_call"),
    [
        ("/api/phone_list", "<html><body>502 Bad Gateway</body></html>", None),
        ("/api/phone_list", '{"success": true, "data": [{"id": 1, "na', None),
        ("/api/phone_list", '[{"id": 1, "name": "L"}]', None),
        ("/api/phone_list", '{"data": []}', None),
        ("/api/phone_list", '{"success": true, "data": {"id": 1, "name": "L"}}', None),
        ("/api/phone_list", '{"success": true, "data": [{"id": "one", "name": "L"}]}', None),
        ("/api/phone_list", '{"success": true, "data": [{"id": 1}]}', None),
        ("/api/phone_list", '{"success": true}', None),
        ("/api/cc_agent/checkIn", '{"success": true, "data": 9477}', "check_in"),
        ("/api/cc_agent/setQueues", '{"success": true, "data": "queue"}', "set_queues"),
        ("/api/cc_queue/1/users", '{"success": true, "data": [[1, 2]]}', "queue_agents"),
        ("/api/user/1", '{"success": true, "data": {"id": 1, "name": "N", "username": 5}}', "user"),
        ("/api/cc_agent/originate", '{"Success": true, "uuid": 12}', "originate"),
    ],
)
async def test_a_malformed_answer_is_a_bad_response(
    adapter, session, simulator, path, body, make_call
):
    await fault(session, simulator, kind="body", path=path, body=body, times=1)
    calls = {
        None: lambda: adapter.client.phone_lists.list(),
        "check_in": lambda: adapter.client.agents.check_in(user_id=1),
        "set_queues": lambda: adapter.client.agents.set_queues([1], user_id=1),
        "queue_agents": lambda: adapter.client.queues.agents(1),
        "user": lambda: adapter.client.users.get(1),
        "originate": lambda: adapter.originate(OriginateRequest("1555", extension="100")),
    }
    with pytest.raises(DialerBadResponse) as bad:
        await calls[make_call]()
    assert bad.value.dialer_text


async def test_a_dialer_that_is_down_is_unavailable(connect, audit):
    adapter = AuditedAdapter(connect(base_url=f"http://127.0.0.1:{unused_port()}"), audit.append)
    with pytest.raises(DialerUnavailable, match="unreachable"):
        await adapter.active_lists()
    with pytest.raises(DialerUnavailable, match="unreachable"):
        await adapter.create_list(DialerList("", "L"))
    assert [(e.action, e.outcome, e.detail) for e in audit] == [
        ("active_lists", "dialer_unavailable", "GET /api/phone_list"),
        ("create_list", "dialer_unavailable", "POST /api/phone_list"),
    ]


async def test_a_slow_dialer_times_out(connect, session, simulator):
    adapter = connect(timeout=0.3)
    await fault(session, simulator, kind="timeout", path="/api/phone_list", times=1)
    with pytest.raises(DialerTimeout):
        await adapter.client.phone_lists.create("L")
    assert len(await received(session, simulator)) == 1  # a write is never repeated
    await forget_requests(session, simulator)
    await fault(session, simulator, kind="timeout", path="/api/phone_list", times=1)
    assert await adapter.client.phone_lists.list() == []  # a read is repeated after its timeout
    assert len(await received(session, simulator)) == 2


async def test_reads_are_retried_a_bounded_number_of_times(adapter, session, simulator):
    await fault(session, simulator, kind="status", status=503, path="/api/cc_queue", times=2)
    assert await adapter.client.queues.list() == []
    assert len(await received(session, simulator)) == 3
    await forget_requests(session, simulator)
    await fault(session, simulator, kind="status", status=503, path="/api/cc_queue", times=5)
    with pytest.raises(DialerUnavailable):
        await adapter.client.queues.list()
    assert len(await received(session, simulator)) == 3


@pytest.mark.parametrize(
    ("path", "make_call"),
    [
        (
            "/api/cc_queue",
            lambda a: a.client.queues.create(name="Q", strategy="random", time_base_score="queue"),
        ),
        ("/api/user/1", lambda a: a.client.users.update(1, name="N")),
        ("/api/user/1", lambda a: a.client.users.delete(1)),
        ("/api/cc_agent/checkIn", lambda a: a.client.agents.check_in(user_id=1)),
        ("/api/cc_agent/setQueues", lambda a: a.client.agents.set_queues([1], user_id=1)),
        (
            "/api/cc_agent/originate",
            lambda a: a.originate(OriginateRequest("1555", extension="100")),
        ),
        ("/api/user/logout", lambda a: a.client.users.logout()),
    ],
)
async def test_writes_and_agent_actions_are_never_retried(
    adapter, session, simulator, path, make_call
):
    await fault(session, simulator, kind="status", status=503, path=path, times=1)
    with pytest.raises(DialerUnavailable):
        await make_call(adapter)
    assert len(await received(session, simulator)) == 1


async def test_a_dropped_connection_is_unavailable(adapter, session, simulator):
    await fault(session, simulator, kind="drop", path="/api/user", times=5)
    with pytest.raises(DialerUnavailable):
        await adapter.client.users.create(**_user())
    assert len(await received(session, simulator)) == 1


# --- Secrets and the audit log --------------------------------------------------------------


async def test_the_api_key_appears_in_no_error_and_no_audit_entry(
    connect, audited, session, simulator, audit
):
    echo = f'{{"success": false, "msg": "bad api_key={API_KEY}"}}'
    failures = [  # a 503 is tried three times (a read), the others once
        ("status", {"status": 503, "body": f"upstream said api_key={API_KEY}", "times": 3}),
        ("body", {"body": f"<html>api_key={API_KEY}</html>", "times": 1}),
        ("body", {"body": echo, "content_type": "application/json", "times": 1}),
        ("status", {"status": 401, "body": echo, "content_type": "application/json", "times": 1}),
    ]
    errors: list[DialerError] = []
    for kind, spec in failures:
        await fault(session, simulator, kind=kind, path="/api/phone_list", **spec)
        with pytest.raises(DialerError) as failed:
            await audited.active_lists()
        errors.append(failed.value)

    def audited_by(**options: Any) -> AuditedAdapter:
        return AuditedAdapter(connect(**options), audit.append)

    await fault(session, simulator, kind="timeout", path="/api/phone_list", times=1)
    with pytest.raises(DialerTimeout) as timed_out:
        await audited_by(timeout=0.2).create_list(DialerList("", "L"))
    errors.append(timed_out.value)
    with pytest.raises(DialerUnauthorized) as unauthorized:
        await audited_by(api_key="wrong").active_lists()
    errors.append(unauthorized.value)
    with pytest.raises(DialerUnavailable) as down:
        await audited_by(base_url=f"http://127.0.0.1:{unused_port()}").active_lists()
    errors.append(down.value)
    assert [type(e).__name__ for e in errors] == [
        "DialerUnavailable",
        "DialerBadResponse",
        "DialerRejected",
        "DialerUnauthorized",
        "DialerOutcomeUnknown",  # a create, sent: it may have been carried out
        "DialerUnauthorized",
        "DialerUnavailable",
    ]
    for error in errors:
        for text in (str(error), repr(error), json.dumps(error.to_dict())):
            assert API_KEY not in text
    assert len(audit) == len(errors)
    for entry in audit:
        assert API_KEY not in repr(entry)
    assert errors[2].dialer_text == "bad api_key=***"


async def test_each_operation_is_audited_once(adapter, audited, audit):
    await audited.create_user(DialerUser("agent7", "A", password="Xy123456", email="a@x.io"))
    [user] = await adapter.client.users.query("agent7")  # the client library: not audited
    await audited.delete_user("agent7")
    dialer_list = await audited.create_list(DialerList("", "L"))
    await audited.add_leads(dialer_list, [lead("12025550143")])
    with pytest.raises(DialerRejected):
        await audited.update_user(DialerUser("ghost", "G"))
    assert [(e.action, e.outcome, e.detail) for e in audit] == [
        ("create_user", "ok", "POST /api/user"),
        ("delete_user", "ok", f"GET /api/user/, DELETE /api/user/{user.id}"),
        ("create_list", "ok", "POST /api/phone_list"),
        ("add_leads", "ok", f"POST /api/phone_list/{dialer_list.list_id}/lead"),
        ("update_user", "dialer_rejected", "GET /api/user/"),
    ]
    assert audit[-1].error_text == "rest has no user 'ghost'"
    assert all(entry.dialer == "rest" and entry.duration_ms >= 0 for entry in audit)


# --- Events reach a receiver ----------------------------------------------------------------


async def test_events_reach_a_receiver(aiohttp_server, session, audit):
    events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive(request: web.Request) -> web.Response:
        await events.put(await request.json())
        return web.Response()

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    hook = await aiohttp_server(receiver)
    simulator = await aiohttp_server(
        create_rest_simulator(
            api_keys=[API_KEY],
            extensions=["100"],
            event_url=str(hook.make_url("/hook")),
            call_event_delays=(0.01, 0.01, 0.01),
        )
    )
    adapter = rest_adapter(session, str(simulator.make_url("")), api_key=API_KEY)
    ann = await new_agent(adapter)
    await adapter.client.agents.check_in_device(user_id=ann.id, device_id=4)
    result = await adapter.originate(
        OriginateRequest("15551230000", user_id=str(ann.id), lead_id="L1")
    )
    seen = [await asyncio.wait_for(events.get(), 5) for _ in range(5)]
    assert [e["event"] for e in seen] == [
        "agent:checkin",
        "agent:status",
        "call:ring",
        "call:answer",
        "call:end",
    ]
    assert {e["data"]["id"] for e in seen[2:]} == {result.uuid}
    assert seen[4]["data"]["lead_id"] == "L1" and seen[4]["data"]["src_user_id"] == ann.id
