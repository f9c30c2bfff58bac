#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A consumer adapter that misbehaves on its Nth decode request (default 3),
for tests/test_consumer.c. Before and after, it "reads" each event as the
parsed JSON object (a permissive consumer). MODE:

  hang     never answers (the consumer hangs)      -> CRASH, killed, restarted
  exit     exits with status 3 (the consumer died) -> CRASH, restarted
  raise    answers {"outcome":"raised"}            -> CRASH, the adapter stays
  garbage  writes a line that is not JSON          -> ERROR, restarted
  seq      answers with another seq                -> ERROR, restarted
  error    answers {"op":"error"}                  -> ERROR, the adapter stays
  nohello  answers start with a producer's hello   -> cannot run (exit 2)
"""
import json
import sys
import time

mode = sys.argv[1]
nth = int(sys.argv[2]) if len(sys.argv) > 2 else 3
count = 0


def send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


for line in sys.stdin:
    req = json.loads(line)
    if req["op"] == "start":
        if mode == "nohello":
            send({"op": "hello", "protocol": 1, "implementation": {"name": "p"},
                  "broadcasters": []})
        else:
            send({"op": "hello", "protocol": 1, "role": "consumer",
                  "implementation": {"name": "misbehave-" + mode, "language": "Python",
                                     "version": "1"}})
        continue
    if req["op"] != "decode":
        break
    count += 1
    if count == nth:
        if mode == "hang":
            time.sleep(3600)
        if mode == "exit":
            sys.exit(3)
        if mode == "garbage":
            sys.stdout.write("this is not JSON\n")
            sys.stdout.flush()
            continue
        if mode == "seq":
            send({"op": "decoded", "seq": req["seq"] + 7, "results": []})
            continue
        if mode == "error":
            send({"op": "error", "seq": req["seq"], "message": "cannot convert"})
            continue
        if mode == "raise":
            send({"op": "decoded", "seq": req["seq"],
                  "results": [{"outcome": "raised", "error": "KeyError: 'x'"}]})
            continue
    results = []
    for text in req["events"]:
        try:
            v = json.loads(text)
            results.append({"outcome": "read", "event": v} if isinstance(v, dict)
                           else {"outcome": "rejected", "reason": "not an object"})
        except ValueError as e:
            results.append({"outcome": "rejected", "reason": str(e)})
    send({"op": "decoded", "seq": req["seq"], "results": results})
