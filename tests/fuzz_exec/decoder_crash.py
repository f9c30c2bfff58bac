# SPDX-License-Identifier: MIT
"""A Python decoder with a bug for cfconform fuzz-exec's tests: it sizes its
list of blockers from blocked_count and fills it from blocked_by, so a
task_blocked whose blocked_count is less than len(blocked_by) (the contract's
rule blocked-count) raises IndexError, uncaught. Otherwise it is the correct
decoder_ok.py."""
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
        if not 0 <= count <= 1000:
            print("rejected", flush=True)
            continue
        ids = [0] * count
        for i, b in enumerate(blockers):
            ids[i] = b  # THE BUG: IndexError when blocked_count < len(blocked_by)
        answer = "blocked %d" % len(ids)
    print(answer, flush=True)
