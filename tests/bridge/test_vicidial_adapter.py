"""The adapter against stock VICIdial 2.14 as the simulator now plays it (real sockets).

What a real VICIdial 2.14-202 did that the adapter did not expect: it changes what it
stores and answers success, takes any parameter as a control, adds a lead twice, locks
an API user after ten wrong passwords, and echoes passwords as it filtered them.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from pydantic import ValidationError

from bridge.elision import ElisionSettings
from bridge.elision.sanitising import as_identifier
from bridge.errors import (
    DialerError,
    DialerLocked,
    DialerUnauthorized,
    InvalidRequest,
)
from bridge.interface import DialerList, DialerUser, Lead
from bridge.lead_export import export_leads
from bridge.login_breaker import LoginBreakers
from server.database import Database
from server.login_refusals import DatabaseRefusals
from simulators.elision import STATE
from tests.dialers import lead
from tests.elision_rig import API_PASS, TEST_LIST, MakeRig, Rig, rigs

LIST = DialerList(TEST_LIST[0], TEST_LIST[1], TEST_LIST[2])
ALLOWED = "letters A-Z and a-z, digits, '-' and '_'"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def make_rig(aiohttp_server: Any) -> AsyncIterator[MakeRig]:
    async with rigs(aiohttp_server) as make:
        yield make


@pytest.fixture
async def vicidial(make_rig: MakeRig) -> Rig:
    return await make_rig(flavour="vicidial")


def user(username: str = "carol", **fields: Any) -> DialerUser:
    return DialerUser(username, fields.pop("full_name", "Carol Smith"), **fields)


async def lock_out(rig: Rig) -> None:
    """Ten wrong logins straight to the simulator: VICIdial locks the API user."""
    for _ in range(10):
        params = {"source": "test", "user": "api", "pass": "wrong", "function": "add_list"}
        async with rig.session.get(rig.server.make_url(rig.adapter.path), params=params) as r:
            assert (await r.text()).endswith("|api|wrong|BAD|\n")
    await rig.sim("DELETE", "/_sim/requests")


# 1. What the dialer would change: refused before sending, or reported


@pytest.mark.parametrize(
    ("dialer_user", "field", "shown"),
    [
        (user("carol.smith", password="Secret-1"), "agent_user", "'carolsmith'"),
        (user(password="Sup3r!Secret.pw"), "agent_pass", ALLOWED),
        (user(password="Secret-1", phone_pass="ph one"), "phone_pass", ALLOWED),
        (user(password="Secret-1", user_group="AGENTS.EU"), "agent_user_group", "'AGENTSEU'"),
        (user(password="Secret-1", extension="10.01"), "phone_login", "'1001'"),
        (user(password="x"), "agent_pass", "at least 2 characters"),
    ],
)
async def test_identifiers_and_passwords_the_dialer_would_change_are_refused(
    vicidial: Rig, dialer_user: DialerUser, field: str, shown: str
) -> None:
    for operation in (vicidial.adapter.create_user, vicidial.adapter.update_user):
        with pytest.raises(InvalidRequest) as raised:
            await operation(dialer_user)
        assert field in raised.value.message and shown in raised.value.message
        for secret in filter(None, (dialer_user.password, dialer_user.phone_pass)):
            assert secret not in str(raised.value.to_dict())  # never shown, even refused
    with pytest.raises(InvalidRequest, match="'carolsmith'"):
        await vicidial.adapter.delete_user("carol.smith")
    assert await vicidial.sent() == []


async def test_free_text_is_reported_as_the_dialer_stores_it(vicidial: Rig) -> None:
    added = await vicidial.adapter.create_user(
        user(full_name="D'Arcy Müller-Øst", password="Sup3rSecret", email="ada+crm@acme.test")
    )
    assert added == (
        "SUCCESS: add_user USER HAS BEEN ADDED - api|carol|***|1|DArcy Mller-st|AGENTS"
        " (the dialer stores agent_full_name as 'DArcy Mller-st', email as 'ada crm@acme.test')"
    )
    stored = vicidial.server.app[STATE].users["carol"]
    assert (stored.password, stored.full_name) == ("Sup3rSecret", "DArcy Mller-st")
    created = await vicidial.adapter.create_list(DialerList("1102", "Tom & Jerry's #1", "TESTCAMP"))
    assert created == DialerList("1102", "Tom & Jerrys 1", "TESTCAMP")
    assert vicidial.server.app[STATE].lists["1102"]["list_name"] == created.name
    with pytest.raises(InvalidRequest, match="list_name 'Ωμέγα' would be stored as ''"):
        await vicidial.adapter.create_list(DialerList("1103", "Ωμέγα", "TESTCAMP"))
    with pytest.raises(InvalidRequest, match=r"campaign_id 'TE\.CAMP'"):
        await vicidial.adapter.create_list(DialerList("1103", "List", "TE.CAMP"))


HOSTILE_LEADS = [
    lead(
        "14155550123",
        first_name="D'Arcy Müller-Øst",
        last_name="O'Brien & Sons; #1",
        title="Dr.-Prof",
        email="ada+crm@acme.test",
        address="1 Main St. #5 <rear>",
        city="Zürich+Nord",
        postal_code="SW1A 1AA!",
        notes='Call after 5pm; ask for "Z" #vip ' + "n" * 300,
        vendor_lead_code="CRM#1;x",
        custom={"favorite_color": 'blue+"green";\\'},
    ),
    lead("14155550124", first_name="Plain", last_name="Name", city="Boston"),
]


async def test_each_lead_says_what_the_dialer_stores_of_it(vicidial: Rig) -> None:
    outcomes = await vicidial.adapter.add_leads(LIST, HOSTILE_LEADS)
    assert [o.status for o in outcomes] == ["added", "added"]
    stored = (await vicidial.state())["leads"]
    names = {
        "first_name": "first_name",
        "last_name": "last_name",
        "title": "title",
        "email": "email",
        "address": "address1",
        "city": "city",
        "postal_code": "postal_code",
        "notes": "comments",
        "vendor_lead_code": "vendor_lead_code",
        "custom.favorite_color": "favorite_color",
    }
    for sent, outcome, row in zip(HOSTILE_LEADS, outcomes, stored, strict=True):
        for name, column in names.items():
            value = sent.custom.get(name[7:]) if name.startswith("custom.") else getattr(sent, name)
            if not value:
                continue
            assert row[column] == outcome.stored_as.get(name, value), name
    assert outcomes[0].stored_as["first_name"] == "D'Arcy Mller-st"
    assert outcomes[0].stored_as["notes"].startswith("Call after 5pm ask for Z vip nnn")
    assert len(outcomes[0].stored_as["notes"]) == 255
    assert outcomes[1].stored_as == {}


# 2. Custom fields: only those allowed, never the API's own parameters


@pytest.mark.parametrize(
    ("custom", "message"),
    [
        ({"add_to_hopper": "Y"}, "'add_to_hopper' is one of the API's own parameters"),
        ({"duplicate_check": "NONE"}, "'duplicate_check' is one of the API's own parameters"),
        ({"hopper_priority": "99"}, "'hopper_priority' is one of the API's own parameters"),
        ({"Callback": "Y"}, "'Callback' is one of the API's own parameters"),
        ({"shoe_size": "9"}, "'shoe_size' is not one this dialer takes"),
    ],
)
async def test_custom_fields_cannot_steer_the_call(
    vicidial: Rig, custom: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidRequest, match=message):
        await vicidial.adapter.add_leads(LIST, [lead("14155550123", custom=custom)])
    assert await vicidial.sent() == []


async def test_allowed_custom_fields_are_sent_as_custom_fields(vicidial: Rig) -> None:
    [outcome] = await vicidial.adapter.add_leads(
        LIST, [lead("14155550123", custom={"favorite_color": "blue"})]
    )
    assert outcome.status == "added"
    [sent] = await vicidial.sent()
    assert ("custom_fields", "Y") in sent and ("favorite_color", "blue") in sent
    [row] = (await vicidial.state())["leads"]
    assert row["favorite_color"] == "blue"


@pytest.mark.parametrize("name", ["add_to_hopper", "phone_number", "DB", "9lives", "a-b"])
def test_the_allowed_custom_fields_are_checked_in_the_settings(name: str) -> None:
    with pytest.raises(ValidationError, match=f"custom field '{name}'"):
        ElisionSettings(base_url="http://x", api_user="api", api_pass="p", custom_fields=(name,))


# 3. Sending the same leads again does not double them


async def test_leads_sent_twice_are_already_there_the_second_time(vicidial: Rig) -> None:
    leads = [lead(f"1415555{n:04d}") for n in range(20)]
    first = await export_leads(vicidial.audited, LIST, leads)
    again = await export_leads(vicidial.audited, LIST, leads)
    assert [o.status for o in first] == ["added"] * 20
    assert [o.status for o in again] == ["already_there"] * 20
    assert all(o.ok for o in again)
    assert again[0].message == (
        "ERROR: add_lead DUPLICATE PHONE NUMBER IN LIST - 4155550000|1101|1036"
    )
    assert len((await vicidial.state())["leads"]) == 20
    assert all(("duplicate_check", "DUPLIST") in query for query in await vicidial.sent())


async def test_a_phone_repeated_in_one_batch_is_added_once(vicidial: Rig) -> None:
    leads = [lead("14155550123", first_name="A"), lead("14155550123", first_name="B")]
    outcomes = await vicidial.adapter.add_leads(LIST, leads)
    assert [o.status for o in outcomes] == ["added", "already_there"]
    assert [row["first_name"] for row in (await vicidial.state())["leads"]] == ["A"]


async def test_the_duplicate_check_is_configurable(make_rig: MakeRig) -> None:
    lists = [TEST_LIST, ("1102", "Same campaign", "TESTCAMP")]
    rig = await make_rig(flavour="vicidial", lists=lists, duplicate_check="DUPCAMP")
    await rig.adapter.add_leads(LIST, [lead("14155550123")])
    [outcome] = await rig.adapter.add_leads(DialerList("1102", "L"), [lead("14155550123")])
    assert outcome.status == "already_there"
    assert "DUPLICATE PHONE NUMBER IN CAMPAIGN LISTS" in outcome.message


# 4. Lockout: a refused login is not repeated, a locked API user is said to be locked


async def test_after_a_refused_login_the_dialer_is_not_called_again_for_a_while(
    make_rig: MakeRig,
) -> None:
    clock = Clock()
    rig = await make_rig(
        flavour="vicidial", dialer_pass="the-right-one", breakers=LoginBreakers(clock)
    )
    with pytest.raises(DialerUnauthorized) as first:
        await rig.adapter.add_leads(LIST, [lead("14155550123")])
    assert "check api_user and api_pass" in first.value.message
    assert first.value.retry_after == 60
    for _ in range(5):
        with pytest.raises(DialerUnauthorized) as again:
            await rig.audited.create_list(DialerList("1102", "Another", "TESTCAMP"))
    assert "will not call elision with this API user again before" in again.value.message
    assert again.value.dialer_text == first.value.dialer_text
    assert len(await rig.sent()) == 1  # the refusal, and nothing since
    assert rig.audit[-1].outcome == "dialer_unauthorized" and rig.audit[-1].detail is None
    clock.now += 61
    with pytest.raises(DialerUnauthorized):
        await rig.adapter.add_leads(LIST, [lead("14155550123")])
    assert len(await rig.sent()) == 2  # tried once more after the cool-down


async def test_a_locked_api_user_is_reported_as_locked(make_rig: MakeRig) -> None:
    clock = Clock()
    rig = await make_rig(flavour="vicidial", breakers=LoginBreakers(clock))
    await lock_out(rig)
    with pytest.raises(DialerLocked) as raised:
        await rig.audited.create_list(DialerList("1102", "Another", "TESTCAMP"))
    error = raised.value
    assert error.code == "dialer_locked" and error.retry_after == 900
    assert error.dialer_text == (
        "ERROR: Too many login attempts, try again in 15 minutes: |api|LOCK|"
    )
    assert "check api_user and api_pass" not in error.message
    assert "locked the API user" in error.message and "the right password too" in error.message
    assert error.to_dict()["retry_after"] == 900
    assert rig.audit[-1].outcome == "dialer_locked"
    clock.now += 14 * 60
    with pytest.raises(DialerLocked) as still:
        await rig.adapter.add_leads(LIST, [lead("14155550123")])
    assert still.value.retry_after == 60
    assert len(await rig.sent()) == 1


async def test_tenants_sharing_an_api_user_do_not_lock_each_other_out(make_rig: MakeRig) -> None:
    shared = LoginBreakers()  # one process: what the bridge's tenants share
    right = await make_rig(flavour="vicidial", breakers=shared)
    wrong = [
        await make_rig(
            flavour="vicidial", server=right.server, api_pass=f"wrong-{n}", breakers=shared
        )
        for n in (1, 2)
    ]
    for round_ in range(15):
        for tenant in wrong:
            with pytest.raises(DialerUnauthorized):
                await tenant.adapter.add_leads(LIST, [lead(f"1415555{round_:04d}")])
        [outcome] = await right.adapter.add_leads(LIST, [lead(f"1415555{round_:04d}")])
        assert outcome.status == "added"
    assert right.server.app[STATE].users["api"].failed_logins == 0
    sent = await right.sent()
    assert sum(("pass", API_PASS) not in query for query in sent) == 2  # one per wrong tenant


async def test_a_lock_seen_by_one_tenant_holds_for_every_tenant(make_rig: MakeRig) -> None:
    shared = LoginBreakers()
    first = await make_rig(flavour="vicidial", breakers=shared)
    second = await make_rig(flavour="vicidial", server=first.server, breakers=shared)
    await lock_out(first)
    with pytest.raises(DialerLocked):
        await first.adapter.add_leads(LIST, [lead("14155550123")])
    with pytest.raises(DialerLocked, match="will not call elision with this API user"):
        await second.adapter.add_leads(LIST, [lead("14155550123")])
    assert len(await first.sent()) == 1


async def test_processes_on_one_database_share_refusals_and_locks(
    make_rig: MakeRig, database: Database
) -> None:
    """Bridge instances, or one restarted: each process has its own `LoginBreakers`."""
    store = DatabaseRefusals(database)
    RIGHT = "the-right-one"  # the simulator's; the rigs' adapters send API_PASS unless told
    first = await make_rig(
        flavour="vicidial", dialer_pass=RIGHT, breakers=LoginBreakers(store=store)
    )
    with pytest.raises(DialerUnauthorized):
        await first.adapter.add_leads(LIST, [lead("14155550123")])
    for _ in range(10):  # ten fresh processes with that wrong password: none sends it
        fresh = await make_rig(
            flavour="vicidial",
            server=first.server,
            breakers=LoginBreakers(store=store),
        )
        with pytest.raises(DialerUnauthorized, match="will not call"):
            await fresh.adapter.add_leads(LIST, [lead("14155550123")])
    assert first.server.app[STATE].users["api"].failed_logins == 1

    seen = await make_rig(flavour="vicidial", breakers=LoginBreakers(store=store))
    await lock_out(seen)  # another dialer, whose API user gets locked
    with pytest.raises(DialerLocked):
        await seen.adapter.add_leads(LIST, [lead("14155550123")])
    later = await make_rig(
        flavour="vicidial", server=seen.server, breakers=LoginBreakers(store=store)
    )
    with pytest.raises(DialerLocked, match="will not call"):  # the right password, not sent
        await later.adapter.add_leads(LIST, [lead("14155550123")])
    assert len(await later.sent()) == 1


async def test_version_is_no_credentials_check(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial", dialer_pass="the-right-one")
    with pytest.raises(DialerUnauthorized):
        await rig.adapter.add_leads(LIST, [lead("14155550123")])
    assert await rig.adapter.version() == "2.14-917"  # answers whatever the password
    with pytest.raises(DialerUnauthorized, match="will not call"):
        await rig.adapter.add_leads(LIST, [lead("14155550123")])
    assert [dict(query)["function"] for query in await rig.sent()] == ["add_lead", "version"]


# 5. Leads go several at a time, and come back in order


async def test_leads_are_sent_several_at_a_time_in_order(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial")
    leads = [lead(f"1415555{n:04d}") for n in range(24)]
    await rig.fault(kind="latency", ms=300, match={"phone_number": "4155550000"})
    await rig.fault(kind="latency", ms=100, path=rig.adapter.path)
    outcomes = await rig.adapter.add_leads(LIST, leads)
    assert [o.phone for o in outcomes] == [x.phone.digits for x in leads]
    assert all(o.status == "added" for o in outcomes)
    assert (await rig.sim("GET", "/_sim/concurrency"))["peak"] == 8
    first_answered = (await rig.state())["leads"][0]["phone_number"]
    assert first_answered != "4155550000"  # the slow first lead came back last, yet first


async def test_the_concurrency_is_configurable(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial", lead_concurrency=3)
    await rig.fault(kind="latency", ms=100, path=rig.adapter.path)
    await rig.adapter.add_leads(LIST, [lead(f"1415555{n:04d}") for n in range(9)])
    assert (await rig.sim("GET", "/_sim/concurrency"))["peak"] == 3


async def test_a_lead_whose_answer_never_comes_is_unknown_and_the_rest_not_sent(
    make_rig: MakeRig,
) -> None:
    rig = await make_rig(flavour="vicidial", lead_concurrency=2, timeout_seconds=0.5)
    await rig.fault(kind="timeout", match={"phone_number": "4155550002"})
    await rig.fault(kind="latency", ms=200, path=rig.adapter.path)  # the others, slowly
    leads = [lead(f"1415555{n:04d}") for n in range(8)]
    outcomes = await rig.adapter.add_leads(LIST, leads)
    statuses = [o.status for o in outcomes]
    assert statuses[:2] == ["added", "added"] and statuses[2] == "unknown"
    assert "may have been carried out" in outcomes[2].message
    assert set(statuses[3:]) <= {"added", "not_sent"} and statuses[-1] == "not_sent"
    sent = len(await rig.sent())
    assert sent == statuses.count("added") + 1


async def test_a_failure_before_any_lead_was_added_is_raised(make_rig: MakeRig) -> None:
    rig = await make_rig(flavour="vicidial")
    await rig.fault(kind="status", status=503, body="down")
    with pytest.raises(DialerError) as raised:
        await rig.adapter.add_leads(LIST, [lead(f"1415555{n:04d}") for n in range(20)])
    assert raised.value.code == "dialer_unavailable"
    assert len(await rig.sent()) <= 8  # what was in flight when the first came back


async def test_an_unanswered_batch_is_unknown_in_the_export(make_rig: MakeRig) -> None:
    rig = await make_rig(timeout_seconds=0.5)  # Elision: one add_multi_lead per batch
    leads: list[Lead] = [lead(f"1415555{n:04d}", notes="n" * 3000) for n in range(4)]
    await rig.fault(kind="timeout", query_contains="4155550002")
    outcomes = await export_leads(rig.adapter, LIST, leads)
    assert [o.status for o in outcomes] == ["added", "added", "unknown", "unknown"]


async def test_concurrent_batches_share_the_adapter(vicidial: Rig) -> None:
    batches = [[lead(f"1415555{b}{n:03d}") for n in range(10)] for b in range(3)]
    results = await asyncio.gather(*(vicidial.adapter.add_leads(LIST, b) for b in batches))
    assert all(o.status == "added" for outcomes in results for o in outcomes)
    assert len((await vicidial.state())["leads"]) == 30


# Hardening 6: echoes redacted by structure, as the dialer filtered them

WRONG_PASS = "Wr0ng!Pass#9.x"  # VICIdial echoes it as Wr0ngPass9x
AGENT_PASS = "Sup3r!Secret.pw"  # ... as Sup3rSecretpw
PHONE_PASS = "Ph0ne!Pass.9"  # ... as Ph0nePass9


def forms(*secrets: str) -> list[str]:
    """Each secret as given, URL-encoded, and as VICIdial filters it."""
    return [f(s) for s in secrets for f in (str, quote_plus, quote, as_identifier)]


@pytest.mark.parametrize("told", [True, False], ids=["transport-told", "adapter-alone"])
async def test_a_wrong_api_password_echoed_filtered_is_redacted(
    make_rig: MakeRig, told: bool
) -> None:
    rig = await make_rig(flavour="vicidial", api_pass=WRONG_PASS, dialer_pass="right", secrets=told)
    with pytest.raises(DialerUnauthorized) as raised:
        await rig.audited.create_user(user(password="Secret-1"))
    assert raised.value.dialer_text == "ERROR: Login incorrect, please try again: |api|***|BAD|"
    texts = [str(raised.value), json_text(raised.value), repr(rig.audit)]
    assert not [form for form in forms(WRONG_PASS) for text in texts if form in text]


async def test_a_login_echo_is_redacted_whatever_it_holds(vicidial: Rig) -> None:
    await vicidial.answer_once("ERROR: Login incorrect, please try again: |api|s0me-0ther|BAD|\n")
    with pytest.raises(DialerUnauthorized) as raised:
        await vicidial.adapter.add_leads(LIST, [lead("14155550123")])
    assert raised.value.dialer_text == "ERROR: Login incorrect, please try again: |api|***|BAD|"


@pytest.mark.parametrize(
    "echo",
    [
        "SUCCESS: add_user USER HAS BEEN ADDED - api|agent5|Sup3rSecretpw|1|Five|AGENTS",
        "SUCCESS: add_user USER HAS BEEN ADDED - api|agent5|s0mething|1|Five|AGENTS",
        "SUCCESS: add_user USER HAS BEEN ADDED - api|agent5|***|1|Five|AGENTS|Ph0nePass9",
    ],
)
async def test_add_user_echoes_of_the_agents_passwords_are_redacted(
    make_rig: MakeRig, echo: str
) -> None:
    rig = await make_rig()  # Elision: its passwords are not refused for their characters
    await rig.answer_once(echo + "\n")
    added = await rig.adapter.create_user(
        user("agent5", full_name="Five", password=AGENT_PASS, phone_pass=PHONE_PASS)
    )
    assert added.startswith("SUCCESS: add_user USER HAS BEEN ADDED - api|agent5|***|1|Five|")
    assert not [form for form in forms(AGENT_PASS, PHONE_PASS) if form in added]


async def test_vicidials_required_fields_echo_is_redacted(make_rig: MakeRig) -> None:
    rig = await make_rig()
    await rig.answer_once(
        "ERROR: add_user YOU MUST USE ALL REQUIRED FIELDS: |api|agent5|Sup3rSecretpw|1|Five"
        "|AGENTS\n"
    )
    with pytest.raises(DialerError) as raised:
        await rig.adapter.create_user(user("agent5", full_name="Five", password=AGENT_PASS))
    assert raised.value.dialer_text == (
        "ERROR: add_user YOU MUST USE ALL REQUIRED FIELDS: |api|agent5|***|1|Five|AGENTS"
    )


async def test_an_error_page_echoing_the_query_string_keeps_no_password(make_rig: MakeRig) -> None:
    rig = await make_rig()
    query = (
        f"source=crmbridge&user=api&pass={quote_plus(API_PASS)}&function=add_user"
        f"&agent_user=agent5&agent_pass={quote_plus(AGENT_PASS)}"
        f"&phone_pass={quote_plus(PHONE_PASS)}"
    )
    page = f"<html><body><h1>Not Found</h1><p>{rig.adapter.path}?{query}</p></body></html>"
    await rig.fault(kind="status", status=404, body=page, content_type="text/html")
    with pytest.raises(DialerError) as raised:
        await rig.audited.create_user(
            user("agent5", full_name="Five", password=AGENT_PASS, phone_pass=PHONE_PASS)
        )
    text = raised.value.dialer_text or ""
    assert "agent_pass=***" in text and "phone_pass=***" in text and "&pass=***" in text
    everything = text + json_text(raised.value) + repr(rig.audit)
    assert not [form for form in forms(API_PASS, AGENT_PASS, PHONE_PASS) if form in everything]


def json_text(error: DialerError) -> str:
    return json.dumps(error.to_dict())
