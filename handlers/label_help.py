"""「这个在哪看啊」 while the bot asks for a model or a serial number: where the nameplate is,
per appliance, then the question again (the form goes on). Answered through handlers/faq.py."""

from __future__ import annotations

import re

from bot.dialog.forms import Turn

_WHERE = re.compile(
    r"在哪(?:里|儿)?(?:看|找|查)|哪里(?:看|找|查|有)|去哪(?:看|找)|怎么(?:看|查|找)|"
    r"看不到|找不到|没找到|不知道在哪"
)
_LABEL_WORDS = re.compile(r"型号|序列号|SN|sn|铭牌|编号|机身码|条码")
_LABEL_SLOTS = ("model", "serial", "filter_model")
PLACES = {
    "空调": "空调内机右侧面板（掀开前盖也能看到）或外机侧面的铭牌上",
    "冰箱": "冷藏室内侧壁上或冰箱背面的铭牌上",
    "洗衣机": "机身背面，或滚筒机门圈内侧的铭牌上",
    "热水器": "机身侧面或底部的铭牌上",
    "净水器": "机身侧面或背面的铭牌上（厨下式打开橱柜门能看到）",
    "油烟机": "烟机侧面或拆下油网后内壁的铭牌上",
    "燃气灶": "灶具底部的铭牌上",
    "电视": "电视背面的铭牌上",
}
ANYWHERE = "机身侧面或背面的白色铭牌上，包装箱和保修卡上也有"


def _category(turn: Turn) -> str | None:
    for key in ("category", "device"):
        v = turn.slots.get(key)
        if isinstance(v, dict):
            v = v.get("category")
        if isinstance(v, str) and v in PLACES:
            return v
    ent = turn.entity("product_category")
    return str(ent.value) if ent is not None and ent.value in PLACES else None


def asks(turn: Turn) -> bool:
    """Where to find the model / serial: the bot asked for one, or the message names it."""
    text = turn.text[:100]
    if not _WHERE.search(text):
        return False
    return turn.state.get("asking") in _LABEL_SLOTS or bool(_LABEL_WORDS.search(text))


def answer(turn: Turn) -> str | None:
    if not asks(turn):
        return None
    what = "序列号（SN码）" if turn.state.get("asking") == "serial" else "型号"
    place = PLACES.get(_category(turn) or "", ANYWHERE)
    return f"{what}一般在{place}，拍张照片发给我也行～"
