"""Signed requests to the REST call-centre API and the reading of its envelope.

Every request carries ``api_key`` (added here, never by a caller). Every answer is a
JSON object whose flag is spelt ``success`` or ``Success``; ``false`` comes with
``msg``. HTTP 401 means the key is wrong or missing.

`call` sends once. `read` is for ``GET`` requests that only read: it repeats them after
short pauses while the dialer is unavailable (refused connection, dropped connection,
5xx, timeout). Nothing that changes the dialer's state is ever repeated, including the
``GET`` actions of ``/api/cc_agent``.
"""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from bridge.errors import DialerBadResponse, DialerRejected, DialerUnauthorized, DialerUnavailable
from bridge.rest import json_text
from bridge.transport import DialerResponse, DialerTransport

Params = Mapping[str, str | int | None]


class RestClient:
    """Low-level access: one call, one envelope, typed errors."""

    def __init__(
        self,
        transport: DialerTransport,
        *,
        api_key: str,
        read_retry_delays: Sequence[float] = (0.2, 0.5),
    ) -> None:
        self.transport = transport
        self._api_key = api_key
        self._read_retry_delays = tuple(read_retry_delays)

    @property
    def dialer(self) -> str:
        return self.transport.dialer

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        """Send one request; return the whole envelope when ``success`` is true."""
        query = {key: str(value) for key, value in (params or {}).items() if value is not None}
        query["api_key"] = self._api_key
        response = await self.transport.request(method, path, params=query, json=json_body)
        return self._read_envelope(response)

    async def read(self, path: str, *, params: Params | None = None) -> dict[str, Any]:
        """``GET`` a read-only resource, retried after each of ``read_retry_delays``."""
        for delay in self._read_retry_delays:
            try:
                return await self.call("GET", path, params=params)
            except DialerUnavailable:
                await asyncio.sleep(delay)
        return await self.call("GET", path, params=params)

    def _read_envelope(self, response: DialerResponse) -> dict[str, Any]:
        if response.status == 401:
            raise DialerUnauthorized(
                f"{self.dialer} refused the bridge's api_key (HTTP 401): "
                "check the tenant's REST api_key and its Call Center API permission",
                dialer=self.dialer,
                dialer_text=self._message_of(response) or "Unauthorized",
            )
        try:
            envelope = json_text.loads(response.body)
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or not self._has_flag(envelope):
            raise DialerBadResponse(
                f"{self.dialer} answered HTTP {response.status} without its JSON envelope",
                dialer=self.dialer,
                dialer_text=self.transport.redact(response.text()[:200]),
            )
        if not self._flag(envelope):
            text = self.transport.redact(str(envelope.get("msg") or "no reason given"))
            raise DialerRejected(
                f"{self.dialer} refused: {text}", dialer=self.dialer, dialer_text=text
            )
        return envelope

    @staticmethod
    def _has_flag(envelope: dict[str, Any]) -> bool:
        return "success" in envelope or "Success" in envelope

    @staticmethod
    def _flag(envelope: dict[str, Any]) -> bool:
        return envelope.get("success", envelope.get("Success")) is True

    def _message_of(self, response: DialerResponse) -> str | None:
        try:
            envelope = json_text.loads(response.body)
        except ValueError:
            return None
        if isinstance(envelope, dict) and isinstance(envelope.get("msg"), str):
            return self.transport.redact(envelope["msg"])
        return None
