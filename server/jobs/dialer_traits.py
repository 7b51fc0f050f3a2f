"""What a job needs to know of each kind of dialer: its duplicate check, its pace, and
whether a failed call may still have reached it.

These are decisions keyed on the dialer's settings, made here and nowhere else:

- Duplicate check. The REST dialer refuses a phone already in the list (spec 003: "a lead
  with the same phone number can appear only once in a phone list"), so a lead that was
  in flight when the bridge stopped is simply sent again; so does stock VICIdial's
  ``add_lead``, which the adapter sends with ``duplicate_check`` (an ``elision`` dialer
  with ``flavour = "vicidial"``). Euphoria's trickle feed has none (spec 000), nor has
  Elision's ``add_multi_lead``: such leads are reported ``unknown`` instead of being
  sent twice.
- Pace: how many batches of one job are in flight at once. Euphoria allows 3 concurrent
  calls per action (spec 000; its adapter queues the rest); Elision / VICIdial 8; REST
  sends batches of 500, two at a time so that the bridge's bookkeeping of one batch
  overlaps the dialer's work on the other.
"""

import aiohttp

from bridge import (
    DialerBusy,
    DialerError,
    DialerOutcomeUnknown,
    DialerSettings,
    DialerTimeout,
    DialerUnavailable,
)

CONCURRENCY = {"rest": 2, "elision": 8, "euphoria": 3}


def refuses_duplicates(settings: DialerSettings) -> bool:
    """Whether the dialer refuses a lead whose phone is already in the list, so that a
    lead that may have reached it can be sent again without being added twice."""
    if settings.kind == "elision":
        return settings.flavour == "vicidial"
    return settings.kind == "rest"


def concurrency(settings: DialerSettings) -> int:
    """How many batches of one job may be in flight to this dialer at once."""
    return CONCURRENCY[settings.kind]


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
