// SPDX-License-Identifier: MIT
//
// The good dashboard decoder (good_consumer.js) with exactly the drift
// measured on a real dashboard mapper for this contract, and nothing else:
//
//   1. every agent_type is mapped to one default ("worker"): a lookup table
//      keyed by names the contract does not use;
//   2. progress_update is read from completed_tasks / total_tasks, where the
//      contract sends completed / total (progress always 0);
//   3. the agent is read from `agent`, where the contract sends agent_id;
//   4. test_result and correction_attempt have no mapping: every field but
//      the envelope (type, project_id, timestamp) is dropped;
//   5. a progress label is made before validation, which crashes on an
//      unexpected null (`progress: null`).
//
// The adapter author's mapping back to contract names (toContract) is the
// good one's: the faults are the decoder's, not the adapter's.
'use strict';

const good = require('./good_consumer.js');

const MAP = {};
for (const [type, props] of Object.entries(good.MAP)) {
  MAP[type] = {};
  for (const [prop, wire] of Object.entries(props)) {
    MAP[type][prop] = wire === 'agent_id' ? 'agent' : wire; // fault 3
  }
}
MAP.test_result = {}; // fault 4
MAP.correction_attempt = {}; // fault 4

const AGENT_TYPE_LABELS = { backend_worker: 'backend', frontend_worker: 'frontend', test_worker: 'test' };

const hooks = {
  beforeValidation(msg) {
    // fault 5: null has no toString
    if ('progress' in msg) msg.progressLabel = `${msg.progress.toString()}%`;
  },
  afterMapping(model, msg) {
    if (msg.type === 'agent_created') {
      model.agentType = AGENT_TYPE_LABELS[msg.agent_type] || 'worker'; // fault 1
    }
    if (msg.type === 'progress_update') {
      model.completed = msg.completed_tasks ?? 0; // fault 2
      model.total = msg.total_tasks ?? 0;
    }
    return model;
  },
};

module.exports = {
  name: 'drifted-dashboard-decoder',
  version: '0.9.0',
  Rejected: good.Rejected,
  decode: good.createDecoder(MAP, hooks),
};
