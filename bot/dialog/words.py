"""Small words a person says in every conversation: yes, no, cancel, skip."""

from __future__ import annotations

import re

_STRIP = re.compile(r"[\s，。！？!?,.~～、…·\"'“”‘’()（）\[\]【】:：;；]+")

YES = {
    "是",
    "是的",
    "是啊",
    "对",
    "对的",
    "对啊",
    "对呀",
    "嗯",
    "嗯嗯",
    "恩",
    "好",
    "好的",
    "好啊",
    "好滴",
    "可以",
    "行",
    "没问题",
    "确认",
    "确定",
    "确认提交",
    "提交",
    "没错",
    "就这样",
    "ok",
    "okay",
    "yes",
    "y",
    "要",
    "需要",
    "要的",
    "对没错",
    "确认无误",
    "👌",
    "👍",
}
YES |= {
    "还是那个",
    "还是那个地址",
    "还是这个",
    "还是这里",
    "还是那里",
    "就是那个",
    "就这个",
    "就那个",
    "没变",
    "不变",
    "一样",
    "老地址",
    "原来的",
    "原地址",
    "照旧",
    "还是老地方",
    "老地方",
}
NO = {
    "不",
    "不是",
    "不是的",
    "不对",
    "否",
    "no",
    "n",
    "错了",
    "不要",
    "换一个",
    "要改",
    "改一下",
    "有错",
    "不太对",
    "不行",
    "不可以",
    "别",
}
CANCEL = {
    "算了",
    "取消",
    "不用了",
    "不要了",
    "不需要了",
    "不修了",
    "不约了",
    "不弄了",
    "退出",
    "取消吧",
    "算了吧",
    "先不用了",
    "暂时不用了",
    "不用",
    "没事了",
    "不用麻烦了",
    "取消预约",
    "取消报修",
}
SKIP = {"没有", "无", "跳过", "不知道", "不清楚", "忘了", "不记得", "没", "没有的", "略过"}


def norm(text: str) -> str:
    return _STRIP.sub("", text or "").lower()


def is_yes(text: str) -> bool:
    t = norm(text)
    return t in YES or (len(t) <= 6 and t.startswith(("确认", "是的", "对的", "没问题", "好的")))


def is_no(text: str) -> bool:
    t = norm(text)
    return t in NO or (len(t) <= 6 and t.startswith(("不是", "不对", "错了")))


def is_cancel(text: str) -> bool:
    t = norm(text)
    if t in CANCEL:
        return True
    return len(t) <= 10 and t.startswith(("算了", "取消", "不用了", "不要了", "先不用"))


def is_skip(text: str) -> bool:
    return norm(text) in SKIP
