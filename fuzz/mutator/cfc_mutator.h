/* SPDX-License-Identifier: MIT */
/*
 * A contract-aware mutator for fuzzing CodeFRAME event decoders.
 *
 * Byte-level fuzzing spends most of its time on inputs that fail at the
 * first brace. This mutator parses the input as an event when it can (with
 * cfconform's strict parser) and mutates it at the contract level, driven
 * by the contract table: it switches the type, drops or duplicates a field,
 * adds a missing one, swaps an enum value for another or for a near miss
 * ("Working", "in-progress"), writes boundary and overflowing integers
 * (0, -1, 2^31, 2^53, 2^64), writes an integer as 1.0 or 1e0, bends
 * timestamps (6 fractional digits, +00:00, Feb 30, lower case), sets
 * blocked_count to something other than len(blocked_by), grows huge arrays
 * and deep nesting, and puts invalid UTF-8, lone surrogates, \u0000 and
 * control characters inside strings. Sometimes it replaces the input with a
 * freshly generated event (valid, or breaking one rule). Whatever does not
 * parse goes to a byte-level mutator -- libFuzzer's own when linked into a
 * fuzzer.
 *
 * With libFuzzer: link the cfc_mutator target (CMake) -- an object library
 * defining LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver -- into
 * your fuzz target; see fuzz/examples/ and docs/fuzzing-your-decoder.md.
 * Without libFuzzer (cfconform fuzz-exec, tests): call cfc_mutate directly.
 *
 * Not thread-safe: it keeps a parser and buffers between calls (as libFuzzer
 * runs one mutation at a time). Never aborts: if memory runs out, it falls
 * back to byte mutation.
 */
#ifndef CFC_MUTATOR_H
#define CFC_MUTATOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Mutates data[0, size) in place, within max_size bytes; returns the new
 * size (0 < size <= max_size unless max_size is 0). Same input and seed,
 * same output. */
size_t cfc_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* The built-in byte-level mutator alone (bit flips, byte changes, deleted
 * and copied runs, inserted contract and JSON tokens, changed digits): for
 * comparisons, and for programs without libFuzzer. */
size_t cfc_mutate_bytes(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* Combines two inputs into out (at most max_out bytes); returns its size.
 * Two events: a field of the second put into the first (replacing the field
 * of that name, or added). Otherwise a prefix of one and a suffix of the
 * other. */
size_t cfc_crossover(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint8_t *out,
                     size_t max_out, unsigned int seed);

/* The byte-level mutator used for inputs that are not events, and now and
 * then for variety. NULL restores the built-in one (flips, inserts, deletes
 * and copies bytes and contract tokens). The libFuzzer glue sets
 * LLVMFuzzerMutate. */
typedef size_t (*cfc_byte_mutator)(uint8_t *data, size_t size, size_t max_size);
void cfc_mutator_set_byte_mutator(cfc_byte_mutator fn);

/* What the mutator did, by kind, since the start (for measurements). */
typedef enum cfc_mutation {
    CFC_MUT_TYPE,       /* switched the type */
    CFC_MUT_DROP,       /* dropped a field */
    CFC_MUT_DUPLICATE,  /* duplicated a field */
    CFC_MUT_ADD,        /* added a field of the type (or an unknown one) */
    CFC_MUT_ENUM,       /* another enum value, or a near miss */
    CFC_MUT_INTEGER,    /* a boundary or overflowing integer */
    CFC_MUT_INT_FORM,   /* an integer written as 1.0, 1e0, -0 or "1" */
    CFC_MUT_TIMESTAMP,  /* a timestamp variant */
    CFC_MUT_COUNT,      /* a count that is not its array's length */
    CFC_MUT_ARRAY,      /* a huge, empty or odd array */
    CFC_MUT_DEPTH,      /* deep nesting */
    CFC_MUT_STRING,     /* invalid UTF-8, surrogates, NUL, control chars, long strings */
    CFC_MUT_VALUE_TYPE, /* null, or a value of another JSON type */
    CFC_MUT_FRESH,      /* a freshly generated event */
    CFC_MUT_BYTES,      /* byte-level */
    CFC_MUT__COUNT
} cfc_mutation;

/* Mutations made of each kind (CFC_MUT__COUNT entries). */
const unsigned long *cfc_mutator_counts(void);
/* "type", "drop", ... (static). */
const char *cfc_mutation_name(cfc_mutation m);

#ifdef __cplusplus
}
#endif

#endif
