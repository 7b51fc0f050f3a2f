"""When to try again after a failure, for all of the server's retries (webhook
deliveries, a lead-export job waiting for its dialer): exponential backoff with jitter,
or later if the other side says so in ``Retry-After`` (seconds, or an HTTP date), within
a configured maximum. (The dialer clients in `bridge` wait with tenacity's full jitter.)"""

import email.utils
import random
import time


def should_retry(status: int) -> bool:
    """Whether an answer with ``status`` is worth another attempt (5xx and 429)."""
    return status == 429 or 500 <= status < 600


def retry_after_seconds(header: str | None, now: float | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, or None if absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        moment = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def next_wait(
    attempt: int,
    *,
    base_seconds: float,
    max_seconds: float,
    retry_after: float | None = None,
    retry_after_max: float = 3600,
) -> float:
    """Seconds to wait after attempt number ``attempt`` (1, 2, ...) failed: half to all
    of ``base * 2**(attempt-1)`` (at most ``max_seconds``), but never less than the
    CRM's ``Retry-After`` (itself at most ``retry_after_max``)."""
    ceiling = min(max_seconds, base_seconds * 2 ** (attempt - 1))
    wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret
    if retry_after is not None:
        wait = max(wait, min(retry_after, retry_after_max))
    return wait
