// SPDX-License-Identifier: MIT
/*
 * good_broadcasts.cjs with three realistic bugs, for the certification
 * tests: through adapters/node/cfc_adapter.js it must fail exactly the
 * cases that tests/test_certify.c lists (node_buggy_expected), and pass all
 * the others. An ES module, importing the CommonJS one; two of its
 * broadcasters are plain (sync) functions.
 *
 *   1. broadcastTestResult stamps events without milliseconds:
 *      "2025-11-08T14:30:45Z" (T1);
 *   2. broadcastTaskBlocked forgets blocked_count (E task_blocked);
 *   3. broadcastTaskAssigned is sync and fires manager.broadcast() without
 *      awaiting or catching it, so a failing manager's rejection is
 *      unhandled, which ends a Node server (Error Handling).
 */
import good from './good_broadcasts.cjs';

export const version = '0.9.0';

export const {
  broadcastAgentCreated, broadcastAgentRetired, broadcastAgentStatus, broadcastTaskStatus,
  broadcastTaskUnblocked, broadcastActivityUpdate, broadcastCorrectionAttempt,
  broadcastProgressUpdate,
} = good;

// A manager that changes each message before the real one gets it.
function altering(manager, alter) {
  return { broadcast: (message) => manager.broadcast(alter(message)) };
}

export async function broadcastTestResult(manager, projectId, taskId, status, passed = 0,
                                          failed = 0, errors = 0, skipped = 0, duration = 0.0) {
  const noMillis = (m) => ({ ...m, timestamp: m.timestamp.replace(/\.\d{3}Z$/, 'Z') }); // BUG 1
  await good.broadcastTestResult(altering(manager, noMillis), projectId, taskId, status, passed,
                                 failed, errors, skipped, duration);
}

export function broadcastTaskBlocked(manager, projectId, taskId, blockedBy, taskTitle = null) {
  const noCount = ({ blocked_count: _, ...rest }) => rest; // BUG 2
  return good.broadcastTaskBlocked(altering(manager, noCount), projectId, taskId, blockedBy,
                                   taskTitle);
}

export function broadcastTaskAssigned(manager, projectId, taskId, agentId, taskTitle = null) {
  let m;
  try {
    m = { type: 'task_assigned', project_id: good.id('project_id', projectId),
          task_id: good.id('task_id', taskId), agent_id: good.ident('agent_id', agentId) };
    if (taskTitle !== null) m.task_title = good.text('task_title', taskTitle);
  } catch (e) {
    console.error(`Refused to broadcast task_assigned: ${e.message}`);
    return;
  }
  m.timestamp = good.timestamp();
  manager.broadcast(m); // BUG 3: neither awaited nor caught
}
