#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every subcommand answers -h, --help and `help SUB` alike (exit 0, its own
# usage on stdout); mistakes get a "did you mean"; FORCE_COLOR; cfc-bench's
# arguments; bash completion from --help.
#   cli_help_test.sh SOURCE_DIR CFCONFORM CFC_BENCH
set -euo pipefail
src=$1 cfc=$2 bench=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for sub in $("$src/scripts/gen-man" "$cfc" --list); do
  "$cfc" "$sub" -h > "$tmp/h" 2>"$tmp/err" || fail "$sub -h exited $?: $(cat "$tmp/err")"
  head -1 "$tmp/h" | grep -q "^usage: cfconform $sub" || fail "$sub -h: $(head -1 "$tmp/h")"
  "$cfc" "$sub" --help > "$tmp/help"
  "$cfc" help "$sub" > "$tmp/helpsub"
  cmp -s "$tmp/h" "$tmp/help" && cmp -s "$tmp/h" "$tmp/helpsub" || fail "$sub: -h, --help, help differ"
  grep -q "^exit codes:" "$tmp/h" || fail "$sub --help documents no exit codes"
  echo "$sub -h: ok"
done
# fuzz-exec -h is help, not a decoder named -h; after -- it is the decoder's.
"$cfc" fuzz-exec -h | head -1 | grep -q "^usage: cfconform fuzz-exec" || fail "fuzz-exec -h"

expect_hint() { # expect_hint "HINT" ARGS...: exit 2 and the hint on stderr
  local hint=$1 rc=0; shift
  "$cfc" "$@" >/dev/null 2>"$tmp/err" || rc=$?
  [ $rc = 2 ] || fail "cfconform $*: exit $rc, not 2"
  grep -qF "$hint" "$tmp/err" || fail "cfconform $*: no '$hint' in: $(cat "$tmp/err")"
}
expect_hint "did you mean 'check'?" chekc
expect_hint "did you mean 'certify'?" certfy
expect_hint "did you mean '--strict'?" check --strcit
expect_hint "did you mean '--format'?" check --fromat=json
expect_hint "did you mean '--subscribe'?" watch --subscibe x ws://127.0.0.1:1/
expect_hint "did you mean '--adapter'?" certify --adaptor x
expect_hint "did you mean '--count'?" generate --cuont 3
expect_hint "did you mean '--runs'?" fuzz-exec --rusn 3 -- true
expect_hint "did you mean 'blocked-count'?" explain blocked-cout
expect_hint "did you mean '--help'?" generate --count 1 -h
rc=0; "$cfc" zzzzzz 2>"$tmp/err" || rc=$?
[ $rc = 2 ] && ! grep -q "did you mean" "$tmp/err" || fail "a far-off word got a suggestion"

# FORCE_COLOR colours a pipe; --color never and FORCE_COLOR=0 do not.
bad='{"type":"agent_created"}'
echo "$bad" | FORCE_COLOR=1 "$cfc" check > "$tmp/c" || true
grep -q $'\e\[' "$tmp/c" || fail "FORCE_COLOR=1 gave no colour"
echo "$bad" | FORCE_COLOR=1 NO_COLOR=1 "$cfc" check > "$tmp/c" || true
grep -q $'\e\[' "$tmp/c" || fail "FORCE_COLOR should win over NO_COLOR"
echo "$bad" | FORCE_COLOR=1 "$cfc" check --color never > "$tmp/c" || true
! grep -q $'\e\[' "$tmp/c" || fail "--color never coloured"
echo "$bad" | FORCE_COLOR=0 "$cfc" check > "$tmp/c" || true
! grep -q $'\e\[' "$tmp/c" || fail "FORCE_COLOR=0 coloured"

# cfc-bench: --help, and a non-number is exit 2 (not a run of 0 events).
"$bench" --help | grep -q "^usage: cfc-bench" || fail "cfc-bench --help"
for arg in abc 12x -5 0; do
  rc=0; "$bench" "$arg" >"$tmp/out" 2>&1 || rc=$?
  [ $rc = 2 ] || fail "cfc-bench $arg: exit $rc: $(cat "$tmp/out")"
done

# bash completion, from --help.
complete_words() { # complete_words WORDS...: the candidates for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cfconform; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$src/tools/completion/cfconform.bash" "$@"
}
[ "$(complete_words "$cfc" chec)" = check ] || fail "completion of 'chec': $(complete_words "$cfc" chec)"
complete_words "$cfc" s | grep -qx schema || fail "completion of 's'"
[ "$(complete_words "$cfc" check --stri)" = --strict ] || fail "completion of --stri"
complete_words "$cfc" check --format s | grep -qx sarif || fail "completion of --format s"
complete_words "$cfc" explain blocked-c | grep -qx blocked-count || fail "completion of a rule ID"
echo "cli help: ok"
