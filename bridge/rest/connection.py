"""Signed requests to the REST call-centre API.

Every request carries ``api_key`` (added here, never by a caller). `call` sends once.
`read` is for ``GET`` requests that only read: the read retry policy repeats them while
the dialer is unavailable (refused connection, dropped connection, 5xx, timeout).
Nothing that changes the dialer's state is ever repeated, including the ``GET`` actions
of ``/api/cc_agent``.
"""

from collections.abc import Mapping
from typing import Any

from bridge.errors import DialerUnavailable
from bridge.rest import answers
from bridge.retry import READS, RetryPolicy
from bridge.transport import EXCERPT, DialerTransport

Params = Mapping[str, str | int | None]


class RestConnection:
    """One call, one envelope, typed errors."""

    def __init__(
        self, transport: DialerTransport, *, api_key: str, retry: RetryPolicy = READS
    ) -> None:
        self.transport = transport
        self._api_key = api_key
        self._retry = retry

    @property
    def dialer(self) -> str:
        return self.transport.dialer

    def redact(self, text: str) -> str:
        return self.transport.redact(text)

    def excerpt(self, text: str, limit: int = EXCERPT) -> str:
        """``text`` redacted, then cut to ``limit`` characters."""
        return self.transport.redactor.excerpt(text, limit)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        changes: bool = True,
    ) -> dict[str, Any]:
        """Send one request; return the whole envelope when ``success`` is true.
        ``changes`` is false for a request that only reads (`bridge.transport`)."""
        query = {key: str(value) for key, value in (params or {}).items() if value is not None}
        query["api_key"] = self._api_key
        response = await self.transport.request(
            method, path, params=query, json=json_body, changes=changes
        )
        return answers.envelope(response, dialer=self.dialer, redactor=self.transport.redactor)

    async def read(self, path: str, *, params: Params | None = None) -> dict[str, Any]:
        """``GET`` a read-only resource, repeated by the retry policy while unavailable."""
        return await self._retry.call(
            lambda: self.call("GET", path, params=params, changes=False),
            retry_on=DialerUnavailable,
        )
