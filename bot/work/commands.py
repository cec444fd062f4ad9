"""Staff commands in plain words: parse a line into a :class:`Command`, or None."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.work import staff_router
from bot.work.wording import SMALL_NUM, canon, parse_budget, small_int, squash, strip_mention

TICKET = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]\s*\d{8}\s*-\s*\d{4})(?!\d)")
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


@dataclass
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)


# Words around a command that change nothing: 帮我查查…, 任务呢, 完成了吧.
POLITE_HEAD = r"^(?:(?:请|麻烦(?:你|您)?|帮(?!助)(?:我|忙)?|我(?:要|想)|给我)\s*)+"
TAIL = r"(?:\s*(?:了|啦|吧|呢|啊|呀|哈|哦|喔|哇|一下|下))+$"
HELP_WORDS = {
    "帮助",
    "help",
    "?",
    "菜单",
    "命令",
    "指令",
    "说明",
    "怎么用",
    "用法",
    "你能做什么",
    "你会什么",
    "能做什么",
    "能干什么",
    "你能干什么",
    "有什么功能",
    "功能",
    "",
}
GROUP_LIST = {"群列表", "群", "社群", "社群列表", "有哪些群", "群名单", "所有群", "查看群"}
TASK_WORDS = re.compile(
    r"任务|待办|代办|干嘛|干啥|干什么|做什么|做啥|要做的事|工作安排|工单|上门的单|派的单|派单"
)
# What may stand around a task word in "show me my tasks": 看下我今天的任务有哪些.
TASK_LIST_FILLER = re.compile(
    r"今天|今日|现在|我的|我|的|看下|看看|看一下|查看|查一下|查下|查|列出|显示|有|啥|什么|哪些|"
    r"要|还|都|是|几个|多少|列表|清单|一下|给|[\s,.!?]"
)
ARRIVE = re.compile(r"到达|到了|已到|上门|到现场|到场|到门口")
FINISH = re.compile(r"完成|完工|修好|装好|搞定|做完|弄完|结束|关闭|关单|结单")
DONE = re.compile(r"完成|搞定|做完|办完|弄完|处理完|处理好|完事|关闭|结束")
PUSH = re.compile(r"推送|推给|发给(?:顾客|客户|他|她|ta|TA)|发送")
# Once the verb and the number are gone, only these may remain for 完成 N / 推送 N.
TASK_FILLER = re.compile(
    r"任务|消息|关怀|第|号|条|个|项|的|了|啦|吧|已经|已|把|将|给|顾客|客户|我|帮|这|那|一下|请|都|也|[\s,.!]"
)
LOOKUP = re.compile(
    r"^(?:查询|查一查|查一下|查查|查下|查找|查看|查|搜索|搜一下|搜|找一下|找找|找下|找)\s*"
)
LOOKUP_TAIL = re.compile(r"(?:的)?(?:客户|顾客|档案|资料|信息|情况|电话)$")
LEAD_HEAD = re.compile(
    r"^(?:(?:记|记录|记下|新增|新建|添加|加|登记|录入)\s*(?:个|一个|一条|条|下)?\s*)?"
    r"(?:我的|本店的?|店里的?|看下|看看|查看|查下)?\s*(?:销售)?商机\s*:?\s*"
)
PHONE_RUN = re.compile(r"1\d{2}(?:[\s-]?\d){8}")
WANT = re.compile(r"想|要|看中|看上|看了|打算|准备|需要|考虑|咨询|问了|问|对|喜欢|有意")


EDGE = " ,.!?:"


def _clean(text: str) -> str:
    t = squash(strip_mention(text))
    t = re.sub(POLITE_HEAD, "", t)
    return re.sub(TAIL, "", t).strip(" ,.!?:")


def _task_number(t: str, verb: re.Pattern[str]) -> int | None:
    """``完成第3个`` / ``3号完成了`` / ``推送第二条`` → the task number, when that is all it says."""
    if not verb.search(t):
        return None
    numbers = re.findall(SMALL_NUM, t)
    if len(numbers) != 1:
        return None
    rest = TASK_FILLER.sub("", verb.sub("", t.replace(numbers[0], "", 1)))
    if rest:
        return None
    return small_int(numbers[0])


def _ticket(t: str) -> Command | None:
    m = TICKET.search(t)
    if not m:
        return None
    number = re.sub(r"\s+", "", m.group(1)).upper()
    words = t[: m.start()] + t[m.end() :]
    if ARRIVE.search(words):
        return Command("arrive", {"number": number})
    if FINISH.search(words):
        return Command("finish_ticket", {"number": number})
    return None


def _lead(t: str) -> Command | None:
    m = LEAD_HEAD.match(t)
    if not m:
        return None
    rest = t[m.end() :].strip(" ,.")
    if not rest or rest in ("列表", "清单", "有哪些", "呢"):
        return Command("lead_list")
    if mv := re.fullmatch(r"#?(\d{1,6})\s*(?:号\s*)?(\S+)", rest):
        status = LEAD_MOVES.get(mv.group(2).rstrip("了啦"))
        if status:
            return Command("lead_move", {"id": int(mv.group(1)), "status": status})
        return None
    if p := PHONE_RUN.match(rest):  # 商机 139 0021 0002 想换油烟机
        who, what = re.sub(r"\D", "", p.group(0)), rest[p.end() :]
    elif " " in rest:
        who, what = rest.split(" ", 1)
    elif w := WANT.search(rest, 1):
        who, what = rest[: w.start()], rest[w.start() :]
    else:
        who, what = rest, ""
    who = who.strip(" ,.")
    budget, interest = parse_budget(what.strip(" ,."))
    interest = interest.strip(" ,.")
    if not interest:
        return Command("lead_incomplete", {"who": who})
    return Command("lead_new", {"who": who, "interest": interest, "budget_fen": budget})


def _group_post(text: str) -> Command | None:
    """群发 <群名> <时间> <内容>: the group and time read canonically, the content as typed."""
    raw = strip_mention(text).strip()
    c = canon(raw)  # same length as raw
    m = re.match(r"\s*(?:(?:请|帮我|麻烦)\s*)?群发\s*(?::\s*)?(\S+)\s+(?=\S)", c)
    if not m:
        return None
    return Command("group_post", {"group": m.group(1).strip(EDGE), "rest": raw[m.end() :]})


TAG_HEAD = re.compile(r"^(?:打|加|贴|改)?标签\s*:?\s*")
# One "+TAG" / "-TAG" (a tag ends at a space or the next sign); spaces between are skipped by
# the caller, so no pattern here scans a run of spaces twice.
TAG_OP = re.compile(r"([+-])\s*([^\s+-]+)")


def _tag(t: str) -> Command | None:
    """标签 <手机号或姓名> +TAG -TAG (no +/-: show the tags)."""
    m = TAG_HEAD.match(t)
    if not m:
        return None
    rest = t[m.end() :].strip()
    if p := PHONE_RUN.match(rest):
        who, ops_text = re.sub(r"\D", "", p.group(0)), rest[p.end() :]
    else:
        first = re.match(r"[^\s+-]*", rest)
        who, ops_text = first.group(0), rest[first.end() :]
    ops: list[tuple[str, str]] = []
    pos = 0
    ops_text = ops_text.strip()
    while pos < len(ops_text):
        if ops_text[pos].isspace():
            pos += 1
            continue
        om = TAG_OP.match(ops_text, pos)
        if not om:
            return Command("tag_help", {"who": who})
        ops.append((om.group(1), om.group(2)))
        pos = om.end()
    return Command("tag", {"who": who, "ops": ops})


PLAN_PAID = re.compile(r"^(?:延保|全保)?\s?(?:已)?收款\s?(?:延保|全保)?\s?(1\d{2}(?:[\s-]?\d){8})$")


def parse(text: str) -> Command | None:
    """One staff line → a :class:`Command`, or None when it is not one."""
    t = _clean(text)
    if cmd := _tag(t):
        return cmd
    if m := PLAN_PAID.match(t):  # 收款 13900210003: the customer's 延保/全保 paid
        return Command("plan_paid", {"phone": re.sub(r"\D", "", m.group(1))})
    if t.lower() in HELP_WORDS:
        return Command("help")
    if t.startswith("群发"):
        return _group_post(text)
    if t in GROUP_LIST:
        return Command("group_list")
    if cmd := _ticket(t):
        return cmd
    if cmd := _lead(t):
        return cmd
    if (n := _task_number(t, PUSH)) is not None:
        return Command("push", {"n": n})
    if (n := _task_number(t, DONE)) is not None:
        return Command("done_task", {"n": n})
    if TASK_WORDS.search(t) and not TASK_LIST_FILLER.sub("", TASK_WORDS.sub("", t)):
        return Command("tasks")
    if m := LOOKUP.match(t):
        term = LOOKUP_TAIL.sub("", t[m.end() :].strip(" ,.")).strip(" ,.")
        term = re.sub(r"^(?:一下|下|客户|顾客)\s*", "", term)
        if p := PHONE_RUN.search(term):  # 查 郭涛 13900210005: the phone decides
            term = re.sub(r"\D", "", p.group(0))
        elif re.fullmatch(r"[\d\s-]+", term):
            term = re.sub(r"\D", "", term)
        if term in ("任务", "今天任务") or TASK_WORDS.fullmatch(term):
            return Command("tasks")
        return Command("lookup", {"term": term})
    if re.fullmatch(r"1\d{2}[\d\s-]{4,12}", t):  # a bare phone number
        return Command("lookup", {"term": re.sub(r"\D", "", t)})
    if (name := staff_router.named_by(t)) is not None:  # a command's own words
        return Command(name)
    return None
