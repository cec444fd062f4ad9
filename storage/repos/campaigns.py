"""Campaigns: one message to a segment through the outbox, set-based like the care plan.

A run classifies every member in one SELECT (already queued, opted out, open complaint,
weekly cap, no channel — or the channel: customer-service message inside the 48-hour
window, the guide's WeCom 群发, a template when configured, else a task for the guide),
writes ``campaign_targets`` (primary key campaign + customer: never twice) and the outbox
rows (idem key ``campaign:<id>:<customer>``) in the caller's one transaction, so a run
that dies half-way leaves nothing and a re-run queues only who is new."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Select,
    String,
    and_,
    case,
    func,
    literal,
    literal_column,
    null,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Campaign,
    CampaignTarget,
    ChannelIdentity,
    ConsumableOrder,
    Customer,
    Handoff,
    InboundMessage,
    OptOut,
    OutboxMessage,
    ServiceTicket,
    Staff,
    TradeInRequest,
)
from storage.repos.care import CAPPED_KINDS, OUTBOX_SELECT_COLUMNS
from storage.repos.care_sql import Sql
from storage.types import UTCDateTime

KIND = "campaign"
MASS_CHUNK = 10000  # WeCom: at most 10,000 customers in one add_msg_template


def _insert(session: AsyncSession):
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def create(
    session: AsyncSession,
    *,
    name: str,
    segment: str,
    text: str,
    send_at: datetime | None,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> Campaign:
    row = Campaign(
        name=name[:64],
        segment=segment[:500],
        text=text,
        payload=payload or {},
        send_at=send_at,
        status="scheduled" if send_at else "draft",
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, campaign_id: int) -> Campaign | None:
    return await session.get(Campaign, campaign_id)


async def due(session: AsyncSession, now: datetime) -> list[int]:
    """Scheduled campaigns whose time has come."""
    rows = await session.scalars(
        select(Campaign.id)
        .where(Campaign.status == "scheduled", Campaign.send_at <= now)
        .order_by(Campaign.send_at, Campaign.id)
    )
    return list(rows)


async def recent(session: AsyncSession, limit: int = 20) -> list[Campaign]:
    return list(await session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(limit)))


@dataclass(frozen=True)
class RunWindow:
    now: datetime
    not_before: datetime  # after quiet hours
    kf_since: datetime  # wrote after this: inside the 48-hour window
    week_start: datetime  # the weekly cap counts capped rows from here
    weekly_cap: int
    optout_kinds: tuple[str, ...]
    template: str | None  # an mp.template_ids name, or None: no template messages


def classify(members: Select, campaign_id: int, w: RunWindow) -> Select:
    """Every member with (reason, channel, recipient, guide_userid); reason NULL = send.
    Joins to grouped sets (no per-row subqueries), so the work grows linearly."""
    m = members.subquery("m")
    c, ci, st = Customer, ChannelIdentity, Staff
    cid = m.c.customer_id
    mp = (
        select(ci.customer_id, func.min(ci.external_id).label("openid"))
        .where(ci.channel == "mp", ci.active.is_(True))
        .group_by(ci.customer_id)
        .subquery("mp")
    )
    follower_staff = Staff.__table__.alias("fs")
    wk = (
        select(ci.customer_id, func.min(ci.id).label("contact_id"))
        .join(
            follower_staff,
            and_(
                follower_staff.c.wecom_userid == ci.follow_user,
                follower_staff.c.active.is_(True),
            ),
        )
        .where(ci.channel == "work", ci.active.is_(True))
        .group_by(ci.customer_id)
        .subquery("wk")
    )
    used = (
        select(OutboxMessage.customer_id.label("customer_id"), func.count().label("n"))
        .where(
            OutboxMessage.kind.in_((*CAPPED_KINDS, KIND)),
            OutboxMessage.status.in_(("pending", "sending", "sent")),
            OutboxMessage.not_before >= w.week_start,
            OutboxMessage.customer_id.is_not(None),
        )
        .group_by(OutboxMessage.customer_id)
        .subquery("used")
    )
    opted = (
        select(OptOut.customer_id)
        .where(OptOut.kind.in_(w.optout_kinds))
        .group_by(OptOut.customer_id)
        .subquery("opted")
    )
    upset = (
        select(Handoff.customer_id)
        .where(Handoff.status == "open")
        .group_by(Handoff.customer_id)
        .subquery("upset")
    )
    done = (
        select(CampaignTarget.customer_id)
        .where(CampaignTarget.campaign_id == campaign_id)
        .subquery("done")
    )
    wc = ChannelIdentity.__table__.alias("wc")
    follower = and_(c.followed.is_(True), c.unsubscribed_at.is_(None))
    mp_ok = and_(mp.c.openid.is_not(None), follower)
    channel = case(
        (and_(mp_ok, c.last_inbound_at >= w.kf_since), "mp_kf"),
        (wk.c.contact_id.is_not(None), "work_contact"),
        (and_(mp_ok, literal(w.template is not None)), "mp_template"),
        (st.wecom_userid.is_not(None), "guide_task"),
        else_=None,
    )
    routed = (
        select(
            cid.label("customer_id"),
            mp.c.openid,
            st.wecom_userid.label("guide"),
            follower.label("follower"),
            func.coalesce(used.c.n, 0).label("used"),
            done.c.customer_id.is_not(None).label("already"),
            opted.c.customer_id.is_not(None).label("opted"),
            upset.c.customer_id.is_not(None).label("upset"),
            channel.label("channel"),
            wc.c.external_id,
            wc.c.follow_user,
        )
        .select_from(m)
        .join(c, c.id == cid)
        .outerjoin(st, and_(st.id == c.guide_id, st.active.is_(True)))
        .outerjoin(mp, mp.c.customer_id == cid)
        .outerjoin(wk, wk.c.customer_id == cid)
        .outerjoin(wc, wc.c.id == wk.c.contact_id)
        .outerjoin(used, used.c.customer_id == cid)
        .outerjoin(opted, opted.c.customer_id == cid)
        .outerjoin(upset, upset.c.customer_id == cid)
        .outerjoin(done, done.c.customer_id == cid)
        .cte("routed")
    )
    r = routed.c
    reason = case(
        (r.already, "already_queued"),
        (r.opted, "opted_out"),
        (r.upset, "open_complaint"),
        (r.used >= w.weekly_cap, "weekly_cap"),
        (and_(r.channel.is_(None), ~r.follower), "not_follower"),
        (r.channel.is_(None), "no_channel"),
        else_=None,
    )
    recipient = case(
        (r.channel == "work_contact", r.external_id),
        (r.channel == "guide_task", r.guide),
        else_=r.openid,
    )
    guide = case((r.channel == "work_contact", r.follow_user), else_=r.guide)
    return select(
        r.customer_id,
        reason.label("reason"),
        r.channel,
        recipient.label("recipient"),
        guide.label("guide_userid"),
        r.openid,
    )


@dataclass
class RunResult:
    queued: dict[str, int]  # channel → customers
    skipped: dict[str, int]  # reason → customers
    outbox_rows: int


async def run(
    session: AsyncSession, sql: Sql, campaign: Campaign, members: Select, w: RunWindow
) -> RunResult:
    """Queue ``campaign`` for the new eligible members (see the module's docstring)."""
    # Taking the next run number locks the campaign's row: concurrent runs of one campaign
    # queue one after the other, and the second finds everyone already queued.
    if session.bind.dialect.name == "postgresql":
        # One big statement, run once: JIT compiling it costs more than it saves.
        await session.execute(text("SET LOCAL jit = off"))
    run_no = int(
        await session.scalar(
            update(Campaign)
            .where(Campaign.id == campaign.id)
            .values(runs=Campaign.runs + 1)
            .returning(Campaign.runs)
        )
    )
    await session.refresh(campaign)
    cls = classify(members, campaign.id, w).subquery("cls")
    counts = await session.execute(select(cls.c.reason, func.count()).group_by(cls.c.reason))
    skipped: dict[str, int] = {}
    eligible = 0
    for reason, n in counts.all():
        if reason is None:
            eligible = int(n)
        else:
            skipped[reason] = int(n)
    src = select(
        literal(campaign.id, Integer),
        cls.c.customer_id,
        literal(run_no, Integer),
        cls.c.channel,
        cls.c.recipient,
        cls.c.guide_userid,
        literal(w.now, UTCDateTime()),
    ).where(cls.c.reason.is_(None))
    await session.execute(
        _insert(session)(CampaignTarget)
        .from_select(
            [
                "campaign_id",
                "customer_id",
                "run",
                "channel",
                "recipient",
                "guide_userid",
                "created_at",
            ],
            src,
        )
        .on_conflict_do_nothing(index_elements=["campaign_id", "customer_id"])
    )
    inserted = int(
        await session.scalar(
            select(func.count()).where(
                CampaignTarget.campaign_id == campaign.id, CampaignTarget.run == run_no
            )
        )
        or 0
    )
    if eligible > inserted:  # another run of the same campaign was first for some
        skipped["already_queued"] = skipped.get("already_queued", 0) + eligible - inserted
    rows = await _outbox_direct(session, sql, campaign, run_no, w)
    rows += await _outbox_mass(session, campaign, run_no, w)
    by_channel = await session.execute(
        select(CampaignTarget.channel, func.count())
        .where(CampaignTarget.campaign_id == campaign.id, CampaignTarget.run == run_no)
        .group_by(CampaignTarget.channel)
    )
    campaign.status = "queued"
    campaign.queued_at = campaign.queued_at or w.now
    campaign.skipped = skipped
    await session.flush()
    return RunResult({ch: int(n) for ch, n in by_channel.all()}, skipped, rows)


async def _outbox_direct(
    session: AsyncSession, sql: Sql, campaign: Campaign, run_no: int, w: RunWindow
) -> int:
    t, c = CampaignTarget, Customer
    idem = literal(f"campaign:{campaign.id}:", String) + sql.text(t.customer_id)
    openid = case((t.channel.in_(("mp_kf", "mp_template")), t.recipient), else_=None)
    payload = sql.json(
        literal_column("'openid'"),
        openid,
        literal_column("'guide_userid'"),
        t.guide_userid,
        literal_column("'title'"),
        literal(f"活动：{campaign.name}", String),
        literal_column("'customer_name'"),
        c.name,
        literal_column("'campaign'"),
        literal(campaign.id, Integer),
        literal_column("'template'"),
        literal(w.template or "service_notice", String),
        literal_column("'card'"),  # a news card, as JSON text (senders read it back)
        literal(json.dumps(campaign.payload["card"], ensure_ascii=False), String)
        if (campaign.payload or {}).get("card")
        else null(),
    )
    src = (
        select(
            idem,
            t.customer_id,
            t.channel,
            t.recipient,
            literal(KIND, String),
            literal(KIND, String),
            literal(campaign.text, String),
            payload,
            literal("pending", String),
            literal(0, Integer),
            literal(w.not_before, UTCDateTime()),
            literal(False, Boolean),
            literal(w.now, UTCDateTime()),
        )
        .select_from(t)
        .join(c, c.id == t.customer_id)
        .where(
            t.campaign_id == campaign.id,
            t.run == run_no,
            t.channel != "work_contact",
            true(),
        )
    )
    cols = OUTBOX_SELECT_COLUMNS
    await session.execute(
        _insert(session)(OutboxMessage)
        .from_select(cols, src)
        .on_conflict_do_nothing(index_elements=["idem_key"])
    )
    return await _rows_at(session, campaign.id, w.now)


async def _outbox_mass(session: AsyncSession, campaign: Campaign, run_no: int, w: RunWindow) -> int:
    """One 群发 per guide (and 10,000 customers) for those who added a guide in WeCom."""
    t = CampaignTarget
    rows = await session.execute(
        select(t.guide_userid, t.recipient)
        .where(t.campaign_id == campaign.id, t.run == run_no, t.channel == "work_contact")
        .order_by(t.guide_userid, t.customer_id)
    )
    by_guide: dict[str, list[str]] = {}
    for guide, ext in rows.all():
        by_guide.setdefault(guide, []).append(ext)
    values = []
    for guide, exts in by_guide.items():
        for i in range(0, len(exts), MASS_CHUNK):
            values.append(
                {
                    "idem_key": f"campaign:{campaign.id}:mass:{run_no}:{guide}:{i}"[:200],
                    "channel": "work_mass",
                    "recipient": guide,
                    "kind": KIND,
                    "rule": KIND,
                    "text": campaign.text,
                    "payload": {
                        "external_userids": exts[i : i + MASS_CHUNK],
                        "campaign": campaign.id,
                        **(
                            {"link": campaign.payload["link"]}
                            if campaign.payload.get("link")
                            else {}
                        ),
                    },
                    "status": "pending",
                    "attempts": 0,
                    "not_before": w.not_before,
                    "sandbox": False,
                    "created_at": w.now,
                }
            )
    if not values:
        return 0
    await session.execute(
        _insert(session)(OutboxMessage)
        .values(values)
        .on_conflict_do_nothing(index_elements=["idem_key"])
    )
    return len(values)


async def _rows_at(session: AsyncSession, campaign_id: int, at: datetime) -> int:
    n = await session.scalar(
        select(func.count()).where(
            OutboxMessage.idem_key.startswith(f"campaign:{campaign_id}:", autoescape=True),
            OutboxMessage.created_at == at,
        )
    )
    return int(n or 0)


async def report(session: AsyncSession, campaign: Campaign, days: int = 7) -> dict[str, Any]:
    """Targets by channel, outbox rows by status, and what the customers did within
    ``days`` of the first run: wrote to us, booked a service, applied for a trade-in,
    ordered consumables (distinct customers each)."""
    t = CampaignTarget
    by_channel = dict(
        (
            await session.execute(
                select(t.channel, func.count())
                .where(t.campaign_id == campaign.id)
                .group_by(t.channel)
            )
        ).all()
    )
    prefix = f"campaign:{campaign.id}:"
    by_status = dict(
        (
            await session.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.idem_key.startswith(prefix, autoescape=True))
                .group_by(OutboxMessage.status)
            )
        ).all()
    )
    out: dict[str, Any] = {
        "campaign": campaign.id,
        "name": campaign.name,
        "segment": campaign.segment,
        "status": campaign.status,
        "runs": campaign.runs,
        "targets": sum(by_channel.values()),
        "by_channel": by_channel,
        "outbox": by_status,
        "skipped_last_run": campaign.skipped or {},
    }
    if campaign.queued_at is None:
        return out
    start, end = campaign.queued_at, campaign.queued_at + timedelta(days=days)
    targets = select(t.customer_id).where(t.campaign_id == campaign.id)
    ci = ChannelIdentity
    replied = await session.scalar(
        select(func.count(func.distinct(ci.customer_id)))
        .select_from(InboundMessage)
        .join(ci, ci.external_id == InboundMessage.from_user)
        .where(
            ci.customer_id.in_(targets),
            InboundMessage.received_at >= start,
            InboundMessage.received_at < end,
        )
    )

    async def followed(model) -> int:
        n = await session.scalar(
            select(func.count(func.distinct(model.customer_id))).where(
                model.customer_id.in_(targets), model.created_at >= start, model.created_at < end
            )
        )
        return int(n or 0)

    out[f"replied_{days}d"] = int(replied or 0)
    out[f"tickets_{days}d"] = await followed(ServiceTicket)
    out[f"trade_ins_{days}d"] = await followed(TradeInRequest)
    out[f"orders_{days}d"] = await followed(ConsumableOrder)
    return out
