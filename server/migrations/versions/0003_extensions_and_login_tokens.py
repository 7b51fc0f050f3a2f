"""Agents may be allowed extensions besides their own; single-use login tokens.

Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column(
        "agents",
        sa.Column("allowed_extensions", sa.Text, nullable=False, server_default="[]"),
    )
    op.create_table(
        "login_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey("agents.id", name="login_tokens_agent_id_fkey", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("login_tokens")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("allowed_extensions")
