"""A faithful Elision dialer API (spec 004, VICIdial's non-agent API style) as an aiohttp app.

One endpoint answers ``GET <path>?source&user&pass&function&…`` with HTTP 200 and
``text/html`` (PHP's default), whatever the outcome:

- text lines ``SUCCESS: <function> <TEXT> - a|b|c`` / ``ERROR: …`` (add_user, update_user,
  and, in the ``vicidial`` flavour, add_list and add_lead);
- PHP ``json_encode`` output (compact, ``\\/`` and ``\\uXXXX`` escapes): the
  ``{"success","message","data"}`` envelope (add_list, active_lists), the array
  ``["ERROR", reason, user, data]`` and per-lead ``{"lead 1": {…}}`` (add_multi_lead).

Flavours: ``elision`` (``/dialer/elision_api.php``: add_user, update_user, add_list,
active_lists, add_multi_lead) and ``vicidial`` (stock ``/vicidial/non_agent_api.php``:
add_user, update_user, add_list in VICIdial's text form, add_lead, version). Checks run in
VICIdial's order: (vicidial: ``version`` needs no login; a wrong user or pass is
``ERROR: Login incorrect, please try again: |user|pass|BAD|``), unknown function
``ERROR: NO FUNCTION SPECIFIED``, source not 2-20 characters ``ERROR: Invalid Source -
<source>``, then the function's own checks. In the elision flavour a wrong user or pass
gets the function's permission error, as an API user without rights does (spec 004).

Lengths are counted in UTF-8 bytes, as PHP's ``strlen`` does. An API user needs user
level 8 or higher to add or change anything, and may not give a user a higher level than
its own. Answers after the dash follow the spec's examples; where they are ambiguous:

- add_user "YOU MUST USE ALL REQUIRED FIELDS - api|<agent_user>|<agent_pass>" (the
  spec's ``api|1000|`` is a request without agent_pass); "… IN THIS USER LEVEL -
  api|<api user's level>" (the spec's ``api|8``: a level-8 user cannot add level 9);
- update_user treats an optional field that is present but empty as invalid (so the
  spec's ``api|`` for the full name is what an empty ``agent_full_name`` gets), checks
  ``phone_login`` against the phones table, and never echoes a phone password (``api|0``).

Readings of our own, where the spec shows nothing (VICIdial's texts where it has one):
invalid optional fields of add_user get update_user's texts; update_user with a bad
``agent_pass`` gets "YOU MUST USE A VALID PASSWORD, THIS IS AN OPTIONAL FIELD" and with
nothing to change VICIdial's "NO UPDATES DEFINED"; ``delete_user=Y`` answers VICIdial's
"USER HAS BEEN DELETED"; active_lists refuses a wrong login like add_list does ("… does
not have permission to view lists …"); an add_list ``active`` other than Y or N is refused;
add_multi_lead refuses a lead whose phone_number is not 6-16 digits ("Invalid phone
number") or whose list does not exist ("Invalid list id"). Lead ids start at 1036, the
id in the spec's example answer.

``GET /_sim/state`` shows users (without passwords), lists and leads.
"""

import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from simulators.control import SimulatorControl

ELISION_PATH = "/dialer/elision_api.php"
VICIDIAL_PATH = "/vicidial/non_agent_api.php"
DEFAULT_API_USERS = {"api": ("1234", 9)}  # the spec's example API user
DEFAULT_USER_GROUPS = ("ADMIN", "AGENTS")
DEFAULT_CAMPAIGNS = ("TESTCAMP", "SALESCMP", "SUPPORT")
DEFAULT_PHONES = ("1000", "1001", "1002", "2002")
FIRST_LEAD_ID = 1036
VERSION, BUILD = "2.14-917", "250720-1841"
MODIFY_LEVEL = 8  # the level an API user needs to add or change anything


@dataclass(slots=True)
class User:
    user: str
    password: str = field(repr=False)
    full_name: str
    user_level: int
    user_group: str
    phone_login: str = ""
    phone_pass: str = field(default="", repr=False)
    voicemail_id: str = ""
    email: str = ""
    active: str = "Y"

    def public(self) -> dict[str, Any]:
        shown = asdict(self)
        del shown["password"], shown["phone_pass"]
        return shown


@dataclass(slots=True)
class ElisionState:
    flavour: str
    users: dict[str, User]
    api_users: frozenset[str]
    user_groups: set[str]
    campaigns: set[str]
    phones: set[str]
    lists: dict[str, dict[str, str]] = field(default_factory=dict)
    leads: list[dict[str, str]] = field(default_factory=list)
    next_lead_id: int = FIRST_LEAD_ID

    def snapshot(self) -> dict[str, Any]:
        return {
            "users": [user.public() for user in self.users.values()],
            "lists": list(self.lists.values()),
            "leads": self.leads,
        }

    def add_lead(self, phone: str, list_id: str, fields: dict[str, str]) -> str:
        lead_id = str(self.next_lead_id)
        self.next_lead_id += 1
        self.leads.append(
            {
                **fields,
                "lead_id": lead_id,
                "list_id": list_id,
                "phone_number": phone,
                "status": "NEW",
            }
        )
        return lead_id


STATE = web.AppKey("elision_state", ElisionState)
CONTROL = web.AppKey("elision_control", SimulatorControl)


def create_elision_simulator(
    *,
    api_users: Mapping[str, tuple[str, int]] = DEFAULT_API_USERS,
    flavour: str = "elision",
    path: str | None = None,
    user_groups: Iterable[str] = DEFAULT_USER_GROUPS,
    campaigns: Iterable[str] = DEFAULT_CAMPAIGNS,
    phones: Iterable[str] = DEFAULT_PHONES,
    lists: Iterable[tuple[str, str, str]] = (),
) -> web.Application:
    """The API for ``api_users`` (username → (password, user level)).

    ``lists`` seeds active lists as (list_id, list_name, campaign_id); their campaigns
    exist too. ``phones`` are the phone logins update_user accepts.
    """
    if flavour not in ACTIONS:
        raise ValueError(f"flavour must be one of {', '.join(ACTIONS)}")
    users = {
        name: User(name, password, name, level, "ADMIN")
        for name, (password, level) in api_users.items()
    }
    seeded = [(list_id, name, campaign) for list_id, name, campaign in lists]
    state = ElisionState(
        flavour=flavour,
        users=users,
        api_users=frozenset(users),
        user_groups=set(user_groups),
        campaigns=set(campaigns) | {campaign for _, _, campaign in seeded},
        phones=set(phones),
    )
    for list_id, name, campaign in seeded:
        state.lists[list_id] = _list_row(list_id, name, campaign, "Y")
    control = SimulatorControl()
    app = web.Application()
    control.install(app)  # outermost: even refused requests are recorded
    app[STATE] = state
    app[CONTROL] = control
    default_path = ELISION_PATH if flavour == "elision" else VICIDIAL_PATH
    app.router.add_get(path or default_path, _handle)
    app.router.add_get("/_sim/state", _state)
    return app


async def _state(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].snapshot())


# Answers


def _answer(text: str) -> web.Response:
    return web.Response(text=text, content_type="text/html", charset="utf-8")


def _line(result: str, reason: str, *data: str) -> web.Response:
    """``RESULT: reason - a|b|c`` and a newline, as non_agent_api.php echoes it."""
    suffix = f" - {'|'.join(data)}" if data else ""
    return _answer(f"{result}: {reason}{suffix}\n")


def _php_json(value: Any) -> web.Response:
    """``value`` as PHP's ``json_encode`` writes it: compact, '/' and non-ASCII escaped."""
    return _answer(json.dumps(value, separators=(",", ":")).replace("/", "\\/"))


def _envelope(success: bool, message: str, data: Any) -> web.Response:
    return _php_json({"success": success, "message": message, "data": data})


# Requests


@dataclass(frozen=True, slots=True)
class Call:
    """One request: its query, the user it names, and that user if the login is right."""

    query: Mapping[str, str]
    user: str
    api: User | None
    state: ElisionState

    def get(self, name: str) -> str | None:
        return self.query.get(name)

    def text(self, name: str) -> str:
        return self.query.get(name, "")

    def may_modify(self) -> bool:
        return self.api is not None and self.api.user_level >= MODIFY_LEVEL

    @property
    def level(self) -> int:
        return self.api.user_level if self.api else 0


def _size(text: str) -> int:
    return len(text.encode())


def _sized(text: str | None, low: int, high: int) -> bool:
    return text is not None and low <= _size(text) <= high


def _digits(text: str | None, low: int, high: int) -> bool:
    return text is not None and text.isascii() and text.isdigit() and low <= len(text) <= high


def _one_digit(text: str | None) -> bool:
    return _digits(text, 1, 1) and text != "0"


def _login(state: ElisionState, query: Mapping[str, str]) -> User | None:
    user = state.users.get(query.get("user", ""))
    password = query.get("pass", "")
    if user is None or user.user not in state.api_users or user.active != "Y":
        return None
    return user if hmac.compare_digest(password.encode(), user.password.encode()) else None


async def _handle(request: web.Request) -> web.Response:
    state = request.app[STATE]
    query = request.query
    function = query.get("function", "")
    api = _login(state, query)
    if state.flavour == "vicidial":
        if function == "version":
            return _version()
        if api is None:
            user, password = query.get("user", ""), query.get("pass", "")
            return _answer(f"ERROR: Login incorrect, please try again: |{user}|{password}|BAD|\n")
    action = ACTIONS[state.flavour].get(function)
    if action is None:
        return _line("ERROR", "NO FUNCTION SPECIFIED")
    source = query.get("source", "")
    if not _sized(source, 2, 20):
        return _line("ERROR", "Invalid Source", source)
    return action(Call(query, query.get("user", ""), api, state))


def _version() -> web.Response:
    now = time.time()
    date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    return _answer(
        f"VERSION: {VERSION}|BUILD: {BUILD}|DATE: {date}|EPOCH: {int(now)}|DST: 0|TZ: 0|TZNOW: 0|\n"
    )


# Users

_ADD_USER_OPTIONAL = (
    ("phone_login", "PHONE LOGIN", lambda v: _sized(v, 1, 20)),
    ("phone_pass", "PHONE PASSWORD", lambda v: _sized(v, 1, 20)),
    ("voicemail_id", "VOICEMAIL ID", lambda v: _digits(v, 1, 10)),
    ("email", "EMAIL", lambda v: _sized(v, 1, 100)),
)


def _optional(function: str, label: str) -> str:
    return f"{function} YOU MUST USE A VALID {label}, THIS IS AN OPTIONAL FIELD"


def _add_user(call: Call) -> web.Response:
    state, user = call.state, call.user
    if not call.may_modify():
        return _line("ERROR", "add_user USER DOES NOT HAVE PERMISSION TO ADD USERS", user, "0")
    agent_user, agent_pass = call.text("agent_user"), call.text("agent_pass")
    level, name, group = (
        call.text(k) for k in ("agent_user_level", "agent_full_name", "agent_user_group")
    )
    if not (
        _sized(agent_user, 2, 20)
        and _sized(agent_pass, 1, 20)
        and _one_digit(level)
        and _sized(name, 1, 50)
        and _sized(group, 1, 20)
    ):
        reason = "add_user YOU MUST USE ALL REQUIRED FIELDS"
        return _line("ERROR", reason, user, agent_user, agent_pass)
    if int(level) > call.level:
        reason = "add_user USER DOES NOT HAVE PERMISSION TO ADD USERS IN THIS USER LEVEL"
        return _line("ERROR", reason, user, str(call.level))
    if group not in state.user_groups:
        return _line("ERROR", "add_user USER GROUP DOES NOT EXIST", user, group)
    if agent_user in state.users:
        return _line("ERROR", "add_user USER ALREADY EXISTS", user, agent_user)
    for key, label, valid in _ADD_USER_OPTIONAL:
        if call.get(key) is not None and not valid(call.get(key)):
            return _line("ERROR", _optional("add_user", label), user)
    state.users[agent_user] = User(
        agent_user,
        agent_pass,
        name,
        int(level),
        group,
        **{key: call.text(key) for key, _, _ in _ADD_USER_OPTIONAL},
    )
    reason = "add_user USER HAS BEEN ADDED"
    return _line("SUCCESS", reason, user, agent_user, agent_pass, level, name, group)


def _update_user(call: Call) -> web.Response:
    state, user = call.state, call.user
    if not call.may_modify():
        return _line(
            "ERROR", "update_user USER DOES NOT HAVE PERMISSION TO UPDATE USERS", user, "0"
        )
    agent_user = call.text("agent_user")
    if not _sized(agent_user, 2, 20):
        return _line("ERROR", "update_user YOU MUST USE ALL REQUIRED FIELDS", user, agent_user, "")
    target = state.users.get(agent_user)
    if target is None:
        return _line("ERROR", "update_user USER DOES NOT EXIST", user, agent_user)
    if target.user_level > call.level:
        reason = "update_user USER DOES NOT HAVE PERMISSION TO UPDATE THIS USER"
        return _line("ERROR", reason, user, agent_user)
    if call.get("delete_user") == "Y":
        del state.users[agent_user]
        return _line("SUCCESS", "update_user USER HAS BEEN DELETED", user, agent_user)
    changes = _user_changes(call)
    if isinstance(changes, web.Response):
        return changes
    if not changes:
        return _line("ERROR", "update_user NO UPDATES DEFINED", user, "0")
    for attribute, value in changes.items():
        setattr(target, attribute, value)
    return _line("SUCCESS", "update_user USER HAS BEEN UPDATED", user, agent_user)


def _user_changes(call: Call) -> dict[str, Any] | web.Response:
    """The User attributes update_user sets, or the error for the first invalid field."""
    state, user, get = call.state, call.user, call.get
    changes: dict[str, Any] = {}

    def refuse(label: str, *data: str) -> web.Response:
        return _line("ERROR", _optional("update_user", label), user, *data)

    if (value := get("agent_pass")) is not None:
        if not _sized(value, 1, 20):
            return refuse("PASSWORD")
        changes["password"] = value
    if (value := get("agent_full_name")) is not None:
        if not _sized(value, 1, 50):
            return refuse("FULL NAME", value)
        changes["full_name"] = value
    if (value := get("agent_user_level")) is not None:
        if not _one_digit(value) or int(value) > call.level:
            return refuse("USER LEVEL", value, str(call.level), "1")
        changes["user_level"] = int(value)
    if (value := get("agent_user_group")) is not None:
        known = value in state.user_groups
        if not (known and _sized(value, 1, 20)):
            return refuse("USER GROUP", value, str(int(known)))
        changes["user_group"] = value
    if (value := get("phone_login")) is not None:
        known = value in state.phones
        if not (known and _sized(value, 1, 20)):
            return refuse("PHONE LOGIN", value, str(int(known)), "0")
        changes["phone_login"] = value
    if (value := get("phone_pass")) is not None:
        if not _sized(value, 1, 20):
            return refuse("PHONE PASSWORD", "0")
        changes["phone_pass"] = value
    if (value := get("voicemail_id")) is not None:
        if not _digits(value, 1, 10):
            return refuse("VOICEMAIL ID")
        changes["voicemail_id"] = value
    if (value := get("email")) is not None:
        if not _sized(value, 1, 100):
            return refuse("EMAIL")
        changes["email"] = value
    if (value := get("active")) is not None:
        if value not in ("Y", "N"):
            return _line(
                "ERROR", "update_user ACTIVE MUST BE Y OR N, THIS IS AN OPTIONAL FIELD", user
            )
        changes["active"] = value
    return changes


# Lists


def _list_row(list_id: str, name: str, campaign: str, active: str) -> dict[str, str]:
    return {"list_id": list_id, "list_name": name, "campaign_id": campaign, "active": active}


def _list_refusal(call: Call, list_id: str, name: str, campaign: str) -> str | None:
    """Why add_list is refused: permission, required, campaign, duplicate, active; or None."""
    name_min = 6 if call.state.flavour == "elision" else 2
    if not call.may_modify():
        return "permission"
    if not (_digits(list_id, 2, 14) and _sized(name, name_min, 30) and _sized(campaign, 2, 8)):
        return "required"
    if campaign not in call.state.campaigns:
        return "campaign"
    if list_id in call.state.lists:
        return "duplicate"
    if call.get("active") not in (None, "", "Y", "N"):
        return "active"
    return None


def _add_list(call: Call) -> web.Response:
    list_id, name, campaign = (call.text(k) for k in ("list_id", "list_name", "campaign_id"))
    refusal = _list_refusal(call, list_id, name, campaign)
    if refusal is None:
        call.state.lists[list_id] = _list_row(list_id, name, campaign, call.get("active") or "N")
    if call.state.flavour == "vicidial":
        return _vicidial_list_answer(call, refusal, list_id, name, campaign)
    data = {"list_id": list_id, "list_name": name, "campaign_id": campaign}
    match refusal:
        case "permission":
            message = f"{call.user} User does not have permission to add list in the system"
            return _envelope(False, message, {"user": call.user, "password": call.text("pass")})
        case "required":
            return _envelope(False, "Please send list id , campaign id and list name", data)
        case "campaign":
            return _envelope(False, f"{campaign} campaign does not exist", data)
        case "duplicate":
            return _envelope(False, f"{list_id} list already exist", data)
        case "active":
            return _envelope(False, "active must be Y or N", data)
    return _envelope(True, f"{list_id} list created", data)


def _vicidial_list_answer(
    call: Call, refusal: str | None, list_id: str, name: str, campaign: str
) -> web.Response:
    user = call.user
    match refusal:
        case "permission":
            return _line("ERROR", "add_list USER DOES NOT HAVE PERMISSION TO ADD LISTS", user, "0")
        case "required":
            reason = "add_list YOU MUST USE ALL REQUIRED FIELDS"
            return _line("ERROR", reason, user, list_id, name, campaign)
        case "campaign":
            return _line("ERROR", "add_list CAMPAIGN DOES NOT EXIST", user, campaign)
        case "duplicate":
            return _line("ERROR", "add_list LIST ALREADY EXISTS", user, list_id)
        case "active":
            reason = "add_list ACTIVE MUST BE Y OR N, THIS IS AN OPTIONAL FIELD"
            return _line("ERROR", reason, user, call.text("active"))
    return _line("SUCCESS", "add_list LIST HAS BEEN ADDED", user, list_id, campaign)


def _active_lists(call: Call) -> web.Response:
    if call.api is None:
        message = f"{call.user} User does not have permission to view lists in the system"
        return _envelope(False, message, {"user": call.user, "password": call.text("pass")})
    entries = [
        f"{row['campaign_id']}-{row['list_id']}-{row['list_name']}"
        for row in call.state.lists.values()
        if row["active"] == "Y"
    ]
    return _envelope(True, "lists are listed successfully", entries)


# Leads


def _scalar(value: Any) -> str:
    """A JSON value as PHP would print it into a query (numbers and text alike)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return value if isinstance(value, str) else json.dumps(value)


def _add_multi_lead(call: Call) -> web.Response:
    if not call.may_modify():
        reason = "add_multi_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM"
        return _php_json(["ERROR", reason, call.user, "0"])
    try:
        rows = json.loads(call.text("multi_leads"))
    except ValueError:
        rows = None
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return _php_json(
            ["ERROR", "add_multi_lead YOU MUST USE ALL REQUIRED FIELDS", call.user, ""]
        )
    return _php_json({f"lead {n}": _multi_lead(call.state, row) for n, row in enumerate(rows, 1)})


def _multi_lead(state: ElisionState, row: dict[str, Any]) -> dict[str, Any]:
    phone, list_id = _scalar(row.get("phone_number")), _scalar(row.get("list_id"))
    phone_code = _scalar(row.get("phone_code")) or "1"
    if not _digits(phone, 6, 16) or not _digits(phone_code, 1, 4):
        return {"success": False, "message": "Invalid phone number", "data": phone}
    if list_id not in state.lists:
        return {"success": False, "message": "Invalid list id", "data": list_id}
    fields = {key: _scalar(value) for key, value in row.items()}
    lead_id = state.add_lead(phone, list_id, {**fields, "phone_code": phone_code})
    return {
        "success": True,
        "message": "Record(s) Created",
        "data": f"{phone}|{list_id}|{lead_id}||NEW|",
    }


# Parameters of add_lead that steer the call rather than describe the lead.
_ADD_LEAD_SETTINGS = frozenset(
    {
        "source",
        "user",
        "pass",
        "function",
        "list_exists_check",
        "custom_fields",
        "phone_number",
        "list_id",
    }
)


def _add_lead(call: Call) -> web.Response:
    user, state = call.user, call.state
    if not call.may_modify():
        reason = "add_lead USER DOES NOT HAVE PERMISSION TO ADD LEADS TO THE SYSTEM"
        return _line("ERROR", reason, user, "0")
    phone = call.text("phone_number")
    if not _digits(phone, 6, 16):
        return _line("ERROR", "add_lead INVALID PHONE NUMBER LENGTH", phone, user)
    list_id = re.sub(r"[^0-9]", "", call.text("list_id")) or "999"
    if call.get("list_exists_check") == "Y" and list_id not in state.lists:
        reason = "add_lead NOT A DEFINED LIST ID, LIST EXISTS CHECK ENABLED"
        return _line("ERROR", reason, phone, list_id)
    fields = {k: v for k, v in call.query.items() if k not in _ADD_LEAD_SETTINGS}
    lead_id = state.add_lead(phone, list_id, {"phone_code": "1", **fields})
    return _line("SUCCESS", "add_lead LEAD HAS BEEN ADDED", phone, list_id, lead_id, "0", user)


Action = Callable[[Call], web.Response]
ACTIONS: dict[str, dict[str, Action]] = {
    "elision": {
        "add_user": _add_user,
        "update_user": _update_user,
        "add_list": _add_list,
        "active_lists": _active_lists,
        "add_multi_lead": _add_multi_lead,
    },
    "vicidial": {
        "add_user": _add_user,
        "update_user": _update_user,
        "add_list": _add_list,
        "add_lead": _add_lead,
    },
}
