# SPDX-License-Identifier: MIT
"""good_broadcasts.py with four realistic bugs, for the certification tests:
through adapters/python/cfc_adapter.py it must fail exactly the cases that
tests/test_certify.c lists (buggy_expected), and pass all the others.

Every broadcaster is good_broadcasts.py's; three of them hand their event
to a manager that alters it on the way out (so a failing manager still sees
the buggy event), and one is written again:
  1. broadcast_test_result stamps events with datetime.isoformat():
     "2025-11-08T14:30:45.123456+00:00", six fractional digits and an offset
     (T1, T3);
  2. broadcast_progress_update computes the percentage in floating point:
     50.0, not 50 (G5), and 28.999... for 29 of 100;
  3. broadcast_task_blocked forgets blocked_count (E task_blocked);
  4. broadcast_task_assigned catches only ConnectionError around
     manager.broadcast(), so any other failure escapes (Error Handling).
"""

import importlib.util
import os
from datetime import datetime, timezone

_spec = importlib.util.spec_from_file_location(
    "good_broadcasts", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "good_broadcasts.py"))
good = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(good)

__version__ = "0.9.0"
logger = good.logger
for _name in dir(good):
    if _name.startswith("broadcast_"):
        globals()[_name] = getattr(good, _name)


class _Altering:
    """A manager that changes each message before the real one gets it."""

    def __init__(self, manager, alter):
        self._manager = manager
        self._alter = alter

    async def broadcast(self, message):
        self._alter(message)
        await self._manager.broadcast(message)


def _isoformat_timestamp(message):
    # BUG 1: isoformat() has microseconds and +00:00.
    message["timestamp"] = datetime.now(timezone.utc).isoformat()


async def broadcast_test_result(manager, project_id, task_id, status, passed=0, failed=0, errors=0,
                                skipped=0, duration=0.0):
    await good.broadcast_test_result(_Altering(manager, _isoformat_timestamp), project_id, task_id,
                                     status, passed, failed, errors, skipped, duration)


async def broadcast_progress_update(manager, project_id, completed, total, percentage=None):
    def float_percentage(message):
        if percentage is None:  # BUG 2: a float
            message["percentage"] = completed / total * 100 if total else 0
    await good.broadcast_progress_update(_Altering(manager, float_percentage), project_id,
                                         completed, total, percentage)


async def broadcast_task_blocked(manager, project_id, task_id, blocked_by, task_title=None):
    def no_count(message):
        message.pop("blocked_count", None)  # BUG 3: no blocked_count
    await good.broadcast_task_blocked(_Altering(manager, no_count), project_id, task_id,
                                      blocked_by, task_title)


async def broadcast_task_assigned(manager, project_id, task_id, agent_id, task_title=None):
    try:
        m = {"type": "task_assigned", "project_id": good._id("project_id", project_id),
             "task_id": good._id("task_id", task_id),
             "agent_id": good._ident("agent_id", agent_id)}
        if task_title is not None:
            m["task_title"] = good._text("task_title", task_title)
    except good.Refused as e:
        logger.error(f"Refused to broadcast task_assigned: {e}")
        return
    m["timestamp"] = good._timestamp()
    try:
        await manager.broadcast(m)
    except ConnectionError as e:  # BUG 4: only ConnectionError is caught
        logger.error(f"Failed to broadcast task_assigned: {e}")
