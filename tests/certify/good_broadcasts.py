# SPDX-License-Identifier: MIT
"""A correct Python implementation of the contract's broadcasters, for the
certification tests: it must certify at 100% PASS through
adapters/python/cfc_adapter.py.

Written the way the contract describes (docs/websocket-event-contracts.md):
async functions taking the manager first, try/except around
manager.broadcast(), errors logged at ERROR, never raising. Arguments that
cannot make a conforming event are refused: logged at ERROR, nothing sent.
"""

import logging
import math
from datetime import datetime, timezone

__version__ = "1.0.0"

logger = logging.getLogger("good_broadcasts")

MAX_SAFE = 2**53 - 1
AGENT_TYPES = ("backend", "frontend", "test")
AGENT_STATUSES = ("idle", "working", "blocked", "offline")
TASK_STATUSES = ("pending", "in_progress", "completed", "failed", "blocked")
TEST_STATUSES = ("passed", "failed", "error", "timeout", "no_tests")
CORRECTION_STATUSES = ("in_progress", "success", "failed")


class Refused(ValueError):
    pass


def _timestamp():
    # YYYY-MM-DDTHH:MM:SS.fffZ: milliseconds, UTC, a Z.
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_SAFE:
        raise Refused(f"{name} must be an integer in {low}..{MAX_SAFE}, not {value!r}")
    return value


def _id(name, value):
    return _int(name, value, 1)


def _count(name, value):
    return _int(name, value, 0)


def _percent(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Refused(f"{name} must be an integer in 0..100, not {value!r}")
    return value


def _ident(name, value):
    if not isinstance(value, str) or value == "":
        raise Refused(f"{name} must be a non-empty string, not {value!r}")
    return value


def _text(name, value):
    if not isinstance(value, str):
        raise Refused(f"{name} must be a string, not {value!r}")
    return value


def _enum(name, value, allowed):
    if value not in allowed:
        raise Refused(f"{name} {value!r} is not one of {', '.join(allowed)}")
    return value


async def _send(manager, event_type, build):
    try:
        message = build()
    except Refused as e:
        logger.error(f"Refused to broadcast {event_type}: {e}")
        return
    message["timestamp"] = _timestamp()
    try:
        await manager.broadcast(message)
        logger.debug(f"Broadcast {event_type}")
    except Exception as e:
        logger.error(f"Failed to broadcast {event_type}: {e}")


async def broadcast_agent_created(manager, project_id, agent_id, agent_type, tasks_completed=0):
    def build():
        if tasks_completed != 0:
            raise Refused("tasks_completed is always 0 on creation")
        return {"type": "agent_created", "project_id": _id("project_id", project_id),
                "agent_id": _ident("agent_id", agent_id),
                "agent_type": _enum("agent_type", agent_type, AGENT_TYPES),
                "status": "idle", "tasks_completed": 0}
    await _send(manager, "agent_created", build)


async def broadcast_agent_retired(manager, project_id, agent_id, tasks_completed=0):
    def build():
        return {"type": "agent_retired", "project_id": _id("project_id", project_id),
                "agent_id": _ident("agent_id", agent_id),
                "tasks_completed": _count("tasks_completed", tasks_completed)}
    await _send(manager, "agent_retired", build)


async def broadcast_agent_status(manager, project_id, agent_id, status, current_task_id=None,
                                 current_task_title=None, progress=None):
    def build():
        m = {"type": "agent_status_changed", "project_id": _id("project_id", project_id),
             "agent_id": _ident("agent_id", agent_id),
             "status": _enum("status", status, AGENT_STATUSES)}
        if current_task_id is not None or current_task_title is not None:
            if current_task_id is None or current_task_title is None:
                raise Refused("current_task needs both current_task_id and current_task_title")
            if status != "working":
                raise Refused("current_task is only sent while working")
            m["current_task"] = {"id": _id("current_task_id", current_task_id),
                                 "title": _text("current_task_title", current_task_title)}
        if progress is not None:
            m["progress"] = _percent("progress", progress)
        return m
    await _send(manager, "agent_status_changed", build)


async def broadcast_task_assigned(manager, project_id, task_id, agent_id, task_title=None):
    def build():
        m = {"type": "task_assigned", "project_id": _id("project_id", project_id),
             "task_id": _id("task_id", task_id), "agent_id": _ident("agent_id", agent_id)}
        if task_title is not None:
            m["task_title"] = _text("task_title", task_title)
        return m
    await _send(manager, "task_assigned", build)


async def broadcast_task_status(manager, project_id, task_id, status, agent_id=None, progress=None):
    def build():
        m = {"type": "task_status_changed", "project_id": _id("project_id", project_id),
             "task_id": _id("task_id", task_id), "status": _enum("status", status, TASK_STATUSES)}
        if agent_id is not None:
            m["agent_id"] = _ident("agent_id", agent_id)
        if progress is not None:
            m["progress"] = _percent("progress", progress)
            if status == "completed" and progress != 100:
                raise Refused("a completed task has progress 100")
            if status == "pending" and progress > 0:
                raise Refused("a pending task has progress 0")
        return m
    await _send(manager, "task_status_changed", build)


async def broadcast_task_blocked(manager, project_id, task_id, blocked_by, task_title=None):
    def build():
        tid = _id("task_id", task_id)
        if not isinstance(blocked_by, list) or not blocked_by:
            raise Refused("blocked_by must be a non-empty list")
        ids = [_id("blocked_by item", b) for b in blocked_by]
        if len(set(ids)) != len(ids):
            raise Refused("blocked_by lists a task twice")
        if tid in ids:
            raise Refused("a task cannot block itself")
        m = {"type": "task_blocked", "project_id": _id("project_id", project_id), "task_id": tid,
             "blocked_by": ids, "blocked_count": len(ids)}
        if task_title is not None:
            m["task_title"] = _text("task_title", task_title)
        return m
    await _send(manager, "task_blocked", build)


async def broadcast_task_unblocked(manager, project_id, task_id, unblocked_by=None, task_title=None):
    def build():
        m = {"type": "task_unblocked", "project_id": _id("project_id", project_id),
             "task_id": _id("task_id", task_id)}
        if unblocked_by is not None:
            if unblocked_by == task_id:
                raise Refused("a task cannot unblock itself")
            m["unblocked_by"] = _id("unblocked_by", unblocked_by)
        if task_title is not None:
            m["task_title"] = _text("task_title", task_title)
        return m
    await _send(manager, "task_unblocked", build)


async def broadcast_test_result(manager, project_id, task_id, status, passed=0, failed=0, errors=0,
                                skipped=0, duration=0.0):
    def build():
        m = {"type": "test_result", "project_id": _id("project_id", project_id),
             "task_id": _id("task_id", task_id), "status": _enum("status", status, TEST_STATUSES),
             "passed": _count("passed", passed), "failed": _count("failed", failed),
             "errors": _count("errors", errors), "skipped": _count("skipped", skipped)}
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) \
                or not math.isfinite(duration) or duration < 0:
            raise Refused(f"duration must be a finite number >= 0, not {duration!r}")
        m["duration"] = float(duration)
        if status == "passed" and failed + errors > 0:
            raise Refused("a passed run has no failures")
        if status == "failed" and failed + errors == 0:
            raise Refused("a failed run has failures")
        if status == "no_tests" and passed + failed + errors > 0:
            raise Refused("no_tests means no tests ran")
        return m
    await _send(manager, "test_result", build)


async def broadcast_activity_update(manager, project_id, activity_type, agent_id, message_text,
                                    task_id=None):
    def build():
        m = {"type": "activity_update", "project_id": _id("project_id", project_id),
             "activity_type": _ident("activity_type", activity_type),
             "message": _ident("message_text", message_text)}
        if task_id is not None:
            m["task_id"] = _id("task_id", task_id)
        if agent_id is not None:  # the schema makes it optional: absent, never null
            m["agent_id"] = _ident("agent_id", agent_id)
        return m
    await _send(manager, "activity_update", build)


async def broadcast_correction_attempt(manager, project_id, task_id, attempt_number, max_attempts,
                                       status, error_summary=None):
    def build():
        m = {"type": "correction_attempt", "project_id": _id("project_id", project_id),
             "task_id": _id("task_id", task_id),
             "attempt_number": _int("attempt_number", attempt_number, 1),
             "max_attempts": _int("max_attempts", max_attempts, 1),
             "status": _enum("status", status, CORRECTION_STATUSES)}
        if attempt_number > max_attempts:
            raise Refused("attempt_number is greater than max_attempts")
        if error_summary is not None:
            if status != "failed":
                raise Refused("only a failed attempt has an error_summary")
            m["error_summary"] = _text("error_summary", error_summary)
        return m
    await _send(manager, "correction_attempt", build)


async def broadcast_progress_update(manager, project_id, completed, total, percentage=None):
    def build():
        c, t = _count("completed", completed), _count("total", total)
        if c > t:
            raise Refused("completed is greater than total")
        floor = c * 100 // t if t else 0
        rounded = (c * 200 + t) // (2 * t) if t else 0
        if percentage is None:
            pct = floor
        else:
            pct = _percent("percentage", percentage)
            if pct not in (floor, rounded):
                raise Refused(f"percentage {pct} does not match {c}/{t}")
        return {"type": "progress_update", "project_id": _id("project_id", project_id),
                "completed": c, "total": t, "percentage": pct}
    await _send(manager, "progress_update", build)
