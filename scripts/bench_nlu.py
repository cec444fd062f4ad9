#!/usr/bin/env python
"""NLU benchmark: utterances parsed per second on one core, and the time from process start to
the first parse answered when the warm-up was started in the background.

    .venv/bin/python scripts/bench_nlu.py [--seconds 5]
    .venv/bin/python scripts/bench_nlu.py --adversarial [--chars 500]

``--adversarial``: the slowest parse of hostile messages (tests/security/adversarial_text.py,
cut to ``--chars``, the length bot.nlu reads) against an ordinary message, as a ratio.

Prints figures only; targets: ≥ 2,000 utterances/s; first answer well inside the 3 s cold start.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

_CHILD = r"""
import json, resource, sys, time
t_start = float(sys.argv[1])
t_proc = time.time()
mode = sys.argv[2]
from bot.config import load_settings
settings = load_settings()
import bot.nlu as nlu
t_import = time.time()
if mode == "background":
    thread = nlu.warm_up_in_background(settings)
    try:  # the rest of a serve start-up, done while the warm-up runs
        from bot.app import create_app  # noqa: F401
        from bot.context import build_services  # noqa: F401
    except Exception:
        pass
t_ready = time.time()
p = nlu.parse_with_settings("明天上午来修一下格力空调 不制冷 电话13812345678", settings)
t_first = time.time()
nlu.parse_with_settings("滤芯该换了", settings)
t_second = time.time()
print(json.dumps({
    "interpreter_start_s": t_proc - t_start,
    "imports_s": t_import - t_start,
    "app_ready_s": t_ready - t_start,
    "first_answer_s": t_first - t_start,
    "first_parse_wait_s": t_first - t_ready,
    "second_parse_ms": (t_second - t_first) * 1000,
    "intent": p.intent,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "cpu_s": time.process_time(),
}))
"""


def start_to_first_answer(mode: str) -> dict:
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(t0), mode],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput(seconds: float) -> tuple[float, float, int]:
    import yaml

    from bot.nlu import current_pipeline
    from bot.nlu.evaluate import load_set

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    now, items = load_set(REPO / "tests" / "nlu" / "heldout.yaml")
    texts = [str(i["text"]) for i in items]
    corpus_dir = REPO / "bot" / "nlu" / "corpus"
    for f in sorted(corpus_dir.glob("*.yaml")):
        texts += [str(x) for x in yaml.safe_load(f.read_text(encoding="utf-8"))["examples"]]
    pipeline = current_pipeline()
    for t in texts[:50]:
        pipeline.parse(t, now=now)
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        for t in texts:
            pipeline.parse(t, now=now)
        n += len(texts)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return n / wall, n / cpu, len(texts)


def _cpu_ms(parse, text: str, runs: int = 3) -> float:
    """The least CPU time of ``runs`` parses, in ms (normalisation's cache cleared each time)."""
    from bot.nlu.normalize import canonical

    best = float("inf")
    for _ in range(runs):
        canonical.cache_clear()
        t0 = time.process_time()
        parse(text)
        best = min(best, time.process_time() - t0)
    return best * 1000


def adversarial(chars: int) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.nlu import current_pipeline
    from tests.security.adversarial_text import texts

    pipeline = current_pipeline()
    now = datetime(2026, 11, 26, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

    def parse(text: str) -> None:
        pipeline.parse(text, now=now)

    ordinary = _cpu_ms(parse, "明天上午来修一下格力空调 不制冷 电话13812345678")
    rows = sorted(((_cpu_ms(parse, t), name) for name, t in texts(chars).items()), reverse=True)
    print(f"ordinary message (31 chars)        {ordinary:7.2f} ms CPU")
    for ms, name in rows[:5]:
        print(f"hostile {name!r:26s} {ms:7.2f} ms CPU  ×{ms / ordinary:.0f} ({chars} chars)")
    print(f"worst / ordinary: ×{rows[0][0] / ordinary:.0f} over {len(rows)} hostile texts")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=3, help="cold starts to time (the median is shown)")
    ap.add_argument("--adversarial", action="store_true", help="worst-case parse vs ordinary")
    ap.add_argument("--chars", type=int, default=None, help="hostile text length (default: cap)")
    args = ap.parse_args()
    if args.adversarial:
        from bot.nlu.limits import MAX_TEXT_CHARS

        adversarial(args.chars or MAX_TEXT_CHARS)
        return

    for mode, label in (("background", "warm-up in background"), ("none", "no warm-up (lazy)")):
        runs = sorted(
            (start_to_first_answer(mode) for _ in range(args.runs)),
            key=lambda r: r["first_answer_s"],
        )
        r = runs[len(runs) // 2]
        print(f"cold start, {label} (median of {args.runs}):")
        print(f"  process start → imports done      {r['imports_s']:.3f} s")
        print(f"  process start → app ready         {r['app_ready_s']:.3f} s")
        print(
            f"  process start → first answer      {r['first_answer_s']:.3f} s  (intent {r['intent']})"
        )
        print(f"  first parse waited for warm-up    {r['first_parse_wait_s']:.3f} s")
        print(f"  second parse                      {r['second_parse_ms']:.2f} ms")
        print(f"  CPU time of the whole process     {r['cpu_s']:.3f} s")
        print(f"  max RSS                           {r['max_rss_mb']:.0f} MB")
    print(
        f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times above suffer)"
    )
    rate, per_cpu, n = throughput(args.seconds)
    print(
        f"throughput, one core: {rate:,.0f} utterances/s wall, {per_cpu:,.0f} per CPU-second"
        f" ({n} distinct utterances, {args.seconds:.0f} s)"
    )


if __name__ == "__main__":
    main()
