"""Summarise a py-spy collapsed-stack file (``py-spy record -f raw``): where the time goes.

    .venv/bin/python scripts/bench_webhook.py --targets full --profile /tmp/prof
    .venv/bin/python scripts/profile_summary.py /tmp/prof/full.txt [--top 25] [--match bot/]

Prints the share of samples that pass through each function (inclusive) and the share
spent in each function itself (self), both over the busy samples (idle event-loop waits
in ``select``/``epoll`` left out), plus a few buckets named after the hot path's stages.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

IDLE = ("select (selectors.py", "epoll", "_run_once (asyncio/base_events.py")
# stage name → substrings of a frame; the innermost frame that matches one decides
BUCKETS: dict[str, tuple[str, ...]] = {
    "verify, decrypt, parse": ("security.py", "_decrypt", "mp_inbound.py", "decrypt_message"),
    "ledger (claim, finish)": ("dedup.py", "repos/inbound.py"),
    "NLU": ("bot/nlu/",),
    "session load/save": ("dialog/sessions.py", "repos/sessions.py"),
    "dialog and handlers": ("bot/dialog/", "handlers/", "storage/repos/"),
    "reply XML and encrypt": (
        "render_reply",
        "encrypt_message",
        "mp_reply.py",
        "seal (bot/channels/mp_envelope.py",
    ),
}
# a worker thread blocked on its queue (py-spy may count it as busy)
WAITING = "_connection_worker_thread (aiosqlite/core.py:59)"
OTHER = "aiohttp, the event loop, the rest"
SQL = ("sqlalchemy/", "aiosqlite/", "asyncpg/", "sqlite_inline.py")
FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:)]+)")


def _frames(stack: str) -> list[str]:
    return [f for f in stack.split(";") if f]


def _stage(frames: list[str]) -> str:
    for f in reversed(frames):  # innermost first
        for stage, needles in BUCKETS.items():
            if any(needle in f for needle in needles):
                return stage
    return OTHER


def _short(frame: str) -> str:
    m = FRAME.match(frame)
    if not m:
        return frame
    path = m["file"]
    for cut in ("site-packages/", "/main/", "/python3.11/"):
        if cut in path:
            path = path.split(cut, 1)[1]
    return f"{m['func']} ({path})"


def summarise(path: Path, top: int, match: str | None) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    busy = idle = sql = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = _frames(stack)
        if not frames or any(i in frames[-1] for i in IDLE) or frames[-1].startswith(WAITING):
            idle += n
            continue
        busy += n
        for name in {_short(f) for f in frames}:
            inclusive[name] += n
        own[_short(frames[-1])] += n
        buckets[_stage(frames)] += n
        if any(any(s in f for s in SQL) for f in frames):
            sql += n
    if not busy:
        return "no busy samples"
    out = [f"{path}: {busy} busy samples, {idle} idle ({idle / (busy + idle):.0%})", ""]
    out.append("stages (share of busy samples):")
    for stage, n in buckets.most_common():
        out.append(f"  {n / busy:6.1%}  {stage}")
    out.append(f"  of which in SQLAlchemy or the database driver: {sql / busy:.1%}")
    out += ["", f"inclusive (top {top}{', matching ' + match if match else ''}):"]
    shown = 0
    for name, n in inclusive.most_common():
        if match and match not in name:
            continue
        out.append(f"  {n / busy:6.1%}  {name}")
        shown += 1
        if shown >= top:
            break
    out += ["", f"self (top {top}):"]
    for name, n in own.most_common(top):
        out.append(f"  {n / busy:6.1%}  {name}")
    return "\n".join(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("file", type=Path)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--match", help="only frames whose name contains this (e.g. bot/ or storage/)")
    a = p.parse_args()
    print(summarise(a.file, a.top, a.match))


if __name__ == "__main__":
    main()
