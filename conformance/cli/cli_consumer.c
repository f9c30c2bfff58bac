/* SPDX-License-Identifier: MIT */
/*
 * cfconform certify --consumer: plays the consumer catalogue through a
 * consumer adapter and writes the reports (cfc/consumer.h). Same options,
 * report files and exit codes as producer certification (cli_certify.c):
 * 0 certified (the whole catalogue, no DROPPED, MISREAD, CRASH or ERROR),
 * 1 not certified, 2 could not run, 3 partial: a --cases subset with none
 * of those (not a certification), 4 --deadline passed, 128+N stopped by
 * signal N (the shared part: cli_certify.c's cfc_cli_cert_*).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/consumer.h"
#include "cfc_mutator.h"
#include "cli.h"

#ifndef CFC_CONSUMER_SAMPLES_PATH
#define CFC_CONSUMER_SAMPLES_PATH "corpus/consumer/samples.json"
#endif

enum { OPT_CONSUMER, OPT_CATALOGUE, OPT_WRITE_CATALOGUE, OPT_FUZZ, OPT_HELP };

static const cfc_cli_option options[] = {
    {OPT_CONSUMER, "--consumer", NULL, "certify a consumer (an event decoder), not a producer"},
    {OPT_CATALOGUE, "--catalogue", "FILE",
     "the samples the catalogue is generated from (default: $CFCONFORM_CONSUMER_SAMPLES, else "
     "the installed share/cfconform/consumer/samples.json beside the executable)"},
    {OPT_WRITE_CATALOGUE, "--write-catalogue", "FILE",
     "write the generated catalogue as JSON (- for stdout) and exit"},
    {OPT_FUZZ, "--fuzz", "SECONDS",
     "after the catalogue, feed generated and mutated events for SECONDS; crashes are CRASH "
     "cases with minimised reproducers"},
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
    cfc_cli_print_options(f, cfc_cli_cert_options, cfc_cli_n_cert_options);
    cfc_cli_print_options(f, options, N_OPTIONS);
    fputs(
        "\nexit codes: 0 certified (the whole catalogue, no DROPPED, MISREAD, CRASH, ERROR),\n"
        "            1 not certified, 2 could not run (usage, samples, adapter did not start,\n"
        "            write error), 3 partial: the --cases subset had none of those\n"
        "            4 --deadline passed before the last case, or before the --fuzz phase's\n"
        "              end (reports hold the cases run and the crashes found)\n"
        "            128+N stopped by signal N (SIGINT 130, SIGTERM 143, SIGHUP 129): the\n"
        "              adapter and everything it started are killed, reports hold the cases run\n",
        f);
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

static int write_one(const void *cert, int format, FILE *f)
{
    return cfc_consume_write(cert, (cfc_cert_format)format, f);
}

/* A fuzz reproducer: exactly its bytes, to replay. */
static int write_reproducer(const void *cert, int i, FILE *f)
{
    const cfc_consume_fuzz_crash *c = &((const cfc_consume_certification *)cert)->fuzz_crashes[i];
    return fwrite(c->bytes, 1, c->len, f) == c->len ? 0 : -1;
}

/* The fuzz reproducers, each a file of its own, then the reports: each
 * complete or not written (cfc_cli_write_whole). */
static int write_reports(const cfc_consume_certification *cert, const char *dir)
{
    if (cfc_cli_make_report_dir(dir) != 0)
        return -1;
    for (size_t i = 0; i < cert->n_fuzz_crashes; i++) {
        char name[300];
        snprintf(name, sizeof name, "fuzz-%s.json", cert->fuzz_crashes[i].id);
        if (cfc_cli_write_whole(dir, name, write_reproducer, cert, (int)i) != 0)
            return -1;
    }
    return cfc_cli_write_reports(dir, write_one, cert);
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
    cfc_cli_cert c = {0};
    const char *samples = NULL, *dump = NULL;
    size_t fuzz_seconds = 0;
    for (int i = 0; i < argc; i++) {
        const char *value = NULL;
        const cfc_cli_option *opt = NULL;
        int m = cfc_cli_cert_option(&c, argc, argv, &i, options, N_OPTIONS, &opt, &value);
        if (m < 0)
            return EXIT_TROUBLE;
        if (m == 0)
            continue;
        switch (opt->id) {
        case OPT_CONSUMER: break;
        case OPT_CATALOGUE: samples = value; break;
        case OPT_WRITE_CATALOGUE: dump = value; break;
        case OPT_FUZZ: {
            uint64_t s;
            if (cfc_cli_parse_count("--fuzz", value, 1, 86400, &s) != 0)
                return EXIT_TROUBLE;
            fuzz_seconds = (size_t)s;
            break;
        }
        case OPT_HELP: usage(stdout); return cfc_cli_close_stdout(EXIT_CONFORMS);
        }
    }
    if (c.adapter == NULL && dump == NULL)
        return cfc_cli_usage_error(
            "certify --consumer needs --adapter 'COMMAND ARGS'%s",
            ", e.g. --adapter 'node adapters/node/cfc_consumer_adapter.js my_decoder.js'");
    const char *report_dir = c.report_dir;
    bool quiet = c.quiet;
    cfc_consume_options o = {.on_case = quiet ? NULL : on_case,
                             .adapter_command = c.adapter,
                             .cases = c.cases,
                             .call_timeout_ms = c.timeout_ms,
                             .deadline_ms = c.deadline_ms,
                             .stop = cfc_cli_cert_signals()};

    /* Found at run time as the producer catalogue is, so that an installed
     * or moved tree keeps certify --consumer. */
    size_t len = 0;
    char *text = cfc_cli_cert_data(samples, "CFCONFORM_CONSUMER_SAMPLES", "consumer/samples.json",
                                   CFC_CONSUMER_SAMPLES_PATH, "catalogue samples", &samples, &len);
    if (text == NULL)
        return EXIT_TROUBLE;
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
    if (fuzz_seconds && !cert->stopped) {
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
        printf("fuzz: %zu inputs in %.1f s, %zu crash%s%s\n", cert->fuzz_inputs,
               cert->fuzz_ms / 1000.0, cert->n_fuzz_crashes, cert->n_fuzz_crashes == 1 ? "" : "es",
               cert->deadline ? "; cut at the run's deadline (--deadline)" : "");
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
    bool partial_clean = !cert->certified && !bad;
    cfc_cli_cert_end end = {cert->stopped,    cert->deadline,  cert->stop_signal, cert->n_results,
                            cert->n_selected, cert->certified, partial_clean,     trouble};
    cfc_consume_certification_free(cert);
    cfc_consume_catalogue_free(cat);
    return cfc_cli_cert_finish(&end);
}
