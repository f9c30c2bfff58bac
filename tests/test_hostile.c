/* SPDX-License-Identifier: MIT */
/*
 * Slow inputs are bugs: checking time must be linear in input size. Each
 * hostile 1 MiB shape is timed against 1 MiB of ordinary events in the same
 * run, and must stay within a generous ratio of it -- a ratio, not an
 * absolute time, so a slow or loaded machine (or ASan, or valgrind) does
 * not change the verdict, while anything quadratic blows far past it.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfc/check.h"

#define MIB ((size_t)1 << 20)
/* Generous: a linear but branchy shape may cost several times an ordinary
 * event per byte; a quadratic one on 1 MiB costs thousands of times more. */
#define MAX_RATIO 40.0

typedef struct input {
    char *data;
    size_t len;
} input;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The best of three: the least disturbed by whatever else runs. */
static double time_check(cfc_checker *c, const input *in, size_t *findings)
{
    double best = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        const cfc_event_result *r;
        cr_assert_eq(cfc_check_event(c, in->data, in->len, &r), CFC_CHECK_OK);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
        *findings = r->n_findings + r->n_dropped;
    }
    return best;
}

typedef struct builder {
    char *p;
    size_t len;
} builder;

static void put(builder *b, const char *s)
{
    size_t n = strlen(s);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static input make(const char *shape)
{
    builder b = {malloc(MIB + 4096), 0};
    cr_assert_not_null(b.p);
    char tmp[64];
    if (strcmp(shape, "ordinary") == 0) {
        /* 1 MiB of ordinary events, checked one at a time (see below) */
        while (b.len < MIB - 300)
            put(&b,
                "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43],"
                "\"blocked_count\":2,\"task_title\":\"Create user dashboard component\","
                "\"timestamp\":\"2025-11-08T14:32:15.456Z\"}\n");
    } else if (strcmp(shape, "deep-arrays") == 0) {
        put(&b, "{\"type\":\"x\",\"a\":");
        while (b.len < MIB / 2)
            put(&b, "[");
        while (b.len < MIB - 2)
            put(&b, "]");
        put(&b, "}");
    } else if (strcmp(shape, "escapes") == 0) {
        put(&b, "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":\"a\","
                "\"task_title\":\"");
        while (b.len < MIB - 64)
            put(&b, "\\u00e9\\n\\\"\\ud83d\\ude00\\\\\\u0000\\ud800");
        put(&b, "\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else if (strcmp(shape, "many-keys") == 0) {
        put(&b, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":2");
        for (int i = 0; b.len < MIB - 64; i++) {
            snprintf(tmp, sizeof tmp, ",\"k%d\":%d", i, i);
            put(&b, tmp);
        }
        put(&b, ",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else if (strcmp(shape, "duplicate-keys") == 0) {
        put(&b, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":2");
        while (b.len < MIB - 64)
            put(&b, ",\"task_id\":3");
        put(&b, ",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else if (strcmp(shape, "huge-number") == 0) {
        put(&b, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":1");
        while (b.len < MIB / 2)
            put(&b, "9999999999");
        put(&b, ".");
        while (b.len < MIB - 64)
            put(&b, "1234567890");
        put(&b, "e-99999,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else if (strcmp(shape, "bad-utf8") == 0) {
        put(&b, "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":\"");
        while (b.len < MIB - 64)
            put(&b, "\xC0\xAF\xED\xA0\x80\xFF\x01");
        put(&b, "\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else if (strcmp(shape, "long-blocked-by") == 0) {
        put(&b, "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":1,\"blocked_by\":[2");
        for (int i = 3; b.len < MIB - 128; i++) {
            snprintf(tmp, sizeof tmp, ",%d", i % 50000 + 2);
            put(&b, tmp);
        }
        put(&b, "],\"blocked_count\":1,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    } else {
        cr_assert_fail("unknown shape %s", shape);
    }
    return (input){b.p, b.len};
}

/* 1 MiB of ordinary events, one event per check, as the CLI does. */
static double time_ordinary(cfc_checker *c)
{
    input in = make("ordinary");
    double best = 1e9;
    for (int round = 0; round < 3; round++) {
        double t0 = now();
        for (char *p = in.data, *end = in.data + in.len; p < end;) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            const cfc_event_result *r;
            cr_assert_eq(cfc_check_event(c, p, (size_t)(nl - p), &r), CFC_CHECK_OK);
            cr_assert_eq(r->n_findings, 0);
            p = nl + 1;
        }
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    free(in.data);
    return best;
}

static const char *const shapes[] = {"deep-arrays", "escapes",  "many-keys",      "duplicate-keys",
                                     "huge-number", "bad-utf8", "long-blocked-by"};

Test(hostile, one_mib_of_each_shape_is_linear)
{
    cfc_check_options o = {.max_event_bytes = 2 * MIB};
    cfc_checker *c = cfc_checker_new(&o);
    double base = time_ordinary(c);
    cr_assert_gt(base, 0);
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        input in = make(shapes[i]);
        size_t findings = 0;
        double t = time_check(c, &in, &findings);
        double ratio = t / base;
        cr_log_info("%-16s %7.2f ms (ordinary 1 MiB: %.2f ms) ratio %.2f, %zu findings", shapes[i],
                    t * 1e3, base * 1e3, ratio, findings);
        cr_expect_lt(ratio, MAX_RATIO, "%s took %.1fx as long as 1 MiB of ordinary events",
                     shapes[i], ratio);
        free(in.data);
    }
    cfc_checker_free(c);
}
