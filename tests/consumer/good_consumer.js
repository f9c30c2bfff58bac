// SPDX-License-Identifier: MIT
//
// A dashboard's decoder for the CodeFRAME events, written for the consumer
// certification tests the way a front end is written: a wire schema that
// validates each message, a mapper from the wire into the dashboard's own
// model (camelCase names, grouped, a Date for the timestamp), and -- the
// adapter author's part -- the mapping of that model back to the contract's
// field names that the adapter protocol asks for (toContract).
//
// It reads every field of every event exactly and rejects every
// non-conforming event, so it must PASS every case. drifted_consumer.js
// reuses it and changes only its faults.
'use strict';

class Rejected extends Error {}

const MAX_EVENT_BYTES = 1048576; // G12
const MAX_DEPTH = 64; // G12: the event object is depth 1

const AGENT_TYPES = ['backend', 'frontend', 'test'];
const AGENT_STATUSES = ['idle', 'working', 'blocked', 'offline'];
const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'blocked'];
const TEST_STATUSES = ['passed', 'failed', 'error', 'timeout', 'no_tests'];
const CORRECTION_STATUSES = ['in_progress', 'success', 'failed'];

// The wire schema: [name, kind, required, enum values or nested schema].
const req = (n, k, v) => [n, k, true, v];
const opt = (n, k, v) => [n, k, false, v];
const CURRENT_TASK = [req('id', 'id'), req('title', 'string')];
const SCHEMA = {
  agent_created: [req('agent_id', 'ident'), req('agent_type', 'enum', AGENT_TYPES),
    req('status', 'enum', ['idle']), req('tasks_completed', 'count')],
  agent_retired: [req('agent_id', 'ident'), req('tasks_completed', 'count')],
  agent_status_changed: [req('agent_id', 'ident'), req('status', 'enum', AGENT_STATUSES),
    opt('current_task', 'object', CURRENT_TASK), opt('progress', 'percent')],
  task_assigned: [req('task_id', 'id'), req('agent_id', 'ident'), opt('task_title', 'string')],
  task_status_changed: [req('task_id', 'id'), req('status', 'enum', TASK_STATUSES),
    opt('agent_id', 'ident'), opt('progress', 'percent')],
  task_blocked: [req('task_id', 'id'), req('blocked_by', 'ids'), req('blocked_count', 'count'),
    opt('task_title', 'string')],
  task_unblocked: [req('task_id', 'id'), opt('unblocked_by', 'id'), opt('task_title', 'string')],
  test_result: [req('task_id', 'id'), req('status', 'enum', TEST_STATUSES), req('passed', 'count'),
    req('failed', 'count'), req('errors', 'count'), opt('skipped', 'count'),
    req('duration', 'number')],
  activity_update: [req('activity_type', 'ident'), req('message', 'ident'), opt('task_id', 'id'),
    opt('agent_id', 'ident')],
  correction_attempt: [req('task_id', 'id'), req('attempt_number', 'ordinal'),
    req('max_attempts', 'ordinal'), req('status', 'enum', CORRECTION_STATUSES),
    opt('error_summary', 'string')],
  progress_update: [req('completed', 'count'), req('total', 'count'), req('percentage', 'percent')],
};
const BASE = [req('type', 'string'), req('project_id', 'id'), req('timestamp', 'timestamp')];

// The dashboard's model: which wire member each model property comes from.
const KIND = {
  agent_created: 'agentCreated', agent_retired: 'agentRetired',
  agent_status_changed: 'agentStatus', task_assigned: 'taskAssigned',
  task_status_changed: 'taskStatus', task_blocked: 'taskBlocked',
  task_unblocked: 'taskUnblocked', test_result: 'testRun', activity_update: 'activity',
  correction_attempt: 'selfCorrection', progress_update: 'projectProgress',
};
const MAP = {
  agent_created: { agentId: 'agent_id', agentType: 'agent_type', state: 'status', done: 'tasks_completed' },
  agent_retired: { agentId: 'agent_id', done: 'tasks_completed' },
  agent_status_changed: { agentId: 'agent_id', state: 'status', task: 'current_task', percent: 'progress' },
  task_assigned: { taskId: 'task_id', agentId: 'agent_id', title: 'task_title' },
  task_status_changed: { taskId: 'task_id', state: 'status', agentId: 'agent_id', percent: 'progress' },
  task_blocked: { taskId: 'task_id', blockers: 'blocked_by', blockerCount: 'blocked_count', title: 'task_title' },
  task_unblocked: { taskId: 'task_id', unblockedBy: 'unblocked_by', title: 'task_title' },
  test_result: { taskId: 'task_id', state: 'status', passed: 'passed', failed: 'failed', errors: 'errors', skipped: 'skipped', seconds: 'duration' },
  activity_update: { category: 'activity_type', text: 'message', taskId: 'task_id', agentId: 'agent_id' },
  correction_attempt: { taskId: 'task_id', attempt: 'attempt_number', maxAttempts: 'max_attempts', state: 'status', summary: 'error_summary' },
  progress_update: { completed: 'completed', total: 'total', percent: 'percentage' },
};

function isId(v, least) {
  return Number.isSafeInteger(v) && v >= least;
}

function checkValue(where, kind, v, extra) {
  const ok = {
    id: () => isId(v, 1),
    ordinal: () => isId(v, 1),
    count: () => isId(v, 0),
    percent: () => isId(v, 0) && v <= 100,
    number: () => typeof v === 'number' && Number.isFinite(v) && v >= 0,
    string: () => typeof v === 'string',
    ident: () => typeof v === 'string' && v.length > 0,
    enum: () => extra.includes(v),
    ids: () => Array.isArray(v) && v.length > 0 && v.every((x) => isId(x, 1)),
    // the shape, and a real instant (14:60 has the shape, and no Date)
    timestamp: () => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) &&
      !Number.isNaN(Date.parse(v)),
    object: () => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
      checkFields(`${where}.`, v, extra);
      return true;
    },
  }[kind];
  if (!ok()) throw new Rejected(`${where}: not a valid ${kind}: ${JSON.stringify(v)}`);
}

function checkFields(prefix, obj, schema) {
  for (const [n, kind, required, extra] of schema) {
    if (!Object.prototype.hasOwnProperty.call(obj, n)) {
      if (required) throw new Rejected(`${prefix}${n} is missing`);
      continue;
    }
    checkValue(prefix + n, kind, obj[n], extra);
  }
}

// The nesting depth of a JSON text, strings skipped (JSON.parse would take
// any depth; the contract allows 64).
function depth(text) {
  let d = 0;
  let most = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') most = Math.max(most, ++d);
    else if (c === '}' || c === ']') d--;
  }
  return most;
}

// Parses and validates one message; returns the wire object.
function parseMessage(text, state, hooks) {
  if (Buffer.byteLength(text, 'utf8') > MAX_EVENT_BYTES) throw new Rejected('event over 1 MiB');
  if (depth(text) > MAX_DEPTH) throw new Rejected('event nested deeper than 64');
  let msg;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    throw new Rejected(`invalid JSON: ${e.message}`);
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) throw new Rejected('not an object');
  if (hooks.beforeValidation) hooks.beforeValidation(msg);
  checkFields('', msg, BASE);
  const schema = SCHEMA[msg.type];
  if (!schema) throw new Rejected(`unknown event type ${JSON.stringify(msg.type)}`);
  checkFields('', msg, schema);
  // The dashboard's own state: a retired agent is gone.
  state.retired = state.retired || new Set();
  if (typeof msg.agent_id === 'string' && state.retired.has(msg.agent_id)) {
    throw new Rejected(`agent ${msg.agent_id} was retired`);
  }
  if (msg.type === 'agent_retired') state.retired.add(msg.agent_id);
  return msg;
}

function toModel(msg, map, hooks) {
  const model = { kind: KIND[msg.type], project: msg.project_id, at: new Date(msg.timestamp) };
  for (const [prop, wire] of Object.entries(map[msg.type] || {})) {
    const v = msg[wire];
    if (v === undefined) continue;
    model[prop] = wire === 'current_task' ? { id: v.id, title: v.title } : v;
  }
  return hooks.afterMapping ? hooks.afterMapping(model, msg) : model;
}

// The adapter author's part: the model back in the contract's names.
function toContract(model) {
  const type = Object.keys(KIND).find((t) => KIND[t] === model.kind);
  const out = { type, project_id: model.project };
  for (const [prop, wire] of Object.entries(MAP[type])) {
    if (model[prop] !== undefined && model[prop] !== null) out[wire] = model[prop];
  }
  out.timestamp = model.at.toISOString();
  return out;
}

function createDecoder(map, hooks = {}) {
  return (text, state) => toContract(toModel(parseMessage(text, state, hooks), map, hooks));
}

module.exports = {
  name: 'good-dashboard-decoder',
  version: '1.0.0',
  Rejected,
  decode: createDecoder(MAP),
  createDecoder,
  MAP,
};
