"""A refusal the API reports as its HTTP status and ``{"error": {"code", "message", ...}}``.

Handlers and the stores below them raise a `Problem`; the error middleware renders it.
Subclasses name their usual status; a raise may give another (``status=``).
"""

from collections.abc import Mapping
from typing import Any


class Problem(Exception):
    """Base of the server's own refusals: a stable ``code`` and a message for people."""

    status = 400
    default_headers: Mapping[str, str] = {}

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.headers = {**self.default_headers, **(headers or {})}
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class NotFound(Problem):
    status = 404


class Unauthorized(Problem):
    status = 401
    default_headers: Mapping[str, str] = {"WWW-Authenticate": "Bearer"}
