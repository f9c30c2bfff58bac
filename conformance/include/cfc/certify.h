/* SPDX-License-Identifier: MIT */
/*
 * Certification of third-party broadcasters.
 *
 * Checking captured output shows what a producer happened to send;
 * certification shows what it does for every case that matters. An
 * implementation of the contract's broadcast_* functions (any language) is
 * wrapped by a small adapter program that speaks the adapter protocol
 * (docs/adapter-protocol.md) on its stdin/stdout. cfconform starts it, plays
 * the case catalogue (corpus/certification/) through it, grades every case
 * (PASS, NON-STRICT, FAIL, UNIMPLEMENTED, ERROR) and writes reports:
 *
 *     cfc_catalogue *cat; cfc_certification *cert; cfc_certify_error err;
 *     if (cfc_catalogue_load(bytes, len, NULL, &cat, &err) != CFC_CERTIFY_OK) ... err.message ...
 *     cfc_certify_options o = {.adapter_command = "python3 adapter.py mod.py"};
 *     if (cfc_certify_run(cat, &o, &cert, &err) != CFC_CERTIFY_OK) ... could not run ...
 *     cfc_certification_write(cert, CFC_CERT_HTML, file);
 *     ... cert->certified, cert->counts[CFC_VERDICT_FAIL] ...
 *     cfc_certification_free(cert);
 *     cfc_catalogue_free(cat);
 *
 * Graded like Autobahn|Testsuite: PASS (everything expected), NON-STRICT
 * (acceptable, but with checker warnings or a missing ERROR log line), FAIL
 * (a non-conforming event, wrong values, a raise, a refusal of valid
 * arguments), UNIMPLEMENTED (the adapter does not offer the broadcaster),
 * ERROR (the adapter crashed, hung, wrote invalid JSON or answered out of
 * sequence: the case could not be judged, the adapter is restarted).
 * Certified means: the whole catalogue ran, with no FAIL and no ERROR; a
 * run of a subset is partial, never certified (rule C4).
 *
 * Adapter processes: every call has a timeout; a process that misbehaves is
 * killed (its whole process group) and reaped before the next case starts a
 * new one, and every process started is reaped before cfc_certify_run
 * returns. Writing to a dead adapter never raises SIGPIPE. cfc_certify_run
 * changes no signal disposition and reaps only its own children.
 *
 * Memory: allocations go through the cfc_allocator of the options (NULL:
 * malloc), are all checked, and out of memory is a status, never an abort.
 * Not thread-safe; distinct runs are independent.
 */
#ifndef CFC_CERTIFY_H
#define CFC_CERTIFY_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfc/check.h"
#include "cfc/contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The adapter protocol's version (docs/adapter-protocol.md). */
#define CFC_ADAPTER_PROTOCOL 1
/* The JSON report's schema version. */
#define CFC_CERT_REPORT_SCHEMA 1
/* How much of what the adapter answered is kept for the reports: the first
 * 64 KiB of each case's output (texts sent, log lines, errors, at most 256
 * items), until the run has kept 16 MiB; after that each case keeps its
 * first 4 KiB. Every reply is graded whole before it is cut, so verdicts
 * do not depend on the bound; a cut reply is marked in every report. A
 * case keeps at most CFC_CERT_KEEP_FINDINGS findings, each whole (past it,
 * one of each rule not among them yet), and as many diff lines; the rest
 * are counted. So memory does not grow with what the adapter answers. */
#define CFC_CERT_KEEP_BYTES ((size_t)64 << 10)
#define CFC_CERT_KEEP_RUN ((size_t)16 << 20)
#define CFC_CERT_KEEP_LATE ((size_t)4 << 10)
#define CFC_CERT_KEEP_FINDINGS 200

typedef enum cfc_verdict {
    CFC_VERDICT_PASS = 0,
    CFC_VERDICT_NON_STRICT,
    CFC_VERDICT_FAIL,
    CFC_VERDICT_UNIMPLEMENTED,
    CFC_VERDICT_ERROR,
    CFC_VERDICT_COUNT
} cfc_verdict;

/* "PASS", "NON-STRICT", "FAIL", "UNIMPLEMENTED", "ERROR" (static); "?" if unknown. */
const char *cfc_verdict_name(cfc_verdict v);

typedef enum cfc_certify_status {
    CFC_CERTIFY_OK = 0,
    CFC_CERTIFY_NOMEM,
    CFC_CERTIFY_CATALOGUE, /* the catalogue is invalid */
    CFC_CERTIFY_ADAPTER,   /* the adapter could not be started or never said hello */
    CFC_CERTIFY_USAGE,     /* a bad option: no command, a pattern that selects nothing */
    CFC_CERTIFY_IO         /* a write error */
} cfc_certify_status;

typedef struct cfc_certify_error {
    cfc_certify_status status;
    char message[512];
} cfc_certify_error;

/* ---- The case catalogue ---------------------------------------------------- */

typedef enum cfc_expect_kind {
    CFC_EXPECT_EVENT,             /* exactly one conforming event with these values */
    CFC_EXPECT_REFUSE_OR_CONFORM, /* nothing sent (a refusal), or one conforming event */
    CFC_EXPECT_NO_RAISE           /* a failing manager: returns, logs at ERROR */
} cfc_expect_kind;

typedef enum cfc_fault { CFC_FAULT_NONE = 0, CFC_FAULT_FAIL, CFC_FAULT_RAISE } cfc_fault;

/* "fail", "raise", or NULL for CFC_FAULT_NONE (static). */
const char *cfc_fault_name(cfc_fault f);

struct cfc__expect; /* the parsed expectation, internal */

/* One call of a case. All strings are owned by the catalogue. */
typedef struct cfc_cert_step {
    const cfc_event_type *type; /* the broadcaster's event type */
    const char *broadcaster;    /* the contract's function name, e.g. "broadcast_agent_status" */
    const char *args;           /* the keyword arguments as compact JSON (Python parameter names) */
    cfc_fault fault;
    cfc_expect_kind expect;
    const char *expected; /* what is expected, one line, for people */
    const struct cfc__expect *detail;
} cfc_cert_step;

typedef struct cfc_cert_case {
    const char *id;          /* "2.3.1": stable, hierarchical */
    const char *section;     /* the first component, "2" */
    const char *description; /* one line */
    const char *reference;   /* the contract reference, e.g. "task_blocked: Schema" */
    bool scenario;           /* a sequence checked with the stream rules too */
    const cfc_cert_step *steps;
    size_t n_steps;
    bool from_start;            /* scenario: the stream begins with the producer's start */
    int64_t subscribed_project; /* scenario: 0 = any */
} cfc_cert_case;

typedef struct cfc_cert_section {
    const char *id; /* "2" */
    const char *title;
} cfc_cert_section;

typedef struct cfc_catalogue cfc_catalogue;

/* Parses a catalogue (JSON, corpus/certification/README.md) from len bytes,
 * which are copied. Everything is validated: unique, well-formed IDs in
 * known sections, known broadcasters and parameter names, known fields in
 * expectations. On success *out owns a catalogue (free with
 * cfc_catalogue_free); otherwise *out is untouched and err (may be NULL)
 * says what is wrong and where. alloc may be NULL (malloc). */
cfc_certify_status cfc_catalogue_load(const char *bytes, size_t len, const cfc_allocator *alloc,
                                      cfc_catalogue **out, cfc_certify_error *err);
void cfc_catalogue_free(cfc_catalogue *cat); /* NULL ok */

const char *cfc_catalogue_version(const cfc_catalogue *cat);
/* SHA-256 of the catalogue's exact bytes, 64 hex digits. */
const char *cfc_catalogue_sha256(const cfc_catalogue *cat);
int64_t cfc_catalogue_tolerance_ms(const cfc_catalogue *cat); /* timestamp window, each side */
size_t cfc_catalogue_count(const cfc_catalogue *cat);
const cfc_cert_case *cfc_catalogue_case(const cfc_catalogue *cat, size_t i); /* NULL past the end */
size_t cfc_catalogue_section_count(const cfc_catalogue *cat);
const cfc_cert_section *cfc_catalogue_section(const cfc_catalogue *cat, size_t i);

/* Whether case `id` is selected by `pattern`: comma-separated shell globs
 * (fnmatch), each also matching the cases below it ("2.3" selects 2.3.1).
 * NULL or "" selects every case. */
bool cfc_case_selected(const char *id, const char *pattern);

/* ---- A run ------------------------------------------------------------------- */

typedef enum cfc_outcome {
    CFC_OUTCOME_NONE = 0, /* no usable answer (the case is an ERROR) */
    CFC_OUTCOME_RETURNED, /* the broadcaster returned normally */
    CFC_OUTCOME_RAISED,   /* it raised (an exception escaped it) */
    CFC_OUTCOME_REFUSED,  /* it declined the arguments (an explicit refusal result) */
    CFC_OUTCOME_UNIMPLEMENTED
} cfc_outcome;

/* "returned", "raised", "refused", "unimplemented", or "none" (static). */
const char *cfc_outcome_name(cfc_outcome o);

typedef struct cfc_cert_text {
    char *bytes; /* exactly len bytes (NUL-terminated for convenience; may hold NUL) */
    size_t len;
} cfc_cert_text;

typedef struct cfc_cert_log {
    char *level; /* "ERROR", "WARNING", ... as the adapter said */
    char *message;
} cfc_cert_log;

/* What the adapter answered to one call (the "received" of a report). */
typedef struct cfc_cert_reply {
    cfc_outcome outcome;
    char *status;        /* implementation-specific detail ("REFUSED"), or NULL */
    char *error;         /* what was raised, or why there is no answer; or NULL */
    cfc_cert_text *sent; /* the exact texts the manager was asked to send */
    size_t n_sent;
    cfc_cert_log *logs;
    size_t n_logs;
    /* Calls of the manager outside the contract's interface, exactly
     * broadcast(message) (rule C1), as the adapter described them, e.g.
     * "broadcast() got an unexpected keyword argument 'project_id'". */
    char **misuse;
    size_t n_misuse;
    int64_t called_ms; /* wall clock when the call was sent, Unix ms */
    uint32_t elapsed_ms;
    /* The report bound (CFC_CERT_KEEP_BYTES of output per case, ...): every
     * reply is graded whole, then only the first of its output is kept
     * (error, status, misuse, sent, logs, in that order). When `cut`, a
     * string may be short and the items after it gone; received_* say how
     * many there were and how many bytes (n_sent etc. are what was kept). */
    bool cut;
    size_t received_sent, received_logs, received_misuse;
    uint64_t received_bytes, kept_bytes;
} cfc_cert_reply;

typedef struct cfc_case_result {
    const cfc_cert_case *c;
    cfc_verdict verdict;
    char **messages; /* why it is not PASS, one line each; empty for PASS */
    size_t n_messages;
    char **diff; /* expected vs received: lines "  same", "- expected", "+ received" */
    size_t n_diff;
    cfc_cert_reply *replies; /* one per call made (a scenario stops at an ERROR) */
    size_t n_replies;
    uint32_t elapsed_ms;
    bool cut; /* a reply's output was cut to the report bound */
} cfc_case_result;

typedef struct cfc_certify_options {
    const char *adapter_command; /* words, with '...' "..." and \ quoting; no shell */
    const char *cases;           /* a pattern for cfc_case_selected; NULL = all */
    unsigned call_timeout_ms;    /* per call; 0 = 10000 */
    unsigned start_timeout_ms;   /* for the hello; 0 = 15000 */
    const cfc_allocator *alloc;  /* NULL: malloc */
    /* Called after each case, e.g. for progress output; may be NULL. */
    void (*on_case)(void *ctx, const cfc_case_result *r);
    void *on_case_ctx;
    /* Called before each case (index counts from 0 over the `total`
     * selected cases), with on_case_ctx; may be NULL. */
    void (*on_start)(void *ctx, const cfc_cert_case *c, size_t index, size_t total);
    /* Set non-zero (by a signal handler): the run stops within about 100 ms,
     * the adapter's whole group killed; the case under way is dropped and
     * the certification holds the cases finished (partial, `stopped`).
     * NULL: never. */
    const volatile sig_atomic_t *stop;
    /* The whole run's limit in ms (0 = none): no case starts after it, a
     * call under way is cut at it, and the run ends as `stopped` too. */
    unsigned deadline_ms;
} cfc_certify_options;

typedef struct cfc_certification {
    const cfc_catalogue *catalogue; /* borrowed: must outlive the certification */
    char *adapter_command;
    /* What the adapter said about itself. */
    char *impl_name, *impl_language, *impl_version;
    char **broadcasters; /* the contract function names it implements */
    size_t n_broadcasters;
    cfc_case_result *results; /* selected cases, catalogue order */
    size_t n_results;
    size_t counts[CFC_VERDICT_COUNT];
    /* Rule C4: the whole catalogue ran with no FAIL and no ERROR. A run of
     * a subset (options.cases) is partial, never certified. */
    bool certified;
    bool partial;          /* a subset of the catalogue ran (n_results < its count) */
    size_t adapter_starts; /* 1 + restarts */
    int64_t started_ms;    /* Unix ms */
    uint32_t elapsed_ms;
    char *selection; /* the cases pattern, or NULL */
    const cfc_allocator *alloc;
    /* The run ended before its last case: opts.stop was set (stop_signal:
     * its value) or opts.deadline_ms passed (deadline). Always partial,
     * never certified; every report says so ("Interrupted by SIGINT after
     * 3 of 37 cases"), the JUnit one with an error testcase. */
    bool stopped, deadline;
    int stop_signal;
    size_t n_selected;   /* the cases the run was to play (n_results of them ran) */
    size_t cases_cut;    /* cases whose output was cut to the bound (CFC_CERT_KEEP_BYTES) */
    uint64_t kept_bytes; /* of the adapter's output, over all cases */
} cfc_certification;

/* Runs every selected case through the adapter. CFC_CERTIFY_OK: *out owns
 * the certification (free with cfc_certification_free), whatever the
 * verdicts. CFC_CERTIFY_ADAPTER: the adapter could not be started or did not
 * answer the start request (nothing was certified); CFC_CERTIFY_USAGE: no
 * command, or no case selected; CFC_CERTIFY_NOMEM. err may be NULL. */
cfc_certify_status cfc_certify_run(const cfc_catalogue *cat, const cfc_certify_options *opts,
                                   cfc_certification **out, cfc_certify_error *err);
void cfc_certification_free(cfc_certification *cert); /* NULL ok */

/* Strictly passed cases (PASS only: NON-STRICT is counted apart, rule C4)
 * in percent, rounded down, of the cases run; 0 when none. */
unsigned cfc_certification_score(const cfc_certification *cert);

/* The cases not passed, by rule: a checker rule ID ("ts-fraction") or a
 * certification check ("C1 manager interface", "C2 never raise",
 * "expected values", ...). `cases` counts the cases with at least one
 * finding of that rule; first_case is the first of them (the
 * certification's). So one systematic fault does not hide the others. */
typedef struct cfc_cert_rule_row {
    char rule[48];
    size_t cases;
    const char *first_case;
} cfc_cert_rule_row;

/* Fills up to cap rows, most cases first (ties in catalogue order);
 * returns how many rules there are (may exceed cap). */
size_t cfc_certification_rules(const cfc_certification *cert, cfc_cert_rule_row *rows, size_t cap);

/* The rule a case message belongs to (as cfc_certification_rules counts
 * it), into out (cap bytes); verdict is the case's. */
void cfc_cert_message_rule(const char *message, cfc_verdict verdict, char *out, size_t cap);

/* Progress while a certification runs, on a stream (stderr). Live (a
 * terminal): one line redrawn in place, "[ 12/468]  2%  6.2.1  about 9 s
 * left  FAIL 1", erased at the end. Otherwise a line every interval_ms
 * (0: after every case). Wire it with cfc_cert_progress_on_start/_on_case
 * (ctx = the progress). */
typedef struct cfc_cert_progress cfc_cert_progress;
cfc_cert_progress *cfc_cert_progress_new(FILE *out, bool live, unsigned interval_ms,
                                         const cfc_allocator *alloc);
void cfc_cert_progress_on_start(void *progress, const cfc_cert_case *c, size_t index, size_t total);
void cfc_cert_progress_on_case(void *progress, const cfc_case_result *r);
/* Erases the live line, so that other output can be written; the next
 * update draws it again. */
void cfc_cert_progress_clear(cfc_cert_progress *p);
void cfc_cert_progress_free(cfc_cert_progress *p); /* erases the live line; NULL ok */

typedef enum cfc_cert_format {
    CFC_CERT_JSON,     /* machine-readable, schema CFC_CERT_REPORT_SCHEMA */
    CFC_CERT_JUNIT,    /* JUnit XML, one testcase per case */
    CFC_CERT_MARKDOWN, /* a summary for CI job pages */
    CFC_CERT_BADGE,    /* shields.io endpoint JSON */
    CFC_CERT_HTML      /* one self-contained page: matrix, legend, details */
} cfc_cert_format;

/* The report's usual file name: "certification.json", "certification.xml",
 * "certification.md", "badge.json", "certification.html" (static). */
const char *cfc_cert_format_file(cfc_cert_format f);

/* Writes one report to `out` (not closed), in pieces as it is made (little
 * memory whatever its size). Returns 0, or -1 on out of memory or a write
 * error (ferror / failed fflush); after -1, part of the report may have
 * been written: write to a temporary file and rename it once complete. */
int cfc_certification_write(const cfc_certification *cert, cfc_cert_format f, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
