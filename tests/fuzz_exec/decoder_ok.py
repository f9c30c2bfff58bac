# SPDX-License-Identifier: MIT
"""A correct Python decoder for cfconform fuzz-exec's tests: one event per
line on stdin, one answer line on stdout. Python 3 standard library only."""
import json
import sys

for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    answer = "ok"
    if isinstance(ev, dict) and ev.get("type") == "task_blocked":
        try:
            count = int(ev["blocked_count"])
            blockers = list(ev["blocked_by"])
        except (KeyError, TypeError, ValueError, OverflowError):
            print("rejected", flush=True)
            continue
        if not 0 <= count <= 1000 or count != len(blockers):
            print("rejected", flush=True)
            continue
        ids = [0] * count
        for i, b in enumerate(blockers):
            ids[i] = b
        answer = "blocked %d" % len(ids)
    print(answer, flush=True)
