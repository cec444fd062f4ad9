import pytest
from nlu_helpers import first, values


@pytest.mark.parametrize(
    "text, expected",
    [
        ("地址：上海市浦东新区张杨路1200弄5号301室", "上海市浦东新区张杨路1200弄5号301室"),
        ("住在杭州市西湖区文一西路588号 3幢2单元501", "杭州市西湖区文一西路588号3幢2单元501"),
        ("浙江省杭州市余杭区五常街道", "浙江省杭州市余杭区五常街道"),
        ("地址是朝阳区建国路88号", "朝阳区建国路88号"),
        ("我家在阳光花园12栋3单元1102", "阳光花园12栋3单元1102"),
        ("广东省深圳市南山区科技园南路1号", "广东省深圳市南山区科技园南路1号"),
        ("北京市海淀区中关村大街27号", "北京市海淀区中关村大街27号"),
        ("明天来 徐汇区漕溪北路18号 电话13812345678", "徐汇区漕溪北路18号"),
        ("上海市闵行区", "上海市闵行区"),
        ("地址 幸福小区5号楼2单元", "幸福小区5号楼2单元"),
    ],
)
def test_addresses_as_far_as_given(text, expected):
    assert values(text, "address") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "talk to a human",
        "客厅的格力空调不制冷",
        "下周三上午",
        "我们小区好多人都买了",
        "新买的热水器要登记",
        "市场价多少",
        "13812345678",
        "型号KFR-35GW/NhAa1",
    ],
)
def test_not_addresses(text):
    assert values(text, "address") == []


def test_span_points_at_what_the_user_wrote():
    e = first("装机 地址：上海市浦东新区張楊路1200弄", "address")
    assert e.value == "上海市浦东新区张杨路1200弄"
    assert e.text == "上海市浦东新区張楊路1200弄"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("北京朝阳区望京SOHO T1 1802", "北京朝阳区望京SOHO T1 1802"),
        ("深圳福田区车公庙", "深圳福田区车公庙"),
        ("我住万科城3期5栋", "万科城3期5栋"),
        ("上海浦东张江路100号 13812345678", "上海浦东张江路100号"),
        ("南京市鼓楼区中山路18号明天下午来", "南京市鼓楼区中山路18号"),
    ],
)
def test_addresses_without_suffixes_and_next_to_other_entities(text, expected):
    assert values(text, "address") == [expected]


def test_bare_numbers_do_not_make_an_address():
    assert values("3月5号 1802", "address") == []
    assert values("T1 1802", "address") == []
