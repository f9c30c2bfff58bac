/* SPDX-License-Identifier: MIT */
/* A capturing connection manager for tests: records what was sent and what
 * was logged, with a fixed clock and an optional failure to inject. */
#ifndef CFC_TEST_CAPTURE_H
#define CFC_TEST_CAPTURE_H

#include <stdio.h>
#include <string.h>

#include "cfc/reference.h"

typedef struct capture {
    cfc_manager m;
    int64_t now_ms;
    int fail_with;      /* what broadcast returns; 0 = success */
    int sends;          /* broadcast calls */
    int64_t project_id; /* of the last call */
    char last[8192];    /* the last text sent */
    size_t last_len;
    int errors; /* ERROR log lines */
    int debugs;
    char log[1024]; /* the last ERROR line */
} capture;

static inline int capture_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    capture *c = ctx;
    c->sends++;
    c->project_id = project_id;
    c->last_len = len;
    snprintf(c->last, sizeof c->last, "%.*s", (int)len, json);
    return c->fail_with;
}

static inline void capture_log(void *ctx, cfc_log_level level, const char *message)
{
    capture *c = ctx;
    if (level >= CFC_LOG_ERROR) {
        c->errors++;
        snprintf(c->log, sizeof c->log, "%s", message);
    } else {
        c->debugs++;
    }
}

/* 2025-11-08T14:30:45.123Z unless the test sets now_ms. */
static inline void capture_init(capture *c)
{
    memset(c, 0, sizeof *c);
    c->now_ms = INT64_C(1762612245123);
    c->m.broadcast = capture_broadcast;
    c->m.broadcast_ctx = c;
    c->m.log = capture_log;
    c->m.log_ctx = c;
    c->m.clock = cfc_clock_fixed;
    c->m.clock_ctx = &c->now_ms;
}

#endif
