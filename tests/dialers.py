"""Adapters and leads for tests: real transports over real sessions, fast retries."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import aiohttp
from aiohttp.test_utils import TestServer

from bridge.audit import AuditedAdapter, AuditEntry
from bridge.interface import DialerAdapter, Lead
from bridge.phone import normalise
from bridge.redaction import Redactor
from bridge.rest import RestAdapter, RestSettings
from bridge.retry import RetryPolicy
from bridge.transport import Budgets, DialerTransport

AdapterT = TypeVar("AdapterT", bound=DialerAdapter)

# The production policies, with waits short enough for tests.
FAST_READS = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.02)
FAST_BUSY = RetryPolicy(attempts=4, first_delay=0.01, max_delay=0.05)


def transport(
    session: aiohttp.ClientSession,
    base_url: str,
    *,
    dialer: str,
    timeout: float = 5.0,
    secrets: Iterable[str] = (),
) -> DialerTransport:
    return DialerTransport(
        dialer=dialer,
        session=session,
        base_url=base_url,
        budgets=Budgets(answer=timeout),
        redactor=Redactor(secrets),
    )


def rest_adapter(
    session: aiohttp.ClientSession, base_url: str, *, api_key: str, timeout: float = 5.0
) -> RestAdapter:
    """A REST adapter whose transport redacts ``api_key``."""
    settings = RestSettings(base_url=base_url, api_key=api_key, timeout=timeout)
    return RestAdapter(
        transport(session, base_url, dialer="rest", timeout=timeout, secrets=settings.secrets()),
        settings,
        retry=FAST_READS,
    )


def lead(number: str, **fields: object) -> Lead:
    """A lead whose phone is ``number``, E.164 digits with or without '+'."""
    return Lead(normalise("+" + number.lstrip("+")), **fields)  # type: ignore[arg-type]


@dataclass
class SimulatorRig(Generic[AdapterT]):
    """An adapter over a simulator on a real port, the audit entries it wrote, and a
    client for the simulator's ``/_sim`` endpoints."""

    adapter: AdapterT
    audit: list[AuditEntry]
    server: TestServer
    session: aiohttp.ClientSession

    @property
    def audited(self) -> AuditedAdapter:
        """The adapter as the bridge wraps it: each interface call audited."""
        return AuditedAdapter(self.adapter, self.audit.append)

    async def sim(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(method, self.server.make_url(path), **kwargs) as reply:
            assert reply.status < 300, await reply.text()
            return await reply.json()
