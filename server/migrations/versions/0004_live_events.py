"""Live events: push secrets, received dialer events, calls, agent states and dialer ids,
click-to-call links and the agents' stream events.

Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _agent(table: str, *, primary_key: bool = False, ondelete: str = "CASCADE") -> "sa.Column[int]":
    return sa.Column(
        "agent_id",
        sa.Integer,
        sa.ForeignKey("agents.id", name=f"{table}_agent_id_fkey", ondelete=ondelete),
        primary_key=primary_key,
        nullable=ondelete != "CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "event_push_secrets",
        sa.Column("tenant", sa.Text, primary_key=True),
        sa.Column("dialer", sa.Text, primary_key=True),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("secret_hash", name="event_push_secrets_secret_hash_key"),
    )
    op.create_table(
        "dialer_events",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("dialer", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.UniqueConstraint(
            "tenant", "dialer", "digest", name="dialer_events_tenant_dialer_digest_key"
        ),
    )
    op.create_index("dialer_events_received_at", "dialer_events", ["received_at"])
    op.create_table(
        "agent_dialer_ids",
        _agent("agent_dialer_ids", primary_key=True),
        sa.Column("dialer", sa.Text, primary_key=True),
        sa.Column("user_id", sa.Text),
        sa.Column("device_id", sa.Text),
    )
    op.create_index("agent_dialer_ids_dialer_user_id", "agent_dialer_ids", ["dialer", "user_id"])
    op.create_index(
        "agent_dialer_ids_dialer_device_id", "agent_dialer_ids", ["dialer", "device_id"]
    )
    op.create_table(
        "agent_states",
        _agent("agent_states", primary_key=True),
        sa.Column("checked_in", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("pause_reason", sa.Text),
        sa.Column("queues", sa.Text, nullable=False, server_default="[]"),
        sa.Column("call_id", sa.Text),
        sa.Column("wrap_up_call_id", sa.Text),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "click_calls",
        sa.Column("tenant", sa.Text, primary_key=True),
        sa.Column("uuid", sa.Text, primary_key=True),
        sa.Column("dialer", sa.Text, nullable=False),
        _agent("click_calls"),
        sa.Column("number", sa.Text, nullable=False),
        sa.Column("lead_id", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "calls",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("dialer", sa.Text, nullable=False),
        sa.Column("call_id", sa.Text, nullable=False),
        sa.Column("uuid", sa.Text),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("number", sa.Text, nullable=False, server_default=""),
        sa.Column("caller_name", sa.Text, nullable=False, server_default=""),
        _agent("calls", ondelete="SET NULL"),
        sa.Column("queue", sa.Text),
        sa.Column("lead_id", sa.Text),
        sa.Column("tags", sa.Text),
        sa.Column("answered", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("waitms", sa.BigInteger),
        sa.Column("durationms", sa.BigInteger),
        sa.Column("billms", sa.BigInteger),
        sa.Column("progressms", sa.BigInteger),
        sa.Column("cc_wait", sa.BigInteger),
        sa.Column("hangup_cause", sa.Text),
        sa.Column("canceled", sa.Text),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("answered_at", sa.Float),
        sa.Column("ended_at", sa.Float),
        sa.Column("notified", sa.Text),
        sa.Column("disposition", sa.Text),
        sa.Column("outcome", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("tenant", "call_id", name="calls_tenant_call_id_key"),
    )
    op.create_index("calls_tenant_started_at", "calls", ["tenant", "started_at"])
    op.create_table(
        "stream_events",
        sa.Column("id", _ID, primary_key=True),
        _agent("stream_events"),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("stream_events_agent_id", "stream_events", ["agent_id", "id"])
    op.create_index("stream_events_created_at", "stream_events", ["created_at"])


def downgrade() -> None:
    for table in (
        "stream_events",
        "calls",
        "click_calls",
        "agent_states",
        "agent_dialer_ids",
        "dialer_events",
        "event_push_secrets",
    ):
        op.drop_table(table)
