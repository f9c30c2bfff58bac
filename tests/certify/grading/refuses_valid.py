# SPDX-License-Identifier: MIT
"""A valid call refused: broadcast_agent_retired declines any
tasks_completed above 0 the way good_broadcasts.py declines impossible
arguments (an ERROR log line, nothing sent), although the contract allows
it. Through the Python adapter a refusal is a return with nothing sent.
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
    if isinstance(tasks_completed, int) and tasks_completed > 0:
        good.logger.error("Refused to broadcast agent_retired: tasks_completed must be 0")
        return
    await good.broadcast_agent_retired(manager, project_id, agent_id, tasks_completed)
