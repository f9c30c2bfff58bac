#!/usr/bin/env node
// SPDX-License-Identifier: MIT
/*
 * cfc_adapter.js: the generic adapter for JavaScript (and TypeScript compiled
 * to JavaScript) broadcasters, so that `cfconform certify` can certify them
 * (docs/adapter-protocol.md):
 *
 *     cfconform certify --adapter 'node adapters/node/cfc_adapter.js path/to/broadcasts.mjs'
 *
 * Node's standard library only. The module may be CommonJS or ESM, a file or
 * a package name (resolved from the working directory, or from --path DIR).
 * Its broadcasters are found under the contract's names
 * (broadcast_agent_created) or their camelCase (broadcastAgentCreated), on
 * the module or its default export; they may be sync or async.
 *
 * Arguments: a function whose second parameter is a destructuring pattern,
 * `broadcastX(manager, { projectId, ... })`, gets one object of named
 * arguments; any other gets them by position, matched by its parameter
 * names (snake_case or camelCase) read from the function's source, so an
 * absent argument is `undefined` and the function's own default applies.
 * `--args object` or `--args positional` overrides the guess. null is null
 * (Python's None); {"nonfinite":"NaN"|"Infinity"|"-Infinity"} is the
 * number. Integers above 2^53-1 arrive as the nearest Number, as JSON.parse
 * would give the producer's caller.
 *
 * The manager has exactly the contract's interface, `broadcast(message)`
 * (rule C1): it records the text the real one would send (a string as it
 * is, anything else as JSON.stringify(message)), then fails if the call asks
 * for a fault ("fail": it rejects with an Error "the WebSocket connection is
 * closed"; "raise": with a TypeError). A call with any other number of
 * arguments throws a TypeError and is reported as a misuse; so is a lookup
 * of another method, when nothing was sent through broadcast.
 *
 * Outcome: "raised" when the function throws, its promise rejects, or a
 * promise it left unhandled rejects during the call (in a Node server that
 * ends the process); else "returned". console.error / warn / info / log /
 * debug during the call are its log records (ERROR, WARNING, INFO, INFO,
 * DEBUG). Options: --name, --impl-version (default: the nearest
 * package.json's name and version, else the file name and the module's
 * exported `version`, else "unknown").
 *
 * Nothing the module prints reaches the protocol: process.stdout.write goes
 * to stderr, and the protocol is written to fd 1 directly.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { pathToFileURL } = require('url');

const PROTOCOL = 1;
const MAX_LOG_RECORDS = 200;

function writeLine(obj) {
  fs.writeSync(1, JSON.stringify(obj) + '\n');
}

// ---- the manager -------------------------------------------------------------

// Names a lookup of which is not a use of the manager (await, inspection).
const IGNORED = new Set(['then', 'toJSON', 'constructor', 'inspect', 'valueOf', 'toString']);

function contractManager(fault, state) {
  const target = {
    broadcast(...args) {
      if (args.length !== 1) {
        const err = new TypeError(
          `broadcast() takes exactly one argument (message), but was called with ${args.length}` +
            (args.length > 1 ? `: extra ${args.slice(1).map(describe).join(', ')}` : ''));
        state.misuse.push(err.message);
        throw err;
      }
      const message = args[0];
      // What a WebSocket library puts on the wire: a string as it is (a lone
      // surrogate becomes U+FFFD in UTF-8), anything else as JSON. A value
      // JSON.stringify cannot take throws here, as in the real manager.
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      state.sent.push(wellFormed(text === undefined ? 'undefined' : text));
      if (fault === 'fail')
        return Promise.reject(new Error('injected fault: the WebSocket connection is closed'));
      if (fault === 'raise')
        return Promise.reject(new TypeError('injected fault: the connection manager failed'));
      return Promise.resolve();
    },
  };
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (prop in t || typeof prop !== 'string' || IGNORED.has(prop))
        return Reflect.get(t, prop, receiver);
      state.missing.push(`the manager has no method '${prop}' (the contract's has only broadcast)`);
      return undefined;
    },
  });
}

function wellFormed(text) {
  return text.isWellFormed() ? text : text.toWellFormed();
}

function describe(v) {
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    return keys.length ? `{${keys.join(', ')}}` : '{}';
  }
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

// ---- arguments -----------------------------------------------------------------

function camel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}

function snake(name) {
  return name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

function decode(value) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'nonfinite') {
      const n = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }[value.nonfinite];
      if (n !== undefined) return n;
    }
  }
  return value;
}

// The parameter list of a function from its source: names, or '{' for a
// destructuring pattern. Defaults are skipped by bracket depth.
function parameters(fn) {
  const src = Function.prototype.toString.call(fn);
  let open = src.indexOf('(');
  const arrow = src.indexOf('=>');
  if (open < 0 || (arrow >= 0 && arrow < open)) {
    // `x => ...`: one parameter without parentheses.
    const m = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
    return m ? [m[1]] : [];
  }
  const params = [];
  let depth = 0, current = '', inDefault = false, quote = null;
  for (let i = open + 1; i < src.length; i++) {
    const ch = src[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') { quote = ch; continue; }
    if (depth === 0 && (ch === ',' || ch === ')')) {
      if (current.trim()) params.push(current.trim());
      current = '';
      inDefault = false;
      if (ch === ')') break;
      continue;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (depth === 0 && ch === '=') inDefault = true;
    if (!inDefault) current += ch;
  }
  return params.map((p) => (p.startsWith('{') ? '{' : p.trim()));
}

function callArgs(fn, args, mode) {
  const decoded = {};
  for (const [k, v] of Object.entries(args)) {
    decoded[k] = Array.isArray(v) ? v : decode(v);
  }
  const params = parameters(fn).slice(1);
  if (mode === 'object' || (mode !== 'positional' && params[0] === '{')) {
    const named = {};
    for (const [k, v] of Object.entries(decoded)) named[camel(k)] = v;
    for (const [k, v] of Object.entries(decoded)) named[k] = v;
    return [named];
  }
  const out = [];
  const used = new Set();
  for (const p of params) {
    const key = [p, snake(p)].find((k) => Object.prototype.hasOwnProperty.call(decoded, k));
    if (key === undefined) {
      out.push(undefined); // the function's default applies
    } else {
      out.push(decoded[key]);
      used.add(key);
    }
  }
  const unknown = Object.keys(decoded).filter((k) => !used.has(k));
  if (params.some((p) => p.startsWith('...'))) {
    return { error: `cannot match arguments to a rest parameter (${params.join(', ')}): name the ` +
                    'parameters, or take one object and use --args object' };
  }
  if (unknown.length) {
    return { error: `the function has no parameter ${unknown.join(', ')} (its parameters: ${params.join(', ')})` };
  }
  while (out.length && out[out.length - 1] === undefined) out.pop();
  return out;
}

// ---- logs ----------------------------------------------------------------------

const LEVELS = { error: 'ERROR', warn: 'WARNING', info: 'INFO', log: 'INFO', debug: 'DEBUG' };
const util = require('util');

function captureConsole(state) {
  const saved = {};
  for (const [method, level] of Object.entries(LEVELS)) {
    saved[method] = console[method];
    console[method] = (...a) => {
      if (state.logs.length < MAX_LOG_RECORDS)
        state.logs.push({ level, message: wellFormed(util.format(...a)) });
    };
  }
  return () => Object.assign(console, saved);
}

// ---- the module --------------------------------------------------------------------

function findPackageJson(file) {
  let dir = path.dirname(file);
  for (;;) {
    const p = path.join(dir, 'package.json');
    if (fs.existsSync(p)) {
      try { return JSON.parse(fs.readFileSync(p, 'utf8')); } catch (e) { return null; }
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

async function loadModule(spec, searchPath) {
  let file;
  const looksLikeFile = spec.startsWith('.') || spec.startsWith('/') || /\.[cm]?js$/.test(spec);
  if (looksLikeFile) {
    file = path.resolve(spec);
    if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  } else {
    file = require.resolve(spec, { paths: [searchPath || process.cwd()] });
  }
  const mod = await import(pathToFileURL(file).href);
  return { mod, file };
}

function broadcasterOf(mod, name) {
  for (const holder of [mod, mod && mod.default]) {
    if (holder === null || holder === undefined) continue;
    for (const n of [name, camel(name)]) {
      if (typeof holder[n] === 'function') return holder[n];
    }
  }
  return null;
}

// ---- the protocol --------------------------------------------------------------------

let current = null; // the state of the call in progress, for unhandled rejections

process.on('unhandledRejection', (reason) => {
  if (current && !current.unhandled)
    current.unhandled = reason;
});

function errorText(e) {
  if (e instanceof Error) return wellFormed(`${e.name}: ${e.message}`);
  return wellFormed(`thrown value: ${describe(e)}`);
}

async function settle() {
  // Broadcasts started and not awaited still count: let them run, briefly.
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 5));
}

async function call(req, functions, mode) {
  const { seq, broadcaster, args } = req;
  if (!Number.isInteger(seq) || typeof broadcaster !== 'string' || args === null ||
      typeof args !== 'object' || Array.isArray(args)) {
    writeLine({ op: 'error', seq: Number.isInteger(seq) ? seq : 0, message: 'a call needs seq, broadcaster and args' });
    return;
  }
  const fn = functions.get(broadcaster);
  if (!fn) {
    writeLine({ op: 'result', seq, outcome: 'unimplemented', sent: [], logs: [] });
    return;
  }
  const list = callArgs(fn, args, mode);
  if (!Array.isArray(list)) {
    writeLine({ op: 'error', seq, message: list.error });
    return;
  }
  const state = { sent: [], logs: [], misuse: [], missing: [], unhandled: undefined };
  current = state;
  const restore = captureConsole(state);
  let outcome = 'returned', error;
  try {
    await fn(contractManager(req.fault, state), ...list);
    await settle();
  } catch (e) {
    outcome = 'raised';
    error = errorText(e);
  } finally {
    restore();
    current = null;
  }
  if (outcome === 'returned' && state.unhandled !== undefined) {
    outcome = 'raised';
    error = `unhandled promise rejection (ends a Node server): ${errorText(state.unhandled)}`;
  }
  const reply = { op: 'result', seq, outcome, sent: state.sent, logs: state.logs };
  const misuse = state.misuse.concat(state.sent.length ? [] : state.missing);
  if (misuse.length) reply.misuse = misuse;
  if (error !== undefined) reply.error = error;
  writeLine(reply);
}

async function main(argv) {
  let name, version, searchPath, mode = 'auto';
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (['--name', '--impl-version', '--path', '--args'].includes(flag)) {
      if (i + 1 >= argv.length) {
        process.stderr.write(`cfc_adapter.js: ${flag} needs a value\n`);
        return 2;
      }
      const v = argv[++i];
      if (flag === '--name') name = v;
      else if (flag === '--impl-version') version = v;
      else if (flag === '--path') searchPath = path.resolve(v);
      else if (v === 'object' || v === 'positional') mode = v;
      else {
        process.stderr.write(`cfc_adapter.js: --args wants object or positional, not ${v}\n`);
        return 2;
      }
    } else {
      rest.push(flag);
    }
  }
  if (rest.length !== 1) {
    process.stderr.write('usage: cfc_adapter.js MODULE [--path DIR] [--args object|positional] ' +
                         '[--name NAME] [--impl-version VERSION]\n');
    return 2;
  }
  // The module's prints go to stderr; the protocol goes to fd 1 directly.
  process.stdout.write = process.stderr.write.bind(process.stderr);
  let loaded;
  try {
    loaded = await loadModule(rest[0], searchPath);
  } catch (e) {
    process.stderr.write(`cfc_adapter.js: cannot import ${rest[0]}: ${errorText(e)}\n`);
    return 2;
  }
  const pkg = findPackageJson(loaded.file);
  if (name === undefined)
    name = (pkg && typeof pkg.name === 'string' && pkg.name) ||
           path.basename(loaded.file).replace(/\.[cm]?js$/, '');
  if (version === undefined)
    version = (pkg && typeof pkg.version === 'string' && pkg.version) ||
              [loaded.mod, loaded.mod && loaded.mod.default]
                .map((m) => (m && typeof m.version === 'string' ? m.version : null))
                .find((v) => v) ||
              'unknown';

  const functions = new Map();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    let req;
    try {
      req = JSON.parse(line);
    } catch (e) {
      writeLine({ op: 'error', seq: 0, message: 'not JSON' });
      continue;
    }
    const op = req !== null && typeof req === 'object' ? req.op : undefined;
    if (op === 'start') {
      functions.clear();
      const names = Array.isArray(req.broadcasters) ? req.broadcasters : [];
      for (const n of names) {
        const fn = broadcasterOf(loaded.mod, n);
        if (fn) functions.set(n, fn);
      }
      writeLine({
        op: 'hello',
        protocol: PROTOCOL,
        implementation: { name, language: `JavaScript (Node.js ${process.versions.node})`, version },
        broadcasters: names.filter((n) => functions.has(n)),
      });
    } else if (op === 'call') {
      await call(req, functions, mode);
    } else if (op === 'stop') {
      break;
    } else {
      writeLine({ op: 'error', seq: req && Number.isInteger(req.seq) ? req.seq : 0, message: `unknown op ${JSON.stringify(op)}` });
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`cfc_adapter.js: ${errorText(e)}\n`);
    process.exit(2);
  });
