"""How the ``crm-bridge`` command ends: its exit statuses, and the one-line error that
stops a command (`CommandError`), printed without a traceback.

| status | meaning |
|---|---|
| 0 | done (a job: every row reached the list) |
| 1 | the command could not run: configuration, database, a port in use, a file, ... |
| 2 | wrong usage (unknown option, missing argument) |
| 3 | the job is done with failures (some rows did not reach the list) |
| 4 | the job failed or was cancelled |
| 130 | interrupted (Ctrl+C); a job goes on in a bridge instance or ``jobs watch`` |
"""

import errno
import re

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DONE_WITH_FAILURES = 3
EXIT_JOB_FAILED = 4
EXIT_INTERRUPTED = 130

_ADDRESS = re.compile(r"\('([^']+)', (\d+)")


class CommandError(Exception):
    """What stops a command: one line for the operator, and the exit status."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def start_failure(error: OSError, port_hint: str) -> CommandError:
    """A server that could not start (``port_hint``: where its port is chosen)."""
    found = _ADDRESS.search(str(error))
    where = f"{found.group(1)}:{found.group(2)}" if found else "its address"
    if error.errno == errno.EADDRINUSE:
        return CommandError(
            f"cannot listen on {where}: the port is in use (another crm-bridge, or another"
            f" program, listens there): stop it, or choose another port with {port_hint}"
        )
    if error.errno in (errno.EADDRNOTAVAIL, errno.EACCES):
        return CommandError(f"cannot listen on {where}: {error.strerror}")
    return CommandError(f"cannot start: {error.strerror or error}")
