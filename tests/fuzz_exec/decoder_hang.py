# SPDX-License-Identifier: MIT
"""A Python decoder that hangs, for cfconform fuzz-exec's tests: it counts a
progress_update's percentage down to 100 one by one, and one above 100 (the
contract's rule percent-range) makes that loop spin forever."""
import json
import sys

for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    if isinstance(ev, dict) and ev.get("type") == "progress_update":
        pct = ev.get("percentage")
        if isinstance(pct, int):
            shown = pct
            while shown > 100:
                shown - 1  # THE BUG: meant shown -= 1
    print("ok", flush=True)
