# SPDX-License-Identifier: MIT
"""A client library's decoder for the CodeFRAME events, written for the
consumer certification tests the way a Python client is written: a wire
schema that validates each message, a mapper into the library's own model
(an ``Event`` with renamed attributes), and -- the adapter author's part --
the mapping of that model back to the contract's field names
(``to_contract``).

It reads every field of every event exactly and rejects every
non-conforming event, so it must PASS every case. drifted_consumer.py reuses
it and changes only its faults.
"""

import json
import math
import re

NAME = "good-client-decoder"
__version__ = "1.0.0"

MAX_EVENT_BYTES = 1048576  # G12
MAX_DEPTH = 64  # G12: the event object is depth 1
MAX_SAFE = 2**53 - 1


class Rejected(ValueError):
    """The event does not conform: the library flags it and reads nothing."""


AGENT_TYPES = ["backend", "frontend", "test"]
AGENT_STATUSES = ["idle", "working", "blocked", "offline"]
TASK_STATUSES = ["pending", "in_progress", "completed", "failed", "blocked"]
TEST_STATUSES = ["passed", "failed", "error", "timeout", "no_tests"]
CORRECTION_STATUSES = ["in_progress", "success", "failed"]


def req(name, kind, extra=None):
    return (name, kind, True, extra)


def opt(name, kind, extra=None):
    return (name, kind, False, extra)


CURRENT_TASK = [req("id", "id"), req("title", "string")]
SCHEMA = {
    "agent_created": [req("agent_id", "ident"), req("agent_type", "enum", AGENT_TYPES),
                      req("status", "enum", ["idle"]), req("tasks_completed", "count")],
    "agent_retired": [req("agent_id", "ident"), req("tasks_completed", "count")],
    "agent_status_changed": [req("agent_id", "ident"), req("status", "enum", AGENT_STATUSES),
                             opt("current_task", "object", CURRENT_TASK),
                             opt("progress", "percent")],
    "task_assigned": [req("task_id", "id"), req("agent_id", "ident"), opt("task_title", "string")],
    "task_status_changed": [req("task_id", "id"), req("status", "enum", TASK_STATUSES),
                            opt("agent_id", "ident"), opt("progress", "percent")],
    "task_blocked": [req("task_id", "id"), req("blocked_by", "ids"),
                     req("blocked_count", "count"), opt("task_title", "string")],
    "task_unblocked": [req("task_id", "id"), opt("unblocked_by", "id"),
                       opt("task_title", "string")],
    "test_result": [req("task_id", "id"), req("status", "enum", TEST_STATUSES),
                    req("passed", "count"), req("failed", "count"), req("errors", "count"),
                    opt("skipped", "count"), req("duration", "number")],
    "activity_update": [req("activity_type", "ident"), req("message", "ident"),
                        opt("task_id", "id"), opt("agent_id", "ident")],
    "correction_attempt": [req("task_id", "id"), req("attempt_number", "ordinal"),
                           req("max_attempts", "ordinal"),
                           req("status", "enum", CORRECTION_STATUSES),
                           opt("error_summary", "string")],
    "progress_update": [req("completed", "count"), req("total", "count"),
                        req("percentage", "percent")],
}
BASE = [req("type", "string"), req("project_id", "id"), req("timestamp", "timestamp")]

# The library's model: attribute -> the wire member it comes from.
MAP = {
    "agent_created": {"agent": "agent_id", "kind": "agent_type", "state": "status",
                      "done": "tasks_completed"},
    "agent_retired": {"agent": "agent_id", "done": "tasks_completed"},
    "agent_status_changed": {"agent": "agent_id", "state": "status", "task": "current_task",
                             "pct": "progress"},
    "task_assigned": {"task": "task_id", "agent": "agent_id", "title": "task_title"},
    "task_status_changed": {"task": "task_id", "state": "status", "agent": "agent_id",
                            "pct": "progress"},
    "task_blocked": {"task": "task_id", "blockers": "blocked_by", "n_blockers": "blocked_count",
                     "title": "task_title"},
    "task_unblocked": {"task": "task_id", "unblocker": "unblocked_by", "title": "task_title"},
    "test_result": {"task": "task_id", "state": "status", "n_passed": "passed",
                    "n_failed": "failed", "n_errors": "errors", "n_skipped": "skipped",
                    "seconds": "duration"},
    "activity_update": {"category": "activity_type", "text": "message", "task": "task_id",
                        "agent": "agent_id"},
    "correction_attempt": {"task": "task_id", "attempt": "attempt_number",
                           "max_attempts": "max_attempts", "state": "status",
                           "summary": "error_summary"},
    "progress_update": {"done": "completed", "total": "total", "pct": "percentage"},
}

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")


class Event:
    """The library's model of one event."""

    def __init__(self, event_type, project, at):
        self.event_type = event_type
        self.project = project
        self.at = at
        self.attrs = {}


def is_int(v, least, most=MAX_SAFE):
    return isinstance(v, int) and not isinstance(v, bool) and least <= v <= most


def check_value(where, kind, v, extra):
    if kind == "id" or kind == "ordinal":
        ok = is_int(v, 1)
    elif kind == "count":
        ok = is_int(v, 0)
    elif kind == "percent":
        ok = is_int(v, 0, 100)
    elif kind == "number":
        ok = (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
              and v >= 0)
    elif kind == "string":
        ok = isinstance(v, str)
    elif kind == "ident":
        ok = isinstance(v, str) and len(v) > 0
    elif kind == "enum":
        ok = isinstance(v, str) and v in extra
    elif kind == "ids":
        ok = isinstance(v, list) and len(v) > 0 and all(is_int(x, 1) for x in v)
    elif kind == "timestamp":
        ok = isinstance(v, str) and TIMESTAMP.match(v) is not None
    elif kind == "object":
        ok = isinstance(v, dict)
        if ok:
            check_fields(where + ".", v, extra)
    else:
        ok = False
    if not ok:
        raise Rejected(f"{where}: not a valid {kind}: {v!r:.80}")


def check_fields(prefix, obj, schema):
    for name, kind, required, extra in schema:
        if name not in obj:
            if required:
                raise Rejected(f"{prefix}{name} is missing")
            continue
        check_value(prefix + name, kind, obj[name], extra)


def depth(text):
    """The nesting depth of a JSON text, strings skipped (json.loads would
    recurse until RecursionError; the contract allows 64)."""
    d = most = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "{[":
            d += 1
            most = max(most, d)
        elif c in "}]":
            d -= 1
    return most


def not_json(literal):
    raise Rejected(f"invalid JSON: {literal} is not a JSON number")


def parse_message(text, state, hooks):
    if len(text.encode("utf-8", "surrogatepass")) > MAX_EVENT_BYTES:
        raise Rejected("event over 1 MiB")
    if depth(text) > MAX_DEPTH:
        raise Rejected("event nested deeper than 64")
    try:
        msg = json.loads(text, parse_constant=not_json)
    except json.JSONDecodeError as e:
        raise Rejected(f"invalid JSON: {e}") from None
    if not isinstance(msg, dict):
        raise Rejected("not an object")
    if hooks.get("before_validation"):
        hooks["before_validation"](msg)
    check_fields("", msg, BASE)
    schema = SCHEMA.get(msg["type"])
    if schema is None:
        raise Rejected(f"unknown event type {msg['type']!r}")
    check_fields("", msg, schema)
    retired = state.setdefault("retired", set())
    if isinstance(msg.get("agent_id"), str) and msg["agent_id"] in retired:
        raise Rejected(f"agent {msg['agent_id']} was retired")
    if msg["type"] == "agent_retired":
        retired.add(msg["agent_id"])
    return msg


def to_model(msg, mapping, hooks):
    ev = Event(msg["type"], msg["project_id"], msg["timestamp"])
    for attr, wire in mapping.get(msg["type"], {}).items():
        if wire in msg:
            v = msg[wire]
            ev.attrs[attr] = dict(v) if isinstance(v, dict) else v
    if hooks.get("after_mapping"):
        hooks["after_mapping"](ev, msg)
    return ev


def to_contract(ev):
    """The adapter author's part: the model back in the contract's names."""
    out = {"type": ev.event_type, "project_id": ev.project}
    for attr, wire in MAP[ev.event_type].items():
        if ev.attrs.get(attr) is not None:
            out[wire] = ev.attrs[attr]
    out["timestamp"] = ev.at
    return out


def create_decoder(mapping, hooks=None):
    hooks = hooks or {}

    def decode(text, state):
        return to_contract(to_model(parse_message(text, state, hooks), mapping, hooks))

    return decode


decode = create_decoder(MAP)
