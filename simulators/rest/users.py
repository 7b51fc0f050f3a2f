"""``/api/user``: users, login and logout, and a user's queues.

``name``, ``username``, ``password`` and ``email`` are required; a username is unique;
the password needs at least 8 characters with digits, uppercase and lowercase letters
and is never returned. Read-only and unknown fields are ignored.
"""

import time
from typing import Any

from aiohttp import web

from simulators.rest.assignments import parse_rows, set_user_queues
from simulators.rest.envelope import Refused, ok, read_fields, read_json
from simulators.rest.fields import (
    anything,
    clean,
    flag,
    forbid_blank,
    id_list,
    integer,
    json_object,
    nullable,
    require,
    text,
    zero_or_one,
)
from simulators.rest.routing import add_route, path_id
from simulators.rest.state import STATE, RestState, UserRecord

POLICY_REFUSAL = (
    "password must be at least 8 characters long and contain numbers,"
    " uppercase and lowercase letters"
)
DEFAULTS = {"active": 1, "is_agent": False, "in_reports": False, "timezone": "UTC", "pgroup_id": 0}


def _email(name: str, value: Any) -> str:
    if "@" not in text(name, value):
        raise Refused(f"{name} must be an email address")
    return value


def _country_codes(name: str, value: Any) -> str:
    codes = [code.strip() for code in text(name, value).split(",") if code.strip()]
    if not all(len(code) == 2 and code.isalpha() for code in codes):
        raise Refused(f"{name} must be a comma-separated list of 2-letter country codes")
    return value


SCHEMA = {
    "active": zero_or_one,
    "is_agent": flag,
    "in_reports": flag,
    "name": text,
    "username": text,
    "email": _email,
    "timezone": text,
    "sites": id_list,
    "groups": id_list,
    "intercept_groups": id_list,
    "intercept_other_groups": id_list,
    "geo_limit": _country_codes,
    "follow_me": integer,
    "dr_id": nullable(integer),
    "call_timeout": integer,
    "vm_id": nullable(integer),
    "pgroup_id": integer,
    "permissions": json_object,
    "override_device": flag,
    # device settings override: the spec gives no types
    **dict.fromkeys(
        [
            *("ecnam", "ecnum", "ocnam", "ocnum", "user_record", "cnum_by_country", "blf_ext"),
            *("rec_inb_ext", "rec_out_ext", "rec_inb_int", "rec_out_int"),
        ],
        anything,
    ),
    # overrides of account defaults, in seconds or counts
    **dict.fromkeys(
        [
            *("session_ttl", "max_snooze", "wrap_up_time", "no_answer_delay_time"),
            *("reject_delay_time", "busy_delay_time", "max_no_answer"),
        ],
        integer,
    ),
}


def _password(value: Any) -> str:
    password = text("password", value)
    if not (
        len(password) >= 8
        and any(c.isdigit() for c in password)
        and any(c.isupper() for c in password)
        and any(c.islower() for c in password)
    ):
        raise Refused(POLICY_REFUSAL)
    return password


def _check_username_free(state: RestState, username: str, user_id: int | None = None) -> None:
    if any(u.username == username and u.id != user_id for u in state.users.values()):
        raise Refused(f"username {username} is already taken")


async def list_users(request: web.Request) -> web.Response:
    """All users, or those whose name, username or email contains ``q``; ``is_agent=1``: agents."""
    state = request.app[STATE]
    q = request.query.get("q", "").casefold()
    agents_only = flag("is_agent", request.query.get("is_agent", "0"))
    return ok(
        [
            state.user_json(user)
            for user in state.users.values()
            if (user.is_agent or not agents_only)
            and any(
                q in str(user.fields.get(k, "")).casefold() for k in ("name", "username", "email")
            )
        ]
    )


async def get_user(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return ok(state.user_json(state.user(path_id(request, "user_id"))))


async def create_user(request: web.Request) -> web.Response:
    state = request.app[STATE]
    fields = await read_fields(request)
    require(fields, ["name", "username", "password", "email"])
    values = clean(fields, SCHEMA)
    password = _password(fields["password"])
    _check_username_free(state, values["username"])
    user = UserRecord(id=state.new_id(), password=password, fields={**DEFAULTS, **values})
    rows = parse_rows(fields["queue_perms"], "queue_id") if "queue_perms" in fields else None
    state.users[user.id] = user
    if rows is not None:
        try:
            set_user_queues(state, user.id, rows)
        except Refused:
            del state.users[user.id]
            raise
    return ok(state.user_json(user))


async def update_user(request: web.Request) -> web.Response:
    """Change only the submitted fields; answer the whole record."""
    state = request.app[STATE]
    user = state.user(path_id(request, "user_id"))
    fields = await read_fields(request)
    forbid_blank(fields, ["name", "username", "password", "email"])
    values = clean(fields, SCHEMA)
    password = _password(fields["password"]) if "password" in fields else user.password
    if "username" in values:
        _check_username_free(state, values["username"], user.id)
    if "queue_perms" in fields:
        set_user_queues(state, user.id, parse_rows(fields["queue_perms"], "queue_id"))
    user.password = password
    user.fields.update(values)
    return ok(state.user_json(user))


async def delete_user(request: web.Request) -> web.Response:
    state = request.app[STATE]
    user = state.user(path_id(request, "user_id"))
    for key in [key for key in state.assignments if key[1] == user.id]:
        del state.assignments[key]
    if state.session_user_id == user.id:
        state.session_user_id = None
    del state.users[user.id]
    return ok()


async def login(request: web.Request) -> web.Response:
    """Open the API session of a user: agent actions without ``user_id`` act on this user."""
    state = request.app[STATE]
    fields = await read_fields(request)
    require(fields, ["username", "password"])
    for user in state.users.values():
        if user.username == fields["username"] and user.password == fields["password"]:
            if not user.fields.get("active"):
                raise Refused(f"user {user.username} is not active")
            user.last_login = int(time.time())
            state.session_user_id = user.id
            return ok(state.user_json(user))
    raise Refused("wrong username or password")


async def logout(request: web.Request) -> web.Response:
    request.app[STATE].session_user_id = None
    return ok()


async def get_user_queues(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return ok(state.user_queue_rows(state.user(path_id(request, "user_id")).id))


async def put_user_queues(request: web.Request) -> web.Response:
    """Replace the user's queues: the body is the array of rows, or ``{"queues": rows}``."""
    state = request.app[STATE]
    user = state.user(path_id(request, "user_id"))
    body = await read_json(request)
    rows = body.get("queues") if isinstance(body, dict) else body
    set_user_queues(state, user.id, parse_rows(rows, "queue_id"))
    return ok(state.user_queue_rows(user.id))


def add_routes(app: web.Application) -> None:
    one = r"/api/user/{user_id:\d+}"
    add_route(app, "POST", "/api/user/login", login)
    add_route(app, "GET", "/api/user/logout", logout)
    add_route(app, "GET", "/api/user", list_users)
    add_route(app, "POST", "/api/user", create_user)
    add_route(app, "GET", one, get_user)
    add_route(app, "PUT", one, update_user)
    add_route(app, "DELETE", one, delete_user)
    add_route(app, "GET", one + "/queues", get_user_queues)
    add_route(app, "PUT", one + "/queues", put_user_queues)
