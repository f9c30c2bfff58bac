/* SPDX-License-Identifier: MIT */
/*
 * The event generator: deterministic (seeded) events from the contract
 * table, for feeding any decoder.
 *
 *     cfc_gen_options o = {.seed = 7, .invalid_fraction = 0.25};
 *     cfc_generator *g = cfc_generator_new(&o);
 *     cfc_gen_event e;
 *     for (int i = 0; i < 1000 && cfc_generator_next(g, &e) == 0; i++)
 *         feed(e.text, e.len);  // e.valid, or e.rule is the one rule it breaks
 *     cfc_generator_free(g);
 *
 * Valid events cover the whole space: every type, every enum value, optional
 * fields in every presence combination (the first events enumerate them
 * all, type by type; random ones follow), boundary values (IDs 1 and
 * 2^53-1, counts 0, percentages 0 and 100, years 0001 and 9999, leap days),
 * non-ASCII and escape-heavy strings, and -- unless `plain` -- the lexical
 * variety JSON allows: member order, whitespace, \u escapes, numbers written
 * as 1.5, 15e-1 or 1.50E0. Each is checked clean by the checker.
 *
 * An invalid event is a valid one with exactly one rule broken: the checker
 * reports that rule and no other (tests/test_generate.c holds the generator
 * to it over 100,000 events). Every single-event rule can be broken except
 * text-frame (a WebSocket framing fault, not bytes of an event); too-large
 * events (more than max_event_bytes each) are made only when asked for by
 * rule. Stream rules (S) are not broken: `stream` generates a coherent
 * multi-agent stream that satisfies them, checked by cfc_stream.
 *
 * Same options and seed, same events, on every platform: the generator
 * uses its own PRNG and no floating-point formatting that depends on the C
 * library's locale.
 */
#ifndef CFC_GENERATE_H
#define CFC_GENERATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfc/check.h"
#include "cfc/decode.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cfc_gen_options {
    uint64_t seed;
    /* Fraction of events that are invalid: 0 all valid, 1 all invalid. */
    double invalid_fraction;
    /* Which rule invalid events break: with one_rule, `rule` (any rule
     * cfc_gen_rule_supported accepts); without, each event one of the
     * rules cfc_gen_rule_default accepts, chosen at random. */
    bool one_rule;
    cfc_rule rule;
    /* A coherent stream (one project, agents created before use and never
     * used after retirement, ...): every event valid, invalid_fraction
     * must be 0. */
    bool stream;
    /* No lexical variety: compact, schema-order events. */
    bool plain;
    /* Valid events random from the first (no enumeration of the space
     * first): what the mutator wants from a reseeded generator. */
    bool random_only;
    /* The checker's limits the too-large and too-deep events must exceed
     * (0: the checker's defaults, 1 MiB and 64). */
    size_t max_event_bytes;
    unsigned max_depth;
} cfc_gen_options;

typedef struct cfc_gen_event {
    const char *text; /* the event, without a newline; owned by the generator */
    size_t len;
    bool valid;
    cfc_rule rule; /* !valid: the one rule it breaks */
    /* valid: the value it holds, for comparing with a decoder's output.
     * Strings and arrays belong to the generator. */
    const cfc_event *typed;
} cfc_gen_event;

typedef struct cfc_generator cfc_generator;

/* A generator, or NULL when out of memory or options are inconsistent
 * (stream with invalid events, a rule it cannot break). Free with
 * cfc_generator_free. */
cfc_generator *cfc_generator_new(const cfc_gen_options *opts);
void cfc_generator_free(cfc_generator *g); /* NULL ok */
/* Makes the generator what cfc_generator_new(opts) would make, keeping its
 * memory (the generate fuzz target starts one generator again for every
 * input). Returns 0, or -1 when the options are inconsistent (then the
 * generator is unchanged). */
int cfc_generator_restart(cfc_generator *g, const cfc_gen_options *opts);

/* The next event. Returns 0, or -1 when out of memory (*out untouched).
 * Everything *out points to is valid until the next call or the free. */
int cfc_generator_next(cfc_generator *g, cfc_gen_event *out);

/* Starts the generator's random sequence again from `seed`, keeping its
 * options and how far the cover of the valid space has got (the mutator
 * reseeds one generator per mutation, so that a seed gives one output). */
void cfc_generator_reseed(cfc_generator *g, uint64_t seed);

/* Whether the generator can break this rule, and whether it does so in the
 * default rotation (every breakable rule but too-large). */
bool cfc_gen_rule_supported(cfc_rule rule);
bool cfc_gen_rule_default(cfc_rule rule);

/* Why a rule cannot be generated (static text), NULL when it can. */
const char *cfc_gen_rule_unsupported_reason(cfc_rule rule);

#ifdef __cplusplus
}
#endif

#endif
