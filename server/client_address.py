"""The address of a request's client, for login throttles, ``event_push_sources`` and the
access log. Behind a load balancer the connecting peer is the balancer, so when the peer
is one of ``[server] trusted_proxies`` the client is read from the ``Forwarded`` header
(RFC 7239), else ``X-Forwarded-For``: the right-most address that is not itself a
trusted proxy (addresses further left could have been written by the client). From any
other peer these headers are ignored, so a client cannot choose its own address.
"""

import ipaddress
import re

from aiohttp import web

from server.keys import CONFIG

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_FOR = re.compile(r'for="?\[?([^;,"\]]+)', re.IGNORECASE)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.count(":") == 1:  # "192.0.2.7:4711": drop the port
        text = text.split(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _forwarded_chain(request: web.Request) -> list[str]:
    """The addresses the proxies recorded, the client's first."""
    forwarded = ",".join(request.headers.getall("Forwarded", []))
    if forwarded:
        return _FOR.findall(forwarded)
    chain = ",".join(request.headers.getall("X-Forwarded-For", []))
    return [part for part in chain.split(",") if part.strip()]


def client_address(request: web.Request) -> str:
    """The client's address as text ("-" when unknown)."""
    peer = request.remote or "-"
    config = request.config_dict.get(CONFIG)  # None in an app without one (a simulator)
    trusted = config.server.trusted_proxies if config is not None else ()
    if not trusted:
        return peer
    address = _address(peer)
    if address is None or not any(address in network for network in trusted):
        return peer
    for hop in reversed(_forwarded_chain(request)):
        address = _address(hop)
        if address is None:
            break
        if not any(address in network for network in trusted):
            return str(address)
    return peer if address is None else str(address)
