# SPDX-License-Identifier: MIT
"""What the grading modules share: tests/certify/good_broadcasts.py, loaded
by path (adapters load modules by path, so no package import), and a
manager that alters each message before the real one gets it.

Each module in this folder is good_broadcasts.py with one broadcaster (or
two) made conforming but wrong: every event it sends passes the checker,
so only the grader (conformance/certify/certify_verdict.c) can fail it.
tests/test_grading.c runs each through adapters/python/cfc_adapter.py on a
few cases and checks the verdicts and the reasons.
"""

import importlib.util
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def load_good():
    spec = importlib.util.spec_from_file_location(
        "good_broadcasts", os.path.join(_HERE, "..", "good_broadcasts.py"))
    good = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(good)
    return good


def reexport(good, namespace):
    """Every broadcaster of the good module, into a grading module."""
    for name in dir(good):
        if name.startswith("broadcast_"):
            namespace[name] = getattr(good, name)
    namespace["logger"] = good.logger


class Altering:
    """A manager that changes each message before the real one gets it."""

    def __init__(self, manager, alter):
        self._manager = manager
        self._alter = alter

    async def broadcast(self, message):
        self._alter(message)
        await self._manager.broadcast(message)
