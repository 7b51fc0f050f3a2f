"""A PostgreSQL server of the test's own, to restart and stop under running bridges
(`tests.server.test_cluster`), made with the binaries `scripts/with-throwaway-postgres`
installed. As root it runs as that script's unprivileged user ``crmbridge-pg``."""

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.processes import free_ports

USER = "crmbridge-pg"


class PostgresServer:
    def __init__(self) -> None:
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="crm-bridge-cluster-pg."))
        self.port = free_ports(1)
        self.url = f"postgresql://crmbridge@127.0.0.1:{self.port}/postgres"
        self._as_user: list[str] = []
        if os.getuid() == 0:
            shutil.chown(self.folder, USER, USER)
            self._as_user = ["runuser", "-u", USER, "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True)  # noqa: S603

    def create(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.folder / "data"),
            "-U",
            "crmbridge",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-s",
            "start",
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop it (``fast``: sessions are disconnected, as a restart does)."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", mode, "-w", "stop"
        )

    def remove(self) -> None:
        subprocess.run(  # noqa: S603
            [
                *self._as_user,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.folder / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)
