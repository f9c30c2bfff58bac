# SPDX-License-Identifier: MIT
"""good_broadcasts.py calling the manager as CodeFRAME's own module does,
``await manager.broadcast(message, project_id=...)``, for the certification
tests (rule C1): the contract's manager has exactly ``broadcast(message)``,
so against it every call raises inside the producer's try/except and nothing
is ever sent. Through adapters/python/cfc_adapter.py it must not certify,
and its cases must say "broadcast() got an unexpected keyword argument
'project_id'".
"""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "good_broadcasts", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "good_broadcasts.py"))
good = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(good)

__version__ = "1.0.0-project-id"


class _WithProjectId:
    """Hands every message on with the extra keyword argument."""

    def __init__(self, manager):
        self._manager = manager

    async def broadcast(self, message):
        await self._manager.broadcast(message, project_id=message.get("project_id"))


def _wrap(fn):
    async def wrapped(manager, *args, **kwargs):
        await fn(_WithProjectId(manager), *args, **kwargs)
    wrapped.__name__ = fn.__name__
    return wrapped


for _name in dir(good):
    if _name.startswith("broadcast_"):
        globals()[_name] = _wrap(getattr(good, _name))
