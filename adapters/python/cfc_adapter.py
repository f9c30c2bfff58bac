#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cfc_adapter.py: the generic adapter for Python broadcasters.

Wraps any module written to the contract's signatures -- async
``broadcast_*(manager, ...)`` functions, as in
docs/websocket-event-contracts.md -- so that ``cfconform certify`` can certify
it (docs/adapter-protocol.md)::

    cfconform certify --adapter 'python3 adapters/python/cfc_adapter.py path/to/broadcasts.py'
    cfconform certify --adapter 'python3 adapters/python/cfc_adapter.py pkg.broadcasts --path src'

Standard library only (asyncio for the async functions). For each call the
module's function gets a connection manager with exactly the contract's
interface, ``broadcast(message)`` (any other call fails as it would against
a manager written to the contract, and is reported as a misuse), which
records the exact text the real manager would send -- a dict is serialised
the way Starlette's ``WebSocket.send_json`` does, ``json.dumps(message,
separators=(",", ":"), ensure_ascii=False)``; a str is sent as it is -- and,
when the call asks for a fault, then fails: ``"fail"`` raises
``ConnectionError`` (a closed socket), ``"raise"`` raises ``RuntimeError``
(anything else going wrong). Log records of every logger are captured for
the call. The outcome is ``returned`` or ``raised``; a Python broadcaster has
no explicit refusal (one that declines its arguments logs and returns
without sending).

MODULE is a file or a dotted module name (``mypackage.broadcasts``, imported
with the working directory and ``--path DIR`` on sys.path, so packages with
relative imports load). ``--name NAME`` and ``--impl-version VERSION``
override what the adapter reports (default: the name and version of the
installed distribution providing the module, where there is one; else the
module's name and its ``__version__``). A module that cannot be imported
ends the adapter with status 2 and the exception on stderr.

Nothing the module prints can corrupt the protocol: the protocol goes to a
private copy of stdout, and fd 1 is pointed at stderr before the module is
imported.
"""

import asyncio
import base64
import importlib.util
import inspect
import json
import logging
import os
import sys

PROTOCOL = 1
MAX_LOG_RECORDS = 200


def broadcast(message):
    """The contract's signature ("Connection Manager Interface"): exactly one
    argument. Called with what the producer passed, so that a call any
    other way fails with Python's own words, "broadcast() got an unexpected
    keyword argument 'project_id'"."""
    return message


class ConnectionManager:
    """A manager with exactly the contract's interface, ``async def
    broadcast(self, message)`` (rule C1), that records what it is asked to
    send.

    Any other call fails as it would against a manager written to the
    contract (a TypeError for other arguments, an AttributeError for another
    method) and is recorded as a misuse, which cfconform grades FAIL: the
    producer's real manager may accept more, but a producer written to the
    contract must not rely on it.
    """

    __slots__ = ("_fault", "_sent", "_misuse", "_missing")

    def __init__(self, fault):
        self._fault = fault
        self._sent = []
        self._misuse = []   # wrong calls of broadcast
        self._missing = []  # lookups of methods the contract's manager lacks

    def broadcast(self, *args, **kwargs):
        try:
            message = broadcast(*args, **kwargs)
        except TypeError as e:
            self._misuse.append(str(e))
            raise
        return self._broadcast(message)

    async def _broadcast(self, message):
        if isinstance(message, (bytes, bytearray)):
            self._sent.append(bytes(message))
        elif isinstance(message, str):
            self._sent.append(message)
        else:
            # What Starlette's send_json puts on the wire. A value json cannot
            # serialise raises here, as it would in the real manager.
            self._sent.append(json.dumps(message, separators=(",", ":"), ensure_ascii=False))
        if self._fault == "fail":
            raise ConnectionError("injected fault: the WebSocket connection is closed")
        if self._fault == "raise":
            raise RuntimeError("injected fault: the connection manager failed")

    def __getattr__(self, name):
        # Only names that are not attributes arrive here (send_json, ...).
        if not name.startswith("__"):
            self._missing.append(f"'ConnectionManager' object has no attribute '{name}'")
        raise AttributeError(f"'ConnectionManager' object has no attribute '{name}'")

    def misuse(self):
        """What the producer did outside the contract's interface. A lookup
        of another method counts only when nothing was sent: a producer that
        probes with hasattr() and then calls broadcast(message) is correct."""
        return self._misuse + (self._missing if not self._sent else [])


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        if len(self.records) >= MAX_LOG_RECORDS:
            return
        try:
            message = record.getMessage()
        except Exception as e:  # a bad format string in the module's log call
            message = f"{record.msg!r} (unformattable: {e})"
        self.records.append({"level": record.levelname, "message": message})


def sent_item(text):
    """A sent text as the protocol carries it: a JSON string, or base64 for
    bytes that are not UTF-8 (and str holding lone surrogates)."""
    if isinstance(text, str):
        try:
            text.encode("utf-8")
            return text
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
    else:
        raw = text
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return {"base64": base64.b64encode(raw).decode("ascii")}


def load_module(spec, search_path=None):
    """A module from a file (``path/to/broadcasts.py``) or a dotted name
    (``mypackage.broadcasts``, imported as a package's module, so relative
    imports work), with the working directory and ``--path`` on sys.path."""
    for directory in (search_path, os.getcwd()):
        if directory and os.path.abspath(directory) not in sys.path:
            sys.path.insert(0, os.path.abspath(directory))
    if spec.endswith(".py") or os.sep in spec or os.path.isfile(spec):
        path = os.path.abspath(spec)
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = os.path.splitext(os.path.basename(path))[0]
        spec_ = importlib.util.spec_from_file_location(name, path)
        if spec_ is None or spec_.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec_)
        sys.modules[spec_.name] = module
        spec_.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def metadata_of(module):
    """(name, version) of the installed distribution that provides the
    module's top-level package, or (None, None)."""
    try:
        import importlib.metadata as md
        top = module.__name__.split(".")[0]
        dists = md.packages_distributions().get(top) or []
        for dist in dists:
            meta = md.metadata(dist)
            return meta.get("Name") or dist, md.version(dist)
    except Exception:  # noqa: BLE001 -- metadata is a nicety, never a failure
        pass
    return None, None


class Adapter:
    def __init__(self, module, name, version, out):
        self.module = module
        self.name = name
        self.version = version
        self.out = out
        self.loop = asyncio.new_event_loop()
        self.functions = {}

    def send(self, obj):
        self.out.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.out.flush()

    def start(self, req):
        names = req.get("broadcasters") or []
        for name in names:
            fn = getattr(self.module, name, None)
            if callable(fn):
                self.functions[name] = fn
        self.send({
            "op": "hello",
            "protocol": PROTOCOL,
            "implementation": {
                "name": self.name,
                "language": "Python %d.%d" % sys.version_info[:2],
                "version": self.version,
            },
            "broadcasters": [n for n in names if n in self.functions],
        })

    def run(self, fn, manager, args):
        result = fn(manager, **args)
        if inspect.isawaitable(result):
            self.loop.run_until_complete(result)
        # Broadcasts scheduled and not awaited (asyncio.create_task) still
        # count: let them run, briefly.
        pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        if pending:
            self.loop.run_until_complete(asyncio.wait(pending, timeout=1.0))

    def call(self, req):
        seq = req.get("seq")
        name = req.get("broadcaster")
        args = req.get("args")
        if not isinstance(seq, int) or not isinstance(name, str) or not isinstance(args, dict):
            self.send({"op": "error", "seq": seq if isinstance(seq, int) else 0,
                       "message": "a call needs seq, broadcaster and args"})
            return
        fn = self.functions.get(name)
        if fn is None:
            self.send({"op": "result", "seq": seq, "outcome": "unimplemented", "sent": [], "logs": []})
            return
        manager = ConnectionManager(req.get("fault"))
        capture = Capture()
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(capture)
        root.setLevel(logging.DEBUG)
        outcome, error = "returned", None
        try:
            self.run(fn, manager, args)
        except BaseException as e:  # noqa: BLE001 -- whatever escapes is the verdict
            if isinstance(e, KeyboardInterrupt):
                raise
            outcome, error = "raised", f"{type(e).__name__}: {e}"
        finally:
            root.removeHandler(capture)
            root.setLevel(old_level)
        reply = {"op": "result", "seq": seq, "outcome": outcome,
                 "sent": [sent_item(t) for t in manager._sent], "logs": capture.records}
        misuse = manager.misuse()
        if misuse:
            reply["misuse"] = misuse
        if error is not None:
            reply["error"] = error
        self.send(reply)

    def serve(self, stdin):
        for line in stdin:
            try:
                req = json.loads(line)
            except ValueError:
                self.send({"op": "error", "seq": 0, "message": "not JSON"})
                continue
            op = req.get("op") if isinstance(req, dict) else None
            if op == "start":
                self.start(req)
            elif op == "call":
                self.call(req)
            elif op == "stop":
                break
            else:
                self.send({"op": "error", "seq": req.get("seq", 0) if isinstance(req, dict) else 0,
                           "message": f"unknown op {op!r}"})


def main(argv):
    sys.dont_write_bytecode = True  # leave no __pycache__ beside the module
    args = list(argv[1:])
    opts = {"--name": None, "--impl-version": None, "--path": None}
    for flag in opts:
        if flag in args:
            i = args.index(flag)
            if i + 1 >= len(args):
                print(f"cfc_adapter.py: {flag} needs a value", file=sys.stderr)
                return 2
            opts[flag] = args[i + 1]
            del args[i:i + 2]
    if len(args) != 1:
        print("usage: cfc_adapter.py MODULE.py|dotted.module [--path DIR] [--name NAME] "
              "[--impl-version VERSION]", file=sys.stderr)
        return 2
    # The protocol gets a private copy of stdout; fd 1 becomes stderr, so a
    # print() in the module lands in the log, not in the protocol.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        module = load_module(args[0], opts["--path"])
    except BaseException as e:  # noqa: BLE001 -- SystemExit at import too
        print(f"cfc_adapter.py: cannot import {args[0]}: {type(e).__name__}: {e}", file=sys.stderr)
        sys.stderr.flush()
        # Exit at once: cfconform sees the end of our output and reports how
        # we exited (status 2) with this message, not an interpreter that
        # was still tearing down and had to be killed.
        os._exit(2)
    dist_name, dist_version = metadata_of(module)
    name = opts["--name"] or dist_name or (
        os.path.splitext(os.path.basename(args[0]))[0] if args[0].endswith(".py")
        else module.__name__)
    version = opts["--impl-version"] or dist_version or str(getattr(module, "__version__", "unknown"))
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", newline="\n", closefd=False)
    Adapter(module, name, version, out).serve(stdin)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
