"""Slows down password guessing: too many wrong passwords for one agent, and it must wait.

In memory, per server process: a handful of failures within ``window_seconds`` locks
that username for ``lock_seconds``. A correct password clears its record.
"""

import time
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(
        self, *, failures: int = 5, window_seconds: float = 300, lock_seconds: float = 60
    ) -> None:
        self._failures = failures
        self._window = window_seconds
        self._lock = lock_seconds
        self._recent: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)

    def wait_seconds(self, tenant: str, username: str) -> float:
        """How long this agent must wait before trying again (0 when it may try now)."""
        recent = self._recent.get((tenant, username))
        if not recent or len(recent) < self._failures:
            return 0.0
        return max(0.0, recent[-1] + self._lock - time.monotonic())

    def failed(self, tenant: str, username: str) -> None:
        now = time.monotonic()
        recent = self._recent[tenant, username]
        recent.append(now)
        while recent and recent[0] < now - self._window:
            recent.popleft()
        while len(recent) > self._failures:
            recent.popleft()

    def succeeded(self, tenant: str, username: str) -> None:
        self._recent.pop((tenant, username), None)
