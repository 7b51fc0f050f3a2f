"""Typed errors for everything that can go wrong between the bridge and a dialer.

Every adapter raises only these. Each carries a stable ``code`` (what the widget and
the API report), a message written for the person who has to act on it, and the
dialer's own text when the dialer said something. None of them ever holds a secret.
"""


class DialerError(Exception):
    """Base of every dialer failure."""

    code = "dialer_error"

    def __init__(
        self,
        message: str,
        *,
        dialer: str,
        dialer_text: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.dialer = dialer
        self.dialer_text = dialer_text
        self.retry_after = retry_after  # seconds before the bridge calls the dialer again

    def to_dict(self) -> dict[str, str | int]:
        """The error as the API reports it (no stack trace, no secret)."""
        body: dict[str, str | int] = {
            "code": self.code,
            "message": self.message,
            "dialer": self.dialer,
        }
        if self.dialer_text is not None:
            body["dialer_text"] = self.dialer_text
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
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


class DialerLocked(DialerUnauthorized):
    """The dialer locked the bridge's API user (too many failed logins): it refuses even
    the right password until the lock ends; ``retry_after`` says when the bridge tries."""

    code = "dialer_locked"


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
    """The dialer did not answer in time; a request that changes the dialer timed out
    before it was sent (nothing happened)."""

    code = "dialer_timeout"


class DialerOutcomeUnknown(DialerTimeout):
    """The request was sent but its answer did not come in time: the dialer may have
    carried it out (placed the call, added the lead). Check before sending it again."""

    code = "dialer_outcome_unknown"


class DialerBadResponse(DialerError):
    """The dialer answered something that is not its documented format."""

    code = "dialer_bad_response"
