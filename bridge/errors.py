"""Typed errors for everything that can go wrong between the bridge and a dialer.

Every adapter raises only these. Each carries a stable ``code`` (what the widget and
the API report), a message written for the person who has to act on it, and the
dialer's own text when the dialer said something. None of them ever holds a secret.
"""


class DialerError(Exception):
    """Base of every dialer failure."""

    code = "dialer_error"

    def __init__(self, message: str, *, dialer: str, dialer_text: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.dialer = dialer
        self.dialer_text = dialer_text

    def to_dict(self) -> dict[str, str]:
        """The error as the API reports it (no stack trace, no secret)."""
        body = {"code": self.code, "message": self.message, "dialer": self.dialer}
        if self.dialer_text is not None:
            body["dialer_text"] = self.dialer_text
        return body


class InvalidRequest(DialerError):
    """The request was refused before it was sent: a field is missing or out of range."""

    code = "invalid_request"


class NotSupported(DialerError):
    """The dialer's API does not offer this operation."""

    code = "not_supported"

    def __init__(self, operation: str, *, dialer: str) -> None:
        super().__init__(f"{operation} is not supported by {dialer}", dialer=dialer)
        self.operation = operation


class DialerUnauthorized(DialerError):
    """The dialer refused the bridge's credentials (a configuration problem, not the agent's)."""

    code = "dialer_unauthorized"


class DialerRejected(DialerError):
    """The dialer understood the request and said no; ``dialer_text`` holds its reason."""

    code = "dialer_rejected"


class DialerBusy(DialerError):
    """The dialer's concurrency limit was still exceeded after backing off."""

    code = "dialer_busy"


class DialerUnavailable(DialerError):
    """The dialer could not be reached, dropped the connection, or answered 5xx."""

    code = "dialer_unavailable"


class DialerTimeout(DialerUnavailable):
    """The dialer did not answer in time."""

    code = "dialer_timeout"


class DialerBadResponse(DialerError):
    """The dialer answered something that is not its documented format."""

    code = "dialer_bad_response"
