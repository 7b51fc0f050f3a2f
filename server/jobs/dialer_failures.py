"""What a job makes of a dialer's failure: whether the call may still have reached the
dialer, and whether any later call can succeed.

What differs between kinds of dialer (their duplicate check, their pace) is in each
adapter's traits (`bridge.DialerTraits`), not here.
"""

import aiohttp

from bridge import DialerBusy, DialerError, DialerOutcomeUnknown, DialerTimeout, DialerUnavailable

# Errors after which no call to the dialer can succeed until someone fixes something:
# credentials refused, and an adapter that stopped calling after refused credentials.
STOPPING_CODES = frozenset({"dialer_unauthorized", "dialer_locked"})


def may_have_reached(error: DialerError) -> bool:
    """Whether the call that failed with ``error`` may have been carried out anyway.

    Not when the dialer refused it in words (any refusal, a 5xx answer, "busy") or when
    no connection could be made; yes when it timed out or the connection dropped before
    the answer."""
    if isinstance(error, DialerOutcomeUnknown):  # sent, no answer in time
        return True
    if isinstance(error, DialerTimeout):  # no connection in time: nothing was sent
        return False
    if isinstance(error, DialerBusy) or not isinstance(error, DialerUnavailable):
        return False
    if error.dialer_text is not None:  # it answered HTTP 5xx
        return False
    return not isinstance(error.__context__, aiohttp.ClientConnectorError)


def stops_the_job(error: DialerError) -> bool:
    """Whether ``error`` means that no later call can succeed (credentials refused)."""
    return error.code in STOPPING_CODES
