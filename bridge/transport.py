"""The one place where the bridge speaks HTTP to a dialer.

`DialerTransport` sends a request within its time budgets and turns every network
failure into a typed error; it never puts a URL (whose query may carry a password) or a
secret into an error. Adapters parse the body; the transport knows nothing of envelopes.
Each request is named in the audit entry of the operation that sends it (``audit_as``:
the dialer's function, or ``METHOD path``).

Time is budgeted before and after the request is sent (`Budgets`), so that waiting for
a connection does not eat the dialer's time to answer: ``pool``, getting a connection
(waiting for a free one, the pool's size being the server's
``dialer_connections_per_host``, and opening it), of which ``connect`` at most for
opening it; ``answer``, the dialer's answer once the request is sent (until its first
byte, and as long again for the rest; a stream, each piece). Running out before the
request was sent is
`DialerTimeout` (nothing happened: try again); running out after is
`DialerOutcomeUnknown` (the dialer may have carried it out: check before repeating),
unless the caller says the request only reads (``changes=False``).
"""

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bridge.audit import note_dialer_call
from bridge.errors import DialerOutcomeUnknown, DialerTimeout, DialerUnavailable
from bridge.redaction import REDACTED, Redactor

__all__ = ["REDACTED", "Budgets", "DialerResponse", "DialerTransport", "dialer_session"]

EXCERPT = 200  # characters of an error page kept in an error
NOTHING_SECRET = Redactor()


@dataclass(frozen=True, slots=True)
class Budgets:
    """Seconds for each part of a request: see the module's notes."""

    answer: float = 10.0
    connect: float = 5.0
    pool: float = 10.0

    def client_timeout(self) -> aiohttp.ClientTimeout:
        # aiohttp's ``connect`` covers the wait for a pooled connection and opening one,
        # ``sock_connect`` opening one; ``sock_read`` starts once the request is written.
        return aiohttp.ClientTimeout(
            total=None, connect=self.pool, sock_connect=self.connect, sock_read=self.answer
        )


@dataclass(frozen=True, slots=True)
class DialerResponse:
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class DialerTransport:
    """HTTP to one dialer: base URL, time budgets, and what to keep out of every text."""

    def __init__(
        self,
        *,
        dialer: str,
        session: aiohttp.ClientSession,
        base_url: str,
        budgets: Budgets = Budgets(),
        redactor: Redactor = NOTHING_SECRET,
    ) -> None:
        self.dialer = dialer
        self._session = session
        self.base_url = base_url.rstrip("/")
        self.budgets = budgets
        self._timeout = budgets.client_timeout()
        self.redactor = redactor

    def redact(self, text: str) -> str:
        """``text`` with every secret the transport knows replaced by ``***``."""
        return self.redactor.redact(text)

    def url(self, path: str) -> str:
        return self.base_url + path

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        audit_as: str | None = None,
        redactor: Redactor | None = None,
        changes: bool = True,
    ) -> DialerResponse:
        """Send one request and read its whole answer. ``redactor`` replaces the
        transport's for this request (one that knows the request's own secrets);
        ``changes`` is false for a request that only reads."""
        name = audit_as or f"{method} {path}"
        async with self._open(
            method,
            path,
            params=params,
            json=json,
            data=data,
            headers=headers,
            audit_as=name,
            redactor=redactor,
            changes=changes,
        ) as response:
            try:
                async with asyncio.timeout(self.budgets.answer):
                    body = await response.read()
            except (TimeoutError, aiohttp.ClientError) as error:
                raise self._network_error(error, name if changes else None) from None
            return DialerResponse(response.status, response.content_type, body)

    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        audit_as: str | None = None,
        changes: bool = True,
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """Open a request and yield the response with its body unread (for large answers).

        The answer budget applies to each read, not to the whole answer."""
        return self._open(
            method,
            path,
            params=params,
            json=json,
            data=data,
            headers=headers,
            audit_as=audit_as or f"{method} {path}",
            changes=changes,
        )

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        path: str,
        *,
        audit_as: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        redactor: Redactor | None = None,
        changes: bool = True,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        note_dialer_call(audit_as)
        try:
            async with self._session.request(
                method,
                self.url(path),
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                if response.status >= 500:
                    async with asyncio.timeout(self.budgets.answer):
                        page = await response.text(errors="replace")
                    raise DialerUnavailable(
                        f"{self.dialer} answered HTTP {response.status}; try again shortly",
                        dialer=self.dialer,
                        dialer_text=(redactor or self.redactor).excerpt(page, EXCERPT),
                    )
                yield response
        except (TimeoutError, aiohttp.ClientError) as error:
            raise self._network_error(error, audit_as if changes else None) from None

    def _network_error(self, error: BaseException, sent: str | None) -> DialerUnavailable:
        """The typed error for ``error``; ``sent`` names a request that may change the
        dialer (None: one that only reads)."""
        budgets = self.budgets
        if isinstance(error, aiohttp.ConnectionTimeoutError):
            return DialerTimeout(
                f"no connection to {self.dialer} within {budgets.pool:g} s "
                "(every connection to it was busy, or it did not accept one); nothing was "
                "sent: try again shortly",
                dialer=self.dialer,
            )
        if isinstance(error, TimeoutError) and sent is None:
            return DialerTimeout(
                f"{self.dialer} did not answer within {budgets.answer:g} s", dialer=self.dialer
            )
        if isinstance(error, TimeoutError):
            return DialerOutcomeUnknown(
                f"{self.dialer} did not answer within {budgets.answer:g} s after {sent} was "
                "sent: it may have been carried out; check on the dialer before sending it "
                "again",
                dialer=self.dialer,
            )
        reason = type(error).__name__
        if isinstance(error, aiohttp.ClientConnectorError):
            reason = f"cannot connect to {error.host}:{error.port}"
        elif isinstance(error, aiohttp.ServerDisconnectedError):
            reason = "the connection was closed before an answer came"
        return DialerUnavailable(
            f"{self.dialer} is unreachable ({reason}); check that it is running",
            dialer=self.dialer,
        )


def dialer_session(*, connections_per_host: int = 50) -> aiohttp.ClientSession:
    """The HTTP client for dialers: pooled, and never re-sending a request by itself.

    ``connections_per_host`` is the pool's size per dialer host (the server's
    ``dialer_connections_per_host``); a request waits for a free one within its ``pool``
    budget. aiohttp re-sends a GET once when the connection drops before the answer. The
    REST API's originate is a GET that places a call, so a silent re-send could ring a
    customer twice; what is retried is decided per call (`bridge.retry`). (aiohttp has no
    public switch for this; its own test client turns it off the same way, see
    aio-libs/aiohttp#10790.)
    """
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=0, limit_per_host=connections_per_host, ttl_dns_cache=300
        ),
    )
    session._retry_connection = False
    return session
