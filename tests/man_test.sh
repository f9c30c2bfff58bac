#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages (docs/man/*.1) are what scripts/gen-man makes from the
# current --help texts (so from the option tables): any drift fails, with
# the command that regenerates them. Each page renders without a warning.
#   man_test.sh SOURCE_DIR CFCONFORM
set -euo pipefail
src=$1 cfc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$src/scripts/gen-man" "$cfc" "$tmp"
if ! diff -ru "$src/docs/man" "$tmp"; then
  echo "FAIL: docs/man/ is stale: run scripts/gen-man build/cfconform docs/man" >&2
  exit 1
fi
n=0
for page in "$tmp"/*.1; do
  out=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  [ -z "$out" ] || { echo "FAIL: $(basename "$page"): $out" >&2; exit 1; }
  n=$((n + 1))
done
[ $n -ge 9 ] || { echo "FAIL: only $n pages" >&2; exit 1; }
echo "man pages: $n current, no warnings"
