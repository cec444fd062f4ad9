"""Pinned catalog and trade-in settings for the business handler tests (prices operators may
change in config.yaml do not move these tests), and a ``svc`` builder using them."""

from __future__ import annotations

from datetime import date

from bot.config import Settings
from bot.context import Services, build_services

CATALOG = {
    "categories": {
        "空调": {"base_value_fen": 150000, "warranty_months": 36, "aliases": ["挂机"]},
        "冰箱": {"base_value_fen": 120000, "warranty_months": 36},
        "净水器": {"base_value_fen": 40000, "warranty_months": 12},
        "燃气灶": {"base_value_fen": 20000, "warranty_months": 12},
        "电视": {"base_value_fen": 100000, "warranty_months": 12},
    },
    "purifiers": [
        {
            "brand": "美的",
            "model": "MRO1891-400G",
            "stages": [
                {"key": "pp", "name": "PP棉滤芯", "life_months": 6, "price_fen": 5900},
                {"key": "carbon", "name": "活性炭滤芯", "life_months": 12, "price_fen": 8900},
                {"key": "ro", "name": "RO反渗透膜", "life_months": 24, "price_fen": 45900},
            ],
        },
        {
            "brand": "沁园",
            "model": "QR-R5-05",
            "stages": [
                {"key": "pp", "name": "PP棉滤芯", "life_months": 6, "price_fen": 6900},
                {"key": "carbon", "name": "前置活性炭滤芯", "life_months": 12, "price_fen": 9900},
                {"key": "ro", "name": "RO反渗透膜", "life_months": 24, "price_fen": 39900},
                {"key": "post", "name": "后置活性炭滤芯", "life_months": 12, "price_fen": 7900},
            ],
        },
    ],
    "filter_due_ahead_days": 15,
    "filter_install_fee_fen": 0,
    "models": [
        {
            "category": "电视",
            "brand": "海信",
            "model": "65E5N",
            "energy_grade": 1,
            "price_fen": 399900,
        },
        {
            "category": "空调",
            "brand": "格力",
            "model": "云佳KFR-35GW-NhGd1B",
            "energy_grade": 1,
            "price_fen": 329900,
        },
        {
            "category": "空调",
            "brand": "美的",
            "model": "酷省电KFR-35GW-N8KS1-1",
            "energy_grade": 1,
            "price_fen": 279900,
        },
        {
            "category": "空调",
            "brand": "海尔",
            "model": "静悦KFR-35GW-B1KBB81U1",
            "energy_grade": 2,
            "price_fen": 219900,
        },
        {
            "category": "空调",
            "brand": "奥克斯",
            "model": "KFR-35GW-BpR3AQE1",
            "energy_grade": 3,
            "price_fen": 159900,
        },
        {
            "category": "冰箱",
            "brand": "海尔",
            "model": "BCD-510WGHTD14S8U1",
            "energy_grade": 1,
            "price_fen": 399900,
        },
        {
            "category": "燃气灶",
            "brand": "方太",
            "model": "JZT-TH29B",
            "energy_grade": 1,
            "price_fen": 299900,
        },
    ],
    "warranty_plans": {
        "extended": {
            "空调": {1: 19900, 2: 34900, 3: 46900},
            "default": {1: 12900, 2: 21900, 3: 29900},
        },
        "full_cover": {"max_age_years": 10, "冰箱": 24900, "default": 19900},
    },
}

TRADE_IN = {
    "depreciation": {
        0: 1.0,
        1: 0.85,
        2: 0.72,
        3: 0.62,
        4: 0.53,
        5: 0.45,
        6: 0.38,
        8: 0.28,
        10: 0.18,
        12: 0.1,
    },
    "condition": {"好": 1.0, "一般": 0.8, "差": 0.6},
    "not_working_factor": 0.4,
    "floor_fen": 5000,
    "round_to_fen": 100,
    "policies": [
        {
            "id": "gov-2026-h2",
            "name": "2026年下半年家电以旧换新补贴",
            "valid_from": date(2026, 7, 1),
            "valid_until": date(2026, 12, 31),
            "categories": ["空调", "冰箱", "净水器"],
            "percent_by_grade": {1: 20, 2: 15},
            "cap_fen": 200000,
        }
    ],
}


def pinned(settings: Settings) -> Settings:
    return settings.model_copy(update={"catalog": CATALOG, "trade_in": TRADE_IN})


def build(settings: Settings, now) -> Services:
    return build_services(pinned(settings), now=now)
