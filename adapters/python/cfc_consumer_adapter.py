#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cfc_consumer_adapter.py: the generic consumer adapter for Python.

Wraps any module that defines a ``decode`` function, so that ``cfconform
certify --consumer`` can certify it (docs/adapter-protocol.md, consumer
role)::

    cfconform certify --consumer --adapter 'python3 adapters/python/cfc_consumer_adapter.py my_decoder.py'

The module defines

- ``decode(text, state)``: returns a dict in the contract's field names, what
  the consumer read (a field it did not read is absent; ``None`` means "no
  value"), or ``None``: it rejected the event. ``text`` is one event as the
  WebSocket delivered it (a str); ``state`` is a dict shared by the events of
  one request (a stream case) and fresh for the next.
- ``Rejected`` (optional): an exception class; raising it is a rejection with
  its message as the reason. Any other exception is a crash of the consumer.
- ``NAME``, ``__version__`` (optional): what the adapter reports (default: the
  file name and "0"); ``--name`` and ``--impl-version`` override them.

A client library usually returns its own model (dataclasses, enums): the
module's ``decode`` maps it back to contract names -- the adapter author's
one job. Standard library only. Nothing the module prints reaches the
protocol: the protocol has a private copy of stdout, fd 1 is stderr.
"""

import importlib.util
import json
import os
import platform
import sys


def load_module(path):
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    spec = importlib.util.spec_from_file_location(
        os.path.splitext(os.path.basename(path))[0], path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def decode_all(module, events):
    rejected = getattr(module, "Rejected", None)
    state = {}
    results = []
    for text in events:
        try:
            read = module.decode(text, state)
        except BaseException as e:  # noqa: BLE001 -- what escapes is the verdict
            if isinstance(e, KeyboardInterrupt):
                raise
            if isinstance(rejected, type) and isinstance(e, rejected):
                results.append({"outcome": "rejected", "reason": str(e)})
                continue
            results.append({"outcome": "raised", "error": f"{type(e).__name__}: {e}"})
            break  # the consumer is gone: nothing after a crash is read
        if read is None:
            results.append({"outcome": "rejected", "reason": "decode returned None"})
        elif not isinstance(read, dict):
            results.append({"outcome": "raised",
                            "error": f"decode returned {type(read).__name__}, not a dict"})
            break
        else:
            results.append({"outcome": "read", "event": read})
    return results


def main(argv):
    sys.dont_write_bytecode = True
    args = list(argv[1:])
    name = version = None
    path = None
    while args:
        a = args.pop(0)
        if a == "--name" and args:
            name = args.pop(0)
        elif a == "--impl-version" and args:
            version = args.pop(0)
        elif path is None and not a.startswith("--"):
            path = a
        else:
            print(f"cfc_consumer_adapter.py: unexpected argument {a}", file=sys.stderr)
            return 2
    if path is None:
        print("usage: cfc_consumer_adapter.py [--name NAME] [--impl-version V] MODULE.py",
              file=sys.stderr)
        return 2
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    module = load_module(path)
    if not callable(getattr(module, "decode", None)):
        print(f"cfc_consumer_adapter.py: {path} defines no decode function", file=sys.stderr)
        return 2
    name = name or getattr(module, "NAME", None) or os.path.basename(path)
    version = version or getattr(module, "__version__", None) or "0"

    def send(obj):
        # allow_nan=False: a NaN read is not JSON; it fails here, as an error.
        text = json.dumps(obj, ensure_ascii=False, allow_nan=False) + "\n"
        try:
            out.write(text)
        except UnicodeEncodeError:
            # A lone surrogate the consumer kept (from a "\ud800" escape):
            # UTF-8 cannot carry it; the \u escape can, and cfconform sees it.
            out.write(json.dumps(obj, allow_nan=False) + "\n")
        out.flush()

    for line in sys.stdin:
        try:
            req = json.loads(line)
        except ValueError:
            send({"op": "error", "seq": 0, "message": "invalid request: not JSON"})
            continue
        op = req.get("op") if isinstance(req, dict) else None
        if op == "start":
            send({"op": "hello", "protocol": 1, "role": "consumer",
                  "implementation": {"name": str(name),
                                     "language": f"Python {platform.python_version()}",
                                     "version": str(version)}})
        elif op == "decode" and isinstance(req.get("events"), list):
            results = decode_all(module, req["events"])
            try:
                send({"op": "decoded", "seq": req.get("seq"), "results": results})
            except (TypeError, ValueError) as e:
                send({"op": "error", "seq": req.get("seq"),
                      "message": f"cannot write what was read: {type(e).__name__}: {e}"})
        elif op == "stop":
            break
        else:
            send({"op": "error", "seq": req.get("seq", 0) if isinstance(req, dict) else 0,
                  "message": f"unknown request {op!r}"})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
