"""inbound_messages.text: what the customer wrote, kept with the claim (the admin's
conversation view, the hand-off notice's last words)

Revision ID: 0004_inbound_text
Revises: 0003_convo
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_inbound_text"
down_revision = "0003_convo"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("text")
