// SPDX-License-Identifier: MIT
// `cfconform schema` checked by the official tools:
//  - JSON Schema 2020-12 (ajv): every valid corpus event and demo event
//    validates; every invalid corpus case that breaks a rule the schema
//    expresses is rejected (the others are listed, by rule, in the schema's
//    x-cfconform-not-expressed, and counted here);
//  - AsyncAPI 3.0: @asyncapi/parser parses it without an error;
//  - TypeScript: typed examples of every valid corpus event compile with
//    tsc --strict; a wrong one (agent_created with status "working") must not.
//   node schema_test.cjs SOURCE_DIR CFCONFORM DEMO_EVENTS_NDJSON
'use strict';
const path = require('path');
const fs = require('fs');
const os = require('os');
const { execFileSync, spawnSync } = require('child_process');
const [src, cfc, demo] = process.argv.slice(2);
const npm = path.join(src, 'tools', 'npm');
const req = require('module').createRequire(path.join(npm, 'package.json'));
const fail = (msg) => { console.log('FAIL: ' + msg); process.exit(1); };
const schemaOf = (format) => execFileSync(cfc, ['schema', '--format', format], { encoding: 'utf8' });

// ---- JSON Schema ------------------------------------------------------------
const Ajv2020 = req('ajv/dist/2020');
const addFormats = req('ajv-formats');
const schema = JSON.parse(schemaOf('json-schema'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
ajv.addKeyword('x-cfconform-not-expressed');
addFormats(ajv);
const validate = ajv.compile(schema);
const notExpressed = schema['x-cfconform-not-expressed'];
const rules = JSON.parse(execFileSync(cfc, ['rules', '--format', 'json'], { encoding: 'utf8' }));
for (const id of Object.keys(notExpressed))
  if (!rules.some((r) => r.id === id)) fail(`x-cfconform-not-expressed names no rule: ${id}`);

const validDir = path.join(src, 'corpus', 'valid');
const valid = fs.readdirSync(validDir).filter((f) => f.endsWith('.json')).sort();
const examples = [];
for (const f of valid) {
  const ev = JSON.parse(fs.readFileSync(path.join(validDir, f), 'utf8'));
  if (!validate(ev)) fail(`valid ${f} rejected: ${ajv.errorsText(validate.errors)}`);
  examples.push([f, ev]);
}
const demoEvents = fs.readFileSync(demo, 'utf8').split('\n').filter((l) => l.trim());
for (const line of demoEvents)
  if (!validate(JSON.parse(line))) fail(`demo event rejected: ${line}: ${ajv.errorsText(validate.errors)}`);
const types = new Set(examples.map(([, e]) => e.type));
if (types.size !== Object.keys(schema.$defs).length) fail(`valid corpus covers ${types.size} types`);

const invalidDir = path.join(src, 'corpus', 'invalid');
let rejected = 0;
const skipped = {};
for (const f of fs.readdirSync(invalidDir).filter((f) => f.endsWith('.json')).sort()) {
  const expect = fs.readFileSync(path.join(invalidDir, f.replace(/\.json$/, '.expect')), 'utf8')
    .split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
  const expressed = expect.filter((r) => !(r in notExpressed));
  if (expressed.length === 0) {
    for (const r of expect) skipped[r] = (skipped[r] || 0) + 1;
    continue;
  }
  let ev;
  try { ev = JSON.parse(fs.readFileSync(path.join(invalidDir, f), 'utf8')); } catch (e) {
    fail(`${f} breaks ${expressed} (expressed) but is not JSON`);
  }
  if (validate(ev)) fail(`invalid ${f} (${expect.join(', ')}) validated against the JSON Schema`);
  rejected++;
}
console.log(`json-schema: ${valid.length} valid corpus events and ${demoEvents.length} demo events validate; ` +
  `${rejected} invalid cases rejected; not expressible: ` +
  Object.entries(skipped).map(([r, n]) => `${r} ${n} (${notExpressed[r]})`).join('; '));
// A guard against a vacuous classification: most corpus cases are expressible.
if (rejected < 50) fail(`only ${rejected} invalid cases were expressible`);

// ---- AsyncAPI -----------------------------------------------------------------
async function asyncapi() {
  const { Parser } = req('@asyncapi/parser');
  const text = schemaOf('asyncapi');
  const { document, diagnostics } = await new Parser().parse(text);
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (!document || errors.length) fail('AsyncAPI: ' + JSON.stringify(errors.slice(0, 5), null, 1));
  const messages = document.allMessages().length;
  if (messages !== Object.keys(schema.$defs).length + 1) fail(`AsyncAPI has ${messages} messages`);
  if (document.version() !== '3.0.0') fail(`AsyncAPI version ${document.version()}`);
  console.log(`asyncapi: valid 3.0.0, ${messages} messages, ${diagnostics.length} diagnostics (no errors)`);
  // The parser is not a rubber stamp: a message without payload reference target fails.
  const broken = JSON.parse(text);
  broken.operations.receiveEvents.action = 'listen';
  const r = await new Parser().parse(JSON.stringify(broken));
  if (!r.diagnostics.some((d) => d.severity === 0)) fail('AsyncAPI parser accepted action "listen"');
}

// ---- TypeScript ---------------------------------------------------------------
function typescript() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfc-ts-'));
  try {
    fs.writeFileSync(path.join(dir, 'events.ts'), schemaOf('typescript'));
    const good = ['import type { CodeFrameEvent } from "./events";'];
    examples.forEach(([f, e], i) => good.push(`// ${f}\nexport const e${i}: CodeFrameEvent = ${JSON.stringify(e)};`));
    good.push('export function kind(e: CodeFrameEvent): string {',
      '    switch (e.type) {', '    case "task_blocked": return String(e.blocked_by[0] + e.blocked_count);',
      '    default: return e.type;', '    }', '}');
    fs.writeFileSync(path.join(dir, 'good.ts'), good.join('\n') + '\n');
    const agent = examples.find(([, e]) => e.type === 'agent_created')[1];
    fs.writeFileSync(path.join(dir, 'bad.ts'), 'import type { AgentCreated } from "./events";\n' +
      `export const bad: AgentCreated = ${JSON.stringify({ ...agent, status: 'working' })};\n`);
    const tsc = path.join(npm, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = (file) => spawnSync(process.execPath, [tsc, '--strict', '--noEmit', '--target', 'es2020',
      path.join(dir, file)], { encoding: 'utf8' });
    const g = run('good.ts');
    if (g.status !== 0) fail('tsc --strict rejected the typed examples:\n' + g.stdout + g.stderr);
    const b = run('bad.ts');
    if (b.status === 0 || !/TS2322/.test(b.stdout)) fail('tsc accepted agent_created with status "working":\n' + b.stdout);
    console.log(`typescript: ${examples.length} typed examples compile with tsc --strict; the wrong one does not (${b.stdout.match(/TS\d+/)[0]})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

asyncapi().then(() => { typescript(); console.log('schema: ok'); }).catch((e) => fail(e.stack));
