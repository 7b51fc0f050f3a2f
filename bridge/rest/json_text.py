"""JSON as the REST API writes it.

Strict JSON is read first. The spec's own answers leave a comma before a closing
bracket (``{"success": true,}``); when strict reading fails, the text is read once
more without the commas that only precede ``}`` or ``]``. Anything else stays an error.
"""

import json
from typing import Any


def loads(body: bytes | str) -> Any:
    """Parse ``body``; raise ``ValueError`` if it is not JSON even without trailing commas."""
    try:
        return json.loads(body)
    except ValueError:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        relaxed = _without_trailing_commas(text)
        if relaxed == text:
            raise
        return json.loads(relaxed)


def _without_trailing_commas(text: str) -> str:
    out: list[str] = []
    comma_at = -1  # index in ``out`` of a comma followed so far only by whitespace
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == ",":
            comma_at = len(out)
        elif char in "}]" and comma_at >= 0:
            out[comma_at] = ""
            comma_at = -1
        elif not char.isspace():
            in_string = char == '"'
            comma_at = -1
        out.append(char)
    return "".join(out)
