"""reliability: process heartbeats, the owner of an inbound message in flight, when an
outbox send started

Revision ID: 0002_reliability
Revises: 0002_rental
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0002_reliability'
down_revision = "0002_rental"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('processes',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('host', sa.String(length=128), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('heartbeat_at', storage.types.UTCDateTime(), nullable=False),
    sa.Column('stopped_at', storage.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processes_heartbeat_at'), ['heartbeat_at'], unique=False)
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner', sa.String(length=64), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('send_started_at', storage.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('send_started_at')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_column('owner')
    with op.batch_alter_table('processes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processes_heartbeat_at'))
    op.drop_table('processes')
