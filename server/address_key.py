"""A client's address as the bridge's per-address limits count it."""

import ipaddress


def address_key(remote: str | None) -> str:
    """IPv4 (and IPv4-mapped) addresses whole, IPv6 by /64, which one host usually owns."""
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return remote or "-"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
