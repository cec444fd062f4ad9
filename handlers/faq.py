"""Everyday questions with a short, honest answer: what it costs, when the engineers come,
how to reach the store, who is talking. Asked on their own or in the middle of a booking
(the booking goes on)."""

from __future__ import annotations

import re

from bot.dialog.forms import Turn
from handlers import fault_advice, label_help
from storage.models import Store

_PRICE = re.compile(
    r"多少钱|收费|费用|价格|价钱|贵不贵|要钱|收钱|免费|花多少|报价|几块钱|上门费|检测费|人工费"
)
_NOT_PRICE = re.compile(
    r"抵|换新|能换|换多少|值多少|回收|折价|估|滤芯|滤心|芯|pp|ro|活性炭|延保|全保|投诉|乱收"
)
_HOURS = re.compile(
    r"几点(?:上班|下班|开门|关门|开始|结束|能来|可以来)|营业时间|上班时间|工作时间|服务时间|"
    r"(?:周末|周六|周日|礼拜六|礼拜天|礼拜日|星期六|星期天|星期日|节假日|过年|晚上)"
    r".{0,4}?(?:上班|休息|能来|可以来|来吗|上门|放假)"
)
_CONTACT = re.compile(
    r"(?:电话|热线|号码|手机)(?:是|是多少|多少|号码)|联系方式|怎么联系|打(?:什么|哪个)电话|"
    r"门店在哪|店在哪|店(?:的)?地址"
)
_PAY = re.compile(
    r"怎么(?:付|给|交)(?:钱|款|费)?|如何(?:付|支付)|(?:在)?哪(?:里|儿)?(?:付|交钱)|付款方式|支付方式|"
    r"能(?:用)?(?:微信|支付宝|刷卡|现金)|可以(?:用)?(?:微信|支付宝|刷卡|现金)|先付|货到付款|到付"
)
_DEPOSIT = re.compile(r"押金|月租|租金")
_WHO = re.compile(r"机器人|你是谁|你是真人|是真人吗|真人吗|人工智能|\bai\b|智能客服|自动回复")


def is_chat(turn: Turn) -> bool:
    """About the bot itself, not the service: answered, but still counts as off-topic (two
    off-topic messages in a row offer a human)."""
    return bool(_WHO.search(turn.text.lower()))


def asks(turn: Turn) -> bool:
    """The message is one of these questions (no booking details in it)."""
    if fault_advice.asks(turn):  # 「是不是要加氟」: advice first, a visit only when asked
        return True
    if label_help.asks(turn):  # 「这个在哪看啊」 while a model is asked: where the label is
        return True
    text = turn.text.lower()
    if any(turn.entities(t) for t in ("phone", "address")):
        return False
    if _PAY.search(text):  # 「怎么付钱？」 after an order: how, not a new request
        return True
    if turn.state.get("form") == "rental" and _DEPOSIT.search(text):  # 「押金怎么算」 mid-rental
        return True
    if _HOURS.search(text):  # "礼拜天上班不" names a day, and is still a question
        # …but "周六能来修空调吗" is a booking
        return not any(turn.entities(t) for t in ("product_category", "symptom"))
    if turn.entities("datetime"):
        return False
    return bool(
        _WHO.search(text)
        or _CONTACT.search(text)
        or (_PRICE.search(text) and not _NOT_PRICE.search(text))
    )


def asks_contact(turn: Turn) -> bool:
    """ "客服电话多少" / "门店在哪": how to reach the store."""
    return asks(turn) and bool(_CONTACT.search(turn.text.lower()))


async def answer(turn: Turn) -> str | None:
    """A short answer when the message asks one of these, else None."""
    if not asks(turn):
        return None
    if advice := fault_advice.answer(turn):
        return advice
    if where := label_help.answer(turn):
        return where
    text = turn.text.lower()
    if _WHO.search(text):
        return (
            "我是售后小助手😊 报修、安装、清洗、换新、买滤芯都能帮您办；想找真人，回复“人工”就行～"
        )
    if _CONTACT.search(text):
        return await _contact(turn)
    if turn.state.get("form") == "rental" and _DEPOSIT.search(text):
        return (
            "月租和押金按机型定，选机器时每台都会列出月租、押金和整个租期的合计；"
            "退租时师傅验完机，押金原路退回～"
        )
    if _PAY.search(text):
        return (
            "不用提前付～下单后导购会联系您，微信、支付宝都可以付；"
            "上门的服务也可以等师傅到了现场扫码付。"
        )
    if _HOURS.search(text):
        start, end = turn.services.settings.service.get("hours", ["08:00", "20:00"])
        return f"师傅每天{start}-{end}都可以上门，周末也行；我这边24小时在线～"
    if re.search(r"清洗|洗", text):
        return "清洗的价格按机型和脏污程度定，师傅上门先报价，您同意了才开始～想约的话说“预约清洗”就行。"
    if re.search(r"安装|装", text):
        return (
            "安装费用看机型和现场情况，师傅上门先报价，您同意了才动手～想约的话说“预约安装”就行。"
        )
    return "维修费用要师傅看过才能定：师傅会先报价，您同意了才动手，保修期内的免费修。"


async def _contact(turn: Turn) -> str:
    store = None
    if turn.person.store_id:
        store = await turn.db.get(Store, turn.person.store_id)
    if store is not None and store.phone:
        where = f"，地址{store.address}" if store.address else ""
        return f"{store.name}的电话是 {store.phone}{where}。也可以直接回复“人工”，同事会联系您～"
    return "回复“人工”，店里的同事会尽快联系您；报修、预约直接跟我说也行～"
