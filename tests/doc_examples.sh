#!/usr/bin/env bash
# Compiles and runs the typed decoder example of docs/fuzzing-your-decoder.md
# (the C block after the "example: decoder" marker) against the built
# libraries, fed by `cfconform generate`.
#   doc_examples.sh SRC_DIR BUILD_DIR CC "EXTRA_FLAGS"
set -euo pipefail
src=$1 build=$2 cc=$3 extra=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/<!-- example: decoder -->/{f=1; next} f && /^```c/{g=1; next} g && /^```/{exit} g' \
  "$src/docs/fuzzing-your-decoder.md" > "$tmp/decode.c"
test -s "$tmp/decode.c" || { echo "no decoder example in docs/fuzzing-your-decoder.md"; exit 1; }
"$cc" $extra -std=c11 -Wall -Wextra -Werror -I"$src/conformance/include" -I"$src/reference/include" \
  "$tmp/decode.c" "$build/libcfc_conformance.a" "$build/libcfc_checker.a" "$build/libcfc_reference.a" \
  $(pkg-config --cflags --libs libcjson) -lm -o "$tmp/decode"
"$build/cfconform" generate --count 40 --mix 0.3 --seed 5 > "$tmp/events.ndjson"
out=$("$tmp/decode" < "$tmp/events.ndjson")
echo "$out"
test "$(echo "$out" | wc -l)" -eq 40
echo "$out" | grep -q '^rejected ('
echo "$out" | grep -qE '^(agent_created|task_assigned|test_result|progress_update)$'
