"""Builds each tenant's dialer adapters from configuration, sharing one HTTP client."""

from collections.abc import Callable

import aiohttp

from bridge.audit import AuditSink
from bridge.elision import ElisionAdapter
from bridge.euphoria import EuphoriaAdapter
from bridge.interface import DialerAdapter
from bridge.rest import RestAdapter, RestClient
from bridge.transport import DialerTransport
from server.config import DialerConfig, ServerConfig

AdapterFactory = Callable[[DialerConfig, DialerTransport], DialerAdapter]


def _rest(config: DialerConfig, transport: DialerTransport) -> DialerAdapter:
    return RestAdapter(RestClient(transport, api_key=config.secrets["api_key"]))


def _euphoria(config: DialerConfig, transport: DialerTransport) -> DialerAdapter:
    return EuphoriaAdapter(
        transport,
        tenant_name=str(config.settings["tenant_name"]),
        auth_code=config.secrets["auth_code"],
        path=str(config.settings.get("path", "/api/")),
    )


def _elision(config: DialerConfig, transport: DialerTransport) -> DialerAdapter:
    path = config.settings.get("path")
    return ElisionAdapter(
        transport,
        api_user=str(config.settings["api_user"]),
        api_pass=config.secrets["api_pass"],
        source=str(config.settings.get("source", "crmbridge")),
        flavour=str(config.settings.get("flavour", "elision")),
        path=str(path) if path else None,
    )


FACTORIES: dict[str, AdapterFactory] = {
    "rest": _rest,
    "euphoria": _euphoria,
    "elision": _elision,
}


class UnknownDialer(LookupError):
    pass


class DialerRegistry:
    """``registry.get(tenant_id, dialer_name)`` → the adapter configured for it."""

    def __init__(
        self, config: ServerConfig, session: aiohttp.ClientSession, audit: AuditSink | None
    ) -> None:
        self._adapters: dict[tuple[str, str], DialerAdapter] = {}
        for tenant in config.tenants.values():
            for name, dialer in tenant.dialers.items():
                transport = DialerTransport(
                    dialer=name,
                    session=session,
                    base_url=dialer.base_url,
                    timeout_seconds=dialer.timeout_seconds,
                    secrets=dialer.secrets.values(),
                    audit=audit,
                )
                self._adapters[tenant.id, name] = FACTORIES[dialer.kind](dialer, transport)

    def get(self, tenant_id: str, name: str) -> DialerAdapter:
        try:
            return self._adapters[tenant_id, name]
        except KeyError:
            raise UnknownDialer(f"tenant {tenant_id} has no dialer named {name!r}") from None

    def of_tenant(self, tenant_id: str) -> dict[str, DialerAdapter]:
        return {name: a for (tenant, name), a in self._adapters.items() if tenant == tenant_id}
