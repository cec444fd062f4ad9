"""The words a person reads for the codes the system stores.

One place for every label shown to staff (the admin console, WeCom notices and commands), so
that the pages and the chat agree: 师傅已上门 everywhere, never 师傅已到达 on one page and
师傅已上门 on another. Customer-facing wording that says more than a label (「已受理，正在安排
师傅」) stays with its handler. A code without a label is shown as 「其他」, never as the code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

OTHER = "其他"

# What a reply was about when it is not an intent of its own (the intents' labels are
# declared with their routes: bot/dialog/router.py).
REPLY_TOPICS: Mapping[str, str] = {
    "cancel": "不办了",
    "faq": "常见问题",
    "rating": "服务评价",
    "help": "帮助",
    "scan": "扫码",
    "not_text": "非文字消息",
    "not_staff": "非员工",
}


class _IntentLabels(Mapping[str, str]):
    """Every intent's label from the registry, then the reply topics; read live, so an
    intent included later (a new feature) is labelled too."""

    def _all(self) -> dict[str, str]:
        from bot.dialog import registry

        return {**registry.labels(), **REPLY_TOPICS}

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


INTENTS: Mapping[str, str] = _IntentLabels()
TICKET_KINDS: Mapping[str, str] = {
    "repair": "维修",
    "install": "安装",
    "cleaning": "清洗",
    "trade_in": "以旧换新",
    "rental": "租赁配送",
    "pickup": "退租取回",
    "inspection": "退租验机",
}
TICKET_STATUS: Mapping[str, str] = {
    "open": "待派单",
    "assigned": "已派单",
    "scheduled": "已预约",
    "on_the_way": "师傅在路上",
    "arrived": "师傅已上门",
    "in_progress": "服务中",
    "done": "已完成",
    "cancelled": "已取消",
}
TRADE_IN_STATUS: Mapping[str, str] = {
    "applied": "已申请",
    "contacted": "已联系",
    "scheduled": "已约上门",
    "done": "已完成",
    "cancelled": "已取消",
    "rejected": "未通过",
}
ORDER_STATUS: Mapping[str, str] = {
    "placed": "已下单",
    "paid": "已付款",
    "shipped": "已发货",
    "done": "已完成",
    "cancelled": "已取消",
}
PLAN_STATUS: Mapping[str, str] = {  # 延保/全保 (entitlements.status)
    "offered": "待付款",
    "active": "已生效",
    "cancelled": "已取消",
}
LEAD_STATUS: Mapping[str, str] = {
    "new": "新建",
    "contacted": "已联系",
    "won": "已成交",
    "lost": "已丢单",
}
OUTBOX_STATUS: Mapping[str, str] = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "failed": "失败",
    "dead": "死信",
    "skipped": "已跳过",
}
CHANNELS: Mapping[str, str] = {
    "mp_kf": "客服消息",
    "mp_template": "服务通知",
    "work_app": "企业微信应用",
    "work_contact": "企业微信客户联系",
    "group_robot": "群机器人",
    "guide_task": "导购任务",
    "auto": "自动选择",
    "work_tag": "企业微信客户标签",
    "work_mass": "企业微信群发",
    "work_transfer": "客户转接",
    "work_group_welcome": "入群欢迎语",
    "work_group_transfer": "客户群转给同事",
}
# Channels whose recipient is a colleague (a WeCom userid) or a group, not the customer.
STAFF_CHANNELS = frozenset(
    {
        "work_app",
        "guide_task",
        "work_contact",
        "group_robot",
        "work_tag",
        "work_mass",
        "work_transfer",
        "work_group_welcome",
        "work_group_transfer",
    }
)
OUTBOX_KINDS: Mapping[str, str] = {
    "reply": "迟到回复",
    "service": "服务消息",
    "lifecycle": "关怀提醒",
    "festival": "节日问候",
    "solar_term": "节气关怀",
    "notice": "通知",
}
OPTOUT_KINDS: Mapping[str, str] = {
    "all": "全部关怀",
    "festival": "节日问候",
    "reminder": "提醒类",
}
MESSAGE_TYPES: Mapping[str, str] = {
    "text": "文字",
    "image": "图片",
    "voice": "语音",
    "video": "视频",
    "shortvideo": "小视频",
    "location": "位置",
    "link": "链接",
    "file": "文件",
    "event": "事件",
    "miniprogrampage": "小程序",
}
SUBJECTS: Mapping[str, str] = {
    "trade_in": "以旧换新",
    "order": "耗材订单",
    "lead": "销售商机",
    "ticket": "工单",
    "customer": "客户资料",
    "staff": "员工",
}
ADMIN_ROLES: Mapping[str, str] = {"chain_admin": "总部管理员", "store_manager": "门店店长"}
IDENTITY_CHANNELS: Mapping[str, str] = {"mp": "公众号", "work": "企业微信"}
HANDOFF_KINDS: Mapping[str, str] = {"complaint": "投诉", "human_agent": "转人工"}
ROLES: Mapping[str, str] = {
    "customer": "顾客",
    "guide": "导购",
    "engineer": "师傅",
    "manager": "店长",
    "system": "系统",
    "admin": "管理员",
}

# WeChat / WeCom error codes an operator meets in the outbox, in words.
SEND_ERRORS: Mapping[int, str] = {
    40001: "调用凭证失效，已自动刷新",
    40003: "收件人不是本公众号的用户",
    40014: "调用凭证无效",
    41001: "缺少调用凭证",
    42001: "调用凭证过期",
    43004: "顾客已取消关注",
    43101: "顾客拒收订阅消息",
    45009: "接口调用超过每日上限",
    45011: "接口调用太频繁",
    45015: "超过48小时回复时限",
    45047: "客服消息超过条数上限",
    48001: "公众号没有该接口权限",
    60111: "企业微信里没有这个成员",
    81013: "企业微信成员不在应用可见范围",
    -1: "微信系统繁忙",
}
SEND_REASONS: tuple[tuple[str, str], ...] = (
    ("outcome unknown", "发送中途停止，结果未知，未再重发"),
    ("no staff with userid", "找不到这位员工的企业微信账号"),
    ("no channel left", "所有渠道都发不出去"),
    ("no channel for this recipient", "这位收件人没有可用的渠道"),
    ("gave up after", "多次重试仍失败"),
)


def send_error(text: str | None) -> str:
    """Why a message was not sent, in words a store manager reads; the raw text is kept for
    the tooltip. 「45047: out of customer-service message limit」 → 「客服消息超过条数上限（45047）」."""
    if not text:
        return ""
    if re.search(r"[\u4e00-\u9fff]", text):
        return text
    found = re.search(r"(?<![\d.])(-1|\d{5})(?!\d)", text[:200])
    if found and int(found.group(1)) in SEND_ERRORS:
        code = int(found.group(1))
        return f"{SEND_ERRORS[code]}（{code}）"
    for start, words in SEND_REASONS:
        if start in text[:200]:
            return words
    if found:
        return f"微信返回错误（{found.group(1)}）"
    return "发送失败（详情见提示）"


# Every status a row of any kind can have, for pages that list several kinds together.
STATUS: Mapping[str, str] = {
    **OUTBOX_STATUS,
    **ORDER_STATUS,
    **TRADE_IN_STATUS,
    **LEAD_STATUS,
    "new": "新商机",
    "closed": "已关闭",
    **TICKET_STATUS,
}


def label(table: Mapping[str, str], code: str | None) -> str:
    """``code``'s label in ``table``; 「—」 for none and 「其他」 for a code it does not know."""
    if not code:
        return "—"
    return table.get(code, OTHER)


def intent(code: str | None) -> str:
    """An intent or reply tag; staff commands (``work_tasks``…) read as 员工命令."""
    if code and code.startswith("work_"):
        return "员工命令"
    return label(INTENTS, code)


def care_rule(code: str | None) -> str:
    """A care rule by its module's TITLE (生日祝福, 滤芯到期提醒…)."""
    if not code:
        return "—"
    from bot.care.rules import RULES

    mod = RULES.get(code)
    return getattr(mod, "TITLE", OTHER) if mod else OTHER


def actor(code: str | None) -> str:
    """Who moved a ticket: 顾客, 系统, 管理员 admin, or a colleague's WeCom userid."""
    if not code:
        return ""
    role, _, who = code.partition(":")
    if role in ROLES:
        return f"{ROLES[role]} {who}".strip()
    return f"员工 {code}"
