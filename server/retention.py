"""How long finished records are kept (``keep_days``), and when to look for old ones:
at once when an instance starts, then at most once an hour."""

import time

LOOK_EVERY_SECONDS = 3600.0
DAY_SECONDS = 86400


class Retention:
    def __init__(self, keep_days: float, look_every_seconds: float = LOOK_EVERY_SECONDS) -> None:
        self.keep_days = keep_days
        self._look_every = look_every_seconds
        self._next_look = 0.0

    def due(self) -> bool:
        """Whether to look for old records now (then not again for an hour)."""
        now = time.monotonic()
        if now < self._next_look:
            return False
        self._next_look = now + self._look_every
        return True

    def finished_before(self) -> float:
        """The time before which a finished record is old enough to delete."""
        return time.time() - self.keep_days * DAY_SECONDS
