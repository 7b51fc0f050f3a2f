"""The agent's time in state and pending wrap-up (with its deadline); per agent, the
newest call event its streams delivered; the originates in flight; the agents' calls
by time; the display labels of a lookup webhook's columns.

Revises: 0006 (when merged after other revisions, it revises the newest of them: 0007 to
0009 are other branches' numbers)
"""

import json
import time

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0006"

DEFAULT_WRAPUP_SECONDS = 120  # a pending wrap-up of before the upgrade gets this long


def upgrade() -> None:
    op.add_column("agent_states", sa.Column("since", sa.Float))
    op.add_column("agent_states", sa.Column("wrap_up", sa.Text))
    op.add_column("agent_states", sa.Column("wrap_up_deadline", sa.Float))
    op.create_index("agent_states_wrap_up_deadline_idx", "agent_states", ["wrap_up_deadline"])
    op.create_table(
        "stream_deliveries",
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey("agents.id", name="stream_deliveries_agent_id_fkey", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("delivered_through", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("agent_id", name="stream_deliveries_pkey"),
    )
    op.create_table(
        "originates_in_flight",
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey(
                "agents.id", name="originates_in_flight_agent_id_fkey", ondelete="CASCADE"
            ),
            nullable=False,
        ),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("agent_id", name="originates_in_flight_pkey"),
    )
    op.create_index("calls_agent_id_started_at_idx", "calls", ["agent_id", "started_at"])
    op.add_column(
        "webhooks", sa.Column("column_labels", sa.Text, nullable=False, server_default="{}")
    )
    _keep_pending_wrap_ups()


def _keep_pending_wrap_ups() -> None:
    """States begin at their last change; a wrap-up pending before gets the default time."""
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE agent_states SET since = updated_at"))
    now = time.time()
    pending = connection.execute(
        sa.text(
            "SELECT s.agent_id, s.wrap_up_call_id, c.number, c.direction, c.caller_name,"
            " c.ended_at FROM agent_states s JOIN agents a ON a.id = s.agent_id"
            " LEFT JOIN calls c ON c.tenant = a.tenant AND c.call_id = s.wrap_up_call_id"
            " WHERE s.wrap_up_call_id IS NOT NULL"
        )
    ).all()
    for row in pending:
        deadline = now + DEFAULT_WRAPUP_SECONDS
        wrapup = {
            "call_id": row.wrap_up_call_id,
            "number": row.number or "",
            "direction": row.direction or "outbound",
            "caller_name": row.caller_name or "",
            "ended_at": row.ended_at if row.ended_at is not None else now,
            "deadline": deadline,
        }
        connection.execute(
            sa.text(
                "UPDATE agent_states SET wrap_up = :wrap_up, wrap_up_deadline = :deadline"
                " WHERE agent_id = :agent_id"
            ),
            {"wrap_up": json.dumps(wrapup), "deadline": deadline, "agent_id": row.agent_id},
        )


def downgrade() -> None:
    op.drop_column("webhooks", "column_labels")
    op.drop_index("calls_agent_id_started_at_idx", table_name="calls")
    op.drop_table("stream_deliveries")
    op.drop_table("originates_in_flight")
    op.drop_index("agent_states_wrap_up_deadline_idx", table_name="agent_states")
    for column in ("wrap_up_deadline", "wrap_up", "since"):
        op.drop_column("agent_states", column)
