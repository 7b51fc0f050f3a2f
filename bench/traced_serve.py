"""`crm-bridge` with tracemalloc on, for finding what grows (`bench.memory_flat`):
``python -m bench.traced_serve serve --config FILE``. Each SIGUSR2 dumps a snapshot to
``$CRM_BRIDGE_BENCH_TRACEMALLOC/<pid>-<n>.snapshot`` (n = 0, 1, ...)."""

import itertools
import os
import signal
import tracemalloc
from pathlib import Path
from types import FrameType

from bench.event_load import TRACED
from cli.main import main as crm_bridge

FRAMES = 8


def main() -> None:
    folder = Path(os.environ[TRACED])
    numbers = itertools.count()

    def dump(_signal: int, _frame: FrameType | None) -> None:
        path = folder / f"{os.getpid()}-{next(numbers)}.snapshot"
        tracemalloc.take_snapshot().dump(f"{path}.part")
        os.replace(f"{path}.part", path)  # whole, once it has its name

    tracemalloc.start(FRAMES)
    signal.signal(signal.SIGUSR2, dump)
    crm_bridge()


if __name__ == "__main__":
    main()
