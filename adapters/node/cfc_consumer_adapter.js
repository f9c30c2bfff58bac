#!/usr/bin/env node
// SPDX-License-Identifier: MIT
//
// cfc_consumer_adapter.js: the generic consumer adapter for Node.js.
//
// Wraps any module that exports a decode function, so that
// `cfconform certify --consumer` can certify it (docs/adapter-protocol.md,
// consumer role):
//
//     cfconform certify --consumer --adapter 'node adapters/node/cfc_consumer_adapter.js my_decoder.js'
//
// The module exports
//   decode(text, state) -> an object in the contract's field names: what the
//       consumer read (a field it did not read is absent; undefined and null
//       mean "no value"), or null/undefined: it rejected the event.
//       `text` is one event as the WebSocket delivered it (a string);
//       `state` is an object shared by the events of one request (a stream
//       case) and fresh for the next: a stateful consumer keeps its state there.
//   Rejected (optional): an Error class; throwing one is a rejection with its
//       message as the reason. Anything else thrown is a crash of the consumer.
//   name, version (optional): what the adapter reports (default: the file
//       name and "0"); --name and --impl-version override them.
//
// A dashboard's decoder usually returns its own model (camelCase, grouped,
// Date objects): the module's decode maps that model back to contract names,
// which is the adapter author's one job. Standard library only. Nothing the
// module prints reaches the protocol: console output goes to stderr.
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');

function usage(msg) {
  process.stderr.write(`cfc_consumer_adapter.js: ${msg}\n` +
    'usage: node cfc_consumer_adapter.js [--name NAME] [--impl-version V] MODULE.js\n');
  process.exit(2);
}

let modulePath = null;
let name = null;
let version = null;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--name' && i + 1 < argv.length) name = argv[++i];
  else if (argv[i] === '--impl-version' && i + 1 < argv.length) version = argv[++i];
  else if (modulePath === null && !argv[i].startsWith('--')) modulePath = argv[i];
  else usage(`unexpected argument ${argv[i]}`);
}
if (modulePath === null) usage('no module');

// The protocol owns fd 1; whatever the module prints goes to stderr. Once
// process.stdout exists, libuv has made fd 1 non-blocking, so a long answer
// is written in as many pieces as the pipe takes, waiting when it is full.
function writeAll(text) {
  const buf = Buffer.from(text, 'utf8');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let off = 0; off < buf.length;) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}
const protocolOut = (obj) => writeAll(JSON.stringify(obj) + '\n');
for (const k of ['log', 'info', 'debug', 'warn']) console[k] = console.error;
process.stdout.write = (chunk, encoding, cb) => process.stderr.write(chunk, encoding, cb);

const mod = require(path.resolve(modulePath));
if (typeof mod.decode !== 'function') usage(`${modulePath} exports no decode function`);
name = name || mod.name || path.basename(modulePath);
version = version || mod.version || '0';

function describe(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  try {
    return `threw ${JSON.stringify(e)}`;
  } catch (_) {
    return `threw ${String(e)}`;
  }
}

function decodeAll(events) {
  const state = {};
  const results = [];
  for (const text of events) {
    let read;
    try {
      read = mod.decode(text, state);
    } catch (e) {
      if (typeof mod.Rejected === 'function' && e instanceof mod.Rejected) {
        results.push({ outcome: 'rejected', reason: String(e.message) });
        continue;
      }
      results.push({ outcome: 'raised', error: describe(e) });
      break; // the consumer is gone: nothing after a crash is read
    }
    if (read === null || read === undefined) {
      results.push({ outcome: 'rejected', reason: `decode returned ${read}` });
    } else if (typeof read !== 'object' || Array.isArray(read)) {
      results.push({ outcome: 'raised', error: `decode returned ${typeof read}, not an object` });
      break;
    } else {
      results.push({ outcome: 'read', event: read });
    }
  }
  return results;
}

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  let req;
  try {
    req = JSON.parse(line);
  } catch (e) {
    protocolOut({ op: 'error', seq: 0, message: `invalid request: ${e.message}` });
    return;
  }
  if (req.op === 'start') {
    protocolOut({
      op: 'hello', protocol: 1, role: 'consumer',
      implementation: { name: String(name), language: `Node.js ${process.version}`, version: String(version) },
    });
  } else if (req.op === 'decode' && Array.isArray(req.events)) {
    const results = decodeAll(req.events);
    let text;
    try {
      text = JSON.stringify({ op: 'decoded', seq: req.seq, results });
    } catch (e) {
      // A value JSON cannot hold (a BigInt, a cycle): the adapter's mapping failed.
      protocolOut({ op: 'error', seq: req.seq, message: `cannot write what was read: ${describe(e)}` });
      return;
    }
    writeAll(text + '\n');
  } else if (req.op === 'stop') {
    process.exit(0);
  } else {
    protocolOut({ op: 'error', seq: req.seq || 0, message: `unknown request ${JSON.stringify(req.op)}` });
  }
});
rl.on('close', () => process.exit(0));
