"""Outbound safety: what a webhook may reach.

Only ``https`` URLs, or plain ``http`` to the hosts ``[integrations] allow_http_hosts``
names (for development). No loopback, link-local (169.254.x.x, including cloud metadata),
private, shared, multicast, reserved or unspecified address unless it is inside one of
``[integrations] allow_addresses``; an IPv6 address that carries an IPv4 one (mapped,
compatible, NAT64, 6to4, Teredo) is refused when that IPv4 address is. The check is on
the addresses a host name resolves to, in the resolver of the session that then
connects to exactly those (`GuardedResolver`), so a name that resolves to 127.0.0.1 or
169.254.169.254 is refused too; redirects are not followed and no proxy from the
environment is used. A Browser Window's URL, which only the agent's browser opens, is
checked by `check_browser_url` instead.
"""

import ipaddress
import re
import socket
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


HOST_NAME = re.compile(
    r"(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?"
)
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and may reach: IPv4-mapped
    (``::ffff:a.b.c.d``), IPv4-compatible (``::a.b.c.d``), NAT64 (``64:ff9b::a.b.c.d``),
    6to4 (``2002:…``) or Teredo (its client)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in (*NAT64, IPV4_COMPATIBLE)):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


class UnsafeTarget(OSError):
    """The webhook's URL or the address its host resolves to is not allowed."""


class OutboundPolicy:
    def __init__(self, allow_http_hosts: Sequence[str], allow_addresses: Sequence[str]) -> None:
        self._http_hosts = frozenset(host.lower() for host in allow_http_hosts)
        self._networks = tuple(ipaddress.ip_network(cidr) for cidr in allow_addresses)

    def check_url(self, url: str) -> URL:
        """The URL if its scheme and (literal) address may be used; else `UnsafeTarget`."""
        try:
            parsed = URL(url)
        except ValueError as error:
            raise UnsafeTarget(f"the URL is not valid: {error}") from None
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
            if not HOST_NAME.fullmatch(parsed.raw_host or ""):
                raise UnsafeTarget(
                    f"the URL's host {parsed.raw_host!r} is no host name: fill it in with"
                    " letters, digits, '-' and '.' only"
                ) from None
            return parsed  # a name: its addresses are checked when it is resolved
        self.check_address(literal)
        return parsed

    def check_address(self, address: Address) -> None:
        embedded = embedded_ipv4(address)
        if embedded is not None:
            self.check_address(embedded)  # the IPv4 address such an IPv6 address reaches
            if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
                return
        if any(address in network for network in self._networks):
            return
        if not address.is_global or address.is_multicast:
            raise UnsafeTarget(
                f"address {address} is not public (loopback, private, link-local or"
                " reserved): list it in [integrations] allow_addresses to allow it"
            )


def check_browser_url(url: str) -> None:
    """A Browser Window's URL, which the agent's browser opens (the bridge never fetches
    it, so the address policy does not apply): an absolute http(s) URL without
    credentials; else `UnsafeTarget`."""
    try:
        parsed = URL(url)
    except ValueError as error:
        raise UnsafeTarget(f"the URL is not valid: {error}") from None
    if not parsed.is_absolute() or parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeTarget(f"{url!r} is not an absolute http or https URL")
    if parsed.user or parsed.password:
        raise UnsafeTarget("a Browser Window URL may not carry credentials")


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
