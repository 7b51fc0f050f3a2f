"""Every form in which a webhook secret leaves the bridge, and in which a CRM may echo it.

The bridge sends a secret as a header (as is), a query parameter (as yarl writes a
query: space as ``+``, ``/`` kept; and as a server reads it back), in a path
(percent-encoded), a form body (``urlencode``), a JSON body (escaped, with or without
non-ASCII escapes, and ``\\/`` as PHP writes it) or HTTP Basic (base64, a secret of its
own). A CRM echoes what it got in any of these, or one inside another (a JSON answer
quoting the URL): the forms are every encoding of the secret, and every encoding of
those.
"""

import json
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from yarl import URL


def _query_value(text: str) -> str:
    return URL("http://x/").with_query({"k": text}).raw_query_string[2:]


def _query_value_read(text: str) -> str:
    """The query parameter as yarl (and so aiohttp's ``query_string``) reads it back:
    decoded but for the characters that would change the query's meaning."""
    return URL("http://x/").with_query({"k": text}).query_string[2:]


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _json_ascii(text: str) -> str:
    return json.dumps(text)[1:-1]


ENCODINGS: tuple[Callable[[str], str], ...] = (
    lambda text: quote(text, safe=""),  # a path segment
    lambda text: quote(text, safe="/"),  # percent-encoded with '/' kept
    lambda text: quote_plus(text, safe=""),  # a form body
    lambda text: quote_plus(text, safe="/"),
    _query_value,  # a query parameter
    _query_value_read,
    _json,
    _json_ascii,
    lambda text: _json_ascii(text).replace("/", "\\/"),  # PHP's json_encode
    lambda text: _json(text).replace("/", "\\/"),
)


def secret_forms(secret: str) -> set[str]:
    """``secret`` as given, in each encoding, and in each encoding of those."""
    once = {secret} | {encode(secret) for encode in ENCODINGS}
    twice = {encode(form) for form in once for encode in ENCODINGS}
    return {form for form in once | twice if form}
