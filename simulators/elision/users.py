"""add_user and update_user (delete_user=Y included), with the spec's texts."""

from typing import Any

from aiohttp import web

from simulators.elision.answers import answer, line
from simulators.elision.requests import Call, digits, one_digit, sized
from simulators.elision.state import User

_ADD_USER_OPTIONAL = (
    ("phone_login", "PHONE LOGIN", lambda v: sized(v, 1, 20)),
    ("phone_pass", "PHONE PASSWORD", lambda v: sized(v, 1, 20)),
    ("voicemail_id", "VOICEMAIL ID", lambda v: digits(v, 1, 10)),
    ("email", "EMAIL", lambda v: sized(v, 1, 100)),
)


def _optional(function: str, label: str) -> str:
    return f"{function} YOU MUST USE A VALID {label}, THIS IS AN OPTIONAL FIELD"


def add_user(call: Call) -> web.Response:
    state, user = call.state, call.user
    if not call.may_modify():
        return line("ERROR", "add_user USER DOES NOT HAVE PERMISSION TO ADD USERS", user, "0")
    agent_user, agent_pass = call.text("agent_user"), call.text("agent_pass")
    level, name, group = (
        call.text(k) for k in ("agent_user_level", "agent_full_name", "agent_user_group")
    )
    vicidial = state.flavour == "vicidial"
    if not (
        sized(agent_user, 2, 20)
        and sized(agent_pass, 2 if vicidial else 1, 20)
        and one_digit(level)
        and sized(name, 1, 50)
        and sized(group, 1, 20)
    ):
        reason = "add_user YOU MUST USE ALL REQUIRED FIELDS"
        if vicidial:  # VICIdial's own form, echoing every field
            data = "|".join((user, agent_user, agent_pass, level, name, group))
            return answer(f"ERROR: {reason}: |{data}\n")
        return line("ERROR", reason, user, agent_user, agent_pass)
    if int(level) > call.level:
        reason = "add_user USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL"
        return line("ERROR", reason, user, str(call.level))
    if group not in state.user_groups:
        return line("ERROR", "add_user USER GROUP DOES NOT EXIST", user, group)
    if agent_user in state.users:
        return line("ERROR", "add_user USER ALREADY EXISTS", user, agent_user)
    for key, label, valid in _ADD_USER_OPTIONAL:
        if call.get(key) is not None and not valid(call.get(key)):
            return line("ERROR", _optional("add_user", label), user)
    state.users[agent_user] = User(
        agent_user,
        agent_pass,
        name,
        int(level),
        group,
        **{key: call.text(key) for key, _, _ in _ADD_USER_OPTIONAL},
    )
    reason = "add_user USER HAS BEEN ADDED"
    return line("SUCCESS", reason, user, agent_user, agent_pass, level, name, group)


def update_user(call: Call) -> web.Response:
    state, user = call.state, call.user
    if not call.may_modify():
        return line("ERROR", "update_user USER DOES NOT HAVE PERMISSION TO UPDATE USERS", user, "0")
    agent_user = call.text("agent_user")
    if not sized(agent_user, 2, 20):
        return line("ERROR", "update_user YOU MUST USE ALL REQUIRED FIELDS", user, agent_user, "")
    target = state.users.get(agent_user)
    if target is None:
        return line("ERROR", "update_user USER DOES NOT EXIST", user, agent_user)
    if target.user_level > call.level:
        reason = "update_user USER DOES NOT HAVE PERMISSION TO UPDATE THIS USER"
        return line("ERROR", reason, user, agent_user)
    if call.get("delete_user") == "Y":
        del state.users[agent_user]
        return line("SUCCESS", "update_user USER HAS BEEN DELETED", user, agent_user)
    changes = _user_changes(call)
    if isinstance(changes, web.Response):
        return changes
    if not changes:
        return line("ERROR", "update_user NO UPDATES DEFINED", user, "0")
    for attribute, value in changes.items():
        setattr(target, attribute, value)
    return line("SUCCESS", "update_user USER HAS BEEN UPDATED", user, agent_user)


def _user_changes(call: Call) -> dict[str, Any] | web.Response:
    """The User attributes update_user sets, or the error for the first invalid field."""
    state, user, get = call.state, call.user, call.get
    changes: dict[str, Any] = {}

    def refuse(label: str, *data: str) -> web.Response:
        return line("ERROR", _optional("update_user", label), user, *data)

    if (value := get("agent_pass")) is not None:
        if not sized(value, 1, 20):
            return refuse("PASSWORD")
        changes["password"] = value
    if (value := get("agent_full_name")) is not None:
        if not sized(value, 1, 50):
            return refuse("FULL NAME", value)
        changes["full_name"] = value
    if (value := get("agent_user_level")) is not None:
        if not one_digit(value) or int(value) > call.level:
            return refuse("USER LEVEL", value, str(call.level), "1")
        changes["user_level"] = int(value)
    if (value := get("agent_user_group")) is not None:
        known = value in state.user_groups
        if not (known and sized(value, 1, 20)):
            return refuse("USER GROUP", value, str(int(known)))
        changes["user_group"] = value
    if (value := get("phone_login")) is not None:
        known = value in state.phones
        if not (known and sized(value, 1, 20)):
            return refuse("PHONE LOGIN", value, str(int(known)), "0")
        changes["phone_login"] = value
    if (value := get("phone_pass")) is not None:
        if not sized(value, 1, 20):
            return refuse("PHONE PASSWORD", "0")
        changes["phone_pass"] = value
    if (value := get("voicemail_id")) is not None:
        if not digits(value, 1, 10):
            return refuse("VOICEMAIL ID")
        changes["voicemail_id"] = value
    if (value := get("email")) is not None:
        if not sized(value, 1, 100):
            return refuse("EMAIL")
        changes["email"] = value
    if (value := get("active")) is not None:
        if value not in ("Y", "N"):
            return line(
                "ERROR", "update_user ACTIVE MUST BE Y OR N, THIS IS AN OPTIONAL FIELD", user
            )
        changes["active"] = value
    return changes
