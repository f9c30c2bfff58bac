// SPDX-License-Identifier: MIT
// Validates SARIF files against the official SARIF 2.1.0 JSON schema (the
// OASIS rtm.5 schema shipped in @microsoft/jest-sarif) with ajv.
//   node validate_sarif.cjs NPM_DIR FILE...
'use strict';
const path = require('path');
const fs = require('fs');
const npm = path.resolve(process.argv[2]);
const req = require('module').createRequire(path.join(npm, 'package.json'));
const Ajv = req('ajv-draft-04');
const addFormats = req('ajv-formats');
const schema = JSON.parse(fs.readFileSync(
  path.join(npm, 'node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// unicodeRegExp: false because the official schema's "language" pattern
// (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) is not valid with the u flag.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(3)) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!validate(doc)) {
    bad++;
    console.log(`${file}: INVALID`);
    for (const e of validate.errors.slice(0, 20)) console.log(`  ${e.instancePath} ${e.message}`);
  } else {
    const run = doc.runs[0];
    console.log(`${file}: valid SARIF 2.1.0 (${run.tool.driver.rules.length} rules, ${run.results.length} results)`);
  }
}
process.exit(bad ? 1 : 0);
