"""The REST call-centre API behind the bridge's `DialerAdapter` interface.

The adapter speaks through the client library (`bridge.rest.client`), whose phone
lists, leads and users it uses; ``adapter.client`` gives the rest of the API.

How the generic terms map onto this API:

- `DialerUser` → a user with ``is_agent`` true; ``full_name`` is ``name``; ``email``
  and ``password`` are required by the dialer. ``extension``, ``phone_pass``,
  ``user_level`` and ``user_group`` have no REST counterpart and are not sent.
- `DialerList` → a phone list. The dialer assigns phone list ids, so ``create_list``
  ignores ``list_id`` and answers the new id; ``active_lists`` returns every phone list
  (the API has no active flag) with its id as ``list_id``.
- `Lead` → a phone list lead: ``phone`` is the E.164 digits, ``name`` is first and last
  name, ``lead_id`` is ``vendor_lead_code``, and the other non-empty fields go into
  ``ext_api_vars`` with ``custom``. One batch is one array (at most 500 leads).
- Agent state → ``/api/cc_agent``: ``check_in`` is ``checkInDevice`` with a device, else
  ``checkIn`` (which answers the number the agent dials to finish); ``pause`` and
  ``resume`` are ``setPause`` with the pause id and with 0; ``wrapup`` sets the timer.
"""

from collections.abc import Sequence
from dataclasses import replace

from bridge.errors import DialerBadResponse, DialerOutcomeUnknown, DialerRejected, InvalidRequest
from bridge.events import UrlPush
from bridge.interface import (
    DialerAdapter,
    DialerList,
    DialerTraits,
    DialerUser,
    Lead,
    LeadBatching,
    LeadOutcome,
    LeadStatus,
    OriginateRequest,
    OriginateResult,
)
from bridge.login_breaker import LoginBreakers
from bridge.rest import events
from bridge.rest.client import RestClient
from bridge.rest.client.leads import PhoneListLead
from bridge.rest.client.users import User
from bridge.rest.connection import RestConnection
from bridge.rest.settings import RestSettings
from bridge.retry import READS, RetryPolicy
from bridge.transport import DialerTransport

_LEAD_VARIABLES = ("title", "email", "address", "city", "postal_code", "notes", "language")


class RestAdapter(DialerAdapter):
    """Traits: batches of 500 leads, two in flight (the bridge's bookkeeping of one overlaps
    the dialer's work on the other); a phone already in the list is refused (spec 003); the
    dialer chooses list ids; a click-to-call rings the agent's own phone first; events
    come by Event Push (`bridge.rest.events`), from ``event_push_sources`` if set."""

    kind = name = "rest"
    traits = DialerTraits(
        title="REST",
        export_concurrency=2,
        refuses_duplicate_leads=True,
        chooses_list_ids=True,
        rings_agent_first=True,
        event_push=UrlPush(events.read),
    )
    lead_batching = LeadBatching(max_leads=500)

    def __init__(
        self,
        transport: DialerTransport,
        settings: RestSettings,
        *,
        retry: RetryPolicy = READS,
        breakers: LoginBreakers | None = None,
    ) -> None:
        self.name = transport.dialer
        self.traits = replace(
            self.traits, event_push=UrlPush(events.read, settings.event_push_sources)
        )
        self.connection = RestConnection(
            transport, api_key=settings.api_key.get_secret_value(), retry=retry
        )
        self.client = RestClient(self.connection)

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        """``GET /api/cc_agent/originate``: ring the agent's device, then the destination."""
        params = {
            "destination": request.destination,
            "extension": request.extension,
            "user_id": request.user_id,
            "device_id": request.device_id,
            "cid": request.caller_id,
            "lead_id": request.lead_id,
        }
        try:
            envelope = await self.connection.call(
                "GET", "/api/cc_agent/originate", params={k: v for k, v in params.items() if v}
            )
        except DialerOutcomeUnknown:
            raise DialerOutcomeUnknown(
                f"{self.name} did not answer the click-to-call in time after it was sent: "
                "the call may have been placed; check before calling again",
                dialer=self.name,
            ) from None
        uuid = envelope.get("uuid", envelope.get("Uuid"))
        if uuid is not None and not isinstance(uuid, str):
            raise DialerBadResponse(
                f"{self.name} answered originate with a uuid that is not text",
                dialer=self.name,
                dialer_text=self.connection.excerpt(repr(uuid), 100),
            )
        return OriginateResult(uuid=uuid)

    async def create_user(self, user: DialerUser) -> str:
        if not user.password:
            raise InvalidRequest("a REST dialer user needs a password", dialer=self.name)
        created = await self.client.users.create(
            name=user.full_name,
            username=user.username,
            password=user.password,
            email=user.email,
            is_agent=True,
            active=user.active,
        )
        return self.connection.redact(f"user {created.username} created with id {created.id}")

    async def update_user(self, user: DialerUser) -> str:
        found = await self._user_named(user.username)
        await self.client.users.update(
            found.id,
            name=user.full_name,
            password=user.password,
            email=user.email or None,
            active=user.active,
        )
        return f"user {user.username} updated"

    async def delete_user(self, username: str) -> str:
        found = await self._user_named(username)
        await self.client.users.delete(found.id)
        return f"user {username} deleted"

    async def user_id(self, username: str) -> str:
        return str((await self._user_named(username)).id)

    async def create_list(self, dialer_list: DialerList) -> DialerList:
        """Create a phone list; the dialer chooses its id (``dialer_list.list_id`` is unused)."""
        created = await self.client.phone_lists.create(dialer_list.name)
        return DialerList(list_id=str(created.id), name=self.connection.redact(created.name))

    async def active_lists(self) -> list[DialerList]:
        return [
            DialerList(list_id=str(phone_list.id), name=self.connection.redact(phone_list.name))
            for phone_list in await self.client.phone_lists.list()
        ]

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Add ``leads`` as one array; report each lead, duplicates included.

        The dialer refuses a whole array when one phone is already in the list (the
        project's reading; the spec only says a phone appears once per list). A lead
        repeating an earlier lead's phone is not sent (``already_there`` once that one is
        on the list). If the dialer refuses the rest, the list's phones are read: leads
        already there are ``already_there`` and the others are sent once more (nothing
        was added); a refusal that duplicates do not explain is reported on each lead
        with the dialer's reason (``failed``). Without duplicates this is one request.
        """
        if not leads:
            return []
        list_id = self._list_id(dialer_list)
        earlier, to_send = _screen(leads)
        outcomes = await self._send_leads(list_id, leads, to_send) if to_send else {}
        for index, first in earlier.items():
            phone = leads[index].phone.digits
            status: LeadStatus = "already_there" if outcomes[first].ok else "failed"
            outcomes[index] = LeadOutcome(
                phone, status, f"duplicate: {phone} appears earlier in this batch"
            )
        return [outcomes[index] for index in range(len(leads))]

    async def _send_leads(
        self, list_id: int, leads: list[Lead], to_send: dict[str, int]
    ) -> dict[int, LeadOutcome]:
        """Add the leads of ``to_send`` (phone → index); the outcome of each, by index."""
        outcomes: dict[int, LeadOutcome] = {}
        refusal = await self._add_once(list_id, leads, to_send)
        if refusal is not None:
            in_list = {lead.phone for lead in await self.client.leads.list(list_id)}
            for phone in in_list.intersection(to_send):
                outcomes[to_send.pop(phone)] = LeadOutcome(
                    phone, "already_there", f"duplicate: {phone} is already in phone list {list_id}"
                )
            if outcomes and to_send:
                refusal = await self._add_once(list_id, leads, to_send)
        for phone, index in to_send.items():
            if refusal is None:
                outcomes[index] = LeadOutcome(phone, "added", f"added to phone list {list_id}")
            else:
                outcomes[index] = LeadOutcome(phone, "failed", f"refused: {refusal}")
        return outcomes

    async def _add_once(
        self, list_id: int, leads: list[Lead], to_send: dict[str, int]
    ) -> str | None:
        """Send the leads of ``to_send`` once; the dialer's refusal text, or None."""
        try:
            await self.client.leads.add(list_id, [_rest_lead(leads[i]) for i in to_send.values()])
        except DialerRejected as error:
            return error.dialer_text or error.message
        return None

    async def check_in(self, user_id: str, device_id: str | None = None) -> str | None:
        user = self._number("user_id", user_id)
        if device_id is None:
            return await self.client.agents.check_in(user_id=user)
        device = self._number("device_id", device_id)
        await self.client.agents.check_in_device(user_id=user, device_id=device)
        return None

    async def check_out(self, user_id: str) -> None:
        await self.client.agents.check_out(user_id=self._number("user_id", user_id))

    async def pause(self, user_id: str, pause_id: int) -> None:
        if pause_id < 1:
            raise InvalidRequest("a pause id is 1 or more (0 is resume)", dialer=self.name)
        await self.client.agents.set_pause(pause_id, user_id=self._number("user_id", user_id))

    async def resume(self, user_id: str) -> None:
        await self.client.agents.set_pause(0, user_id=self._number("user_id", user_id))

    async def set_queues(self, user_id: str, queue_ids: Sequence[str]) -> None:
        queues = [self._number("queue id", queue_id) for queue_id in queue_ids]
        await self.client.agents.set_queues(queues, user_id=self._number("user_id", user_id))

    async def wrapup(self, user_id: str, seconds: int | None = None) -> None:
        await self.client.agents.wrapup(user_id=self._number("user_id", user_id), seconds=seconds)

    def _number(self, name: str, value: str) -> int:
        """One of the dialer's ids, which are whole numbers."""
        if not value.isdigit():
            raise InvalidRequest(
                f"{name} {value!r} is not one of {self.name}'s ids (whole numbers)",
                dialer=self.name,
            )
        return int(value)

    async def _user_named(self, username: str) -> User:
        for user in await self.client.users.query(username):
            if user.username == username:
                return user
        raise DialerRejected(f"{self.name} has no user {username!r}", dialer=self.name)

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        """A new list needs a name (the dialer picks its id); an existing one, its id."""
        if create and not dialer_list.name.strip():
            raise InvalidRequest("a new phone list needs a name", dialer=self.name)
        if not create:
            self._list_id(dialer_list)

    def _list_id(self, dialer_list: DialerList) -> int:
        if not dialer_list.list_id.isdigit():
            raise InvalidRequest(
                f"list_id {dialer_list.list_id!r} is not a phone list id (a number the dialer"
                " assigned)",
                dialer=self.name,
            )
        return int(dialer_list.list_id)


def _screen(leads: list[Lead]) -> tuple[dict[int, int], dict[str, int]]:
    """Leads repeating an earlier lead's phone (index → the earlier one's index), and the
    phones to send (→ index)."""
    earlier: dict[int, int] = {}
    to_send: dict[str, int] = {}
    for index, lead in enumerate(leads):
        phone = lead.phone.digits
        if phone in to_send:
            earlier[index] = to_send[phone]
        else:
            to_send[phone] = index
    return earlier, to_send


def _rest_lead(lead: Lead) -> PhoneListLead:
    variables = {key: getattr(lead, key) for key in _LEAD_VARIABLES if getattr(lead, key)}
    name = f"{lead.first_name} {lead.last_name}".strip()
    return PhoneListLead(
        phone=lead.phone.digits,
        name=name or None,
        lead_id=lead.vendor_lead_code or None,
        priority=lead.priority,
        ext_api_vars={**variables, **lead.custom} or None,
    )
