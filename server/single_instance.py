"""SQLite serves one bridge instance: a second ``crm-bridge serve`` on the same file would
never hear of the first one's events (only PostgreSQL tells other instances), so it is
refused at start. The serving instance holds an exclusive lock on a file next to the
database (``<database>.serve-lock``) until it exits; the lock goes with the process, even
after ``kill -9``. Commands such as ``agent add`` or ``export`` do not take it.
"""

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from server.database import StorageError, engine_url


@contextlib.contextmanager
def serving(setting: str) -> Iterator[None]:
    """Hold the serving lock of the ``[server] database`` (nothing to hold on PostgreSQL)."""
    url = engine_url(setting)
    if url.get_backend_name() != "sqlite":
        yield
        return
    database_file = Path(url.database or "").resolve()
    lock_path = database_file.with_name(database_file.name + ".serve-lock")
    try:
        database_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise StorageError(
            f"cannot create {lock_path}: {error.strerror}; check [server] database"
        ) from None
    try:
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise StorageError(
                f"another crm-bridge serve (pid {holder}) already uses the SQLite database"
                f" {database_file}; SQLite allows one instance: for several, set [server]"
                " database to a PostgreSQL URL (docs/deployment.md)"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(descriptor)
