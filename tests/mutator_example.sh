#!/usr/bin/env bash
# Builds the example of fuzz/examples/ with clang and libFuzzer -- the
# example decoder (with its planted bug), its fuzz target, and (unless
# "plain") the contract-aware mutator -- and fuzzes it from corpus/valid
# until the bug is found or RUNS executions have passed.
#
#   mutator_example.sh SRC_DIR RUNS SEED [mutator|plain]
#
# Prints "found after N executions" and exits 0, or "not found" and exits 1;
# exits 77 (CTest's skip) when clang or libFuzzer is missing.
set -euo pipefail
src=$1 runs=$2 seed=$3 variant=${4:-mutator}
command -v clang >/dev/null || { echo "SKIP: no clang"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { (void)d; (void)n; return 0; }' > "$tmp/probe.c"
clang -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" 2>/dev/null || { echo "SKIP: no libFuzzer"; exit 77; }

inc=(-I"$src/conformance/include" -I"$src/reference/include" -I"$src/conformance/core" -I"$src/conformance/decode"
     -I"$src/fuzz/mutator" -I"$src/fuzz/examples")
libs=()
if [ "$variant" = mutator ]; then
  # The mutator and what it needs: the strict parser, the rule catalogue, the
  # generator and the contract table. Not instrumented for coverage: only
  # the decoder under test is.
  libs=(conformance/core/json.c conformance/core/check.c conformance/decode/generate.c
        conformance/decode/generate_valid.c conformance/decode/generate_doc.c
        conformance/decode/generate_break.c conformance/decode/generate_stream.c
        conformance/decode/event_map.c reference/src/contract.c reference/src/contract_rules.c
        reference/src/timestamp.c
        fuzz/mutator/mutator.c fuzz/mutator/libfuzzer.c)
fi
objs=()
for f in "${libs[@]}"; do
  o="$tmp/$(basename "$f" .c).o"
  clang -std=c11 -O1 -g -fsanitize=address "${inc[@]}" -c "$src/$f" -o "$o"
  objs+=("$o")
done
clang -std=c11 -O1 -g -fsanitize=fuzzer,address "${inc[@]}" \
  "$src/fuzz/examples/fuzz_example_decoder.c" "$src/fuzz/examples/example_decoder.c" \
  "${objs[@]}" $(pkg-config --cflags --libs libcjson) -lm -o "$tmp/fuzz_example"

mkdir "$tmp/corpus"
cp "$src"/corpus/valid/*.json "$tmp/corpus/"
set +e
"$tmp/fuzz_example" -seed="$seed" -runs="$runs" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$tmp/" "$tmp/corpus" > "$tmp/log" 2>&1
set -e
execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$tmp/log" | tail -n 1)
if grep -q 'heap-buffer-overflow' "$tmp/log" && grep -q 'in task_blocked' "$tmp/log"; then
  echo "found after ${execs:-?} executions ($variant, seed $seed)"
  grep -m1 -A3 'ERROR: AddressSanitizer' "$tmp/log" | head -n 4
  exit 0
fi
echo "not found in ${execs:-$runs} executions ($variant, seed $seed)"
tail -n 5 "$tmp/log"
exit 1
