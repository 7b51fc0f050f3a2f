"""The dialer kinds the bridge knows, and building an audited adapter from settings.

Each kind is one package (`bridge.rest`, `bridge.elision`, `bridge.euphoria`) with its
own settings model and adapter; `DialerSettings` is the union of the settings models,
told apart by ``kind``.
"""

from typing import Annotated

import aiohttp
from pydantic import Field

from bridge.audit import AuditedAdapter, AuditSink
from bridge.elision import ElisionAdapter, ElisionSettings
from bridge.euphoria import EuphoriaAdapter, EuphoriaSettings
from bridge.interface import DialerAdapter, offers
from bridge.login_breaker import LoginBreakers
from bridge.rest import RestAdapter, RestSettings
from bridge.transport import DialerTransport

DialerSettings = Annotated[
    RestSettings | ElisionSettings | EuphoriaSettings, Field(discriminator="kind")
]
ADAPTERS: dict[str, type[RestAdapter | ElisionAdapter | EuphoriaAdapter]] = {
    "rest": RestAdapter,
    "elision": ElisionAdapter,
    "euphoria": EuphoriaAdapter,
}
DIALER_KINDS = tuple(ADAPTERS)


def kind_offers(kind: str, operation: str) -> bool:
    """Whether dialers of ``kind`` can do ``operation`` (``originate``, ...) at all."""
    return offers(ADAPTERS[kind], operation)


def build_adapter(
    settings: RestSettings | ElisionSettings | EuphoriaSettings,
    session: aiohttp.ClientSession,
    audit: AuditSink,
    *,
    name: str | None = None,
    breakers: LoginBreakers | None = None,
) -> DialerAdapter:
    """The adapter for ``settings`` over ``session``, each operation audited into ``audit``.

    ``name`` is the dialer's name in errors and the audit log (default: its kind);
    ``breakers`` remember the logins dialers refused, for every adapter that shares them
    (the server's tenants share one)."""
    transport = DialerTransport(
        dialer=name or settings.kind,
        session=session,
        base_url=settings.base_url,
        budgets=settings.budgets(),
        redactor=settings.redactor(),
    )
    if isinstance(settings, ElisionSettings):
        adapter: DialerAdapter = ElisionAdapter(transport, settings, breakers=breakers)
    else:
        adapter = ADAPTERS[settings.kind](transport, settings)  # type: ignore[arg-type]
    return AuditedAdapter(adapter, audit)
