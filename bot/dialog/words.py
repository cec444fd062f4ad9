"""Small words a person says in every conversation: yes, no, cancel, skip."""

from __future__ import annotations

import re
from functools import lru_cache

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
    "嗯呢",
    "嗯哪",
    "对头",
    "对滴",
    "好嘞",
    "好哒",
    "中",
    "得",
    "係",
    "系",
    "冇问题",
    "无问题",
    "ok的",
    "可以的",
    "行的",
    "没毛病",
    "就这么定了",
    "sure",
    "yep",
    "yeah",
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
    # "not now" in everyday speech
    "先不了",
    "先不弄了",
    "不搞了",
    "不整了",
    "不修了吧",
    "下次吧",
    "下次再说",
    "以后再说",
    "改天吧",
    "改天再说",
    "回头再说",
    "过两天再说",
    "先这样吧",
    "先放着吧",
    "算了算了",
    "没事了谢谢",
    "不用了谢谢",
    "唔使",
    "唔使了",
    "冇事了",
    "never mind",
    "nevermind",
    "cancel",
}
SKIP = {"没有", "无", "跳过", "不知道", "不清楚", "忘了", "不记得", "没", "没有的", "略过"}


@lru_cache(maxsize=4096)  # pure; asked several times per message
def norm(text: str) -> str:
    """Compare-ready: full-width and traditional folded (確認 → 确认), punctuation and
    emoji dropped, lower-case."""
    from bot.nlu.normalize import canonical

    folded = _STRIP.sub("", canonical(text or "")).lower()
    return folded or _STRIP.sub("", text or "").lower()  # "👍" alone is an answer too


_TAIL = set("吧啊呀哦嘛呢了的啦哈噢喔")


def _made_of(t: str, vocab: set[str]) -> bool:
    """``t`` is words of ``vocab`` and particles ("对的没问题就这样吧"), at least one word."""
    if not t:
        return False
    words_ = sorted(vocab, key=len, reverse=True)
    i = 0
    found = False  # particles alone ("哈哈", "啊") say nothing: not a yes
    while i < len(t):
        if t[i] in _TAIL:
            i += 1
            continue
        hit = next((w for w in words_ if w and t.startswith(w, i)), None)
        if hit is None:
            return False
        i += len(hit)
        found = True
    return found


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_yes(text: str) -> bool:
    t = norm(text)
    if t in YES or (len(t) <= 6 and t.startswith(("确认", "是的", "对的", "没问题", "好的"))):
        return True
    if t.startswith("对了"):  # "对了…" is "by the way"
        return False
    return len(t) <= 16 and _made_of(t, YES | {"就这样", "就这么办", "没错", "可以"})


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_no(text: str) -> bool:
    t = norm(text)
    return t in NO or (len(t) <= 6 and t.startswith(("不是", "不对", "错了")))


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_cancel(text: str) -> bool:
    t = norm(text)
    if t in CANCEL:
        return True
    if len(t) > 12:
        return False
    if t.startswith(
        ("算了", "取消", "不用了", "不要了", "先不用", "先不了", "先不弄", "先不修", "不弄了")
    ):
        return True
    return bool(_CANCEL_PHRASE.search(t))


# "只是问问价 先不办", "不登了", "那就不买了": a short message that ends (or opens) with
# giving up on what is being done.
_CANCEL_PHRASE = re.compile(
    r"(?:^|先|就|还是|暂时|那|我)不(?:办|买|换|登|登记|约|修|装|弄|申请|下单)了?[吧啦哈]?$"
    r"|^(?:只是|就是|我就|随便|我只是)问问(?:价|价格|而已)?(?:而已)?(?:先不[办买换弄]了?)?$"
    r"|^只是问问"
)


_SKIP_EDGE = (
    "不知道",
    "不清楚",
    "忘了",
    "忘记了",
    "不记得",
    "记不得",
    "记不清",
    "找不到",
    "看不清",
)


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_skip(text: str) -> bool:
    """ "没有", "不知道", and short ones naming the thing: "型号不知道", "忘了序列号"."""
    t = norm(text).rstrip("了啊呀呢哦吧")
    if t in SKIP or norm(text) in SKIP:
        return True
    if len(t) > 8:
        return False
    return t.endswith(_SKIP_EDGE) or t.startswith(_SKIP_EDGE) or bool(_SKIP_NONE.fullmatch(t))


# "没有发票", "没发票", "发票丢了", "序列号没有": the thing asked for is not there
_SKIP_NONE = re.compile(r"(?:没有|没|无)(?!问题|事|关系)\w{1,5}|\w{1,5}(?:没有|丢|没|不见)")


# "考虑一下", "我再想想", "先不用了": not now — the form ends politely and what was said is kept
_POSTPONE = re.compile(
    r"考虑(?:一下|下|考虑)|再想想|想一想|想想再说|再说吧|回头再说|以后再说|改天再说|过段时间再说"
    r"|过几天再说|晚点再说|等等再说|先这样吧|先不用了|暂时不用|暂时不需要|暂时先不|先放一放"
    r"|(?:跟|和)(?:家里|家人|老婆|老公|爱人|媳妇|孩子)\S{0,3}商量|商量一下|再看看吧?"
)


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_postpone(text: str) -> bool:
    t = norm(text)
    return len(t) <= 16 and bool(_POSTPONE.search(t))


# A question put to the business ("你们周末上门吗", "上门费多少"), as opposed to a proposal that
# answers the form's question ("周末上门可以吗", "明天上午行不行").
_QUESTION = re.compile(
    r"[吗嘛么?？]$|[吗嘛么][?？!！。~～]*$|多少|几点|几号|怎么|怎样|啥时候|是不是|会不会|收不收|要不要钱"
)
_PROPOSAL = re.compile(
    r"(?:可以|行|好|方便|成|ok)(?:吗|嘛|么|不)[?？]?$|行不行|可不可以|好不好|方不方便|能不能来"
)


@lru_cache(maxsize=4096)  # pure; asked several times per message
def is_side_question(text: str) -> bool:
    t = norm(text)
    return 0 < len(t) <= 30 and bool(_QUESTION.search(t)) and not _PROPOSAL.search(t)


_BACK_ON = re.compile(r"订阅|开回|恢复|打开|开启|重新发|继续发")
_OFF = re.compile(r"退订|取消订阅|不要|别|关|停|烦|td", re.I)


def wants_back_on(text: str) -> bool:
    """ "还是开回来吧 订阅": the words of switching care messages on, none of switching off."""
    return bool(_BACK_ON.search(text)) and not _OFF.search(text)
