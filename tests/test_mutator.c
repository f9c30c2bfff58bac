/* SPDX-License-Identifier: MIT */
/* The contract-aware mutator: bounded, deterministic, mostly well-formed
 * events that break the contract in many ways; crossover; the byte-level
 * fallback; and the example of fuzz/examples/ finding its planted bug
 * under libFuzzer within a bounded number of executions. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/check.h"
#include "cfc_mutator.h"
#include "json.h"
#include "util.h"

#define MAX_SEEDS 64

static size_t load_seeds(char *seeds[], size_t lens[])
{
    DIR *d = opendir(CFC_SOURCE_DIR "/corpus/valid");
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < MAX_SEEDS;) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/corpus/valid/%s", CFC_SOURCE_DIR, e->d_name);
        seeds[n] = test_slurp(path, &lens[n]);
        n++;
    }
    closedir(d);
    return n;
}

Test(mutator, bounded_and_deterministic)
{
    char *seeds[MAX_SEEDS];
    size_t lens[MAX_SEEDS];
    size_t n = load_seeds(seeds, lens);
    static uint8_t a[4096], b[4096];
    for (unsigned s = 0; s < 3000; s++) {
        size_t k = s % n, max = s % 3 ? 4096 : lens[k] + 16;
        memcpy(a, seeds[k], lens[k]);
        memcpy(b, seeds[k], lens[k]);
        size_t la = cfc_mutate(a, lens[k], max, s), lb = cfc_mutate(b, lens[k], max, s);
        cr_assert(la > 0 && la <= max, "seed %u: size %zu of %zu", s, la, max);
        cr_assert(la == lb && memcmp(a, b, la) == 0, "seed %u is not deterministic", s);
    }
    cr_expect_eq(cfc_mutate(a, 0, 0, 1), 0);
    cr_expect_eq(cfc_mutate(a, 0, 10, 1) > 0, 1); /* from nothing, something */
    for (size_t i = 0; i < n; i++)
        free(seeds[i]);
}

/* Mutating the corpus, chained a few steps deep: most results are still
 * JSON objects (they reach a decoder's logic past its parser), and between
 * them they break most of the contract's single-event rules. The byte-level
 * mutator alone is measured the same way for comparison. */
static void campaign(bool bytes_only, double *objects, size_t *rules_hit)
{
    char *seeds[MAX_SEEDS];
    size_t lens[MAX_SEEDS];
    size_t n = load_seeds(seeds, lens);
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_jparser *p = cfc_jparser_new();
    static uint8_t buf[1 << 16];
    bool hit[CFC_RULE_COUNT] = {false};
    size_t total = 0, obj = 0, cur = 0;
    for (unsigned s = 0; s < 20000; s++) {
        if (s % 4 == 0) { /* a fresh seed, then three mutations on top of each other */
            cur = lens[(s / 4) % n];
            memcpy(buf, seeds[(s / 4) % n], cur);
        }
        cur = bytes_only ? cfc_mutate_bytes(buf, cur, sizeof buf, s)
                         : cfc_mutate(buf, cur, sizeof buf, s);
        const cfc_event_result *r;
        cr_assert_eq(cfc_check_event(c, (const char *)buf, cur, &r), CFC_CHECK_OK);
        for (size_t k = 0; k < CFC_RULE_COUNT; k++)
            hit[k] |= r->by_rule[k] > 0;
        cfc_jval *root;
        if (cfc_jparse(p, (const char *)buf, cur, NULL, &root, NULL, NULL, NULL) == 0 && root &&
            root->type == CFC_J_OBJECT)
            obj++;
        total++;
    }
    *objects = (double)obj / (double)total;
    *rules_hit = 0;
    for (size_t k = 0; k < CFC_RULE_COUNT; k++)
        *rules_hit += hit[k];
    cfc_jparser_free(p);
    cfc_checker_free(c);
    for (size_t i = 0; i < n; i++)
        free(seeds[i]);
}

Test(mutator, mostly_events_breaking_many_rules)
{
    double objects, byte_objects;
    size_t rules, byte_rules;
    campaign(false, &objects, &rules);
    campaign(true, &byte_objects, &byte_rules);
    cr_log_info("contract-aware: %.0f%% JSON objects, %zu rules hit; byte-level: %.0f%%, %zu rules",
                objects * 100, rules, byte_objects * 100, byte_rules);
    cr_expect_geq(objects, 0.6, "only %.0f%% of mutations are JSON objects", objects * 100);
    cr_expect_geq(rules, 35, "only %zu rules hit", rules);
    cr_expect_gt(rules, byte_rules);
    const unsigned long *counts = cfc_mutator_counts();
    for (int k = 0; k < CFC_MUT__COUNT; k++)
        cr_expect_gt(counts[k], 0, "no %s mutation", cfc_mutation_name((cfc_mutation)k));
}

static int byte_calls;

static size_t counting_bytes(uint8_t *data, size_t size, size_t max)
{
    (void)max;
    byte_calls++;
    if (size)
        data[0] ^= 1;
    return size;
}

Test(mutator, not_events_go_to_the_byte_mutator)
{
    cfc_mutator_set_byte_mutator(counting_bytes);
    uint8_t buf[64];
    for (unsigned s = 0; s < 100; s++) {
        memcpy(buf, "not json at all", 15);
        cr_assert_leq(cfc_mutate(buf, 15, sizeof buf, s), sizeof buf);
    }
    cr_expect_geq(byte_calls, 80);
    cfc_mutator_set_byte_mutator(NULL);
    byte_calls = 0;
    cfc_mutate(buf, 15, sizeof buf, 1);
    cr_expect_eq(byte_calls, 0);
}

Test(mutator, crossover_moves_a_field)
{
    const char *a = "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":45,"
                    "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}";
    const char *b = "{\"unblocked_by\":42}";
    uint8_t out[256];
    size_t n = cfc_crossover((const uint8_t *)a, strlen(a), (const uint8_t *)b, strlen(b), out,
                             sizeof out, 3);
    cr_assert_gt(n, 0);
    out[n] = '\0';
    cr_expect_not_null(strstr((char *)out, "\"unblocked_by\":42"), "%s", out);
    cr_expect_not_null(strstr((char *)out, "\"task_id\":45"), "%s", out);
    cfc_checker *c = cfc_checker_new(NULL);
    const cfc_event_result *r;
    cr_assert_eq(cfc_check_event(c, (char *)out, n, &r), CFC_CHECK_OK);
    cr_expect_eq(r->n_findings, 0, "%s", out);
    /* A field of the same name is replaced, not duplicated. */
    const char *b2 = "{\"task_id\":7}";
    n = cfc_crossover((const uint8_t *)a, strlen(a), (const uint8_t *)b2, strlen(b2), out,
                      sizeof out, 3);
    out[n] = '\0';
    cr_expect_not_null(strstr((char *)out, "\"task_id\":7,"), "%s", out);
    cr_expect_null(strstr((char *)out, "\"task_id\":45"), "%s", out);
    /* Not events: a prefix and a suffix, within the limit. */
    for (unsigned s = 0; s < 200; s++) {
        n = cfc_crossover((const uint8_t *)"abcdef", 6, (const uint8_t *)"UVWXYZ", 6, out, 5, s);
        cr_assert(n > 0 && n <= 5);
    }
    cfc_checker_free(c);
}

/* The example of docs/fuzzing-your-decoder.md, built with clang and
 * libFuzzer: under the contract-aware mutator the planted bug must be found
 * within 200,000 executions (it takes a few hundred; scripts/bench-mutator
 * measures it against byte mutation over several seeds). */
Test(example, finds_the_planted_bug_within_a_bounded_number_of_executions, .timeout = 280)
{
    if (!test_have_tool("clang"))
        test_missing_tool("clang is not installed (./scripts/setup installs it)");
    char *out;
    int rc = test_run("bash " CFC_SOURCE_DIR "/tests/mutator_example.sh " CFC_SOURCE_DIR
                      " 200000 1 mutator 2>&1",
                      &out);
    if (rc == 77) {
        cr_log_error("%s", out);
        free(out);
        test_missing_tool("clang or libFuzzer missing");
    }
    cr_log_info("%s", out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "found after"), "%s", out);
    cr_expect_not_null(strstr(out, "example_decoder.c"), "%s", out);
    free(out);
}
