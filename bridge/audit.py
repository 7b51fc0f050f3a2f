"""What the bridge tells the audit log about each call to a dialer.

The adapters time every operation and hand an `AuditEntry` to a sink; the server's
sink stores it. Who caused the call (tenant, user) travels in a context variable set by
the server around each request, so adapters need not thread it through every call.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from bridge.errors import DialerError


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


@contextmanager
def audited(sink: AuditSink | None, dialer: str, action: str) -> Iterator[None]:
    """Record one dialer operation: its duration, and ``ok`` or the error's code and text."""
    started = time.perf_counter()
    outcome, error_text = "ok", None
    try:
        yield
    except DialerError as error:
        outcome, error_text = error.code, error.dialer_text or error.message
        raise
    except Exception as error:
        outcome, error_text = "internal_error", type(error).__name__
        raise
    finally:
        if sink is not None:
            actor = current_actor.get()
            sink(
                AuditEntry(
                    at=time.time(),
                    tenant=actor.tenant,
                    user=actor.user,
                    dialer=dialer,
                    action=action,
                    duration_ms=(time.perf_counter() - started) * 1000,
                    outcome=outcome,
                    error_text=error_text,
                )
            )
