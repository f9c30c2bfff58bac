/* SPDX-License-Identifier: MIT */
/*
 * cfconform check: NDJSON files or stdin, each input checked as one stream,
 * or with --events each line on its own (no stream rules).
 * The top-level usage lives here too, since it lists check's options.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/ndjson.h"
#include "cfc/report.h"
#include "cfc/stream.h"
#include "check_jobs.h"
#include "cli.h"
#include "report_ext.h"

/* `check` has the shared options (cli_options.c) and these. */
enum { OPT_HELP = 1, OPT_JOBS, OPT_MIN_EVENTS };
static const cfc_cli_option check_only[] = {
    {OPT_JOBS, "--jobs", "N",
     "check on N threads (default: the number of cores); the output is the same"},
    {OPT_MIN_EVENTS, "--min-events", "N",
     "fewer than N events in all is exit 1 (a producer that printed nothing must not pass)"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_CHECK_ONLY (sizeof check_only / sizeof check_only[0])

void cfc_cli_usage(FILE *f)
{
    fputs("usage: cfconform check [OPTIONS] [FILE...]   check NDJSON events (stdin when no FILE or "
          "-)\n"
          "       cfconform rules [--format text|json]  list the rule catalogue\n"
          "       cfconform explain RULE                a rule, its reference and examples\n"
          "       cfconform watch [OPTIONS] URL         check a live WebSocket producer (watch "
          "--help)\n"
          "       cfconform certify --adapter CMD       certify a broadcaster implementation "
          "(certify --help)\n"
          "       cfconform generate [OPTIONS]          seeded events for feeding a decoder "
          "(generate --help)\n"
          "       cfconform fuzz-exec [OPTIONS] -- CMD  fuzz a decoder in any language (fuzz-exec "
          "--help)\n"
          "       cfconform schema [--format F]         the contract as JSON Schema, AsyncAPI or "
          "TypeScript\n"
          "       cfconform help COMMAND                a command's options (also COMMAND -h)\n"
          "       cfconform --version\n"
          "\n"
          "check options:\n",
          f);
    cfc_cli_print_options(f, cfc_cli_checking_options, cfc_cli_n_checking_options);
    cfc_cli_print_options(f, check_only, N_CHECK_ONLY);
    fputs("\nexit codes: 0 no errors, 1 errors found (or warnings with --fail-on warning),\n"
          "            2 usage or I/O error (missing file, unreadable input, write error;\n"
          "              the other inputs are still checked)\n",
          f);
}

/* check --help: check's own page (the top-level usage lists every command). */
static void check_usage(FILE *f)
{
    fputs("usage: cfconform check [OPTIONS] [FILE...]\n"
          "\n"
          "Checks NDJSON events, one per line, against the contract: each FILE (stdin\n"
          "when there is none, or for -) is checked as one stream of a producer. Every\n"
          "finding is printed as FILE:LINE:COLUMN (1-based; JSON's offset is the 0-based\n"
          "byte offset), then a summary; --report writes more reports from the same run.\n"
          "\n"
          "options:\n",
          f);
    cfc_cli_print_options(f, cfc_cli_checking_options, cfc_cli_n_checking_options);
    cfc_cli_print_options(f, check_only, N_CHECK_ONLY);
    fputs("\nexit codes: 0 no errors, 1 errors found (or warnings with --fail-on warning),\n"
          "            2 usage or I/O error (missing file, unreadable input, write error)\n",
          f);
}

/* ---- check ------------------------------------------------------------- */

typedef struct run run;
static void free_workers(run *r);

struct run {
    cfc_checker *checker;
    cfc_checker **workers; /* --jobs N > 1: one checker per thread */
    unsigned jobs;
    cfc_jobs *threads;      /* --jobs N > 1: the threads, for every input */
    cfc_event_result clean; /* an event without findings, reported for --jobs */
    /* --jobs: clean events in a row whose reports the threads rendered,
     * contiguous (n events, len bytes at p), not yet written. */
    struct {
        const char *p;
        size_t len, n;
    } ok_run;
    cfc_stream_options stream_opts;
    cfc_stream *stream; /* the file being checked: each input is its own stream */
    bool events;        /* --events: no stream, each line checked alone */
    cfc_cli_reports *report;
    size_t errors, warnings, checked; /* checked: events, for --min-events */
    bool trouble;                     /* an I/O error or out of memory: stop */
    bool unreadable;                  /* an input could not be read: exit 2 once all are checked */
};

static void free_workers(run *r)
{
    cfc_jobs_free(r->threads);
    r->threads = NULL;
    for (unsigned i = 0; r->workers != NULL && i < r->jobs; i++)
        cfc_checker_free(r->workers[i]);
    free(r->workers);
    r->workers = NULL;
}

/* An event's result (st: how it was got), counted and reported. */
static int on_result(run *r, size_t line, cfc_check_status st, const cfc_event_result *res)
{
    if (st != CFC_CHECK_OK) {
        fprintf(stderr, "cfconform: error: line %zu: out of memory\n", line);
        r->trouble = true;
        return -1;
    }
    r->errors += res->errors;
    r->warnings += res->warnings;
    r->checked++;
    if (cfc_cli_reports_event(r->report, line, res) != 0) {
        r->trouble = true;
        return -1;
    }
    return 0;
}

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    run *r = ctx;
    const cfc_event_result *res = NULL;
    cfc_check_status st = bytes == NULL ? cfc_check_oversized(r->checker, len, &res)
                          : r->events   ? cfc_check_event(r->checker, bytes, len, &res)
                                        : cfc_stream_check_event(r->stream, bytes, len, &res);
    return on_result(r, line, st, res);
}

/* Writes the run of clean events rendered by the threads. */
static int put_ok_run(run *r)
{
    if (r->ok_run.n == 0)
        return 0;
    int rc = cfc_cli_reports_put_ok(r->report, r->ok_run.n, r->ok_run.p, r->ok_run.len);
    r->ok_run.n = r->ok_run.len = 0;
    if (rc != 0)
        r->trouble = true;
    return rc;
}

/* A clean event's rendered report, added to the run. A run's bytes are
 * contiguous: they are rendered in order into their block, where the events
 * with findings have none, and the run is written before any of those and
 * at the end of each block. */
static void ok_rendered(run *r, const cfc_jobs_event *e)
{
    if (r->ok_run.len == 0)
        r->ok_run.p = e->out;
    r->ok_run.len += e->out_len;
    r->ok_run.n++;
}

/* The threads' render function: the one report's (cfc_cli_reports_renderer). */
static int render_ok(const void *report, size_t line, const char *type, size_t type_len, char **out,
                     size_t *len, size_t *cap)
{
    return cfc__report_render_ok(report, line, type, type_len, out, len, cap);
}

/* One event from the threads of --jobs, in input order. Most come checked
 * and clean: the stream rules are applied to their facts here, so the
 * stream sees what one job's sees, and their reports come rendered. When
 * the stream has findings for one, the rules give its result here (its
 * own check found nothing); the rest are checked again here as one job
 * checks them. Either after the rendered reports before them are written.
 * e NULL: the end of a block, whose rendered bytes go. */
static int on_job_event(void *ctx, const cfc_jobs_event *e)
{
    run *r = ctx;
    if (e == NULL)
        return put_ok_run(r);
    if (e->nomem) {
        put_ok_run(r);
        fprintf(stderr, "cfconform: error: line %zu: out of memory\n", e->line);
        r->trouble = true;
        return -1;
    }
    if (!e->clean)
        return put_ok_run(r) != 0 ? -1 : on_line(r, e->line, e->bytes, e->len);
    if (!r->events) {
        const cfc_event_result *res = NULL;
        cfc_check_status st =
            cfc__stream_check_facts(r->stream, e->facts, e->type, e->type_len, &res);
        if (st != CFC_CHECK_OK || res != NULL)
            return put_ok_run(r) != 0 ? -1 : on_result(r, e->line, st, res);
    }
    if (e->rendered) {
        r->checked++;
        ok_rendered(r, e);
        return 0;
    }
    /* What one job's check gives for an event without findings. */
    r->clean.type = e->type;
    r->clean.type_len = e->type_len;
    r->checked++;
    if (cfc_cli_reports_event(r->report, e->line, &r->clean) != 0) {
        r->trouble = true;
        return -1;
    }
    return 0;
}

static void check_stream(run *r, FILE *in, const char *name)
{
    cfc_framer *framer = NULL;
    if (r->threads == NULL)
        framer = cfc_framer_new(cfc_checker_max_event_bytes(r->checker), on_line, r);
    r->stream = r->events ? NULL : cfc_stream_new(r->checker, &r->stream_opts);
    if ((r->threads == NULL && framer == NULL) || (!r->events && r->stream == NULL) ||
        cfc_cli_reports_begin_file(r->report, name) != 0) {
        fprintf(stderr, "cfconform: error: %s: out of memory or cannot write\n", name);
        r->trouble = true;
        cfc_framer_free(framer);
        cfc_stream_free(r->stream);
        r->stream = NULL;
        return;
    }
    int rc = 0, read_errno = 0;
    if (r->threads != NULL) {
        /* The threads read the file themselves, in large blocks. */
        rc = cfc_jobs_run(r->threads, fileno(in), &read_errno);
    } else {
        static char chunk[1 << 16];
        size_t n;
        while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
            rc = cfc_framer_feed(framer, chunk, n);
        if (rc == 0 && ferror(in))
            read_errno = errno;
    }
    if (read_errno != 0) {
        fprintf(stderr, "cfconform: error: %s: read error: %s\n", name, strerror(read_errno));
        r->unreadable = true;
    }
    if (rc == 0 && framer != NULL)
        rc = cfc_framer_finish(framer);
    if (rc != 0)
        r->trouble = true;
    cfc_framer_free(framer);
    cfc_stream_free(r->stream);
    r->stream = NULL;
    if (cfc_cli_reports_end_file(r->report) != 0)
        r->trouble = true;
}

#define MAX_JOBS 256

/* --jobs by default: the cores this process may run on. */
static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

/* With more than one job, a checker per thread, configured alike. */
static bool start_workers(run *r, cfc_cli_checking *k, unsigned jobs)
{
    r->jobs = jobs;
    if (jobs < 2)
        return true;
    r->workers = calloc(jobs, sizeof *r->workers);
    if (r->workers == NULL) {
        fputs("cfconform: error: out of memory\n", stderr);
        return false;
    }
    for (unsigned i = 0; i < jobs; i++) {
        if ((r->workers[i] = cfc_cli_checking_checker(k)) == NULL) {
            free_workers(r);
            return false;
        }
    }
    r->threads =
        cfc_jobs_new(jobs, r->workers, cfc_checker_max_event_bytes(r->checker), on_job_event, r);
    if (r->threads == NULL) {
        fputs("cfconform: error: out of memory or cannot start threads\n", stderr);
        free_workers(r);
        return false;
    }
    return true;
}

int cfc_cmd_check(int argc, char **argv)
{
    cfc_cli_checking k;
    cfc_cli_checking_init(&k);
    const char *files[argc > 0 ? argc : 1];
    int n_files = 0;
    bool only_files = false;
    unsigned jobs = default_jobs();
    uint64_t min_events = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            files[n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = true;
            continue;
        }
        const cfc_cli_option *o = NULL;
        const char *value = NULL;
        int m = cfc_cli_checking_option(&k, argc, argv, &i, check_only, N_CHECK_ONLY, &o, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            continue;
        if (o->id == OPT_JOBS) {
            uint64_t n;
            if (cfc_cli_parse_count("--jobs", value, 1, MAX_JOBS, &n) != 0)
                return EXIT_TROUBLE;
            jobs = (unsigned)n;
            continue;
        }
        if (o->id == OPT_MIN_EVENTS) {
            if (cfc_cli_parse_count("--min-events", value, 0, CFC_CLI_MAX_COUNT, &min_events) != 0)
                return EXIT_TROUBLE;
            continue;
        }
        check_usage(stdout); /* OPT_HELP */
        return cfc_cli_close_stdout(EXIT_CONFORMS);
    }
    if (n_files == 0)
        files[n_files++] = "-";
    if (cfc_cli_checking_validate(&k) != 0)
        return EXIT_TROUBLE;

    /* Output to a file or pipe in large writes (a line per event would
     * otherwise be a write every 4 KiB); a terminal stays line-buffered. */
    static char out_buf[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);

    run r = {0};
    r.events = k.events;
    r.stream_opts = k.stream;
    r.checker = cfc_cli_checking_checker(&k);
    if (r.checker == NULL)
        return EXIT_TROUBLE;
    if (!start_workers(&r, &k, jobs)) {
        cfc_checker_free(r.checker);
        return EXIT_TROUBLE;
    }
    r.report = cfc_cli_reports_open(&k); /* says why when it cannot */
    if (r.report == NULL) {
        free_workers(&r);
        cfc_checker_free(r.checker);
        return EXIT_TROUBLE;
    }
    const cfc_report *renderer = cfc_cli_reports_renderer(r.report);
    if (r.threads != NULL && renderer != NULL)
        cfc_jobs_set_render(r.threads, render_ok, renderer);

    for (int i = 0; i < n_files && !r.trouble; i++) {
        if (strcmp(files[i], "-") == 0) {
            check_stream(&r, stdin, "<stdin>");
            continue;
        }
        FILE *in = fopen(files[i], "rb");
        if (in == NULL) {
            /* Said, and counted against the run; the other inputs are
             * still checked (one missing file must not hide the rest). */
            const char *why = strerror(errno);
            fprintf(stderr, "cfconform: error: cannot open %s: %s\n", files[i], why);
            r.unreadable = true;
            if (cfc_cli_reports_input_error(r.report, files[i], why) != 0)
                r.trouble = true;
            continue;
        }
        check_stream(&r, in, files[i]);
        fclose(in);
    }
    if (cfc_cli_reports_finish(r.report) != 0)
        r.trouble = true;
    cfc_cli_reports_free(r.report);
    free_workers(&r);
    cfc_checker_free(r.checker);
    /* Nothing to check is not a pass a CI gate should take silently. */
    if (r.checked == 0 && !r.trouble)
        fputs("cfconform: warning: no events in the input (use --min-events N to fail on it)\n",
              stderr);
    bool too_few = r.checked < min_events;
    if (too_few && !r.trouble)
        fprintf(stderr, "cfconform: error: %zu event%s checked, fewer than --min-events %llu\n",
                r.checked, r.checked == 1 ? "" : "s", (unsigned long long)min_events);
    int rc = r.trouble || r.unreadable                                          ? EXIT_TROUBLE
             : r.errors > 0 || (k.fail_on_warning && r.warnings > 0) || too_few ? EXIT_VIOLATIONS
                                                                                : EXIT_CONFORMS;
    return cfc_cli_close_stdout(rc);
}
