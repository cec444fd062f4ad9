"""Staff commands in plain words: parse a line into a :class:`Command`, or None."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

TICKET = r"([A-Za-z]\d{8}-\d{4})"
LEAD_MOVES = {
    "联系": "contacted",
    "已联系": "contacted",
    "跟进": "contacted",
    "成交": "won",
    "赢单": "won",
    "签单": "won",
    "丢单": "lost",
    "输单": "lost",
    "放弃": "lost",
}

HELP = (
    "可以这样跟我说：\n"
    "· 任务 —— 今天要做的事\n"
    "· 查 13900210001 / 查 张伟 —— 顾客档案\n"
    "· 商机 张伟 想换冰箱 预算5000 —— 记一条销售机会\n"
    "· 商机 —— 本店跟进中的商机；商机 2 成交 / 商机 2 丢单\n"
    "· 完成 3 —— 任务3做完了\n"
    "· 推送 3 —— 把任务3的关怀消息发给顾客\n"
    "师傅：到达 R20261125-0001 / 完成 R20261125-0001"
)
HELP_ADMIN = "\n群管理员：群发 阳光花园业主群 明天上午10点 内容…；群列表"


@dataclass
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


def _norm(text: str) -> str:
    text = text.replace("\u3000", " ").replace("：", ":").strip()
    text = re.sub(r"^[@＠]\S+\s+", "", text)  # a leading @mention
    return re.sub(r"\s+", " ", text)


def parse_budget(text: str) -> tuple[int | None, str]:
    """``预算5000`` / ``预算 1.2万`` → (fen, text without it)."""
    m = re.search(r"预算\s*(\d+(?:\.\d+)?)\s*(万|千|k|K|元|块)?", text)
    if not m:
        return None, text
    amount = float(m.group(1))
    unit = m.group(2) or ""
    if unit == "万":
        amount *= 10000
    elif unit in ("千", "k", "K"):
        amount *= 1000
    rest = (text[: m.start()] + text[m.end() :]).strip(" ,，")
    return int(round(amount * 100)), re.sub(r"\s+", " ", rest)


def parse(text: str) -> Command | None:
    t = _norm(text)
    if not t:
        return None
    if t in ("任务", "今天任务", "今日任务", "我的任务", "任务列表", "今天的任务"):
        return Command("tasks")
    if t.lower() in ("帮助", "help", "?", "？", "菜单", "命令"):
        return Command("help")
    if t in ("群列表", "群", "社群"):
        return Command("group_list")
    if m := re.fullmatch(r"(?:到达|已到达|到了|已到)\s*" + TICKET, t):
        return Command("arrive", {"number": m.group(1).upper()})
    if m := re.fullmatch(r"(?:完成|完工|已完成)\s*" + TICKET, t):
        return Command("finish_ticket", {"number": m.group(1).upper()})
    if m := re.fullmatch(r"(?:完成|搞定|做完|关闭)\s*(?:任务)?\s*(\d{1,3})", t):
        return Command("done_task", {"n": int(m.group(1))})
    if m := re.fullmatch(r"推送\s*(?:任务)?\s*(\d{1,3})", t):
        return Command("push", {"n": int(m.group(1))})
    if m := re.fullmatch(r"查\s*(\S.*)", t):
        return Command("lookup", {"term": m.group(1).strip()})
    if t == "商机":
        return Command("lead_list")
    if m := re.fullmatch(r"商机\s*(\d{1,6})\s*(\S+)", t):
        status = LEAD_MOVES.get(m.group(2))
        if status:
            return Command("lead_move", {"id": int(m.group(1)), "status": status})
        return None
    if m := re.fullmatch(r"商机\s+(\S+)\s+(.+)", t):
        budget, interest = parse_budget(m.group(2))
        if not interest:
            return None
        return Command("lead_new", {"who": m.group(1), "interest": interest, "budget_fen": budget})
    if m := re.fullmatch(r"群发\s+(\S+)\s+(.+)", t):
        return Command("group_post", {"group": m.group(1), "rest": m.group(2)})
    return None
