"""Telling a database that is down (restarting, unreachable, out of connections) from a
bug: requests that meet the first are answered 503 with ``Retry-After`` (the dialer
re-sends its push, a widget tries again), never a 500.

asyncpg and aiosqlite errors reach us wrapped by SQLAlchemy (``OperationalError``,
``InterfaceError``, a connection it marked invalid) or, when a new connection is
refused, as the socket's own ``OSError`` raised inside the driver; the chain of causes
is searched for either. An ``OSError`` from anywhere else stays a bug (500).
"""

from types import TracebackType

import asyncpg
from sqlalchemy import exc

from server.problems import Problem

RETRY_AFTER_SECONDS = 2

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    exc.OperationalError,  # refused, reset, "the database system is starting up", locked
    exc.InterfaceError,  # the connection closed under the driver
    exc.TimeoutError,  # no pooled connection free in time
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.exceptions.OperatorInterventionError,  # shut down by an administrator
    asyncpg.InterfaceError,
)
_DRIVERS = ("asyncpg", "sqlalchemy", "aiosqlite")


class DatabaseUnavailable(Problem):
    def __init__(self) -> None:
        super().__init__(
            "database_unavailable",
            "the bridge's database is unavailable for a moment; try again",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            retry_after=RETRY_AFTER_SECONDS,
        )


def is_database_down(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database cannot be reached now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, OSError) and _raised_in_driver(current.__traceback__):
            return True
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def _raised_in_driver(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        module = str(traceback.tb_frame.f_globals.get("__name__", ""))
        if module.split(".")[0] in _DRIVERS:
            return True
        traceback = traceback.tb_next
    return False
