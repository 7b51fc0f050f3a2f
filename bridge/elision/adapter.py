"""The Elision dialer's VICIdial-style non-agent API (spec 004) behind `DialerAdapter`.

Every call is one ``GET <path>?source&user&pass&function&…`` (the query encoded by the
transport, never by hand). Two flavours:

- ``elision`` (``/dialer/elision_api.php``): add_user, update_user, add_list,
  active_lists, add_multi_lead;
- ``vicidial`` (stock ``/vicidial/non_agent_api.php``): add_user, update_user, add_list,
  add_lead, version. Stock VICIdial has no active_lists or add_multi_lead: asking for
  them raises `NotSupported`, as does asking Elision for add_lead or version.

Fields are checked before anything is sent (`bridge.elision.rules`,
`bridge.elision.lead_rows`; for stock VICIdial also `bridge.elision.sanitising`, which
refuses identifiers and passwords the dialer would change and reports the free text it
would store otherwise) and answers read in every style the spec shows
(`bridge.elision.answers`), every echoed secret redacted (`bridge.elision.echoes`). Only
calls that cannot add data twice (active_lists, version) are retried, and only while
the dialer is unavailable (`bridge.retry`). After the dialer refused the API user's
login, it is not called with those credentials until a cool-down has passed
(`bridge.login_breaker`); ``version`` answers without a login, so it never counts as one.

Readings: delete_user is update_user with ``delete_user=Y`` (VICIdial's way). add_user
has no ``active`` field, so an inactive user is added and then deactivated with
update_user. add_lead is sent with ``list_exists_check=Y`` so a lead never lands in a
list the dialer does not have, and with ``duplicate_check`` (a lead already there is
``already_there``, not added twice); a batch of leads is sent ``lead_concurrency``
requests at a time (`bridge.elision.concurrent_add_lead`). add_multi_lead travels in
the query string, so a batch of leads (`lead_batching`) holds as many as fit in
``max_query_bytes`` (HTTP servers refuse longer request lines, typically past 8 KiB).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote_plus, urlencode

from bridge.elision.answers import ALREADY_THERE, Answer, AnswerReader, LeadAnswer, LoginRefused
from bridge.elision.concurrent_add_lead import add_each
from bridge.elision.echoes import echo_redactor
from bridge.elision.lead_rows import (
    add_lead_params,
    check_custom_keys,
    check_lead_row,
    check_multi_lead_rows,
    lead_row,
    multi_lead_size,
    multi_leads,
    stored_as,
)
from bridge.elision.rules import (
    LIST_ID_RULE,
    REQUIRED,
    Agent,
    check_add_user,
    check_agent_user,
    check_list,
    check_update_user,
    list_id_kept,
    yes_no,
)
from bridge.elision.sanitising import (
    AGENT_IDENTIFIERS,
    AGENT_SECRETS,
    LIST_TEXT,
    USER_TEXT,
    TextRule,
    changed_text,
    check_identifiers,
    check_kept,
    check_secrets,
)
from bridge.elision.settings import ElisionSettings
from bridge.errors import (
    DialerLocked,
    DialerRejected,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.interface import (
    DialerAdapter,
    DialerList,
    DialerTraits,
    DialerUser,
    Lead,
    LeadBatching,
    LeadOutcome,
)
from bridge.login_breaker import LoginBreakers
from bridge.retry import READS, RetryPolicy
from bridge.transport import DialerTransport

T = TypeVar("T")
EMPTY_BATCH = {"multi_leads": "[]"}
LONGEST_LIST_ID = "9" * 14  # sizes are measured with the longest list id there can be


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


READ_ONLY = frozenset({"active_lists", "version"})  # retried while unavailable
NO_LOGIN = frozenset({"version"})  # answered whatever the login: no word on it


class ElisionAdapter(DialerAdapter):
    """Traits: eight batches of one export in flight; VICIdial's add_lead, sent with
    ``duplicate_check``, refuses a phone already there, Elision's add_multi_lead does not;
    no events pushed."""

    kind = name = "elision"
    traits = DialerTraits(title="Elision", export_concurrency=8)

    def __init__(
        self,
        transport: DialerTransport,
        settings: ElisionSettings,
        *,
        retry: RetryPolicy = READS,
        max_query_bytes: int = 7000,
        breakers: LoginBreakers | None = None,
    ) -> None:
        """``breakers`` are shared with the other adapters of the process (the server's
        `bridge.build_adapter` passes its own); without, the adapter has its own."""
        self.transport = transport
        self.name = transport.dialer
        self.flavour = FLAVOURS[settings.flavour]
        self.vicidial = self.flavour is VICIDIAL
        if self.vicidial:
            self.traits = replace(self.traits, title="VICIdial", refuses_duplicate_leads=True)
        self.path = settings.path or self.flavour.path
        self.api_user = settings.api_user
        self._api_pass = settings.api_pass.get_secret_value()
        self.source = settings.source
        self.custom_fields = frozenset(settings.custom_fields)
        self.duplicate_check = settings.duplicate_check
        self.lead_concurrency = settings.lead_concurrency
        self.retry = retry
        self.max_query_bytes = max_query_bytes
        self.redactor = transport.redactor | echo_redactor([self._api_pass])
        self._answers = AnswerReader(self.name, self.redactor.redact)
        shared = LoginBreakers() if breakers is None else breakers
        self._login = shared.login(transport.base_url, self.api_user, self._api_pass)
        if self.flavour is ELISION:
            self.lead_batching = LeadBatching(
                max_leads=500,
                max_size=self.max_query_bytes - self._query_size("add_multi_lead", EMPTY_BATCH),
                size=lambda lead: multi_lead_size(lead_row(lead, LONGEST_LIST_ID)),
            )
        else:
            # add_lead each, all of a batch at once: a batch is what may be in flight, so a
            # job marks few leads "sending" ahead (what a crash sends again)
            self.lead_batching = LeadBatching(max_leads=self.lead_concurrency)

    # Users

    async def add_user(self, agent: Agent) -> str:
        """``add_user``; return the dialer's success line (passwords redacted), and on
        VICIdial the free text it stores otherwise than sent."""
        self._offers("add_user")
        check_add_user(agent, dialer=self.name)
        params = agent.params()
        self._check_agent(params, required=("agent_full_name",))
        answer = await self._ok("add_user", params, secrets=agent.secrets())
        return self._noting_changes(answer.text, params, USER_TEXT)

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
        self._offers("update_user")
        check_update_user(agent, dialer=self.name)
        params = agent.params()
        self._check_agent(params, required=())
        answer = await self._ok("update_user", params, secrets=agent.secrets())
        return self._noting_changes(answer.text, params, USER_TEXT)

    async def delete_user(self, username: str) -> str:
        """``update_user`` with ``delete_user=Y``: VICIdial's way to delete a user."""
        self._offers("update_user")
        check_agent_user(username, dialer=self.name)
        self._check_agent({"agent_user": username}, required=())
        params = {"agent_user": username, "delete_user": "Y"}
        return (await self._ok("update_user", params)).text

    # Lists

    async def add_list(
        self, list_id: str, list_name: str, campaign_id: str, *, active: bool | None = None
    ) -> str:
        """``add_list``; return the dialer's message (the list is inactive unless
        ``active``), and on VICIdial the name it stores if not the one sent."""
        self._offers("add_list")
        params = self._new_list(list_id, list_name, campaign_id)
        if active is not None:
            params["active"] = yes_no(active)
        answer = await self._ok("add_list", params)
        text = answer.reason if answer.text.startswith("{") else answer.text
        return self._noting_changes(text, params, LIST_TEXT)

    def _new_list(self, list_id: str, list_name: str, campaign_id: str) -> dict[str, str]:
        """add_list's fields, refused unless the dialer takes them as they are."""
        check_list(
            list_id,
            list_name,
            campaign_id,
            name_min=self.flavour.list_name_min,
            wording=self.flavour.list_fields_wording,
            dialer=self.name,
        )
        params = {"list_id": list_id, "list_name": list_name, "campaign_id": campaign_id}
        if self.vicidial:
            check_identifiers(params, ("campaign_id",), dialer=self.name)
            shortest, rule = self.flavour.list_name_min, LIST_TEXT["list_name"]
            check_kept("list_name", list_name, shortest, rule, dialer=self.name)
        return params

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        """A new list: add_list's rules (id, name, campaign); an existing one: its id."""
        if create:
            self._new_list(dialer_list.list_id, dialer_list.name, dialer_list.campaign)
        elif not list_id_kept(dialer_list.list_id):
            raise InvalidRequest(f"{REQUIRED} ({LIST_ID_RULE})", dialer=self.name)

    async def create_list(self, dialer_list: DialerList) -> DialerList:
        """``add_list``; the list keeps the id the CRM chose, and has the name the dialer
        stores (VICIdial removes some characters)."""
        await self.add_list(
            dialer_list.list_id,
            dialer_list.name,
            dialer_list.campaign,
            active=dialer_list.active,
        )
        if self.vicidial:
            return replace(dialer_list, name=LIST_TEXT["list_name"].stored(dialer_list.name))
        return dialer_list

    async def active_lists(self) -> list[DialerList]:
        """``active_lists``: entries "CAMPAIGN-LISTID-List name" (names may hold '-')."""
        self._offers("active_lists")
        return await self._call(
            "active_lists",
            {},
            lambda reader, body: reader.lists(reader.success(body, "active_lists")),
        )

    # Leads

    async def add_multi_lead(self, rows: Sequence[Mapping[str, Any]]) -> list[LeadAnswer]:
        """``add_multi_lead`` with ``rows`` as given (the spec's field names); one answer
        per row, in order. Each row needs ``phone_number`` and ``list_id``."""
        self._offers("add_multi_lead")
        check_multi_lead_rows(rows, dialer=self.name)
        params = {"multi_leads": multi_leads(rows)}
        if self._query_size("add_multi_lead", params) > self.max_query_bytes:
            self._invalid(
                f"{len(rows)} leads do not fit in one request of {self.max_query_bytes} "
                "bytes: send fewer, or use add_leads, which splits them"
            )
        return await self._call(
            "add_multi_lead", params, lambda reader, body: reader.lead_answers(body, len(rows))
        )

    async def add_lead(self, row: Mapping[str, str]) -> str:
        """``add_lead`` (VICIdial): one lead; ``phone_number`` is required. A lead whose
        phone the dialer has already (``duplicate_check``) is refused: `DialerRejected`."""
        self._offers("add_lead")
        check_lead_row(row, dialer=self.name)
        params = add_lead_params(row, duplicate_check=self.duplicate_check)
        return (await self._ok("add_lead", params)).text

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """One batch into ``dialer_list.list_id``; one outcome per lead, in order.

        Elision: one add_multi_lead (the batch must fit ``max_query_bytes``). VICIdial:
        one add_lead per lead, ``lead_concurrency`` at a time; a lead the dialer refuses
        is that lead's outcome, one already there (its duplicate check) is
        ``already_there``, and ``stored_as`` names what the dialer stores otherwise.
        """
        if not list_id_kept(dialer_list.list_id):
            raise InvalidRequest(f"{REQUIRED} ({LIST_ID_RULE})", dialer=self.name)
        check_custom_keys(leads, self.custom_fields, dialer=self.name)
        if not leads:
            return []
        rows = [lead_row(lead, dialer_list.list_id) for lead in leads]
        if self.flavour is ELISION:
            answers = await self.add_multi_lead(rows)
            return [
                LeadOutcome(lead.phone.digits, "added" if answer.ok else "failed", answer.outcome)
                for lead, answer in zip(leads, answers, strict=True)
            ]
        self._offers("add_lead")

        async def add_one(index: int) -> LeadOutcome:
            lead = leads[index]
            try:
                text = await self.add_lead(rows[index])
            except DialerRejected as error:
                text = error.dialer_text or error.message
                if ALREADY_THERE.match(text):
                    return LeadOutcome(lead.phone.digits, "already_there", text)
                return LeadOutcome(lead.phone.digits, "failed", text)
            return LeadOutcome(lead.phone.digits, "added", text, stored_as(lead))

        return await add_each(leads, add_one, concurrency=self.lead_concurrency)

    # Health

    async def version(self) -> str:
        """``version`` (VICIdial): the version string, e.g. "2.14-917". It answers
        whatever the login, so it says nothing of the credentials."""
        self._offers("version")
        return await self._call("version", {}, lambda reader, body: reader.version(body))

    # Checking

    def _offers(self, function: str) -> None:
        if function not in self.flavour.functions:
            raise NotSupported(f"{function} ({self.flavour.name} API)", dialer=self.name)

    def _invalid(self, message: str) -> NoReturn:
        raise InvalidRequest(message, dialer=self.name)

    def _check_agent(self, params: Mapping[str, str], *, required: Sequence[str]) -> None:
        """On VICIdial: refuse identifiers and passwords the dialer would change, and a
        required text of which it would keep nothing."""
        if not self.vicidial:
            return
        check_identifiers(params, AGENT_IDENTIFIERS, dialer=self.name)
        check_secrets(params, AGENT_SECRETS, dialer=self.name)
        for name in required:
            check_kept(name, params.get(name), 1, USER_TEXT[name], dialer=self.name)

    def _noting_changes(
        self, text: str, params: Mapping[str, str], rules: Mapping[str, TextRule]
    ) -> str:
        """``text``, and on VICIdial the fields it stores otherwise than sent."""
        changes = changed_text(rules, params) if self.vicidial else {}
        if not changes:
            return text
        stored = ", ".join(f"{name} as {value!r}" for name, value in changes.items())
        return f"{text} (the dialer stores {stored})"

    # Sending

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

    async def _call(
        self,
        function: str,
        params: Mapping[str, str],
        read: Callable[[AnswerReader, str], T],
        *,
        secrets: Sequence[str] = (),
    ) -> T:
        """Send ``function``; return ``read(reader, body)``, ``secrets`` (those of this
        request) redacted from every text. Read-only functions are retried while the
        dialer is unavailable; while the dialer refuses the login, nothing is sent."""
        auth = self._auth(function)
        if set(params) & set(auth):
            self._invalid(f"{', '.join(sorted(set(params) & set(auth)))} cannot be a field")
        query = {**auth, **params}
        redactor = self.redactor.with_secrets(secrets) if secrets else self.redactor
        reader = AnswerReader(self.name, redactor.redact) if secrets else self._answers
        logs_in = function not in NO_LOGIN
        if logs_in:
            await self._login.check()

        async def once() -> T:
            response = await self.transport.request(
                "GET",
                self.path,
                params=query,
                audit_as=function,
                redactor=redactor,
                changes=function not in READ_ONLY,
            )
            try:
                result = read(reader, reader.body(function, response.status, response.text()))
            except (LoginRefused, DialerLocked) as refused:
                raise await self._login.refused(refused) from None
            if logs_in:
                await self._login.accepted()
            return result

        if function in READ_ONLY:
            return await self.retry.call(once, retry_on=DialerUnavailable)
        return await once()

    async def _ok(
        self, function: str, params: Mapping[str, str], *, secrets: Sequence[str] = ()
    ) -> Answer:
        """Send ``function``; return its answer if a success (a refusal raises)."""
        return await self._call(
            function, params, lambda reader, body: reader.success(body, function), secrets=secrets
        )
