# SPDX-License-Identifier: MIT
"""A Python decoder with two planted bugs for cfconform fuzz-exec's tests:
distinct bugs must be reported as distinct failures, each with its exception
line (never "Traceback (most recent call last):").
 - a task_blocked whose blocked_count is less than len(blocked_by): IndexError;
 - a progress_update whose percentage is 0 (conforming!): ZeroDivisionError.
Otherwise it answers every line: "ok", or "rejected"."""
import json
import sys


def blockers(ev):
    count, items = ev.get("blocked_count"), ev.get("blocked_by")
    if not isinstance(count, int) or not isinstance(items, list) or not 0 <= count <= 1000:
        return []
    ids = [0] * count
    for i, b in enumerate(items):
        ids[i] = b  # BUG 1: IndexError when blocked_count < len(blocked_by)
    return ids


def eta(ev):
    pct = ev.get("percentage")
    if not isinstance(pct, int):
        return 0
    return 60 * (100 - pct) // pct  # BUG 2: ZeroDivisionError when percentage is 0


for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    if isinstance(ev, dict) and ev.get("type") == "task_blocked":
        blockers(ev)
    if isinstance(ev, dict) and ev.get("type") == "progress_update":
        eta(ev)
    print("ok", flush=True)
