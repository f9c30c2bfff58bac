/* SPDX-License-Identifier: MIT */
/* The heavy path of fuzz_ndjson_stream: the same framing twice (in one
 * piece and in chunks the fuzzer's sizes choose), and every line of the
 * one-piece framing checked (an oversized one as such), where
 * fuzz_ndjson_stream checks one line an input. An 8 KB input holds a few
 * dozen lines, each a check, so this target runs at a fraction of the
 * other's rate; it keeps covered what only many checks in one input do
 * (one checker taking line after line, with its limit set to the line
 * limit). A check is a function of the line's bytes alone (the checker
 * keeps no state between events), so checking the chunked framing's lines
 * again would only repeat it: they are compared by their number, length
 * and bytes. */
/* One source, two targets: the framing and the checks are
 * fuzz_ndjson_stream.c's. */
#define CFC_FUZZ_NDJSON_ALL 1
#include "fuzz_ndjson_stream.c"
