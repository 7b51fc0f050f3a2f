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
    Index("agent_dialer_ids_dialer_user_id", "dialer", "user_id"),
    Index("agent_dialer_ids_dialer_device_id", "dialer", "device_id"),
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
    Column("since", Float),  # when the current state began
    Column("wrap_up", Text),  # JSON: the pending wrap-up (`agent_model.PendingWrapup`)
    Column("wrap_up_deadline", Float),  # the pending wrap-up ends then unless saved or skipped
    Index("agent_states_wrap_up_deadline_idx", "wrap_up_deadline"),
)

# Each agent's states over time, for the agent-state reports (`server.reports.agent_time`):
# one row per state (`AgentState.name`, with the pause reason when paused), from
# ``started_at`` to ``ended_at`` (None while it lasts). Written by `server.events.state_log`.
agent_state_log = Table(
    "agent_state_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("state", Text, nullable=False),
    Column("pause_reason", Text),
    Column("started_at", Float, nullable=False),
    Column("ended_at", Float),
    Index("agent_state_log_agent_id_started_at_idx", "agent_id", "started_at"),
    Index("agent_state_log_ended_at_idx", "ended_at"),
)

# An agent's click-to-call between the request to the dialer and its answer: one at a
# time (`server.events.call_in_progress`).
originates_in_flight = Table(
    "originates_in_flight",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("started_at", Float, nullable=False),
)

# Per agent, the newest call event any of the agent's streams has sent: a stream opened
# without `after` first sends the newer ones (`server.events.missed_calls`).
stream_deliveries = Table(
    "stream_deliveries",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("delivered_through", BigInteger, nullable=False),
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
    Column("crm_tag", Text),  # the CRM's tag of the call ({CALL_CRMTAG})
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
    Column("notified", Text),  # the last state the agent's stream (or webhooks) was told
    Column("disposition", Text),
    Column("outcome", Text),
    Column("notes", Text),
    Column("updated_at", Float, nullable=False),
    Column("crm_tag", Text),
    UniqueConstraint("tenant", "dialer", "call_id"),  # two dialers may use one call id
    Index("calls_tenant_started_at", "tenant", "started_at"),
    Index("calls_agent_id_started_at_idx", "agent_id", "started_at"),
)

stream_events = Table(
    "stream_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("data", Text, nullable=False),  # JSON
    Column("created_at", Float, nullable=False),
    Column("seq", BigInteger, nullable=False),  # the agent's event number: 1, 2, 3 ...
    Index("stream_events_agent_id_seq", "agent_id", "seq", unique=True),
    Index("stream_events_created_at", "created_at"),
)

# The last `stream_events.seq` each agent got; locked by the transaction numbering more.
stream_cursors = Table(
    "stream_cursors",
    metadata,
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
)

# The logins dialers refused (`bridge.login_breaker`): by dialer base URL and API user
# ("breaker"), and password fingerprint ("" for a lock of the API user).
dialer_login_refusals = Table(
    "dialer_login_refusals",
    metadata,
    Column("breaker", Text, primary_key=True),
    Column("fingerprint", Text, primary_key=True),
    Column("until", Float, nullable=False),  # wall-clock seconds
    Column("dialer", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("dialer_text", Text),
)

# Durable bulk work (`server.jobs`): one row per job, one row per lead or agent in it.
jobs = Table(
    "jobs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("kind", Text, nullable=False),  # lead_export, agent_sync
    Column("state", Text, nullable=False),  # queued, running, done, failed, cancelled
    Column("source", Text, nullable=False, server_default="api"),  # api, csv, cli, retry
    Column("dialer", Text, nullable=False, server_default=""),
    Column("spec", Text, nullable=False, server_default="{}"),  # JSON: what to do
    Column("result", Text, nullable=False, server_default="{}"),  # JSON: e.g. the list id
    Column("idempotency_key", Text),
    Column("request_hash", Text),
    Column("retry_of", BigInteger().with_variant(Integer, "sqlite")),
    Column("total", Integer, nullable=False, server_default="0"),
    Column("added", Integer, nullable=False, server_default="0"),
    Column("already_there", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("unknown", Integer, nullable=False, server_default="0"),
    Column("not_sent", Integer, nullable=False, server_default="0"),
    Column("rate", Float, nullable=False, server_default="0"),  # rows per second, lately
    Column("paused_reason", Text),
    Column("error", Text),  # JSON {code, message, dialer?, dialer_text?}
    Column("cancel_requested", Boolean, nullable=False, server_default=false()),
    Column("owner", Text),  # the worker running it (or that ran it last)
    Column("lease_until", Float),  # the owner's claim ends then unless renewed
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("started_at", Float),
    Column("finished_at", Float),
    UniqueConstraint("tenant", "idempotency_key"),
    Index("jobs_state", "state"),
    Index("jobs_tenant_id", "tenant", "id"),
)

job_rows = Table(
    "job_rows",
    metadata,
    Column(
        "job_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("jobs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("idx", Integer, primary_key=True),  # the row's place in the request or file
    # pending, sending, added, already_there, failed, unknown, not_sent
    Column("state", Text, nullable=False),
    Column("phone", Text, nullable=False, server_default=""),  # or the username
    Column("data", Text, nullable=False, server_default="{}"),  # JSON: the lead or agent
    Column("message", Text, nullable=False, server_default=""),
    Index("job_rows_job_id_state_idx", "job_id", "state", "idx"),
)

# A CSV file uploaded in the admin pages, kept until it is imported or a day old.
csv_uploads = Table(
    "csv_uploads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("content", Text, nullable=False),  # decoded text
    Column("encoding", Text, nullable=False),  # what it was decoded from
    Column("created_at", Float, nullable=False),
)

# The Integration Centre (`server.integrations`): groups with their (encrypted) secrets,
# their members' secrets, webhooks, and the outbox of deliveries to the CRMs.
integration_groups = Table(
    "integration_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("auth_type", Text, nullable=False),  # none, api_key, credentials
    Column("level", Text, nullable=False),  # global, user
    Column("key_name", Text, nullable=False, server_default=""),
    Column("key_placement", Text, nullable=False, server_default="header"),  # or parameter
    Column("secret", Text),  # Fernet token of {"api_key"} or {"username", "password"}
    Column("declared", Boolean, nullable=False, server_default=false()),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("tenant", "name"),
)

integration_members = Table(
    "integration_members",
    metadata,
    Column(
        "group_id",
        Integer,
        ForeignKey("integration_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("agent", Text, primary_key=True),  # the agent's user name in the group's tenant
    Column("secret", Text, nullable=False),  # Fernet token, as the group's
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tenant", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("parameters", Text, nullable=False, server_default="[]"),  # JSON [[name, value]]
    Column("test_values", Text, nullable=False, server_default="{}"),  # JSON {variable: value}
    Column("type", Text, nullable=False),  # browser_window, ajax_get, ajax_post
    Column("content_type", Text, nullable=False),  # form, json
    Column("response_type", Text, nullable=False),  # object, records, ignore
    Column("columns", Text, nullable=False, server_default="[]"),  # JSON list
    Column("column_labels", Text, nullable=False, server_default="{}"),  # JSON {column: label}
    Column("group_id", Integer, ForeignKey("integration_groups.id")),
    Column("trigger", Text, nullable=False),  # call_ringing ... wrapup, manual
    Column("directions", Text, nullable=False, server_default="[]"),  # JSON list
    Column("queues", Text, nullable=False, server_default="[]"),  # JSON list
    Column("declared", Boolean, nullable=False, server_default=false()),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("tenant", "name"),
    Index("webhooks_tenant_trigger", "tenant", "trigger"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("delivery_id", Text, nullable=False, unique=True),  # the Idempotency-Key
    Column("tenant", Text, nullable=False),
    Column("webhook_id", Integer, ForeignKey("webhooks.id", ondelete="SET NULL")),
    Column("webhook_name", Text, nullable=False),
    Column("call_id", Text),
    Column("agent_id", Integer, ForeignKey("agents.id", ondelete="SET NULL")),
    Column("trigger", Text, nullable=False),
    Column("variables", Text, nullable=False),  # JSON: the values at the trigger
    Column("state", Text, nullable=False),  # pending, sending, delivered, failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("request_summary", Text),  # secrets redacted
    Column("answer_summary", Text),  # secrets redacted
    Column("duration_ms", Float),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("finished_at", Float),
    Index("webhook_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
    Index("webhook_deliveries_tenant_created_at", "tenant", "created_at"),
)
