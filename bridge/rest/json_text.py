"""JSON as the REST API writes it.

Strict JSON is read first. The spec's own answers leave a comma before a closing
bracket (``{"success": true,}``); when strict reading fails, the text is read once more
as JSON5, which allows that.
"""

import json
from typing import Any

import json5


def loads(body: bytes | str) -> Any:
    """Parse ``body``; raise ``ValueError`` if it is neither JSON nor JSON5."""
    try:
        return json.loads(body)
    except ValueError:
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        return json5.loads(text)
