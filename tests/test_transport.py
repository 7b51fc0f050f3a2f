"""The dialer transport: timeouts for whole answers and for streams, redaction."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bridge.errors import DialerTimeout
from bridge.transport import DialerTransport, dialer_session


async def trickle(request: web.Request) -> web.StreamResponse:
    """Five pieces, 0.15 s apart: slow in all, never silent for long."""
    response = web.StreamResponse()
    await response.prepare(request)
    for piece in range(5):
        await asyncio.sleep(0.15)
        await response.write(f"piece {piece};".encode())
    await response.write_eof()
    return response


@pytest.fixture
async def slow_server(aiohttp_server: Callable[..., Any]) -> TestServer:
    app = web.Application()
    app.router.add_get("/trickle", trickle)
    return await aiohttp_server(app)


async def test_a_stream_may_take_longer_than_the_timeout_while_it_keeps_coming(
    slow_server: TestServer,
) -> None:
    async with dialer_session() as session:
        transport = DialerTransport(
            dialer="slow",
            session=session,
            base_url=str(slow_server.make_url("")),
            timeout_seconds=0.4,
        )
        async with transport.stream("GET", "/trickle") as response:
            body = b"".join([chunk async for chunk in response.content.iter_any()])
        assert body.count(b"piece") == 5
        with pytest.raises(DialerTimeout, match=r"slow did not answer within 0\.4 s"):
            await transport.request("GET", "/trickle")


def test_every_secret_is_redacted_longest_first() -> None:
    transport = DialerTransport(
        dialer="x",
        session=None,
        base_url="http://x",
        secrets=["abc", "abcdef", ""],  # type: ignore[arg-type]
    )
    assert transport.redact("key=abcdef&other=abc") == "key=***&other=***"
