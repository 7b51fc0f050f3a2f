"""The dialers' login refusals (`bridge.login_breaker`), shared by the bridge instances
and kept across restarts.

Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "dialer_login_refusals",
        sa.Column("breaker", sa.Text, primary_key=True),
        sa.Column("fingerprint", sa.Text, primary_key=True),
        sa.Column("until", sa.Float, nullable=False),
        sa.Column("dialer", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("dialer_text", sa.Text),
    )
