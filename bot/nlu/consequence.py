"""What each intent does to the customer, in one place (docs/understanding.md).

* ``harmless``: answers only (greeting, thanks, ticket_status, warranty, unknown).
* ``form``: starts a conversation that ends in a ticket or an order (repair, install, …);
  it only starts when the message is about the customer's own appliance or request.
* ``state``: changes the customer's state (unsubscribe, subscribe).
* ``alert``: tells people and hands the chat over (complaint, human_agent).

Each intent's class is declared with its route (bot/dialog/router.py, ``consequence``).
``state`` and ``alert`` need explicit evidence in the message (a word such as 退订, 投诉,
人工) and a high score, with no negation of it; otherwise the bot asks one short question
first (:mod:`bot.dialog.policy`). An intent no router declares (a stray corpus file) counts
as ``form``: consequential, never silently harmless.
"""

from __future__ import annotations

import re

from bot.dialog.router import Consequence as Kind

# The score a state change or an alert needs on top of the evidence word.
GRAVE_CONFIDENCE = 0.6

# The words that make a state change or an alert explicit.
EVIDENCE: dict[str, re.Pattern[str]] = {
    "unsubscribe": re.compile(
        r"退订|(?<![a-z])td(?![a-z])|取消订阅|取消关注|别再?[发推]|不要再?[发推]|不用再?[发推]"
        r"|不想再?收|不再接收|别再?给我发|不要再?给我发|关[掉闭了]?.{0,4}(?:推送|提醒|通知|消息|祝福)"
        r"|(?:推送|提醒|通知|消息|祝福).{0,4}(?:关[掉闭了]|取消|停[掉止]?|别发|不要)"
        r"|取消.{0,4}(?:推送|提醒|通知|消息|祝福)|停止.{0,3}(?:推送|发送|发)|拒收|屏蔽|拉黑"
        r"|unsubscribe|stop",
        re.I,
    ),
    "subscribe": re.compile(r"订阅|恢复.{0,4}(?:推送|提醒|通知|消息|祝福)|开回|重新发|继续发"),
    "complaint": re.compile(
        r"投诉|差评|举报|12315|消协|曝光|太差|很差|真差|好差|差劲|垃圾|太烂|很烂|乱收费|多收"
        r"|坑人|骗人|骗子|退款|赔偿|赔钱|要个说法|给个说法|讨个说法|没人管|不满意|失望"
        r"|迟到|放鸽子|爽约|态度.{0,3}(?:差|不好|恶劣|太)|弄坏|刮花|踢皮球|推来推去|不专业"
        r"|没解决|不解决|离谱|气死|过分|complain",
        re.I,
    ),
    "human_agent": re.compile(
        # 人工 / 真人 as a person to talk to, not 人工湖 / 人工智能 / 真人电影; a manager asked for,
        # not named as a job (「项目经理」, 「领导小组」)
        r"人工(?!湖|河|岛|林|智能|降|合成|授|呼吸|草|费|成本)|真人(?!电影|版|秀|电视)|活人|客服"
        r"|(?<![\u4e00-\u9fff])人呢|的人呢|有没有人|有人吗|找人|换人|换个人|坐席|转接"
        r"|(?:找|叫|让|要|请|换)(?:你们|您们)?的?(?:经理|主管|领导|负责人|店长)"
        r"|(?:经理|主管|领导|负责人|店长)(?:呢|在哪|在吗|出来|过来|来)"
        r"|回电|打给我|打电话给我|给我打电话|联系我|human|agent|(?<![a-z])(?:kf|rg)(?![a-z])",
        re.I,
    ),
}

# "不是要投诉", "不用退订", "没说要人工": the evidence is there, and denied.
_NEGATION = re.compile(
    r"(?:不是|不|没|并非|别|不用|不要|不想|不需要|没有|无意)(?:要|想|说|打算|是)?"
    r"(?:去|来|跟你们|给你们)?$"
)

# Out of the customer's own business: 邻居家的…, 跟我没关系, 帮朋友问的 (a form does not start).
NOT_MINE = re.compile(
    r"跟我没关系|和我没关系|与我无关|不关我的?事|不是我家的?|不是我的|"
    r"(?:邻居|隔壁|楼上|楼下|同事|朋友|别人|人家)家?的.{0,12}(?:坏|修|装|洗|换)"
)


# What a state change or an alert is ABOUT: the service, its people, its messages. A message
# the classifier calls a complaint but that names neither the evidence word nor any of these
# (「门票贵不贵？」, 「他还是狮子座的男人呢」) is not one: the NLU reports ``unknown`` and keeps
# the guess in ``Parse.held`` (the dialog may still ask its one short question).
_SERVICE = (
    r"你们|您们|贵公司|贵司|你们公司|师傅|售后|客服|服务|门店|店里|店家|商家|工单|单子|上门|维修|修"
    r"|安装|装|预约|约好|约的|约了|产品|机器|设备|零件|配件|质量|电器|家电|保修|延保|发票|退货|换货|收费"
    r"|报价|工作人员|业务员|导购|快递|送货|物流|滤芯|回访|评价"
)
TOPIC: dict[str, re.Pattern[str]] = {
    "complaint": re.compile(_SERVICE),
    "human_agent": re.compile(
        _SERVICE + r"|专员|懂行|专业的人|负责人|有人帮|人帮我|有没有人|有人吗|有人在|接电话"
        r"|person|operator|someone|somebody",
        re.I,
    ),
    "unsubscribe": re.compile(
        _SERVICE
        + r"|提醒(?!我)|推送|公众号|服务号|关怀|祝福|营销|广告|名单|打扰|骚扰|群发|订阅|退订|关注|唔好"
        r"|别再?发|不要再?发|别再?推|不要再?推|节日|生日|问候"
    ),
}
TOPIC["subscribe"] = TOPIC["unsubscribe"]


def kind_of(intent: str) -> Kind:
    """Declared with the intent's route (bot/dialog/router.py); ``form`` when undeclared."""
    from bot.dialog import registry

    return registry.consequence(intent)


def is_action(intent: str) -> bool:
    """Does this intent do something beyond answering (a form, a state change, an alert)?"""
    return kind_of(intent) != "harmless"


def is_grave(intent: str) -> bool:
    """A state change or an alert: what needs evidence or a confirming question."""
    return kind_of(intent) in ("state", "alert")


def _patterns(intent: str) -> list[re.Pattern[str]]:
    # unsubscribe covers switching back on too (handlers/subscription.py tells which)
    names = ("unsubscribe", "subscribe") if intent == "unsubscribe" else (intent,)
    return [EVIDENCE[n] for n in names if n in EVIDENCE]


def _plain(text: str) -> str:
    from bot.nlu.normalize import canonical

    return canonical(text).lower()  # 投訴 → 投诉, full-width folded


def evidence(intent: str, text: str) -> bool:
    """The message names what ``intent`` does, and does not deny it."""
    patterns = _patterns(intent)
    if not patterns:
        return True
    low = _plain(text)
    for pattern in patterns:
        for m in pattern.finditer(low):
            before = re.sub(r"[\s，,。]+|有没有|是不是", "", low[max(0, m.start() - 8) : m.start()])
            if not _NEGATION.search(before):
                return True
    return False


def denied(intent: str, text: str) -> bool:
    """The evidence word is there but every mention of it is negated ("我不是要投诉")."""
    low = _plain(text)
    mentioned = any(p.search(low) for p in _patterns(intent))
    return mentioned and not evidence(intent, text)


def acts_at_once(intent: str, text: str, confidence: float) -> bool:
    """Would the dialog act on this message without asking first? (A form about someone
    else's appliance does not start; a state change or an alert needs evidence and score.)"""
    kind = kind_of(intent)
    if kind == "form":
        return not NOT_MINE.search(text)
    if kind in ("state", "alert"):
        return confidence >= GRAVE_CONFIDENCE and evidence(intent, text)
    return False


def on_topic(intent: str, text: str, names: re.Pattern[str] | None = None) -> bool:
    """Is a state change or an alert plausibly meant: its evidence word, or the service, its
    people or its messages named (``names``: the lexicon's appliances and brands)?"""
    if not is_grave(intent) or evidence(intent, text):
        return True
    low = _plain(text)
    topic = TOPIC.get(intent)
    if topic is not None and topic.search(low):
        return True
    return names is not None and kind_of(intent) == "alert" and bool(names.search(low))


def overruled(intent: str, text: str) -> bool:
    """The message itself says the intent is not meant: a denied state change or alert
    ("我不是要投诉"), or a form about someone else's appliance. The NLU reports ``unknown``."""
    kind = kind_of(intent)
    if kind == "form":
        return bool(NOT_MINE.search(text))
    return kind in ("state", "alert") and denied(intent, text)
