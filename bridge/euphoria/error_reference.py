"""The Error Reference of specs 000 and 001: one typed error per documented ``<Error>`` text.

Each class also derives from its bridge category (`DialerRejected`, `DialerUnauthorized`,
`DialerUnavailable`, `DialerBusy`), so callers may catch either.
"""

from bridge.errors import (
    DialerBusy,
    DialerError,
    DialerRejected,
    DialerUnauthorized,
    DialerUnavailable,
)


def _normalise(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split()).rstrip(" .").casefold()


class EuphoriaError(DialerError):
    """An ``<Error>`` of the spec's Error Reference: ``texts`` as the specs write them,
    ``advice`` for whoever must act. Each subclass also derives from its bridge category."""

    texts: tuple[str, ...] = ()
    advice = ""


class InputXmlNotLoaded(EuphoriaError, DialerRejected):
    texts = ("Input XML not loaded",)
    advice = "could not load the XML the bridge sent (a bridge bug: please report it)"


class NoDocumentElement(EuphoriaError, DialerRejected):
    texts = ("No Document Element",)
    advice = "found no <XML> document element in the bridge's request (a bridge bug)"


class AuthorizationFailed(EuphoriaError, DialerUnauthorized):
    texts = ("Authorization Failed",)
    advice = (
        "refused the tenant name or auth code: check the Euphoria tenant name and "
        "API auth code in the bridge's configuration"
    )


class NoActionDefined(EuphoriaError, DialerRejected):
    texts = ("No Action Defined",)
    advice = "received no ActionName (a bridge bug)"


class IncorrectInputParameters(EuphoriaError, DialerRejected):
    # Spec 000 writes "check the documentation", spec 001 "check documentation".
    texts = (
        "Incorrect Input Parameters. Please check the documentation",
        "Incorrect Input Parameters. Please check documentation",
    )
    advice = "says required fields are missing or wrong: check the values sent"


class DatabaseConnectionFailed(EuphoriaError, DialerUnavailable):
    texts = ("I'm sorry, connection to one or more of the databases failed",)
    advice = "could not reach its own databases; try again later"


class UsernameNotInTenant(EuphoriaError, DialerUnauthorized):
    texts = ("That username is not part of this Tenant",)
    advice = "says a value sent (such as the assigned extension) does not belong to this tenant"


class PermissionDenied(EuphoriaError, DialerUnauthorized):
    texts = ("Permission Denied",)
    advice = "says the API key may not use this action: allow it in the Euphoria API Manager"


class SipServerNotFound(EuphoriaError, DialerUnavailable):
    texts = ("Sip Server not found",)
    advice = "says the tenant's SIP server is unavailable; try again later"


class ConcurrentCallsExceeded(EuphoriaError, DialerBusy):
    texts = ("Concurrent API Calls Exceeded",)
    advice = "refused: more than 3 concurrent calls of this action; try again shortly"


class ActionNameNotFound(EuphoriaError, DialerRejected):
    texts = ("Action Name Not Found",)
    advice = "does not offer this action (ask for it to be enabled in the API Manager)"


DOCUMENTED_ERRORS: tuple[type[EuphoriaError], ...] = (
    InputXmlNotLoaded,
    NoDocumentElement,
    AuthorizationFailed,
    NoActionDefined,
    IncorrectInputParameters,
    DatabaseConnectionFailed,
    UsernameNotInTenant,
    PermissionDenied,
    SipServerNotFound,
    ConcurrentCallsExceeded,
    ActionNameNotFound,
)
_BY_TEXT = {_normalise(text): cls for cls in DOCUMENTED_ERRORS for text in cls.texts}


def error_for(text: str, *, dialer: str) -> DialerError:
    """The typed error for an ``<Error>`` text (already redacted), keeping the text.

    Matching ignores case, spacing, a trailing full stop and the Reference's
    ": description" tail; an unknown text is a `DialerRejected` that quotes it.
    """
    cls = _BY_TEXT.get(_normalise(text)) or _BY_TEXT.get(_normalise(text.split(":", 1)[0]))
    if cls is None:
        return DialerRejected(
            f"{dialer} refused the request: {text or 'no reason given'}",
            dialer=dialer,
            dialer_text=text,
        )
    return cls(f"{dialer} {cls.advice}", dialer=dialer, dialer_text=text)
