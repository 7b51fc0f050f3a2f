"""The registry of dialer kinds, and building an audited adapter from settings.

Each kind is one package (`bridge.rest`, `bridge.elision`, `bridge.euphoria`) with its
settings model and its adapter class, whose ``kind`` and traits the server asks here;
`DialerSettings` is the union of the settings models, told apart by ``kind``, which the
server's configuration reads. A new kind is added to both (docs/adding-a-dialer.md).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import aiohttp
from pydantic import Field

from bridge.audit import AuditedAdapter, AuditSink
from bridge.elision import ElisionAdapter, ElisionSettings
from bridge.euphoria import EuphoriaAdapter, EuphoriaSettings
from bridge.events import EventPush
from bridge.interface import DialerAdapter, DialerTraits, offers
from bridge.login_breaker import LoginBreakers
from bridge.rest import RestAdapter, RestSettings
from bridge.settings import DialerSettingsBase
from bridge.transport import DialerTransport

DialerSettings = Annotated[
    RestSettings | ElisionSettings | EuphoriaSettings, Field(discriminator="kind")
]
ADAPTERS: dict[str, type[DialerAdapter]] = {
    adapter.kind: adapter for adapter in (RestAdapter, ElisionAdapter, EuphoriaAdapter)
}
DIALER_KINDS = tuple(ADAPTERS)  # the kinds the configuration's schema reads


def adapter_class(kind: str) -> type[DialerAdapter]:
    """The adapter class of dialers of ``kind`` (its traits are its kind's defaults)."""
    return ADAPTERS[kind]


def kind_offers(kind: str, operation: str) -> bool:
    """Whether dialers of ``kind`` can do ``operation`` (``originate``, ...) at all."""
    return offers(ADAPTERS[kind], operation)


def kinds_pushing(way: type[EventPush]) -> tuple[str, ...]:
    """The kinds of dialer that push events ``way`` (`bridge.UrlPush`, `bridge.WebhookPush`)."""
    return kinds_where(lambda traits: isinstance(traits.event_push, way))


def titles_pushing(way: type[EventPush]) -> str:
    """Their titles, for a message: ``REST``, ``REST or Acme``."""
    return " or ".join(ADAPTERS[kind].traits.title for kind in kinds_pushing(way))


def kinds_where(trait: Callable[[DialerTraits], bool]) -> tuple[str, ...]:
    """The kinds of dialer whose traits (their kind's defaults) satisfy ``trait``."""
    return tuple(kind for kind, adapter in ADAPTERS.items() if trait(adapter.traits))


@contextmanager
def registered(adapter: type[DialerAdapter]) -> Iterator[None]:
    """``adapter``'s kind known to the registry while the block runs (for a kind defined
    outside the bridge: a test's fake dialer, whose settings the configuration's schema
    does not know, so they are put into a configuration in code)."""
    if adapter.kind in ADAPTERS:
        raise ValueError(f"a dialer kind {adapter.kind!r} is registered already")
    ADAPTERS[adapter.kind] = adapter
    try:
        yield
    finally:
        del ADAPTERS[adapter.kind]


def build_adapter(
    settings: DialerSettingsBase,
    session: aiohttp.ClientSession,
    audit: AuditSink,
    *,
    name: str | None = None,
    breakers: LoginBreakers | None = None,
) -> DialerAdapter:
    """The adapter for ``settings`` (of a registered kind) over ``session``, each
    operation audited into ``audit``.

    ``name`` is the dialer's name in errors and the audit log (default: its kind);
    ``breakers`` remember the logins dialers refused, for every adapter that shares them
    (the server's tenants share one)."""
    kind = settings.kind
    transport = DialerTransport(
        dialer=name or kind,
        session=session,
        base_url=settings.base_url,
        budgets=settings.budgets(),
        redactor=settings.redactor(),
    )
    return AuditedAdapter(ADAPTERS[kind](transport, settings, breakers=breakers), audit)
