/* SPDX-License-Identifier: MIT */
/*
 * cfconform certify --consumer: plays the consumer catalogue through a
 * consumer adapter and writes the reports (cfc/consumer.h). Same options,
 * report files and exit codes as producer certification (cli_certify.c):
 * 0 certified (the whole catalogue, no DROPPED, MISREAD, CRASH or ERROR),
 * 1 not certified, 2 could not run, 3 partial: a --cases subset with none
 * of those (not a certification).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfc/consumer.h"
#include "cfc_mutator.h"
#include "cli.h"

#ifndef CFC_CONSUMER_SAMPLES_PATH
#define CFC_CONSUMER_SAMPLES_PATH "corpus/consumer/samples.json"
#endif

enum {
    OPT_CONSUMER,
    OPT_ADAPTER,
    OPT_CASES,
    OPT_REPORT_DIR,
    OPT_CATALOGUE,
    OPT_TIMEOUT,
    OPT_WRITE_CATALOGUE,
    OPT_FUZZ,
    OPT_QUIET,
    OPT_HELP
};

static const cfc_cli_option options[] = {
    {OPT_CONSUMER, "--consumer", NULL, "certify a consumer (an event decoder), not a producer"},
    {OPT_ADAPTER, "--adapter", "'COMMAND ARGS'",
     "the consumer adapter to start (words; '...' and \"...\" quote; no shell)"},
    {OPT_CASES, "--cases", "PATTERN",
     "only these cases: comma-separated globs on case IDs (2.3, 5.*, 1.1.1)"},
    {OPT_REPORT_DIR, "--report-dir", "DIR",
     "write certification.{json,xml,md,html} and badge.json there"},
    {OPT_CATALOGUE, "--catalogue", "FILE",
     "the samples the catalogue is generated from (default: " CFC_CONSUMER_SAMPLES_PATH ")"},
    {OPT_TIMEOUT, "--timeout", "MS", "per-request timeout in milliseconds (default 10000)"},
    {OPT_WRITE_CATALOGUE, "--write-catalogue", "FILE",
     "write the generated catalogue as JSON (- for stdout) and exit"},
    {OPT_FUZZ, "--fuzz", "SECONDS",
     "after the catalogue, feed generated and mutated events for SECONDS; crashes are CRASH "
     "cases with minimised reproducers"},
    {OPT_QUIET, "--quiet", NULL, "print the summary only, not each case that did not pass"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static void usage(FILE *f)
{
    fputs("usage: cfconform certify --consumer --adapter 'COMMAND ARGS' [--cases PATTERN]\n"
          "                         [--report-dir DIR]\n"
          "\n"
          "Certifies a consumer of the contract's events (a dashboard's decoder, a client\n"
          "library): starts its adapter (docs/adapter-protocol.md, consumer role), gives it\n"
          "every event of the generated catalogue and grades what it read, per case and per\n"
          "field: PASS, NON-STRICT, DROPPED, MISREAD, CRASH or ERROR.\n"
          "\n"
          "options:\n",
          f);
    cfc_cli_print_options(f, options, N_OPTIONS);
    fputs("\nexit codes: 0 certified (the whole catalogue, no DROPPED, MISREAD, CRASH, ERROR),\n"
          "            1 not certified, 2 could not run (usage, samples, adapter did not start,\n"
          "            write error), 3 partial: the --cases subset had none of those\n",
          f);
}

/* mkdir -p (as producer certification's) */
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

static void on_case(void *ctx, const cfc_consume_result *r)
{
    (void)ctx;
    if (r->verdict == CFC_CONSUME_PASS)
        return;
    const char *why = r->n_messages ? r->messages[0] : "";
    printf("  %-9s %-10s ", r->c->id, cfc_consume_verdict_name(r->verdict));
    for (const unsigned char *p = (const unsigned char *)why; *p; p++)
        putchar(*p < 0x20 ? ' ' : *p);
    if (r->n_messages > 1)
        printf(" (+%zu more)", r->n_messages - 1);
    putchar('\n');
    fflush(stdout);
}

static int write_reports(const cfc_consume_certification *cert, const char *dir)
{
    static const cfc_cert_format all[] = {CFC_CERT_JSON, CFC_CERT_JUNIT, CFC_CERT_MARKDOWN,
                                          CFC_CERT_BADGE, CFC_CERT_HTML};
    if (make_dirs(dir) != 0) {
        fprintf(stderr, "cfconform: error: cannot create report directory %s: %s\n", dir,
                strerror(errno ? errno : EIO));
        return -1;
    }
    /* Each fuzz reproducer as a file of its own, exactly its bytes, to replay. */
    for (size_t i = 0; i < cert->n_fuzz_crashes; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/fuzz-%s.json", dir, cert->fuzz_crashes[i].id);
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(cert->fuzz_crashes[i].bytes, 1, cert->fuzz_crashes[i].len, f) ==
                           cert->fuzz_crashes[i].len;
        if ((f && fclose(f) != 0) || !ok) {
            fprintf(stderr, "cfconform: error: cannot write %s: %s\n", path,
                    strerror(errno ? errno : EIO));
            return -1;
        }
    }
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, cfc_cert_format_file(all[i]));
        FILE *f = fopen(path, "w");
        int rc = f ? cfc_consume_write(cert, all[i], f) : -1;
        if (f && fclose(f) != 0)
            rc = -1;
        if (rc != 0) {
            fprintf(stderr, "cfconform: error: cannot write %s: %s\n", path,
                    strerror(errno ? errno : EIO));
            return -1;
        }
    }
    return 0;
}

static int write_catalogue(const cfc_consume_catalogue *cat, const char *path)
{
    bool to_stdout = strcmp(path, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    int rc = f ? cfc_consume_catalogue_write(cat, f) : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "cfconform: error: cannot write %s: %s\n", path,
                strerror(errno ? errno : EIO));
        return EXIT_TROUBLE;
    }
    return EXIT_CONFORMS;
}

int cfc_cmd_certify_consumer(int argc, char **argv)
{
    cfc_consume_options o = {.on_case = on_case};
    const char *report_dir = NULL, *samples = CFC_CONSUMER_SAMPLES_PATH, *dump = NULL;
    bool quiet = false;
    size_t fuzz_seconds = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *value = NULL;
        const cfc_cli_option *opt = NULL;
        int m = cfc_cli_match(argc, argv, &i, options, N_OPTIONS, &opt, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            return cfc_cli_usage_error("certify --consumer: unknown argument '%s'", a);
        switch (opt->id) {
        case OPT_CONSUMER: break;
        case OPT_ADAPTER: o.adapter_command = value; break;
        case OPT_CASES: o.cases = value; break;
        case OPT_REPORT_DIR: report_dir = value; break;
        case OPT_CATALOGUE: samples = value; break;
        case OPT_WRITE_CATALOGUE: dump = value; break;
        case OPT_FUZZ: {
            uint64_t s;
            if (cfc_cli_parse_count("--fuzz", value, 1, 86400, &s) != 0)
                return EXIT_TROUBLE;
            fuzz_seconds = (size_t)s;
            break;
        }
        case OPT_TIMEOUT: {
            uint64_t ms;
            if (cfc_cli_parse_count("--timeout", value, 1, CFC_CLI_MAX_MS, &ms) != 0)
                return EXIT_TROUBLE;
            o.call_timeout_ms = (unsigned)ms;
            break;
        }
        case OPT_QUIET: quiet = true; break;
        case OPT_HELP: usage(stdout); return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
        }
    }
    if (o.adapter_command == NULL && dump == NULL)
        return cfc_cli_usage_error(
            "certify --consumer needs --adapter 'COMMAND ARGS'%s",
            ", e.g. --adapter 'node adapters/node/cfc_consumer_adapter.js my_decoder.js'");
    if (quiet)
        o.on_case = NULL;
    signal(SIGPIPE, SIG_IGN);      /* as cli_certify.c: a closed stdout is exit 2, not a kill */
    cfc_cli_big_blocks_unmapped(); /* as cli_certify.c: huge answers, freed */

    size_t len = 0;
    char *text = cfc_cli_read_file(samples, &len);
    if (text == NULL) {
        fprintf(stderr, "cfconform: error: cannot read catalogue samples %s: %s\n", samples,
                strerror(errno ? errno : EIO));
        return EXIT_TROUBLE;
    }
    cfc_consume_catalogue *cat = NULL;
    cfc_certify_error err;
    cfc_certify_status st = cfc_consume_catalogue_new(text, len, NULL, &cat, &err);
    free(text);
    if (st != CFC_CERTIFY_OK) {
        fprintf(stderr, "cfconform: error: %s: %s\n", samples, err.message);
        return EXIT_TROUBLE;
    }
    if (dump) {
        int rc = write_catalogue(cat, dump);
        cfc_consume_catalogue_free(cat);
        return rc;
    }
    cfc_consume_certification *cert = NULL;
    st = cfc_consume_run(cat, &o, &cert, &err);
    if (st != CFC_CERTIFY_OK) {
        cfc_consume_catalogue_free(cat);
        if (st == CFC_CERTIFY_USAGE)
            return cfc_cli_usage_error("certify --consumer: %s", err.message);
        fprintf(stderr, "cfconform: error: %s\n", err.message);
        if (st == CFC_CERTIFY_ADAPTER)
            fputs("A consumer adapter must answer {\"op\":\"start\",...} with "
                  "{\"op\":\"hello\",\"protocol\":1,\"role\":\"consumer\",...}: see "
                  "docs/adapter-protocol.md.\n",
                  stderr);
        return EXIT_TROUBLE;
    }
    if (fuzz_seconds) {
        /* fuzz-exec's generator and mutator, through the same harness. */
        st = cfc_consume_fuzz(cert, &o, (unsigned)fuzz_seconds, 1, cfc_mutate, &err);
        if (st != CFC_CERTIFY_OK) {
            fprintf(stderr, "cfconform: error: %s\n", err.message);
            cfc_consume_certification_free(cert);
            cfc_consume_catalogue_free(cat);
            return EXIT_TROUBLE;
        }
        for (size_t i = 0; i < cert->n_fuzz_crashes && !quiet; i++) {
            const cfc_consume_fuzz_crash *f = &cert->fuzz_crashes[i];
            printf("  %-9s %-10s %s; reproducer (%zu bytes): ", f->id, "CRASH", f->error, f->len);
            for (size_t k = 0; k < f->len && k < 200; k++)
                putchar((unsigned char)f->bytes[k] < 0x20 ? '?' : f->bytes[k]);
            puts(f->len > 200 ? "..." : "");
        }
        printf("fuzz: %zu inputs in %.1f s, %zu crash%s\n", cert->fuzz_inputs,
               cert->fuzz_ms / 1000.0, cert->n_fuzz_crashes, cert->n_fuzz_crashes == 1 ? "" : "es");
    }
    bool trouble = report_dir && write_reports(cert, report_dir) != 0;

    printf("consumer %s %s (%s), catalogue %s (sha256 %.12s), %zu cases, %zu adapter start%s, "
           "%.1f s\n",
           cert->impl_name, cert->impl_version, cert->impl_language,
           cfc_consume_catalogue_version(cat), cfc_consume_catalogue_sha256(cat), cert->n_results,
           cert->adapter_starts, cert->adapter_starts == 1 ? "" : "s", cert->elapsed_ms / 1000.0);
    for (int v = 0; v < CFC_CONSUME_VERDICT_COUNT; v++)
        printf("%s%s %zu", v ? "  " : "", cfc_consume_verdict_name((cfc_consume_verdict)v),
               cert->counts[v]);
    putchar('\n');
    bool bad = !cert->certified &&
               !(cert->partial && cert->counts[CFC_CONSUME_DROPPED] == 0 &&
                 cert->counts[CFC_CONSUME_MISREAD] == 0 && cert->counts[CFC_CONSUME_CRASH] == 0 &&
                 cert->counts[CFC_CONSUME_ERROR] == 0);
    if (cert->partial)
        printf("partial (%zu of %zu cases), not a certification: ", cert->n_results,
               cfc_consume_catalogue_count(cat));
    else
        printf("%s: ", cert->certified ? "certified" : "not certified");
    printf("%u%% (%zu/%zu PASS, %zu NON-STRICT)", cfc_consume_score(cert),
           cert->counts[CFC_CONSUME_PASS], cert->n_results, cert->counts[CFC_CONSUME_NON_STRICT]);
    if (report_dir && !trouble)
        printf("; reports in %s/ (open %s/%s)", report_dir, report_dir,
               cfc_cert_format_file(CFC_CERT_HTML));
    else if (bad)
        printf("; --report-dir DIR writes the details and the per-field matrix");
    putchar('\n');
    bool certified = cert->certified;
    cfc_consume_certification_free(cert);
    cfc_consume_catalogue_free(cat);
    if (fclose(stdout) != 0) {
        fputs("cfconform: error: cannot write to stdout\n", stderr);
        return EXIT_TROUBLE;
    }
    if (trouble)
        return EXIT_TROUBLE;
    if (!certified && !bad)
        return 3; /* partial and clean, as cli_certify.c's EXIT_PARTIAL */
    return certified ? EXIT_CONFORMS : EXIT_VIOLATIONS;
}
