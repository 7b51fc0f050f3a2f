"""How the Euphoria simulator answers: always HTTP 200 and an ``<XML>`` document."""

from aiohttp import web

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class Refusal(Exception):
    """Ends a request with ``<Error>text</Error>``."""


def xml_answer(inner: str) -> web.Response:
    return web.Response(
        text=f"{DECLARATION}<XML>\n{inner}\n</XML>\n", content_type="text/xml", charset="utf-8"
    )
