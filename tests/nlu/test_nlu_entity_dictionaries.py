"""product_category and brand (config dictionaries), model, symptom, quantity."""

import pytest
from nlu_helpers import values

from bot.nlu.core import Pipeline


@pytest.mark.parametrize(
    "text, expected",
    [
        ("挂机不凉了", "空调"),
        ("柜机", "空调"),
        ("AC不制冷", "空调"),
        ("冷氣壞了", "空调"),
        ("净水机不出水", "净水器"),
        ("抽油烟机", "油烟机"),
        ("烟机", "油烟机"),
        ("燃气热水器", "热水器"),
        ("雪柜", "冰箱"),
        ("滚筒洗衣机", "洗衣机"),
        ("煤气灶", "燃气灶"),
        ("彩电", "电视"),
        ("宝宝的奶粉", "奶粉"),
    ],
)
def test_categories(text, expected):
    assert values(text, "product_category")[:1] == [expected]


def test_ascii_synonyms_need_a_border():
    assert values("ACB开关", "product_category") == []
    assert values("TVB的剧", "product_category") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("格力空调", ["格力"]),
        ("GREE的挂机", ["格力"]),
        ("海尔冰箱和美的洗衣机", ["海尔", "美的"]),
        ("米家净水器", ["小米"]),
        ("老板烟机", ["老板"]),
        ("老板的油烟机", ["老板"]),
        ("老板电器", ["老板"]),
        ("让你们老板联系我", []),
        ("你们老板是谁", []),
        ("西门子洗碗机", ["西门子"]),
    ],
)
def test_brands(text, expected):
    assert values(text, "brand") == expected


def test_config_dictionaries_extend_the_defaults():
    p = Pipeline({"categories": {"空气净化器": ["净化器"]}, "brands": {"格力": ["大松"]}})
    parsed = p.parse("大松净化器坏了")
    assert parsed.first("product_category").value == "空气净化器"
    assert parsed.first("brand").value == "格力"
    assert p.parse("海尔冰箱").first("brand").value == "海尔"  # defaults still there


@pytest.mark.parametrize(
    "text, expected",
    [
        ("型号KFR-35GW/NhAa1", ["KFR-35GW/NhAa1"]),
        ("MG100V58WT 洗衣机", ["MG100V58WT"]),
        ("老板烟机CXW-260-27A7", ["CXW-260-27A7"]),
        ("海尔BCD-470WDPG登记", ["BCD-470WDPG"]),
        ("显示E1", []),  # a fault code
        ("SN20231108123456", []),  # a serial
        ("工单号WX202611250031", []),
        ("13812345678", []),
        ("PP棉 RO膜", []),
        ("3Q", []),
    ],
)
def test_models(text, expected):
    assert values(text, "model") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("空调不制冷", "不制冷"),
        ("冰箱不冷了", "不制冷"),
        ("挂机吹出来都是热风", "不制冷"),
        ("热水器不加热", "不制热"),
        ("出来的水不热", "不制热"),
        ("净水器漏水", "漏水"),
        ("挂机滴水", "漏水"),
        ("净水机不出水", "不出水"),
        ("外机噪音好大", "噪音大"),
        ("声音特别响", "噪音大"),
        ("显示E1", "显示E1"),
        ("屏幕上报e21", "显示E21"),
        ("故障码F3", "显示F3"),
        ("空调E4了", "显示E4"),
        ("打不着火", "打不着火"),
        ("洗衣机不排水", "不排水"),
    ],
)
def test_symptoms(text, expected):
    assert values(text, "symptom")[:1] == [expected]


def test_no_symptom_in_small_talk():
    assert values("明天冷不冷", "symptom") == []
    assert values("你好", "symptom") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("两个", ["2"]),
        ("2支PP棉", ["2"]),
        ("一箱", ["1"]),
        ("三台挂机", ["3"]),
        ("再来十二罐", ["12"]),
        ("来一套滤芯", ["1"]),
        ("等了两个小时", []),
        ("第一个", []),
        ("三个月前", []),
        ("13812345678", []),
        ("用了十年", []),
    ],
)
def test_quantities(text, expected):
    assert values(text, "quantity") == expected
