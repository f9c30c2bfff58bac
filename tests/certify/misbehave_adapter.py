#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An adapter that misbehaves on purpose, for tests/test_certify.c.

    misbehave_adapter.py [BROADCASTER=BEHAVIOUR ...] [--hide BROADCASTER] [--on-start BEHAVIOUR]

Wraps tests/certify/good_broadcasts.py with adapters/python/cfc_adapter.py,
except that every call of BROADCASTER does BEHAVIOUR instead of answering:

    crash      exits with status 3 (after a line on stderr)
    segv       kills itself with SIGSEGV
    hang       sleeps for an hour (the certifier's timeout must kill it)
    garbage    answers a line that is not JSON
    wrongseq   answers for another call (out of sequence)
    error      answers {"op":"error"}: it cannot make this call
    noisy      writes 256 kB to stderr, then answers normally
    close      closes its stdout and keeps running (no answer, ever)
    unimpl     answers the outcome "unimplemented"

--hide leaves BROADCASTER out of the hello; --on-start applies crash, hang
or garbage to the start request instead. --backwards-clock makes the module's
clock start 2 s ahead and go back 1 s at every event: each timestamp is
within the catalogue's tolerance, but a stream of them goes backwards (S6).
"""

import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "adapters", "python"))

import cfc_adapter  # noqa: E402


class Misbehaving(cfc_adapter.Adapter):
    def __init__(self, rules, hidden, on_start, *args):
        super().__init__(*args)
        self.rules = rules
        self.hidden = hidden
        self.on_start = on_start

    def misbehave(self, what, seq):
        if what == "crash":
            print("misbehave: crashing on purpose", file=sys.stderr, flush=True)
            os._exit(3)
        if what == "segv":
            os.kill(os.getpid(), signal.SIGSEGV)
        if what == "hang":
            time.sleep(3600)
        if what == "garbage":
            self.out.write("this is not JSON\n")
            self.out.flush()
        if what == "wrongseq":
            self.send({"op": "result", "seq": seq + 1000, "outcome": "returned", "sent": [], "logs": []})
        if what == "close":
            self.out.close()
            time.sleep(3600)

    def start(self, req):
        if self.on_start:
            self.misbehave(self.on_start, 0)
            return
        req = dict(req)
        req["broadcasters"] = [b for b in req.get("broadcasters", []) if b not in self.hidden]
        super().start(req)

    def call(self, req):
        what = self.rules.get(req.get("broadcaster"))
        seq = req.get("seq", 0)
        if what == "error":
            self.send({"op": "error", "seq": seq, "message": "cannot convert the arguments"})
        elif what == "unimpl":
            self.send({"op": "result", "seq": seq, "outcome": "unimplemented"})
        elif what == "noisy":
            sys.stderr.write("x" * 262144 + "\n")
            sys.stderr.flush()
            super().call(req)
        elif what:
            self.misbehave(what, seq)
        else:
            super().call(req)


def main(argv):
    rules, hidden, on_start, backwards = {}, set(), None, False
    args = argv[1:]
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--hide":
            hidden.add(args[i + 1])
            i += 2
        elif a == "--backwards-clock":
            backwards = True
            i += 1
        elif a == "--on-start":
            on_start = args[i + 1]
            i += 2
        else:
            name, _, what = a.partition("=")
            rules[name] = what
            i += 1
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    module = cfc_adapter.load_module(os.path.join(HERE, "good_broadcasts.py"))
    if backwards:
        from datetime import datetime, timedelta, timezone
        start = datetime.now(timezone.utc) + timedelta(seconds=2)
        ticks = iter(range(10**6))

        def clock():
            t = start - timedelta(seconds=next(ticks))
            return t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        module._timestamp = clock
    adapter = Misbehaving(rules, hidden, on_start, module, "misbehave", "0", out)
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", newline="\n", closefd=False)
    adapter.serve(stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
