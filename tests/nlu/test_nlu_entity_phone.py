import pytest
from nlu_helpers import first, values


@pytest.mark.parametrize(
    "text, expected",
    [
        ("电话13812345678", "13812345678"),
        ("手机 138 1234 5678 找李先生", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 139 0011 2233", "13900112233"),
        ("+86-13900112233", "13900112233"),
        ("(+86)13900112233", "13900112233"),
        ("8613900112233", "13900112233"),
        ("手机号：１３８１２３４５６７８", "13812345678"),  # full-width digits
        ("1381 234 5678", "13812345678"),
        ("电话13812345678。", "13812345678"),
        ("打我电话19912345678好吗", "19912345678"),
        ("座机021-62345678", "02162345678"),
        ("(021)62345678", "02162345678"),
        ("010 87654321 王女士", "01087654321"),
        ("0755-2666-8888", "075526668888"),
        ("0571 8877 6655", "057188776655"),
        ("座机0571-8877665", "05718877665"),  # 7-digit local number
    ],
)
def test_phone_numbers_in_every_shape(text, expected):
    assert values(text, "phone") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "序列号13812345678",  # labelled as a serial
        "SN13812345678",
        "机身号 1380013800012345",  # 16 digits
        "出厂编号20231025138001122334",
        "条码 6901234567890",
        "工单号WX202611250031",
        "订单号 13812345678",
        "型号KFR-35GW/NhAa1",
        "12345678901",  # does not start 1[3-9]
        "2026-12-10 上午",
        "138123456789",  # 12 digits
        "价格 1380 元",
        "电话12315",
    ],
)
def test_serials_models_and_other_numbers_are_not_phones(text):
    assert values(text, "phone") == []


def test_two_numbers_both_found_in_order():
    assert values("13812345678 或者 021-62345678", "phone") == ["13812345678", "02162345678"]


def test_kind_and_span():
    e = first("联系 138 1234 5678 谢谢", "phone")
    assert e.extra["kind"] == "mobile"
    assert e.text == "138 1234 5678"
    assert first("010-87654321", "phone").extra["kind"] == "landline"
