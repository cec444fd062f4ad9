"""Warranty status: until when, days left, and which plans to offer."""

from __future__ import annotations

from datetime import date

from handlers.catalog import Catalog
from handlers.warranty_status import add_months, cover_period, plans_for, status
from storage.models import Customer, Device
from storage.repos import entitlements

TODAY = date(2026, 11, 25)


def dev(**kw) -> Device:
    base = {"id": 1, "customer_id": 1, "category": "空调", "warranty_months": 12}
    return Device(**{**base, **kw})


def test_months_are_calendar_months_clamped_to_the_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 25), 36) == date(2028, 11, 25)


def test_in_warranty_until_purchase_plus_months_with_days_left():
    st = status(dev(purchase_date=date(2025, 12, 1)), TODAY)
    assert st.until == date(2026, 12, 1) and st.days_left == 6
    assert st.in_warranty and not st.extended
    assert st.text() == "在保，保修至2026-12-01，还剩6天"


def test_the_last_day_is_still_covered():
    st = status(dev(purchase_date=date(2025, 11, 25)), TODAY)
    assert st.in_warranty and st.days_left == 0


def test_out_of_warranty_says_when_it_ended():
    st = status(dev(purchase_date=date(2020, 5, 1), warranty_months=36), TODAY)
    assert not st.in_warranty
    assert st.text() == "已过保（2023-05-01到期）"
    assert st.age_years == 6


def test_an_extension_bought_earlier_pushes_the_end():
    st = status(dev(purchase_date=date(2024, 1, 1), extended_until=date(2027, 12, 31)), TODAY)
    assert st.until == date(2027, 12, 31) and st.extended
    assert st.text() == "在保，延保至2027-12-31，还剩401天"


def test_unknown_purchase_date():
    st = status(dev(), TODAY)
    assert not st.known and not st.in_warranty
    assert "购买日期未登记" in st.text()
    assert plans_for(Catalog({}), st) == []


def test_units_in_warranty_are_offered_1_2_3_year_extensions_at_catalog_prices(settings):
    catalog = Catalog.of(settings)
    st = status(dev(purchase_date=date(2026, 3, 1), warranty_months=36), TODAY)
    plans = plans_for(catalog, st)
    assert [(p.kind, p.years) for p in plans] == [("extended_warranty", y) for y in (1, 2, 3)]
    assert [p.price_fen for p in plans] == [
        settings.catalog["warranty_plans"]["extended"]["空调"][y] for y in (1, 2, 3)
    ]
    assert plans[0].label == "延保1年"


def test_categories_without_their_own_prices_use_the_default_row(settings):
    st = status(dev(category="燃气灶", purchase_date=date(2026, 3, 1)), TODAY)
    plans = plans_for(Catalog.of(settings), st)
    assert [p.price_fen for p in plans] == [
        settings.catalog["warranty_plans"]["extended"]["default"][y] for y in (1, 2, 3)
    ]


def test_older_units_are_offered_full_cover_unless_too_old():
    catalog = Catalog({"warranty_plans": {"full_cover": {"max_age_years": 10, "空调": 29900}}})
    st = status(dev(purchase_date=date(2019, 6, 1)), TODAY)
    assert [(p.kind, p.price_fen, p.label) for p in plans_for(catalog, st)] == [
        ("full_cover", 29900, "全保1年")
    ]
    too_old = status(dev(purchase_date=date(2014, 6, 1)), TODAY)
    assert plans_for(catalog, too_old) == []


def test_cover_periods():
    catalog = Catalog(
        {"warranty_plans": {"extended": {"default": {2: 100}}, "full_cover": {"default": 50}}}
    )
    inside = status(dev(purchase_date=date(2026, 3, 1)), TODAY)  # until 2027-03-01
    ext = plans_for(catalog, inside)[0]
    assert cover_period(inside, ext, TODAY) == (date(2027, 3, 2), date(2029, 3, 1))
    outside = status(dev(purchase_date=date(2020, 3, 1)), TODAY)
    full = plans_for(catalog, outside)[0]
    assert cover_period(outside, full, TODAY) == (TODAY, date(2027, 11, 24))


async def test_active_cover_is_found_by_date(services):
    async with services.db.transaction() as s:
        c = Customer(name="赵女士", phone="13700000001")
        s.add(c)
        await s.flush()
        d = Device(customer_id=c.id, category="冰箱", purchase_date=date(2020, 1, 1))
        s.add(d)
        await s.flush()
        await entitlements.create(
            s,
            customer_id=c.id,
            device_id=d.id,
            kind="full_cover",
            price_fen=24900,
            valid_from=date(2026, 1, 1),
            valid_until=date(2026, 12, 31),
        )
        device_id = d.id
    async with services.db.session() as s:
        assert (await entitlements.active_cover(s, device_id, TODAY)).kind == "full_cover"
        assert await entitlements.active_cover(s, device_id, date(2027, 1, 1)) is None
