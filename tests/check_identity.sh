#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cfconform check` output stays byte-identical: every format (text, json,
# junit, and --quiet) over the corpus and over generated files, compared with
# the SHA-256 of the outputs recorded in tests/check_identity.sha256 (made by
# the implementation before the performance work of issue 14, so a faster
# checker cannot change a single byte). The exit code is recorded too. Each
# case also runs with --jobs 1 and --jobs 3 when cfconform has --jobs, which
# must give the very same bytes (the default is the number of cores).
#
#   tests/check_identity.sh CFCONFORM SOURCE_DIR           compare
#   tests/check_identity.sh CFCONFORM SOURCE_DIR --update  rewrite the hashes and
#                                                           the list of inputs
#
# --update is only for a deliberate change of the output (a new message, a
# new rule, a changed generator), never to make a refactoring pass.
set -euo pipefail
cfc=$(realpath "$1") src=$2 mode=${3:-}
golden="$src/tests/check_identity.sha256"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src"
export LC_ALL=C

# The inputs: the corpus of single events and streams (relative paths, since
# they appear in the output), the fuzzers' seeds (hostile bytes: escaping),
# and generated files, which are hashed too so that a changed generator is
# told apart from a changed checker.
# The list is recorded by --update (tests/check_identity.inputs), so that
# files added to the corpus later change nothing here.
manifest="$src/tests/check_identity.inputs"
if [ "$mode" = --update ]; then
  printf '%s\n' corpus/valid/*.json corpus/invalid/*.json corpus/streams/*.ndjson \
    corpus/fuzz/check_event/* corpus/fuzz/ndjson_stream/* > "$manifest"
fi
mapfile -t inputs < "$manifest"
for f in "${inputs[@]}"; do
  [ -f "$f" ] || { echo "FAIL: $f (listed in $manifest) is missing"; exit 1; }
done
"$cfc" generate --count 10000 --seed 14 --mix 0.3 > "$tmp/mixed.ndjson"
"$cfc" generate --stream --count 6000 --seed 3 > "$tmp/stream.ndjson"
cat "$tmp/stream.ndjson" "$tmp/mixed.ndjson" "$tmp/stream.ndjson" > "$tmp/gen.ndjson"

have_jobs=0
if "$cfc" check --help | grep -q -- '--jobs'; then have_jobs=1; fi

if [ "$have_jobs" = 1 ]; then
  for bad in 0 -1 x 257; do
    rc=0
    "$cfc" check --jobs "$bad" /dev/null > /dev/null 2>&1 || rc=$?
    [ "$rc" = 2 ] || { echo "FAIL: --jobs $bad exited $rc, not 2 (usage)"; exit 1; }
  done
fi

out="$tmp/actual.sha256"
: > "$out"
record() { # NAME, DIR to run in, then the command's arguments after `check`
  local name=$1 dir=$2
  shift 2
  local rc=0
  (cd "$dir" && "$cfc" check "$@") < "${stdin_from:-/dev/null}" > "$tmp/out" 2> "$tmp/err" || rc=$?
  local sum
  sum=$(sha256sum < "$tmp/out" | cut -d' ' -f1)
  echo "$name $sum $rc" >> "$out"
  if [ "$have_jobs" = 1 ] && [ "$mode" != --update ]; then
    for j in 1 3; do
      local rcj=0
      (cd "$dir" && "$cfc" check --jobs "$j" "$@") < "${stdin_from:-/dev/null}" > "$tmp/outj" 2> /dev/null || rcj=$?
      if ! cmp -s "$tmp/out" "$tmp/outj" || [ "$rc" != "$rcj" ]; then
        echo "FAIL: $name: --jobs $j differs from one job (exit $rcj vs $rc)"
        diff <(head -c 100000 "$tmp/out") <(head -c 100000 "$tmp/outj") | head -20 || true
        exit 1
      fi
    done
  fi
}

echo "generated-input $(sha256sum < "$tmp/gen.ndjson" | cut -d' ' -f1) 0" >> "$out"
# The generated files are named relative to $tmp: names appear in the output.
for fmt in text json junit; do
  record "corpus-$fmt" . --format "$fmt" "${inputs[@]}"
  record "gen-$fmt" "$tmp" --format "$fmt" gen.ndjson
  record "gen-strict-$fmt" "$tmp" --format "$fmt" --strict --from-start --project 1 gen.ndjson
  stdin_from=$tmp/mixed.ndjson record "stdin-$fmt" . --format "$fmt" -
done
record "corpus-quiet" . --quiet "${inputs[@]}"
record "gen-quiet-json" "$tmp" --quiet --format json gen.ndjson
record "gen-color" "$tmp" --color always gen.ndjson
# Lines over the limit (too-large, not given to the stream) among the rest.
record "gen-small-limit-json" "$tmp" --format json --max-event-bytes 200 gen.ndjson
# Each line on its own (no stream).
record "gen-events-text" "$tmp" --events gen.ndjson

if [ "$mode" = --update ]; then
  cp "$out" "$golden"
  echo "wrote $golden"
  exit 0
fi
if ! diff -u "$golden" "$out"; then
  if ! head -1 "$out" | cmp -s - <(head -1 "$golden"); then
    echo "FAIL: the generated input changed (cfconform generate): if that was deliberate," \
      "rerun with --update using an unchanged checker"
  else
    echo "FAIL: check's output differs from the recorded outputs. If the change is"
    echo "deliberate (a new message or rule), record it: $0 CFCONFORM SOURCE_DIR --update,"
    echo "then commit tests/check_identity.sha256 and .inputs (a refactoring must not need it)."
  fi
  exit 1
fi
echo "check output identical in $(wc -l < "$out") cases"
