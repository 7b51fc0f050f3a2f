"""Each agent's states over time (``agent_state_log``), for the agent-state reports; the
current states at the upgrade start the log.

Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "agent_state_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey("agents.id", name="agent_state_log_agent_id_fkey", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("pause_reason", sa.Text),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("ended_at", sa.Float),
        sa.PrimaryKeyConstraint("id", name="agent_state_log_pkey"),
    )
    op.create_index(
        "agent_state_log_agent_id_started_at_idx", "agent_state_log", ["agent_id", "started_at"]
    )
    op.create_index("agent_state_log_ended_at_idx", "agent_state_log", ["ended_at"])
    # The state each agent is in now (named as `AgentState.name` names it) begins the log.
    op.execute(
        "INSERT INTO agent_state_log (agent_id, state, pause_reason, started_at)"
        " SELECT agent_id, CASE WHEN call_id IS NOT NULL THEN 'in_call'"
        " WHEN wrap_up_call_id IS NOT NULL THEN 'wrap_up'"
        " WHEN NOT checked_in THEN 'checked_out'"
        " WHEN pause_reason IS NOT NULL THEN 'paused' ELSE 'available' END,"
        " CASE WHEN call_id IS NULL AND wrap_up_call_id IS NULL AND checked_in"
        " THEN pause_reason END, COALESCE(since, updated_at) FROM agent_states"
    )


def downgrade() -> None:
    op.drop_table("agent_state_log")
