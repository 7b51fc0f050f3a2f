"""The dialer transport: timeouts for whole answers and for streams, redaction."""

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bridge.errors import DialerTimeout, DialerUnavailable
from bridge.redaction import Redactor
from bridge.transport import Budgets, DialerTransport, dialer_session


async def trickle(request: web.Request) -> web.StreamResponse:
    """Five pieces, 0.15 s apart: slow in all, never silent for long."""
    response = web.StreamResponse()
    await response.prepare(request)
    for piece in range(5):
        await asyncio.sleep(0.15)
        await response.write(f"piece {piece};".encode())
    await response.write_eof()
    return response


SECRET = "s3cret-api-key-0123456789"


async def error_page(request: web.Request) -> web.Response:
    """A 500 page of 190 characters, then the secret."""
    return web.Response(status=500, text="x" * 190 + SECRET)


@pytest.fixture
async def slow_server(aiohttp_server: Callable[..., Any]) -> TestServer:
    app = web.Application()
    app.router.add_get("/trickle", trickle)
    app.router.add_get("/error", error_page)
    return await aiohttp_server(app)


async def test_a_stream_may_take_longer_than_the_timeout_while_it_keeps_coming(
    slow_server: TestServer,
) -> None:
    async with dialer_session() as session:
        transport = DialerTransport(
            dialer="slow",
            session=session,
            base_url=str(slow_server.make_url("")),
            budgets=Budgets(answer=0.4),
        )
        async with transport.stream("GET", "/trickle") as response:
            body = b"".join([chunk async for chunk in response.content.iter_any()])
        assert body.count(b"piece") == 5
        with pytest.raises(DialerTimeout, match=r"slow did not answer within 0\.4 s"):
            await transport.request("GET", "/trickle")


def test_every_secret_is_redacted_longest_first() -> None:
    transport = DialerTransport(
        dialer="x",
        session=None,  # type: ignore[arg-type]
        base_url="http://x",
        redactor=Redactor(["abc", "abcdef", ""]),
    )
    assert transport.redact("key=abcdef&other=abc") == "key=***&other=***"


async def test_an_error_page_is_redacted_before_it_is_cut(slow_server: TestServer) -> None:
    async with dialer_session() as session:
        transport = DialerTransport(
            dialer="x",
            session=session,
            base_url=str(slow_server.make_url("")),
            redactor=Redactor([SECRET]),
        )
        with pytest.raises(DialerUnavailable) as raised:
            await transport.request("GET", "/error")
    assert raised.value.dialer_text == "x" * 190 + "***"
    assert SECRET[:4] not in str(raised.value.to_dict())


def test_secrets_are_redacted_in_every_form_and_by_structure() -> None:
    redactor = Redactor(
        ["Sup3r!Secret.pw", "ab"],
        parameters=("pass",),
        patterns=[re.compile(r"\|(?P<secret>[^|]*)\|BAD\|")],
        variants=[lambda secret: [secret.replace("!", "").replace(".", "")]],
    )
    assert redactor.redact("Sup3r%21Secret.pw Sup3rSecretpw Sup3r!Secret.pw") == "*** *** ***"
    assert redactor.redact("?user=x&pass=anything&x=1 |who-knows|BAD|") == (
        "?user=x&pass=***&x=1 |***|BAD|"
    )
    assert redactor.redact("abc ab, tab") == "abc ***, tab"  # a short one only alone
    assert redactor.excerpt("0123456789 Sup3rSecretpw", 12) == "0123456789 *"
