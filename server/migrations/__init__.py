"""Schema migrations (Alembic), shipped inside the package and run without an ini file.

`upgrade` brings a database to the newest revision: it creates the schema in an empty
database, and adopts a database made before migrations existed (the tables of the
baseline revision, no ``alembic_version``) by stamping it with the baseline first.
A new migration is a new file in ``versions/`` whose ``down_revision`` is the newest one;
a test checks that the migrations and `server.tables` agree, on SQLite and PostgreSQL.
SQLite changes most columns only by rebuilding the table (``op.batch_alter_table``); an
adopted SQLite file has unnamed UNIQUE and FOREIGN KEY constraints, so a batch that drops
one passes ``naming_convention=server.tables.metadata.naming_convention``.
"""

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect

# The bridge logs one line per schema change (`SchemaChange.describe`) instead of Alembic's.
logging.getLogger("alembic").setLevel(logging.WARNING)

BASELINE = "0001"
BASELINE_TABLES = frozenset({"agents", "sessions", "audit_log", "api_keys"})


class SchemaError(Exception):
    """The database's schema is not one this bridge can upgrade; the message says why."""


@dataclass(frozen=True, slots=True)
class SchemaChange:
    before: str | None  # the revision found; None for an empty or adopted database
    after: str
    adopted: bool = False

    def describe(self) -> str:
        if self.adopted:
            return (
                f"adopted the tables made before migrations (revision {BASELINE}),"
                f" schema now at revision {self.after}"
            )
        if self.before is None:
            return f"created the schema at revision {self.after}"
        if self.before == self.after:
            return f"schema already at the newest revision {self.after}"
        return f"schema upgraded from revision {self.before} to {self.after}"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration, found next to this file wherever the package is installed."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _check_known(config: Config, revision: str) -> None:
    scripts = ScriptDirectory.from_config(config)
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise SchemaError(
            f"its schema is at revision {revision!r}, which this crm-bridge (newest revision"
            f" {scripts.get_current_head()}) does not know: a newer crm-bridge upgraded it"
        ) from None


def upgrade(connection: Connection) -> SchemaChange:
    """Upgrade the schema on ``connection`` (inside the caller's transaction)."""
    config = alembic_config(connection)
    before = MigrationContext.configure(connection).get_current_revision()
    adopted = False
    if before is not None:
        _check_known(config, before)
    else:
        existing = BASELINE_TABLES & set(inspect(connection).get_table_names())
        if existing and existing != BASELINE_TABLES:
            raise SchemaError(
                f"it has the tables {sorted(existing)} but not {sorted(BASELINE_TABLES - existing)}"
                " and no alembic_version: it was not made by crm-bridge; give an empty database"
            )
        if existing:
            command.stamp(config, BASELINE)
            adopted = True
    command.upgrade(config, "head")
    after = MigrationContext.configure(connection).get_current_revision()
    assert after is not None
    return SchemaChange(before=before, after=after, adopted=adopted)
