"""The Elision dialer's VICIdial-style non-agent API (spec 004) behind `DialerAdapter`.

Every call is one ``GET <path>?source&user&pass&function&…`` (the query encoded by the
transport, never by hand). Two flavours:

- ``elision`` (``/dialer/elision_api.php``): add_user, update_user, add_list,
  active_lists, add_multi_lead;
- ``vicidial`` (stock ``/vicidial/non_agent_api.php``): add_user, update_user, add_list,
  add_lead, version. Stock VICIdial has no active_lists or add_multi_lead: asking for
  them raises `NotSupported`, as does asking Elision for add_lead or version.

Fields are checked before anything is sent (`bridge.elision_fields`,
`bridge.elision_leads`) and answers read in every style the spec shows
(`bridge.elision_answers`). Only calls that cannot add data twice (active_lists,
version) are retried, and only while the dialer is unavailable.

Readings: delete_user is update_user with ``delete_user=Y`` (VICIdial's way; audited as
``delete_user``). add_user has no ``active`` field, so an inactive user is added and
then deactivated with update_user. add_lead is sent with ``list_exists_check=Y`` so a
lead never lands in a list the dialer does not have. add_multi_lead travels in the query
string, so `add_leads` sends as many leads per call as fit in ``max_query_bytes`` (HTTP
servers refuse longer request lines, typically past 8 KiB).
"""

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NoReturn
from urllib.parse import quote_plus, urlencode

from bridge.elision_answers import Answer, AnswerReader, LeadAnswer
from bridge.elision_fields import (
    LIST_ID,
    REQUIRED,
    SOURCE,
    Agent,
    check_add_user,
    check_agent_user,
    check_list,
    check_update_user,
    yes_no,
)
from bridge.elision_leads import (
    add_lead_params,
    check_custom_keys,
    check_lead_row,
    check_multi_lead_rows,
    lead_row,
    multi_lead_size,
    multi_leads,
)
from bridge.errors import (
    DialerError,
    DialerRejected,
    DialerUnavailable,
    InvalidRequest,
    NotSupported,
)
from bridge.interface import DialerAdapter, DialerList, DialerUser, Lead, LeadOutcome
from bridge.transport import REDACTED, DialerTransport


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
        self._answers = AnswerReader(self.name, self._redact)

    # Users

    async def add_user(self, agent: Agent) -> str:
        """``add_user``; return the dialer's success line (passwords redacted)."""
        with self.transport.operation("add_user"):
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
        with self.transport.operation("update_user"):
            self._offers("update_user")
            check_update_user(agent, dialer=self.name)
            answer = await self._ok("update_user", agent.params(), secrets=agent.secrets())
            return answer.text

    async def delete_user(self, username: str) -> str:
        """``update_user`` with ``delete_user=Y``: VICIdial's way to delete a user."""
        with self.transport.operation("delete_user"):
            self._offers("update_user")
            check_agent_user(username, dialer=self.name)
            params = {"agent_user": username, "delete_user": "Y"}
            return (await self._ok("update_user", params)).text

    # Lists

    async def add_list(
        self, list_id: str, list_name: str, campaign_id: str, *, active: bool | None = None
    ) -> str:
        """``add_list``; return the dialer's message (the list is inactive unless ``active``)."""
        with self.transport.operation("add_list"):
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
        with self.transport.operation("active_lists"):
            self._offers("active_lists")
            answer = await self._ok("active_lists", {}, retry=True)
            return self._answers.lists(answer)

    # Leads

    async def add_multi_lead(self, rows: Sequence[Mapping[str, Any]]) -> list[LeadAnswer]:
        """``add_multi_lead`` with ``rows`` as given (the spec's field names); one answer
        per row, in order. Each row needs ``phone_number`` and ``list_id``."""
        with self.transport.operation("add_multi_lead"):
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
        with self.transport.operation("add_lead"):
            self._offers("add_lead")
            check_lead_row(row, dialer=self.name)
            return (await self._ok("add_lead", add_lead_params(row))).text

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Every lead into ``dialer_list.list_id``; one outcome per lead, in order.

        A lead whose number cannot be split into country code and national number is
        reported and not sent. If a call fails before any lead was added, its error is
        raised; after that, the leads not yet reported fail with its message.
        """
        if not LIST_ID(dialer_list.list_id):
            raise InvalidRequest(f"{REQUIRED} (list_id must be 2-14 digits)", dialer=self.name)
        check_custom_keys(leads, dialer=self.name)
        self._offers("add_multi_lead" if self.flavour is ELISION else "add_lead")
        outcomes: list[LeadOutcome | None] = [None] * len(leads)
        pending: list[tuple[int, dict[str, str]]] = []
        for index, lead in enumerate(leads):
            row = lead_row(lead, dialer_list.list_id)
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
            size = multi_lead_size(row)
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

    # Health

    async def version(self) -> str:
        """``version`` (VICIdial): the version string, e.g. "2.14-917"."""
        with self.transport.operation("version"):
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
        for delay in self.retry_delays if retry else ():
            try:
                return await self._get_once(function, query)
            except DialerUnavailable:
                await asyncio.sleep(delay)
        return await self._get_once(function, query)

    async def _get_once(self, function: str, query: Mapping[str, str]) -> str:
        response = await self.transport.request("GET", self.path, params=query)
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
