"""number_counters: the last per-day number taken for each stem (tickets, orders), so that
concurrent transactions on PostgreSQL take numbers without waiting for each other

Revision ID: 0007_number_counters
Revises: 0006_group_chats
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_number_counters"
down_revision = "0006_group_chats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_counters",
        sa.Column("stem", sa.String(length=40), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("stem"),
    )


def downgrade() -> None:
    op.drop_table("number_counters")
