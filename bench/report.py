"""Where the benchmark's tables go: printed and appended to a results file as soon as
each is measured, so what was measured survives a part that fails later."""

import datetime
import os
import platform
import subprocess
from pathlib import Path
from typing import TextIO


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def _commit() -> str:
    try:
        found = subprocess.run(
            ["git", "describe", "--always", "--dirty"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return found.stdout.strip()


class Report:
    """Writes lines to standard output and to ``results`` (appended), flushed each time."""

    def __init__(self, results: Path, out: TextIO) -> None:
        results.parent.mkdir(parents=True, exist_ok=True)
        self._file = results.open("a", encoding="utf-8")
        self._out = out

    def write(self, *lines: str) -> None:
        text = "\n".join(lines) + "\n"
        for stream in (self._out, self._file):
            stream.write(text)
            stream.flush()

    def start(self, command: str) -> None:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.write(
            "",
            f"## `{command}` on {now}, commit {_commit()}",
            "",
            f"Machine: {platform.machine()}, {platform.python_implementation()}"
            f" {platform.python_version()}, Debian Chromium headless; at the start,"
            f" {load_average()}.",
        )

    def close(self) -> None:
        self._file.close()
