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
#include <string.h>

#include "cfc/decode.h"
#include "cfc/generate.h"
#include "cfc/stream.h"
#include "support.h"

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
    uint8_t mode = cfc_fuzz_u8(&in) % 4;
    o.plain = cfc_fuzz_bool(&in);
    size_t count = 1 + cfc_fuzz_u8(&in) % 32;
    if (mode == 1)
        o.invalid_fraction = (double)cfc_fuzz_u8(&in) / 255.0;
    if (mode == 2) {
        o.invalid_fraction = 1;
        o.one_rule = true;
        o.rule = rules[cfc_fuzz_u8(&in) % n_rules];
    }
    o.stream = mode == 3;
    cfc_generator *g = cfc_generator_new(&o);
    cfc_stream_options so = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = o.stream ? cfc_stream_new(checker, &so) : NULL;
    CFC_FUZZ_ASSERT(g && (s || !o.stream), "cannot create a generator");
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
    cfc_generator_free(g);
    return 0;
}
