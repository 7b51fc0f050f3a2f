"""The states of a job and of each of its rows, and what a dialer's answer counts as.

A job is ``queued``, then ``running`` (claimed by one worker at a time), then ``done``
(every row has an outcome), ``failed`` (stopped by an error, e.g. credentials refused)
or ``cancelled``. A row is ``pending``, ``sending`` (committed before the request
leaves: after a crash such a row was "in flight"), then one of the counted outcomes:
``added``, ``already_there``, ``failed``, ``unknown`` (it may or may not have reached a
dialer that has no duplicate check, so it was not sent again) or ``not_sent``.
"""

from typing import Final

from bridge import LeadOutcome

QUEUED: Final = "queued"
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"
CANCELLED: Final = "cancelled"
ACTIVE = (QUEUED, RUNNING)

PENDING: Final = "pending"
SENDING: Final = "sending"
ADDED: Final = "added"
ALREADY_THERE: Final = "already_there"
UNKNOWN: Final = "unknown"
NOT_SENT: Final = "not_sent"
# Each outcome is also the name of the job's counter of it.
OUTCOMES = (ADDED, ALREADY_THERE, FAILED, UNKNOWN, NOT_SENT)
SUCCEEDED = (ADDED, ALREADY_THERE)  # the lead (or agent) is on the dialer

# The REST dialer refuses a phone already in the list; its adapter reports it so.
_REST_DUPLICATE = "duplicate: "


def lead_status(outcome: LeadOutcome) -> str:
    """What one lead's outcome counts as: ``added``, ``already_there``, ``failed``...

    The adapter's ``status``, except that a REST refusal of a phone already in the list
    is "already there"."""
    status: str = outcome.status
    if status == FAILED and outcome.message.startswith(_REST_DUPLICATE):
        return ALREADY_THERE
    return status
