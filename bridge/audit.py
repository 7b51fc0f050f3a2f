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
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from bridge.errors import DialerError, NotSupported
from bridge.interface import DialerAdapter, DialerList, LeadBatching

T = TypeVar("T")
P = ParamSpec("P")


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


class _Audited(Generic[P, T]):
    """An interface operation of `AuditedAdapter`: the inner adapter's operation of the
    same name, run inside its audit entry.

    Declared once per operation, from `DialerAdapter`'s own method, so mypy checks each
    against the interface's signature (a ``__getattr__`` forwarding them all would be
    typed ``Any``), and the action recorded is the operation's name."""

    def __init__(
        self, operation: Callable[Concatenate[DialerAdapter, P], Coroutine[Any, Any, T]]
    ) -> None:
        self.action = operation.__name__

    @overload
    def __get__(self, adapter: None, owner: type[DialerAdapter]) -> Self: ...

    @overload
    def __get__(
        self, adapter: "AuditedAdapter", owner: type[DialerAdapter]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...

    def __get__(
        self, adapter: "AuditedAdapter | None", owner: type[DialerAdapter]
    ) -> "Self | Callable[P, Coroutine[Any, Any, T]]":
        if adapter is None:
            return self
        operation: Callable[P, Coroutine[Any, Any, T]] = getattr(adapter.inner, self.action)
        run = adapter.run

        async def audited(*args: P.args, **kwargs: P.kwargs) -> T:
            return await run(self.action, lambda: operation(*args, **kwargs))

        return audited


class AuditedAdapter(DialerAdapter):
    """``inner`` with one audit entry per interface call, handed to ``sink``; its kind,
    name, traits and batching are ``inner``'s.

    Each coroutine operation is one line, ``_Audited(DialerAdapter.<operation>)``: typed
    by the interface (mypy refuses a line naming the wrong one) where a generic
    ``__getattr__`` would be typed ``Any`` and never reached (the interface defines every
    operation). The streamed recording and the check that sends nothing are written out.
    An operation the dialer does not offer reaches no dialer and writes no entry."""

    def __init__(self, inner: DialerAdapter, sink: AuditSink) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.name = inner.name
        self.traits = inner.traits
        self._sink = sink

    @property
    def lead_batching(self) -> LeadBatching:  # type: ignore[override]
        return self.inner.lead_batching

    originate = _Audited(DialerAdapter.originate)
    create_user = _Audited(DialerAdapter.create_user)
    update_user = _Audited(DialerAdapter.update_user)
    delete_user = _Audited(DialerAdapter.delete_user)
    user_id = _Audited(DialerAdapter.user_id)
    create_list = _Audited(DialerAdapter.create_list)
    active_lists = _Audited(DialerAdapter.active_lists)
    add_leads = _Audited(DialerAdapter.add_leads)
    check_in = _Audited(DialerAdapter.check_in)
    check_out = _Audited(DialerAdapter.check_out)
    pause = _Audited(DialerAdapter.pause)
    resume = _Audited(DialerAdapter.resume)
    set_queues = _Audited(DialerAdapter.set_queues)
    wrapup = _Audited(DialerAdapter.wrapup)

    def check_export_target(self, dialer_list: DialerList, *, create: bool) -> None:
        self.inner.check_export_target(dialer_list, create=create)  # sends nothing

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

    async def run(self, action: str, call: Callable[[], Awaitable[T]]) -> T:
        """``call``, the operation ``action`` of the inner adapter, in its audit entry."""
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
