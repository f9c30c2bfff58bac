# SPDX-License-Identifier: MIT
"""One event too many, or too few, each one conforming:
  - broadcast_task_status sends its event twice;
  - broadcast_activity_update sends nothing and logs nothing;
  - broadcast_agent_retired, given a negative tasks_completed (which it
    should refuse, or send one conforming event for), sends two events
    with tasks_completed 0.
"""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "_base", os.path.join(os.path.dirname(os.path.abspath(__file__)), "_base.py"))
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
good = _base.load_good()
_base.reexport(good, globals())

__version__ = "0.1.0"


class _Twice:
    def __init__(self, manager):
        self._manager = manager

    async def broadcast(self, message):
        await self._manager.broadcast(dict(message))
        await self._manager.broadcast(dict(message))


async def broadcast_task_status(manager, project_id, task_id, status, agent_id=None, progress=None):
    await good.broadcast_task_status(_Twice(manager), project_id, task_id, status, agent_id,
                                     progress)


async def broadcast_activity_update(manager, project_id, activity_type, agent_id, message_text,
                                    task_id=None):
    return None


async def broadcast_agent_retired(manager, project_id, agent_id, tasks_completed=0):
    if isinstance(tasks_completed, int) and tasks_completed < 0:
        tasks_completed = 0
        manager = _Twice(manager)
    await good.broadcast_agent_retired(manager, project_id, agent_id, tasks_completed)
