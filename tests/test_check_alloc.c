/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure in the checker, as for the reference: over a sample of
 * the corpus, fail allocation N for N = 1, 2, 3... until a run completes with
 * no failure injected. Every run returns the out-of-memory status or
 * completes; none crashes, and every one frees all it allocated.
 *
 * A run that completes must give exactly the findings of a run without any
 * failure (rule, severity, pointer, offset, message, counts): out of memory
 * is reported, never turned into a finding dropped or changed. A check that
 * failed is retried on the same checker, which must then give those same
 * findings too (a failed check leaves the checker usable).
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "failing_alloc.h"
#include "cfc/check.h"
#include "util.h"

static const char config[] =
    "{\"rules\":{\"unknown-field\":\"error\"},\"enums\":{\"agent_created.agent_type\":[\"robot\","
    "\"human\"]}}";

/* A result as text: everything a report shows of it. Free it. */
static char *fingerprint(const cfc_event_result *r)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    cr_assert_not_null(f);
    fprintf(f, "type=%.*s n=%zu dropped=%zu errors=%zu warnings=%zu\n",
            r->type ? (int)r->type_len : 6, r->type ? r->type : "(null)", r->n_findings,
            r->n_dropped, r->errors, r->warnings);
    for (size_t i = 0; i < r->n_findings; i++) {
        const cfc_finding *x = &r->findings[i];
        fprintf(f, "%d %d %s %zu %s\n", (int)x->rule, (int)x->severity, x->pointer, x->offset,
                x->message);
    }
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++) {
        if (r->by_rule[i])
            fprintf(f, "by_rule[%zu]=%u\n", i, (unsigned)r->by_rule[i]);
    }
    cr_assert_eq(fclose(f), 0);
    return s;
}

/* What a run without any failure gives (set by sweep). */
static char *clean_result;

static void expect_clean(const cfc_event_result *r, const char *name, long n, const char *when)
{
    char *got = fingerprint(r);
    cr_assert_str_eq(got, clean_result, "%s: %s when allocation %ld failed", name, when, n);
    free(got);
}

/* One complete use of a checker: create, configure, check, free. Returns
 * whether it got to the end without an out-of-memory status. */
static bool one_run(counter *k, const char *text, size_t len, const char *name)
{
    cfc_allocator a = {c_malloc, c_realloc, c_free, k};
    cfc_check_options o = {.alloc = &a};
    cfc_checker *c = cfc_checker_new(&o);
    if (c == NULL)
        return false;
    bool ok = false;
    cfc_error err;
    cfc_check_status st = cfc_checker_configure(c, config, sizeof config - 1, &err);
    cr_assert(st == CFC_CHECK_OK || st == CFC_CHECK_NOMEM, "configure: %d", (int)st);
    if (st == CFC_CHECK_OK) {
        const cfc_event_result *r = NULL;
        st = cfc_check_event(c, text, len, &r);
        cr_assert(st == CFC_CHECK_OK || st == CFC_CHECK_NOMEM, "check: %d", (int)st);
        if (st == CFC_CHECK_OK && clean_result)
            expect_clean(r, name, k->fail_at, "the first check differs");
        else if (st == CFC_CHECK_OK)
            clean_result = fingerprint(r); /* the run without failure */
        /* twice: the second run reuses what the first allocated */
        if (st == CFC_CHECK_OK)
            st = cfc_check_event(c, text, len, &r);
        ok = st == CFC_CHECK_OK;
        if (ok) {
            cr_assert_not_null(r);
            if (clean_result)
                expect_clean(r, name, k->fail_at, "the second check differs");
        } else if (k->count >= k->fail_at && clean_result) {
            /* The failure was injected (only one allocation ever fails):
             * the same checker, asked again, gives the clean findings. */
            st = cfc_check_event(c, text, len, &r);
            cr_assert_eq(st, CFC_CHECK_OK, "%s: a check after out of memory (allocation %ld)", name,
                         k->fail_at);
            expect_clean(r, name, k->fail_at, "a check after out of memory differs");
        }
    }
    cfc_checker_free(c);
    return ok;
}

static void sweep(const char *dir, int every)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    int i = 0, files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".json") || i++ % every != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = test_slurp(path, &len);
        counter clean = {0};
        clean_result = NULL;
        cr_assert(one_run(&clean, text, len, e->d_name), "%s: a run without failure", e->d_name);
        cr_assert_not_null(clean_result);
        long n = 1;
        for (;; n++) {
            counter k = {.fail_at = n};
            bool ok = one_run(&k, text, len, e->d_name);
            cr_assert_eq(k.live, 0, "%s: %ld allocations leaked when allocation %ld failed",
                         e->d_name, k.live, n);
            if (ok && k.count < n)
                break; /* completed with no failure injected: all points covered */
            cr_assert_lt(n, 100000, "%s: no end to allocations", e->d_name);
        }
        cr_assert_gt(n, 3, "%s: the sweep covered only %ld allocations", e->d_name, n);
        free(clean_result);
        clean_result = NULL;
        free(text);
        files++;
    }
    closedir(d);
    cr_expect_gt(files, 5);
}

Test(check_alloc, valid_sample)
{
    sweep(CFC_SOURCE_DIR "/corpus/valid", 3);
}

Test(check_alloc, invalid_sample)
{
    sweep(CFC_SOURCE_DIR "/corpus/invalid", 5);
}
