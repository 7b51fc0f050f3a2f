"""Alembic's environment: runs on the connection `server.migrations.upgrade` hands over.

There is no ini file and no offline (SQL script) mode: the bridge migrates the database
it is configured with, at start or with ``crm-bridge db upgrade``.
"""

from alembic import context

from server.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `crm-bridge db upgrade --config bridge.toml`")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite changes most columns by copying the table
)
with context.begin_transaction():
    context.run_migrations()
