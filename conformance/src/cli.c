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


/* The options of `check`, once: parsing and --help both read this table. */
typedef enum opt_id {
    OPT_FORMAT,
    OPT_STRICT,
    OPT_CONFIG,
    OPT_MAX_EVENT_BYTES,
    OPT_MAX_DEPTH,
    OPT_QUIET,
    OPT_FAIL_ON,
    OPT_COLOR,
    OPT_FROM_START,
    OPT_PROJECT,
    OPT_HELP
} opt_id;

static const struct option_row {
    opt_id id;
    const char *name;
    const char *arg; /* NULL: a flag */
    const char *help;
} options[] = {
    {OPT_FORMAT, "--format", "text|json|junit", "output format (default text)"},
    {OPT_STRICT, "--strict", NULL, "warnings count as errors"},
    {OPT_CONFIG, "--config", "FILE", "rules configuration (JSON): disable rules, change severities, extend enums"},
    {OPT_MAX_EVENT_BYTES, "--max-event-bytes", "N", "largest event checked (default 1048576)"},
    {OPT_MAX_DEPTH, "--max-depth", "N", "deepest nesting allowed (default 64)"},
    {OPT_QUIET, "--quiet", NULL, "summary only"},
    {OPT_FAIL_ON, "--fail-on", "error|warning", "what makes the exit code 1 (default error)"},
    {OPT_COLOR, "--color", "auto|always|never", "colour in text output (default auto: a terminal, unless NO_COLOR is set)"},
    {OPT_FROM_START, "--from-start", NULL, "each input begins at the producer's start: also check S1, S3 (agents created first, tasks blocked before unblocked)"},
    {OPT_PROJECT, "--project", "N", "the connection subscribed to project N: any other project_id is an error (S7)"},
    {OPT_HELP, "--help", NULL, "show this help"},
};
#define N_OPTIONS (sizeof options / sizeof options[0])

static void usage(FILE *f)
{
    fputs("usage: cfconform check [OPTIONS] [FILE...]   check NDJSON events (stdin when no FILE or -)\n"
          "       cfconform rules [--format text|json]  list the rule catalogue\n"
          "       cfconform explain RULE                a rule, its reference and examples\n"
          "       cfconform watch [OPTIONS] URL         check a live WebSocket producer (watch --help)\n"
          "       cfconform certify --adapter CMD       certify a broadcaster implementation (certify --help)\n"
          "       cfconform generate [OPTIONS]          seeded events for feeding a decoder (generate --help)\n"
          "       cfconform fuzz-exec [OPTIONS] -- CMD  fuzz a decoder in any language (fuzz-exec --help)\n"
          "       cfconform --version\n"
          "\n"
          "check options:\n",
          f);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        char left[48];
        snprintf(left, sizeof left, "%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(f, "  %-32s %s\n", left, options[i].help);
    }
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
    cfc_check_options co = {0};
    cfc_stream_options stream_opts = {0};
    cfc_format format = CFC_FORMAT_TEXT;
    const char *config = NULL;
    bool quiet = false, fail_on_warning = false;
    int color = -1; /* auto */
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
        const char *value = NULL;
        const struct option_row *o = NULL;
        for (size_t k = 0; k < N_OPTIONS; k++) {
            size_t nl = strlen(options[k].name);
            if (strncmp(a, options[k].name, nl) == 0 && (a[nl] == '\0' || a[nl] == '=')) {
                o = &options[k];
                value = a[nl] == '=' ? a + nl + 1 : NULL;
            }
        }
        if (o == NULL)
            return cfc_cli_usage_error("unknown option '%s'", a);
        if (o->arg && value == NULL) {
            if (i + 1 >= argc)
                return cfc_cli_usage_error("%s needs a value", o->name);
            value = argv[++i];
        }
        if (!o->arg && value)
            return cfc_cli_usage_error("%s takes no value", o->name);
        switch (o->id) {
        case OPT_FORMAT:
            if (cfc_format_parse(value, &format) != 0)
                return cfc_cli_usage_error("--format must be text, json or junit, not '%s'", value);
            break;
        case OPT_STRICT: co.strict = true; break;
        case OPT_CONFIG: config = value; break;
        case OPT_MAX_EVENT_BYTES:
            if (!cfc_cli_parse_size(value, &co.max_event_bytes))
                return cfc_cli_usage_error("--max-event-bytes wants a positive integer, not '%s'", value);
            break;
        case OPT_MAX_DEPTH: {
            size_t d;
            if (!cfc_cli_parse_size(value, &d) || d > 10000)
                return cfc_cli_usage_error("--max-depth wants an integer in 1..10000, not '%s'", value);
            co.max_depth = (unsigned)d;
            break;
        }
        case OPT_QUIET: quiet = true; break;
        case OPT_FAIL_ON:
            if (strcmp(value, "error") == 0)
                fail_on_warning = false;
            else if (strcmp(value, "warning") == 0)
                fail_on_warning = true;
            else
                return cfc_cli_usage_error("--fail-on must be error or warning, not '%s'", value);
            break;
        case OPT_COLOR:
            if (strcmp(value, "auto") == 0)
                color = -1;
            else if (strcmp(value, "always") == 0)
                color = 1;
            else if (strcmp(value, "never") == 0)
                color = 0;
            else
                return cfc_cli_usage_error("--color must be auto, always or never, not '%s'", value);
            break;
        case OPT_FROM_START: stream_opts.from_start = true; break;
        case OPT_PROJECT: {
            size_t id;
            if (!cfc_cli_parse_size(value, &id) || (uint64_t)id > (uint64_t)CFC_MAX_SAFE_INTEGER)
                return cfc_cli_usage_error("--project wants a project ID (an integer >= 1), not '%s'", value);
            stream_opts.subscribed_project_id = (int64_t)id;
            break;
        }
        case OPT_HELP:
            usage(stdout);
            return fclose(stdout) == 0 ? EXIT_CONFORMS : EXIT_TROUBLE;
        }
    }
    if (n_files == 0)
        files[n_files++] = "-";
    if (color < 0) {
        const char *nc = getenv("NO_COLOR");
        color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
    }

    run r = {0};
    r.stream_opts = stream_opts;
    r.checker = cfc_checker_new(&co);
    if (r.checker == NULL) {
        fputs("cfconform: error: out of memory\n", stderr);
        return EXIT_TROUBLE;
    }
    if (config) {
        size_t len = 0;
        char *text = cfc_cli_read_file(config, &len);
        if (text == NULL) {
            fprintf(stderr, "cfconform: error: cannot read config %s: %s\n", config,
                    strerror(errno ? errno : EIO));
            cfc_checker_free(r.checker);
            return EXIT_TROUBLE;
        }
        cfc_error err = {0};
        cfc_check_status st = cfc_checker_configure(r.checker, text, len, &err);
        free(text);
        if (st != CFC_CHECK_OK) {
            fprintf(stderr, "cfconform: error: %s: %s\n", config, err.message);
            cfc_checker_free(r.checker);
            return EXIT_TROUBLE;
        }
        /* Command-line limits win over the file's. */
        cfc_checker_set_limits(r.checker, co.max_event_bytes, co.max_depth);
    }
    cfc_report_options ro = {.color = color == 1, .quiet = quiet};
    r.report = cfc_report_new(stdout, format, &ro);
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
    if (r.errors > 0 || (fail_on_warning && r.warnings > 0))
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
            printf("%-24s %-8s %-12.12s %s\n", r->id, cfc_severity_name(r->severity),
                   r->reference, r->summary);
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
        return cfc_cli_usage_error("explain wants one rule ID, e.g. 'cfconform explain %s'", "blocked-count");
    const cfc_rule_info *r = cfc_rule_find(argv[0]);
    if (r == NULL) {
        fprintf(stderr, "cfconform: error: no rule '%s'\nTry 'cfconform rules'.\n", argv[0]);
        return EXIT_TROUBLE;
    }
    printf("%s (%s)\n  %s\n  reference: %s (docs/contract-rules.md, docs/websocket-event-contracts.md)\n\n",
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
    {"check", cfc_cmd_check},
    {"rules", cfc_cmd_rules},
    {"explain", cfc_cmd_explain},
    {"watch", cfc_cmd_watch},
    {"generate", cfc_cmd_generate},
    {"fuzz-exec", cfc_cmd_fuzz_exec},
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
