/* SPDX-License-Identifier: MIT */
/* Internal: what the cfconform subcommands share. Each subcommand is a
 * cfc_cmd_* function (argv after the command name) returning an exit code. */
#ifndef CFC_CLI_H
#define CFC_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfc/check.h"
#include "cfc/report.h"
#include "cfc/stream.h"

/* Exit codes, documented in --help and the README. */
#define EXIT_CONFORMS 0
#define EXIT_VIOLATIONS 1
#define EXIT_TROUBLE 2

/* Prints "cfconform: error: <fmt with arg>" and a hint to stderr; returns 2. */
int cfc_cli_usage_error(const char *fmt, const char *arg);
/* The caps of the size and count options, the same for every subcommand
 * (documented in the README and each --help). A cap keeps arithmetic on the
 * value from wrapping and memory bounded: --max-event-bytes 2^64-1 once
 * overflowed the framer and made generate allocate gigabytes. */
#define CFC_CLI_MAX_EVENT_BYTES                                                                    \
    ((uint64_t)CFC_MAX_EVENT_BYTES_CAP)             /* --max-event-bytes, --max-len */
#define CFC_CLI_MAX_DEPTH CFC_MAX_DEPTH_CAP         /* --max-depth */
#define CFC_CLI_MAX_COUNT ((uint64_t)1000000000000) /* --count, --runs, --min-events */
#define CFC_CLI_MAX_MS 3600000u                     /* --timeout and other milliseconds */

/* The one parser of size and count options: a plain decimal integer (no
 * sign, no spaces, no suffix) in lo..hi. Returns 0, or prints a usage error
 * naming the option and the range and returns 2. */
int cfc_cli_parse_count(const char *option, const char *value, uint64_t lo, uint64_t hi,
                        uint64_t *out);
/* Flushes and closes stdout. A write error there (a full disk, /dev/full,
 * a closed pipe with SIGPIPE ignored) is said on stderr ("cannot write to
 * stdout: No space left on device") and makes the exit code 2; otherwise
 * returns rc. Every subcommand ends through it. */
int cfc_cli_close_stdout(int rc);
/* The whole file (malloc'd, caller frees), or NULL with errno set. */
char *cfc_cli_read_file(const char *path, size_t *len);

/* The installed data file `rel` (under share/cfconform, found from the
 * executable's own folder, so the installed tree may move), written into buf;
 * when that file does not exist (a build tree), `fallback`. */
const char *cfc_cli_data_file(const char *rel, const char *fallback, char *buf, size_t cap);

/* The closest of `known` to a mistyped `word` (its "=value" ignored), when
 * close enough to be the likely intent; else NULL (cli_suggest.c). */
const char *cfc_cli_suggest(const char *word, const char *const *known, size_t n);
/* Prints "cfconform: error: WHAT 'WORD'", a "did you mean" from `known` when
 * one is close, and the hint; returns 2. */
int cfc_cli_unknown(const char *what, const char *word, const char *const *known, size_t n);

/* One option of a subcommand: the parser and --help both read these rows. */
typedef struct cfc_cli_option {
    int id;
    const char *name; /* "--format" */
    const char *arg;  /* the value's placeholder; NULL: a flag */
    const char *help;
} cfc_cli_option;

/* If argv[*i] names an option of `table` ("--name" or "--name=value"):
 * *opt and *value (taken from the next argument when needed, advancing *i),
 * return 1. Not in the table: 0. A missing or unexpected value: a usage
 * error is printed, -1. */
int cfc_cli_match(int argc, char **argv, int *i, const cfc_cli_option *table, size_t n,
                  const cfc_cli_option **opt, const char **value);
/* "  --name ARG   help" lines; a long "--name ARG" gets a line of its own,
 * the help below it (scripts/gen-man reads this layout). */
void cfc_cli_print_options(FILE *f, const cfc_cli_option *table, size_t n);

/* The options `check` and `watch` share: what to check and how to report. */
enum {
    CFC_OPT_FORMAT = 1000,
    CFC_OPT_STRICT,
    CFC_OPT_CONFIG,
    CFC_OPT_MAX_EVENT_BYTES,
    CFC_OPT_MAX_DEPTH,
    CFC_OPT_QUIET,
    CFC_OPT_FAIL_ON,
    CFC_OPT_COLOR,
    CFC_OPT_FROM_START,
    CFC_OPT_PROJECT,
    CFC_OPT_EVENTS,
    CFC_OPT_REPORT
};
extern const cfc_cli_option cfc_cli_checking_options[];
extern const size_t cfc_cli_n_checking_options;

#define CFC_CLI_MAX_REPORTS 8
typedef struct cfc_cli_checking {
    cfc_check_options check;
    cfc_stream_options stream;
    cfc_format format;
    const char *config;
    bool quiet;
    bool fail_on_warning;
    int color;                                /* -1 auto, 0 never, 1 always */
    bool events;                              /* --events: each line alone, no stream rules */
    const char *reports[CFC_CLI_MAX_REPORTS]; /* --report FORMAT=FILE, as given */
    size_t n_reports;
} cfc_cli_checking;

void cfc_cli_checking_init(cfc_cli_checking *k);
/* Applies one of the shared options: 0, or 2 after a usage error. */
int cfc_cli_checking_set(cfc_cli_checking *k, int id, const char *value);
/* The next option of a subcommand that has the shared options and `own`:
 * a shared one is applied to k (returns 0); one of `own` comes back in
 * *opt and *value (returns 1); an unknown or malformed one is a usage error,
 * printed (returns -1: exit 2). */
int cfc_cli_checking_option(cfc_cli_checking *k, int argc, char **argv, int *i,
                            const cfc_cli_option *own, size_t n_own, const cfc_cli_option **opt,
                            const char **value);
/* Resolves --color auto and returns the checker the options describe, the
 * configuration file applied; NULL after an error message (exit 2). */
cfc_checker *cfc_cli_checking_checker(cfc_cli_checking *k);
/* After parsing: 0, or 2 after a usage error (--events with a stream option). */
int cfc_cli_checking_validate(const cfc_cli_checking *k);

/* The stdout report and the --report files of one run (cli_reports.c); the
 * calls mirror cfc_report_*'s and go to each report. open prints why it
 * fails (NULL: exit 2); finish closes the files and names the one that
 * could not be written. */
typedef struct cfc_cli_reports cfc_cli_reports;
cfc_cli_reports *cfc_cli_reports_open(const cfc_cli_checking *k);
int cfc_cli_reports_begin_file(cfc_cli_reports *rs, const char *name);
int cfc_cli_reports_event(cfc_cli_reports *rs, size_t line, const cfc_event_result *res);
/* For --jobs: the only report, when events without findings can be
 * rendered for it on other threads (cfc__report_render_ok), else NULL; and
 * n such events, rendered in order, counted and written (cfc__report_put_ok). */
const cfc_report *cfc_cli_reports_renderer(const cfc_cli_reports *rs);
int cfc_cli_reports_put_ok(cfc_cli_reports *rs, size_t n, const char *bytes, size_t len);
/* An input that could not be read, in every report (an error testcase in JUnit). */
int cfc_cli_reports_input_error(cfc_cli_reports *rs, const char *name, const char *why);
int cfc_cli_reports_end_file(cfc_cli_reports *rs);
int cfc_cli_reports_finish(cfc_cli_reports *rs);
void cfc_cli_reports_free(cfc_cli_reports *rs);
/* "FORMAT=FILE" into its parts; -1 when malformed or the format unknown. */
int cfc_cli_report_spec(const char *spec, cfc_format *format, const char **path);

/* An unknown option of a subcommand whose options are `a` and `b` (b may be
 * NULL): the error with a "did you mean", exit code 2. */
int cfc_cli_unknown_option(const char *arg, const cfc_cli_option *a, size_t na,
                           const cfc_cli_option *b, size_t nb);

/* The top-level usage, with check's options (cli_check.c). */
void cfc_cli_usage(FILE *f);

int cfc_cmd_check(int argc, char **argv);            /* cli_check.c */
int cfc_cmd_rules(int argc, char **argv);            /* cli_rules.c */
int cfc_cmd_explain(int argc, char **argv);          /* cli_rules.c */
int cfc_cmd_watch(int argc, char **argv);            /* cli_watch.c */
int cfc_cmd_generate(int argc, char **argv);         /* cli_generate.c */
int cfc_cmd_fuzz_exec(int argc, char **argv);        /* cli_fuzz_exec.c */
int cfc_cmd_certify(int argc, char **argv);          /* cli_certify.c */
int cfc_cmd_certify_consumer(int argc, char **argv); /* cli_consumer.c */
int cfc_cmd_schema(int argc, char **argv);           /* cli_schema.c */

/* ---- certify and certify --consumer (cli_certify.c) ---------------------------- */

/* The options both roles have; each command adds its own table. */
enum {
    CFC_CERT_OPT_ADAPTER = 2000,
    CFC_CERT_OPT_CASES,
    CFC_CERT_OPT_REPORT_DIR,
    CFC_CERT_OPT_TIMEOUT,
    CFC_CERT_OPT_DEADLINE,
    CFC_CERT_OPT_QUIET
};
extern const cfc_cli_option cfc_cli_cert_options[];
extern const size_t cfc_cli_n_cert_options;
typedef struct cfc_cli_cert {
    const char *adapter, *cases, *report_dir;
    unsigned timeout_ms, deadline_ms; /* 0: the default, none */
    bool quiet;
} cfc_cli_cert;
/* The next option: a shared one is applied to c (returns 0); one of `own`
 * comes back in *opt and *value (returns 1); an unknown or malformed one is
 * a usage error, printed (returns -1: exit 2). */
int cfc_cli_cert_option(cfc_cli_cert *c, int argc, char **argv, int *i, const cfc_cli_option *own,
                        size_t n_own, const cfc_cli_option **opt, const char **value);
/* The data a run reads, whole (*len bytes): the file `given` (an option),
 * else $env, else the installed share/cfconform/REL beside the executable
 * (cfc_cli_data_file), else `fallback` (the source tree's); *path says
 * which. NULL after saying on stderr why it cannot be read ("cannot read
 * WHAT PATH: ..."). */
char *cfc_cli_cert_data(const char *given, const char *env, const char *rel, const char *fallback,
                        const char *what, const char **path, size_t *len);
/* Before a run: SIGPIPE ignored (a closed stdout is exit 2, not a kill),
 * big blocks (16 MiB adapter lines) mapped and unmapped, not kept in the
 * heap, and SIGINT, SIGTERM and SIGHUP set the flag returned (the run
 * stops the adapter's group and ends with the cases finished). */
const volatile sig_atomic_t *cfc_cli_cert_signals(void);
/* Writes dir/name whole or not at all: fill(ctx, what, f) writes it to a
 * temporary file in dir, renamed into place once complete and on disk (a
 * full disk leaves the previous file, or none, never a truncated one). 0,
 * or -1 said on stderr. */
int cfc_cli_write_whole(const char *dir, const char *name,
                        int (*fill)(const void *ctx, int what, FILE *f), const void *ctx, int what);
/* mkdir -p dir, then the five reports (cfc_cert_format, file names
 * cfc_cert_format_file), each by write(cert, format, f) through
 * cfc_cli_write_whole. 0, or -1 said on stderr. */
int cfc_cli_make_report_dir(const char *dir);
int cfc_cli_write_reports(const char *dir, int (*write)(const void *cert, int format, FILE *f),
                          const void *cert);
/* How a run ended, for its last line and its exit code (in this order). */
typedef struct cfc_cli_cert_end {
    bool stopped, deadline;
    int stop_signal;
    size_t n_results, n_selected;
    bool certified, partial_clean; /* partial_clean: a subset with no failure */
    bool trouble;                  /* a report could not be written */
} cfc_cli_cert_end;
/* Says a run stopped early ("stopped (Interrupt) after 3 of 37 cases"),
 * closes stdout and returns the exit code: 2 trouble, 128+N a signal, 4
 * the deadline, 3 partial and clean, 0 certified, else 1. */
int cfc_cli_cert_finish(const cfc_cli_cert_end *e);

#endif
