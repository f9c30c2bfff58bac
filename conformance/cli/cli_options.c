/* SPDX-License-Identifier: MIT */
/*
 * Option parsing for the subcommands, and the options that `check` and
 * `watch` share (what to check, how to report it): one table each, read by
 * both the parser and --help.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/contract.h"
#include "cli.h"

const cfc_cli_option cfc_cli_checking_options[] = {
    {CFC_OPT_FORMAT, "--format", "text|json|junit|sarif|github|markdown",
     "output format on stdout (default text)"},
    {CFC_OPT_REPORT, "--report", "FORMAT=FILE",
     "also write a report in FORMAT to FILE (repeatable; whatever --quiet says)"},
    {CFC_OPT_STRICT, "--strict", NULL, "warnings count as errors"},
    {CFC_OPT_CONFIG, "--config", "FILE",
     "rules configuration (JSON): disable rules, change severities, extend enums"},
    {CFC_OPT_MAX_EVENT_BYTES, "--max-event-bytes", "N",
     "largest event checked (default 1048576, at most 67108864); larger ones are findings"},
    {CFC_OPT_MAX_DEPTH, "--max-depth", "N", "deepest nesting allowed (default 64, at most 10000)"},
    {CFC_OPT_QUIET, "--quiet", NULL, "summary only"},
    {CFC_OPT_FAIL_ON, "--fail-on", "error|warning", "what makes the exit code 1 (default error)"},
    {CFC_OPT_COLOR, "--color", "auto|always|never",
     "colour in text output (default auto: with FORCE_COLOR set, or on a terminal unless "
     "NO_COLOR is set)"},
    {CFC_OPT_FROM_START, "--from-start", NULL,
     "the input begins at the producer's start: also check S1, S3 (agents created first, tasks "
     "blocked before unblocked)"},
    {CFC_OPT_PROJECT, "--project", "N",
     "the connection subscribed to project N: any other project_id is an error (S7)"},
    {CFC_OPT_EVENTS, "--events", NULL,
     "read each line as an independent event: G, T and E rules only, no stream rules (the "
     "default reads each input as one stream)"},
};
const size_t cfc_cli_n_checking_options =
    sizeof cfc_cli_checking_options / sizeof cfc_cli_checking_options[0];

int cfc_cli_match(int argc, char **argv, int *i, const cfc_cli_option *table, size_t n,
                  const cfc_cli_option **opt, const char **value)
{
    /* -h is --help in every table that has --help. */
    const char *a = strcmp(argv[*i], "-h") == 0 ? "--help" : argv[*i];
    for (size_t k = 0; k < n; k++) {
        size_t nl = strlen(table[k].name);
        if (strncmp(a, table[k].name, nl) != 0 || (a[nl] != '\0' && a[nl] != '='))
            continue;
        *opt = &table[k];
        *value = a[nl] == '=' ? a + nl + 1 : NULL;
        if (table[k].arg && *value == NULL) {
            if (*i + 1 >= argc) {
                cfc_cli_usage_error("%s needs a value", table[k].name);
                return -1;
            }
            *value = argv[++*i];
        }
        if (!table[k].arg && *value) {
            cfc_cli_usage_error("%s takes no value", table[k].name);
            return -1;
        }
        return 1;
    }
    return 0;
}

void cfc_cli_print_options(FILE *f, const cfc_cli_option *table, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char left[48];
        snprintf(left, sizeof left, "%s%s%s", table[i].name, table[i].arg ? " " : "",
                 table[i].arg ? table[i].arg : "");
        if (strlen(left) > 32)
            fprintf(f, "  %s\n  %-32s %s\n", left, "", table[i].help);
        else
            fprintf(f, "  %-32s %s\n", left, table[i].help);
    }
}

void cfc_cli_checking_init(cfc_cli_checking *k)
{
    memset(k, 0, sizeof *k);
    k->format = CFC_FORMAT_TEXT;
    k->color = -1;
}

int cfc_cli_checking_set(cfc_cli_checking *k, int id, const char *value)
{
    switch (id) {
    case CFC_OPT_FORMAT:
        if (cfc_format_parse(value, &k->format) != 0)
            return cfc_cli_usage_error(
                "--format must be text, json, junit, sarif, github or markdown, not '%s'", value);
        return 0;
    case CFC_OPT_REPORT: {
        cfc_format f;
        const char *path;
        if (cfc_cli_report_spec(value, &f, &path) != 0)
            return cfc_cli_usage_error("--report wants FORMAT=FILE (e.g. sarif=cfconform.sarif), "
                                       "not '%s'",
                                       value);
        if (k->n_reports == CFC_CLI_MAX_REPORTS)
            return cfc_cli_usage_error("at most 8 --report options, not more: '%s'", value);
        k->reports[k->n_reports++] = value;
        return 0;
    }
    case CFC_OPT_STRICT: k->check.strict = true; return 0;
    case CFC_OPT_CONFIG: k->config = value; return 0;
    case CFC_OPT_MAX_EVENT_BYTES: {
        uint64_t n;
        if (cfc_cli_parse_count("--max-event-bytes", value, 1, CFC_CLI_MAX_EVENT_BYTES, &n) != 0)
            return EXIT_TROUBLE;
        k->check.max_event_bytes = (size_t)n;
        return 0;
    }
    case CFC_OPT_MAX_DEPTH: {
        uint64_t d;
        if (cfc_cli_parse_count("--max-depth", value, 1, CFC_CLI_MAX_DEPTH, &d) != 0)
            return EXIT_TROUBLE;
        k->check.max_depth = (unsigned)d;
        return 0;
    }
    case CFC_OPT_QUIET: k->quiet = true; return 0;
    case CFC_OPT_FAIL_ON:
        if (strcmp(value, "error") != 0 && strcmp(value, "warning") != 0)
            return cfc_cli_usage_error("--fail-on must be error or warning, not '%s'", value);
        k->fail_on_warning = strcmp(value, "warning") == 0;
        return 0;
    case CFC_OPT_COLOR:
        if (strcmp(value, "auto") == 0)
            k->color = -1;
        else if (strcmp(value, "always") == 0)
            k->color = 1;
        else if (strcmp(value, "never") == 0)
            k->color = 0;
        else
            return cfc_cli_usage_error("--color must be auto, always or never, not '%s'", value);
        return 0;
    case CFC_OPT_FROM_START: k->stream.from_start = true; return 0;
    case CFC_OPT_EVENTS: k->events = true; return 0;
    case CFC_OPT_PROJECT: {
        uint64_t id_;
        if (cfc_cli_parse_count("--project", value, 1, (uint64_t)CFC_MAX_SAFE_INTEGER, &id_) != 0)
            return EXIT_TROUBLE;
        k->stream.subscribed_project_id = (int64_t)id_;
        return 0;
    }
    }
    return cfc_cli_usage_error("internal error: no shared option %s", "");
}

int cfc_cli_checking_validate(const cfc_cli_checking *k)
{
    if (k->events && k->stream.from_start)
        return cfc_cli_usage_error("%s", "--from-start is about a stream; --events reads each "
                                         "line alone");
    if (k->events && k->stream.subscribed_project_id != 0)
        return cfc_cli_usage_error("%s", "--project checks a stream (S7); --events reads each "
                                         "line alone");
    return 0;
}

cfc_checker *cfc_cli_checking_checker(cfc_cli_checking *k)
{
    if (k->color < 0) {
        /* FORCE_COLOR (set, not "0") wins over the terminal test and
         * NO_COLOR, as CI logs that render colour want; --color wins over
         * both. */
        const char *nc = getenv("NO_COLOR"), *fc = getenv("FORCE_COLOR");
        if (fc != NULL && fc[0] != '\0' && strcmp(fc, "0") != 0)
            k->color = 1;
        else
            k->color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
    }
    cfc_checker *c = cfc_checker_new(&k->check);
    if (c == NULL) {
        fputs("cfconform: error: out of memory\n", stderr);
        return NULL;
    }
    if (k->config == NULL)
        return c;
    size_t len = 0;
    char *text = cfc_cli_read_file(k->config, &len);
    if (text == NULL) {
        fprintf(stderr, "cfconform: error: cannot read config %s: %s\n", k->config,
                strerror(errno ? errno : EIO));
        cfc_checker_free(c);
        return NULL;
    }
    cfc_error err = {0};
    cfc_check_status st = cfc_checker_configure(c, text, len, &err);
    free(text);
    if (st != CFC_CHECK_OK) {
        fprintf(stderr, "cfconform: error: %s: %s\n", k->config, err.message);
        cfc_checker_free(c);
        return NULL;
    }
    /* Command-line limits win over the file's. */
    cfc_checker_set_limits(c, k->check.max_event_bytes, k->check.max_depth);
    return c;
}

int cfc_cli_checking_option(cfc_cli_checking *k, int argc, char **argv, int *i,
                            const cfc_cli_option *own, size_t n_own, const cfc_cli_option **opt,
                            const char **value)
{
    const char *a = argv[*i];
    int m = cfc_cli_match(argc, argv, i, cfc_cli_checking_options, cfc_cli_n_checking_options, opt,
                          value);
    if (m == 1)
        return cfc_cli_checking_set(k, (*opt)->id, *value) == 0 ? 0 : -1;
    if (m == 0)
        m = cfc_cli_match(argc, argv, i, own, n_own, opt, value);
    if (m == 0)
        cfc_cli_unknown_option(a, cfc_cli_checking_options, cfc_cli_n_checking_options, own, n_own);
    return m == 1 ? 1 : -1;
}
