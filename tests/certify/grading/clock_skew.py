# SPDX-License-Identifier: MIT
"""Well-formed timestamps at the wrong time. The catalogue allows 5000 ms
between the call and the event's timestamp (timestamp_tolerance_ms):
  - broadcast_task_unblocked stamps its events 60 s in the past (stale);
  - broadcast_agent_retired stamps them 60 s in the future;
  - broadcast_agent_created 3 s in the past and broadcast_task_assigned
    3 s in the future: within the tolerance, so they still pass.
"""

import importlib.util
import os
from datetime import datetime, timedelta, timezone

_spec = importlib.util.spec_from_file_location(
    "_base", os.path.join(os.path.dirname(os.path.abspath(__file__)), "_base.py"))
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)
good = _base.load_good()
_base.reexport(good, globals())

__version__ = "0.1.0"


def _skewed(seconds):
    def alter(message):
        t = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        message["timestamp"] = t.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return alter


async def broadcast_task_unblocked(manager, project_id, task_id, unblocked_by=None, task_title=None):
    await good.broadcast_task_unblocked(_base.Altering(manager, _skewed(-60)), project_id, task_id,
                                        unblocked_by, task_title)


async def broadcast_agent_retired(manager, project_id, agent_id, tasks_completed=0):
    await good.broadcast_agent_retired(_base.Altering(manager, _skewed(60)), project_id, agent_id,
                                       tasks_completed)


async def broadcast_agent_created(manager, project_id, agent_id, agent_type, tasks_completed=0):
    await good.broadcast_agent_created(_base.Altering(manager, _skewed(-3)), project_id, agent_id,
                                       agent_type, tasks_completed)


async def broadcast_task_assigned(manager, project_id, task_id, agent_id, task_title=None):
    await good.broadcast_task_assigned(_base.Altering(manager, _skewed(3)), project_id, task_id,
                                       agent_id, task_title)
