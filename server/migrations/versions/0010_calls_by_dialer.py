"""Calls are keyed by (tenant, dialer, call_id): two dialers may use the same call id.

Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint("calls_tenant_call_id_key", type_="unique")
        batch.create_unique_constraint(
            "calls_tenant_dialer_call_id_key", ["tenant", "dialer", "call_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_constraint("calls_tenant_dialer_call_id_key", type_="unique")
        batch.create_unique_constraint("calls_tenant_call_id_key", ["tenant", "call_id"])
