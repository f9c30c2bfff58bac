// SPDX-License-Identifier: MIT
/*
 * A correct JavaScript implementation of the contract's broadcasters, for
 * the certification tests: it must certify at 100% PASS through
 * adapters/node/cfc_adapter.js.
 *
 * CommonJS, async functions, camelCase names and parameters in the
 * contract's order (broadcastAgentCreated(manager, projectId, agentId,
 * agentType, tasksCompleted = 0)), as a JavaScript port of the contract
 * would be written. Errors are logged with console.error and never thrown;
 * arguments that cannot make a conforming event are refused (logged,
 * nothing sent).
 */
'use strict';

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 - 1 (G5)
const AGENT_TYPES = ['backend', 'frontend', 'test'];
const AGENT_STATUSES = ['idle', 'working', 'blocked', 'offline'];
const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'blocked'];
const TEST_STATUSES = ['passed', 'failed', 'error', 'timeout', 'no_tests'];
const CORRECTION_STATUSES = ['in_progress', 'success', 'failed'];

class Refused extends Error {}

// YYYY-MM-DDTHH:MM:SS.fffZ: what toISOString gives (years 0-9999).
function timestamp() {
  return new Date().toISOString();
}

function int(name, value, low) {
  if (!Number.isSafeInteger(value) || value < low || value > MAX_SAFE)
    throw new Refused(`${name} must be an integer in ${low}..${MAX_SAFE}, not ${JSON.stringify(value)}`);
  return value;
}
const id = (name, value) => int(name, value, 1);
const count = (name, value) => int(name, value, 0);

function percent(name, value) {
  if (!Number.isInteger(value) || value < 0 || value > 100)
    throw new Refused(`${name} must be an integer in 0..100, not ${JSON.stringify(value)}`);
  return value;
}

function ident(name, value) {
  if (typeof value !== 'string' || value === '')
    throw new Refused(`${name} must be a non-empty string, not ${JSON.stringify(value)}`);
  return value;
}

function text(name, value) {
  if (typeof value !== 'string')
    throw new Refused(`${name} must be a string, not ${JSON.stringify(value)}`);
  return value;
}

function oneOf(name, value, allowed) {
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new Refused(`${name} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return value;
}

async function send(manager, eventType, build) {
  let message;
  try {
    message = build();
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    console.error(`Refused to broadcast ${eventType}: ${e.message}`);
    return;
  }
  message.timestamp = timestamp();
  try {
    await manager.broadcast(message);
    console.debug(`Broadcast ${eventType}`);
  } catch (e) {
    console.error(`Failed to broadcast ${eventType}: ${e.message}`);
  }
}

async function broadcastAgentCreated(manager, projectId, agentId, agentType, tasksCompleted = 0) {
  await send(manager, 'agent_created', () => {
    if (tasksCompleted !== 0) throw new Refused('tasks_completed is always 0 on creation');
    return {
      type: 'agent_created', project_id: id('project_id', projectId),
      agent_id: ident('agent_id', agentId), agent_type: oneOf('agent_type', agentType, AGENT_TYPES),
      status: 'idle', tasks_completed: 0,
    };
  });
}

async function broadcastAgentRetired(manager, projectId, agentId, tasksCompleted = 0) {
  await send(manager, 'agent_retired', () => ({
    type: 'agent_retired', project_id: id('project_id', projectId),
    agent_id: ident('agent_id', agentId), tasks_completed: count('tasks_completed', tasksCompleted),
  }));
}

async function broadcastAgentStatus(manager, projectId, agentId, status, currentTaskId = null,
                                    currentTaskTitle = null, progress = null) {
  await send(manager, 'agent_status_changed', () => {
    const m = {
      type: 'agent_status_changed', project_id: id('project_id', projectId),
      agent_id: ident('agent_id', agentId), status: oneOf('status', status, AGENT_STATUSES),
    };
    if (currentTaskId !== null || currentTaskTitle !== null) {
      if (currentTaskId === null || currentTaskTitle === null)
        throw new Refused('current_task needs both current_task_id and current_task_title');
      if (status !== 'working') throw new Refused('current_task is only sent while working');
      m.current_task = { id: id('current_task_id', currentTaskId),
                         title: text('current_task_title', currentTaskTitle) };
    }
    if (progress !== null) m.progress = percent('progress', progress);
    return m;
  });
}

async function broadcastTaskAssigned(manager, projectId, taskId, agentId, taskTitle = null) {
  await send(manager, 'task_assigned', () => {
    const m = {
      type: 'task_assigned', project_id: id('project_id', projectId),
      task_id: id('task_id', taskId), agent_id: ident('agent_id', agentId),
    };
    if (taskTitle !== null) m.task_title = text('task_title', taskTitle);
    return m;
  });
}

async function broadcastTaskStatus(manager, projectId, taskId, status, agentId = null,
                                   progress = null) {
  await send(manager, 'task_status_changed', () => {
    const m = {
      type: 'task_status_changed', project_id: id('project_id', projectId),
      task_id: id('task_id', taskId), status: oneOf('status', status, TASK_STATUSES),
    };
    if (agentId !== null) m.agent_id = ident('agent_id', agentId);
    if (progress !== null) {
      m.progress = percent('progress', progress);
      if (status === 'completed' && progress !== 100)
        throw new Refused('a completed task has progress 100');
      if (status === 'pending' && progress > 0) throw new Refused('a pending task has progress 0');
    }
    return m;
  });
}

async function broadcastTaskBlocked(manager, projectId, taskId, blockedBy, taskTitle = null) {
  await send(manager, 'task_blocked', () => {
    const tid = id('task_id', taskId);
    if (!Array.isArray(blockedBy) || blockedBy.length === 0)
      throw new Refused('blocked_by must be a non-empty list');
    const ids = blockedBy.map((b) => id('blocked_by item', b));
    if (new Set(ids).size !== ids.length) throw new Refused('blocked_by lists a task twice');
    if (ids.includes(tid)) throw new Refused('a task cannot block itself');
    const m = {
      type: 'task_blocked', project_id: id('project_id', projectId), task_id: tid,
      blocked_by: ids, blocked_count: ids.length,
    };
    if (taskTitle !== null) m.task_title = text('task_title', taskTitle);
    return m;
  });
}

async function broadcastTaskUnblocked(manager, projectId, taskId, unblockedBy = null,
                                      taskTitle = null) {
  await send(manager, 'task_unblocked', () => {
    const m = {
      type: 'task_unblocked', project_id: id('project_id', projectId),
      task_id: id('task_id', taskId),
    };
    if (unblockedBy !== null) {
      if (unblockedBy === taskId) throw new Refused('a task cannot unblock itself');
      m.unblocked_by = id('unblocked_by', unblockedBy);
    }
    if (taskTitle !== null) m.task_title = text('task_title', taskTitle);
    return m;
  });
}

async function broadcastTestResult(manager, projectId, taskId, status, passed = 0, failed = 0,
                                   errors = 0, skipped = 0, duration = 0.0) {
  await send(manager, 'test_result', () => {
    const m = {
      type: 'test_result', project_id: id('project_id', projectId), task_id: id('task_id', taskId),
      status: oneOf('status', status, TEST_STATUSES), passed: count('passed', passed),
      failed: count('failed', failed), errors: count('errors', errors),
      skipped: count('skipped', skipped),
    };
    if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0)
      throw new Refused(`duration must be a finite number >= 0, not ${String(duration)}`);
    m.duration = duration;
    if (status === 'passed' && failed + errors > 0) throw new Refused('a passed run has no failures');
    if (status === 'failed' && failed + errors === 0) throw new Refused('a failed run has failures');
    if (status === 'no_tests' && passed + failed + errors > 0)
      throw new Refused('no_tests means no tests ran');
    return m;
  });
}

async function broadcastActivityUpdate(manager, projectId, activityType, agentId, messageText,
                                       taskId = null) {
  await send(manager, 'activity_update', () => {
    const m = {
      type: 'activity_update', project_id: id('project_id', projectId),
      activity_type: ident('activity_type', activityType),
      message: ident('message_text', messageText),
    };
    if (taskId !== null) m.task_id = id('task_id', taskId);
    if (agentId !== null) m.agent_id = ident('agent_id', agentId); // optional: absent, never null
    return m;
  });
}

async function broadcastCorrectionAttempt(manager, projectId, taskId, attemptNumber, maxAttempts,
                                          status, errorSummary = null) {
  await send(manager, 'correction_attempt', () => {
    const m = {
      type: 'correction_attempt', project_id: id('project_id', projectId),
      task_id: id('task_id', taskId), attempt_number: int('attempt_number', attemptNumber, 1),
      max_attempts: int('max_attempts', maxAttempts, 1),
      status: oneOf('status', status, CORRECTION_STATUSES),
    };
    if (attemptNumber > maxAttempts) throw new Refused('attempt_number is greater than max_attempts');
    if (errorSummary !== null) {
      if (status !== 'failed') throw new Refused('only a failed attempt has an error_summary');
      m.error_summary = text('error_summary', errorSummary);
    }
    return m;
  });
}

async function broadcastProgressUpdate(manager, projectId, completed, total, percentage = null) {
  await send(manager, 'progress_update', () => {
    const c = count('completed', completed), t = count('total', total);
    if (c > t) throw new Refused('completed is greater than total');
    // Exact integer arithmetic (BigInt): c * 100 may exceed 2^53.
    const floor = t ? Number((BigInt(c) * 100n) / BigInt(t)) : 0;
    const rounded = t ? Number((BigInt(c) * 200n + BigInt(t)) / (2n * BigInt(t))) : 0;
    let pct = floor;
    if (percentage !== null) {
      pct = percent('percentage', percentage);
      if (pct !== floor && pct !== rounded)
        throw new Refused(`percentage ${pct} does not match ${c}/${t}`);
    }
    return { type: 'progress_update', project_id: id('project_id', projectId), completed: c,
             total: t, percentage: pct };
  });
}

module.exports = {
  version: '1.0.0',
  Refused, timestamp, id, ident, text, send,
  broadcastAgentCreated, broadcastAgentRetired, broadcastAgentStatus, broadcastTaskAssigned,
  broadcastTaskStatus, broadcastTaskBlocked, broadcastTaskUnblocked, broadcastTestResult,
  broadcastActivityUpdate, broadcastCorrectionAttempt, broadcastProgressUpdate,
};
