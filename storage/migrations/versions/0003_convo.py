"""entitlements.status: an extended warranty is offered until it is paid, then active

Revision ID: 0003_convo
Revises: 0002_scrm
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_convo"
down_revision = "0002_scrm"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="active")
        )


def downgrade() -> None:
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.drop_column("status")
