# SPDX-License-Identifier: MIT
"""Conforming but wrong values in valid fields:
  - broadcast_agent_created always says agent_type "backend" (a valid enum
    value, right only when the caller asked for a backend agent);
  - broadcast_task_assigned cuts task_title to 10 characters (a valid
    string, not the caller's).
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


async def broadcast_agent_created(manager, project_id, agent_id, agent_type, tasks_completed=0):
    def always_backend(message):
        message["agent_type"] = "backend"
    await good.broadcast_agent_created(_base.Altering(manager, always_backend), project_id,
                                       agent_id, agent_type, tasks_completed)


async def broadcast_task_assigned(manager, project_id, task_id, agent_id, task_title=None):
    def short_title(message):
        if "task_title" in message:
            message["task_title"] = message["task_title"][:10]
    await good.broadcast_task_assigned(_base.Altering(manager, short_title), project_id, task_id,
                                       agent_id, task_title)
