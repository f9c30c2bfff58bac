/* SPDX-License-Identifier: MIT */
/*
 * cfconform certify: runs the case catalogue through an adapter and writes
 * the reports. Uses only the public headers (cfc/certify.h).
 *
 * Exit codes: 0 certified (the whole catalogue, no FAIL, no ERROR), 1 not
 * certified (a FAIL or an ERROR), 2 could not run (usage, an unreadable or
 * invalid catalogue, an adapter that does not start, a report that cannot
 * be written), 3 partial: a subset (--cases) ran with no FAIL and no ERROR.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfc/certify.h"
#include "cli.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

/* A subset ran (--cases) with no FAIL and no ERROR: not a certification,
 * and not a failure either (rule C4). */
#define EXIT_PARTIAL 3
#define EXIT_DEADLINE 4

#ifndef CFC_CATALOGUE_PATH
#define CFC_CATALOGUE_PATH "corpus/certification/catalogue.json"
#endif

enum { OPT_CATALOGUE, OPT_PROGRESS_EVERY, OPT_HELP };

static const cfc_cli_option options[] = {
    {OPT_CATALOGUE, "--catalogue", "FILE",
     "the case catalogue (default: $CFCONFORM_CATALOGUE, else the installed "
     "share/cfconform/certification/catalogue.json beside the executable)"},
    {OPT_PROGRESS_EVERY, "--progress-every", "MS",
     "not on a terminal: a progress line on stderr every MS ms (default 5000; 0: every case)"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static void usage(FILE *f)
{
    fputs("usage: cfconform certify --adapter 'COMMAND ARGS' [--cases PATTERN] [--report-dir DIR]\n"
          "\n"
          "Certifies an implementation of the contract's broadcasters: starts the adapter\n"
          "(docs/adapter-protocol.md), plays every case of the catalogue through it and grades\n"
          "each one PASS, NON-STRICT, FAIL, UNIMPLEMENTED or ERROR.\n"
          "\n"
          "Every answer is graded whole; the reports keep the first 64 KiB of each case's\n"
          "output (4 KiB once 16 MiB are kept), marked as cut, so memory stays bounded\n"
          "whatever the adapter answers.\n"
          "\n"
          "options:\n",
          f);
    cfc_cli_print_options(f, cfc_cli_cert_options, cfc_cli_n_cert_options);
    cfc_cli_print_options(f, options, N_OPTIONS);
    fputs(
        "\nexit codes: 0 certified (the whole catalogue, no FAIL, no ERROR),\n"
        "            1 not certified (a FAIL or an ERROR),\n"
        "            2 could not run (usage, catalogue, adapter did not start, write error),\n"
        "            3 partial: the --cases subset had no FAIL and no ERROR (not a "
        "certification)\n"
        "            4 --deadline passed before the last case (reports hold the cases run)\n"
        "            128+N stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129): the\n"
        "              adapter and everything it started are killed, reports hold the cases run\n",
        f);
}

/* ---- what certify and certify --consumer share ------------------------------- */

const cfc_cli_option cfc_cli_cert_options[] = {
    {CFC_CERT_OPT_ADAPTER, "--adapter", "'COMMAND ARGS'",
     "the adapter to start (words; '...' and \"...\" quote; no shell)"},
    {CFC_CERT_OPT_CASES, "--cases", "PATTERN",
     "only these cases: comma-separated globs on case IDs (2.3, 5.*, 1.1.1)"},
    {CFC_CERT_OPT_REPORT_DIR, "--report-dir", "DIR",
     "write certification.{json,xml,md,html} and badge.json there"},
    {CFC_CERT_OPT_TIMEOUT, "--timeout", "MS", "per-call timeout in milliseconds (default 10000)"},
    {CFC_CERT_OPT_DEADLINE, "--deadline", "S",
     "the whole run's limit in seconds (at most 86400): cases not reached are not run (partial)"},
    {CFC_CERT_OPT_QUIET, "--quiet", NULL,
     "print the summary only: no case that did not pass, no progress"},
};
const size_t cfc_cli_n_cert_options = sizeof cfc_cli_cert_options / sizeof cfc_cli_cert_options[0];

int cfc_cli_cert_option(cfc_cli_cert *c, int argc, char **argv, int *i, const cfc_cli_option *own,
                        size_t n_own, const cfc_cli_option **opt, const char **value)
{
    const char *a = argv[*i];
    int m = cfc_cli_match(argc, argv, i, own, n_own, opt, value);
    if (m != 0)
        return m;
    m = cfc_cli_match(argc, argv, i, cfc_cli_cert_options, cfc_cli_n_cert_options, opt, value);
    if (m < 0)
        return -1;
    if (m == 0 && a[0] == '-') {
        cfc_cli_unknown_option(a, cfc_cli_cert_options, cfc_cli_n_cert_options, own, n_own);
        return -1;
    }
    if (m == 0) {
        cfc_cli_usage_error("certify: unknown argument '%s'", a);
        return -1;
    }
    uint64_t n;
    switch ((*opt)->id) {
    case CFC_CERT_OPT_ADAPTER: c->adapter = *value; break;
    case CFC_CERT_OPT_CASES: c->cases = *value; break;
    case CFC_CERT_OPT_REPORT_DIR: c->report_dir = *value; break;
    case CFC_CERT_OPT_TIMEOUT:
        if (cfc_cli_parse_count("--timeout", *value, 1, CFC_CLI_MAX_MS, &n) != 0)
            return -1;
        c->timeout_ms = (unsigned)n;
        break;
    case CFC_CERT_OPT_DEADLINE:
        if (cfc_cli_parse_count("--deadline", *value, 1, 86400, &n) != 0)
            return -1;
        c->deadline_ms = (unsigned)(n * 1000);
        break;
    case CFC_CERT_OPT_QUIET: c->quiet = true; break;
    }
    return 0;
}

char *cfc_cli_cert_data(const char *given, const char *env, const char *rel, const char *fallback,
                        const char *what, const char **path, size_t *len)
{
    static char buf[4096];
    *path = given;
    if (*path == NULL)
        *path = getenv(env);
    if (*path == NULL || (*path)[0] == '\0')
        *path = cfc_cli_data_file(rel, fallback, buf, sizeof buf);
    errno = 0;
    char *text = cfc_cli_read_file(*path, len);
    if (text == NULL)
        fprintf(stderr, "cfconform: error: cannot read %s %s: %s\n", what, *path,
                strerror(errno ? errno : EIO));
    return text;
}

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

const volatile sig_atomic_t *cfc_cli_cert_signals(void)
{
    /* A closed stdout (cfconform certify | head) must not kill us by SIGPIPE
     * halfway: the run finishes, the adapter is reaped, and the write error
     * is exit 2. (The adapter gets the default disposition back.) */
    signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
    /* An adapter may answer with lines of up to 16 MiB, freed once graded.
     * glibc raises its mmap threshold each time such a block is freed, so
     * the next ones come from the heap and fragment it: the process keeps
     * growing though little is live. A fixed threshold maps and unmaps
     * every big block (certify's memory bound, cfc/certify.h
     * CFC_CERT_KEEP_BYTES, holds in RSS). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    /* Ctrl-C does not reach the adapter (its group is its own): we stop it,
     * write the reports of the finished cases and exit 128+N. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal; /* no SA_RESTART: waits end early */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    return &stop_signal;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

int cfc_cli_make_report_dir(const char *dir)
{
    errno = 0;
    if (make_dirs(dir) == 0)
        return 0;
    fprintf(stderr, "cfconform: error: cannot create report directory %s: %s\n", dir,
            strerror(errno ? errno : EIO));
    return -1;
}

/* mkstemp makes 0600 files; a report is as readable as fopen would make it. */
static int fchmod_like(const char *path)
{
    mode_t mask = umask(0);
    umask(mask);
    return chmod(path, 0666 & ~mask);
}

int cfc_cli_write_whole(const char *dir, const char *name,
                        int (*fill)(const void *ctx, int what, FILE *f), const void *ctx, int what)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, name);
    errno = 0;
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (fd >= 0 && f == NULL)
        close(fd);
    int rc = f ? fill(ctx, what, f) : -1;
    if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    int e = errno;
    if (rc == 0 && (fchmod_like(tmp) != 0 || rename(tmp, path) != 0)) {
        e = errno;
        rc = -1;
    }
    if (rc == 0)
        return 0;
    if (fd >= 0)
        unlink(tmp);
    fprintf(stderr, "cfconform: error: cannot write %s: %s\n", path, strerror(e ? e : EIO));
    return -1;
}

int cfc_cli_write_reports(const char *dir, int (*write)(const void *cert, int format, FILE *f),
                          const void *cert)
{
    static const cfc_cert_format all[] = {CFC_CERT_JSON, CFC_CERT_JUNIT, CFC_CERT_MARKDOWN,
                                          CFC_CERT_BADGE, CFC_CERT_HTML};
    if (cfc_cli_make_report_dir(dir) != 0)
        return -1;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (cfc_cli_write_whole(dir, cfc_cert_format_file(all[i]), write, cert, (int)all[i]) != 0)
            return -1;
    return 0;
}

int cfc_cli_cert_finish(const cfc_cli_cert_end *e)
{
    if (e->stopped)
        printf("stopped (%s) after %zu of %zu cases: not a certification\n",
               e->deadline ? "--deadline passed" : strsignal(e->stop_signal), e->n_results,
               e->n_selected);
    if (cfc_cli_close_stdout(EXIT_CONFORMS) != EXIT_CONFORMS || e->trouble)
        return EXIT_TROUBLE;
    if (e->stopped)
        return e->deadline ? EXIT_DEADLINE : 128 + e->stop_signal;
    if (e->partial_clean)
        return EXIT_PARTIAL;
    return e->certified ? EXIT_CONFORMS : EXIT_VIOLATIONS;
}

/* ---- certify ------------------------------------------------------------------- */

/* What on_start / on_case are given: the progress display (may be NULL)
 * and whether to print each case not passed. */
typedef struct run_output {
    cfc_cert_progress *progress;
    bool cases;
} run_output;

static void print_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        putchar(*p < 0x20 ? ' ' : *p);
}

static void on_start(void *ctx, const cfc_cert_case *c, size_t index, size_t total)
{
    run_output *o = ctx;
    cfc_cert_progress_on_start(o->progress, c, index, total);
}

static void on_case(void *ctx, const cfc_case_result *r)
{
    run_output *o = ctx;
    cfc_cert_progress_on_case(o->progress, r);
    if (!o->cases || r->verdict == CFC_VERDICT_PASS)
        return;
    /* Every finding of the case: the first on its line, the others below. */
    cfc_cert_progress_clear(o->progress);
    printf("  %-9s %-13s ", r->c->id, cfc_verdict_name(r->verdict));
    print_clean(r->n_messages ? r->messages[0] : "");
    putchar('\n');
    for (size_t m = 1; m < r->n_messages; m++) {
        printf("  %-9s %-13s ", "", "");
        print_clean(r->messages[m]);
        putchar('\n');
    }
    fflush(stdout);
}

/* The cases not passed by rule, so one systematic fault does not hide the
 * others. */
static void print_rules(const cfc_certification *cert)
{
    cfc_cert_rule_row rows[64];
    size_t n = cfc_certification_rules(cert, rows, 64);
    if (n == 0)
        return;
    printf("by rule (cases not passed, first case):\n");
    for (size_t i = 0; i < n && i < 64; i++)
        printf("  %-28s %5zu  %s\n", rows[i].rule, rows[i].cases, rows[i].first_case);
}

static int write_one(const void *cert, int format, FILE *f)
{
    return cfc_certification_write(cert, (cfc_cert_format)format, f);
}

int cfc_cmd_certify(int argc, char **argv)
{
    /* Consumers (decoders) have a catalogue, protocol role and grading of
     * their own: cli_consumer.c. */
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--consumer") == 0)
            return cfc_cmd_certify_consumer(argc, argv);
    cfc_cli_cert c = {0};
    const char *catalogue = NULL;
    size_t progress_every = 5000;
    for (int i = 0; i < argc; i++) {
        const char *value = NULL;
        const cfc_cli_option *opt = NULL;
        int m = cfc_cli_cert_option(&c, argc, argv, &i, options, N_OPTIONS, &opt, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            continue;
        switch (opt->id) {
        case OPT_CATALOGUE: catalogue = value; break;
        case OPT_PROGRESS_EVERY: {
            uint64_t ms; /* 0 is allowed here: every case */
            if (cfc_cli_parse_count("--progress-every", value, 0, CFC_CLI_MAX_MS, &ms) != 0)
                return EXIT_TROUBLE;
            progress_every = (size_t)ms;
            break;
        }
        case OPT_HELP: usage(stdout); return cfc_cli_close_stdout(EXIT_CONFORMS);
        }
    }
    if (c.adapter == NULL)
        return cfc_cli_usage_error(
            "certify needs --adapter 'COMMAND ARGS'%s",
            ", e.g. --adapter 'python3 adapters/python/cfc_adapter.py my_broadcasts.py'");
    const char *report_dir = c.report_dir;
    bool quiet = c.quiet;
    cfc_certify_options o = {.on_case = on_case,
                             .on_start = on_start,
                             .adapter_command = c.adapter,
                             .cases = c.cases,
                             .call_timeout_ms = c.timeout_ms,
                             .deadline_ms = c.deadline_ms,
                             .stop = cfc_cli_cert_signals()};

    size_t len = 0;
    char *text = cfc_cli_cert_data(catalogue, "CFCONFORM_CATALOGUE", "certification/catalogue.json",
                                   CFC_CATALOGUE_PATH, "catalogue", &catalogue, &len);
    if (text == NULL)
        return EXIT_TROUBLE;
    cfc_catalogue *cat = NULL;
    cfc_certify_error err;
    cfc_certify_status st = cfc_catalogue_load(text, len, NULL, &cat, &err);
    free(text);
    if (st != CFC_CERTIFY_OK) {
        fprintf(stderr, "cfconform: error: %s: %s\n", catalogue, err.message);
        return EXIT_TROUBLE;
    }

    /* Progress on stderr: live on a terminal, else a line now and then
     * (without memory for it, the run goes on silently). */
    run_output out = {.cases = !quiet};
    if (!quiet)
        out.progress =
            cfc_cert_progress_new(stderr, isatty(STDERR_FILENO), (unsigned)progress_every, NULL);
    o.on_case_ctx = &out;
    cfc_certification *cert = NULL;
    st = cfc_certify_run(cat, &o, &cert, &err);
    cfc_cert_progress_free(out.progress); /* erases the live line */
    if (st != CFC_CERTIFY_OK) {
        cfc_catalogue_free(cat);
        if (st == CFC_CERTIFY_USAGE)
            return cfc_cli_usage_error("certify: %s", err.message);
        fprintf(stderr, "cfconform: error: %s\n", err.message);
        if (st == CFC_CERTIFY_ADAPTER)
            fputs("The adapter must answer {\"op\":\"start\"} with {\"op\":\"hello\",...}: see "
                  "docs/adapter-protocol.md.\n",
                  stderr);
        return EXIT_TROUBLE;
    }
    bool trouble = report_dir && cfc_cli_write_reports(report_dir, write_one, cert) != 0;

    printf("%s %s (%s), catalogue %s (sha256 %.12s), %zu case%s, %zu adapter start%s\n",
           cert->impl_name, cert->impl_version, cert->impl_language, cfc_catalogue_version(cat),
           cfc_catalogue_sha256(cat), cert->n_results, cert->n_results == 1 ? "" : "s",
           cert->adapter_starts, cert->adapter_starts == 1 ? "" : "s");
    for (int v = 0; v < CFC_VERDICT_COUNT; v++)
        printf("%s%s %zu", v ? "  " : "", cfc_verdict_name((cfc_verdict)v), cert->counts[v]);
    putchar('\n');
    /* C4: a subset is "partial", never "certified"; NON-STRICT apart. */
    if (cert->partial)
        printf("partial (%zu of %zu cases), not a certification: ", cert->n_results,
               cfc_catalogue_count(cat));
    else
        printf("%s: ", cert->certified ? "certified" : "not certified");
    printf("%u%% (%zu/%zu PASS, %zu NON-STRICT)", cfc_certification_score(cert),
           cert->counts[CFC_VERDICT_PASS], cert->n_results, cert->counts[CFC_VERDICT_NON_STRICT]);
    if (report_dir && !trouble)
        printf("; reports in %s/ (open %s/%s)", report_dir, report_dir,
               cfc_cert_format_file(CFC_CERT_HTML));
    else if (!cert->certified)
        printf("; --report-dir DIR writes the details");
    putchar('\n');
    if (!quiet)
        print_rules(cert);
    bool partial_clean = cert->partial && cert->counts[CFC_VERDICT_FAIL] == 0 &&
                         cert->counts[CFC_VERDICT_ERROR] == 0;
    cfc_cli_cert_end end = {cert->stopped,    cert->deadline,  cert->stop_signal, cert->n_results,
                            cert->n_selected, cert->certified, partial_clean,     trouble};
    cfc_certification_free(cert);
    cfc_catalogue_free(cat);
    return cfc_cli_cert_finish(&end);
}
