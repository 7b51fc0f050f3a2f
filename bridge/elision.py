"""The Elision dialer's VICIdial-style non-agent API (spec 004) behind `DialerAdapter`.

Every call is one ``GET <path>?source&user&pass&function&…`` (the query encoded by the
transport, never by hand). Two flavours:

- ``elision`` (``/dialer/elision_api.php``): add_user, update_user, add_list,
  active_lists, add_multi_lead;
- ``vicidial`` (stock ``/vicidial/non_agent_api.php``): add_user, update_user, add_list,
  add_lead, version. Stock VICIdial has no active_lists or add_multi_lead: asking for
  them raises `NotSupported`, as does asking Elision for add_lead or version.

Answers are read in every style the spec shows, whatever the function: text lines
``SUCCESS: <function> <TEXT> - a|b|c`` / ``ERROR: …`` (VICIdial's ``ERROR: … : |a|b|``
form too), the envelope ``{"success", "message", "data"}``, the array ``["ERROR",
reason, user, data]`` and add_multi_lead's ``{"lead 1": {…}}``. A refusal that speaks of
permission or a failed login is `DialerUnauthorized`, any other ``ERROR`` is
`DialerRejected`; HTML, broken JSON, an empty body or an unexpected shape is
`DialerBadResponse`. The dialer echoes secrets (add_list's refusal echoes the API
password, add_user's success the agent's password, VICIdial's failed login the API
password): every text kept or returned is redacted first.

Fields are checked before anything is sent, lengths in UTF-8 bytes as the dialer's PHP
``strlen`` counts them, and refused with the dialer's own words where the spec gives
them. Only calls that cannot add data twice (active_lists, version) are retried, and
only while the dialer is unavailable.

Readings: delete_user is update_user with ``delete_user=Y`` (VICIdial's way; audited as
``delete_user``). add_user has no ``active`` field, so an inactive user is added and
then deactivated with update_user. add_lead is sent with ``list_exists_check=Y`` so a
lead never lands in a list the dialer does not have. A lead's E.164 number is split into
``phone_code`` and the national ``phone_number``; ``Lead.language`` and
``Lead.priority`` have no field in this API and are not sent; ``Lead.custom`` keys are
sent as custom fields. add_multi_lead travels in the query string, so `add_leads` sends
as many leads per call as fit in ``max_query_bytes`` (HTTP servers refuse longer
request lines, typically past 8 KiB).
"""

import asyncio
import contextlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn
from urllib.parse import quote_plus, urlencode

import phonenumbers

from bridge.errors import (
    DialerBadResponse,
    DialerError,
    DialerRejected,
    DialerUnauthorized,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.interface import DialerAdapter, DialerList, DialerUser, Lead, LeadOutcome
from bridge.transport import REDACTED, DialerTransport

EXCERPT = 1000  # characters of an answer kept in an error
UNAUTHORIZED_MARKS = (
    "DOES NOT HAVE PERMISSION",
    "LOGIN INCORRECT",
    "TOO MANY LOGIN ATTEMPTS",
    "IP ADDRESS IS NOT ALLOWED",
)
REQUIRED = "YOU MUST USE ALL REQUIRED FIELDS"


@dataclass(frozen=True, slots=True)
class Flavour:
    name: str
    path: str
    functions: frozenset[str]
    list_name_min: int
    list_fields_wording: str  # the dialer's words for a bad add_list request


ELISION = Flavour(
    "elision",
    "/dialer/elision_api.php",
    frozenset({"add_user", "update_user", "add_list", "active_lists", "add_multi_lead"}),
    6,
    "Please send list id , campaign id and list name",
)
VICIDIAL = Flavour(
    "vicidial",
    "/vicidial/non_agent_api.php",
    frozenset({"add_user", "update_user", "add_list", "add_lead", "version"}),
    2,
    f"add_list {REQUIRED}",
)
FLAVOURS = {flavour.name: flavour for flavour in (ELISION, VICIDIAL)}


@dataclass(frozen=True, slots=True)
class Agent:
    """The fields of add_user and update_user, named as the API names them.

    ``None`` is "not sent". add_user needs the first five; ``active`` is update_user's.
    """

    agent_user: str
    agent_pass: str | None = field(default=None, repr=False)
    agent_user_level: int | None = None
    agent_full_name: str | None = None
    agent_user_group: str | None = None
    phone_login: str | None = None
    phone_pass: str | None = field(default=None, repr=False)
    voicemail_id: str | None = None
    email: str | None = None
    active: bool | None = None

    @classmethod
    def from_user(cls, user: DialerUser) -> "Agent":
        return cls(
            agent_user=user.username,
            agent_pass=user.password,
            agent_user_level=user.user_level,
            agent_full_name=user.full_name,
            agent_user_group=user.user_group,
            phone_login=user.extension,
            phone_pass=user.phone_pass,
            email=user.email or None,
            active=user.active,
        )

    def params(self) -> dict[str, str]:
        values = {
            "agent_user": self.agent_user,
            "agent_pass": self.agent_pass,
            "agent_user_level": None
            if self.agent_user_level is None
            else str(self.agent_user_level),
            "agent_full_name": self.agent_full_name,
            "agent_user_group": self.agent_user_group,
            "phone_login": self.phone_login,
            "phone_pass": self.phone_pass,
            "voicemail_id": self.voicemail_id,
            "email": self.email,
            "active": None if self.active is None else _yes_no(self.active),
        }
        return {key: value for key, value in values.items() if value is not None}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.agent_pass, self.phone_pass) if s)


@dataclass(frozen=True, slots=True)
class LeadAnswer:
    """The dialer's word on one lead of add_multi_lead (``data`` as it wrote it)."""

    ok: bool
    message: str
    data: str


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer read: success or not, its reason, its data, and its (redacted) text."""

    ok: bool
    reason: str
    data: Any
    text: str


# Checks made before anything is sent


def _size(text: str) -> int:
    """Length as the dialer's PHP ``strlen`` counts it: UTF-8 bytes."""
    return len(text.encode())


def _sized(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and low <= _size(value) <= high


def _digits(low: int, high: int) -> Callable[[Any], bool]:
    return lambda value: (
        isinstance(value, str) and value.isascii() and value.isdigit() and low <= len(value) <= high
    )


def _is_level(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9


@dataclass(frozen=True, slots=True)
class Rule:
    check: Callable[[Any], bool]
    detail: str
    label: str = ""  # update_user's name for the field in "YOU MUST USE A VALID …"


AGENT_RULES = {
    "agent_user": Rule(_sized(2, 20), "agent_user must be 2-20 characters"),
    "agent_pass": Rule(_sized(1, 20), "agent_pass must be 1-20 characters"),
    "agent_user_level": Rule(_is_level, "agent_user_level must be one digit, 1 to 9", "USER LEVEL"),
    "agent_full_name": Rule(_sized(1, 50), "agent_full_name must be 1-50 characters", "FULL NAME"),
    "agent_user_group": Rule(
        _sized(1, 20), "agent_user_group must be 1-20 characters", "USER GROUP"
    ),
    "phone_login": Rule(_sized(1, 20), "phone_login must be 1-20 characters", "PHONE LOGIN"),
    "phone_pass": Rule(_sized(1, 20), "phone_pass must be 1-20 characters", "PHONE PASSWORD"),
    "voicemail_id": Rule(_digits(1, 10), "voicemail_id must be 1-10 digits", "VOICEMAIL ID"),
    "email": Rule(_sized(1, 100), "email must be 1-100 characters", "EMAIL"),
}
ADD_USER_REQUIRED = (
    "agent_user",
    "agent_pass",
    "agent_user_level",
    "agent_full_name",
    "agent_user_group",
)
LIST_ID = _digits(2, 14)
CAMPAIGN_ID = _sized(2, 8)
SOURCE = _sized(2, 20)
CUSTOM_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")

# Lead fields of add_multi_lead and add_lead, and the Lead attribute each comes from.
LEAD_FIELDS = (
    ("title", "title"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("address1", "address"),
    ("city", "city"),
    ("postal_code", "postal_code"),
    ("email", "email"),
    ("comments", "notes"),
    ("vendor_lead_code", "vendor_lead_code"),
)
RESERVED_LEAD_KEYS = frozenset(
    {"source", "user", "pass", "function", "phone_number", "phone_code", "list_id"}
    | {"list_exists_check", "custom_fields", "multi_leads"}
    | {key for key, _ in LEAD_FIELDS}
)


def _split_phone(digits: str) -> tuple[str, str] | None:
    """E.164 digits → (phone_code, national phone_number), or None if not a number."""
    try:
        parsed = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return str(parsed.country_code), phonenumbers.national_significant_number(parsed)


def _lead_row(lead: Lead, list_id: str) -> dict[str, str] | None:
    """The lead as add_multi_lead / add_lead fields; None if its phone cannot be split."""
    phone = _split_phone(lead.phone)
    if phone is None:
        return None
    row = {"phone_code": phone[0], "phone_number": phone[1], "list_id": list_id}
    row.update({key: getattr(lead, name) for key, name in LEAD_FIELDS if getattr(lead, name)})
    row.update(lead.custom)
    return row


# Reading answers

_LINE = re.compile(r"(SUCCESS|ERROR): ?(.*)")
_VERSION = re.compile(r"VERSION: ([^|\r\n]+)")
_PER_LEAD = re.compile(r"lead \d+")


def _split_line(rest: str) -> tuple[str, str, str]:
    """``head - a|b`` or VICIdial's ``head: |a|b`` → (head, separator, data)."""
    found = [(rest.find(sep), sep) for sep in (" - ", ": |") if sep in rest]
    if not found:
        return rest, "", ""
    at, sep = min(found)
    return rest[:at], sep, rest[at + len(sep) :]


def _without_function(function: str, head: str) -> str:
    return head[len(function) + 1 :] if head.startswith(function + " ") else head


class ElisionAdapter(DialerAdapter):
    name = "elision"

    def __init__(
        self,
        transport: DialerTransport,
        *,
        api_user: str,
        api_pass: str,
        source: str = "crmbridge",
        flavour: str = "elision",
        path: str | None = None,
        retry_delays: Sequence[float] = (0.2, 0.5),
        max_query_bytes: int = 7000,
    ) -> None:
        self.transport = transport
        self.name = transport.dialer
        if flavour not in FLAVOURS:
            raise InvalidRequest(
                f"flavour must be one of {', '.join(FLAVOURS)}, not {flavour!r}", dialer=self.name
            )
        if not SOURCE(source):
            raise InvalidRequest("source must be 2-20 characters", dialer=self.name)
        if not api_user or not api_pass:
            raise InvalidRequest("api_user and api_pass are required", dialer=self.name)
        self.flavour = FLAVOURS[flavour]
        self.path = path or self.flavour.path
        self.api_user = api_user
        self._api_pass = api_pass
        self.source = source
        self.retry_delays = tuple(retry_delays)
        self.max_query_bytes = max_query_bytes

    # Users

    async def add_user(self, agent: Agent) -> str:
        """``add_user``; return the dialer's success line (passwords redacted)."""
        with self.transport.operation("add_user"):
            self._offers("add_user")
            for name in ADD_USER_REQUIRED:
                rule = AGENT_RULES[name]
                if not rule.check(getattr(agent, name)):
                    self._invalid(f"add_user {REQUIRED} ({rule.detail})")
            if agent.active is not None:
                self._invalid("add_user has no 'active' field: set it with update_user")
            self._check_optional(agent, ADD_USER_REQUIRED, wording=None)
            answer = await self._ok("add_user", agent.params(), secrets=agent.secrets())
            return answer.text

    async def create_user(self, user: DialerUser) -> str:
        """add_user, then update_user ``active=N`` if ``user`` is inactive."""
        agent = Agent.from_user(user)
        added = await self.add_user(replace(agent, active=None))
        if not user.active:
            await self.update_user(Agent(agent.agent_user, active=False))
        return added

    async def update_user(self, user: DialerUser | Agent) -> str:
        """``update_user`` with the fields given (a `DialerUser` sends all it has)."""
        agent = Agent.from_user(user) if isinstance(user, DialerUser) else user
        with self.transport.operation("update_user"):
            self._offers("update_user")
            if not AGENT_RULES["agent_user"].check(agent.agent_user):
                self._invalid(f"update_user {REQUIRED} ({AGENT_RULES['agent_user'].detail})")
            self._check_optional(agent, ("agent_user",), wording="update_user")
            answer = await self._ok("update_user", agent.params(), secrets=agent.secrets())
            return answer.text

    async def delete_user(self, username: str) -> str:
        """``update_user`` with ``delete_user=Y``: VICIdial's way to delete a user."""
        with self.transport.operation("delete_user"):
            self._offers("update_user")
            if not AGENT_RULES["agent_user"].check(username):
                self._invalid(f"update_user {REQUIRED} ({AGENT_RULES['agent_user'].detail})")
            params = {"agent_user": username, "delete_user": "Y"}
            return (await self._ok("update_user", params)).text

    # Lists

    async def add_list(
        self, list_id: str, list_name: str, campaign_id: str, *, active: bool | None = None
    ) -> str:
        """``add_list``; return the dialer's message (the list is inactive unless ``active``)."""
        with self.transport.operation("add_list"):
            self._offers("add_list")
            wording = self.flavour.list_fields_wording
            name_min = self.flavour.list_name_min
            if not LIST_ID(list_id):
                self._invalid(f"{wording} (list_id must be 2-14 digits)")
            if not _sized(name_min, 30)(list_name):
                self._invalid(f"{wording} (list_name must be {name_min}-30 characters)")
            if not CAMPAIGN_ID(campaign_id):
                self._invalid(f"{wording} (campaign_id must be 2-8 characters)")
            params = {"list_id": list_id, "list_name": list_name, "campaign_id": campaign_id}
            if active is not None:
                params["active"] = _yes_no(active)
            answer = await self._ok("add_list", params)
            return answer.reason if answer.text.startswith("{") else answer.text

    async def create_list(self, dialer_list: DialerList) -> DialerList:
        """``add_list``; the list keeps the id the CRM chose."""
        await self.add_list(
            dialer_list.list_id,
            dialer_list.name,
            dialer_list.campaign,
            active=dialer_list.active,
        )
        return dialer_list

    async def active_lists(self) -> list[DialerList]:
        """``active_lists``: entries "CAMPAIGN-LISTID-List name" (names may hold '-')."""
        with self.transport.operation("active_lists"):
            self._offers("active_lists")
            answer = await self._ok("active_lists", {}, retry=True)
            if not isinstance(answer.data, list):
                raise self._bad("active_lists", "data that is not a list", answer.text)
            return [self._list_entry(entry, answer.text) for entry in answer.data]

    def _list_entry(self, entry: Any, text: str) -> DialerList:
        found = (
            re.fullmatch(r"(.+?)-(\d+)-(.*)", entry, re.DOTALL) if isinstance(entry, str) else None
        )
        if found is None:
            raise self._bad("active_lists", "an entry that is not CAMPAIGN-LISTID-NAME", text)
        campaign, list_id, name = found.groups()
        return DialerList(list_id=list_id, name=name, campaign=campaign, active=True)

    # Leads

    async def add_multi_lead(self, rows: Sequence[Mapping[str, Any]]) -> list[LeadAnswer]:
        """``add_multi_lead`` with ``rows`` as given (the spec's field names); one answer
        per row, in order. Each row needs ``phone_number`` and ``list_id``."""
        with self.transport.operation("add_multi_lead"):
            self._offers("add_multi_lead")
            if not rows:
                self._invalid(f"add_multi_lead {REQUIRED} (no leads)")
            for number, row in enumerate(rows, 1):
                missing = [k for k in ("phone_number", "list_id") if row.get(k) in (None, "")]
                if missing:
                    self._invalid(f"add_multi_lead {REQUIRED} (lead {number} has no {missing[0]})")
            params = {
                "multi_leads": json.dumps(list(rows), separators=(",", ":"), ensure_ascii=False)
            }
            if self._query_size("add_multi_lead", params) > self.max_query_bytes:
                self._invalid(
                    f"{len(rows)} leads do not fit in one request of {self.max_query_bytes} "
                    "bytes: send fewer, or use add_leads, which splits them"
                )
            body = await self._get("add_multi_lead", params)
            return self._lead_answers(body, len(rows))

    async def add_lead(self, row: Mapping[str, str]) -> str:
        """``add_lead`` (VICIdial): one lead; ``phone_number`` is required."""
        with self.transport.operation("add_lead"):
            self._offers("add_lead")
            if not row.get("phone_number"):
                self._invalid(f"add_lead {REQUIRED} (phone_number)")
            params = {**row, "list_exists_check": "Y"}
            if set(row) - RESERVED_LEAD_KEYS:
                params["custom_fields"] = "Y"
            return (await self._ok("add_lead", params)).text

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Every lead into ``dialer_list.list_id``; one outcome per lead, in order.

        A lead whose number cannot be split into country code and national number is
        reported and not sent. If a call fails before any lead was added, its error is
        raised; after that, the leads not yet reported fail with its message.
        """
        if not LIST_ID(dialer_list.list_id):
            raise InvalidRequest(f"{REQUIRED} (list_id must be 2-14 digits)", dialer=self.name)
        self._check_custom(leads)
        self._offers("add_multi_lead" if self.flavour is ELISION else "add_lead")
        outcomes: list[LeadOutcome | None] = [None] * len(leads)
        pending: list[tuple[int, dict[str, str]]] = []
        for index, lead in enumerate(leads):
            row = _lead_row(lead, dialer_list.list_id)
            if row is None:
                outcomes[index] = LeadOutcome(lead.phone, False, "not a dialable phone number")
            else:
                pending.append((index, row))
        send = self._send_multi if self.flavour is ELISION else self._send_one_by_one
        try:
            await send(leads, pending, outcomes)
        except DialerError as error:
            if not any(outcome and outcome.ok for outcome in outcomes):
                raise
            for index, lead in enumerate(leads):
                if outcomes[index] is None:
                    outcomes[index] = LeadOutcome(lead.phone, False, f"not sent: {error.message}")
        return [outcome for outcome in outcomes if outcome is not None]

    async def _send_multi(
        self,
        leads: list[Lead],
        pending: list[tuple[int, dict[str, str]]],
        outcomes: list[LeadOutcome | None],
    ) -> None:
        for batch in self._batches(pending, outcomes, leads):
            answers = await self.add_multi_lead([row for _, row in batch])
            for (index, _), answer in zip(batch, answers, strict=True):
                message = f"{answer.message} - {answer.data}" if answer.data else answer.message
                outcomes[index] = LeadOutcome(leads[index].phone, answer.ok, message)

    async def _send_one_by_one(
        self,
        leads: list[Lead],
        pending: list[tuple[int, dict[str, str]]],
        outcomes: list[LeadOutcome | None],
    ) -> None:
        for index, row in pending:
            try:
                text = await self.add_lead(row)
            except DialerRejected as error:  # this lead only; anything else ends the run
                outcomes[index] = LeadOutcome(leads[index].phone, False, error.dialer_text or "")
            else:
                outcomes[index] = LeadOutcome(leads[index].phone, True, text)

    def _batches(
        self,
        pending: list[tuple[int, dict[str, str]]],
        outcomes: list[LeadOutcome | None],
        leads: list[Lead],
    ) -> Iterable[list[tuple[int, dict[str, str]]]]:
        """``pending`` cut into runs whose add_multi_lead query fits ``max_query_bytes``."""
        budget = self.max_query_bytes - self._query_size("add_multi_lead", {"multi_leads": "[]"})
        batch: list[tuple[int, dict[str, str]]] = []
        used = 0
        for index, row in pending:
            size = len(quote_plus(json.dumps(row, separators=(",", ":"), ensure_ascii=False)))
            size += len(quote_plus(","))
            if size > budget:
                outcomes[index] = LeadOutcome(
                    leads[index].phone, False, "too large for one request to this dialer"
                )
                continue
            if used + size > budget:
                yield batch
                batch, used = [], 0
            batch.append((index, row))
            used += size
        if batch:
            yield batch

    def _check_custom(self, leads: list[Lead]) -> None:
        for lead in leads:
            for key in lead.custom:
                if key in RESERVED_LEAD_KEYS or not CUSTOM_KEY.match(key):
                    raise InvalidRequest(
                        f"custom field {key!r} cannot be sent: use a name of letters, digits "
                        "and '_' that is not one of the API's own fields",
                        dialer=self.name,
                    )

    # Health

    async def version(self) -> str:
        """``version`` (VICIdial): the version string, e.g. "2.14-917"."""
        with self.transport.operation("version"):
            self._offers("version")
            body = await self._get("version", {}, retry=True)
            found = _VERSION.match(body)
            if found is None:
                self._ok_answer("version", self._read(body, "version"))
                raise self._bad("version", "no VERSION line", body)
            return found[1].strip()

    # Sending and reading

    def _offers(self, function: str) -> None:
        if function not in self.flavour.functions:
            raise NotSupported(f"{function} ({self.flavour.name} API)", dialer=self.name)

    def _invalid(self, message: str) -> NoReturn:
        raise InvalidRequest(message, dialer=self.name)

    def _check_optional(self, agent: Agent, skip: Iterable[str], *, wording: str | None) -> None:
        for name, rule in AGENT_RULES.items():
            value = getattr(agent, name)
            if name in skip or value is None or rule.check(value):
                continue
            if wording and rule.label:
                self._invalid(
                    f"{wording} YOU MUST USE A VALID {rule.label}, THIS IS AN OPTIONAL FIELD "
                    f"({rule.detail})"
                )
            self._invalid(rule.detail)

    def _redact(self, text: str) -> str:
        return self.transport.redact(text).replace(self._api_pass, REDACTED)

    def _query_size(self, function: str, params: Mapping[str, str]) -> int:
        """The query's length, encoded at least as long as the transport encodes it."""
        return len(urlencode({**self._auth(function), **params}, quote_via=quote_plus))

    def _auth(self, function: str) -> dict[str, str]:
        return {
            "source": self.source,
            "user": self.api_user,
            "pass": self._api_pass,
            "function": function,
        }

    async def _get(self, function: str, params: Mapping[str, str], *, retry: bool = False) -> str:
        """Send ``function``; return the answer's text. Retried only when ``retry``."""
        auth = self._auth(function)
        if set(params) & set(auth):
            self._invalid(f"{', '.join(sorted(set(params) & set(auth)))} cannot be a field")
        query = {**auth, **params}
        for delay in self.retry_delays if retry else ():
            try:
                return await self._get_once(function, query)
            except DialerUnavailable:
                await asyncio.sleep(delay)
        return await self._get_once(function, query)

    async def _get_once(self, function: str, query: Mapping[str, str]) -> str:
        response = await self.transport.request("GET", self.path, params=query)
        body = response.text().lstrip("\ufeff").strip()
        if response.status in (401, 403):
            raise DialerUnauthorized(
                f"{self.name} refused {function} with HTTP {response.status}: "
                "check the base URL and any access rules in front of the API",
                dialer=self.name,
                dialer_text=self._redact(body[:EXCERPT]),
            )
        if response.status != 200:
            raise self._bad(function, f"HTTP {response.status}: check the base URL and path", body)
        if not body:
            raise self._bad(function, "an empty body", body)
        return body

    async def _ok(
        self,
        function: str,
        params: Mapping[str, str],
        *,
        secrets: Sequence[str] = (),
        retry: bool = False,
    ) -> Answer:
        body = await self._get(function, params, retry=retry)
        return self._ok_answer(function, self._read(body, function, secrets))

    def _read(self, body: str, function: str, secrets: Sequence[str] = ()) -> Answer:
        if body.startswith(("{", "[")):
            try:
                value = json.loads(body)
            except ValueError:
                raise self._bad(function, "invalid or truncated JSON", body) from None
            return self._json_answer(function, value, body)
        if body.startswith("<"):
            raise self._bad(function, "HTML, not an API answer: check the base URL and path", body)
        return self._line_answer(function, body, secrets)

    def _line_answer(self, function: str, body: str, secrets: Sequence[str]) -> Answer:
        lines = (_LINE.fullmatch(line.strip()) for line in body.splitlines())
        found = next((line for line in lines if line), None)
        if found is None:
            raise self._bad(function, "text without a SUCCESS or ERROR line", body)
        result, rest = found.groups()
        head, sep, data = _split_line(rest)
        fields = [REDACTED if value in secrets else value for value in data.split("|")]
        text = self._redact(f"{result}: {head}{sep}{'|'.join(fields) if sep else ''}")
        if result == "SUCCESS" and not head.startswith(function + " "):
            raise self._bad(function, "a SUCCESS line for another function", text)
        reason = self._redact(_without_function(function, head))
        return Answer(result == "SUCCESS", reason, fields if sep else [], text)

    def _json_answer(self, function: str, value: Any, body: str) -> Answer:
        text = self._redact(body)
        if isinstance(value, dict) and isinstance(value.get("success"), bool):
            message = value.get("message")
            if not isinstance(message, str):
                raise self._bad(function, "an envelope without a message", body)
            return Answer(value["success"], self._redact(message), value.get("data"), text)
        if (
            isinstance(value, list)
            and len(value) >= 2
            and value[0] in ("SUCCESS", "ERROR")
            and isinstance(value[1], str)
        ):
            reason = self._redact(_without_function(function, value[1]))
            return Answer(value[0] == "SUCCESS", reason, value[2:], text)
        raise self._bad(function, "JSON of an unexpected shape", body)

    def _ok_answer(self, function: str, answer: Answer) -> Answer:
        if answer.ok:
            return answer
        dialer_text = answer.text[:EXCERPT]
        if any(mark in answer.reason.upper() for mark in UNAUTHORIZED_MARKS):
            raise DialerUnauthorized(
                f"{self.name} refused the API user for {function} ({answer.reason}): check "
                "api_user and api_pass, and that the API user has user level 8 or higher "
                "and the permission this function needs",
                dialer=self.name,
                dialer_text=dialer_text,
            )
        raise DialerRejected(
            f"{self.name} refused {function}: {answer.reason}",
            dialer=self.name,
            dialer_text=dialer_text,
        )

    def _lead_answers(self, body: str, count: int) -> list[LeadAnswer]:
        """add_multi_lead's ``{"lead 1": {…}, …}``, one per lead sent, in order."""
        value = None
        if body.startswith("{"):
            with contextlib.suppress(ValueError):
                value = json.loads(body)
        if not (isinstance(value, dict) and value and all(map(_PER_LEAD.fullmatch, value))):
            # Not per-lead: an ERROR (array, envelope or line) raises; anything else is bad.
            self._ok_answer("add_multi_lead", self._read(body, "add_multi_lead"))
            raise self._bad("add_multi_lead", "no per-lead answers", body)
        expected = [f"lead {n}" for n in range(1, count + 1)]
        if set(value) != set(expected):
            raise self._bad("add_multi_lead", f"answers for other leads than 1..{count}", body)
        answers = []
        for entry in (value[key] for key in expected):
            if not (isinstance(entry, dict) and isinstance(entry.get("success"), bool)):
                raise self._bad("add_multi_lead", "a lead's answer without success", body)
            data = entry.get("data")
            answers.append(
                LeadAnswer(
                    entry["success"],
                    self._redact(str(entry.get("message", ""))),
                    self._redact(_as_text(data)),
                )
            )
        return answers

    def _bad(self, function: str, what: str, body: str) -> DialerBadResponse:
        return DialerBadResponse(
            f"{self.name} answered {function} with {what}",
            dialer=self.name,
            dialer_text=self._redact(body[:EXCERPT]),
        )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _yes_no(flag: bool) -> str:
    return "Y" if flag else "N"
