"""The server's tables, defined once for SQLite and PostgreSQL (SQLAlchemy Core).

The database is created and changed only by the migrations in `server/migrations`; a
test checks that they and these definitions agree. Times are epoch seconds (REAL).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    false,
    true,
)

# Constraint names that Alembic can find again on either database.
metadata = MetaData(
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "ck": "%(table_name)s_%(constraint_name)s_check",
        "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    }
)

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("username", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("full_name", Text, nullable=False, server_default=""),
    Column("extension", Text, nullable=False, server_default=""),
    Column("active", Boolean, nullable=False, server_default=true()),
    Column("synced_dialers", Text, nullable=False, server_default="[]"),  # a JSON list
    Column("allowed_extensions", Text, nullable=False, server_default="[]"),  # a JSON list
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("tenant", "username"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("extension", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("sessions_expiry", "expires_at"),
)

login_tokens = Table(
    "login_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    # SQLite assigns ids only to a column declared exactly INTEGER PRIMARY KEY.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("at", Float, nullable=False),
    Column("tenant", Text, nullable=False),
    Column("user", Text, nullable=False),
    Column("dialer", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("duration_ms", Float, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("error_text", Text),
    Column("detail", Text),
    Index("audit_log_tenant_at", "tenant", "at"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("prefix", Text, nullable=False),
    Column("key_hash", Text, nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float),
    Column("revoked_at", Float),
)

# Live events (`server.events`): the REST dialers' push secrets, every event received,
# the calls they describe, each agent's state and dialer ids, and the agents' streams.

event_push_secrets = Table(
    "event_push_secrets",
    metadata,
    Column("tenant", Text, primary_key=True),
    Column("dialer", Text, primary_key=True),
    Column("secret_hash", Text, nullable=False, unique=True),
    Column("created_at", Float, nullable=False),
)

dialer_events = Table(
    "dialer_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("dialer", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("digest", Text, nullable=False),  # of name and data: a re-delivery has the same
    Column("data", Text, nullable=False),  # the event's variables as JSON
    Column("received_at", Float, nullable=False),
    UniqueConstraint("tenant", "dialer", "digest"),
    Index("dialer_events_received_at", "received_at"),
)

agent_dialer_ids = Table(
    "agent_dialer_ids",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("dialer", Text, primary_key=True),
    Column("user_id", Text),
    Column("device_id", Text),
)

agent_states = Table(
    "agent_states",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("checked_in", Boolean, nullable=False, server_default=false()),
    Column("pause_reason", Text),
    Column("queues", Text, nullable=False, server_default="[]"),  # a JSON list of ids
    Column("call_id", Text),  # the call the agent is in
    Column("wrap_up_call_id", Text),  # the answered call the agent is wrapping up
    Column("updated_at", Float, nullable=False),
)

click_calls = Table(
    "click_calls",
    metadata,
    Column("tenant", Text, primary_key=True),
    Column("uuid", Text, primary_key=True),
    Column("dialer", Text, nullable=False),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("number", Text, nullable=False),
    Column("lead_id", Text),
    Column("created_at", Float, nullable=False),
)

calls = Table(
    "calls",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("dialer", Text, nullable=False),
    Column("call_id", Text, nullable=False),
    Column("uuid", Text),
    Column("state", Text, nullable=False),
    Column("direction", Text, nullable=False),
    Column("number", Text, nullable=False, server_default=""),
    Column("caller_name", Text, nullable=False, server_default=""),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="SET NULL")),
    Column("queue", Text),
    Column("lead_id", Text),
    Column("tags", Text),
    Column("answered", Boolean, nullable=False, server_default=false()),
    Column("waitms", BigInteger),
    Column("durationms", BigInteger),
    Column("billms", BigInteger),
    Column("progressms", BigInteger),
    Column("cc_wait", BigInteger),
    Column("hangup_cause", Text),
    Column("canceled", Text),
    Column("started_at", Float, nullable=False),
    Column("answered_at", Float),
    Column("ended_at", Float),
    Column("notified", Text),  # the last state the agent's stream was told
    Column("disposition", Text),
    Column("outcome", Text),
    Column("notes", Text),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("tenant", "call_id"),
    Index("calls_tenant_started_at", "tenant", "started_at"),
)

stream_events = Table(
    "stream_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON
    Column("created_at", Float, nullable=False),
    Index("stream_events_agent_id", "agent_id", "id"),
    Index("stream_events_created_at", "created_at"),
)
