"""The one place where the bridge speaks HTTP to a dialer.

`DialerTransport` sends a request with a timeout and turns every network failure into
a typed error; it never puts a URL (whose query may carry a password) or a secret into
an error. Adapters parse the body; the transport knows nothing of envelopes. Each
request is named in the audit entry of the operation that sends it (``audit_as``: the
dialer's function, or ``METHOD path``).
"""

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bridge.audit import note_dialer_call
from bridge.errors import DialerTimeout, DialerUnavailable

REDACTED = "***"


@dataclass(frozen=True, slots=True)
class DialerResponse:
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class DialerTransport:
    """HTTP to one dialer: base URL, timeout, the secrets to keep out of every text."""

    def __init__(
        self,
        *,
        dialer: str,
        session: aiohttp.ClientSession,
        base_url: str,
        timeout_seconds: float = 10.0,
        secrets: Iterable[str] = (),
    ) -> None:
        self.dialer = dialer
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        # A long answer read as a stream may take longer in all; each read may not.
        self._stream_timeout = aiohttp.ClientTimeout(
            sock_connect=timeout_seconds, sock_read=timeout_seconds
        )
        self._secrets = tuple(sorted((s for s in secrets if s), key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every configured secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def url(self, path: str) -> str:
        return self._base_url + path

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
    ) -> DialerResponse:
        async with self._open(
            method,
            path,
            self._timeout,
            params=params,
            json=json,
            data=data,
            headers=headers,
            audit_as=audit_as,
        ) as response:
            try:
                body = await response.read()
            except (TimeoutError, aiohttp.ClientError) as error:
                raise self._network_error(error) from None
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
    ) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
        """Open a request and yield the response with its body unread (for large answers).

        The timeout applies to connecting and to each read, not to the whole answer."""
        return self._open(
            method,
            path,
            self._stream_timeout,
            params=params,
            json=json,
            data=data,
            headers=headers,
            audit_as=audit_as,
        )

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        path: str,
        limits: aiohttp.ClientTimeout,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        audit_as: str | None = None,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        note_dialer_call(audit_as or f"{method} {path}")
        try:
            async with self._session.request(
                method,
                self.url(path),
                params=params,
                json=json,
                data=data,
                headers=headers,
                timeout=limits,
                allow_redirects=False,
            ) as response:
                if response.status >= 500:
                    raise DialerUnavailable(
                        f"{self.dialer} answered HTTP {response.status}; try again shortly",
                        dialer=self.dialer,
                        dialer_text=self.redact((await response.text(errors="replace"))[:200]),
                    )
                yield response
        except (TimeoutError, aiohttp.ClientError) as error:
            raise self._network_error(error) from None

    def _network_error(self, error: BaseException) -> DialerUnavailable:
        if isinstance(error, TimeoutError):
            return DialerTimeout(
                f"{self.dialer} did not answer within {self._timeout.total:g} s",
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


def dialer_session(*, limit: int = 200, limit_per_host: int = 50) -> aiohttp.ClientSession:
    """The HTTP client for dialers: pooled, and never re-sending a request by itself.

    aiohttp re-sends a GET once when the connection drops before the answer. The REST
    API's originate is a GET that places a call, so a silent re-send could ring a
    customer twice; what is retried is decided per call (`bridge.retry`). (aiohttp has no
    public switch for this; its own test client turns it off the same way, see
    aio-libs/aiohttp#10790.)
    """
    session = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(
            limit=limit, limit_per_host=limit_per_host, ttl_dns_cache=300
        ),
    )
    session._retry_connection = False
    return session
