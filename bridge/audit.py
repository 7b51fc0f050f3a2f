"""What the bridge tells the audit log about each call to a dialer, written in one place.

`AuditedAdapter` wraps every adapter the bridge builds: each call of an interface
operation writes one `AuditEntry` whose ``action`` is the operation's name
(``originate``, ``create_user``, ``create_list``, ``add_leads``, ...), the same for every
dialer, and whose ``detail`` names what the dialer was asked, in its own terms
(``add_list``, ``DialerTrickleFeed``, ``POST /api/phone_list``), as the transport noted
it. A streamed recording is one entry covering the whole stream.

Who caused the call (tenant, user) travels in a context variable set by the server
around each request, so adapters need not thread it through every call.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from bridge.errors import DialerError, NotSupported
from bridge.interface import (
    DialerAdapter,
    DialerList,
    DialerUser,
    Lead,
    LeadBatching,
    LeadOutcome,
    OriginateRequest,
    OriginateResult,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    tenant: str
    user: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    tenant: str
    user: str
    dialer: str
    action: str
    duration_ms: float
    outcome: str
    error_text: str | None
    detail: str | None = None


AuditSink = Callable[[AuditEntry], None]

NOBODY = Actor("-", "-")
current_actor: ContextVar[Actor] = ContextVar("current_actor", default=NOBODY)

# The dialer functions called so far by the operation being audited in this task.
_dialer_calls: ContextVar[list[str] | None] = ContextVar("dialer_calls", default=None)


def note_dialer_call(name: str) -> None:
    """Name a request about to reach the dialer in the current operation's entry."""
    calls = _dialer_calls.get()
    if calls is not None and name not in calls:
        calls.append(name)


@contextmanager
def _noting(calls: list[str]) -> Iterator[None]:
    token = _dialer_calls.set(calls)
    try:
        yield
    finally:
        _dialer_calls.reset(token)


class AuditedAdapter(DialerAdapter):
    """``inner`` with one audit entry per interface call, handed to ``sink``.

    An operation the dialer does not offer reaches no dialer and writes no entry."""

    def __init__(self, inner: DialerAdapter, sink: AuditSink) -> None:
        self.inner = inner
        self.name = inner.name
        self._sink = sink

    @property
    def lead_batching(self) -> LeadBatching:  # type: ignore[override]
        return self.inner.lead_batching

    async def originate(self, request: OriginateRequest) -> OriginateResult:
        return await self._run("originate", lambda: self.inner.originate(request))

    async def create_user(self, user: DialerUser) -> str:
        return await self._run("create_user", lambda: self.inner.create_user(user))

    async def update_user(self, user: DialerUser) -> str:
        return await self._run("update_user", lambda: self.inner.update_user(user))

    async def delete_user(self, username: str) -> str:
        return await self._run("delete_user", lambda: self.inner.delete_user(username))

    async def user_id(self, username: str) -> str:
        return await self._run("user_id", lambda: self.inner.user_id(username))

    async def create_list(self, dialer_list: DialerList) -> DialerList:
        return await self._run("create_list", lambda: self.inner.create_list(dialer_list))

    async def active_lists(self) -> list[DialerList]:
        return await self._run("active_lists", self.inner.active_lists)

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        self.inner.check_export_target(dialer_list, create=create)  # sends nothing

    async def add_leads(self, dialer_list: DialerList, leads: list[Lead]) -> list[LeadOutcome]:
        return await self._run("add_leads", lambda: self.inner.add_leads(dialer_list, leads))

    async def check_in(self, user_id: str, device_id: str | None = None) -> str | None:
        return await self._run("check_in", lambda: self.inner.check_in(user_id, device_id))

    async def check_out(self, user_id: str) -> None:
        return await self._run("check_out", lambda: self.inner.check_out(user_id))

    async def pause(self, user_id: str, pause_id: int) -> None:
        return await self._run("pause", lambda: self.inner.pause(user_id, pause_id))

    async def resume(self, user_id: str) -> None:
        return await self._run("resume", lambda: self.inner.resume(user_id))

    async def set_queues(self, user_id: str, queue_ids: Sequence[str]) -> None:
        return await self._run("set_queues", lambda: self.inner.set_queues(user_id, queue_ids))

    async def wrapup(self, user_id: str, seconds: int | None = None) -> None:
        return await self._run("wrapup", lambda: self.inner.wrapup(user_id, seconds))

    async def download_recording(self, filename: str) -> AsyncGenerator[bytes]:
        with self._entry("download_recording") as calls:
            chunks = self.inner.download_recording(filename)
            try:
                while True:
                    with _noting(calls):
                        try:
                            chunk = await anext(chunks)
                        except StopAsyncIteration:
                            break
                    yield chunk
            finally:
                await chunks.aclose()

    async def _run(self, action: str, call: Callable[[], Awaitable[T]]) -> T:
        with self._entry(action) as calls, _noting(calls):
            return await call()

    @contextmanager
    def _entry(self, action: str) -> Iterator[list[str]]:
        """Time one operation; write its entry with ``ok`` or the error's code and text."""
        started = time.perf_counter()
        calls: list[str] = []
        outcome, error_text = "ok", None
        try:
            yield calls
        except NotSupported:
            outcome = ""  # nothing was sent: nothing to record
            raise
        except DialerError as error:
            outcome, error_text = error.code, error.dialer_text or error.message
            raise
        except (asyncio.CancelledError, GeneratorExit):
            outcome = "cancelled"
            raise
        except Exception as error:
            outcome, error_text = "internal_error", type(error).__name__
            raise
        finally:
            if outcome:
                self._write(action, started, outcome, error_text, calls)

    def _write(
        self, action: str, started: float, outcome: str, error_text: str | None, calls: list[str]
    ) -> None:
        actor = current_actor.get()
        self._sink(
            AuditEntry(
                at=time.time(),
                tenant=actor.tenant,
                user=actor.user,
                dialer=self.name,
                action=action,
                duration_ms=(time.perf_counter() - started) * 1000,
                outcome=outcome,
                error_text=error_text,
                detail=", ".join(calls) or None,
            )
        )
