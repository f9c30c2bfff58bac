// SPDX-License-Identifier: MIT
// A Node decoder with two planted bugs for cfconform fuzz-exec's tests:
// distinct bugs must be reported as distinct failures, although Node ends
// both traces with the same "Node.js v20..." line.
//  - a task_blocked without an array blocked_by: TypeError (reading 'map');
//  - a progress_update whose completed exceeds its total: RangeError from
//    String.prototype.repeat (its message holds the count, which varies).
// Otherwise it answers every line: "ok", or "rejected" for what is not JSON.
'use strict';
const readline = require('readline');

function blockers(ev) {
  return ev.blocked_by.map((id) => Number(id)); // BUG 1: blocked_by may be missing
}

function remaining(ev) {
  if (typeof ev.total !== 'number' || typeof ev.completed !== 'number') return '';
  return '='.repeat(ev.total - ev.completed); // BUG 2: negative when completed > total
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let ev;
  try {
    ev = JSON.parse(line);
  } catch (e) {
    process.stdout.write('rejected\n');
    return;
  }
  if (ev !== null && typeof ev === 'object' && ev.type === 'task_blocked') blockers(ev);
  if (ev !== null && typeof ev === 'object' && ev.type === 'progress_update') remaining(ev);
  process.stdout.write('ok\n');
});
