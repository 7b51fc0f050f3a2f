"""What became of a call, in one word for agents: ``answered``, ``missed``, ``busy``,
``no_answer``, ``failed`` or ``cancelled`` (None while it is not over).

Read from whether it was answered, its direction and the dialer's hang-up cause
(FreeSWITCH's names of the Q.850 causes, as the REST dialer sends them):

- answered: the call was answered (whatever ended it);
- missed: an inbound call that no agent answered (the caller gave up, the queue timed out);
- busy: ``USER_BUSY``, ``CALL_REJECTED``;
- no_answer: ``NO_ANSWER``, ``NO_USER_RESPONSE``, ``ALLOTTED_TIMEOUT``,
  ``PROGRESS_TIMEOUT``, ``RECOVERY_ON_TIMER_EXPIRE``, ``MEDIA_TIMEOUT``;
- cancelled: ``ORIGINATOR_CANCEL``, ``LOSE_RACE``, ``NORMAL_CLEARING`` before an answer
  (the calling side hung up first);
- failed: any other cause (``UNALLOCATED_NUMBER``, ``NO_ROUTE_DESTINATION``,
  ``NORMAL_TEMPORARY_FAILURE``, ...), or none.
"""

from typing import Literal

Outcome = Literal["answered", "missed", "busy", "no_answer", "failed", "cancelled"]

BUSY = frozenset({"USER_BUSY", "CALL_REJECTED"})
NO_ANSWER = frozenset(
    {
        "NO_ANSWER",
        "NO_USER_RESPONSE",
        "ALLOTTED_TIMEOUT",
        "PROGRESS_TIMEOUT",
        "RECOVERY_ON_TIMER_EXPIRE",
        "MEDIA_TIMEOUT",
    }
)
CANCELLED = frozenset({"ORIGINATOR_CANCEL", "LOSE_RACE", "NORMAL_CLEARING"})


def call_outcome(
    *, state: str, answered: bool, direction: str, hangup_cause: str | None
) -> Outcome | None:
    """The outcome of a call (None while it is not over)."""
    if state != "ended":
        return None
    if answered:
        return "answered"
    if direction == "inbound":
        return "missed"
    cause = (hangup_cause or "").upper()
    if cause in BUSY:
        return "busy"
    if cause in NO_ANSWER:
        return "no_answer"
    if cause in CANCELLED:
        return "cancelled"
    return "failed"
