"""A refusal the API reports as its HTTP status and ``{"error": {"code", "message", ...}}``.

Handlers and the stores below them raise a `Problem` naming a code of
`server.error_catalogue`, which gives its status, its default message and its standing
headers; the channel's renderer (`server.error_middleware`, the admin's error pages)
turns it into an answer.
"""

from collections.abc import Mapping
from typing import Any

from server.error_catalogue import error_code


class Problem(Exception):
    """Base of the server's own refusals: a catalogued ``code`` and a message for people.

    ``in_field``: what is unknown was named in a body's or query's field, not in the path
    (the code's ``field_status``, 400, rather than its 404)."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        in_field: bool = False,
        headers: Mapping[str, str] | None = None,
        **details: Any,
    ) -> None:
        entry = error_code(code)
        status = entry.field_status if in_field else entry.status
        if status is None:
            raise ValueError(f"{code} has no status for a field")
        super().__init__(message or entry.sentence)
        self.code = code
        self.message = message or entry.sentence
        self.status = status
        self.headers = {**entry.headers, **(headers or {})}
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}
