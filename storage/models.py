"""The domain, as tables. Money in integer fen, times in UTC (aware datetimes)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime, utcnow

PK = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))


class Staff(Base):
    """A store guide (导购), engineer (师傅) or manager, known by WeCom userid."""

    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    name: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16), default="guide")  # guide|engineer|manager
    wecom_userid: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32), unique=True)
    address: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(32))
    birthday: Mapped[date | None] = mapped_column(Date)
    baby_birthday: Mapped[date | None] = mapped_column(Date)
    home_since: Mapped[date | None] = mapped_column(Date)  # housewarming anniversary
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    followed: Mapped[bool] = mapped_column(Boolean, default=True)  # follows the Official Account
    unsubscribed_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]  # the 48-hour customer-service window
    source: Mapped[str | None] = mapped_column(String(64))  # QR scene, import, demo…
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    identities: Mapped[list[ChannelIdentity]] = relationship(back_populates="customer")
    devices: Mapped[list[Device]] = relationship(back_populates="customer")


class ChannelIdentity(Base):
    """How a customer is reached: an MP openid (with unionid) or a WeCom external_userid."""

    __tablename__ = "channel_identities"
    __table_args__ = (UniqueConstraint("channel", "account", "external_id"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # mp|work
    account: Mapped[str] = mapped_column(String(64))  # app id / corp id
    external_id: Mapped[str] = mapped_column(String(128))  # openid / external_userid
    unionid: Mapped[str | None] = mapped_column(String(128), index=True)
    follow_user: Mapped[str | None] = mapped_column(String(64))  # WeCom: the guide's userid
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="identities")


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))  # 空调, 净水器, 冰箱…
    brand: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(64), unique=True)
    purchase_date: Mapped[date | None] = mapped_column(Date)
    install_date: Mapped[date | None] = mapped_column(Date)
    warranty_months: Mapped[int] = mapped_column(Integer, default=12)
    extended_until: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(32))  # 客厅, 主卧…
    invoice_media_id: Mapped[str | None] = mapped_column(String(128))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="devices")
    stages: Mapped[list[ConsumableStage]] = relationship(back_populates="device")


class ConsumableStage(Base):
    """A water-purifier filter stage (PP, carbon, RO…) and when it was last replaced."""

    __tablename__ = "consumable_stages"
    __table_args__ = (UniqueConstraint("device_id", "stage"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # pp|carbon|ro|post
    name: Mapped[str] = mapped_column(String(32))
    life_days: Mapped[int] = mapped_column(Integer)
    last_replaced_on: Mapped[date] = mapped_column(Date)

    device: Mapped[Device] = relationship(back_populates="stages")


class Supply(Base):
    """A consumable used up at a known rate, e.g. baby formula: pack size and daily use."""

    __tablename__ = "supplies"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32), default="奶粉")
    pack_size: Mapped[int] = mapped_column(Integer)  # grams (or units) per pack
    packs: Mapped[int] = mapped_column(Integer, default=1)
    daily_use: Mapped[int] = mapped_column(Integer)  # grams (or units) per day
    started_on: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Entitlement(Base):
    __tablename__ = "entitlements"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # free_cleaning|extended_warranty|full_cover|membership
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    used: Mapped[int] = mapped_column(Integer, default=0)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    price_fen: Mapped[int] = mapped_column(Integer, default=0)
    # offered (a plan the customer chose, not paid yet) | active | cancelled
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberCounter(Base):
    """The last per-day number taken for a stem ("R20261204-"): storage/repos/numbers.py."""

    __tablename__ = "number_counters"
    stem: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ServiceTicket(Base):
    """A visit: repair, install, cleaning or a trade-in visit. Number like R20261122-0001."""

    __tablename__ = "service_tickets"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # repair|install|cleaning|trade_in
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    category: Mapped[str | None] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(64))
    symptom: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)  # inbound message
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)

    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id"
    )


class TicketEvent(Base):
    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_tickets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    actor: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[ServiceTicket] = relationship(back_populates="events")


class TradeInRequest(Base):
    __tablename__ = "trade_in_requests"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    old_category: Mapped[str] = mapped_column(String(32))
    old_brand: Mapped[str | None] = mapped_column(String(32))
    old_age_years: Mapped[int | None] = mapped_column(Integer)
    old_working: Mapped[bool | None] = mapped_column(Boolean)
    old_condition: Mapped[str | None] = mapped_column(String(16))
    new_category: Mapped[str | None] = mapped_column(String(32))
    new_model: Mapped[str | None] = mapped_column(String(64))
    new_energy_grade: Mapped[int | None] = mapped_column(Integer)
    new_price_fen: Mapped[int] = mapped_column(Integer, default=0)
    old_value_fen: Mapped[int] = mapped_column(Integer, default=0)
    subsidy_fen: Mapped[int] = mapped_column(Integer, default=0)
    pay_fen: Mapped[int] = mapped_column(Integer, default=0)
    policy_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_tickets.id"))
    status: Mapped[str] = mapped_column(String(16), default="applied")
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsumableOrder(Base):
    __tablename__ = "consumable_orders"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    items: Mapped[list[Any]] = mapped_column(default=list)  # [{stage, name, qty, price_fen}]
    total_fen: Mapped[int] = mapped_column(Integer, default=0)
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    with_install: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="placed")
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(Base):
    __tablename__ = "ratings"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_tickets.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Handoff(Base):
    """A complaint or a request for a person; the bot keeps quiet until released."""

    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # complaint|human_agent|low_rating
    reason: Mapped[str | None] = mapped_column(String(500))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_tickets.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|closed
    quiet_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class SalesLead(Base):
    __tablename__ = "sales_leads"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_name: Mapped[str | None] = mapped_column(String(32))
    interest: Mapped[str] = mapped_column(String(200))
    budget_fen: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="new")  # new|contacted|won|lost
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GuideTask(Base):
    """Something a guide should do today: a filter due, a follow-up call, a birthday…"""

    __tablename__ = "guide_tasks"
    __table_args__ = (UniqueConstraint("idem_key"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    guide_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)  # a care message ready to forward
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|done|pushed
    idem_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class ConversationSession(Base):
    __tablename__ = "conversation_sessions"
    user_key: Mapped[str] = mapped_column(String(200), primary_key=True)  # "mp:<openid>"
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class InboundMessage(Base):
    """Every inbound message once, by its dedup key; the reply kept to answer retries."""

    __tablename__ = "inbound_messages"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    from_user: Mapped[str] = mapped_column(String(128), index=True)
    msg_type: Mapped[str] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)  # what they wrote (clipped), for staff to read
    status: Mapped[str] = mapped_column(String(16), default="processing")  # processing|done|late
    reply: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # the process answering it (``processes.id``): a retry takes over when that one is gone
    owner: Mapped[str | None] = mapped_column(String(64))


class OutboxMessage(Base):
    """Every outgoing message. ``idem_key`` makes a (customer, rule, occurrence) send once."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    idem_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(
        String(16)
    )  # mp_kf|mp_template|work_app|work_contact|group_robot
    recipient: Mapped[str] = mapped_column(String(200))  # openid / userid / robot key
    kind: Mapped[str] = mapped_column(
        String(16), default="service"
    )  # reply|service|lifecycle|festival|solar_term|notice
    rule: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending|sending|sent|failed|dead|skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # set (group-committed) just before the send of the current attempt: a row left
    # 'sending' without it was never tried; with it, its outcome is unknown
    send_started_at: Mapped[datetime | None]


class OptOut(Base):
    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("customer_id", "kind"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # all|festival|reminder
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Group(Base):
    """A community group with its WeCom group-robot webhook key."""

    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    robot_key: Mapped[str] = mapped_column(String(128))  # "" for a group without a robot
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # the WeCom customer group chat (externalcontact/groupchat), once synced
    chat_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    owner_userid: Mapped[str | None] = mapped_column(String(64), index=True)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime | None]


class GroupDay(Base):
    """A customer group's figures for one local day: members at the end, joins, leaves."""

    __tablename__ = "group_days"
    __table_args__ = (UniqueConstraint("group_id", "day"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"), index=True)
    day: Mapped[date]
    members: Mapped[int] = mapped_column(Integer, default=0)
    joins: Mapped[int] = mapped_column(Integer, default=0)
    leaves: Mapped[int] = mapped_column(Integer, default=0)


class ProcessBeat(Base):
    """Each running wxbot process and its heartbeat (bot/liveness.py)."""

    __tablename__ = "processes"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int]
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime] = mapped_column(index=True)
    stopped_at: Mapped[datetime | None]


class KeyValue(Base):
    """Shared small state across processes: access tokens, locks."""

    __tablename__ = "kv"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who changed what by hand (a store manager in the admin): a trade-in called, an order
    shipped, a lead won, a visit moved. Shown on the customer's page."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(16))  # trade_in|order|lead|ticket|customer
    subject_id: Mapped[int] = mapped_column(PK)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(String(32))
    after: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(200))


class AdminSession(Base):
    """A signed-in admin console session. The cookie holds a random token; only its SHA-256
    is stored. ``password_tag`` ties the session to the password it was opened with."""

    __tablename__ = "admin_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # shown on /admin
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    username: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    password_tag: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AdminUser(Base):
    """An admin console account besides the configured one: a chain admin (every store) or a
    store manager (``store_id``: their store only, in every list, chart and page)."""

    __tablename__ = "admin_users"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # chain_admin | store_manager
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# -- rental (租赁) of refurbished appliances --------------------------------------------------


class RentalUnit(Base):
    """A refurbished unit a store rents out: ``state`` in_stock → rented → inspecting → in_stock
    (or retired). Fees in fen: monthly fee, deposit, and the residual (buy-out) price."""

    __tablename__ = "rental_units"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    brand: Mapped[str | None] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(64))
    serial: Mapped[str | None] = mapped_column(String(64))
    grade: Mapped[str] = mapped_column(String(1), default="B")  # A|B|C
    state: Mapped[str] = mapped_column(String(16), default="in_stock", index=True)
    monthly_fee_fen: Mapped[int] = mapped_column(Integer)
    deposit_fen: Mapped[int] = mapped_column(Integer, default=0)
    residual_fen: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(32))  # import|trade_in|demo
    trade_in_id: Mapped[int | None] = mapped_column(ForeignKey("trade_in_requests.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RentalContract(Base):
    """One unit rented by one customer from ``start_on`` to ``end_on`` (local dates).
    ``status``: active → ending (pick-up booked) → ended. A unit has at most one contract that
    is not ended (partial unique index)."""

    __tablename__ = "rental_contracts"
    __table_args__ = (
        Index(
            "uq_rental_contracts_live_unit",
            "unit_id",
            unique=True,
            postgresql_where=text("status <> 'ended'"),
            sqlite_where=text("status <> 'ended'"),
        ),
    )
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("rental_units.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))  # the customer's row
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date] = mapped_column(Date, index=True)
    months: Mapped[int] = mapped_column(Integer)
    monthly_fee_fen: Mapped[int] = mapped_column(Integer)
    deposit_fen: Mapped[int] = mapped_column(Integer, default=0)
    residual_fen: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    source_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class RentalDue(Base):
    """A month's rent of a contract: ``seq`` 0 is paid at delivery, the others fall due on
    ``due_on`` (the care rule reminds a few days before)."""

    __tablename__ = "rental_dues"
    __table_args__ = (UniqueConstraint("contract_id", "seq"),)
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("rental_contracts.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    amount_fen: Mapped[int] = mapped_column(Integer)


class RentalTicket(Base):
    """A visit that belongs to a rental (the flag): delivery (送装), repair (free), pickup,
    inspection (the returned unit goes back to stock when it is done)."""

    __tablename__ = "rental_tickets"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("service_tickets.id"), unique=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("rental_contracts.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # delivery|repair|pickup|inspection


# -- the guide's customer book (SCRM): tags, segments, campaigns, hand-over ---------------


class Tag(Base):
    """A customer tag: automatic (kept by a rule in config.yaml ``scrm.tags``) or manual
    (set by guides). ``wecom_id``: the WeCom corp tag id once created there."""

    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(8), default="manual")  # auto|manual
    wecom_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CustomerTag(Base):
    __tablename__ = "customer_tags"
    __table_args__ = (Index("ix_customer_tags_tag", "tag_id", "customer_id"),)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TagChange(Base):
    """A tag put on (+) or taken off (-) a customer, waiting to be synced to WeCom."""

    __tablename__ = "tag_changes"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"))
    op: Mapped[str] = mapped_column(String(1))  # + | -
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Segment(Base):
    """A saved filter: ``expr`` like ``tag:空调8年以上 store:S001``."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    expr: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    """One message to a segment, at a time; sent through the outbox like care."""

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    segment: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. a news card
    send_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled|queued
    runs: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[dict[str, Any]] = mapped_column(default=dict)  # last run: reason → n
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]


class CampaignTarget(Base):
    """A customer a campaign was queued for: at most one per (campaign, customer)."""

    __tablename__ = "campaign_targets"
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    run: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    guide_userid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactLoss(Base):
    """A customer deleted their guide, or the guide deleted the customer (WeCom)."""

    __tablename__ = "contact_losses"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), index=True)
    guide_userid: Mapped[str | None] = mapped_column(String(64))
    change_type: Mapped[str] = mapped_column(String(32))  # del_follow_user|del_external_contact
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StaffHandover(Base):
    """A guide's customers handed to a colleague (resigned or still employed)."""

    __tablename__ = "staff_handovers"
    id: Mapped[int] = mapped_column(PK, primary_key=True)
    from_userid: Mapped[str] = mapped_column(String(64))
    to_userid: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(8))  # leave|transfer
    customers: Mapped[int] = mapped_column(Integer, default=0)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    leads: Mapped[int] = mapped_column(Integer, default=0)
    contacts: Mapped[int] = mapped_column(Integer, default=0)  # WeCom external contacts
    at: Mapped[datetime] = mapped_column(default=utcnow)
