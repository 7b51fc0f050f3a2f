"""The Elision dialer's VICIdial-style non-agent API (spec 004) behind `DialerAdapter`.

Every call is one ``GET <path>?source&user&pass&function&…`` (the query encoded by the
transport, never by hand). Two flavours:

- ``elision`` (``/dialer/elision_api.php``): add_user, update_user, add_list,
  active_lists, add_multi_lead;
- ``vicidial`` (stock ``/vicidial/non_agent_api.php``): add_user, update_user, add_list,
  add_lead, version. Stock VICIdial has no active_lists or add_multi_lead: asking for
  them raises `NotSupported`, as does asking Elision for add_lead or version.

Fields are checked before anything is sent (`bridge.elision.requests`,
`bridge.elision.lead_rows`) and answers read in every style the spec shows
(`bridge.elision.answers`). Only calls that cannot add data twice (active_lists,
version) are retried, and only while the dialer is unavailable (`bridge.retry`).

Readings: delete_user is update_user with ``delete_user=Y`` (VICIdial's way). add_user
has no ``active`` field, so an inactive user is added and then deactivated with
update_user. add_lead is sent with ``list_exists_check=Y`` so a lead never lands in a
list the dialer does not have. add_multi_lead travels in the query string, so a batch of
leads (`lead_batching`) holds as many as fit in ``max_query_bytes`` (HTTP servers refuse
longer request lines, typically past 8 KiB).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn
from urllib.parse import quote_plus, urlencode

from bridge.elision.answers import Answer, AnswerReader, LeadAnswer
from bridge.elision.lead_rows import (
    add_lead_params,
    check_custom_keys,
    check_lead_row,
    check_multi_lead_rows,
    lead_row,
    multi_lead_size,
    multi_leads,
)
from bridge.elision.requests import (
    LIST_ID,
    REQUIRED,
    Agent,
    check_add_user,
    check_agent_user,
    check_list,
    check_update_user,
    yes_no,
)
from bridge.elision.settings import ElisionSettings
from bridge.errors import DialerRejected, DialerUnavailable, InvalidRequest, NotSupported
from bridge.interface import (
    DialerAdapter,
    DialerList,
    DialerUser,
    Lead,
    LeadBatching,
    LeadOutcome,
)
from bridge.retry import READS, RetryPolicy
from bridge.transport import REDACTED, DialerTransport

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


class ElisionAdapter(DialerAdapter):
    name = "elision"

    def __init__(
        self,
        transport: DialerTransport,
        settings: ElisionSettings,
        *,
        retry: RetryPolicy = READS,
        max_query_bytes: int = 7000,
    ) -> None:
        self.transport = transport
        self.name = transport.dialer
        self.flavour = FLAVOURS[settings.flavour]
        self.path = settings.path or self.flavour.path
        self.api_user = settings.api_user
        self._api_pass = settings.api_pass.get_secret_value()
        self.source = settings.source
        self.retry = retry
        self.max_query_bytes = max_query_bytes
        self._answers = AnswerReader(self.name, self._redact)
        if self.flavour is ELISION:
            self.lead_batching = LeadBatching(
                max_leads=500,
                max_size=self.max_query_bytes - self._query_size("add_multi_lead", EMPTY_BATCH),
                size=lambda lead: multi_lead_size(lead_row(lead, LONGEST_LIST_ID)),
            )
        else:
            self.lead_batching = LeadBatching(max_leads=1)  # add_lead takes one lead

    # Users

    async def add_user(self, agent: Agent) -> str:
        """``add_user``; return the dialer's success line (passwords redacted)."""
        self._offers("add_user")
        check_add_user(agent, dialer=self.name)
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
        self._offers("update_user")
        check_update_user(agent, dialer=self.name)
        answer = await self._ok("update_user", agent.params(), secrets=agent.secrets())
        return answer.text

    async def delete_user(self, username: str) -> str:
        """``update_user`` with ``delete_user=Y``: VICIdial's way to delete a user."""
        self._offers("update_user")
        check_agent_user(username, dialer=self.name)
        params = {"agent_user": username, "delete_user": "Y"}
        return (await self._ok("update_user", params)).text

    # Lists

    async def add_list(
        self, list_id: str, list_name: str, campaign_id: str, *, active: bool | None = None
    ) -> str:
        """``add_list``; return the dialer's message (the list is inactive unless ``active``)."""
        self._offers("add_list")
        check_list(
            list_id,
            list_name,
            campaign_id,
            name_min=self.flavour.list_name_min,
            wording=self.flavour.list_fields_wording,
            dialer=self.name,
        )
        params = {"list_id": list_id, "list_name": list_name, "campaign_id": campaign_id}
        if active is not None:
            params["active"] = yes_no(active)
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
        self._offers("active_lists")
        answer = await self._ok("active_lists", {}, retry=True)
        return self._answers.lists(answer)

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
        body = await self._get("add_multi_lead", params)
        return self._answers.lead_answers(body, len(rows))

    async def add_lead(self, row: Mapping[str, str]) -> str:
        """``add_lead`` (VICIdial): one lead; ``phone_number`` is required."""
        self._offers("add_lead")
        check_lead_row(row, dialer=self.name)
        return (await self._ok("add_lead", add_lead_params(row))).text

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """One batch into ``dialer_list.list_id``; one outcome per lead, in order.

        Elision: one add_multi_lead (the batch must fit ``max_query_bytes``). VICIdial:
        one add_lead, so one lead; its refusal is that lead's outcome.
        """
        if not LIST_ID(dialer_list.list_id):
            raise InvalidRequest(f"{REQUIRED} (list_id must be 2-14 digits)", dialer=self.name)
        check_custom_keys(leads, dialer=self.name)
        if not leads:
            return []
        rows = [lead_row(lead, dialer_list.list_id) for lead in leads]
        if self.flavour is ELISION:
            answers = await self.add_multi_lead(rows)
            return [
                LeadOutcome(lead.phone.digits, answer.ok, answer.outcome)
                for lead, answer in zip(leads, answers, strict=True)
            ]
        if len(leads) > 1:
            self._invalid("VICIdial's add_lead takes one lead per call: send them one by one")
        try:
            text = await self.add_lead(rows[0])
        except DialerRejected as error:
            return [LeadOutcome(leads[0].phone.digits, False, error.dialer_text or "")]
        return [LeadOutcome(leads[0].phone.digits, True, text)]

    # Health

    async def version(self) -> str:
        """``version`` (VICIdial): the version string, e.g. "2.14-917"."""
        self._offers("version")
        body = await self._get("version", {}, retry=True)
        return self._answers.version(body)

    # Sending

    def _offers(self, function: str) -> None:
        if function not in self.flavour.functions:
            raise NotSupported(f"{function} ({self.flavour.name} API)", dialer=self.name)

    def _invalid(self, message: str) -> NoReturn:
        raise InvalidRequest(message, dialer=self.name)

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
        if retry:
            return await self.retry.call(
                lambda: self._get_once(function, query), retry_on=DialerUnavailable
            )
        return await self._get_once(function, query)

    async def _get_once(self, function: str, query: Mapping[str, str]) -> str:
        response = await self.transport.request("GET", self.path, params=query, audit_as=function)
        return self._answers.body(function, response.status, response.text())

    async def _ok(
        self,
        function: str,
        params: Mapping[str, str],
        *,
        secrets: Sequence[str] = (),
        retry: bool = False,
    ) -> Answer:
        """Send ``function``; return its answer if a success (a refusal raises)."""
        body = await self._get(function, params, retry=retry)
        return self._answers.success(body, function, secrets)
