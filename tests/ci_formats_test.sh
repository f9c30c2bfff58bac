#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CI formats end to end: the corpus checked in one run with --format
# sarif on stdout and --report json/github/markdown/junit files beside it;
# the SARIF validates against the official schema (ajv), carries the whole
# rule catalogue and one result per finding of the JSON report; the other
# reports agree with it.
#   ci_formats_test.sh SOURCE_DIR CFCONFORM
set -euo pipefail
src=$1 cfc=$2
npm_dir=$src/tools/npm
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ ! -d "$npm_dir/node_modules/ajv-draft-04" ] || ! command -v node >/dev/null; then
  echo "node or tools/npm/node_modules missing: run ./scripts/setup" >&2
  [ "${CI:-}" = true ] && exit 1
  exit 77
fi

rc=0
"$cfc" check --format sarif --report json="$tmp/r.jsonl" --report github="$tmp/r.github" \
  --report markdown="$tmp/r.md" --report junit="$tmp/r.xml" \
  "$src"/corpus/invalid/*.json "$src"/corpus/valid/*.json > "$tmp/r.sarif" || rc=$?
[ $rc = 1 ] || fail "check of the corpus exited $rc, not 1"
node "$src/tests/js/validate_sarif.cjs" "$npm_dir" "$tmp/r.sarif" || fail "SARIF does not validate"
# The validator is not a rubber stamp: a wrong level must not validate.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["runs"][0]["results"][0]["level"]="fatal"; json.dump(d,open(sys.argv[2],"w"))' \
  "$tmp/r.sarif" "$tmp/bad.sarif"
if node "$src/tests/js/validate_sarif.cjs" "$npm_dir" "$tmp/bad.sarif" >/dev/null; then
  fail "a SARIF result with level \"fatal\" validated"
fi

# The same findings in every report.
counts=$(python3 - "$tmp" "$cfc" <<'PY'
import json, sys, subprocess
tmp, cfc = sys.argv[1], sys.argv[2]
sarif = json.load(open(f"{tmp}/r.sarif"))
run = sarif["runs"][0]
rules = json.loads(subprocess.check_output([cfc, "rules", "--format", "json"]))
assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r["id"] for r in rules], "rules differ"
lines = [json.loads(l) for l in open(f"{tmp}/r.jsonl")]
summary = lines[-1]["summary"]
kept = sum(len(l["findings"]) for l in lines[:-1])
assert len(run["results"]) == kept, (len(run["results"]), kept)
for res in run["results"]:
    assert run["tool"]["driver"]["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
assert run["properties"]["errors"] == summary["errors"]
assert run["properties"]["warnings"] == summary["warnings"]
# Each result sits where the JSON report says: file, line, offset + 1.
want = sorted((l["file"], l["line"], f["rule"], (f["offset"] + 1) if f["offset"] is not None else None)
              for l in lines[:-1] for f in l["findings"])
import urllib.parse
got = sorted((urllib.parse.unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
              r["locations"][0]["physicalLocation"]["region"]["startLine"], r["ruleId"],
              r["locations"][0]["physicalLocation"]["region"].get("startColumn"))
             for r in run["results"])
assert want == got, "SARIF locations differ from the JSON report's"
print(kept, summary["errors"], summary["warnings"], summary["events"], summary["ok"])
PY
) || fail "SARIF and JSON reports disagree"
read -r kept errors warnings events ok <<<"$counts"
echo "findings $kept, errors $errors, warnings $warnings, events $events"

# github: one workflow command per finding, and the summary line.
n=$(grep -cE '^::(error|warning|notice) file=[^,]+,line=[0-9]+(,col=[0-9]+)?,title=[a-z0-9-]+::' "$tmp/r.github")
[ "$n" = "$kept" ] || fail "github: $n commands for $kept findings"
tail -1 "$tmp/r.github" | grep -q "^cfconform: $events events, $((events - ok)) with errors; $errors errors, $warnings warnings$" \
  || fail "github summary: $(tail -1 "$tmp/r.github")"
[ "$(grep -vc '^::' "$tmp/r.github")" = 1 ] || fail "github: lines that are not commands"

# markdown: the heading, the counts, a row per rule, the capped findings table.
head -1 "$tmp/r.md" | grep -q "^### cfconform: $((events - ok)) of $events events have errors$" \
  || fail "markdown heading: $(head -1 "$tmp/r.md")"
grep -q "^| $events | $ok | $((events - ok)) | $errors | $warnings |$" "$tmp/r.md" || fail "markdown counts"
grep -q "^<details><summary>Findings (100 shown of $kept)</summary>$" "$tmp/r.md" || fail "markdown findings"

# junit: as before, beside the others.
xmllint --noout --schema "$src/tests/junit.xsd" "$tmp/r.xml" 2>/dev/null || fail "junit report"

# Clean input: SARIF with no results, exit 0.
"$cfc" check --format sarif "$src"/corpus/valid/*.json > "$tmp/ok.sarif" || fail "valid corpus"
node "$src/tests/js/validate_sarif.cjs" "$npm_dir" "$tmp/ok.sarif" || fail "clean SARIF"

# A report file that cannot be written is exit 2, named.
rc=0
"$cfc" check --report sarif=/nonexistent/dir/x.sarif "$src/corpus/valid/activity_update.json" \
  >/dev/null 2>"$tmp/err" || rc=$?
[ $rc = 2 ] && grep -q "/nonexistent/dir/x.sarif" "$tmp/err" || fail "unwritable report: exit $rc"
rc=0
"$cfc" check --report sarif "$src/corpus/valid/activity_update.json" >/dev/null 2>&1 || rc=$?
[ $rc = 2 ] || fail "--report without FORMAT=FILE: exit $rc"
echo "ci formats: ok"
