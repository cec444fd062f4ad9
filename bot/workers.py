"""``wxbot serve --workers N``: N web processes on one port (SO_REUSEPORT), supervised.

The parent only supervises: it starts N ``wxbot serve --reuse-port`` children, restarts one
that dies (giving up when a child keeps dying within seconds of starting, e.g. the port is
taken by something else), and on SIGTERM / SIGINT stops them all. With ``--role all`` the
first child runs the scheduler role too (``all``), the others ``web``; across hosts, the
scheduler's leader election (bot/leader.py) keeps its jobs in one process. Children share
the database (PostgreSQL for more than one process) and Redis when configured.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time

log = logging.getLogger("wxbot")

QUICK_EXIT_S = 5.0
MAX_QUICK_EXITS = 3


def child_roles(role: str, n: int) -> list[str]:
    return [role] + ["web"] * (n - 1) if role == "all" else [role] * n


def supervise(host: str, port: int, role: str, n: int, log_level: str) -> int:
    """Run until signalled; the exit code (0 after a clean stop)."""
    roles = child_roles(role, n)

    def spawn(i: int) -> subprocess.Popen:
        argv = [sys.executable, "-m", "bot.cli", "--log-level", log_level, "serve"]
        argv += ["--host", host, "--port", str(port), "--role", roles[i], "--reuse-port"]
        return subprocess.Popen(argv)

    stopping = False

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    procs = [spawn(i) for i in range(n)]
    started = [time.monotonic()] * n
    quick = [0] * n
    log.info("wxbot: %d workers on http://%s:%d (roles %s)", n, host, port, ",".join(roles))
    code = 0
    while not stopping:
        for i, p in enumerate(procs):
            rc = p.poll()
            if rc is None or stopping:
                continue
            quick[i] = quick[i] + 1 if time.monotonic() - started[i] < QUICK_EXIT_S else 0
            if quick[i] >= MAX_QUICK_EXITS:
                log.error("wxbot: worker %d keeps exiting (code %s); stopping all", i, rc)
                stopping, code = True, 1
                break
            log.warning("wxbot: worker %d (pid %d) exited with %s; restarting it", i, p.pid, rc)
            procs[i], started[i] = spawn(i), time.monotonic()
        time.sleep(0.2)
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return code
