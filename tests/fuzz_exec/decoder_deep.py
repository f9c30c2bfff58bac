# SPDX-License-Identifier: MIT
"""A Python decoder for cfconform fuzz-exec's minimiser tests: its walker
gives up on nesting deeper than 20, uncaught. A failing input needs only
21 levels: its minimised reproducer must not keep the 65 of a generated
too-deep event."""
import json
import sys


def depth(v):
    todo, deepest = [(v, 1)], 0
    while todo:
        x, d = todo.pop()
        if isinstance(x, (dict, list)):
            deepest = max(deepest, d)
            todo.extend((y, d + 1) for y in (x.values() if isinstance(x, dict) else x))
    return deepest


for raw in sys.stdin.buffer:
    try:
        ev = json.loads(raw)
    except (ValueError, RecursionError):
        print("rejected", flush=True)
        continue
    if depth(ev) > 20:
        raise RecursionError("nested deeper than 20")  # THE BUG
    print("ok", flush=True)
