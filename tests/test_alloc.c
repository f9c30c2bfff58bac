/* SPDX-License-Identifier: MIT */
/*
 * Allocation failure, SQLite test_malloc style: for every broadcaster, fail
 * allocation N for N = 1, 2, 3... until a call succeeds with no failure
 * injected. Each run must return NOMEM or OK, send nothing half-built, and
 * leave no allocation behind.
 */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "calls.h"
#include "capture.h"

static long fail_at; /* the allocation number that fails; 0 = none */
static long count;   /* allocations attempted */
static long live;    /* allocations not yet freed */

static void *failing_malloc(size_t size)
{
    if (++count == fail_at)
        return NULL;
    void *p = malloc(size);
    if (p)
        live++;
    return p;
}

static void counting_free(void *p)
{
    if (p)
        live--;
    free(p);
}

static void install(void)
{
    cJSON_Hooks hooks = {failing_malloc, counting_free};
    cJSON_InitHooks(&hooks);
}

static void uninstall(void)
{
    cJSON_InitHooks(NULL);
}

TestSuite(alloc, .init = install, .fini = uninstall);

Test(alloc, every_broadcaster_every_allocation)
{
    for (size_t i = 0; i < N_ALL_CALLS; i++) {
        long n;
        int failures_seen = 0;
        for (n = 1; n < 10000; n++) {
            capture c;
            capture_init(&c);
            fail_at = n;
            count = 0;
            live = 0;
            cfc_status s = all_calls[i].call(&c.m);
            long attempted = count;
            fail_at = 0;
            cr_assert_eq(live, 0, "%s: %ld allocations leaked when allocation %ld failed",
                         all_calls[i].type, live, n);
            if (s == CFC_NOMEM) {
                failures_seen++;
                cr_assert_eq(c.sends, 0, "%s sent something after allocation %ld failed",
                             all_calls[i].type, n);
                cr_assert_eq(c.errors, 1);
                cr_assert(strstr(c.log, "out of memory") != NULL, "%s", c.log);
                continue;
            }
            cr_assert_eq(s, CFC_OK, "%s: status %s when allocation %ld failed", all_calls[i].type,
                         cfc_status_name(s), n);
            /* Success is only allowed once no injected failure was hit. */
            cr_assert_lt(attempted, n, "%s succeeded although allocation %ld failed",
                         all_calls[i].type, n);
            cr_assert_eq(c.sends, 1);
            break;
        }
        cr_expect_gt(failures_seen, 0, "%s allocated nothing?", all_calls[i].type);
        cr_expect_lt(n, 10000);
    }
}

Test(alloc, big_blocked_by_sort_copy_can_fail)
{
    int64_t ids[100];
    for (int i = 0; i < 100; i++)
        ids[i] = i + 1;
    capture c;
    capture_init(&c);
    fail_at = 1;
    count = 0;
    live = 0;
    cr_expect_eq(cfc_broadcast_task_blocked(&c.m, 1, 500, ids, 100, NULL), CFC_NOMEM);
    cr_expect_eq(c.sends, 0);
    cr_expect_eq(live, 0);
}
