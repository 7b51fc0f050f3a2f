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
VICIdial's order: (vicidial: every field filtered as VICIdial filters it
(`simulators.elision.sanitising`); ``version`` needs no login; a wrong user or pass is
``ERROR: Login incorrect, please try again: |user|pass|BAD|`` with the filtered values;
ten of them lock the user: ``ERROR: Too many login attempts, try again in 15 minutes:
|user|LOCK|``, the right password too, until 15 minutes after its last good login),
unknown function ``ERROR: NO FUNCTION SPECIFIED``, source not 2-20 characters ``ERROR:
Invalid Source - <source>``, then the function's own checks. In the elision flavour a
wrong user or pass gets the function's permission error, as an API user without rights
does (spec 004).

VICIdial's add_lead honours ``duplicate_check`` (``DUPLIST``, ``DUPCAMP``, ``DUPSYS``:
``ERROR: add_lead DUPLICATE PHONE NUMBER IN LIST - phone|list|lead_id``, ``… IN CAMPAIGN
LISTS`` / ``… IN SYSTEM`` with the other lead's list too), stores only the standard lead
fields, and custom fields only with ``custom_fields=Y`` and only the labels defined on
the list (``list_fields``), saying so in a ``NOTICE`` line as VICIdial does. Its add_user
needs a password of 2 characters or more and refuses a request without all required
fields in VICIdial's own form (``…: |api|user|pass|level|name|group``).

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

import time
from collections.abc import Callable, Iterable, Mapping

from aiohttp import web

from simulators.control import SimulatorControl
from simulators.elision.answers import answer, line
from simulators.elision.leads import add_lead, add_multi_lead
from simulators.elision.lists import active_lists, add_list, list_row
from simulators.elision.requests import Call, authorise, login, sized
from simulators.elision.sanitising import sanitised
from simulators.elision.state import (
    BUILD,
    CONTROL,
    DEFAULT_API_USERS,
    DEFAULT_CAMPAIGNS,
    DEFAULT_PHONES,
    DEFAULT_USER_GROUPS,
    ELISION_PATH,
    STATE,
    VERSION,
    VICIDIAL_PATH,
    ElisionState,
    User,
)
from simulators.elision.users import add_user, update_user


def create_elision_simulator(
    *,
    api_users: Mapping[str, tuple[str, int]] = DEFAULT_API_USERS,
    flavour: str = "elision",
    path: str | None = None,
    user_groups: Iterable[str] = DEFAULT_USER_GROUPS,
    campaigns: Iterable[str] = DEFAULT_CAMPAIGNS,
    phones: Iterable[str] = DEFAULT_PHONES,
    lists: Iterable[tuple[str, str, str]] = (),
    list_fields: Mapping[str, Iterable[str]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> web.Application:
    """The API for ``api_users`` (username → (password, user level)).

    ``lists`` seeds active lists as (list_id, list_name, campaign_id); their campaigns
    exist too. ``list_fields`` gives lists their custom field labels (list_id →
    labels). ``phones`` are the phone logins update_user accepts. ``clock`` (seconds)
    times the login lockout; the API users logged in last at its time of creation.
    """
    if flavour not in ACTIONS:
        raise ValueError(f"flavour must be one of {', '.join(ACTIONS)}")
    started = clock()
    users = {
        name: User(name, password, name, level, "ADMIN", last_login_at=started)
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
        list_fields={key: tuple(labels) for key, labels in (list_fields or {}).items()},
        clock=clock,
    )
    for list_id, name, campaign in seeded:
        state.lists[list_id] = list_row(list_id, name, campaign, "Y")
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


async def _handle(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.flavour == "vicidial":
        query = sanitised(request.query)
        if query.get("function") == "version":
            return _version()
        api, verdict = authorise(state, query)
        user, password = query.get("user", ""), query.get("pass", "")
        if verdict == "LOCK":
            return answer(
                f"ERROR: Too many login attempts, try again in 15 minutes: |{user}|LOCK|\n"
            )
        if api is None:
            return answer(f"ERROR: Login incorrect, please try again: |{user}|{password}|BAD|\n")
    else:
        query = dict(request.query)
        api = login(state, query)
    function = query.get("function", "")
    action = ACTIONS[state.flavour].get(function)
    if action is None:
        return line("ERROR", "NO FUNCTION SPECIFIED")
    source = query.get("source", "")
    if not sized(source, 2, 20):
        return line("ERROR", "Invalid Source", source)
    return action(Call(query, query.get("user", ""), api, state))


def _version() -> web.Response:
    now = time.time()
    date = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now))
    return answer(
        f"VERSION: {VERSION}|BUILD: {BUILD}|DATE: {date}|EPOCH: {int(now)}|DST: 0|TZ: 0|TZNOW: 0|\n"
    )


Action = Callable[[Call], web.Response]
ACTIONS: dict[str, dict[str, Action]] = {
    "elision": {
        "add_user": add_user,
        "update_user": update_user,
        "add_list": add_list,
        "active_lists": active_lists,
        "add_multi_lead": add_multi_lead,
    },
    "vicidial": {
        "add_user": add_user,
        "update_user": update_user,
        "add_list": add_list,
        "add_lead": add_lead,
    },
}
