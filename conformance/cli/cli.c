/* SPDX-License-Identifier: MIT */
/*
 * cfconform: the command line. Uses only the public headers.
 *
 * Exit codes (a contract, like the events): 0 no errors, 1 errors found
 * (or warnings with --fail-on warning), 2 usage or I/O error.
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
#include "cli.h"

/* `check` has the shared options (cli_options.c) and these. */
enum { OPT_HELP = 1 };
static const cfc_cli_option check_only[] = {
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_CHECK_ONLY (sizeof check_only / sizeof check_only[0])

static void usage(FILE *f)
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
          "       cfconform --version\n"
          "\n"
          "check options:\n",
          f);
    cfc_cli_print_options(f, cfc_cli_checking_options, cfc_cli_n_checking_options);
    cfc_cli_print_options(f, check_only, N_CHECK_ONLY);
    fputs("\nexit codes: 0 no errors, 1 errors found (or warnings with --fail-on warning),\n"
          "            2 usage or I/O error (missing file, unreadable input, write error)\n",
          f);
}

int cfc_cli_usage_error(const char *fmt, const char *arg)
{
    fputs("cfconform: error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'cfconform --help'.\n", stderr);
    return EXIT_TROUBLE;
}

bool cfc_cli_parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || v == 0)
        return false;
    *out = (size_t)v;
    return true;
}

char *cfc_cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *q = cap > (64u << 20) ? NULL : realloc(buf, cap *= 2);
            if (q == NULL) {
                free(buf);
                buf = NULL;
            } else {
                buf = q;
            }
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* ---- check ------------------------------------------------------------- */

typedef struct run {
    cfc_checker *checker;
    cfc_stream_options stream_opts;
    cfc_stream *stream; /* the file being checked: each input is its own stream */
    cfc_report *report;
    size_t errors, warnings;
    bool trouble; /* an I/O error or out of memory */
} run;

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    run *r = ctx;
    const cfc_event_result *res = NULL;
    cfc_check_status st = bytes ? cfc_stream_check_event(r->stream, bytes, len, &res)
                                : cfc_check_oversized(r->checker, len, &res);
    if (st != CFC_CHECK_OK) {
        fprintf(stderr, "cfconform: error: line %zu: out of memory\n", line);
        r->trouble = true;
        return -1;
    }
    r->errors += res->errors;
    r->warnings += res->warnings;
    if (cfc_report_event(r->report, line, res) != 0) {
        r->trouble = true;
        return -1;
    }
    return 0;
}

static void check_stream(run *r, FILE *in, const char *name)
{
    cfc_framer *fr = cfc_framer_new(cfc_checker_max_event_bytes(r->checker), on_line, r);
    r->stream = cfc_stream_new(r->checker, &r->stream_opts);
    if (fr == NULL || r->stream == NULL || cfc_report_begin_file(r->report, name) != 0) {
        fprintf(stderr, "cfconform: error: %s: out of memory or cannot write\n", name);
        r->trouble = true;
        cfc_framer_free(fr);
        cfc_stream_free(r->stream);
        r->stream = NULL;
        return;
    }
    static char chunk[1 << 16];
    int rc = 0;
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
        rc = cfc_framer_feed(fr, chunk, n);
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "cfconform: error: %s: read error: %s\n", name, strerror(errno));
        r->trouble = true;
    }
    if (rc == 0)
        rc = cfc_framer_finish(fr);
    if (rc != 0)
        r->trouble = true;
    cfc_framer_free(fr);
    cfc_stream_free(r->stream);
    r->stream = NULL;
    if (cfc_report_end_file(r->report) != 0)
        r->trouble = true;
}

int cfc_cmd_check(int argc, char **argv)
{
    cfc_cli_checking k;
    cfc_cli_checking_init(&k);
    const char *files[argc > 0 ? argc : 1];
    int n_files = 0;
    bool only_files = false;

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
        /* OPT_HELP, the only one left */
        usage(stdout);
        return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
    }
    if (n_files == 0)
        files[n_files++] = "-";

    run r = {0};
    r.stream_opts = k.stream;
    r.checker = cfc_cli_checking_checker(&k);
    if (r.checker == NULL)
        return EXIT_TROUBLE;
    cfc_report_options ro = {.color = k.color == 1, .quiet = k.quiet};
    r.report = cfc_report_new(stdout, k.format, &ro);
    if (r.report == NULL) {
        fputs("cfconform: error: out of memory\n", stderr);
        cfc_checker_free(r.checker);
        return EXIT_TROUBLE;
    }

    for (int i = 0; i < n_files && !r.trouble; i++) {
        if (strcmp(files[i], "-") == 0) {
            check_stream(&r, stdin, "<stdin>");
            continue;
        }
        FILE *in = fopen(files[i], "rb");
        if (in == NULL) {
            fprintf(stderr, "cfconform: error: cannot open %s: %s\n", files[i], strerror(errno));
            r.trouble = true;
            break;
        }
        check_stream(&r, in, files[i]);
        fclose(in);
    }
    if (cfc_report_finish(r.report) != 0)
        r.trouble = true;
    cfc_report_free(r.report);
    cfc_checker_free(r.checker);
    if (fclose(stdout) != 0) {
        fputs("cfconform: error: cannot write to stdout\n", stderr);
        return EXIT_TROUBLE;
    }
    if (r.trouble)
        return EXIT_TROUBLE;
    if (r.errors > 0 || (k.fail_on_warning && r.warnings > 0))
        return EXIT_VIOLATIONS;
    return EXIT_CONFORMS;
}

/* ---- rules and explain ------------------------------------------------- */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

int cfc_cmd_rules(int argc, char **argv)
{
    bool json = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--format=json") == 0 ||
            (strcmp(argv[i], "--format") == 0 && i + 1 < argc && strcmp(argv[++i], "json") == 0))
            json = true;
        else if (strcmp(argv[i], "--format=text") == 0 || strcmp(argv[i], "text") == 0)
            json = false;
        else
            return cfc_cli_usage_error("rules: unexpected argument '%s'", argv[i]);
    }
    if (json)
        fputs("[", stdout);
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        if (json) {
            fputs(i ? ",\n {\"id\":" : "{\"id\":", stdout);
            json_string(stdout, r->id);
            fputs(",\"severity\":", stdout);
            json_string(stdout, cfc_severity_name(r->severity));
            fputs(",\"reference\":", stdout);
            json_string(stdout, r->reference);
            fputs(",\"summary\":", stdout);
            json_string(stdout, r->summary);
            fputs("}", stdout);
        } else {
            printf("%-24s %-8s %-12.12s %s\n", r->id, cfc_severity_name(r->severity), r->reference,
                   r->summary);
        }
    }
    if (json)
        fputs("]\n", stdout);
    return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
}

/* An example, each of its lines (a stream rule's has several) indented. */
static void print_example(const char *ex)
{
    for (const char *p = ex; *p;) {
        size_t len = strcspn(p, "\n");
        printf("  %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
}

int cfc_cmd_explain(int argc, char **argv)
{
    if (argc != 1)
        return cfc_cli_usage_error("explain wants one rule ID, e.g. 'cfconform explain %s'",
                                   "blocked-count");
    const cfc_rule_info *r = cfc_rule_find(argv[0]);
    if (r == NULL) {
        fprintf(stderr, "cfconform: error: no rule '%s'\nTry 'cfconform rules'.\n", argv[0]);
        return EXIT_TROUBLE;
    }
    printf("%s (%s)\n  %s\n  reference: %s (docs/contract-rules.md, "
           "docs/websocket-event-contracts.md)\n\n",
           r->id, cfc_severity_name(r->severity), r->summary, r->reference);
    printf("passes:\n");
    print_example(r->pass_example);
    if (r->fail_example == NULL) {
        printf("\nfails:\n  (an example cannot be one printable line; see corpus/invalid/)\n");
        return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
    }
    printf("\nfails:\n");
    print_example(r->fail_example);
    /* Show the finding the checker really gives, not a description of it. A
     * stream rule's example is several lines, checked as a stream the way
     * rules.def says: from the producer's start, subscribed to project 1. */
    bool multi = strchr(r->fail_example, '\n') != NULL;
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options so = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = c ? cfc_stream_new(c, &so) : NULL;
    const char *ev = r->fail_example;
    for (size_t line = 1; s && *ev; line++) {
        size_t len = strcspn(ev, "\n");
        const cfc_event_result *res;
        if (cfc_stream_check_event(s, ev, len, &res) != CFC_CHECK_OK)
            break;
        for (size_t i = 0; i < res->n_findings; i++) {
            const cfc_finding *f = &res->findings[i];
            if (f->rule != r->rule)
                continue;
            printf("  -> ");
            if (multi)
                printf("line %zu: ", line);
            printf("%s[%s] %s: %s\n", cfc_severity_name(f->severity), r->id,
                   f->pointer[0] ? f->pointer : "(event)", f->message);
        }
        ev += len + (ev[len] == '\n');
    }
    cfc_stream_free(s);
    cfc_checker_free(c);
    return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
}

/* The subcommands. A new one is a row here and a cfc_cmd_* in its own file. */
static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} commands[] = {
    {"check", cfc_cmd_check},     {"rules", cfc_cmd_rules},       {"explain", cfc_cmd_explain},
    {"watch", cfc_cmd_watch},     {"generate", cfc_cmd_generate}, {"fuzz-exec", cfc_cmd_fuzz_exec},
    {"certify", cfc_cmd_certify},
};

int main(int argc, char **argv)
{
    if (argc < 2)
        return cfc_cli_usage_error("%s", "no command (see 'cfconform --help')");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
    }
    if (strcmp(cmd, "--version") == 0) {
        puts("cfconform " CFC_VERSION);
        return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    }
    return cfc_cli_usage_error("unknown command '%s' (see 'cfconform --help')", cmd);
}
