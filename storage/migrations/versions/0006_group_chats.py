"""groups synced from WeCom's customer group chats (chat id, owner, members) and their
figures per day (group_days)

Revision ID: 0006_group_chats
Revises: 0005_admin_users
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_group_chats"
down_revision = "0005_admin_users"
branch_labels = None
depends_on = None

import storage.types  # noqa: E402

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("owner_userid", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("member_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("synced_at", storage.types.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint("uq_groups_chat_id", ["chat_id"])
        batch_op.create_index("ix_groups_owner_userid", ["owner_userid"])
    op.create_table(
        "group_days",
        sa.Column("id", PK, nullable=False),
        sa.Column("group_id", PK, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("joins", sa.Integer(), nullable=False),
        sa.Column("leaves", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("group_id", "day"),
    )
    op.create_index("ix_group_days_group_id", "group_days", ["group_id"])


def downgrade() -> None:
    op.drop_index("ix_group_days_group_id", table_name="group_days")
    op.drop_table("group_days")
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_index("ix_groups_owner_userid")
        batch_op.drop_constraint("uq_groups_chat_id", type_="unique")
        batch_op.drop_column("synced_at")
        batch_op.drop_column("member_count")
        batch_op.drop_column("owner_userid")
        batch_op.drop_column("chat_id")
