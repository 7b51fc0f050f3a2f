"""How long each step of a request took, sent as a ``Server-Timing`` header.

Browsers show it in their developer tools and the benchmark reads it
(`bench.bridge_overhead`), so the time a request spends in the bridge can be split into
its steps without a profiler: ``timer.step("auth")`` ends the step that began at the
previous one (or at the start).
"""

import time


class StepTimer:
    def __init__(self) -> None:
        self._last = time.perf_counter()
        self._steps: list[tuple[str, float]] = []

    def step(self, name: str) -> None:
        """End the step called ``name`` now."""
        now = time.perf_counter()
        self._steps.append((name, (now - self._last) * 1000))
        self._last = now

    def header(self) -> str:
        """The ``Server-Timing`` value: ``name;dur=milliseconds`` for each step."""
        return ", ".join(f"{name};dur={ms:.3f}" for name, ms in self._steps)
