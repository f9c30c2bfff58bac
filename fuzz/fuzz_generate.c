/* SPDX-License-Identifier: MIT */
/* The fuzzer picks the generator's seed and options; every event it makes
 * keeps the generator's promise, checked by the checker: a valid event is
 * clean and decodes to the value it was made from, an invalid one fails
 * exactly its labelled rule, a stream satisfies the stream rules.
 *
 * At most 4 events an input (each made, checked and decoded: 32 made this
 * target run at 1,500 inputs a second), and the mode byte's top bit asks for
 * random valid events from the first (random_only), so that every type is
 * reached in one event. fuzz_generate_all keeps the heavy path: up to 32
 * events an input, for the enumeration valid events begin with and long
 * streams. */
#include <string.h>

#include "cfc/decode.h"
#include "cfc/generate.h"
#include "cfc/stream.h"
#include "support.h"

/* fuzz_generate_all.c compiles this file with 1: up to 32 events an input. */
#ifndef CFC_FUZZ_GENERATE_ALL
#define CFC_FUZZ_GENERATE_ALL 0
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_checker *checker;
    static cfc_rule rules[CFC_RULE_COUNT];
    static size_t n_rules;
    if (checker == NULL) {
        cfc_check_options co = {.max_event_bytes = 8192, .max_depth = 24};
        if ((checker = cfc_checker_new(&co)) == NULL)
            cfc_fuzz_fail("cannot create a checker");
        for (size_t k = 0; k < CFC_RULE_COUNT; k++) {
            if (cfc_gen_rule_supported((cfc_rule)k))
                rules[n_rules++] = (cfc_rule)k;
        }
    }
    cfc_fuzz_reader in;
    cfc_fuzz_reader_init(&in, data, size);
    cfc_gen_options o = {.max_event_bytes = 8192, .max_depth = 24};
    for (int i = 0; i < 8; i++)
        o.seed = o.seed << 8 | cfc_fuzz_u8(&in);
    uint8_t how = cfc_fuzz_u8(&in);
    uint8_t mode = how % 4;
    /* The heavy path (fuzz_generate_all) keeps the enumeration valid events
     * begin with, so it never asks for random events from the first. */
    o.random_only = !CFC_FUZZ_GENERATE_ALL && (how & 0x80) != 0;
    o.plain = cfc_fuzz_bool(&in);
    size_t count = 1 + cfc_fuzz_u8(&in) % (CFC_FUZZ_GENERATE_ALL ? 32 : 4);
    if (mode == 1)
        o.invalid_fraction = (double)cfc_fuzz_u8(&in) / 255.0;
    if (mode == 2) {
        o.invalid_fraction = 1;
        o.one_rule = true;
        o.rule = rules[cfc_fuzz_u8(&in) % n_rules];
    }
    o.stream = mode == 3;
    /* One generator for the run, restarted for every input as a new one
     * (its memory kept): a generator made for every input was a large
     * allocation ASan filled and faulted in, a fifth of the target's time. */
    static cfc_generator *g;
    if (g == NULL)
        CFC_FUZZ_ASSERT((g = cfc_generator_new(&o)) != NULL, "cannot create a generator");
    else
        CFC_FUZZ_ASSERT(cfc_generator_restart(g, &o) == 0, "cannot restart the generator");
    cfc_stream_options so = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = o.stream ? cfc_stream_new(checker, &so) : NULL;
    CFC_FUZZ_ASSERT(s || !o.stream, "cannot create a stream");
    for (size_t i = 0; i < count; i++) {
        cfc_gen_event e;
        CFC_FUZZ_ASSERT(cfc_generator_next(g, &e) == 0, "generator failed");
        const cfc_event_result *r;
        size_t total = 0;
        if (s) {
            CFC_FUZZ_ASSERT(cfc_stream_check_event(s, e.text, e.len, &r) == CFC_CHECK_OK, "check");
            CFC_FUZZ_ASSERT(r->n_findings == 0, "stream event %zu: %s: %s", i,
                            cfc_rule_get(r->findings[0].rule)->id, r->findings[0].message);
            continue;
        }
        cfc_event *ev = NULL;
        cfc_decode_status st = cfc_event_decode(checker, e.text, e.len, &ev, &r);
        for (size_t k = 0; k < CFC_RULE_COUNT; k++)
            total += r->by_rule[k];
        if (e.valid) {
            CFC_FUZZ_ASSERT(total == 0 && st == CFC_DECODE_OK, "valid event with %s: %.*s",
                            r->n_findings ? cfc_rule_get(r->findings[0].rule)->id : "?", (int)e.len,
                            e.text);
            CFC_FUZZ_ASSERT(cfc_event_equal(ev, e.typed), "decodes to another value: %.*s",
                            (int)e.len, e.text);
        } else {
            CFC_FUZZ_ASSERT(r->by_rule[e.rule] > 0 && total == r->by_rule[e.rule],
                            "labelled %s, %zu findings, first %s: %.*s", cfc_rule_get(e.rule)->id,
                            total, r->n_findings ? cfc_rule_get(r->findings[0].rule)->id : "?",
                            (int)(e.len > 200 ? 200 : e.len), e.text);
        }
        cfc_event_free(ev);
    }
    cfc_stream_free(s);
    return 0;
}
