"""Stream events numbered per agent: ``stream_events.seq`` and one ``stream_cursors`` row
per agent, the last number given, which the writing transaction locks while it numbers.

Existing events keep their id as their number, and each agent's cursor starts at the
highest id written so far, so a widget resuming with an id it saw loses nothing.

Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "stream_cursors",
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey("agents.id", name="stream_cursors_agent_id_fkey", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO stream_cursors (agent_id, seq)"
        " SELECT id, (SELECT coalesce(max(id), 0) FROM stream_events) FROM agents"
    )
    with op.batch_alter_table("stream_events") as batch:
        batch.add_column(sa.Column("seq", sa.BigInteger))
    op.execute("UPDATE stream_events SET seq = id")
    with op.batch_alter_table("stream_events") as batch:
        batch.alter_column("seq", existing_type=sa.BigInteger, nullable=False)
        batch.drop_index("stream_events_agent_id")
        batch.create_index("stream_events_agent_id_seq", ["agent_id", "seq"], unique=True)
