#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""An adapter that refuses explicitly, as a C library returning
CFC_REFUSED does (docs/adapter-protocol.md: the outcome "refused"):

    refusing_adapter.py BROADCASTER [BROADCASTER ...]

Wraps tests/certify/good_broadcasts.py with adapters/python/cfc_adapter.py,
except that every call of a listed BROADCASTER is answered with the
outcome "refused", nothing sent and an ERROR log line, whatever its
arguments: valid calls refused must FAIL, impossible ones refused PASS.
"""

import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "adapters", "python"))

import cfc_adapter  # noqa: E402


class Refusing(cfc_adapter.Adapter):
    def __init__(self, refused, *args):
        super().__init__(*args)
        self.refused = refused

    def call(self, req):
        name = req.get("broadcaster")
        if name in self.refused:
            self.send({"op": "result", "seq": req.get("seq", 0), "outcome": "refused",
                       "status": "REFUSED", "sent": [],
                       "logs": [{"level": "ERROR", "message": f"Refused to broadcast via {name}"}]})
        else:
            super().call(req)


def main(argv):
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    module = cfc_adapter.load_module(os.path.join(HERE, "..", "good_broadcasts.py"))
    adapter = Refusing(set(argv[1:]), module, "refusing", "0", out)
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", newline="\n", closefd=False)
    adapter.serve(stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
