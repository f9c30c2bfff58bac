# SPDX-License-Identifier: MIT
"""A correct Python decoder that forgets to flush, for cfconform fuzz-exec's
tests: print() to a pipe is block-buffered (unless python3 -u or
PYTHONUNBUFFERED), so its answers come only when its input ends. Streaming,
every input would wait out --timeout; fuzz-exec must say so, with the fix."""
import json
import sys

for raw in sys.stdin.buffer:
    try:
        json.loads(raw)
        print("ok")  # THE MISTAKE: no flush=True
    except (ValueError, RecursionError):
        print("rejected")
