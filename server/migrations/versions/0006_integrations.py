"""The Integration Centre: groups, members, webhooks, deliveries; calls' CRM tags.

Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.add_column("click_calls", sa.Column("crm_tag", sa.Text))
    op.add_column("calls", sa.Column("crm_tag", sa.Text))
    op.create_table(
        "integration_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("auth_type", sa.Text, nullable=False),
        sa.Column("level", sa.Text, nullable=False),
        sa.Column("key_name", sa.Text, nullable=False, server_default=""),
        sa.Column("key_placement", sa.Text, nullable=False, server_default="header"),
        sa.Column("secret", sa.Text),
        sa.Column("declared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("tenant", "name", name="integration_groups_tenant_name_key"),
    )
    op.create_table(
        "integration_members",
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey(
                "integration_groups.id",
                name="integration_members_group_id_fkey",
                ondelete="CASCADE",
            ),
            primary_key=True,
        ),
        sa.Column("agent", sa.Text, primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("parameters", sa.Text, nullable=False, server_default="[]"),
        sa.Column("test_values", sa.Text, nullable=False, server_default="{}"),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("response_type", sa.Text, nullable=False),
        sa.Column("columns", sa.Text, nullable=False, server_default="[]"),
        sa.Column(
            "group_id",
            sa.Integer,
            sa.ForeignKey("integration_groups.id", name="webhooks_group_id_fkey"),
        ),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("directions", sa.Text, nullable=False, server_default="[]"),
        sa.Column("queues", sa.Text, nullable=False, server_default="[]"),
        sa.Column("declared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("tenant", "name", name="webhooks_tenant_name_key"),
    )
    op.create_index("webhooks_tenant_trigger", "webhooks", ["tenant", "trigger"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, primary_key=True),
        sa.Column("delivery_id", sa.Text, nullable=False),
        sa.Column("tenant", sa.Text, nullable=False),
        sa.Column(
            "webhook_id",
            sa.Integer,
            sa.ForeignKey(
                "webhooks.id", name="webhook_deliveries_webhook_id_fkey", ondelete="SET NULL"
            ),
        ),
        sa.Column("webhook_name", sa.Text, nullable=False),
        sa.Column("call_id", sa.Text),
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey(
                "agents.id", name="webhook_deliveries_agent_id_fkey", ondelete="SET NULL"
            ),
        ),
        sa.Column("trigger", sa.Text, nullable=False),
        sa.Column("variables", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("request_summary", sa.Text),
        sa.Column("answer_summary", sa.Text),
        sa.Column("duration_ms", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float),
        sa.UniqueConstraint("delivery_id", name="webhook_deliveries_delivery_id_key"),
    )
    op.create_index(
        "webhook_deliveries_state_next_attempt_at",
        "webhook_deliveries",
        ["state", "next_attempt_at"],
    )
    op.create_index(
        "webhook_deliveries_tenant_created_at", "webhook_deliveries", ["tenant", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("integration_members")
    op.drop_table("integration_groups")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("crm_tag")
    with op.batch_alter_table("click_calls") as batch:
        batch.drop_column("crm_tag")
