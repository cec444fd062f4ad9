"""rental of refurbished appliances: units, contracts, dues, rental tickets

Revision ID: 0002_rental
Revises: 0002_admin_sessions
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002_rental"
down_revision = "0002_admin_sessions"
branch_labels = None
depends_on = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rental_units",
        sa.Column("id", PK, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("store_id", PK, sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("brand", sa.String(length=32), nullable=True),
        sa.Column("model", sa.String(length=64), nullable=True),
        sa.Column("serial", sa.String(length=64), nullable=True),
        sa.Column("grade", sa.String(length=1), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("monthly_fee_fen", sa.Integer(), nullable=False),
        sa.Column("deposit_fen", sa.Integer(), nullable=False),
        sa.Column("residual_fen", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("trade_in_id", PK, sa.ForeignKey("trade_in_requests.id"), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("trade_in_id"),
    )
    op.create_index("ix_rental_units_store_id", "rental_units", ["store_id"])
    op.create_index("ix_rental_units_state", "rental_units", ["state"])

    op.create_table(
        "rental_contracts",
        sa.Column("id", PK, nullable=False),
        sa.Column("customer_id", PK, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("unit_id", PK, sa.ForeignKey("rental_units.id"), nullable=False),
        sa.Column("store_id", PK, sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("device_id", PK, sa.ForeignKey("devices.id"), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("monthly_fee_fen", sa.Integer(), nullable=False),
        sa.Column("deposit_fen", sa.Integer(), nullable=False),
        sa.Column("residual_fen", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index("ix_rental_contracts_customer_id", "rental_contracts", ["customer_id"])
    op.create_index("ix_rental_contracts_unit_id", "rental_contracts", ["unit_id"])
    op.create_index("ix_rental_contracts_end_on", "rental_contracts", ["end_on"])
    op.create_index("ix_rental_contracts_status", "rental_contracts", ["status"])
    op.create_index(
        "uq_rental_contracts_live_unit",
        "rental_contracts",
        ["unit_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'ended'"),
        sqlite_where=sa.text("status <> 'ended'"),
    )

    op.create_table(
        "rental_dues",
        sa.Column("id", PK, nullable=False),
        sa.Column("contract_id", PK, sa.ForeignKey("rental_contracts.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("contract_id", "seq"),
    )
    op.create_index("ix_rental_dues_contract_id", "rental_dues", ["contract_id"])
    op.create_index("ix_rental_dues_due_on", "rental_dues", ["due_on"])

    op.create_table(
        "rental_tickets",
        sa.Column("id", PK, nullable=False),
        sa.Column("ticket_id", PK, sa.ForeignKey("service_tickets.id"), nullable=False),
        sa.Column("contract_id", PK, sa.ForeignKey("rental_contracts.id"), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id"),
    )
    op.create_index("ix_rental_tickets_contract_id", "rental_tickets", ["contract_id"])


def downgrade() -> None:
    op.drop_table("rental_tickets")
    op.drop_table("rental_dues")
    op.drop_index("uq_rental_contracts_live_unit", table_name="rental_contracts")
    op.drop_table("rental_contracts")
    op.drop_table("rental_units")
