"""Sends a webhook's request within the outbound policy and a timeout, and reads at most
`MAX_ANSWER_BYTES` of the answer. Used by the delivery worker and by the admin's test."""

import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from multidict import CIMultiDict

from server.integrations.outbound import OutboundPolicy, guarded_session
from server.integrations.webhook_request import WebhookRequest, redact

MAX_ANSWER_BYTES = 1024 * 1024
SUMMARY_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    reason: str
    headers: CIMultiDict[str]
    body: bytes
    duration_ms: float

    def summary(self, secrets: tuple[str, ...]) -> str:
        """The status and the beginning of the answer, ``secrets`` redacted before the cut
        (a cut first could leave part of a secret)."""
        text = redact(self.body.decode("utf-8", "replace"), secrets)[:SUMMARY_CHARS]
        return redact(f"{self.status} {self.reason}\n{text}", secrets)


class WebhookSender:
    def __init__(self, policy: OutboundPolicy, timeout_seconds: float) -> None:
        self.policy = policy
        self.timeout_seconds = timeout_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["WebhookSender"]:
        async with guarded_session(self.policy) as session:
            self._session = session
            try:
                yield self
            finally:
                self._session = None

    async def close(self) -> None:
        """End the requests in flight (they fail) and refuse new ones."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def send(self, request: WebhookRequest) -> Reply:
        """The CRM's answer; raises `UnsafeTarget`, `aiohttp.ClientError` or `TimeoutError`."""
        if self._session is None:
            raise RuntimeError("the webhook sender is not running")
        self.policy.check_url(str(request.url))
        started = time.monotonic()
        async with self._session.request(
            request.method,
            request.url,
            headers=request.headers,
            data=request.body,
            allow_redirects=False,
            timeout=self._timeout,
        ) as response:
            body = await response.content.read(MAX_ANSWER_BYTES)
            return Reply(
                status=response.status,
                reason=response.reason or "",
                headers=CIMultiDict(response.headers),
                body=body,
                duration_ms=(time.monotonic() - started) * 1000,
            )
