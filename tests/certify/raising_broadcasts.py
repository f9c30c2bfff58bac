# SPDX-License-Identifier: MIT
"""good_broadcasts.py that raises instead of refusing, for the certification
tests (rule C2): a broadcaster never raises, whatever its arguments. Each
broadcaster validates its arguments with ``raise ValueError(...)`` before
building the event (the common Python habit), and lets what the manager
raises escape: here, the good module's ERROR log lines (its refusals and
its failed broadcasts) become a raised ValueError. Every case with bad arguments, and every failing manager,
must be FAIL; cases with valid arguments and a working manager PASS.
"""

import importlib.util
import inspect
import logging
import os

_spec = importlib.util.spec_from_file_location(
    "good_broadcasts", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "good_broadcasts.py"))
good = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(good)

__version__ = "1.0.0-raising"


class _Raising(logging.Handler):
    """Turns the good module's refusal (an ERROR log line) into a raise."""

    def emit(self, record):
        if record.levelno >= logging.ERROR:
            raise ValueError(record.getMessage())

    def handleError(self, record):  # let emit's exception out
        raise


def _wrap(fn):
    async def wrapped(manager, *args, **kwargs):
        handler = _Raising()
        good.logger.addHandler(handler)
        try:
            await fn(manager, *args, **kwargs)
        finally:
            good.logger.removeHandler(handler)
    wrapped.__name__ = fn.__name__
    wrapped.__signature__ = inspect.signature(fn)
    return wrapped


for _name in dir(good):
    if _name.startswith("broadcast_"):
        globals()[_name] = _wrap(getattr(good, _name))
