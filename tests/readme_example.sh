#!/usr/bin/env bash
# Compiles and runs the producer example shown in README.md (the C block
# after the "example: producer" marker) against the built library.
set -euo pipefail
src=$1 lib=$2 cc=$3 extra=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/<!-- example: producer -->/{f=1; next} f && /^```c/{g=1; next} g && /^```/{exit} g' \
  "$src/README.md" > "$tmp/producer.c"
test -s "$tmp/producer.c" || { echo "no example found in README.md"; exit 1; }
"$cc" $extra -std=c11 -Wall -Wextra -Werror -I"$src/reference/include" "$tmp/producer.c" "$lib" \
  $(pkg-config --cflags --libs libcjson) -lm -o "$tmp/producer"
out=$("$tmp/producer")
echo "$out"
# The example broadcasts one agent_created event to stdout.
echo "$out" | grep -q '^{"type":"agent_created","project_id":1,"agent_id":"backend-worker-001","agent_type":"backend","status":"idle","tasks_completed":0,"timestamp":"[0-9-]*T[0-9:.]*Z"}$'
