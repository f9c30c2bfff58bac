# SPDX-License-Identifier: MIT
"""A Python decoder that keeps state, for cfconform fuzz-exec's minimiser
tests: the second agent_retired it sees raises KeyError (it looks up a
summary it never wrote). The failure needs two lines of the stream, the
two agent_retired events; whatever came between them is not needed."""
import json
import sys

retired, summaries = [], {}

for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    if isinstance(ev, dict) and ev.get("type") == "agent_retired":
        retired.append(str(ev.get("agent_id")))
        if len(retired) > 1:
            print(summaries[retired[-2]])  # THE BUG: never written
    print("ok", flush=True)
