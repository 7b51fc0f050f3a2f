"""The Elision adapter against the simulator, over real sockets, with a real transport.

Spec 004's examples are the contract: what the adapter sends is compared with the
spec's URLs, and every example answer is served verbatim to see how it is read.
"""

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from pydantic import ValidationError

from bridge.audit import AuditedAdapter, AuditEntry
from bridge.elision import ElisionAdapter, ElisionSettings
from bridge.elision.answers import LeadAnswer
from bridge.elision.rules import Agent
from bridge.errors import (
    DialerBadResponse,
    DialerError,
    DialerOutcomeUnknown,
    DialerRejected,
    DialerUnauthorized,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.interface import DialerList, DialerUser, LeadOutcome, OriginateRequest
from bridge.lead_export import export_leads
from bridge.retry import RetryPolicy
from bridge.transport import dialer_session
from simulators.elision import ELISION_PATH, VICIDIAL_PATH, create_elision_simulator
from tests.dialers import lead
from tests.elision_rig import API_PASS, TEST_LIST, MakeRig, Rig, adapter_at, rigs
from tests.elision_spec import (
    ACTIVE_LISTS_SUCCESS,
    ADD_LIST_EXISTS,
    ADD_LIST_NO_CAMPAIGN,
    ADD_LIST_NO_PERMISSION,
    ADD_LIST_REQUIRED,
    ADD_LIST_SUCCESS,
    ADD_USER_EXISTS,
    ADD_USER_GROUP,
    ADD_USER_LEVEL,
    ADD_USER_NO_PERMISSION,
    ADD_USER_REQUIRED,
    ADD_USER_SUCCESS,
    MULTI_LEAD_BAD_PHONE,
    MULTI_LEAD_REQUIRED,
    MULTI_LEAD_SUCCESS,
    SPEC_ACTIVE_LISTS,
    SPEC_ADD_LIST,
    SPEC_ADD_MULTI_LEAD,
    SPEC_ADD_USER,
    SPEC_LISTS,
    SPEC_MULTI_LEAD_ROW,
    SPEC_UPDATE_USER,
    UPDATE_USER_ACTIVE,
    UPDATE_USER_EMAIL,
    UPDATE_USER_FULL_NAME,
    UPDATE_USER_GROUP,
    UPDATE_USER_LEVEL,
    UPDATE_USER_MISSING,
    UPDATE_USER_NO_PERMISSION,
    UPDATE_USER_PHONE_LOGIN,
    UPDATE_USER_PHONE_PASS,
    UPDATE_USER_REQUIRED,
    UPDATE_USER_SUCCESS,
    UPDATE_USER_THIS_USER,
    UPDATE_USER_VOICEMAIL,
)

SPEC_AGENT = Agent("1000", "9999", 1, "Testing Person", "AGENTS")
SPEC_UPDATE = Agent("1000", "9876", 5, "Testing Person", "AGENTS")
HOSTILE_NAME = 'O\'Brien & <Sons> "Zoë" +1%20=?#李'  # 41 bytes: fits 1-50
HOSTILE_LIST = 'Tom & Jerry\'s <"Zoë"> +%'  # 26 bytes: fits 6-30
SPEC_USER = DialerUser("1000", "Testing Person", password="9999", user_group="AGENTS")


@pytest.fixture
async def make_rig(aiohttp_server: Any) -> AsyncIterator[MakeRig]:
    async with rigs(aiohttp_server) as make:
        yield make


@pytest.fixture
async def rig(make_rig: MakeRig) -> Rig:
    return await make_rig()


@pytest.fixture
async def spec_rig(make_rig: MakeRig) -> Rig:
    """The spec's own API user and source: user=api, pass=1234, source=test."""
    return await make_rig(api_pass="1234", source="test")


@pytest.fixture
async def vicidial(make_rig: MakeRig) -> Rig:
    return await make_rig(flavour="vicidial")


OddDialer = Callable[..., Awaitable[ElisionAdapter]]


@pytest.fixture
async def odd_dialer(aiohttp_server: Any) -> AsyncIterator[OddDialer]:
    """An adapter talking to a hand-written dialer: ``handler`` answers every GET."""
    sessions: list[aiohttp.ClientSession] = []

    async def make(handler: Any, **options: Any) -> ElisionAdapter:
        app = web.Application()
        app.router.add_get(ELISION_PATH, handler)
        server = await aiohttp_server(app)
        session = dialer_session()
        sessions.append(session)
        url = str(server.make_url(""))
        return adapter_at(session, url, api_pass="1234", source="test", **options)

    yield make
    for session in sessions:
        await session.close()


def spec_query(spec: str) -> list[tuple[str, str]]:
    return parse_qsl(spec, keep_blank_values=True)


# What the adapter sends: the spec's example URLs


async def test_add_user_sends_the_spec_example(spec_rig: Rig) -> None:
    await spec_rig.adapter.add_user(SPEC_AGENT)
    assert await spec_rig.sent() == [spec_query(SPEC_ADD_USER)]


async def test_update_user_sends_the_spec_example(spec_rig: Rig) -> None:
    await spec_rig.adapter.add_user(SPEC_AGENT)
    await spec_rig.adapter.update_user(SPEC_UPDATE)
    assert (await spec_rig.sent())[1] == spec_query(SPEC_UPDATE_USER)


async def test_add_list_sends_the_spec_example(make_rig: MakeRig) -> None:
    rig = await make_rig(api_pass="1234", source="test", lists=[])
    await rig.adapter.add_list("1101", "Test API list", "TESTCAMP")
    assert await rig.sent() == [spec_query(SPEC_ADD_LIST)]


async def test_active_lists_sends_the_spec_example(spec_rig: Rig) -> None:
    await spec_rig.adapter.active_lists()
    assert await spec_rig.sent() == [spec_query(SPEC_ACTIVE_LISTS)]


async def test_add_multi_lead_sends_the_spec_example(spec_rig: Rig) -> None:
    answers = await spec_rig.adapter.add_multi_lead([json.loads(SPEC_MULTI_LEAD_ROW)])
    assert await spec_rig.sent() == [spec_query(SPEC_ADD_MULTI_LEAD)]
    assert answers == [LeadAnswer(True, "Record(s) Created", "***567893|1101|1036||NEW|")]


async def test_the_query_string_is_the_spec_urls_byte_for_byte(odd_dialer: OddDialer) -> None:
    received: list[str] = []

    async def record(request: web.Request) -> web.Response:
        received.append(request.raw_path.partition("?")[2])
        function = request.query["function"]
        if function == "add_list":
            return web.Response(text=ADD_LIST_SUCCESS)
        if function == "active_lists":
            return web.Response(text=ACTIVE_LISTS_SUCCESS)
        return web.Response(text=f"SUCCESS: {function} DONE - api|1000\n")

    adapter = await odd_dialer(record)
    await adapter.add_user(SPEC_AGENT)
    await adapter.update_user(SPEC_UPDATE)
    await adapter.add_list("1101", "Test API list", "TESTCAMP")
    await adapter.active_lists()
    assert received == [SPEC_ADD_USER, SPEC_UPDATE_USER, SPEC_ADD_LIST, SPEC_ACTIVE_LISTS]


async def test_the_generic_operations_send_the_api_fields(rig: Rig) -> None:
    user = DialerUser(
        "agent7",
        "Agent Seven",
        password="Agent-pass-7",
        extension="1001",
        phone_pass="Phone-7",
        email="a7@example.com",
        user_level=3,
        user_group="AGENTS",
    )
    await rig.adapter.create_user(user)
    await rig.adapter.update_user(DialerUser("agent7", "Agent 7", extension="1002", active=False))
    await rig.adapter.delete_user("agent7")
    auth = [("source", "crmbridge"), ("user", "api"), ("pass", API_PASS)]
    assert await rig.sent() == [
        [
            *auth,
            ("function", "add_user"),
            ("agent_user", "agent7"),
            ("agent_pass", "Agent-pass-7"),
            ("agent_user_level", "3"),
            ("agent_full_name", "Agent Seven"),
            ("agent_user_group", "AGENTS"),
            ("phone_login", "1001"),
            ("phone_pass", "Phone-7"),
            ("email", "a7@example.com"),
        ],
        [
            *auth,
            ("function", "update_user"),
            ("agent_user", "agent7"),
            ("agent_user_level", "1"),
            ("agent_full_name", "Agent 7"),
            ("agent_user_group", "AGENTS"),
            ("phone_login", "1002"),
            ("active", "N"),
        ],
        [*auth, ("function", "update_user"), ("agent_user", "agent7"), ("delete_user", "Y")],
    ]


# How the adapter reads the spec's example answers, served verbatim

UNAUTHORIZED, REJECTED = DialerUnauthorized, DialerRejected

ADD_USER_ERRORS = [
    (ADD_USER_NO_PERMISSION, UNAUTHORIZED),
    (ADD_USER_REQUIRED, REJECTED),
    (ADD_USER_LEVEL, UNAUTHORIZED),
    (ADD_USER_GROUP, REJECTED),
    (ADD_USER_EXISTS, REJECTED),
]
UPDATE_USER_ERRORS = [
    (UPDATE_USER_NO_PERMISSION, UNAUTHORIZED),
    (UPDATE_USER_REQUIRED, REJECTED),
    (UPDATE_USER_MISSING, REJECTED),
    (UPDATE_USER_THIS_USER, UNAUTHORIZED),
    (UPDATE_USER_FULL_NAME, REJECTED),
    (UPDATE_USER_LEVEL, REJECTED),
    (UPDATE_USER_GROUP, REJECTED),
    (UPDATE_USER_PHONE_LOGIN, REJECTED),
    (UPDATE_USER_PHONE_PASS, REJECTED),
    (UPDATE_USER_VOICEMAIL, REJECTED),
    (UPDATE_USER_EMAIL, REJECTED),
    (UPDATE_USER_ACTIVE, REJECTED),
]


@pytest.mark.parametrize(("answer", "kind"), ADD_USER_ERRORS)
async def test_spec_add_user_errors_are_typed(rig: Rig, answer: str, kind: type) -> None:
    await rig.answer_once(answer + "\n")
    with pytest.raises(kind) as raised:
        await rig.adapter.add_user(SPEC_AGENT)
    assert raised.value.dialer_text == answer
    reason = answer.split(" - ")[0].removeprefix("ERROR: add_user ")
    assert reason in raised.value.message and "add_user" in raised.value.message


@pytest.mark.parametrize(("answer", "kind"), UPDATE_USER_ERRORS)
async def test_spec_update_user_errors_are_typed(rig: Rig, answer: str, kind: type) -> None:
    await rig.answer_once(answer + "\n")
    with pytest.raises(kind) as raised:
        await rig.adapter.update_user(SPEC_UPDATE)
    assert raised.value.dialer_text == answer


async def test_spec_user_successes_are_returned_with_the_agents_password_redacted(
    rig: Rig,
) -> None:
    await rig.answer_once(ADD_USER_SUCCESS + "\n")
    assert await rig.adapter.add_user(SPEC_AGENT) == (
        "SUCCESS: add_user USER HAS BEEN ADDED - api|10000|***|1|Testing Person|AGENTS"
    )
    await rig.answer_once(UPDATE_USER_SUCCESS + "\n")
    assert await rig.adapter.update_user(SPEC_UPDATE) == UPDATE_USER_SUCCESS


@pytest.mark.parametrize(
    ("answer", "kind", "message"),
    [
        (ADD_LIST_NO_PERMISSION, UNAUTHORIZED, "api User does not have permission"),
        (ADD_LIST_REQUIRED, REJECTED, "Please send list id , campaign id and list name"),
        (ADD_LIST_NO_CAMPAIGN, REJECTED, "TESTCAMP campaign does not exist"),
        (ADD_LIST_EXISTS, REJECTED, "1101 list already exist"),
    ],
)
async def test_spec_add_list_errors_are_typed(
    rig: Rig, answer: str, kind: type, message: str
) -> None:
    await rig.answer_once(answer)
    with pytest.raises(kind) as raised:
        await rig.adapter.add_list(*TEST_LIST)
    # Any echoed password is redacted, by the answer's structure: "1234" is not even ours.
    assert raised.value.dialer_text == answer.replace('"password":"1234"', '"password":"***"')
    assert message in raised.value.message


async def test_spec_add_list_success_is_read_with_its_line_break(rig: Rig) -> None:
    await rig.answer_once(ADD_LIST_SUCCESS)
    assert await rig.adapter.add_list(*TEST_LIST) == "1101 list created"


async def test_spec_active_lists_answer_is_read_into_lists(rig: Rig) -> None:
    await rig.answer_once(ACTIVE_LISTS_SUCCESS)
    lists = await rig.adapter.active_lists()
    assert [(x.list_id, x.name, x.campaign) for x in lists] == SPEC_LISTS
    assert all(x.active for x in lists)


async def test_spec_add_multi_lead_answers_are_read(rig: Rig) -> None:
    row = {"phone_number": "1293", "list_id": "1101"}
    await rig.answer_once(MULTI_LEAD_REQUIRED)
    with pytest.raises(DialerRejected) as raised:
        await rig.adapter.add_multi_lead([row])
    assert raised.value.dialer_text == MULTI_LEAD_REQUIRED
    assert "YOU MUST USE ALL REQUIRED FIELDS" in raised.value.message
    await rig.answer_once(MULTI_LEAD_BAD_PHONE)
    assert await rig.adapter.add_multi_lead([row]) == [
        LeadAnswer(False, "Invalid phone number", "1293")
    ]
    await rig.answer_once(MULTI_LEAD_SUCCESS)
    assert await rig.adapter.add_multi_lead([row]) == [
        LeadAnswer(True, "Record(s) Created", "1234567893|1101|1036||NEW|")
    ]


async def test_vicidials_other_text_forms_are_read(rig: Rig) -> None:
    await rig.answer_once("ERROR: add_user USER ALREADY EXISTS: |api|1000\n")
    with pytest.raises(DialerRejected) as raised:
        await rig.adapter.add_user(SPEC_AGENT)
    assert raised.value.dialer_text == "ERROR: add_user USER ALREADY EXISTS: |api|1000"
    await rig.answer_once(
        "ERROR: auth USER DOES NOT HAVE PERMISSION TO USE THIS FUNCTION: |api|add_user|"
    )
    with pytest.raises(DialerUnauthorized):
        await rig.adapter.add_user(SPEC_AGENT)
    await rig.answer_once(
        "SUCCESS: add_user USER HAS BEEN ADDED - api|1000|9999|1|A|AGENTS\n"
        "NOTICE: add_user SOMETHING ELSE - 1\n"
    )
    assert await rig.adapter.add_user(SPEC_AGENT) == (
        "SUCCESS: add_user USER HAS BEEN ADDED - api|1000|***|1|A|AGENTS"
    )


# Every function against the simulator


async def test_users_round_trip(rig: Rig) -> None:
    added = await rig.audited.create_user(
        DialerUser("agent7", HOSTILE_NAME, password="Agent-pass-7", extension="1001")
    )
    assert (
        added == f"SUCCESS: add_user USER HAS BEEN ADDED - api|agent7|***|1|{HOSTILE_NAME}|AGENTS"
    )
    updated = await rig.audited.update_user(
        DialerUser("agent7", "Zoë <&>", extension="1001", email="z@example.com")
    )
    assert updated == "SUCCESS: update_user USER HAS BEEN UPDATED - api|agent7"
    [agent] = [u for u in (await rig.state())["users"] if u["user"] == "agent7"]
    assert agent["full_name"] == "Zoë <&>" and agent["phone_login"] == "1001"
    assert agent["email"] == "z@example.com"
    assert await rig.audited.delete_user("agent7") == (
        "SUCCESS: update_user USER HAS BEEN DELETED - api|agent7"
    )
    assert [u["user"] for u in (await rig.state())["users"]] == ["api"]
    assert [(e.action, e.detail, e.outcome) for e in rig.audit] == [
        ("create_user", "add_user", "ok"),
        ("update_user", "update_user", "ok"),
        ("delete_user", "update_user", "ok"),
    ]


async def test_update_user_sends_only_the_agent_fields_given(rig: Rig) -> None:
    await rig.adapter.create_user(DialerUser("agent7", "Seven", password="Agent-pass-7"))
    await rig.adapter.update_user(Agent("agent7", voicemail_id="77"))
    [agent] = [u for u in (await rig.state())["users"] if u["user"] == "agent7"]
    assert (agent["full_name"], agent["voicemail_id"]) == ("Seven", "77")


async def test_a_hostile_full_name_survives_the_round_trip(rig: Rig) -> None:
    await rig.adapter.create_user(DialerUser("agent8", HOSTILE_NAME, password="p"))
    [agent] = [u for u in (await rig.state())["users"] if u["user"] == "agent8"]
    assert agent["full_name"] == HOSTILE_NAME


async def test_an_inactive_user_is_added_then_deactivated(rig: Rig) -> None:
    await rig.audited.create_user(DialerUser("agent9", "Nine", password="p", active=False))
    assert [(e.action, e.detail) for e in rig.audit] == [("create_user", "add_user, update_user")]
    sent = await rig.sent()
    assert [dict(q)["function"] for q in sent] == ["add_user", "update_user"]
    assert "active" not in dict(sent[0]) and dict(sent[1])["active"] == "N"
    [agent] = [u for u in (await rig.state())["users"] if u["user"] == "agent9"]
    assert agent["active"] == "N"


async def test_lists_round_trip_with_hostile_names(make_rig: MakeRig) -> None:
    rig = await make_rig(lists=[])
    created = DialerList("1101", HOSTILE_LIST, "TESTCAMP")
    assert await rig.adapter.create_list(created) == created
    await rig.adapter.add_list("1102", "Kept inactive", "TESTCAMP")
    await rig.adapter.add_list("1103", "Dash-in-the-name", "SALESCMP", active=True)
    assert await rig.adapter.active_lists() == [
        DialerList("1101", HOSTILE_LIST, "TESTCAMP"),
        DialerList("1103", "Dash-in-the-name", "SALESCMP"),
    ]


async def test_leads_round_trip(rig: Rig) -> None:
    leads = [
        lead(
            "14155550123",
            first_name="Zoë & <Co>",
            last_name='O\'Brien "+"',
            title="Dr",
            email="z@example.com",
            address="1 Main St",
            city="Zürich",
            postal_code="8001",
            notes="call after 5pm; ask for 'Z'",
            vendor_lead_code="CRM-1",
            custom={"favorite_color": "blue & green"},
        ),
        lead("442071838750"),
    ]
    outcomes = await rig.adapter.add_leads(DialerList("1101", "Test API list"), leads)
    assert outcomes == [
        LeadOutcome("14155550123", "added", "Record(s) Created - 4155550123|1101|1036||NEW|"),
        LeadOutcome("442071838750", "added", "Record(s) Created - 2071838750|1101|1037||NEW|"),
    ]
    first, second = (await rig.state())["leads"]
    assert first == {
        "phone_code": "1",
        "phone_number": "4155550123",
        "list_id": "1101",
        "title": "Dr",
        "first_name": "Zoë & <Co>",
        "last_name": 'O\'Brien "+"',
        "address1": "1 Main St",
        "city": "Zürich",
        "postal_code": "8001",
        "email": "z@example.com",
        "comments": "call after 5pm; ask for 'Z'",
        "vendor_lead_code": "CRM-1",
        "favorite_color": "blue & green",
        "lead_id": "1036",
        "status": "NEW",
    }
    assert (second["phone_code"], second["phone_number"]) == ("44", "2071838750")


async def test_leads_the_dialer_refuses_are_reported_one_by_one(rig: Rig) -> None:
    outcomes = await rig.adapter.add_leads(
        DialerList("9999", "missing"), [lead("14155550123"), lead("14155550124")]
    )
    assert outcomes == [
        LeadOutcome("14155550123", "failed", "Invalid list id - 9999"),
        LeadOutcome("14155550124", "failed", "Invalid list id - 9999"),
    ]


async def test_many_leads_are_exported_in_requests_that_fit_a_url(rig: Rig) -> None:
    leads = [lead(f"1415555{n:04d}", first_name=f"Lead «{n}» & co") for n in range(300)]
    outcomes = await export_leads(rig.audited, DialerList("1101", "Test API list"), leads)
    assert all(outcome.ok for outcome in outcomes) and len(outcomes) == 300
    stored = (await rig.state())["leads"]
    assert [row["phone_number"] for row in stored] == [x.phone.national_number for x in leads]
    rows = await rig.sim("GET", "/_sim/requests", params={"path": ELISION_PATH})
    assert len(rows) > 1
    for row in rows:
        url = rig.server.make_url(ELISION_PATH).with_query(row["query"])
        assert len(url.raw_path_qs) <= 7100  # well under the 8190 bytes servers accept
    assert [(e.action, e.detail) for e in rig.audit] == [("add_leads", "add_multi_lead")] * len(
        rows
    )


async def test_a_lead_too_large_for_any_request_is_reported_not_sent(rig: Rig) -> None:
    leads = [lead("14155550123", notes="n" * 8000), lead("14155550124")]
    outcomes = await export_leads(rig.adapter, DialerList("1101", "Test API list"), leads)
    assert outcomes[0] == LeadOutcome(
        "14155550123", "failed", "too large for one request to this dialer"
    )
    assert outcomes[1].ok


async def test_a_failure_after_some_leads_were_added_reports_the_rest(
    odd_dialer: OddDialer,
) -> None:
    calls = 0

    async def first_batch_only(request: web.Request) -> web.Response:
        nonlocal calls
        calls += 1
        if calls > 1:
            return web.Response(status=503, text="down")
        rows = json.loads(request.query["multi_leads"])
        answers = {
            f"lead {n}": {"success": True, "message": "Record(s) Created", "data": ""}
            for n in range(1, len(rows) + 1)
        }
        return web.json_response(answers)

    adapter = await odd_dialer(first_batch_only, max_query_bytes=1000)
    leads = [lead(f"1415555{n:04d}") for n in range(30)]
    outcomes = await export_leads(adapter, DialerList("1101", "L"), leads)
    assert calls == 2
    sent = [o for o in outcomes if o.ok]
    assert 0 < len(sent) < 30 and outcomes[: len(sent)] == sent
    assert all(
        o.message.startswith("not sent: elision answered HTTP 503") for o in outcomes[len(sent) :]
    )


async def test_a_failure_before_any_lead_was_added_is_raised(rig: Rig) -> None:
    await rig.fault(kind="status", status=503, body="down")
    with pytest.raises(DialerUnavailable):
        await export_leads(rig.adapter, DialerList("1101", "L"), [lead("14155550123")])


async def test_nothing_is_sent_for_no_leads(rig: Rig) -> None:
    assert await rig.adapter.add_leads(DialerList("1101", "L"), []) == []
    assert await rig.sent() == []


# Errors the simulator really produces, typed


async def test_wrong_api_password(make_rig: MakeRig) -> None:
    rig = await make_rig(dialer_pass="another-password")
    with pytest.raises(DialerUnauthorized) as raised:
        await rig.audited.create_user(DialerUser("agent1", "A", password="p"))
    assert raised.value.dialer_text == (
        "ERROR: add_user USER DOES NOT HAVE PERMISSION TO ADD USERS - api|0"
    )
    assert "api_pass" in raised.value.message
    with pytest.raises(DialerUnauthorized):
        await rig.audited.active_lists()
    with pytest.raises(DialerUnauthorized):
        await rig.audited.add_leads(DialerList("1101", "L"), [lead("14155550123")])
    assert [e.outcome for e in rig.audit] == ["dialer_unauthorized"] * 3


async def test_an_api_user_below_level_8(make_rig: MakeRig) -> None:
    rig = await make_rig(level=7)
    with pytest.raises(DialerUnauthorized) as raised:
        await rig.adapter.add_list("1102", "New list", "TESTCAMP")
    assert raised.value.dialer_text == (
        '{"success":false,"message":"api User does not have permission to add list in the '
        'system","data":{"user":"api","password":"***"}}'
    )
    assert await rig.adapter.active_lists() == [DialerList(*TEST_LIST)]


@pytest.mark.parametrize(
    ("run", "kind", "dialer_text"),
    [
        (
            lambda a: a.add_user(Agent("1000", "p", 9, "N", "AGENTS")),
            UNAUTHORIZED,
            "ERROR: add_user USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL - api|8",
        ),
        (
            lambda a: a.add_user(Agent("1000", "p", 1, "N", "ADFHR")),
            REJECTED,
            "ERROR: add_user USER GROUP DOES NOT EXIST - api|ADFHR",
        ),
        (
            lambda a: a.add_user(Agent("api", "p", 1, "N", "AGENTS")),
            REJECTED,
            "ERROR: add_user USER ALREADY EXISTS - api|api",
        ),
        (
            lambda a: a.update_user(Agent("78789", agent_full_name="N")),
            REJECTED,
            "ERROR: update_user USER DOES NOT EXIST - api|78789",
        ),
        (
            lambda a: a.update_user(Agent("api", agent_user_level=9)),
            REJECTED,
            "ERROR: update_user YOU MUST USE A VALID USER LEVEL, THIS IS AN OPTIONAL FIELD"
            " - api|9|8|1",
        ),
        (
            lambda a: a.update_user(Agent("api", agent_user_group="FAKEGROUP")),
            REJECTED,
            UPDATE_USER_GROUP,
        ),
        (
            lambda a: a.update_user(Agent("api", phone_login="fakephone")),
            REJECTED,
            UPDATE_USER_PHONE_LOGIN,
        ),
        (
            lambda a: a.update_user(Agent("api")),
            REJECTED,
            "ERROR: update_user NO UPDATES DEFINED - api|0",
        ),
        (
            lambda a: a.add_list("1101", "Test API list", "TESTCAMP"),
            REJECTED,
            '{"success":false,"message":"1101 list already exist","data":{"list_id":"1101",'
            '"list_name":"Test API list","campaign_id":"TESTCAMP"}}',
        ),
        (
            lambda a: a.add_list("1102", "Test API list", "NOCAMP"),
            REJECTED,
            '{"success":false,"message":"NOCAMP campaign does not exist","data":{"list_id":'
            '"1102","list_name":"Test API list","campaign_id":"NOCAMP"}}',
        ),
    ],
)
async def test_documented_errors_from_the_simulator_are_typed(
    make_rig: MakeRig, run: Callable[[ElisionAdapter], Awaitable[Any]], kind: type, dialer_text: str
) -> None:
    rig = await make_rig(level=8)
    with pytest.raises(kind) as raised:
        await run(rig.adapter)
    assert raised.value.dialer_text == dialer_text


async def test_updating_a_user_above_the_api_users_level_is_unauthorized(
    aiohttp_server: Any,
) -> None:
    app = create_elision_simulator(api_users={"api": (API_PASS, 8), "admin": ("Admin-1", 9)})
    server = await aiohttp_server(app)
    async with aiohttp.ClientSession() as session:
        as_admin = {"source": "test", "user": "admin", "pass": "Admin-1", "function": "add_user"}
        new_user = {"agent_user": "7878", "agent_pass": "p", "agent_user_level": "9"}
        params = {**as_admin, **new_user, "agent_full_name": "N", "agent_user_group": "ADMIN"}
        async with session.get(server.make_url(ELISION_PATH), params=params) as reply:
            assert (await reply.text()).startswith("SUCCESS")
        adapter = adapter_at(session, str(server.make_url("")))
        with pytest.raises(DialerUnauthorized) as raised:
            await adapter.delete_user("7878")
    assert raised.value.dialer_text == UPDATE_USER_THIS_USER


# The stock VICIdial flavour


async def test_vicidial_version(vicidial: Rig) -> None:
    assert await vicidial.adapter.version() == "2.14-917"
    await vicidial.answer_once(
        "VERSION: 2.14-917|BUILD: 250720-1841|DATE: 2026-11-22 10:00:00|EPOCH: 1795000000"
        "|DB TIME: 2026-11-22 10:00:00|\n"
    )
    assert await vicidial.adapter.version() == "2.14-917"
    assert [dict(q)["function"] for q in await vicidial.sent()] == ["version", "version"]


async def test_vicidial_functions(vicidial: Rig) -> None:
    adapter = vicidial.adapter
    assert await adapter.create_user(DialerUser("agent1", "One", password="p1")) == (
        "SUCCESS: add_user USER HAS BEEN ADDED - api|agent1|***|1|One|AGENTS"
    )
    assert await adapter.add_list("1102", "ab", "TESTCAMP") == (
        "SUCCESS: add_list LIST HAS BEEN ADDED - api|1102|TESTCAMP"
    )
    with pytest.raises(DialerRejected) as raised:
        await adapter.add_list("1102", "ab", "TESTCAMP")
    assert raised.value.dialer_text == "ERROR: add_list LIST ALREADY EXISTS - api|1102"
    outcomes = await adapter.add_leads(
        DialerList("1101", "L"),
        [lead("14155550123", first_name="Zoe & Co", custom={"favorite_color": "blue"})],
    )
    assert outcomes == [
        LeadOutcome(
            "14155550123",
            "added",
            "SUCCESS: add_lead LEAD HAS BEEN ADDED - 4155550123|1101|1036|0|api",
            {"first_name": "Zoe  Co"},
        )
    ]
    [row] = (await vicidial.state())["leads"]
    assert row["first_name"] == "Zoe  Co" and row["favorite_color"] == "blue"
    last = dict((await vicidial.sent())[-1])
    assert last["list_exists_check"] == "Y" and last["custom_fields"] == "Y"
    assert last["duplicate_check"] == "DUPLIST"


async def test_vicidial_refuses_leads_for_an_unknown_list_lead_by_lead(vicidial: Rig) -> None:
    outcomes = await export_leads(
        vicidial.audited, DialerList("4242", "L"), [lead("14155550123"), lead("14155550124")]
    )
    assert [(e.action, e.detail) for e in vicidial.audit] == [("add_leads", "add_lead")]
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert outcomes[0].message == (
        "ERROR: add_lead NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED - 4155550123|4242"
    )


async def test_vicidial_wrong_login_redacts_the_echoed_password(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial", dialer_pass="another-password")
    with pytest.raises(DialerUnauthorized) as raised:
        await rig.adapter.add_leads(DialerList("1101", "L"), [lead("14155550123")])
    assert raised.value.dialer_text == "ERROR: Login incorrect, please try again: |api|***|BAD|"


async def test_vicidial_add_lead_without_level_8_is_unauthorized(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial", level=7)
    with pytest.raises(DialerUnauthorized):
        await rig.adapter.add_lead({"phone_number": "4155550123", "list_id": "1101"})


@pytest.mark.parametrize(
    ("flavour", "run", "function"),
    [
        ("vicidial", lambda a: a.active_lists(), "active_lists"),
        (
            "vicidial",
            lambda a: a.add_multi_lead([{"phone_number": "1", "list_id": "1"}]),
            "add_multi_lead",
        ),
        ("elision", lambda a: a.version(), "version"),
        ("elision", lambda a: a.add_lead({"phone_number": "4155550123"}), "add_lead"),
        ("elision", lambda a: a.originate(OriginateRequest("14155550123")), "originate"),
    ],
)
async def test_functions_a_flavour_lacks_are_not_supported(
    make_rig: MakeRig, flavour: str, run: Callable[[ElisionAdapter], Awaitable[Any]], function: str
) -> None:
    rig = await make_rig(flavour=flavour)
    with pytest.raises(NotSupported) as raised:
        await run(rig.adapter)
    assert function in raised.value.message
    assert await rig.sent() == []


async def test_the_paths_of_both_flavours(make_rig: MakeRig) -> None:
    elision, vicidial = await make_rig(), await make_rig(flavour="vicidial")
    assert (elision.adapter.path, vicidial.adapter.path) == (ELISION_PATH, VICIDIAL_PATH)
    custom = await make_rig(path="/other/api.php")
    with pytest.raises(DialerBadResponse, match="HTTP 404"):
        await custom.adapter.active_lists()


# Checks before sending

ADD_USER_REFUSALS = [
    (Agent("1", "p", 1, "N", "AGENTS"), "add_user YOU MUST USE ALL REQUIRED FIELDS (agent_user"),
    (Agent("u" * 21, "p", 1, "N", "AGENTS"), "(agent_user must be 2-20 bytes (UTF-8))"),
    (Agent("1000", None, 1, "N", "AGENTS"), "(agent_pass must be 1-20 bytes (UTF-8))"),
    (Agent("1000", "p" * 21, 1, "N", "AGENTS"), "(agent_pass must be 1-20 bytes (UTF-8))"),
    (Agent("1000", "p", 0, "N", "AGENTS"), "(agent_user_level must be one digit, 1 to 9)"),
    (Agent("1000", "p", 10, "N", "AGENTS"), "(agent_user_level must be one digit, 1 to 9)"),
    (Agent("1000", "p", True, "N", "AGENTS"), "(agent_user_level must be one digit, 1 to 9)"),
    (Agent("1000", "p", 1, "", "AGENTS"), "(agent_full_name must be 1-50 bytes (UTF-8))"),
    (Agent("1000", "p", 1, "ë" * 26, "AGENTS"), "(agent_full_name must be 1-50 bytes (UTF-8))"),
    (Agent("1000", "p", 1, "N", "g" * 21), "(agent_user_group must be 1-20 bytes (UTF-8))"),
    (Agent("1000", "p", 1, "N", "AGENTS", phone_login="x" * 21), "phone_login must be 1-20"),
    (Agent("1000", "p", 1, "N", "AGENTS", phone_pass=""), "phone_pass must be 1-20 bytes (UTF-8)"),
    (Agent("1000", "p", 1, "N", "AGENTS", voicemail_id="12a"), "voicemail_id must be 1-10 digits"),
    (Agent("1000", "p", 1, "N", "AGENTS", voicemail_id="1" * 11), "voicemail_id must be 1-10"),
    (Agent("1000", "p", 1, "N", "AGENTS", voicemail_id="١٢"), "voicemail_id must be 1-10 digits"),
    (Agent("1000", "p", 1, "N", "AGENTS", email="e" * 101), "email must be 1-100 bytes (UTF-8)"),
    (Agent("1000", "p", 1, "N", "AGENTS", active=True), "add_user has no 'active' field"),
]
UPDATE_USER_REFUSALS = [
    (Agent("1"), "update_user YOU MUST USE ALL REQUIRED FIELDS (agent_user must be 2-20"),
    (Agent("1000", agent_pass=""), "agent_pass must be 1-20 bytes (UTF-8)"),
    (
        Agent("1000", agent_user_level=0),
        "update_user YOU MUST USE A VALID USER LEVEL, THIS IS AN OPTIONAL FIELD",
    ),
    (
        Agent("1000", agent_full_name="n" * 51),
        "update_user YOU MUST USE A VALID FULL NAME, THIS IS AN OPTIONAL FIELD",
    ),
    (
        Agent("1000", agent_user_group=""),
        "update_user YOU MUST USE A VALID USER GROUP, THIS IS AN OPTIONAL FIELD",
    ),
    (Agent("1000", phone_login=""), "update_user YOU MUST USE A VALID PHONE LOGIN"),
    (Agent("1000", phone_pass="x" * 21), "update_user YOU MUST USE A VALID PHONE PASSWORD"),
    (Agent("1000", voicemail_id="x"), "update_user YOU MUST USE A VALID VOICEMAIL ID"),
    (Agent("1000", email=""), "update_user YOU MUST USE A VALID EMAIL, THIS IS AN OPTIONAL FIELD"),
]


@pytest.mark.parametrize(("agent", "message"), ADD_USER_REFUSALS)
async def test_add_user_fields_are_checked_before_sending(
    rig: Rig, agent: Agent, message: str
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await rig.adapter.add_user(agent)
    assert message in raised.value.message
    assert await rig.sent() == []


@pytest.mark.parametrize(("agent", "message"), UPDATE_USER_REFUSALS)
async def test_update_user_fields_are_checked_before_sending(
    rig: Rig, agent: Agent, message: str
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await rig.adapter.update_user(agent)
    assert raised.value.message.startswith(message)
    assert await rig.sent() == []


@pytest.mark.parametrize(
    ("run", "message"),
    [
        (lambda a: a.delete_user("x"), "update_user YOU MUST USE ALL REQUIRED FIELDS"),
        (
            lambda a: a.add_list("1", "Test list", "TESTCAMP"),
            "list_id must be 2-14 digits, not starting with 0",
        ),
        (lambda a: a.add_list("1" * 15, "Test list", "TESTCAMP"), "list_id must be 2-14"),
        (
            lambda a: a.add_list("11a1", "Test list", "TESTCAMP"),
            "list_id must be 2-14 digits, not starting with 0",
        ),
        (lambda a: a.add_list("1101", "short", "TESTCAMP"), "list_name must be 6-30 bytes (UTF-8)"),
        (lambda a: a.add_list("1101", "n" * 31, "TESTCAMP"), "list_name must be 6-30"),
        (lambda a: a.add_list("1101", "Test list", "T"), "campaign_id must be 2-8 bytes (UTF-8)"),
        (lambda a: a.add_list("1101", "Test list", "TESTCAMPX"), "campaign_id must be 2-8"),
        (lambda a: a.create_list(DialerList("1101", "Test list")), "campaign_id must be 2-8"),
        (lambda a: a.add_multi_lead([]), "add_multi_lead YOU MUST USE ALL REQUIRED FIELDS"),
        (lambda a: a.add_multi_lead([{"list_id": "1101"}]), "lead 1 has no phone_number"),
        (
            lambda a: a.add_multi_lead(
                [{"phone_number": "1", "list_id": "1"}, {"phone_number": "2"}]
            ),
            "lead 2 has no list_id",
        ),
        (
            lambda a: a.add_multi_lead([{"phone_number": "1", "list_id": "1", "n": "x" * 8000}]),
            "do not fit in one request",
        ),
        (
            lambda a: a.add_leads(DialerList("1", "L"), [lead("14155550123")]),
            "list_id must be 2-14 digits, not starting with 0",
        ),
        (
            lambda a: a.add_leads(
                DialerList("1101", "L"), [lead("14155550123", custom={"pass": "x"})]
            ),
            "custom field 'pass' is one of the API's own parameters and cannot be sent",
        ),
        (
            lambda a: a.add_leads(
                DialerList("1101", "L"), [lead("14155550123", custom={"a b": "x"})]
            ),
            "custom field 'a b': use 1-50 letters, digits and '_'",
        ),
    ],
)
async def test_other_fields_are_checked_before_sending(
    rig: Rig, run: Callable[[ElisionAdapter], Awaitable[Any]], message: str
) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await run(rig.adapter)
    assert message in raised.value.message
    assert await rig.sent() == []


async def test_add_list_wording_follows_the_flavour(vicidial: Rig) -> None:
    with pytest.raises(InvalidRequest) as raised:
        await vicidial.adapter.add_list("1", "ab", "TESTCAMP")
    assert raised.value.message == (
        "add_list YOU MUST USE ALL REQUIRED FIELDS"
        " (list_id must be 2-14 digits, not starting with 0)"
    )


async def test_add_lead_cannot_override_the_login(vicidial: Rig) -> None:
    with pytest.raises(InvalidRequest, match="pass, user cannot be a field"):
        await vicidial.adapter.add_lead({"phone_number": "4155550123", "user": "x", "pass": "y"})
    assert await vicidial.sent() == []


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        ({"source": "s"}, "source", "must be 2-20 characters"),
        ({"source": "s" * 21}, "source", "must be 2-20 characters"),
        ({"flavour": "asterisk"}, "flavour", "Input should be 'elision' or 'vicidial'"),
        ({"api_pass": ""}, "api_pass", "give the secret as text"),
        ({"api_user": ""}, "api_user", "at least 1 character"),
        ({"path": "api.php"}, "path", "a path starts with '/'"),
    ],
)
def test_settings_are_checked(options: dict[str, Any], field: str, message: str) -> None:
    settings = {"base_url": "http://x", "api_user": "api", "api_pass": API_PASS, **options}
    with pytest.raises(ValidationError) as raised:
        ElisionSettings(**settings)
    [error] = raised.value.errors()
    assert error["loc"] == (field,) and message in error["msg"]


# Malformed answers

MALFORMED = [
    ("<html><body><h1>Not Found</h1></body></html>", "HTML, not an API answer"),
    ("<?php echo 'x'; ?>", "HTML, not an API answer"),
    ('{"success":true,"message":"lists are listed', "invalid or truncated JSON"),
    ('["ERROR","add_multi', "invalid or truncated JSON"),
    ("", "an empty body"),
    ("   \n", "an empty body"),
    ('{"ok": true}', "JSON of an unexpected shape"),
    ("[1, 2]", "JSON of an unexpected shape"),
    ('{"success": true}', "an envelope without a message"),
    ('{"success":true,"message":"ok","data":{"a":1}}', "data that is not a list"),
    ('{"success":true,"message":"ok","data":["nodashes"]}', "not CAMPAIGN-LISTID-NAME"),
    ("Everything went fine", "text without a SUCCESS or ERROR line"),
    ("SUCCESS: add_user USER HAS BEEN ADDED - api|1", "a SUCCESS line for another function"),
]


@pytest.mark.parametrize(("body", "what"), MALFORMED)
async def test_malformed_answers_are_bad_responses(rig: Rig, body: str, what: str) -> None:
    await rig.answer_once(body)
    with pytest.raises(DialerBadResponse) as raised:
        await rig.adapter.active_lists()
    assert what in raised.value.message
    assert raised.value.dialer_text == body.strip()[:1000]


@pytest.mark.parametrize(
    ("body", "what"),
    [
        ('{"lead 1":{"success":true,"message":"ok","data":""}}', "answers for other leads"),
        (
            '{"lead 1":{"message":"ok"},"lead 2":{"message":"ok"}}',
            "a lead's answer without success",
        ),
        ('{"success":true,"message":"ok","data":[]}', "no per-lead answers"),
        ('{"lead 1":{"success":true', "invalid or truncated JSON"),
    ],
)
async def test_malformed_lead_answers_are_bad_responses(rig: Rig, body: str, what: str) -> None:
    await rig.answer_once(body)
    rows = [{"phone_number": "4155550123", "list_id": "1101"}] * 2
    with pytest.raises(DialerBadResponse, match=what):
        await rig.adapter.add_multi_lead(rows)


async def test_a_version_answer_without_a_version_is_bad(vicidial: Rig) -> None:
    await vicidial.answer_once("SUCCESS: version OK\n")
    with pytest.raises(DialerBadResponse, match="no VERSION line"):
        await vicidial.adapter.version()
    await vicidial.answer_once("ERROR: NO FUNCTION SPECIFIED\n")
    with pytest.raises(DialerRejected, match="NO FUNCTION SPECIFIED"):
        await vicidial.adapter.version()


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, DialerBadResponse),
        (418, DialerBadResponse),
        (401, DialerUnauthorized),
        (403, DialerUnauthorized),
        (502, DialerUnavailable),
    ],
)
async def test_http_statuses(rig: Rig, status: int, kind: type) -> None:
    await rig.fault(kind="status", status=status, body="nope", times=3)
    with pytest.raises(kind):
        await rig.adapter.add_list("1102", "Some list", "TESTCAMP")


# A dialer that is down or slow, and retries


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_a_dialer_that_is_down_is_unavailable() -> None:
    audit: list[AuditEntry] = []
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{free_port()}"
        adapter = AuditedAdapter(
            adapter_at(session, url, retry=RetryPolicy(attempts=1)), audit.append
        )
        with pytest.raises(DialerUnavailable) as raised:
            await adapter.active_lists()
    assert "unreachable" in raised.value.message
    assert API_PASS not in raised.value.message and "http" not in raised.value.message
    assert audit[0].outcome == "dialer_unavailable"


async def test_a_dialer_that_does_not_answer_times_out(make_rig: MakeRig) -> None:
    rig = await make_rig(timeout_seconds=0.3)
    await rig.fault(kind="timeout")
    with pytest.raises(DialerOutcomeUnknown) as raised:
        await rig.audited.create_user(SPEC_USER)
    assert "may have been carried out" in raised.value.message
    assert len(await rig.sent()) == 1  # add_user is never repeated
    assert rig.audit[-1].outcome == "dialer_outcome_unknown"


async def test_reads_are_retried_while_the_dialer_is_unavailable(rig: Rig) -> None:
    await rig.fault(kind="drop", times=1)
    assert await rig.adapter.active_lists() == [DialerList(*TEST_LIST)]
    assert len(await rig.sent()) == 2


async def test_version_is_retried_too(vicidial: Rig) -> None:
    await vicidial.fault(kind="status", status=503, times=2)
    assert await vicidial.adapter.version() == "2.14-917"
    assert len(await vicidial.sent()) == 3


async def test_reads_give_up_after_the_last_retry(rig: Rig) -> None:
    await rig.fault(kind="status", status=503, times=5)
    with pytest.raises(DialerUnavailable):
        await rig.adapter.active_lists()
    assert len(await rig.sent()) == 3


@pytest.mark.parametrize(
    "run",
    [
        lambda a: a.add_multi_lead([{"phone_number": "4155550123", "list_id": "1101"}]),
        lambda a: a.add_list("1102", "Some list", "TESTCAMP"),
        lambda a: a.add_user(SPEC_AGENT),
        lambda a: a.update_user(SPEC_UPDATE),
        lambda a: a.delete_user("1000"),
    ],
)
async def test_writes_are_never_retried(
    rig: Rig, run: Callable[[ElisionAdapter], Awaitable[Any]]
) -> None:
    await rig.fault(kind="drop", times=1)
    with pytest.raises(DialerUnavailable):
        await run(rig.adapter)
    assert len(await rig.sent()) == 1


async def test_vicidial_add_lead_is_never_retried(vicidial: Rig) -> None:
    await vicidial.fault(kind="drop", times=1)
    with pytest.raises(DialerUnavailable):
        await vicidial.adapter.add_leads(DialerList("1101", "L"), [lead("14155550123")])
    assert len(await vicidial.sent()) == 1


# Secrets


async def test_the_api_password_is_in_no_error_and_no_audit_entry(make_rig: MakeRig) -> None:
    errors: list[DialerError] = []

    async def collect(run: Awaitable[Any]) -> None:
        try:
            await run
        except DialerError as error:
            errors.append(error)

    low = await make_rig(level=7, timeout_seconds=0.3)  # add_list echoes the password
    wrong = await make_rig(dialer_pass="not-the-password")
    vici = await make_rig(flavour="vicidial", dialer_pass="not-the-password")  # echoes it too
    unredacted = await make_rig(level=7, secrets=False)  # the adapter redacts by itself
    await low.fault(kind="body", body=f"<html>{API_PASS}</html>", match={"function": "add_user"})
    await low.fault(kind="timeout", match={"function": "update_user"})
    await low.fault(kind="status", status=500, body=API_PASS, match={"agent_user": "del"})
    for rig in (low, wrong, vici, unredacted):
        await collect(rig.audited.create_list(DialerList("1102", "Some list", "TESTCAMP")))
        await collect(rig.audited.create_user(SPEC_USER))
        await collect(rig.audited.update_user(SPEC_UPDATE))
        await collect(rig.audited.delete_user("del"))
        await collect(rig.audited.add_leads(DialerList("1101", "L"), [lead("14155550123")]))
    await collect(wrong.audited.active_lists())
    assert len(errors) == 21
    texts = [str(error) for error in errors]
    texts += [json.dumps(error.to_dict()) for error in errors]
    texts += [repr(entry) for rig in (low, wrong, vici, unredacted) for entry in rig.audit]
    assert all(API_PASS not in text for text in texts)
    assert any('"password":"***"' in (error.dialer_text or "") for error in errors)
    assert any("|api|***|BAD|" in (error.dialer_text or "") for error in errors)


async def test_agent_passwords_are_not_in_answers_or_reprs(rig: Rig) -> None:
    user = DialerUser("agent5", "Five", password="Agent5-Secret", phone_pass="Phone5-Secret")
    added = await rig.adapter.create_user(user)
    assert "Agent5-Secret" not in added
    agent = Agent.from_user(user)
    assert "Agent5-Secret" not in repr(agent) and "Phone5-Secret" not in repr(agent)


async def test_concurrent_calls_share_the_adapter(rig: Rig) -> None:
    names = [f"agent{n}" for n in range(20)]
    results = await asyncio.gather(
        *(rig.adapter.create_user(DialerUser(n, n, password="p")) for n in names)
    )
    assert all(r.startswith("SUCCESS: add_user USER HAS BEEN ADDED") for r in results)
    assert {u["user"] for u in (await rig.state())["users"]} == {"api", *names}


async def test_a_lead_answer_without_data_reads_as_empty(rig: Rig) -> None:
    await rig.answer_once('{"lead 1":{"success":true,"message":"Record(s) Created","data":null}}')
    rows = [{"phone_number": "4155550123", "list_id": "1101"}]
    assert await rig.adapter.add_multi_lead(rows) == [LeadAnswer(True, "Record(s) Created", "")]
