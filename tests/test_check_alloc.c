/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure in the checker, as for the reference: over a sample of
 * the corpus, fail allocation N for N = 1, 2, 3... until a run completes with
 * no failure injected. Every run returns the out-of-memory status or
 * completes; none crashes, and every one frees all it allocated.
 */
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

/* One complete use of a checker: create, configure, check, free. Returns
 * whether it got to the end without an out-of-memory status. */
static bool one_run(counter *k, const char *text, size_t len)
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
        /* twice: the second run reuses what the first allocated */
        if (st == CFC_CHECK_OK)
            st = cfc_check_event(c, text, len, &r);
        ok = st == CFC_CHECK_OK;
        if (ok)
            cr_assert_not_null(r);
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
        long n = 1;
        for (;; n++) {
            counter k = {.fail_at = n};
            bool ok = one_run(&k, text, len);
            cr_assert_eq(k.live, 0, "%s: %ld allocations leaked when allocation %ld failed",
                         e->d_name, k.live, n);
            if (ok && k.count < n)
                break; /* completed with no failure injected: all points covered */
            cr_assert_lt(n, 100000, "%s: no end to allocations", e->d_name);
        }
        cr_assert_gt(n, 3, "%s: the sweep covered only %ld allocations", e->d_name, n);
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
