/* SPDX-License-Identifier: MIT */
/*
 * cfc-demo: the demo producer. Plays the scenario through the reference
 * broadcasters and writes every event as one NDJSON line to stdout.
 *
 *   cfc-demo [--fixed-clock] [--project-id N]
 *
 * Exit codes: 0 success, 1 a broadcast failed, 2 usage or write error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/reference.h"
#include "scenario.h"
#include "serve.h"

/* --fixed-clock starts at the contract's own example instant and moves a
 * fixed step per event, so the output is byte-identical run to run. */
typedef struct fixed_clock {
    int64_t next_ms;
} fixed_clock;

static int fixed_tick(void *ctx, int64_t *unix_ms)
{
    fixed_clock *c = ctx;
    *unix_ms = c->next_ms;
    c->next_ms += 1337;
    return 0;
}

static int write_line(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    FILE *out = ctx;
    if (fwrite(json, 1, len, out) != len || fputc('\n', out) == EOF)
        return -1;
    return 0;
}

static void usage(FILE *f)
{
    fputs("usage: cfc-demo [--fixed-clock] [--project-id N]\n"
          "       cfc-demo serve --port P [--rate EVENTS_PER_S] [--loop]   (serve --help)\n"
          "\n"
          "Plays a multi-agent CodeFRAME project through the reference broadcasters\n"
          "and writes its events to stdout, one JSON object per line (NDJSON).\n"
          "\n"
          "  --fixed-clock    start at 2025-11-08T14:30:45.123Z and advance 1.337 s per\n"
          "                   event: byte-identical output on every run\n"
          "  --project-id N   project ID to broadcast for (default 1)\n"
          "  -h, --help       show this help\n"
          "\n"
          "Exit codes: 0 success, 1 a broadcast failed, 2 usage or write error.\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "serve") == 0)
        return cfc_demo_serve(argc - 1, argv + 1);
    int fixed = 0;
    int64_t project = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fixed-clock") == 0) {
            fixed = 1;
        } else if (strcmp(argv[i], "--project-id") == 0 && i + 1 < argc) {
            char *end;
            errno = 0;
            long long v = strtoll(argv[++i], &end, 10);
            if (errno || *end || v < 1 || v > CFC_MAX_SAFE_INTEGER) {
                fprintf(stderr,
                        "cfc-demo: error: --project-id wants an integer in 1..2^53-1, "
                        "got '%s'\n",
                        argv[i]);
                return 2;
            }
            project = v;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return fclose(stdout) == 0 ? 0 : 2;
        } else {
            fprintf(stderr, "cfc-demo: error: unknown argument '%s'\n", argv[i]);
            fputs("Try 'cfc-demo --help'.\n", stderr);
            return 2;
        }
    }

    /* 2025-11-08T14:30:45.123Z, the contract's first example. */
    fixed_clock clock = {.next_ms = INT64_C(1762612245123)};
    cfc_manager m = {.broadcast = write_line, .broadcast_ctx = stdout};
    if (fixed) {
        m.clock = fixed_tick;
        m.clock_ctx = &clock;
    }
    cfc_status s = cfc_demo_play(&m, project);
    int closed = fclose(stdout);
    if (s == CFC_BROADCAST || closed != 0) {
        fprintf(stderr, "cfc-demo: error: cannot write to stdout\n");
        return 2;
    }
    if (s != CFC_OK) {
        fprintf(stderr, "cfc-demo: error: the scenario stopped: %s\n", cfc_status_text(s));
        return 1;
    }
    return 0;
}
