"""JSON as the standard defines it: no ``NaN`` or ``Infinity``, which JSON readers refuse.

Python's `json` writes them and reads them by default; the bridge's answers and stored
events use these functions instead, so a value that is no JSON number fails where it is
written (a 500 that says so in the log) rather than poisoning an answer for good.
"""

import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web


def dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False)


def json_response(
    data: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.json_response(data, status=status, headers=headers, dumps=dumps)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """``text`` read as JSON, refusing ``NaN`` and ``Infinity`` (a `ValueError`)."""
    return json.loads(text, parse_constant=_no_constant)
