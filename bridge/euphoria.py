"""The Euphoria XML API (specs 000 and 001) behind the bridge's `DialerAdapter` interface.

Two actions, each an HTTP POST of one XML document (``text/xml``) to ``path``:

- ``DialerTrickleFeed``: contacts into a campaign's list (`trickle_feed`, `add_leads`);
- ``DownloadCallRecordingByFilename``: a base64 WAV, streamed (`download_recording`,
  `save_recording`).

Readings where the spec is silent or loose:

- Success. The spec shows no success answer for ``DialerTrickleFeed``: any well-formed
  ``<XML>`` document without ``<Error>`` is success, and its child elements are
  reported as they came (`TrickleFeedResult.answer`). Anything else (empty body, HTML,
  another root, any HTTP status but 200) is a `DialerBadResponse`: a lead is never
  reported as added when the dialer did not say so in its own envelope.
- Errors. Every text of the Error Reference has its own class (`bridge.euphoria_xml`),
  both spellings of "Incorrect Input Parameters…" included; an unknown text is a
  `DialerRejected` quoting it.
- Limits. At most 3 calls of one action are in flight per adapter (the rest queue). A
  call refused with "Concurrent API Calls Exceeded" was not carried out, so every action
  may be retried: the call keeps its slot and retries after full-jitter exponential
  waits (`Backoff`), then raises `ConcurrentCallsExceeded` (a `DialerBusy`).
- Cache. The spec lets the dialer's answers be up to 30 s old; it obliges no client
  cache. Recordings are not cached: they are large, a finished call's recording does
  not change, and a cache would hold the audio whole, the very thing streaming avoids.
- ``Contact`` vs ``Contacts``: the field table says ``Contacts``, the example
  ``<Contact>``; the example's ``<Contact>`` and ``<email>`` are what is sent.
"""

import asyncio
import os
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import DialerBadResponse, DialerError, InvalidRequest
from bridge.euphoria_xml import (
    AnswerReader,
    BadAnswer,
    ConcurrentCallsExceeded,
    Node,
    UnsendableText,
    error_for,
    request_body,
)
from bridge.interface import DialerAdapter, DialerList, Lead, LeadOutcome
from bridge.transport import REDACTED, DialerTransport

TRICKLE_FEED = "DialerTrickleFeed"
DOWNLOAD_RECORDING = "DownloadCallRecordingByFilename"
CONCURRENT_CALLS = 3  # per action, spec 000
DEFAULT_PRIORITY = 5
ANSWER_LIMIT = 1024 * 1024  # bytes of an answer that carries no recording
WAV_HEADER_SIZE = 12  # "RIFF", the size, "WAVE"
EXCERPT = 200  # characters of a malformed answer kept in its error
_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Contact:
    """One ``<Contact>`` of ``DialerTrickleFeed``; every tag is sent, empty or not."""

    phone_number: str
    title: str = ""
    first_name: str = ""
    surname: str = ""
    address: str = ""
    email: str = ""
    notes: str = ""
    language: str = ""
    custom1: str = ""
    custom2: str = ""
    custom3: str = ""
    custom4: str = ""
    custom5: str = ""
    crm_tag: str = ""
    assigned_to: str = ""


# (tag as sent, Contact field), in the example's order and spelling.
CONTACT_TAGS: tuple[tuple[str, str], ...] = (
    ("Title", "title"),
    ("FirstName", "first_name"),
    ("Surname", "surname"),
    ("Address", "address"),
    ("email", "email"),
    ("PhoneNumber", "phone_number"),
    ("Notes", "notes"),
    ("Language", "language"),
    ("Custom1", "custom1"),
    ("Custom2", "custom2"),
    ("Custom3", "custom3"),
    ("Custom4", "custom4"),
    ("Custom5", "custom5"),
    ("CrmTag", "crm_tag"),
    ("AssignedTo", "assigned_to"),
)


def _contact_nodes(contact: Contact) -> list[Node]:
    return [(tag, getattr(contact, name)) for tag, name in CONTACT_TAGS]


# Lead.custom keys (case-insensitive) that have a Contact tag of their own.
_LEAD_CUSTOM_KEYS = {"custom1", "custom2", "custom3", "custom4", "custom5", "crmtag", "assignedto"}


@dataclass(frozen=True, slots=True)
class TrickleFeedResult:
    contacts: int
    answer: dict[str, str]  # the answer's child elements and their texts


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits before retrying a call refused with "Concurrent API Calls Exceeded"."""

    attempts: int = 4
    first_delay: float = 0.2
    max_delay: float = 2.0

    def delays(self) -> Iterator[float]:
        """Full-jitter exponential waits, one per retry: at most the sum of the caps."""
        for retry in range(self.attempts - 1):
            cap = min(self.max_delay, self.first_delay * 2**retry)
            yield random.uniform(0, cap)  # noqa: S311 (jitter, not a secret)


class EuphoriaAdapter(DialerAdapter):
    name = "euphoria"

    def __init__(
        self,
        transport: DialerTransport,
        *,
        tenant_name: str,
        auth_code: str,
        path: str = "/api/",
        backoff: Backoff = Backoff(),
    ) -> None:
        self.transport = transport
        self.name = transport.dialer
        self.tenant_name = tenant_name
        self._auth_code = auth_code
        self.path = path
        self.backoff = backoff
        self._slots = {
            action: asyncio.Semaphore(CONCURRENT_CALLS)
            for action in (TRICKLE_FEED, DOWNLOAD_RECORDING)
        }

    async def trickle_feed(
        self,
        list_name: str,
        campaign_name: str,
        contacts: Sequence[Contact],
        data_source: str = "",
        priority: int = DEFAULT_PRIORITY,
    ) -> TrickleFeedResult:
        """``DialerTrickleFeed``: push ``contacts`` into ``list_name`` of ``campaign_name``."""
        with self.transport.operation(TRICKLE_FEED):
            self._check_feed(list_name, campaign_name, contacts, priority)
            nodes: list[Node] = [
                ("ListName", list_name),
                ("CampaignName", campaign_name),
                ("DataSource", data_source),
                ("priority", str(priority)),
                ("ContactsList", [("Contact", _contact_nodes(c)) for c in contacts]),
            ]
            reader = AnswerReader()
            async for _ in self._send(TRICKLE_FEED, self._body(TRICKLE_FEED, nodes), reader):
                pass  # an answer without a recording yields nothing
            return TrickleFeedResult(contacts=len(contacts), answer=dict(reader.fields))

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Trickle-feed ``leads`` into the list (by name) of ``dialer_list.campaign``.

        ``Lead.custom`` may fill Custom1..Custom5, CrmTag and AssignedTo (keys matched
        without regard to case); CrmTag defaults to ``vendor_lead_code``; any other key is
        refused rather than dropped. Euphoria's priority belongs to a call, so leads are
        sent in one call per priority (5 when unset). If a call fails after an earlier one
        succeeded, the leads already sent are reported added and the rest failed; if the
        first call fails, its error is raised.
        """
        list_name = dialer_list.name or dialer_list.list_id
        groups: dict[int, list[tuple[Lead, Contact]]] = {}
        for lead in leads:
            priority = lead.priority or DEFAULT_PRIORITY
            groups.setdefault(priority, []).append((lead, self._contact_of(lead)))
        outcomes: dict[int, LeadOutcome] = {}
        for priority, group in groups.items():
            contacts = [contact for _, contact in group]
            try:
                await self.trickle_feed(
                    list_name, dialer_list.campaign, contacts, priority=priority
                )
            except DialerError as error:
                if not outcomes:
                    raise
                for lead in leads:
                    outcomes.setdefault(id(lead), LeadOutcome(lead.phone, False, error.message))
                break
            added = f"added to {dialer_list.campaign}/{list_name}"
            outcomes.update({id(lead): LeadOutcome(lead.phone, True, added) for lead, _ in group})
        return [outcomes[id(lead)] for lead in leads]

    async def download_recording(self, filename: str) -> AsyncIterator[bytes]:
        """``DownloadCallRecordingByFilename``: the decoded WAV, in pieces as they arrive."""
        with self.transport.operation(DOWNLOAD_RECORDING):
            if not filename.strip():
                raise InvalidRequest("a recording's file name is required", dialer=self.name)
            body = self._body(DOWNLOAD_RECORDING, [("FileName", filename)])
            reader = AnswerReader(audio_tag="audioData")
            head = b""  # the first bytes, held back until they show a RIFF/WAVE header
            checked = False
            async for audio in self._send(DOWNLOAD_RECORDING, body, reader):
                if not checked:
                    head += audio
                    if len(head) < WAV_HEADER_SIZE:
                        continue
                    self._check_wav(head)
                    audio, checked = head, True
                yield audio
            if not reader.audio_seen:
                raise DialerBadResponse(f"{self.name} answered without audioData", dialer=self.name)
            if not checked:
                self._check_wav(head)

    async def save_recording(self, filename: str, destination: str | os.PathLike[str]) -> int:
        """Stream the recording into ``destination``; return its size in bytes.

        It is written to ``<destination>.part`` first and renamed when complete, so a
        failed download never leaves a truncated file under the final name.
        """
        target = Path(destination)
        partial = target.with_name(target.name + ".part")
        handle = await asyncio.to_thread(partial.open, "wb")
        size = 0
        try:
            async for chunk in self.download_recording(filename):
                await asyncio.to_thread(handle.write, chunk)
                size += len(chunk)
        except BaseException:
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(partial.unlink, missing_ok=True)
            raise
        await asyncio.to_thread(handle.close)
        await asyncio.to_thread(partial.replace, target)
        return size

    # Checks made before anything is sent

    def _check_feed(
        self, list_name: str, campaign_name: str, contacts: Sequence[Contact], priority: int
    ) -> None:
        problem = None
        if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 10:
            problem = f"priority must be a whole number from 1 (highest) to 10, not {priority!r}"
        elif not list_name.strip() or not campaign_name.strip():
            problem = "a list name and a campaign name are required"
        elif not contacts:
            problem = "at least one contact is required"
        else:
            missing = [str(n) for n, c in enumerate(contacts, 1) if not c.phone_number.strip()]
            if missing:
                problem = f"contacts without a phone number: {', '.join(missing)}"
        if problem:
            raise InvalidRequest(problem, dialer=self.name)

    def _contact_of(self, lead: Lead) -> Contact:
        custom = {key.casefold(): value for key, value in lead.custom.items()}
        unknown = sorted(set(custom) - _LEAD_CUSTOM_KEYS)
        if unknown:
            raise InvalidRequest(
                f"Euphoria contacts have no field for {', '.join(unknown)}: "
                "use Custom1..Custom5, CrmTag or AssignedTo",
                dialer=self.name,
            )
        address = ", ".join(part for part in (lead.address, lead.city, lead.postal_code) if part)
        return Contact(
            phone_number=lead.phone,
            title=lead.title,
            first_name=lead.first_name,
            surname=lead.last_name,
            address=address,
            email=lead.email,
            notes=lead.notes,
            language=lead.language,
            custom1=custom.get("custom1", ""),
            custom2=custom.get("custom2", ""),
            custom3=custom.get("custom3", ""),
            custom4=custom.get("custom4", ""),
            custom5=custom.get("custom5", ""),
            crm_tag=custom.get("crmtag") or lead.vendor_lead_code,
            assigned_to=custom.get("assignedto", ""),
        )

    def _check_wav(self, head: bytes) -> None:
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise DialerBadResponse(
                f"{self.name} answered audioData that is not a WAV file",
                dialer=self.name,
                dialer_text=repr(head[:12]),
            )

    # Sending and reading

    def _redact(self, text: str) -> str:
        text = self.transport.redact(text)
        return text.replace(self._auth_code, REDACTED) if self._auth_code else text

    def _excerpt(self, raw: bytes) -> str:
        return self._redact(raw.decode("utf-8", errors="replace"))[:EXCERPT]

    def _body(self, action: str, nodes: Sequence[Node]) -> bytes:
        try:
            return request_body(self.tenant_name, self._auth_code, action, nodes)
        except UnsendableText as error:
            raise InvalidRequest(str(error), dialer=self.name) from None

    async def _send(self, action: str, body: bytes, reader: AnswerReader) -> AsyncIterator[bytes]:
        """POST ``body`` in one of the action's slots; yield the answer's audio, if any.

        A call refused as busy keeps its slot and is retried after a wait, as long as
        nothing was yielded; ``reader`` is reset for each attempt and, at the end, holds
        the answer that was accepted.
        """
        async with self._slots[action]:
            delays = self.backoff.delays()
            while True:
                reader.reset()
                yielded = False
                try:
                    async for audio in self._attempt(body, reader):
                        yielded = True
                        yield audio
                    return
                except ConcurrentCallsExceeded:
                    delay = next(delays, None)
                    if yielded or delay is None:
                        raise
                await asyncio.sleep(delay)

    async def _attempt(self, body: bytes, reader: AnswerReader) -> AsyncIterator[bytes]:
        limit = None if reader.audio_tag else ANSWER_LIMIT
        async with self.transport.stream("POST", self.path, data=body, headers=_HEADERS) as answer:
            keep = EXCERPT + len(self._auth_code)  # redacted first, then cut
            if answer.status != 200:
                raise DialerBadResponse(
                    f"{self.name} answered HTTP {answer.status}, not its documented 200: "
                    "check the endpoint's URL and path",
                    dialer=self.name,
                    dialer_text=self._excerpt(await answer.content.read(keep)),
                )
            head = bytearray()  # the answer's first bytes, to show in an error
            try:
                async for chunk in answer.content.iter_any():
                    head += chunk[: keep - len(head)]
                    if limit is not None:
                        limit -= len(chunk)
                        if limit < 0:
                            raise BadAnswer(f"more than {ANSWER_LIMIT} bytes without a recording")
                    if audio := reader.feed(chunk):
                        yield audio
                audio = reader.close()
            except BadAnswer as error:
                raise DialerBadResponse(
                    self._redact(f"{self.name} answered {error}"),
                    dialer=self.name,
                    dialer_text=self._excerpt(head),
                ) from None
            if audio:
                yield audio
        if reader.error is not None:
            raise error_for(self._redact(reader.error), dialer=self.name)
