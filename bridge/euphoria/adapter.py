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
- Errors. Every text of the Error Reference has its own class
  (`bridge.euphoria.error_reference`), both spellings of "Incorrect Input Parameters…"
  included; an unknown text is a `DialerRejected` quoting it.
- Limits. At most 3 calls of one action are in flight per adapter (the rest queue). A
  call refused with "Concurrent API Calls Exceeded" was not carried out, so every action
  may be retried: the call keeps its slot and the busy retry policy (`bridge.retry`)
  repeats it after full-jitter exponential waits, as long as no audio was handed out,
  then raises `ConcurrentCallsExceeded` (a `DialerBusy`).
- Priority belongs to a trickle feed, not to a contact: one batch of leads is one call,
  so its leads share a priority (`lead_batching` groups them so).
- Cache. The spec lets the dialer's answers be up to 30 s old; it obliges no client
  cache. Recordings are not cached: they are large, a finished call's recording does
  not change, and a cache would hold the audio whole, the very thing streaming avoids.
"""

import asyncio
import contextlib
import os
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bridge.errors import DialerBadResponse, InvalidRequest
from bridge.euphoria import events
from bridge.euphoria.answers import AnswerReader, BadAnswer
from bridge.euphoria.error_reference import ConcurrentCallsExceeded, error_for
from bridge.euphoria.requests import Contact, Node, UnsendableText, contact_nodes, request_body
from bridge.euphoria.settings import EuphoriaSettings
from bridge.events import WebhookPush
from bridge.interface import (
    DialerAdapter,
    DialerList,
    DialerTraits,
    Lead,
    LeadBatching,
    LeadOutcome,
)
from bridge.login_breaker import LoginBreakers
from bridge.retry import BUSY, RetryPolicy
from bridge.transport import REDACTED, DialerTransport

TRICKLE_FEED = "DialerTrickleFeed"
DOWNLOAD_RECORDING = "DownloadCallRecordingByFilename"
CONCURRENT_CALLS = 3  # per action, spec 000
DEFAULT_PRIORITY = 5
ANSWER_LIMIT = 1024 * 1024  # bytes of an answer that carries no recording
WAV_HEADER_SIZE = 12  # "RIFF", the size, "WAVE"
EXCERPT = 200  # characters of a malformed answer kept in its error
_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}

# Lead.custom keys (case-insensitive) that have a Contact tag of their own.
_LEAD_CUSTOM_KEYS = {"custom1", "custom2", "custom3", "custom4", "custom5", "crmtag", "assignedto"}


@dataclass(frozen=True, slots=True)
class TrickleFeedResult:
    contacts: int
    answer: dict[str, str]  # the answer's child elements and their texts


def lead_priority(lead: Lead) -> int:
    """The trickle feed priority a lead is sent with (5 when unset)."""
    return lead.priority or DEFAULT_PRIORITY


class EuphoriaAdapter(DialerAdapter):
    """Traits: three batches of one export in flight (its limit of concurrent calls per
    action, spec 000); the trickle feed has no duplicate check; events come by the
    Integration Centre's webhooks (`bridge.euphoria.events`)."""

    kind = name = "euphoria"
    traits = DialerTraits(
        title="Euphoria",
        export_concurrency=CONCURRENT_CALLS,
        event_push=WebhookPush(events.read, events.WEBHOOK_PARAMETERS, events.MAX_PARAMETERS),
    )
    lead_batching = LeadBatching(max_leads=500, group=lead_priority)

    def __init__(
        self,
        transport: DialerTransport,
        settings: EuphoriaSettings,
        *,
        retry: RetryPolicy = BUSY,
        breakers: LoginBreakers | None = None,
    ) -> None:
        self.transport = transport
        self.name = transport.dialer
        self.tenant_name = settings.tenant_name
        self._auth_code = settings.auth_code.get_secret_value()
        self.path = settings.path
        self.retry = retry
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
        self._check_feed(list_name, campaign_name, contacts, priority)
        nodes: list[Node] = [
            ("ListName", list_name),
            ("CampaignName", campaign_name),
            ("DataSource", data_source),
            ("priority", str(priority)),
            ("ContactsList", [("Contact", contact_nodes(c)) for c in contacts]),
        ]
        reader = AnswerReader()
        async for _ in self._send(TRICKLE_FEED, self._body(TRICKLE_FEED, nodes), reader):
            pass  # an answer without a recording yields nothing
        return TrickleFeedResult(contacts=len(contacts), answer=dict(reader.fields))

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        """Trickle-feed one batch into the list (by name) of ``dialer_list.campaign``.

        ``Lead.custom`` may fill Custom1..Custom5, CrmTag and AssignedTo (keys matched
        without regard to case); CrmTag defaults to ``vendor_lead_code``; any other key is
        refused rather than dropped. The leads of a batch share one priority.
        """
        if not leads:
            return []
        priorities = {lead_priority(lead) for lead in leads}
        if len(priorities) > 1:
            raise InvalidRequest(
                "a trickle feed has one priority: send leads of each priority apart",
                dialer=self.name,
            )
        list_name = dialer_list.name or dialer_list.list_id
        contacts = [self._contact_of(lead) for lead in leads]
        await self.trickle_feed(
            list_name, dialer_list.campaign, contacts, priority=priorities.pop()
        )
        added = f"added to {dialer_list.campaign}/{list_name}"
        return [LeadOutcome(lead.phone.digits, "added", added) for lead in leads]

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        """Leads go into a list named in a campaign; the API creates no list."""
        if create:
            raise InvalidRequest(
                "Euphoria's API creates no lists: name an existing list and its campaign",
                dialer=self.name,
            )
        if not (dialer_list.name or dialer_list.list_id).strip():
            raise InvalidRequest("a list name is required (Euphoria names lists)", dialer=self.name)
        if not dialer_list.campaign.strip():
            raise InvalidRequest("a campaign name is required", dialer=self.name)

    async def download_recording(self, filename: str) -> AsyncGenerator[bytes]:
        """``DownloadCallRecordingByFilename``: the decoded WAV, in pieces as they arrive."""
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
            phone_number=lead.phone.digits,
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
                dialer_text=self._redact(repr(head[:12])),
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

    async def _send(self, action: str, body: bytes, reader: AnswerReader) -> AsyncGenerator[bytes]:
        """POST ``body`` in one of the action's slots; yield the answer's audio, if any.

        A call refused as busy keeps its slot and is repeated by the retry policy, as
        long as nothing was yielded; ``reader`` is reset for each attempt and, at the
        end, holds the answer that was accepted.
        """
        async with self._slots[action]:
            pieces = await self.retry.call(
                lambda: self._first_piece(action, body, reader), retry_on=ConcurrentCallsExceeded
            )
            async with contextlib.aclosing(pieces):
                async for audio in pieces:
                    yield audio

    async def _first_piece(
        self, action: str, body: bytes, reader: AnswerReader
    ) -> AsyncGenerator[bytes]:
        """One attempt, read up to its first piece of audio (or its end, or its error)."""
        reader.reset()
        attempt = self._attempt(action, body, reader)
        try:
            first = await anext(attempt)
        except StopAsyncIteration:
            return _pieces(None, attempt)
        except BaseException:
            await attempt.aclose()
            raise
        return _pieces(first, attempt)

    async def _attempt(
        self, action: str, body: bytes, reader: AnswerReader
    ) -> AsyncGenerator[bytes]:
        limit = None if reader.audio_tag else ANSWER_LIMIT
        async with self.transport.stream(
            "POST",
            self.path,
            data=body,
            headers=_HEADERS,
            audit_as=action,
            changes=action != DOWNLOAD_RECORDING,
        ) as answer:
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
                    dialer_text=self._excerpt(bytes(head)),
                ) from None
            if audio:
                yield audio
        if reader.error is not None:
            raise error_for(self._redact(reader.error), dialer=self.name)


async def _pieces(first: bytes | None, rest: AsyncGenerator[bytes]) -> AsyncGenerator[bytes]:
    """``first`` (if any), then what ``rest`` yields; ``rest`` is closed at the end."""
    async with contextlib.aclosing(rest):
        if first is not None:
            yield first
        async for piece in rest:
            yield piece
