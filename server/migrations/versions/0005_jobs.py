"""Durable bulk work: jobs, their rows, and CSV files uploaded for import.

Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", ID, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False, server_default="api"),
        sa.Column("dialer", sa.Text, nullable=False, server_default=""),
        sa.Column("spec", sa.Text, nullable=False, server_default="{}"),
        sa.Column("result", sa.Text, nullable=False, server_default="{}"),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("request_hash", sa.Text),
        sa.Column("retry_of", ID),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("already_there", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("unknown", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_sent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rate", sa.Float, nullable=False, server_default="0"),
        sa.Column("paused_reason", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("owner", sa.Text),
        sa.Column("lease_until", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.UniqueConstraint("tenant", "idempotency_key", name="jobs_tenant_idempotency_key_key"),
    )
    op.create_index("jobs_state", "jobs", ["state"])
    op.create_index("jobs_tenant_id", "jobs", ["tenant", "id"])
    op.create_table(
        "job_rows",
        sa.Column(
            "job_id",
            ID,
            sa.ForeignKey("jobs.id", name="job_rows_job_id_fkey", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("idx", sa.Integer, primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False, server_default=""),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("job_rows_job_id_state_idx", "job_rows", ["job_id", "state", "idx"])
    op.create_table(
        "csv_uploads",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("encoding", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("csv_uploads")
    op.drop_table("job_rows")
    op.drop_table("jobs")
