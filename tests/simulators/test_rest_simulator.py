"""The REST simulator over HTTP: spec 003's rules, its refusals, its state and its events."""

import asyncio
import json
import re
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port

from simulators.rest import create_rest_simulator

API_KEY = "sim-Key-93b2"
PASSWORD = "Secr3tPass"
NO_KEY = object()


@pytest.fixture
async def client(aiohttp_client):
    return await aiohttp_client(create_rest_simulator(api_keys=[API_KEY], extensions=["100"]))


async def call(client, method: str, path: str, body: Any = None, *, key: Any = API_KEY, **params):
    """``(status, answer)`` of one API request; ``body`` is sent as JSON."""
    query = {k: str(v) for k, v in params.items()}
    if key is not NO_KEY:
        query["api_key"] = key
    data = None if body is None else body if isinstance(body, str) else json.dumps(body)
    async with client.request(method, path, params=query, data=data) as response:
        return response.status, await response.json()


async def ok(client, method: str, path: str, body: Any = None, **params) -> Any:
    status, answer = await call(client, method, path, body, **params)
    assert (status, answer.get("success", answer.get("Success"))) == (200, True), answer
    return answer.get("data")


async def refused(client, method: str, path: str, body: Any = None, **params) -> str:
    status, answer = await call(client, method, path, body, **params)
    assert status == 200 and answer["success"] is False and set(answer) == {"success", "msg"}
    return answer["msg"]


async def new_user(client, username: str = "ann", **fields) -> dict[str, Any]:
    body = {
        "name": f"{username.title()} Example",
        "username": username,
        "password": PASSWORD,
        "email": f"{username}@example.com",
        "is_agent": True,
        **fields,
    }
    return await ok(client, "POST", "/api/user", body)


async def new_queue(client, name: str = "Sales", **fields) -> dict[str, Any]:
    body = {"name": name, "strategy": "ring-all", "time_base_score": "system", **fields}
    return await ok(client, "POST", "/api/cc_queue", body)


async def sim_state(client) -> dict[str, Any]:
    async with client.get("/_sim/state") as response:
        return await response.json()


# --- Authentication and envelope ----------------------------------------------------------


def _api_routes() -> list[tuple[str, str]]:
    app = create_rest_simulator(api_keys=[API_KEY])
    return sorted(
        {
            (route.method, re.sub(r"\{[^}]+\}", "1", route.resource.canonical))
            for route in app.router.routes()
            if route.resource is not None
            and route.resource.canonical.startswith("/api/")
            and route.method != "HEAD"
        }
    )


@pytest.mark.parametrize("key", [NO_KEY, "", "wrong-key"])
@pytest.mark.parametrize(("method", "path"), _api_routes())
async def test_every_api_route_refuses_a_missing_or_wrong_key(client, method, path, key):
    assert await call(client, method, path, key=key) == (
        401,
        {"success": False, "msg": "Unauthorized"},
    )


async def test_the_route_table_covers_the_spec():
    paths = {path for _, path in _api_routes()}
    assert {
        "/api/cc_agent/originate",
        "/api/cc_agent/checkIn",
        "/api/cc_agent/checkOut",
        "/api/cc_agent/checkInDevice",
        "/api/cc_agent/setPause",
        "/api/cc_agent/setQueues",
        "/api/cc_agent/wrapup",
        "/api/phone_list",
        "/api/phone_list/1",
        "/api/phone_list/1/lead",
        "/api/phone_list/1/lead/1",
        "/api/user",
        "/api/user/1",
        "/api/user/login",
        "/api/user/logout",
        "/api/user/1/queues",
        "/api/cc_queue",
        "/api/cc_queue/1",
        "/api/cc_queue/1/users",
    } <= paths


async def test_unknown_paths_and_methods_answer_the_envelope(client):
    assert await call(client, "GET", "/api/nothing") == (
        404,
        {"success": False, "msg": "Not Found"},
    )
    status, answer = await call(client, "PATCH", "/api/user/1")
    assert (status, answer["success"]) == (405, False)


async def test_a_body_that_is_not_json_or_not_an_object_is_refused(client):
    assert await refused(client, "POST", "/api/phone_list", "{name:") == (
        "the request body is not valid JSON"
    )
    assert await refused(client, "POST", "/api/phone_list", ["x"]) == (
        "the request body must be a JSON object"
    )


# --- Phone lists and leads ----------------------------------------------------------------


async def test_phone_list_lifecycle(client):
    created = await ok(client, "POST", "/api/phone_list", {"name": "Spring Leads"})
    list_id = created["id"]
    assert created == {"id": list_id, "account_id": 1000, "name": "Spring Leads", "list_rows": 0}
    assert await ok(client, "GET", f"/api/phone_list/{list_id}") == created
    await ok(client, "POST", "/api/phone_list", {"name": "Autumn"})
    assert [p["name"] for p in await ok(client, "GET", "/api/phone_list/", q="spring")] == [
        "Spring Leads"
    ]
    assert len(await ok(client, "GET", "/api/phone_list")) == 2
    assert (await ok(client, "PUT", f"/api/phone_list/{list_id}", {}))["name"] == "Spring Leads"
    renamed = await ok(client, "PUT", f"/api/phone_list/{list_id}", {"name": "Summer"})
    assert renamed["name"] == "Summer"
    assert await ok(client, "DELETE", f"/api/phone_list/{list_id}") is None
    assert await refused(client, "GET", f"/api/phone_list/{list_id}") == (
        f"phone list {list_id} does not exist"
    )


@pytest.mark.parametrize(
    ("method", "body", "msg"),
    [
        ("POST", {}, "name is required"),
        ("POST", {"name": "  "}, "name is required"),
        ("POST", {"name": 7}, "name must be a string"),
        ("PUT", {"name": ""}, "name cannot be empty"),
    ],
)
async def test_phone_list_validation(client, method, body, msg):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    path = "/api/phone_list" if method == "POST" else f"/api/phone_list/{list_id}"
    assert await refused(client, method, path, body) == msg


async def test_list_rows_follows_the_leads(client):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    leads = f"/api/phone_list/{list_id}/lead"
    await ok(client, "POST", leads, [{"phone": "101"}, {"phone": "102"}, {"phone": "103"}])
    await ok(client, "POST", leads, {"phone": "104", "name": "Dee", "priority": 5})
    assert (await ok(client, "GET", f"/api/phone_list/{list_id}"))["list_rows"] == 4
    await ok(client, "DELETE", f"{leads}/101")
    assert (await ok(client, "GET", f"/api/phone_list/{list_id}"))["list_rows"] == 3
    await ok(client, "DELETE", leads, ["102", "103", "999"])
    assert (await ok(client, "GET", f"/api/phone_list/{list_id}"))["list_rows"] == 1
    assert await ok(client, "GET", leads) == [
        {
            "id": "104",
            "phone": "104",
            "lead_id": None,
            "priority": 5,
            "name": "Dee",
            "tags": None,
            "ext_api_vars": None,
        }
    ]


async def test_a_duplicate_phone_is_refused_and_nothing_is_added(client):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    leads = f"/api/phone_list/{list_id}/lead"
    await ok(client, "POST", leads, {"phone": "123"})
    assert await refused(client, "POST", leads, [{"phone": "456"}, {"phone": "123"}]) == (
        f"duplicate phone in phone list {list_id}: 123"
    )
    assert await refused(client, "POST", leads, {"phone": "123"}) == (
        f"duplicate phone in phone list {list_id}: 123"
    )
    assert await refused(client, "POST", leads, [{"phone": "7"}, {"phone": "7"}]) == (
        "duplicate phone in the request: 7"
    )
    assert [lead["phone"] for lead in await ok(client, "GET", leads)] == ["123"]
    other = (await ok(client, "POST", "/api/phone_list", {"name": "Other"}))["id"]
    await ok(client, "POST", f"/api/phone_list/{other}/lead", {"phone": "123"})


async def test_a_lead_update_changes_only_what_is_submitted(client):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    leads = f"/api/phone_list/{list_id}/lead"
    await ok(client, "POST", leads, [{"phone": "1", "name": "One", "tags": "a"}, {"phone": "2"}])
    updated = await ok(client, "PUT", f"{leads}/1", {"priority": 9, "ext_api_vars": {"k": "v"}})
    assert updated == {
        "id": "1",
        "phone": "1",
        "lead_id": None,
        "priority": 9,
        "name": "One",
        "tags": "a",
        "ext_api_vars": {"k": "v"},
    }
    assert await refused(client, "PUT", f"{leads}/1", {"phone": "2"}) == (
        f"duplicate phone in phone list {list_id}: 2"
    )
    moved = await ok(client, "PUT", f"{leads}/1", {"phone": "3"})
    assert (moved["id"], moved["phone"]) == ("3", "3")
    assert await refused(client, "PUT", f"{leads}/1", {"name": "x"}) == (
        f"phone 1 is not in phone list {list_id}"
    )
    assert (
        await refused(client, "DELETE", f"{leads}/1") == f"phone 1 is not in phone list {list_id}"
    )


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"name": "no phone"}, "phone is required"),
        ([{"phone": "1"}, {"phone": ""}], "phone is required"),
        ({"phone": 5551234}, "phone must be a string"),
        ({"phone": "1", "priority": "high"}, "priority must be an integer"),
        ({"phone": "1", "ext_api_vars": [1]}, "ext_api_vars must be a JSON object"),
        ([], "the body must be a lead object or a non-empty array of lead objects"),
        (["1"], "each lead must be a JSON object"),
    ],
)
async def test_lead_validation(client, body, msg):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    assert await refused(client, "POST", f"/api/phone_list/{list_id}/lead", body) == msg
    assert await ok(client, "GET", f"/api/phone_list/{list_id}/lead") == []


async def test_deleting_many_leads_needs_an_array_of_phones(client):
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    for body in [None, {"phones": ["1"]}, [1, 2]]:
        assert await refused(client, "DELETE", f"/api/phone_list/{list_id}/lead", body) == (
            'the body must be a JSON array of phone numbers, like ["1234567"]'
        )
    assert await refused(client, "GET", "/api/phone_list/999/lead") == (
        "phone list 999 does not exist"
    )


async def test_hostile_names_are_stored_as_sent(client):
    name = 'A&B <script>"x"\' Ünïcødé 電話'
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": name}))["id"]
    assert (await ok(client, "GET", f"/api/phone_list/{list_id}"))["name"] == name
    assert [p["id"] for p in await ok(client, "GET", "/api/phone_list/", q="&B <script>")] == [
        list_id
    ]


# --- Users ----------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["name", "username", "password", "email"])
async def test_user_required_fields(client, missing):
    body = {"name": "N", "username": "u", "password": PASSWORD, "email": "u@x.io"}
    del body[missing]
    assert await refused(client, "POST", "/api/user", body) == f"{missing} is required"


async def test_all_missing_user_fields_are_named(client):
    assert await refused(client, "POST", "/api/user", {}) == (
        "name, username, password, email are required"
    )


@pytest.mark.parametrize("password", ["Ab12345", "abcdefg1", "ABCDEFG1", "Abcdefgh", "12345678"])
async def test_weak_passwords_are_refused(client, password):
    msg = (
        "password must be at least 8 characters long and contain numbers,"
        " uppercase and lowercase letters"
    )
    body = {"name": "N", "username": "u", "password": password, "email": "u@x.io"}
    assert await refused(client, "POST", "/api/user", body) == msg
    user = await new_user(client)
    assert await refused(client, "PUT", f"/api/user/{user['id']}", {"password": password}) == msg


@pytest.mark.parametrize(
    ("field", "value", "msg"),
    [
        ("email", "not-an-address", "email must be an email address"),
        ("active", 2, "active must be true or false (or 1 or 0)"),
        ("is_agent", "yes", "is_agent must be true or false (or 1 or 0)"),
        (
            "geo_limit",
            "IL,USA",
            "geo_limit must be a comma-separated list of 2-letter country codes",
        ),
        ("groups", "a,b", "groups must be an integer"),
        ("sites", 5, "sites must be an array or a comma-separated list of ids"),
        ("permissions", [], "permissions must be a JSON object"),
        ("wrap_up_time", "soon", "wrap_up_time must be an integer"),
    ],
)
async def test_user_field_types_are_checked(client, field, value, msg):
    body = {"name": "N", "username": "u", "password": PASSWORD, "email": "u@x.io", field: value}
    assert await refused(client, "POST", "/api/user", body) == msg


async def test_a_username_is_unique(client):
    await new_user(client, "ann")
    bob = await new_user(client, "bob")
    assert await refused(client, "POST", "/api/user", {**_user_body("ann")}) == (
        "username ann is already taken"
    )
    assert await refused(client, "PUT", f"/api/user/{bob['id']}", {"username": "ann"}) == (
        "username ann is already taken"
    )
    await ok(client, "PUT", f"/api/user/{bob['id']}", {"username": "bob"})


def _user_body(username: str) -> dict[str, Any]:
    return {"name": "N", "username": username, "password": PASSWORD, "email": "n@x.io"}


async def test_the_password_is_never_returned(client):
    user = await new_user(client)
    await ok(client, "PUT", f"/api/user/{user['id']}", {"password": "N3wPassword"})
    answers = [
        user,
        await ok(client, "GET", f"/api/user/{user['id']}"),
        await ok(client, "GET", "/api/user"),
        await ok(client, "GET", "/api/user/", q="ann"),
        await ok(client, "PUT", f"/api/user/{user['id']}", {"name": "Ann"}),
        await ok(client, "POST", "/api/user/login", {"username": "ann", "password": "N3wPassword"}),
        await sim_state(client),
    ]
    for answer in answers:
        text = json.dumps(answer)
        assert PASSWORD not in text and "N3wPassword" not in text and '"password"' not in text


async def test_user_query_matches_name_username_or_email_and_filters_agents(client):
    await new_user(client, "ann", name="Ann Smith", email="ann@alpha.io")
    await new_user(client, "bob", name="Bob Jones", email="bob@beta.io", is_agent=False)

    async def names(**params: Any) -> list[str]:
        return [u["username"] for u in await ok(client, "GET", "/api/user/", **params)]

    assert await names(q="SMITH") == ["ann"]
    assert await names(q="bob") == ["bob"]
    assert await names(q="beta.io") == ["bob"]
    assert await names(q="", is_agent=0) == ["ann", "bob"]
    assert await names(q="", is_agent=1) == ["ann"]
    assert await refused(client, "GET", "/api/user/", is_agent="maybe") == (
        "is_agent must be true or false (or 1 or 0)"
    )


async def test_a_user_update_changes_only_what_is_submitted(client):
    user = await new_user(client, timezone="Asia/Jerusalem", in_reports=True)
    updated = await ok(
        client, "PUT", f"/api/user/{user['id']}", {"name": "Ann B", "id": 999, "online": 1}
    )
    assert updated == {**user, "name": "Ann B"}
    assert updated["timezone"] == "Asia/Jerusalem"
    assert await refused(client, "PUT", "/api/user/999", {"name": "x"}) == "user 999 does not exist"


async def test_deleting_a_user(client):
    user = await new_user(client)
    queue = await new_queue(client)
    await ok(client, "PUT", f"/api/user/{user['id']}/queues", [[queue["id"], 3, 10, 1, None]])
    assert await ok(client, "DELETE", f"/api/user/{user['id']}") is None
    assert await refused(client, "GET", f"/api/user/{user['id']}") == (
        f"user {user['id']} does not exist"
    )
    assert await ok(client, "GET", f"/api/cc_queue/{queue['id']}/users") == []


async def test_login_sets_the_session_user_and_logout_clears_it(client):
    user = await new_user(client)
    await new_user(client, "idle", active=0)
    assert await refused(client, "POST", "/api/user/login", {"username": "ann"}) == (
        "password is required"
    )
    assert await refused(
        client, "POST", "/api/user/login", {"username": "ann", "password": "Wrong123"}
    ) == ("wrong username or password")
    assert await refused(
        client, "POST", "/api/user/login", {"username": "idle", "password": PASSWORD}
    ) == ("user idle is not active")
    assert await refused(client, "GET", "/api/cc_agent/checkIn") == (
        "user_id is required when no user is logged in"
    )
    logged_in = await ok(
        client, "POST", "/api/user/login", {"username": "ann", "password": PASSWORD}
    )
    assert logged_in["id"] == user["id"] and logged_in["last_login"] is not None
    await ok(client, "GET", "/api/cc_agent/checkIn")
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["online"] == 1
    await ok(client, "GET", "/api/user/logout")
    assert (await sim_state(client))["session_user_id"] is None
    assert await refused(client, "GET", "/api/cc_agent/checkOut") == (
        "user_id is required when no user is logged in"
    )


async def test_a_users_queues_in_both_directions(client):
    user = await new_user(client)
    clerk = await new_user(client, "clerk", is_agent=False)
    sales, support = await new_queue(client, "Sales"), await new_queue(client, "Support")
    rows = [[sales["id"], 3, 10, 1, None], [support["id"], 4, 5, 2, 7]]
    assert await ok(client, "PUT", f"/api/user/{user['id']}/queues", rows) == rows
    assert await ok(client, "GET", f"/api/user/{user['id']}/queues") == rows
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["queue_perms"] == rows
    assert await ok(client, "GET", f"/api/cc_queue/{support['id']}/users") == [
        [user["id"], 4, 5, 2, "Ann Example", 7, False]
    ]
    await ok(client, "PUT", f"/api/user/{user['id']}/queues", {"queues": rows[:1]})
    assert await ok(client, "GET", f"/api/user/{user['id']}/queues") == rows[:1]
    path = f"/api/user/{user['id']}/queues"
    assert await refused(client, "PUT", path, [[999, 1, 1, 1, None]]) == "queue 999 does not exist"
    assert await refused(client, "PUT", path, [[sales["id"], 1, 1]]) == (
        "each assignment must be a row of five values:"
        " [[queue_id, mode, position, level, timegroup_id], ...]"
    )
    assert await refused(client, "PUT", path, [[sales["id"], "x", 1, 1, None]]) == (
        "mode must be an integer"
    )
    assert await refused(client, "PUT", f"/api/user/{clerk['id']}/queues", rows) == (
        f"user {clerk['id']} is not an agent (is_agent is false)"
    )
    assert await ok(client, "GET", f"/api/user/{user['id']}/queues") == rows[:1]


async def test_queue_perms_on_create_assign_the_queues(client):
    queue = await new_queue(client)
    user = await new_user(client, queue_perms=[[queue["id"], 1, 2, 3, None]])
    assert user["queue_perms"] == [[queue["id"], 1, 2, 3, None]]
    assert await refused(
        client,
        "POST",
        "/api/user",
        {**_user_body("zed"), "is_agent": 1, "queue_perms": [[999, 1, 1, 1, None]]},
    ) == ("queue 999 does not exist")
    assert [u["username"] for u in await ok(client, "GET", "/api/user")] == ["ann"]


# --- Agents ---------------------------------------------------------------------------------


async def test_check_in_answers_the_number_to_call(client):
    user = await new_user(client)
    number = await ok(client, "GET", "/api/cc_agent/checkIn", user_id=user["id"])
    assert re.fullmatch(r"\*\*\*\d{4}", number)
    agent = (await sim_state(client))["agents"][0]
    assert (agent["checked_in"], agent["device_id"]) == (True, None)


@pytest.mark.parametrize(
    ("params", "msg"),
    [
        ({"user_id": "abc"}, "user_id must be an integer"),
        ({"user_id": 999}, "user 999 does not exist"),
        ({"user_id": "{clerk}"}, "user {clerk} is not an agent (is_agent is false)"),
        (
            {"user_id": "{ann}", "forceCheckOut": "sure"},
            "forceCheckOut must be true or false (or 1 or 0)",
        ),
    ],
)
async def test_check_in_refusals(client, params, msg):
    ann, clerk = await new_user(client), await new_user(client, "clerk", is_agent=False)
    ids = {"ann": ann["id"], "clerk": clerk["id"]}
    params = {k: str(v).format(**ids) for k, v in params.items()}
    assert await refused(client, "GET", "/api/cc_agent/checkIn", **params) == msg.format(**ids)


async def test_check_in_device_takes_a_device_only_when_forced(client):
    ann, bob = await new_user(client, "ann"), await new_user(client, "bob")
    path = "/api/cc_agent/checkInDevice"
    assert await refused(client, "GET", path, user_id=ann["id"]) == "device_id is required"
    await ok(client, "GET", path, user_id=ann["id"], device_id=5)
    await ok(client, "GET", path, user_id=ann["id"], device_id=5)  # again: nothing changes
    assert await refused(client, "GET", path, user_id=bob["id"], device_id=5) == (
        f"device 5 is in use by user {ann['id']}; send forceCheckOut=1 to take it"
    )
    await ok(client, "GET", path, user_id=bob["id"], device_id=6)
    assert await refused(client, "GET", path, user_id=bob["id"], device_id=7) == (
        f"user {bob['id']} is checked in on device 6; send forceCheckOut=1 to move"
    )
    await ok(client, "GET", path, user_id=bob["id"], device_id=5, forceCheckOut=1)
    agents = {a["user_id"]: a for a in (await sim_state(client))["agents"]}
    assert (agents[ann["id"]]["checked_in"], agents[bob["id"]]["device_id"]) == (False, 5)
    assert (await ok(client, "GET", f"/api/user/{bob['id']}"))["devices"] == [
        {"device_id": 5, "ring": 0, "delay": 0, "timeout": 0, "name": "Device 5"}
    ]


async def test_set_pause(client):
    user = await new_user(client)
    path = "/api/cc_agent/setPause"
    assert await refused(client, "GET", path, user_id=user["id"]) == (
        "id is required (a pause id, or 0 for available)"
    )
    assert await refused(client, "GET", path, id=2, user_id=user["id"]) == (
        f"user {user['id']} is not checked in"
    )
    await ok(client, "GET", "/api/cc_agent/checkIn", user_id=user["id"])
    assert await refused(client, "GET", path, id=-1, user_id=user["id"]) == "id must be 0 or more"
    await ok(client, "GET", path, id=2, user_id=user["id"])
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["pause_id"] == 2


async def test_set_queues_joins_exactly_the_given_queues(client):
    user = await new_user(client)
    sales, support = await new_queue(client, "Sales"), await new_queue(client, "Support")
    path = "/api/cc_agent/setQueues"
    assert await refused(client, "GET", path, user_id=user["id"]) == "queue_ids is required"
    assert await refused(client, "GET", path, queue_ids="1,x", user_id=user["id"]) == (
        "queue_ids must be an integer"
    )
    assert await refused(client, "GET", path, queue_ids=999, user_id=user["id"]) == (
        "queue 999 does not exist"
    )
    answer = await ok(
        client, "GET", path, queue_ids=f"{sales['id']},{support['id']}", user_id=user["id"]
    )
    assert answer["name"] == "Support"
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["queues"] == [
        sales["id"],
        support["id"],
    ]
    async with client.get(
        path,
        params=[
            ("queue_ids[]", str(sales["id"])),
            ("user_id", str(user["id"])),
            ("api_key", API_KEY),
        ],
    ) as response:
        assert (await response.json())["data"]["name"] == "Sales"
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["queues"] == [sales["id"]]
    assert await ok(client, "GET", path, queue_ids="", user_id=user["id"]) is None
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["queues"] == []


async def test_wrapup(client):
    user = await new_user(client, wrap_up_time=45)
    path = "/api/cc_agent/wrapup"
    assert await refused(client, "GET", path, user_id=user["id"], seconds="x") == (
        "seconds must be an integer"
    )
    await ok(client, "GET", path, user_id=user["id"], seconds=0)
    at_zero = (await sim_state(client))["agents"][0]["wrapup_until"]
    await ok(client, "GET", path, user_id=user["id"])
    assert (await sim_state(client))["agents"][0]["wrapup_until"] >= at_zero + 45


# --- Queues ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "msg"),
    [
        ({"strategy": "ring-all", "time_base_score": "queue"}, "name is required"),
        ({"name": "Q"}, "strategy, time_base_score are required"),
        (
            {"name": "Q", "strategy": "fastest", "time_base_score": "queue"},
            "strategy must be one of: ring-all, longest-idle-agent, round-robin, top-down,"
            " agent-with-least-talk-time, agent-with-fewest-calls, sequentially-by-agent-order,"
            " sequentially-by-next-agent-order, random",
        ),
        (
            {"name": "Q", "strategy": "random", "time_base_score": "both"},
            "time_base_score must be one of: system, queue",
        ),
        (
            {"name": "Q", "strategy": "random", "time_base_score": "queue", "auto_answer": "x"},
            "auto_answer must be true or false (or 1 or 0)",
        ),
        (
            {
                "name": "Q",
                "strategy": "random",
                "time_base_score": "queue",
                "users": [[999, 1, 1, 1, None]],
            },
            "user 999 does not exist",
        ),
    ],
)
async def test_queue_validation(client, body, msg):
    assert await refused(client, "POST", "/api/cc_queue", body) == msg
    assert await ok(client, "GET", "/api/cc_queue") == []


async def test_queue_lifecycle(client):
    user = await new_user(client)
    queue = await new_queue(client, "Sales", tv_name="S", users=[[user["id"], 3, 10, 1, None]])
    assert queue["users"] == [[user["id"], 3, 10, 1, "Ann Example", None, False]]
    assert queue["user_ids"] == [user["id"]]
    assert await ok(client, "GET", f"/api/cc_queue/{queue['id']}") == queue
    updated = await ok(client, "PUT", f"/api/cc_queue/{queue['id']}", {"strategy": "top-down"})
    assert updated == {**queue, "strategy": "top-down"}
    assert await refused(client, "PUT", f"/api/cc_queue/{queue['id']}", {"strategy": ""}) == (
        "strategy cannot be empty"
    )
    await ok(client, "GET", "/api/cc_agent/setQueues", queue_ids=queue["id"], user_id=user["id"])
    await ok(client, "DELETE", f"/api/cc_queue/{queue['id']}")
    assert await refused(client, "GET", f"/api/cc_queue/{queue['id']}") == (
        f"queue {queue['id']} does not exist"
    )
    assert (await ok(client, "GET", f"/api/user/{user['id']}"))["queues"] == []
    assert await ok(client, "GET", f"/api/user/{user['id']}/queues") == []


async def test_queue_agents_add_replace_and_delete(client):
    ann, bob, cy = [await new_user(client, name) for name in ("ann", "bob", "cy")]
    clerk = await new_user(client, "clerk", is_agent=False)
    queue = await new_queue(client)
    path = f"/api/cc_queue/{queue['id']}/users"

    async def members() -> list[int]:
        return [row[0] for row in await ok(client, "GET", path)]

    await ok(client, "POST", path, {"users": [[ann["id"], 4, 10, 1, None]]})
    await ok(client, "POST", path, {"users": [[bob["id"], 4, 10, 1, None]]})
    assert await members() == [ann["id"], bob["id"]]
    await ok(
        client, "PUT", path, {"users": [[cy["id"], 4, 10, 1, None], [bob["id"], 1, 1, 1, None]]}
    )
    assert await members() == [cy["id"], bob["id"]]
    await ok(client, "DELETE", path, ids=f"{cy['id']},999")
    assert await members() == [bob["id"]]
    await ok(client, "DELETE", path, {"ids": [bob["id"]]})
    assert await members() == []
    assert await refused(client, "DELETE", path) == (
        "ids is required (an array or comma-separated list of user ids)"
    )
    assert await refused(client, "POST", path, {}) == "users is required"
    assert await refused(client, "POST", path, {"users": [[clerk["id"], 1, 1, 1, None]]}) == (
        f"user {clerk['id']} is not an agent (is_agent is false)"
    )
    assert await refused(client, "POST", path, {"users": "1,2"}) == (
        "assignments must be an array of rows [[user_id, mode, position, level, timegroup_id], ...]"
    )
    assert await refused(client, "GET", "/api/cc_queue/999/users") == "queue 999 does not exist"


# --- /_sim/state ----------------------------------------------------------------------------


async def test_sim_state_shows_the_account(client):
    user = await new_user(client)
    queue = await new_queue(client, users=[[user["id"], 1, 1, 1, None]])
    list_id = (await ok(client, "POST", "/api/phone_list", {"name": "L"}))["id"]
    await ok(client, "POST", f"/api/phone_list/{list_id}/lead", {"phone": "5"})
    await ok(client, "GET", "/api/cc_agent/originate", destination="15551230000", extension="100")
    state = await sim_state(client)
    assert state["phone_lists"][0]["list_rows"] == 1
    assert state["phone_lists"][0]["leads"][0]["phone"] == "5"
    assert state["users"][0]["username"] == "ann"
    assert state["queues"][0]["id"] == queue["id"]
    assert state["calls"][0]["destination"] == "15551230000"
    assert state["extensions"] == {"100": {"user_id": None}}


# --- Events ---------------------------------------------------------------------------------


class Receiver:
    """An event receiver app: records each POST; can fail or hold its answers."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.failures_left = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.app = web.Application()
        self.app.router.add_post("/events", self._receive)

    async def _receive(self, request: web.Request) -> web.Response:
        await self.gate.wait()
        if self.failures_left:
            self.failures_left -= 1
            return web.Response(status=503)
        await self.events.put(await request.json())
        return web.Response(status=204)

    async def next(self) -> dict[str, Any]:
        return await asyncio.wait_for(self.events.get(), 5)

    async def take(self, count: int) -> list[dict[str, Any]]:
        return [await self.next() for _ in range(count)]


@pytest.fixture
async def receiver(aiohttp_server):
    receiver = Receiver()
    receiver.server = await aiohttp_server(receiver.app)
    return receiver


@pytest.fixture
async def pushing(aiohttp_client, receiver):
    app = create_rest_simulator(
        api_keys=[API_KEY],
        extensions=["100"],
        event_url=str(receiver.server.make_url("/events")),
        call_event_delays=(0.01, 0.02, 0.03),
        event_retry_delays=(0.01, 0.01),
    )
    return await aiohttp_client(app)


async def test_agent_actions_push_queue_events(pushing, receiver):
    user = await new_user(pushing)
    uid = user["id"]
    sales, support = await new_queue(pushing, "Sales"), await new_queue(pushing, "Support")
    await ok(pushing, "GET", "/api/cc_agent/checkInDevice", user_id=uid, device_id=3)
    assert await receiver.take(2) == [
        {
            "event": "agent:checkin",
            "data": {"user_id": uid, "device_id": 3, "device_name": "Device 3"},
        },
        {
            "event": "agent:status",
            "data": {"user_id": uid, "activity_id": 1, "pause_id": 0, "in_calls": 1},
        },
    ]
    await ok(pushing, "GET", "/api/cc_agent/setPause", id=4, user_id=uid)
    assert await receiver.next() == {
        "event": "agent:status",
        "data": {"user_id": uid, "activity_id": 1, "pause_id": 4, "in_calls": 1},
    }
    await ok(pushing, "GET", "/api/cc_agent/setQueues", queue_ids=sales["id"], user_id=uid)
    assert await receiver.next() == {
        "event": "queue:join",
        "data": {"user_id": uid, "queues": [sales["id"]]},
    }
    await ok(pushing, "GET", "/api/cc_agent/setQueues", queue_ids=support["id"], user_id=uid)
    assert await receiver.take(2) == [
        {"event": "queue:join", "data": {"user_id": uid, "queues": [support["id"]]}},
        {"event": "queue:leave", "data": {"user_id": uid, "queues": [sales["id"]]}},
    ]
    await ok(pushing, "GET", "/api/cc_agent/checkOut", user_id=uid)
    assert await receiver.take(2) == [
        {"event": "agent:checkout", "data": {"user_id": uid}},
        {
            "event": "agent:status",
            "data": {"user_id": uid, "activity_id": 0, "pause_id": 0, "in_calls": 0},
        },
    ]


async def test_an_originated_call_pushes_ring_answer_end(pushing, receiver):
    user = await new_user(pushing)
    _, answer = await call(
        pushing,
        "GET",
        "/api/cc_agent/originate",
        destination="15551230000",
        user_id=user["id"],
        device_id=8,
        cid="15550001111",
        cnam="Sales & Co",
        lead_id="L-7",
    )
    ring, answered, end = await receiver.take(3)
    assert [ring["event"], answered["event"], end["event"]] == [
        "call:ring",
        "call:answer",
        "call:end",
    ]
    for event in (ring, answered, end):
        data = event["data"]
        assert data["id"] == data["call_id"] == answer["uuid"]
        assert (data["type"], data["dst_num"], data["src_user_id"]) == (
            "outbound",
            "15551230000",
            user["id"],
        )
        assert (data["src_device_id"], data["cid_num"], data["cid_name"], data["lead_id"]) == (
            8,
            "15550001111",
            "Sales & Co",
            "L-7",
        )
        assert isinstance(data["ts"], int)
    end_data = end["data"]
    assert end_data["hangup_cause"] == "NORMAL_CLEARING"
    assert end_data["durationms"] >= end_data["billms"] >= 30 - 5
    assert "hangup_cause" not in ring["data"]


async def test_a_failed_delivery_is_retried(pushing, receiver):
    receiver.failures_left = 2
    async with pushing.post("/_sim/events", json={"event": "custom:one", "data": {"n": 1}}) as r:
        assert r.status == 202
    assert await receiver.next() == {"event": "custom:one", "data": {"n": 1}}
    async with pushing.get("/_sim/events") as response:
        assert await response.json() == {
            "sent": [{"event": "custom:one", "data": {"n": 1}}],
            "given_up": [],
        }


async def test_a_held_receiver_does_not_hold_requests(pushing, receiver):
    receiver.gate.clear()
    user = await new_user(pushing)
    for _ in range(3):
        await ok(pushing, "GET", "/api/cc_agent/checkIn", user_id=user["id"])
        await ok(pushing, "GET", "/api/cc_agent/checkOut", user_id=user["id"])
    await ok(pushing, "GET", "/api/user")
    receiver.gate.set()
    events = await receiver.take(12)
    assert [e["event"] for e in events[:4]] == [
        "agent:checkin",
        "agent:status",
        "agent:checkout",
        "agent:status",
    ]


async def test_delivery_to_a_closed_port_is_given_up(aiohttp_client):
    app = create_rest_simulator(
        api_keys=[API_KEY],
        event_url=f"http://127.0.0.1:{unused_port()}/events",
        event_retry_delays=(0.01,),
    )
    client = await aiohttp_client(app)
    async with client.post("/_sim/events", json={"event": "x:y", "data": {}}) as response:
        assert response.status == 202
    for _ in range(200):
        async with client.get("/_sim/events") as response:
            given_up = (await response.json())["given_up"]
        if given_up:
            break
        await asyncio.sleep(0.01)
    assert given_up == [{"event": "x:y", "data": {}, "error": "ClientConnectorError"}]
    await ok(client, "GET", "/api/user")


async def test_sim_events_checks_its_body(pushing):
    for body in ['{"data": {}}', '{"event": 5}', '{"event": "a", "data": []}', "nope"]:
        async with pushing.post("/_sim/events", data=body) as response:
            assert response.status == 400


async def test_without_an_event_url_nothing_is_pushed(client):
    await ok(client, "GET", "/api/cc_agent/originate", destination="1555", extension="100")
    async with client.post("/_sim/events", json={"event": "x:y"}) as response:
        assert response.status == 409
    async with client.get("/_sim/events") as response:
        assert await response.json() == {"sent": [], "given_up": []}
