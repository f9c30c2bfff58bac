/* SPDX-License-Identifier: MIT */
/*
 * cfc-bench: the checker's throughput against a cJSON parse-only floor over
 * the same bytes, and its peak memory.
 *
 *   cfc-bench [EVENTS] [--stream]
 *
 * Generates EVENTS mixed events (all 11 types, realistic sizes, about 2%
 * invalid) with the reference broadcasters, then times, over the same
 * buffer: (a) cJSON_ParseWithLength + cJSON_Delete per line, the floor;
 * (b) the full check as `cfconform check` runs it (framing, strict parse,
 * every event rule and the stream rules) per line. Prints events/s,
 * MB/s, the ratio, and peak RSS.
 *
 * --stream does not keep the events in memory: it generates and checks them
 * chunk by chunk, so peak RSS shows the checker's own footprint; run it with
 * N and 10*N to see memory independent of input size.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cfc/check.h"
#include "cfc/ndjson.h"
#include "cfc/reference.h"
#include "cfc/stream.h"

typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static int append(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    buffer *b = ctx;
    if (b->len + len + 1 > b->cap) {
        size_t n = b->cap ? b->cap * 2 : 1 << 20;
        while (n < b->len + len + 1)
            n *= 2;
        char *q = realloc(b->data, n);
        if (q == NULL)
            return -1;
        b->data = q;
        b->cap = n;
    }
    memcpy(b->data + b->len, json, len);
    b->len += len;
    b->data[b->len++] = '\n';
    return 0;
}

static uint64_t rng = 88172645463325252u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* One event of a random type; about 2% are then broken by hand. */
static void generate(const cfc_manager *m, buffer *b, size_t i)
{
    static const char *agents[] = {"backend-worker-001", "frontend-worker-002", "test-worker-003"};
    static const char *titles[] = {"Create API endpoint for user registration",
                                   "Create user dashboard component", "Write integration tests"};
    const char *agent = agents[i % 3];
    const char *title = titles[(i / 3) % 3];
    int64_t task = (int64_t)(i % 500) + 1, pct = (int64_t)(next() % 101);
    size_t before = b->len;
    switch (next() % 11) {
    case 0: cfc_broadcast_agent_created(m, 1, agent, "backend", 0); break;
    case 1: {
        /* A stream-coherent retirement: an agent nothing names afterwards. */
        char retired[48];
        snprintf(retired, sizeof retired, "retired-worker-%zu", i);
        cfc_broadcast_agent_retired(m, 1, retired, (int64_t)(i % 40));
        break;
    }
    case 2: cfc_broadcast_agent_status(m, 1, agent, "working", &task, title, &pct); break;
    case 3: cfc_broadcast_task_assigned(m, 1, task, agent, title); break;
    case 4: cfc_broadcast_task_status(m, 1, task, "in_progress", agent, &pct); break;
    case 5: {
        int64_t by[3] = {task + 1, task + 2, task + 3};
        cfc_broadcast_task_blocked(m, 1, task, by, 1 + i % 3, title);
        break;
    }
    case 6: cfc_broadcast_task_unblocked(m, 1, task, &(int64_t){task + 1}, title); break;
    case 7: cfc_broadcast_test_result(m, 1, task, "failed", 40, 2, 1, 3, 12.75); break;
    case 8:
        cfc_broadcast_activity_update(m, 1, "task", agent, "Agent started working on the task",
                                      &task);
        break;
    case 9:
        cfc_broadcast_correction_attempt(m, 1, task, 2, 3, "failed", "AssertionError: 500");
        break;
    default: cfc_broadcast_progress_update(m, 1, (int64_t)(i % 100), 100, NULL); break;
    }
    if (next() % 50 == 0 && b->len > before + 30) {
        /* A realistic mistake: Python's isoformat() timestamp. */
        b->len -= 3; /* "Z}\n" */
        append(b, 0, "456+00:00\"}", 11);
        b->data[b->len - 1 - 12 - 1] = '3';
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct tally {
    cfc_checker *checker;
    cfc_stream *stream;
    size_t events, errors, bad_events;
} tally;

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    (void)line;
    tally *t = ctx;
    const cfc_event_result *r;
    if (cfc_stream_check_event(t->stream, bytes, len, &r) != CFC_CHECK_OK)
        return -1;
    t->events++;
    t->errors += r->errors;
    t->bad_events += r->errors > 0;
    return 0;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int stream = 0;
    const char *write_to = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--stream") == 0)
            stream = 1;
        else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
            write_to = argv[++i];
        else
            n = (size_t)strtoull(argv[i], NULL, 10);
    }
    int64_t clock_ms = INT64_C(1762612245123);
    buffer b = {0};
    cfc_manager m = {
        .broadcast = append, .broadcast_ctx = &b, .clock = cfc_clock_fixed, .clock_ctx = &clock_ms};
    tally t = {.checker = cfc_checker_new(NULL)};
    t.stream = t.checker ? cfc_stream_new(t.checker, NULL) : NULL;
    cfc_framer *fr = cfc_framer_new(cfc_checker_max_event_bytes(t.checker), on_line, &t);
    if (t.checker == NULL || t.stream == NULL || fr == NULL)
        return 2;

    if (stream) {
        /* Generate and check in chunks of 10,000 events: memory stays flat. */
        double t0 = now();
        size_t bytes = 0;
        for (size_t i = 0; i < n;) {
            b.len = 0;
            for (size_t k = 0; k < 10000 && i < n; k++, i++)
                generate(&m, &b, i);
            bytes += b.len;
            if (cfc_framer_feed(fr, b.data, b.len) != 0)
                return 2;
        }
        cfc_framer_finish(fr);
        double dt = now() - t0;
        printf("stream: %zu events, %.1f MB generated and checked in %.2f s; %zu with errors; "
               "peak RSS %ld KiB\n",
               t.events, (double)bytes / 1e6, dt, t.bad_events, peak_rss_kb());
        return 0;
    }

    for (size_t i = 0; i < n; i++)
        generate(&m, &b, i);
    if (write_to != NULL) {
        FILE *f = fopen(write_to, "wb");
        if (f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
            return 2;
        return 0;
    }
    double mb = (double)b.len / 1e6;
    printf("input: %zu events, %.1f MB (avg %.0f bytes/event)\n", n, mb, (double)b.len / (double)n);

    /* (a) the floor: cJSON parse only, same lines. */
    double t0 = now();
    size_t parsed = 0;
    for (char *p = b.data, *end = b.data + b.len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
        parsed += j != NULL;
        cJSON_Delete(j);
        p = nl + 1;
    }
    double floor_s = now() - t0;

    /* (b) the full check through the framing layer. */
    t0 = now();
    if (cfc_framer_feed(fr, b.data, b.len) != 0 || cfc_framer_finish(fr) != 0)
        return 2;
    double check_s = now() - t0;

    printf("cJSON parse floor: %8.0f events/s %7.1f MB/s (%zu parsed)\n", (double)n / floor_s,
           mb / floor_s, parsed);
    printf("full check:        %8.0f events/s %7.1f MB/s (%zu events, %zu with errors)\n",
           (double)t.events / check_s, mb / check_s, t.events, t.bad_events);
    printf("check / floor throughput: %.0f%%\n", 100.0 * floor_s / check_s);
    printf("peak RSS: %ld KiB (includes the %.1f MB input held in memory)\n", peak_rss_kb(), mb);
    cfc_framer_free(fr);
    cfc_stream_free(t.stream);
    cfc_checker_free(t.checker);
    free(b.data);
    return 0;
}
