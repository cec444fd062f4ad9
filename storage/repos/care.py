"""Care queries: guide tasks, follower status, and the planner's set-based selections."""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.models import (
    ChannelIdentity,
    ConsumableStage,
    Customer,
    Device,
    GuideTask,
    OptOut,
    OutboxMessage,
    Rating,
    ServiceTicket,
    Staff,
    Supply,
)
from storage.repos.care_sql import Sql
from storage.repos.upsert import inserted
from storage.types import UTCDateTime, utcnow

# The outbox columns an INSERT … SELECT fills, in the order its SELECTs give them (the care
# plan here, the campaign run in storage/repos/campaigns.py).
OUTBOX_SELECT_COLUMNS = [
    "idem_key",
    "customer_id",
    "channel",
    "recipient",
    "kind",
    "rule",
    "text",
    "payload",
    "status",
    "attempts",
    "not_before",
    "sandbox",
    "created_at",
]


async def add_guide_task(
    session: AsyncSession,
    *,
    guide_userid: str,
    customer_id: int | None,
    kind: str,
    title: str,
    text: str | None,
    due_on: date,
    idem_key: str,
) -> bool:
    """A task for the guide with this WeCom userid; False when it exists already."""
    guide_id = await session.scalar(select(Staff.id).where(Staff.wecom_userid == guide_userid))
    if guide_id is None:
        raise LookupError(f"no staff with userid {guide_userid}")
    exists = await session.scalar(select(GuideTask.id).where(GuideTask.idem_key == idem_key))
    if exists is not None:
        return False
    task = GuideTask(
        guide_id=guide_id,
        customer_id=customer_id,
        kind=kind[:32],
        title=title[:200],
        text=text,
        due_on=due_on,
        idem_key=idem_key,
    )
    return await inserted(session, task)


async def add_guide_tasks(session: AsyncSession, tasks: list[dict[str, Any]]) -> set[str]:
    """Many guide tasks at once (one INSERT, duplicates by idem_key ignored). Each dict:
    guide_userid, customer_id, kind, title, text, due_on, idem_key. Returns the userids
    that are not staff (their tasks are not written)."""
    if not tasks:
        return set()
    userids = {t["guide_userid"] for t in tasks}
    found = dict(
        (
            await session.execute(
                select(Staff.wecom_userid, Staff.id).where(Staff.wecom_userid.in_(userids))
            )
        ).all()
    )
    values = [
        {
            "guide_id": found[t["guide_userid"]],
            "customer_id": t["customer_id"],
            "kind": t["kind"][:32],
            "title": t["title"][:200],
            "text": t["text"],
            "due_on": t["due_on"],
            "status": "open",
            "idem_key": t["idem_key"],
            "created_at": utcnow(),
        }
        for t in tasks
        if t["guide_userid"] in found
    ]
    if values:
        ins = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            ins(GuideTask).values(values).on_conflict_do_nothing(index_elements=["idem_key"])
        )
    return userids - set(found)


async def mark_not_follower(session: AsyncSession, customer_id: int) -> None:
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id)
        .values(followed=False, unsubscribed_at=func.coalesce(Customer.unsubscribed_at, utcnow()))
    )


# -- the planner's set-based selections ----------------------------------------------------
# Each rule query returns SELECT customer_id, occ, text: one row per message to plan,
# ``occ`` naming the occurrence (so the idempotency key is care:<rule>:<customer>:<occ>)
# and ``text`` rendered in SQL by ``render`` from the rule's fields.

Render = Callable[[dict[str, ColumnElement]], ColumnElement]
CAPPED_KINDS = ("lifecycle", "festival", "solar_term", "campaign")  # campaign: bot/scrm
TEMPLATE_KINDS = ("service", "lifecycle")


@dataclass(frozen=True)
class RuleMeta:
    rule: str
    kind: str
    priority: int
    optout: str
    title: str
    pref: str = "auto"  # auto | guide_task


def _md(day: date) -> list[str]:
    """Month-day strings celebrated on ``day`` (29 Feb is kept on 28 Feb in common years)."""
    md = [day.strftime("%m-%d")]
    if md[0] == "02-28" and not calendar.isleap(day.year):
        md.append("02-29")
    return md


def _live_devices():
    return Device.retired.is_(False)


def filter_due(sql: Sql, day: date, lead_days: int, render: Render) -> Select:
    """Purifier stages due (last replaced + life) within ``lead_days`` from ``day``."""
    st, dv, c = ConsumableStage, Device, Customer
    due = sql.add_days(st.last_replaced_on, st.life_days)
    fields = {
        "name": c.name,
        "category": dv.category,
        "brand": dv.brand,
        "model": dv.model,
        "stage_name": st.name,
        "due_date": sql.cn_date(due),
    }
    return (
        select(
            dv.customer_id.label("customer_id"),
            (sql.text(st.id) + ":" + sql.text(due)).label("occ"),
            render(fields).label("text"),
        )
        .select_from(st)
        .join(dv, dv.id == st.device_id)
        .join(c, c.id == dv.customer_id)
        .where(_live_devices(), due >= sql.day(day), due <= sql.day(day + timedelta(lead_days)))
    )


def consumable_runout(sql: Sql, day: date, lead_days: int, render: Render) -> Select:
    """Supplies (formula…) running out (started + pack_size*packs // daily_use) soon."""
    sp, c = Supply, Customer
    runout = sql.add_days(sp.started_on, (sp.pack_size * sp.packs) // sp.daily_use)
    fields = {
        "name": c.name,
        "product": sp.product,
        "category": sp.category,
        "runout_date": sql.cn_date(runout),
    }
    return (
        select(
            sp.customer_id.label("customer_id"),
            (sql.text(sp.id) + ":" + sql.text(runout)).label("occ"),
            render(fields).label("text"),
        )
        .select_from(sp)
        .join(c, c.id == sp.customer_id)
        .where(
            sp.active.is_(True),
            sp.daily_use > 0,
            runout >= sql.day(day),
            runout <= sql.day(day + timedelta(lead_days)),
        )
    )


def warranty_expiry(sql: Sql, day: date, lead_days: int, render: Render) -> Select:
    """Warranty (or extended warranty) ending within ``lead_days`` after ``day``."""
    dv, c = Device, Customer
    end = func.coalesce(dv.extended_until, sql.add_months(dv.purchase_date, dv.warranty_months))
    fields = {
        "name": c.name,
        "category": dv.category,
        "brand": dv.brand,
        "model": dv.model,
        "end_date": sql.cn_date(end),
    }
    return (
        select(
            dv.customer_id.label("customer_id"),
            (sql.text(dv.id) + ":" + sql.text(end)).label("occ"),
            render(fields).label("text"),
        )
        .select_from(dv)
        .join(c, c.id == dv.customer_id)
        .where(
            _live_devices(),
            dv.purchase_date.is_not(None),
            end > sql.day(day),
            end <= sql.day(day + timedelta(lead_days)),
        )
    )


def aged_appliance(sql: Sql, day: date, min_years: int, render: Render) -> Select:
    """On the purchase anniversary of a unit ``min_years``+ old; one row per customer."""
    dv, c = Device, Customer
    try:
        cutoff = day.replace(year=day.year - min_years)
    except ValueError:  # 29 Feb
        cutoff = day.replace(year=day.year - min_years, day=28)
    oldest = func.min(dv.purchase_date)
    fields = {
        "name": func.min(c.name),
        "category": func.min(dv.category),
        "brand": func.min(dv.brand),
        "years": day.year - sql.year(oldest),
    }
    return (
        select(
            dv.customer_id.label("customer_id"),
            literal(str(day.year), String).label("occ"),
            render(fields).label("text"),
        )
        .select_from(dv)
        .join(c, c.id == dv.customer_id)
        .where(
            _live_devices(),
            dv.purchase_date <= sql.day(cutoff),
            sql.month_day(dv.purchase_date).in_(_md(day)),
        )
        .group_by(dv.customer_id)
    )


def post_service(
    sql: Sql, start_utc: datetime, end_utc: datetime, tag: str, unrated: bool, render: Render
) -> Select:
    """Tickets done in [start_utc, end_utc) (one local day); ``unrated``: no rating yet."""
    t, c = ServiceTicket, Customer
    service = case(
        (t.kind == "repair", "维修"),
        (t.kind == "install", "安装"),
        (t.kind == "cleaning", "清洗"),
        (t.kind == "trade_in", "以旧换新"),
        else_="服务",
    )
    fields = {
        "name": c.name,
        "service": service,
        "number": t.number,
        "category": t.category,
    }
    q = (
        select(
            t.customer_id.label("customer_id"),
            (literal(tag + ":", String) + sql.text(t.id)).label("occ"),
            render(fields).label("text"),
        )
        .select_from(t)
        .join(c, c.id == t.customer_id)
        .where(t.done_at >= start_utc, t.done_at < end_utc, t.status.in_(("done", "closed")))
        .where(t.kind != "inspection")  # a returned rental unit checked in the store
    )
    if unrated:
        q = q.where(~exists().where(Rating.ticket_id == t.id))
    return q


def seasonal(sql: Sql, day: date, key: str, categories: list[str], render: Render) -> Select:
    """Customers owning a unit of ``categories`` (once per customer)."""
    dv, c = Device, Customer
    fields = {"name": func.min(c.name), "category": func.min(dv.category)}
    return (
        select(
            dv.customer_id.label("customer_id"),
            literal(f"{key}:{day.year}", String).label("occ"),
            render(fields).label("text"),
        )
        .select_from(dv)
        .join(c, c.id == dv.customer_id)
        .where(_live_devices(), dv.category.in_(categories))
        .group_by(dv.customer_id)
    )


def everyone(sql: Sql, occ: str, render: Render, extra: dict[str, str]) -> Select:
    """Every customer (festivals, solar terms): eligibility is filtered later."""
    c = Customer
    fields: dict[str, ColumnElement] = {"name": c.name}
    fields.update({k: literal(v, String) for k, v in extra.items()})
    return select(
        c.id.label("customer_id"), literal(occ, String).label("occ"), render(fields).label("text")
    )


def birthday(sql: Sql, day: date, baby: bool, render: Render) -> Select:
    c = Customer
    col = c.baby_birthday if baby else c.birthday
    fields = {"name": c.name, "age": day.year - sql.year(col)}
    q = select(
        c.id.label("customer_id"),
        literal(f"{'baby' if baby else 'self'}:{day.year}", String).label("occ"),
        render(fields).label("text"),
    ).where(col.is_not(None), sql.month_day(col).in_(_md(day)))
    if baby:
        q = q.where(col < sql.day(day))
    return q


def home_anniversary(sql: Sql, day: date, render: Render) -> Select:
    c = Customer
    fields = {"name": c.name, "years": day.year - sql.year(c.home_since)}
    return select(
        c.id.label("customer_id"),
        literal(str(day.year), String).label("occ"),
        render(fields).label("text"),
    ).where(
        c.home_since.is_not(None),
        sql.month_day(c.home_since).in_(_md(day)),
        sql.year(c.home_since) < day.year,
    )


def _tag(q: Select, meta: RuleMeta) -> Select:
    sub = q.subquery()
    return select(
        sub.c.customer_id,
        sub.c.occ,
        sub.c.text,
        literal(meta.rule, String).label("rule"),
        literal(meta.kind, String).label("kind"),
        literal(meta.priority, Integer).label("priority"),
        literal(1 if meta.kind in CAPPED_KINDS else 0, Integer).label("capped"),
        literal(meta.optout, String).label("optout"),
        literal(meta.title, String).label("title"),
        literal(meta.pref, String).label("pref"),
    )


@dataclass(frozen=True)
class PlanWindow:
    """The facts a plan depends on beyond the rules."""

    week_start_utc: datetime  # the weekly cap counts marketing rows from here…
    week_end_utc: datetime  # …to here (exclusive)
    kf_since_utc: datetime  # customers who wrote after this are in the 48-hour window
    weekly_cap: int
    templates: bool  # a service-notice template id is configured


def plan_select(sql: Sql, parts: list[tuple[Select, RuleMeta]], w: PlanWindow) -> Select:
    """One SELECT of the day's plan: eligible (followers, not opted out, not planned before),
    routed (customer-service window → template → guide task), and capped per customer."""
    cand = union_all(*[_tag(q, m) for q, m in parts]).cte("cand")
    c, st, o, ci = Customer, Staff, OptOut, ChannelIdentity
    openid = (
        select(ci.external_id)
        .where(ci.customer_id == cand.c.customer_id, ci.channel == "mp", ci.active.is_(True))
        .order_by(ci.id)
        .limit(1)
        .scalar_subquery()
    )
    idem = (
        literal("care:", String)
        + cand.c.rule
        + ":"
        + sql.text(cand.c.customer_id)
        + ":"
        + cand.c.occ
    )
    elig = (
        select(
            *cand.c,
            c.name.label("customer_name"),
            c.last_inbound_at.label("last_inbound_at"),
            openid.label("openid"),
            st.wecom_userid.label("guide_userid"),
            idem.label("idem_key"),
        )
        .select_from(cand)
        .join(c, c.id == cand.c.customer_id)
        .outerjoin(st, and_(st.id == c.guide_id, st.active.is_(True)))
        .where(
            c.followed.is_(True),
            c.unsubscribed_at.is_(None),
            ~exists().where(
                o.customer_id == cand.c.customer_id, o.kind.in_(["all", cand.c.optout])
            ),
            ~exists().where(OutboxMessage.idem_key == idem),
        )
        .cte("elig")
    )
    e = elig.c
    in_window = and_(e.openid.is_not(None), e.last_inbound_at >= w.kf_since_utc)
    channel = case(
        (and_(e.pref == "guide_task", e.guide_userid.is_not(None)), "guide_task"),
        (in_window, "mp_kf"),
        (
            and_(e.openid.is_not(None), e.kind.in_(TEMPLATE_KINDS), literal(w.templates)),
            "mp_template",
        ),
        (e.guide_userid.is_not(None), "guide_task"),
        else_=None,
    )
    routed = select(*elig.c, channel.label("channel")).cte("routed")
    r = routed.c
    ranked = (
        select(
            *routed.c,
            func.row_number()
            .over(partition_by=[r.customer_id, r.capped], order_by=[r.priority, r.rule, r.occ])
            .label("rn"),
        )
        .where(r.channel.is_not(None))
        .cte("ranked")
    )
    k = ranked.c
    used = (
        select(OutboxMessage.customer_id.label("customer_id"), func.count().label("n"))
        .where(
            OutboxMessage.kind.in_(CAPPED_KINDS),
            OutboxMessage.status.in_(("pending", "sending", "sent")),
            OutboxMessage.not_before >= w.week_start_utc,
            OutboxMessage.not_before < w.week_end_utc,
            OutboxMessage.customer_id.is_not(None),
        )
        .group_by(OutboxMessage.customer_id)
        .subquery("used")
    )
    recipient = case((k.channel == "guide_task", k.guide_userid), else_=k.openid)
    return (
        select(
            k.customer_id,
            k.customer_name,
            k.rule,
            k.kind,
            k.occ,
            k.text,
            k.title,
            k.channel,
            recipient.label("recipient"),
            k.openid,
            k.guide_userid,
            k.idem_key,
        )
        .select_from(ranked)
        .outerjoin(used, used.c.customer_id == k.customer_id)
        .where(or_(k.capped == 0, k.rn + func.coalesce(used.c.n, 0) <= w.weekly_cap))
    )


async def stream_plan(session: AsyncSession, plan: Select) -> AsyncIterator[Any]:
    result = await session.stream(plan.order_by("customer_id", "rule", "occ"))
    async for row in result:
        yield row


async def count_plan(session: AsyncSession, plan: Select) -> dict[tuple[str, str], int]:
    sub = plan.subquery()
    rows = await session.execute(
        select(sub.c.rule, sub.c.channel, func.count()).group_by(sub.c.rule, sub.c.channel)
    )
    return {(rule, ch): n for rule, ch, n in rows.all()}


async def insert_plan(
    session: AsyncSession, sql: Sql, plan: Select, not_before: datetime, stamp: datetime
) -> dict[str, int]:
    """INSERT … SELECT the plan into the outbox (ON CONFLICT (idem_key) DO NOTHING).
    Returns rows written per rule."""
    p = plan.subquery()
    payload = sql.json(
        literal_column("'openid'"),
        p.c.openid,
        literal_column("'guide_userid'"),
        p.c.guide_userid,
        literal_column("'title'"),
        p.c.title,
        literal_column("'customer_name'"),
        p.c.customer_name,
    )
    src = select(
        p.c.idem_key,
        p.c.customer_id,
        p.c.channel,
        p.c.recipient,
        p.c.kind,
        p.c.rule,
        p.c.text,
        payload,
        literal("pending", String),
        literal(0, Integer),
        literal(not_before, UTCDateTime()),
        literal(False, Boolean),
        literal(stamp, UTCDateTime()),
    ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    cols = OUTBOX_SELECT_COLUMNS
    ins_fn = pg_insert if sql.pg else sqlite_insert
    stmt = (
        ins_fn(OutboxMessage)
        .from_select(cols, src)
        .on_conflict_do_nothing(index_elements=["idem_key"])
    )
    await session.execute(stmt)
    rows = await session.execute(
        select(OutboxMessage.rule, func.count())
        .where(OutboxMessage.created_at == stamp, OutboxMessage.idem_key.like("care:%"))
        .group_by(OutboxMessage.rule)
    )
    return {rule: n for rule, n in rows.all()}
