# SPDX-License-Identifier: MIT
"""The right event for the wrong call, each one conforming:
  - broadcast_agent_retired sends an agent_status_changed "offline" event
    (what another broadcaster sends), not agent_retired;
  - broadcast_task_unblocked, asked for a task unblocked by itself (which
    it should refuse, or send one conforming task_unblocked for), sends a
    task_blocked event.
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


async def broadcast_agent_retired(manager, project_id, agent_id, tasks_completed=0):
    await good.broadcast_agent_status(manager, project_id, agent_id, "offline")


async def broadcast_task_unblocked(manager, project_id, task_id, unblocked_by=None, task_title=None):
    if unblocked_by is not None and unblocked_by == task_id:
        await good.broadcast_task_blocked(manager, project_id, task_id, [task_id + 1])
        return
    await good.broadcast_task_unblocked(manager, project_id, task_id, unblocked_by, task_title)
