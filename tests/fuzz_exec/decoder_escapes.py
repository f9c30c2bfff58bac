# SPDX-License-Identifier: MIT
"""A Python decoder for cfconform fuzz-exec's minimiser tests: a fixed table
of 50 blockers, so a task_blocked whose blocked_count is above 49 raises
IndexError. Generated events often spell "type" or "task_blocked" with
\\u escapes; the reproducer needs none of them."""
import json
import sys

TABLE = [0] * 50

for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    if isinstance(ev, dict) and ev.get("type") == "task_blocked":
        count = ev.get("blocked_count")
        if isinstance(count, int) and count >= 0:
            TABLE[count] = 1  # THE BUG: IndexError above 49
    print("ok", flush=True)
