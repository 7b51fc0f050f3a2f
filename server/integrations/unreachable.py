"""Why a CRM could not be reached, in words an admin can act on: the host name, the
address it resolved to where known, the port, and the cause (the name does not resolve,
the connection is refused, TLS fails, no answer in time). Never the URL's path or
query, which may carry a key."""

import re

import aiohttp
from yarl import URL

# aiohttp's connection errors end like "[Connect call failed ('203.0.113.5', 443)]".
ADDRESS = re.compile(r"\('([0-9a-fA-F.:]+)', (\d+)")


def _where(host: str, port: int | None, error: BaseException) -> str:
    found = ADDRESS.search(str(error))
    address = found.group(1) if found else None
    at = f"{host} ({address})" if address and address != host else host
    return f"{at}, port {port}" if port else at


def _reason(error: BaseException) -> str:
    os_error = getattr(error, "os_error", None)
    text = getattr(os_error, "strerror", None) or str(os_error or error) or type(error).__name__
    return str(text)


def why_unreachable(error: BaseException, url: URL, timeout_seconds: float) -> str:
    """One sentence for ``error``, met sending to ``url``."""
    host, port = url.host or "?", url.port
    where = _where(host, port, error)
    if isinstance(error, aiohttp.ClientConnectorDNSError):
        return f"the name {host} cannot be found (DNS failure: {_reason(error)})"
    if isinstance(error, aiohttp.ClientConnectorCertificateError):
        return (
            f"TLS with {where} failed: its certificate is not trusted ({error.certificate_error})"
        )
    if isinstance(error, aiohttp.ClientSSLError):
        return f"TLS with {where} failed ({_reason(error)})"
    if isinstance(error, aiohttp.ClientConnectorError):
        if isinstance(error.os_error, ConnectionRefusedError):
            return (
                f"{where} refused the connection (connection refused: nothing listens there,"
                " or a firewall says no)"
            )
        return f"cannot connect to {where} ({_reason(error)})"
    if isinstance(error, TimeoutError):  # aiohttp's timeouts are TimeoutErrors too
        return f"{where} did not answer within {timeout_seconds:g} s (timeout)"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return f"{where} closed the connection without answering"
    return f"network error with {where} ({type(error).__name__})"
