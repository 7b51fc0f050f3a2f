"""Outbound safety: what a webhook may reach.

Only ``https`` URLs, or plain ``http`` to the hosts ``[integrations] allow_http_hosts``
names (for development). No loopback, link-local (169.254.x.x, including cloud metadata),
private, shared, multicast, reserved or unspecified address unless it is inside one of
``[integrations] allow_addresses``. The check is on the addresses a host name resolves
to, in the resolver of the session that then connects to exactly those (`GuardedResolver`),
so a name that resolves to 127.0.0.1 or 169.254.169.254 is refused too; redirects are
not followed and no proxy from the environment is used.
"""

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(OSError):
    """The webhook's URL or the address its host resolves to is not allowed."""


class OutboundPolicy:
    def __init__(self, allow_http_hosts: Sequence[str], allow_addresses: Sequence[str]) -> None:
        self._http_hosts = frozenset(host.lower() for host in allow_http_hosts)
        self._networks = tuple(ipaddress.ip_network(cidr) for cidr in allow_addresses)

    def check_url(self, url: str) -> URL:
        """The URL if its scheme and (literal) address may be used; else `UnsafeTarget`."""
        parsed = URL(url)
        host = (parsed.host or "").lower()
        if not parsed.is_absolute() or not host:
            raise UnsafeTarget(f"{url!r} is not an absolute URL")
        if parsed.scheme == "http" and host not in self._http_hosts:
            raise UnsafeTarget(
                f"plain http to {host} is not allowed: use https, or list the host in"
                " [integrations] allow_http_hosts"
            )
        if parsed.scheme not in ("http", "https"):
            raise UnsafeTarget(f"{parsed.scheme}: URLs are not allowed: use https")
        if parsed.user or parsed.password:
            raise UnsafeTarget("put credentials in the webhook's group, not in its URL")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            return parsed  # a name: its addresses are checked when it is resolved
        self.check_address(literal)
        return parsed

    def check_address(self, address: Address) -> None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if any(address in network for network in self._networks):
            return
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget(
                f"address {address} is not public (loopback, private, link-local or"
                " reserved): list it in [integrations] allow_addresses to allow it"
            )


class GuardedResolver(AbstractResolver):
    """Resolves as usual, then keeps only the addresses the policy allows."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        self._resolver = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._resolver.resolve(host, port, family)
        for result in found:
            self._policy.check_address(ipaddress.ip_address(result["host"]))
        return found

    async def close(self) -> None:
        await self._resolver.close()


def guarded_session(policy: OutboundPolicy, **options: Any) -> aiohttp.ClientSession:
    """A client session that connects only where ``policy`` allows. Its connections are
    not limited (aiohttp's default is 100): the delivery worker bounds its requests
    (``[integrations] concurrency``, up to 1000), and a shared limit would let one
    tenant's stuck requests make another's wait for a connection."""
    connector = aiohttp.TCPConnector(resolver=GuardedResolver(policy), use_dns_cache=False, limit=0)
    return aiohttp.ClientSession(connector=connector, trust_env=False, **options)


def unsafe_reason(error: BaseException) -> str | None:
    """The policy's refusal inside a client error, if that is what it is."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, UnsafeTarget):
            return str(seen)
        seen = getattr(seen, "os_error", None) or seen.__cause__ or seen.__context__
    return None
