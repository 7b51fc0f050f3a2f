"""The Elision simulator answers as spec 004 says, byte for byte, over real sockets.

The spec's example requests and answers are in `tests.elision_spec`.
"""

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from simulators.elision import ELISION_PATH, VICIDIAL_PATH, create_elision_simulator
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
    SPEC_TEXT_ANSWERS,
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


def query(spec_query: str, **changes: str | None) -> dict[str, str]:
    """The spec's query as fields, with ``changes`` applied (None removes a field)."""
    fields = dict(parse_qsl(spec_query, keep_blank_values=True))
    fields.update({k: v for k, v in changes.items() if v is not None})
    return {k: v for k, v in fields.items() if changes.get(k, "") is not None}


def fields(function: str, **values: str) -> dict[str, str]:
    return {"source": "test", "user": "api", "pass": "1234", "function": function, **values}


@dataclass
class Sim:
    server: TestServer
    session: aiohttp.ClientSession
    path: str

    async def get(self, params: dict[str, str], path: str | None = None) -> aiohttp.ClientResponse:
        async with self.session.get(self.server.make_url(path or self.path), params=params) as r:
            await r.read()
            return r

    async def text(self, params: dict[str, str]) -> str:
        async with self.session.get(self.server.make_url(self.path), params=params) as reply:
            assert reply.status == 200
            return await reply.text()

    async def ok(self, params: dict[str, str]) -> str:
        text = await self.text(params)
        assert text.startswith(("SUCCESS", '{"success":true', '{"lead 1":{"success":true')), text
        return text

    async def state(self) -> dict[str, Any]:
        async with self.session.get(self.server.make_url("/_sim/state")) as reply:
            return await reply.json()


MakeSim = Callable[..., Awaitable[Sim]]


@pytest.fixture
async def make_sim(aiohttp_server: Any) -> AsyncIterator[MakeSim]:
    sessions: list[aiohttp.ClientSession] = []

    async def make(**kwargs: Any) -> Sim:
        app = create_elision_simulator(**kwargs)
        server = await aiohttp_server(app)
        session = aiohttp.ClientSession()
        sessions.append(session)
        flavour = kwargs.get("flavour", "elision")
        default = ELISION_PATH if flavour == "elision" else VICIDIAL_PATH
        return Sim(server, session, kwargs.get("path") or default)

    yield make
    for session in sessions:
        await session.close()


@pytest.fixture
async def sim(make_sim: MakeSim) -> Sim:
    return await make_sim()


# Every example answer of the spec, produced by the condition it describes

LEVEL_8_AND_9 = {"api": ("1234", 8), "admin": ("admin-pass", 9)}
ADD_7878_AS_ADMIN = query(
    SPEC_ADD_USER, user="admin", agent_user="7878", agent_user_level="9", **{"pass": "admin-pass"}
)

TEXT_SCENARIOS: list[tuple[str, dict[str, Any], list[dict[str, str]], dict[str, str]]] = [
    (ADD_USER_NO_PERMISSION, {"api_users": {"api": ("1234", 7)}}, [], query(SPEC_ADD_USER)),
    (ADD_USER_REQUIRED, {}, [], query(SPEC_ADD_USER, agent_pass=None)),
    (
        ADD_USER_LEVEL,
        {"api_users": {"api": ("1234", 8)}},
        [],
        query(SPEC_ADD_USER, agent_user_level="9"),
    ),
    (ADD_USER_GROUP, {}, [], query(SPEC_ADD_USER, agent_user_group="ADFHR")),
    (ADD_USER_EXISTS, {}, [], query(SPEC_ADD_USER, agent_user="api")),
    (
        UPDATE_USER_NO_PERMISSION,
        {},
        [query(SPEC_ADD_USER)],
        query(SPEC_UPDATE_USER, **{"pass": "wrong"}),
    ),
    (UPDATE_USER_REQUIRED, {}, [], query(SPEC_UPDATE_USER, agent_user=None)),
    (UPDATE_USER_MISSING, {}, [], query(SPEC_UPDATE_USER, agent_user="78789")),
    (
        UPDATE_USER_THIS_USER,
        {"api_users": LEVEL_8_AND_9},
        [ADD_7878_AS_ADMIN],
        fields("update_user", agent_user="7878", agent_full_name="X"),
    ),
    (
        UPDATE_USER_FULL_NAME,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", agent_full_name=""),
    ),
    (
        UPDATE_USER_LEVEL,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", agent_user_level="0"),
    ),
    (
        UPDATE_USER_GROUP,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", agent_user_group="FAKEGROUP"),
    ),
    (
        UPDATE_USER_PHONE_LOGIN,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", phone_login="fakephone"),
    ),
    (
        UPDATE_USER_PHONE_PASS,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", phone_pass="p" * 21),
    ),
    (
        UPDATE_USER_VOICEMAIL,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", voicemail_id="12ab"),
    ),
    (
        UPDATE_USER_EMAIL,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", email=""),
    ),
    (
        UPDATE_USER_ACTIVE,
        {},
        [query(SPEC_ADD_USER)],
        fields("update_user", agent_user="1000", active="X"),
    ),
    (UPDATE_USER_SUCCESS, {}, [query(SPEC_ADD_USER)], query(SPEC_UPDATE_USER)),
    # The spec's own example request, with the user it adds (1000, not 10000).
    (ADD_USER_SUCCESS.replace("10000", "1000"), {}, [], query(SPEC_ADD_USER)),
]


def test_the_scenarios_cover_every_text_example_of_the_spec() -> None:
    covered = {expected for expected, *_ in TEXT_SCENARIOS}
    assert set(SPEC_TEXT_ANSWERS) <= covered
    assert ADD_USER_SUCCESS.replace("10000", "1000") in covered


@pytest.mark.parametrize(
    ("expected", "setup", "before", "params"),
    TEXT_SCENARIOS,
    ids=[expected.split(" - ")[0] for expected, *_ in TEXT_SCENARIOS],
)
async def test_text_answers_are_the_spec_examples(
    make_sim: MakeSim,
    expected: str,
    setup: dict[str, Any],
    before: list[dict[str, str]],
    params: dict[str, str],
) -> None:
    sim = await make_sim(**setup)
    for earlier in before:
        await sim.ok(earlier)
    assert await sim.text(params) == expected + "\n"


JSON_SCENARIOS: list[tuple[str, dict[str, Any], list[dict[str, str]], dict[str, str]]] = [
    (ADD_LIST_NO_PERMISSION, {"api_users": {"api": ("1234", 7)}}, [], query(SPEC_ADD_LIST)),
    (ADD_LIST_REQUIRED, {}, [], query(SPEC_ADD_LIST, list_id="")),
    (ADD_LIST_NO_CAMPAIGN, {"campaigns": ["OTHERCMP"]}, [], query(SPEC_ADD_LIST)),
    (ADD_LIST_EXISTS, {}, [query(SPEC_ADD_LIST)], query(SPEC_ADD_LIST)),
    # Compact, as json_encode writes it; the spec's line break is the PDF's.
    (ADD_LIST_SUCCESS.replace("  \n", ""), {}, [], query(SPEC_ADD_LIST)),
    (ACTIVE_LISTS_SUCCESS, {"lists": SPEC_LISTS}, [], query(SPEC_ACTIVE_LISTS)),
    (MULTI_LEAD_REQUIRED, {}, [], query(SPEC_ADD_MULTI_LEAD, multi_leads=None)),
    (
        MULTI_LEAD_BAD_PHONE,
        {"lists": [("1101", "Test API list", "TESTCAMP")]},
        [],
        query(SPEC_ADD_MULTI_LEAD, multi_leads='[{"phone_number":1293,"list_id":"1101"}]'),
    ),
    (
        MULTI_LEAD_SUCCESS,
        {"lists": [("1101", "Test API list", "TESTCAMP")]},
        [],
        query(SPEC_ADD_MULTI_LEAD),
    ),
]


@pytest.mark.parametrize(
    ("expected", "setup", "before", "params"),
    JSON_SCENARIOS,
    ids=[expected[:60] for expected, *_ in JSON_SCENARIOS],
)
async def test_json_answers_are_the_spec_examples(
    make_sim: MakeSim,
    expected: str,
    setup: dict[str, Any],
    before: list[dict[str, str]],
    params: dict[str, str],
) -> None:
    sim = await make_sim(**setup)
    for earlier in before:
        await sim.ok(earlier)
    assert await sim.text(params) == expected


async def test_answers_are_php_pages_with_status_200(sim: Sim) -> None:
    reply = await sim.get(query(SPEC_ADD_USER, **{"pass": "wrong"}))
    assert reply.status == 200
    assert reply.content_type == "text/html" and reply.charset == "utf-8"


# Permissions and logins


async def test_a_wrong_password_gets_each_functions_permission_error(sim: Sim) -> None:
    wrong = {"pass": "not-1234"}
    assert await sim.text(query(SPEC_ADD_USER, **wrong)) == ADD_USER_NO_PERMISSION + "\n"
    assert json.loads(await sim.text(query(SPEC_ADD_LIST, **wrong))) == {
        "success": False,
        "message": "api User does not have permission to add list in the system",
        "data": {"user": "api", "password": "not-1234"},
    }
    assert json.loads(await sim.text(query(SPEC_ACTIVE_LISTS, **wrong)))["success"] is False
    assert json.loads(await sim.text(query(SPEC_ADD_MULTI_LEAD, **wrong))) == [
        "ERROR",
        "add_multi_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM",
        "api",
        "0",
    ]


async def test_users_added_through_the_api_cannot_use_it(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_USER, agent_user_level="9"))
    as_agent = query(SPEC_ACTIVE_LISTS, user="1000", **{"pass": "9999"})
    assert json.loads(await sim.text(as_agent))["success"] is False


async def test_an_api_user_may_give_its_own_level_but_not_more(make_sim: MakeSim) -> None:
    sim = await make_sim(api_users={"api": ("1234", 8)})
    await sim.ok(query(SPEC_ADD_USER, agent_user_level="8"))
    assert await sim.text(fields("update_user", agent_user="1000", agent_user_level="9")) == (
        "ERROR: update_user YOU MUST USE A VALID USER LEVEL, THIS IS AN OPTIONAL FIELD"
        " - api|9|8|1\n"
    )


async def test_a_deactivated_api_user_is_refused(make_sim: MakeSim) -> None:
    sim = await make_sim(api_users=LEVEL_8_AND_9)
    admin = {"user": "admin", "pass": "admin-pass"}
    await sim.ok({**fields("update_user", agent_user="api", active="N"), **admin})
    assert await sim.text(query(SPEC_ADD_USER)) == ADD_USER_NO_PERMISSION + "\n"


async def test_function_and_source_are_checked_first(sim: Sim) -> None:
    assert await sim.text(fields("add_lead")) == "ERROR: NO FUNCTION SPECIFIED\n"
    assert await sim.text(fields("")) == "ERROR: NO FUNCTION SPECIFIED\n"
    assert await sim.text(query(SPEC_ADD_USER, source="t")) == "ERROR: Invalid Source - t\n"
    long_source = "s" * 21
    assert await sim.text(query(SPEC_ADD_LIST, source=long_source)) == (
        f"ERROR: Invalid Source - {long_source}\n"
    )


# Users


async def test_added_users_are_kept_without_their_passwords_in_the_state(sim: Sim) -> None:
    await sim.ok(
        query(
            SPEC_ADD_USER,
            phone_login="1001",
            phone_pass="Phone-Secret-1",
            voicemail_id="1000",
            email="t@example.com",
        )
    )
    state = await sim.state()
    agent = next(u for u in state["users"] if u["user"] == "1000")
    assert agent == {
        "user": "1000",
        "full_name": "Testing Person",
        "user_level": 1,
        "user_group": "AGENTS",
        "phone_login": "1001",
        "voicemail_id": "1000",
        "email": "t@example.com",
        "active": "Y",
    }
    raw = json.dumps(state)
    assert "9999" not in raw and "Phone-Secret-1" not in raw and "1234" not in raw


@pytest.mark.parametrize(
    ("field", "value", "label"),
    [
        ("phone_login", "p" * 21, "PHONE LOGIN"),
        ("phone_pass", "", "PHONE PASSWORD"),
        ("voicemail_id", "12345678901", "VOICEMAIL ID"),
        ("email", "e" * 101, "EMAIL"),
    ],
)
async def test_add_user_checks_its_optional_fields(
    sim: Sim, field: str, value: str, label: str
) -> None:
    assert await sim.text(query(SPEC_ADD_USER, **{field: value})) == (
        f"ERROR: add_user YOU MUST USE A VALID {label}, THIS IS AN OPTIONAL FIELD - api\n"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("agent_user", "x"),
        ("agent_user", "u" * 21),
        ("agent_pass", "p" * 21),
        ("agent_user_level", "0"),
        ("agent_user_level", "10"),
        ("agent_full_name", "ë" * 26),  # 26 characters, 52 bytes: PHP counts bytes
        ("agent_user_group", "g" * 21),
    ],
)
async def test_add_user_refuses_required_fields_out_of_range(
    sim: Sim, field: str, value: str
) -> None:
    answer = await sim.text(query(SPEC_ADD_USER, **{field: value}))
    assert answer.startswith("ERROR: add_user YOU MUST USE ALL REQUIRED FIELDS - api|")


async def test_lengths_are_counted_in_bytes_as_php_does(sim: Sim) -> None:
    name = "ë" * 25  # 50 bytes
    assert await sim.text(query(SPEC_ADD_USER, agent_full_name=name)) == (
        f"SUCCESS: add_user USER HAS BEEN ADDED - api|1000|9999|1|{name}|AGENTS\n"
    )


async def test_update_user_changes_the_user(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_USER))
    await sim.ok(
        fields(
            "update_user",
            agent_user="1000",
            agent_full_name="Renamed",
            agent_user_level="5",
            agent_user_group="ADMIN",
            phone_login="1002",
            voicemail_id="77",
            email="r@example.com",
            active="N",
        )
    )
    agent = next(u for u in (await sim.state())["users"] if u["user"] == "1000")
    assert agent == {
        "user": "1000",
        "full_name": "Renamed",
        "user_level": 5,
        "user_group": "ADMIN",
        "phone_login": "1002",
        "voicemail_id": "77",
        "email": "r@example.com",
        "active": "N",
    }


async def test_update_user_without_changes_and_with_a_bad_password(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_USER))
    assert await sim.text(fields("update_user", agent_user="1000")) == (
        "ERROR: update_user NO UPDATES DEFINED - api|0\n"
    )
    assert await sim.text(fields("update_user", agent_user="1000", agent_pass="")) == (
        "ERROR: update_user YOU MUST USE A VALID PASSWORD, THIS IS AN OPTIONAL FIELD - api\n"
    )


async def test_delete_user_removes_the_user(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_USER))
    assert await sim.text(fields("update_user", agent_user="1000", delete_user="Y")) == (
        "SUCCESS: update_user USER HAS BEEN DELETED - api|1000\n"
    )
    assert [u["user"] for u in (await sim.state())["users"]] == ["api"]
    assert await sim.text(fields("update_user", agent_user="1000", delete_user="Y")) == (
        "ERROR: update_user USER DOES NOT EXIST - api|1000\n"
    )


# Lists


async def test_lists_are_inactive_unless_added_active(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_LIST))
    await sim.ok(query(SPEC_ADD_LIST, list_id="1102", list_name="Active list", active="Y"))
    answer = json.loads(await sim.text(query(SPEC_ACTIVE_LISTS)))
    assert answer["data"] == ["TESTCAMP-1102-Active list"]
    assert [(row["list_id"], row["active"]) for row in (await sim.state())["lists"]] == [
        ("1101", "N"),
        ("1102", "Y"),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("list_id", "1"),
        ("list_id", "1" * 15),
        ("list_id", "11a1"),
        ("list_name", "short"),
        ("list_name", "n" * 31),
        ("campaign_id", "T"),
        ("campaign_id", "TESTCAMPX"),
    ],
)
async def test_add_list_refuses_fields_out_of_range(sim: Sim, field: str, value: str) -> None:
    answer = json.loads(await sim.text(query(SPEC_ADD_LIST, **{field: value})))
    assert answer["message"] == "Please send list id , campaign id and list name"
    assert answer["data"][field] == value


async def test_add_list_refuses_an_active_flag_other_than_y_or_n(sim: Sim) -> None:
    answer = json.loads(await sim.text(query(SPEC_ADD_LIST, active="yes")))
    assert answer["success"] is False and answer["message"] == "active must be Y or N"


async def test_json_is_escaped_as_php_json_encode_does(sim: Sim) -> None:
    await sim.ok(query(SPEC_ADD_LIST, list_name='Zoë/Ops & <"x">', active="Y"))
    raw = await sim.text(query(SPEC_ACTIVE_LISTS))
    assert '"TESTCAMP-1101-Zo\\u00eb\\/Ops & <\\"x\\">"' in raw
    assert json.loads(raw)["data"] == ['TESTCAMP-1101-Zoë/Ops & <"x">']


# Leads


async def test_multi_leads_are_stored_one_answer_per_lead(make_sim: MakeSim) -> None:
    sim = await make_sim(lists=[("1101", "Test API list", "TESTCAMP")])
    rows = [
        {"phone_number": "4155550123", "list_id": "1101", "first_name": "Zoë & <Co>"},
        {"phone_number": "12", "list_id": "1101"},
        {"phone_number": "4155550124", "list_id": "9999"},
        {"phone_number": "2071838750", "phone_code": "44", "list_id": 1101},
    ]
    answer = json.loads(await sim.text(fields("add_multi_lead", multi_leads=json.dumps(rows))))
    assert answer == {
        "lead 1": {
            "success": True,
            "message": "Record(s) Created",
            "data": "4155550123|1101|1036||NEW|",
        },
        "lead 2": {"success": False, "message": "Invalid phone number", "data": "12"},
        "lead 3": {"success": False, "message": "Invalid list id", "data": "9999"},
        "lead 4": {
            "success": True,
            "message": "Record(s) Created",
            "data": "2071838750|1101|1037||NEW|",
        },
    }
    leads = (await sim.state())["leads"]
    assert [(lead["lead_id"], lead["phone_code"], lead["phone_number"]) for lead in leads] == [
        ("1036", "1", "4155550123"),
        ("1037", "44", "2071838750"),
    ]
    assert leads[0]["first_name"] == "Zoë & <Co>"


@pytest.mark.parametrize("multi_leads", ["", "[]", "{}", "[1]", '[{"phone_number":"1"', "nope"])
async def test_multi_leads_that_are_not_a_list_of_leads_are_refused(
    sim: Sim, multi_leads: str
) -> None:
    answer = await sim.text(fields("add_multi_lead", multi_leads=multi_leads))
    assert answer == MULTI_LEAD_REQUIRED


async def test_the_request_log_and_faults_of_the_shared_control_work(sim: Sim) -> None:
    async with sim.session.post(
        sim.server.make_url("/_sim/faults"),
        json={"kind": "body", "body": "<html>oops</html>", "match": {"function": "add_list"}},
    ) as reply:
        assert reply.status == 201
    assert await sim.text(query(SPEC_ADD_LIST)) == "<html>oops</html>"
    async with sim.session.get(sim.server.make_url("/_sim/requests")) as reply:
        [recorded] = await reply.json()
    assert recorded["path"] == ELISION_PATH
    assert recorded["query"] == query(SPEC_ADD_LIST)


async def test_the_path_can_be_configured(make_sim: MakeSim) -> None:
    sim = await make_sim(path="/custom/api.php")
    await sim.ok(query(SPEC_ADD_LIST))
    assert (await sim.get(query(SPEC_ADD_LIST), path=ELISION_PATH)).status == 404


def test_an_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="flavour"):
        create_elision_simulator(flavour="asterisk")


# The stock VICIdial flavour


@pytest.fixture
async def vicidial(make_sim: MakeSim) -> Sim:
    return await make_sim(flavour="vicidial", lists=[("1101", "Test API list", "TESTCAMP")])


async def test_version_needs_no_login(vicidial: Sim) -> None:
    answer = await vicidial.text({"function": "version"})
    assert re.fullmatch(
        r"VERSION: 2\.14-917\|BUILD: 250720-1841\|DATE: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
        r"\|EPOCH: \d+\|DST: 0\|TZ: 0\|TZNOW: 0\|\n",
        answer,
    )


async def test_a_wrong_login_is_refused_with_vicidials_text(vicidial: Sim) -> None:
    assert await vicidial.text(query(SPEC_ADD_USER, **{"pass": "wrong"})) == (
        "ERROR: Login incorrect, please try again: |api|wrong|BAD|\n"
    )


async def test_elision_only_functions_do_not_exist_on_vicidial(vicidial: Sim) -> None:
    assert await vicidial.text(query(SPEC_ACTIVE_LISTS)) == "ERROR: NO FUNCTION SPECIFIED\n"
    assert await vicidial.text(query(SPEC_ADD_MULTI_LEAD)) == "ERROR: NO FUNCTION SPECIFIED\n"


async def test_vicidial_add_lead(vicidial: Sim) -> None:
    added = await vicidial.text(
        fields("add_lead", phone_number="7275551111", list_id="1101", first_name="Bob")
    )
    assert added == "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275551111|1101|1036|0|api\n"
    [lead] = (await vicidial.state())["leads"]
    assert lead["first_name"] == "Bob"
    assert "pass" not in lead and "user" not in lead
    assert await vicidial.text(fields("add_lead", phone_number="72755")) == (
        "ERROR: add_lead INVALID PHONE NUMBER LENGTH - 72755|api\n"
    )
    assert await vicidial.text(
        fields("add_lead", phone_number="7275551212", list_id="12344", list_exists_check="Y")
    ) == ("ERROR: add_lead NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED - 7275551212|12344\n")
    assert await vicidial.text(fields("add_lead", phone_number="7275551212")) == (
        "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275551212|999|1037|0|api\n"
    )


async def test_vicidial_add_lead_needs_level_8(make_sim: MakeSim) -> None:
    sim = await make_sim(flavour="vicidial", api_users={"api": ("1234", 7)})
    assert await sim.text(fields("add_lead", phone_number="7275551111")) == (
        "ERROR: add_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM - api|0\n"
    )


async def test_vicidial_add_list_answers_in_text(make_sim: MakeSim) -> None:
    sim = await make_sim(flavour="vicidial")
    assert await sim.text(query(SPEC_ADD_LIST)) == (
        "SUCCESS: add_list LIST HAS BEEN ADDED - api|1101|TESTCAMP\n"
    )
    assert await sim.text(query(SPEC_ADD_LIST)) == (
        "ERROR: add_list LIST ALREADY EXISTS - api|1101\n"
    )
    assert await sim.text(query(SPEC_ADD_LIST, list_id="1102", campaign_id="TESTCIMP")) == (
        "ERROR: add_list CAMPAIGN DOES NOT EXIST - api|TESTCIMP\n"
    )
    assert await sim.text(query(SPEC_ADD_LIST, list_id="1000", list_name="", campaign_id="")) == (
        "ERROR: add_list YOU MUST USE ALL REQUIRED FIELDS - api|1000||\n"
    )
    assert await sim.text(query(SPEC_ADD_LIST, list_id="1103", list_name="ab")) == (
        "SUCCESS: add_list LIST HAS BEEN ADDED - api|1103|TESTCAMP\n"
    )  # VICIdial's names may be 2 characters; Elision's need 6


async def test_vicidial_add_list_needs_level_8(make_sim: MakeSim) -> None:
    sim = await make_sim(flavour="vicidial", api_users={"api": ("1234", 7)})
    assert await sim.text(query(SPEC_ADD_LIST)) == (
        "ERROR: add_list USER DOES NOT HAVE PERMISSION TO ADD LISTS - api|0\n"
    )


# Stock VICIdial's own ways: filtered fields, lockout, duplicate check, custom fields


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def vicidial_state(sim: Sim) -> Any:
    from simulators.elision import STATE

    return sim.server.app[STATE]


async def test_vicidial_stores_what_its_filters_leave_and_answers_success(vicidial: Sim) -> None:
    added = await vicidial.text(
        query(
            SPEC_ADD_USER,
            agent_user="carol.smith",
            agent_pass="Sup3r!Secret.pw",
            agent_full_name="D'Arcy Müller-Øst",
        )
    )
    assert added == (
        "SUCCESS: add_user USER HAS BEEN ADDED - api|carolsmith|Sup3rSecretpw|1|DArcy Mller-st"
        "|AGENTS\n"
    )
    user = vicidial_state(vicidial).users["carolsmith"]
    assert (user.password, user.full_name) == ("Sup3rSecretpw", "DArcy Mller-st")
    listed = await vicidial.text(query(SPEC_ADD_LIST, list_id="1102", list_name="Tom & Jerry's #1"))
    assert listed == "SUCCESS: add_list LIST HAS BEEN ADDED - api|1102|TESTCAMP\n"
    assert vicidial_state(vicidial).lists["1102"]["list_name"] == "Tom & Jerrys 1"
    await vicidial.ok(
        fields(
            "add_lead",
            phone_number="7275551111",
            list_id="1101",
            first_name="D'Arcy Müller-Øst",
            email="ada+crm@acme.test",
            comments='a;b#c"d' + "x" * 300,
            city="Zürich & Co",
        )
    )
    [lead] = (await vicidial.state())["leads"]
    assert lead["first_name"] == "D'Arcy Mller-st"  # lead names keep the apostrophe
    assert lead["email"] == "ada crm@acme.test"
    assert lead["comments"] == "abcd" + "x" * 251  # cut at the column's 255
    assert lead["city"] == "Zrich  Co"


async def test_vicidial_needs_an_agent_password_of_two_characters(vicidial: Sim) -> None:
    assert await vicidial.text(query(SPEC_ADD_USER, agent_pass="9")) == (
        "ERROR: add_user YOU MUST USE ALL REQUIRED FIELDS: |api|1000|9|1|Testing Person|AGENTS\n"
    )


async def test_vicidial_echoes_a_wrong_password_as_filtered(vicidial: Sim) -> None:
    assert await vicidial.text(query(SPEC_ADD_USER, **{"pass": "Wr0ng!Pass#9.x"})) == (
        "ERROR: Login incorrect, please try again: |api|Wr0ngPass9x|BAD|\n"
    )


async def test_ten_wrong_logins_lock_the_api_user_for_15_minutes(make_sim: MakeSim) -> None:
    clock = Clock()
    sim = await make_sim(flavour="vicidial", clock=clock)
    wrong, right = query(SPEC_ADD_LIST, **{"pass": "wrong"}), query(SPEC_ADD_LIST)
    for _ in range(10):
        assert (await sim.text(wrong)).endswith("|api|wrong|BAD|\n")
    locked = "ERROR: Too many login attempts, try again in 15 minutes: |api|LOCK|\n"
    assert await sim.text(right) == locked  # the right password too
    assert await sim.text(wrong) == locked
    assert (await sim.text({"function": "version"})).startswith("VERSION: ")  # no login
    clock.now += 15 * 60
    assert await sim.text(right) == "SUCCESS: add_list LIST HAS BEEN ADDED - api|1101|TESTCAMP\n"
    assert (await sim.text(wrong)).endswith("|BAD|\n")  # a good login cleared the count


async def test_wrong_logins_long_after_the_last_good_one_start_counting_again(
    make_sim: MakeSim,
) -> None:
    clock = Clock()
    sim = await make_sim(flavour="vicidial", clock=clock)
    wrong = query(SPEC_ADD_LIST, **{"pass": "wrong"})
    for _ in range(10):
        await sim.text(wrong)
    clock.now += 16 * 60
    assert (await sim.text(wrong)).endswith("|BAD|\n")  # counted anew, from one
    for _ in range(9):
        await sim.text(wrong)
    assert (await sim.text(query(SPEC_ADD_LIST))).endswith("|api|LOCK|\n")


@pytest.mark.parametrize(
    ("check", "other_list", "second"),
    [
        (
            "DUPLIST",
            "1102",
            "ERROR: add_lead DUPLICATE PHONE NUMBER IN LIST - 7275551111|1101|1036",
        ),
        (
            "DUPCAMP",
            "1102",
            "ERROR: add_lead DUPLICATE PHONE NUMBER IN CAMPAIGN LISTS - 7275551111|1103|1036|1101",
        ),
        (
            "DUPSYS",
            "1104",
            "ERROR: add_lead DUPLICATE PHONE NUMBER IN SYSTEM - 7275551111|1104|1036|1101",
        ),
    ],
)
async def test_vicidial_add_lead_checks_for_duplicates(
    make_sim: MakeSim, check: str, other_list: str, second: str
) -> None:
    sim = await make_sim(
        flavour="vicidial",
        lists=[
            ("1101", "One", "TESTCAMP"),
            ("1102", "Two", "SALESCMP"),
            ("1103", "Three", "TESTCAMP"),
            ("1104", "Four", "SUPPORT"),
        ],
    )
    lead = fields("add_lead", phone_number="7275551111", duplicate_check=check)
    await sim.ok({**lead, "list_id": "1101"})
    listed = {"DUPLIST": "1101", "DUPCAMP": "1103", "DUPSYS": "1104"}[check]
    assert await sim.text({**lead, "list_id": listed}) == second + "\n"
    if check != "DUPSYS":
        await sim.ok({**lead, "list_id": other_list})  # beyond the check's reach
    assert len((await sim.state())["leads"]) == (1 if check == "DUPSYS" else 2)


async def test_without_a_duplicate_check_vicidial_adds_a_lead_twice(vicidial: Sim) -> None:
    lead = fields("add_lead", phone_number="7275551111", list_id="1101")
    await vicidial.ok(lead)
    await vicidial.ok(lead)
    assert len((await vicidial.state())["leads"]) == 2


async def test_vicidial_takes_only_the_lists_custom_fields_and_only_when_asked(
    make_sim: MakeSim,
) -> None:
    sim = await make_sim(
        flavour="vicidial",
        lists=[("1101", "With fields", "TESTCAMP"), ("1102", "Without", "TESTCAMP")],
        list_fields={"1101": ["favorite_color"]},
    )
    lead = fields(
        "add_lead", phone_number="7275551111", list_id="1101", favorite_color='blue+"green";'
    )
    assert await sim.text(lead) == (
        "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275551111|1101|1036|0|api\n"
    )
    assert await sim.text({**lead, "custom_fields": "Y", "shoe_size": "9"}) == (
        "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275551111|1101|1037|0|api\n"
        "NOTICE: add_lead CUSTOM FIELDS VALUES ADDED - 7275551111|1037|1101\n"
    )
    assert await sim.text({**lead, "custom_fields": "Y", "list_id": "1102"}) == (
        "SUCCESS: add_lead LEAD HAS BEEN ADDED - 7275551111|1102|1038|0|api\n"
        "NOTICE: add_lead CUSTOM FIELDS NOT ADDED, NO CUSTOM FIELDS DEFINED FOR THIS LIST"
        " - 7275551111|1038|1102\n"
    )
    first, second, third = (await sim.state())["leads"]
    assert "favorite_color" not in first and "favorite_color" not in third
    assert second["favorite_color"] == "blue green" and "shoe_size" not in second
