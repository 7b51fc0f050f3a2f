"""A refusal the API reports as ``{"error": {"code", "message"}}``."""


class Problem(Exception):
    """Base of the server's own refusals: a stable ``code`` and a message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
