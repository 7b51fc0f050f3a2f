"""Builds each tenant's dialer adapters from configuration, sharing one HTTP client and
what dialers said of their logins (`bridge.LoginBreakers`, kept in the database by the
server: `server.login_refusals`)."""

import aiohttp

from bridge import AuditSink, DialerAdapter, LoginBreakers, RefusalStore, build_adapter
from server.config import ServerConfig


class UnknownDialer(LookupError):
    pass


class DialerRegistry:
    """``registry.get(tenant_id, dialer_name)`` → the (audited) adapter configured for it."""

    def __init__(
        self,
        config: ServerConfig,
        session: aiohttp.ClientSession,
        audit: AuditSink,
        refusals: RefusalStore | None = None,
    ) -> None:
        """``refusals`` share the dialers' login refusals with other processes."""
        breakers = LoginBreakers(store=refusals)
        self._adapters = {
            (tenant.id, name): build_adapter(settings, session, audit, name=name, breakers=breakers)
            for tenant in config.tenants.values()
            for name, settings in tenant.dialers.items()
        }

    def get(self, tenant_id: str, name: str) -> DialerAdapter:
        try:
            return self._adapters[tenant_id, name]
        except KeyError:
            raise UnknownDialer(f"tenant {tenant_id} has no dialer named {name!r}") from None

    def of_tenant(self, tenant_id: str) -> dict[str, DialerAdapter]:
        return {name: a for (tenant, name), a in self._adapters.items() if tenant == tenant_id}
