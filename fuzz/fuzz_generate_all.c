/* SPDX-License-Identifier: MIT */
/* The heavy path of fuzz_generate: up to 32 events from one generator per
 * input, in every mode (valid, mixed, one rule, a stream), each checked
 * and decoded. fuzz_generate makes at most 4 an input; this target keeps
 * covered what only long runs of one generator reach: the enumeration of
 * each type's enum values and optional fields that valid events begin
 * with, and long streams (agents and tasks created, used and retired). The
 * fuzzer picks the generator's seed and options; every event it makes
 * keeps the generator's promise, checked by the checker: a valid event is
 * clean and decodes to the value it was made from, an invalid one fails
 * exactly its labelled rule, a stream satisfies the stream rules. */
/* One source, two targets: the checks are fuzz_generate.c's. */
#define CFC_FUZZ_GENERATE_ALL 1
#include "fuzz_generate.c"
