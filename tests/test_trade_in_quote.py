"""Trade-in arithmetic: residual value, the policy in force, subsidy eligibility, the bill."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.money import parse_amount_fen, yuan
from handlers.trade_in_quote import (
    NewUnit,
    OldUnit,
    QuoteError,
    compute_quote,
    depreciation,
    policy_on,
    quote,
    residual_value,
)
from storage.models import Customer, TradeInRequest

TODAY = date(2026, 11, 25)

TRADE_IN = {
    "depreciation": {0: 1.0, 1: 0.85, 2: 0.72, 3: 0.62, 6: 0.38, 12: 0.1},
    "condition": {"好": 1.0, "一般": 0.8, "差": 0.6},
    "not_working_factor": 0.4,
    "floor_fen": 5000,
    "round_to_fen": 100,
    "policies": [
        {
            "id": "p-2026",
            "name": "2026补贴",
            "valid_from": date(2026, 7, 1),
            "valid_until": date(2026, 12, 31),
            "categories": ["空调", "冰箱"],
            "percent_by_grade": {1: 20, 2: 15},
            "cap_fen": 200000,
        },
        {
            "id": "p-2027",
            "name": "2027补贴",
            "valid_from": "2027-01-01",
            "valid_until": "2027-06-30",
            "categories": ["空调"],
            "percent_by_grade": {1: 10},
            "cap_fen": 0,
        },
    ],
}
CATALOG = {
    "categories": {
        "空调": {"base_value_fen": 150000, "warranty_months": 36, "aliases": ["挂机"]},
        "冰箱": {"base_value_fen": 120000},
        "燃气灶": {"base_value_fen": 20000},
    }
}


@pytest.fixture
def cfg(settings):
    return settings.model_copy(update={"trade_in": TRADE_IN, "catalog": CATALOG})


def ac(grade: int = 1, price: int = 329900) -> NewUnit:
    return NewUnit(category="空调", energy_grade=grade, price_fen=price)


# ── money ──


def test_money_is_always_shown_the_same_way():
    assert yuan(123450) == "¥1,234.50"
    assert yuan(329900) == "¥3,299.00"
    assert yuan(5) == "¥0.05"
    assert yuan(0) == "¥0.00"


@pytest.mark.parametrize(
    "text,fen",
    [
        ("3000", 300000),
        ("预算3千", 300000),
        ("5k", 500000),
        ("三千元", 300000),
        ("两千五", 250000),
        ("1.5万", 1500000),
        ("随便", None),
    ],
)
def test_budgets_are_read_from_text(text, fen):
    assert parse_amount_fen(text) == fen


# ── residual value ──


def test_residual_is_base_times_age_times_condition(cfg):
    # 1500 × 0.62 × 1.0
    assert residual_value(cfg, OldUnit("空调", 3, True, "好")) == 93000
    # 1500 × 0.62 × 0.8
    assert residual_value(cfg, OldUnit("空调", 3, True, "一般")) == 74400


def test_age_between_curve_points_uses_the_lower_row_and_old_units_the_last(cfg):
    assert depreciation(cfg, 5) == 0.62
    assert depreciation(cfg, 7) == 0.38
    assert depreciation(cfg, 30) == 0.1


def test_a_unit_that_does_not_work_is_worth_less(cfg):
    # 1500 × 0.85 × 1.0 × 0.4 = 510
    assert residual_value(cfg, OldUnit("空调", 1, False, "好")) == 51000


def test_brands_that_hold_value_are_worth_more(settings):
    cfg = settings.model_copy(
        update={"trade_in": {**TRADE_IN, "brand_factor": {"大金": 1.2}}, "catalog": CATALOG}
    )
    # 1500 × 0.62 × 1.0 × 1.2 = 1116; other brands 930
    assert residual_value(cfg, OldUnit("空调", 3, True, "好", brand="大金")) == 111600
    assert residual_value(cfg, OldUnit("空调", 3, True, "好", brand="奥克斯")) == 93000


def test_residual_is_rounded_down_to_whole_yuan(cfg):
    # 1200 × 0.72 × 0.6 = 518.4 → 518
    assert residual_value(cfg, OldUnit("冰箱", 2, True, "差")) == 51800


def test_residual_never_falls_below_the_floor(cfg):
    # 200 × 0.1 × 0.6 × 0.4 = 4.8 → the floor, 50
    assert residual_value(cfg, OldUnit("燃气灶", 15, False, "差")) == 5000


def test_aliases_name_the_category(cfg):
    assert residual_value(cfg, OldUnit("挂机", 0, True, "好")) == 150000


def test_unknown_category_future_purchase_and_bad_condition_are_refused(cfg):
    with pytest.raises(QuoteError, match="暂不回收电脑"):
        residual_value(cfg, OldUnit("电脑", 2))
    with pytest.raises(QuoteError, match="不能晚于今年"):
        residual_value(cfg, OldUnit("空调", -1))
    with pytest.raises(QuoteError, match="成色"):
        residual_value(cfg, OldUnit("空调", 2, True, "崭新"))


# ── policies and subsidy ──


def test_the_policy_in_force_is_chosen_by_date_with_both_ends_included(cfg):
    assert policy_on(cfg, TODAY).id == "p-2026"
    assert policy_on(cfg, date(2026, 7, 1)).id == "p-2026"
    assert policy_on(cfg, date(2026, 12, 31)).id == "p-2026"
    assert policy_on(cfg, date(2027, 1, 1)).id == "p-2027"
    assert policy_on(cfg, date(2026, 6, 30)) is None


def test_subsidy_is_a_percent_of_the_new_price_by_grade(cfg):
    q = compute_quote(cfg, TODAY, OldUnit("空调", 3, True, "好"), ac(1, 329900))
    assert (q.old_value_fen, q.subsidy_fen, q.new_price_fen) == (93000, 65980, 329900)
    assert q.pay_fen == 329900 - 93000 - 65980
    assert q.policy.id == "p-2026" and q.reasons == []
    q2 = compute_quote(cfg, TODAY, OldUnit("空调", 3, True, "好"), ac(2, 200000))
    assert q2.subsidy_fen == 30000


def test_subsidy_is_capped_per_item(cfg):
    q = compute_quote(cfg, TODAY, OldUnit("空调", 3, True, "好"), ac(1, 1_500_000))
    assert q.subsidy_fen == 200000


def test_energy_grade_too_low_gets_no_subsidy_and_says_why(cfg):
    q = compute_quote(cfg, TODAY, OldUnit("空调", 3, True, "好"), ac(3, 159900))
    assert q.subsidy_fen == 0
    assert q.reasons == ["补贴只给一级、二级能效的新机，所选是三级能效"]
    assert q.pay_fen == 159900 - 93000


def test_category_outside_the_policy_gets_no_subsidy(cfg):
    new = NewUnit("燃气灶", 1, 300000)
    q = compute_quote(cfg, TODAY, OldUnit("燃气灶", 3, True, "好"), new)
    assert q.subsidy_fen == 0
    assert "燃气灶不在「2026补贴」的补贴品类内" in q.reasons


def test_no_policy_in_force_means_no_subsidy(cfg):
    q = compute_quote(cfg, date(2026, 3, 1), OldUnit("空调", 3, True, "好"), ac())
    assert q.subsidy_fen == 0 and q.policy is None
    assert q.reasons == ["今天没有在期的以旧换新补贴政策"]


def test_what_they_pay_never_goes_below_zero(cfg):
    q = compute_quote(cfg, TODAY, OldUnit("空调", 0, True, "好"), ac(1, 100000))
    assert q.pay_fen == 0


def test_quote_lines_show_each_amount_in_yuan(cfg):
    q = compute_quote(cfg, TODAY, OldUnit("空调", 3, True, "好"), ac(1, 329900))
    assert q.lines() == [
        "新机价格：¥3,299.00",
        "旧机抵扣：-¥930.00",
        "政府补贴：-¥659.80",
        "您需支付：¥1,709.20",
    ]


def test_the_shipped_config_quotes_an_air_conditioner(settings):
    q = compute_quote(settings, TODAY, OldUnit("空调", 5, True, "一般"), ac(1, 329900))
    assert q.old_value_fen > 0 and q.subsidy_fen > 0
    assert q.pay_fen == q.new_price_fen - q.old_value_fen - q.subsidy_fen


# ── one subsidy per category per customer per policy period ──


async def _customer(services, phone: str) -> int:
    async with services.db.transaction() as s:
        c = Customer(name="王女士", phone=phone)
        s.add(c)
        await s.flush()
        return c.id


async def _request(services, customer_id, number, category, policy_id, status="applied"):
    async with services.db.transaction() as s:
        s.add(
            TradeInRequest(
                number=number,
                customer_id=customer_id,
                old_category=category,
                new_category=category,
                subsidy_fen=50000,
                policy_id=policy_id,
                status=status,
            )
        )


async def test_a_second_subsidy_in_the_same_category_and_period_is_refused(services):
    cfg = services.settings.model_copy(update={"trade_in": TRADE_IN, "catalog": CATALOG})
    me = await _customer(services, "13800000001")
    other = await _customer(services, "13800000002")
    await _request(services, me, "T20261001-0001", "空调", "p-2026")
    old = OldUnit("空调", 3, True, "好")
    async with services.db.session() as s:
        mine = await quote(s, cfg, TODAY, me, old, ac())
        fridge = await quote(s, cfg, TODAY, me, OldUnit("冰箱", 3), NewUnit("冰箱", 1, 300000))
        theirs = await quote(s, cfg, TODAY, other, old, ac())
        next_period = await quote(s, cfg, date(2027, 2, 1), me, old, ac())
    assert mine.subsidy_fen == 0
    assert mine.reasons == ["您在本期（2026-07-01至2026-12-31）已经享受过一次空调补贴"]
    assert fridge.subsidy_fen == 60000
    assert theirs.subsidy_fen == 65980
    assert next_period.subsidy_fen == 32990


async def test_a_cancelled_request_does_not_use_up_the_subsidy(services):
    cfg = services.settings.model_copy(update={"trade_in": TRADE_IN, "catalog": CATALOG})
    me = await _customer(services, "13800000003")
    await _request(services, me, "T20261001-0002", "空调", "p-2026", status="cancelled")
    async with services.db.session() as s:
        q = await quote(s, cfg, TODAY, me, OldUnit("空调", 3, True, "好"), ac())
    assert q.subsidy_fen == 65980


# ── the shipped catalog reads cleanly; a typo names its entry ──


def test_the_shipped_catalog_and_policies_read_cleanly(settings):
    from handlers.catalog import Catalog
    from handlers.trade_in_quote import policies

    catalog = Catalog.of(settings)
    assert catalog.categories and catalog.purifiers and catalog.models
    for m in catalog.models:
        assert catalog.category(m.category) is not None, m
    for p in catalog.purifiers:
        assert p.stages and all(s.price_fen > 0 and s.life_months > 0 for s in p.stages), p
    for cat in catalog.categories:
        assert [p.years for p in catalog.extended_plans(cat)] == [1, 2, 3]
    for p in policies(settings):
        assert p.valid_from <= p.valid_until
        assert set(p.categories) <= set(catalog.categories)


def test_a_typo_in_a_price_names_the_entry():
    from handlers.catalog import Catalog, CatalogError

    raw = {
        "purifiers": [
            {
                "model": "X1",
                "stages": [{"key": "pp", "name": "PP", "life_months": 6, "price_fen": "69元"}],
            }
        ]
    }
    with pytest.raises(
        CatalogError, match=r"purifiers\[0\].stages.price_fen must be a whole number"
    ):
        Catalog(raw)


def test_a_missing_key_names_the_entry():
    from handlers.catalog import Catalog, CatalogError

    with pytest.raises(CatalogError, match=r"catalog: models\[0\] needs price_fen"):
        Catalog({"models": [{"category": "空调", "model": "X"}]})
