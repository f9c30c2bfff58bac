/* SPDX-License-Identifier: MIT */
/*
 * cfc-bench: `cfconform check` as a user runs it (the whole process, each
 * output format, --jobs 1 and 2) against a cJSON floor on the same file, in
 * the same run, and the checker's peak memory.
 *
 *   cfc-bench [EVENTS] [--runs K]       the table (default 1,000,000 events, 5 runs)
 *   cfc-bench [EVENTS] --stream         in-process, events generated and checked in
 *                                       chunks: peak RSS of the checker alone
 *   cfc-bench [EVENTS] --write FILE     only write the events (- for stdout)
 *
 * Generates EVENTS mixed events (all 11 types, realistic sizes, about 2%
 * invalid) with the reference broadcasters into a temporary file. Each run
 * times the floor, reading the file and cJSON_ParseWithLength + a walk over
 * every value + cJSON_Delete per line, then each `cfconform check` variant
 * on the file with its output to /dev/null. A variant's ratio is its wall
 * time over the floor's of the same run, so the machine's load, which moves
 * both, mostly cancels; the table shows medians over the runs. cfconform is
 * looked for beside this program.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* wait4 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

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

/* Touches every value, as a consumer of the tree would. */
static size_t walk(const cJSON *j)
{
    size_t n = 1;
    for (const cJSON *k = j->child; k != NULL; k = k->next)
        n += walk(k);
    return n;
}

/* The floor: read the file, parse, walk and free each line with cJSON. */
static double floor_run(const char *path, size_t *values)
{
    double t0 = now();
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    buffer b = {0};
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (append(&b, 0, chunk, n) != 0)
            return -1;
        b.len--; /* append adds a newline */
    }
    fclose(f);
    *values = 0;
    for (char *p = b.data, *end = b.data + b.len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            nl = end;
        cJSON *j = cJSON_ParseWithLength(p, (size_t)(nl - p));
        if (j != NULL)
            *values += walk(j);
        cJSON_Delete(j);
        p = nl + 1;
    }
    free(b.data);
    return now() - t0;
}

/* Runs `cfconform check ARGS... FILE` with stdout to /dev/null: wall time,
 * CPU time (user + system, all threads), peak RSS (KiB) and exit code. */
static double check_run(char **argv, double *cpu, long *rss_kb, int *code)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    double dt = now() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *rss_kb = ru.ru_maxrss;
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return *code == 0 || *code == 1 ? dt : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_RUNS 15

/* Each format with --jobs 1 and --jobs 2, in pairs: the table shows how
 * much a second thread gives for each. */
static const struct variant {
    const char *name;
    const char *args[4];
} variants[] = {
    {"check --quiet", {"--quiet", "--jobs", "1"}},
    {"check --quiet --jobs 2", {"--quiet", "--jobs", "2"}},
    {"check (text)", {"--jobs", "1"}},
    {"check (text) --jobs 2", {"--jobs", "2"}},
    {"check --format json", {"--format", "json", "--jobs", "1"}},
    {"check --format json --jobs 2", {"--format", "json", "--jobs", "2"}},
    {"check --format junit", {"--format", "junit", "--jobs", "1"}},
    {"check --format junit --jobs 2", {"--format", "junit", "--jobs", "2"}},
};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

/* The input goes to a temporary file and out of memory before anything is
 * timed: a forked child's peak RSS would otherwise count the parent's pages. */
static int table(const char *self, size_t n, int runs, buffer *b)
{
    char cfconform[4096];
    const char *slash = strrchr(self, '/');
    snprintf(cfconform, sizeof cfconform, "%.*scfconform", slash ? (int)(slash - self + 1) : 0,
             self);
    char path[] = "/tmp/cfc-bench-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 2;
    FILE *f = fdopen(fd, "wb");
    if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len || fclose(f) != 0) {
        unlink(path);
        return 2;
    }
    double mb = (double)b->len / 1e6;
    printf("input: %zu events, %.1f MB (avg %.0f bytes/event), %d runs\n", n, mb,
           (double)b->len / (double)n, runs);
    free(b->data);
    *b = (buffer){0};
    double floor_s[MAX_RUNS], wall[N_VARIANTS][MAX_RUNS], ratio[N_VARIANTS][MAX_RUNS];
    double cpu[N_VARIANTS][MAX_RUNS];
    long rss[N_VARIANTS] = {0};
    bool ok[N_VARIANTS];
    size_t values = 0;
    for (size_t v = 0; v < N_VARIANTS; v++)
        ok[v] = true;
    for (int r = 0; r < runs; r++) {
        floor_s[r] = floor_run(path, &values);
        if (floor_s[r] < 0) {
            unlink(path);
            return 2;
        }
        for (size_t v = 0; v < N_VARIANTS; v++) {
            char *argv[8] = {cfconform, "check"};
            int k = 2;
            for (int a = 0; a < 4 && variants[v].args[a]; a++)
                argv[k++] = (char *)variants[v].args[a];
            argv[k++] = path;
            long kb = 0;
            int code = 0;
            wall[v][r] = check_run(argv, &cpu[v][r], &kb, &code);
            if (wall[v][r] < 0)
                ok[v] = false;
            ratio[v][r] = wall[v][r] / floor_s[r];
            if (kb > rss[v])
                rss[v] = kb;
        }
    }
    unlink(path);
    double fl = median(floor_s, (size_t)runs);
    printf("%-30s %10s %8s %9s %8s %10s\n", "", "events/s", "MB/s", "/ floor", "CPU s", "peak RSS");
    printf("%-30s %10.0f %8.1f %9s %8s %10s  (%zu values)\n", "cJSON parse+walk+free (floor)",
           (double)n / fl, mb / fl, "1.00x", "-", "-", values);
    for (size_t v = 0; v < N_VARIANTS; v++) {
        if (!ok[v]) {
            printf("%-30s %10s (failed: %s built, with this option?)\n", variants[v].name, "-",
                   cfconform);
            continue;
        }
        double w = median(wall[v], (size_t)runs);
        printf("%-30s %10.0f %8.1f %8.2fx %8.2f %7ld KiB\n", variants[v].name, (double)n / w,
               mb / w, median(ratio[v], (size_t)runs), median(cpu[v], (size_t)runs), rss[v]);
    }
    /* The speed-up of a second thread, per format: each run's --jobs 1
     * time over its --jobs 2 time (the same load moves both), median. */
    printf("\n%-30s %10s\n", "--jobs 2 / --jobs 1", "events/s");
    for (size_t v = 0; v + 1 < N_VARIANTS; v += 2) {
        if (!ok[v] || !ok[v + 1])
            continue;
        double speedup[MAX_RUNS];
        for (int r = 0; r < runs; r++)
            speedup[r] = wall[v][r] / wall[v + 1][r];
        printf("%-30s %9.2fx\n", variants[v].name, median(speedup, (size_t)runs));
    }
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int stream = 0, runs = 5;
    const char *write_to = NULL;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--stream") == 0) {
            stream = 1;
        } else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc) {
            write_to = argv[++i];
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("usage: cfc-bench [EVENTS] [--stream] [--write FILE] [--runs N]   (default "
                 "1000000 events)");
            return 0;
        } else if (argv[i][0] >= '0' && argv[i][0] <= '9' &&
                   (n = (size_t)strtoull(argv[i], &end, 10)) > 0 && *end == '\0') {
            continue;
        } else {
            fprintf(stderr,
                    "cfc-bench: error: '%s' is not a number of events or --stream\n"
                    "usage: cfc-bench [EVENTS] [--stream] [--write FILE] [--runs N]\n",
                    argv[i]);
            return 2;
        }
    }
    if (runs < 1 || runs > MAX_RUNS || n == 0) {
        fprintf(stderr, "usage: cfc-bench [EVENTS] [--runs 1..%d] [--stream | --write FILE]\n",
                MAX_RUNS);
        return 2;
    }
    int64_t clock_ms = INT64_C(1762612245123);
    buffer b = {0};
    cfc_manager m = {
        .broadcast = append, .broadcast_ctx = &b, .clock = cfc_clock_fixed, .clock_ctx = &clock_ms};

    if (write_to != NULL) {
        /* In chunks, so that 10,000,000 events can be piped without 1.7 GB. */
        FILE *f = strcmp(write_to, "-") == 0 ? stdout : fopen(write_to, "wb");
        if (f == NULL)
            return 2;
        for (size_t i = 0; i < n;) {
            b.len = 0;
            for (size_t k = 0; k < 10000 && i < n; k++, i++)
                generate(&m, &b, i);
            if (fwrite(b.data, 1, b.len, f) != b.len)
                return 2;
        }
        free(b.data);
        return fclose(f) == 0 ? 0 : 2;
    }

    if (stream) {
        tally t = {.checker = cfc_checker_new(NULL)};
        t.stream = t.checker ? cfc_stream_new(t.checker, NULL) : NULL;
        cfc_framer *fr = cfc_framer_new(cfc_checker_max_event_bytes(t.checker), on_line, &t);
        if (t.checker == NULL || t.stream == NULL || fr == NULL)
            return 2;
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
        cfc_framer_free(fr);
        cfc_stream_free(t.stream);
        cfc_checker_free(t.checker);
        free(b.data);
        return 0;
    }

    for (size_t i = 0; i < n; i++)
        generate(&m, &b, i);
    int rc = table(argv[0], n, runs, &b);
    free(b.data);
    return rc;
}
