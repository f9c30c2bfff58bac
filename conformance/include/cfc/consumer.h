/* SPDX-License-Identifier: MIT */
/*
 * Certification of consumers: does a decoder read every event the contract
 * defines, exactly? (docs/contract-rules.md, section D.)
 *
 * A consumer (a dashboard's message mapper, a client library) is wrapped by
 * an adapter that speaks the consumer role of the adapter protocol
 * (docs/adapter-protocol.md): it is given one event's text (or a sequence,
 * for stream cases) and answers with what the consumer read, as a JSON
 * object in the contract's field names, or that it rejected the event. The
 * harness starts it, plays the consumer catalogue through it and grades
 * every case and every field:
 *
 *     cfc_consume_catalogue *cat; cfc_consume_certification *cert; cfc_certify_error err;
 *     if (cfc_consume_catalogue_new(samples, len, NULL, &cat, &err) != CFC_CERTIFY_OK) ...
 *     cfc_consume_options o = {.adapter_command = "node adapters/node/cfc_consumer_adapter.js
 * m.js"}; if (cfc_consume_run(cat, &o, &cert, &err) != CFC_CERTIFY_OK) ... could not run ...
 *     cfc_consume_write(cert, CFC_CERT_HTML, file);
 *     cfc_consume_certification_free(cert);
 *     cfc_consume_catalogue_free(cat);
 *
 * The catalogue is generated, deterministically, from the contract table
 * (every event type, enum value, optional field, kind boundary) and a small
 * data file of sample values (corpus/consumer/samples.json); every case is
 * checked by the checker while it is made, so a case that expects a value
 * to be read holds a conforming event, and one that expects a rejection a
 * non-conforming one. Its version and SHA-256 go into every report.
 *
 * Verdicts (D4), worst last: PASS (read exactly), NON-STRICT (accepted a
 * non-conforming event without flagging it), DROPPED (a field sent was not
 * read), MISREAD (a field's value differs), CRASH (the consumer raised, its
 * process died, or it hung), ERROR (the adapter broke the protocol).
 * Certified: the whole catalogue ran with no DROPPED, MISREAD, CRASH or
 * ERROR; a subset (--cases) is partial, never certified.
 *
 * Process handling, timeouts, restarts and exit codes are producer
 * certification's (cfc/certify.h). Memory: all allocations through the
 * options' allocator (NULL: malloc), out of memory is a status.
 */
#ifndef CFC_CONSUMER_H
#define CFC_CONSUMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfc/certify.h"
#include "cfc/check.h"
#include "cfc/contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The consumer catalogue's generator version: bumped whenever the same
 * samples file would give different cases. */
#define CFC_CONSUME_GENERATOR 1
/* The JSON report's schema version. */
#define CFC_CONSUME_REPORT_SCHEMA 1

typedef enum cfc_consume_verdict {
    CFC_CONSUME_PASS = 0,
    CFC_CONSUME_NON_STRICT,
    CFC_CONSUME_DROPPED,
    CFC_CONSUME_MISREAD,
    CFC_CONSUME_CRASH,
    CFC_CONSUME_ERROR,
    CFC_CONSUME_VERDICT_COUNT
} cfc_consume_verdict;

/* "PASS", "NON-STRICT", "DROPPED", "MISREAD", "CRASH", "ERROR" (static). */
const char *cfc_consume_verdict_name(cfc_consume_verdict v);

/* What the consumer must do with one event of a case. */
typedef enum cfc_consume_expect {
    CFC_EXPECT_READ,   /* a conforming event: read every field exactly */
    CFC_EXPECT_REJECT, /* a non-conforming event: reject (or flag) it; reading is NON-STRICT */
    CFC_EXPECT_SURVIVE /* an unknown event type (D2): anything but a crash */
} cfc_consume_expect;

/* "read", "reject", "survive" (static). */
const char *cfc_consume_expect_name(cfc_consume_expect e);

typedef struct cfc_consume_event {
    char *bytes; /* the event's text, exactly len bytes (NUL-terminated) */
    size_t len;
    cfc_consume_expect expect;
    const char *rule; /* REJECT: the checker's first error rule ("null-value"); else NULL */
} cfc_consume_event;

typedef struct cfc_consume_case {
    char *id;                   /* "4.3.12": section.type.n, stable for a catalogue version */
    const char *section;        /* "4" */
    char *description;          /* one line */
    const cfc_event_type *type; /* the event type concerned, NULL for none */
    cfc_consume_event *events;  /* one, or a sequence (stream cases) */
    size_t n_events;
} cfc_consume_case;

typedef struct cfc_consume_catalogue cfc_consume_catalogue;

/* Generates the catalogue from the contract table and the samples file
 * (`len` bytes of JSON, corpus/consumer/README.md). CFC_CERTIFY_CATALOGUE:
 * the samples are invalid, or a case could not be made (err says which).
 * alloc may be NULL. Free with cfc_consume_catalogue_free. */
cfc_certify_status cfc_consume_catalogue_new(const char *samples, size_t len,
                                             const cfc_allocator *alloc,
                                             cfc_consume_catalogue **out, cfc_certify_error *err);
void cfc_consume_catalogue_free(cfc_consume_catalogue *cat); /* NULL ok */

/* "1.<samples version>" */
const char *cfc_consume_catalogue_version(const cfc_consume_catalogue *cat);
/* SHA-256 of the generated catalogue (every case's ID, expectations and
 * bytes), 64 hex digits: equal hashes, equal cases. */
const char *cfc_consume_catalogue_sha256(const cfc_consume_catalogue *cat);
size_t cfc_consume_catalogue_count(const cfc_consume_catalogue *cat);
const cfc_consume_case *cfc_consume_catalogue_case(const cfc_consume_catalogue *cat, size_t i);
/* The sections: "1" .. ; title of section i (0-based), NULL past the end. */
const char *cfc_consume_section_title(size_t i, const char **id);

/* Writes the generated catalogue as JSON (one object per case, the events
 * as strings), for reading and diffing. 0, or -1 on a write error. */
int cfc_consume_catalogue_write(const cfc_consume_catalogue *cat, FILE *out);

/* ---- The fields a consumer reads ------------------------------------------ */

/* The fields of an event type as the matrix shows them: top-level fields in
 * schema order, a nested object's members as "current_task.id" (the object
 * itself is not a row). Static; *n receives the count. */
typedef struct cfc_consume_field {
    const char *path;        /* "agent_id", "current_task.title" */
    const cfc_field *field;  /* the table's field (the member for a nested one) */
    const cfc_field *parent; /* the enclosing object field, or NULL */
} cfc_consume_field;
const cfc_consume_field *cfc_consume_fields(cfc_event_id type, size_t *n);

typedef enum cfc_consume_read {
    CFC_READ_EXACT = 0, /* read, with the value sent (or absent, as sent) */
    CFC_READ_MISREAD,   /* read with another value (or read when absent) */
    CFC_READ_DROPPED,   /* sent, not read */
    CFC_READ_COUNT
} cfc_consume_read;

/* One field of one event that was not read exactly. */
typedef struct cfc_consume_field_result {
    size_t event;     /* index in the case's events */
    const char *path; /* static, from cfc_consume_fields */
    cfc_consume_read read;
    char *sent, *got; /* compact JSON, or NULL for absent */
} cfc_consume_field_result;

/* ---- A run ------------------------------------------------------------------ */

typedef enum cfc_consume_outcome {
    CFC_CONSUMED_NONE = 0, /* no answer for this event */
    CFC_CONSUMED_READ,
    CFC_CONSUMED_REJECTED,
    CFC_CONSUMED_RAISED
} cfc_consume_outcome;

/* "none", "read", "rejected", "raised" (static). */
const char *cfc_consume_outcome_name(cfc_consume_outcome o);

typedef struct cfc_consume_answer {
    cfc_consume_outcome outcome;
    char *detail; /* read: the object as compact JSON; rejected: the reason; raised: the error */
} cfc_consume_answer;

typedef struct cfc_consume_result {
    const cfc_consume_case *c;
    cfc_consume_verdict verdict;
    char **messages; /* why it is not PASS, one line each */
    size_t n_messages;
    cfc_consume_field_result *fields; /* the fields not read exactly */
    size_t n_fields;
    cfc_consume_answer *answers; /* one per event answered */
    size_t n_answers;
    uint32_t elapsed_ms;
} cfc_consume_result;

typedef struct cfc_consume_options {
    const char *adapter_command; /* words, '...' "..." and \ quoting; no shell */
    const char *cases;           /* a cfc_case_selected pattern; NULL = all */
    unsigned call_timeout_ms;    /* per request; 0 = 10000 */
    unsigned start_timeout_ms;   /* for the hello; 0 = 15000 */
    const cfc_allocator *alloc;
    void (*on_case)(void *ctx, const cfc_consume_result *r);
    void *on_case_ctx;
    /* As cfc_certify_options: set non-zero (by a signal handler), the run
     * (and the fuzz phase) stops within about 100 ms, the adapter's group
     * and its descendants are killed, and the certification holds the cases
     * finished (partial, `stopped`). NULL: never. */
    const volatile sig_atomic_t *stop;
    /* The run's limit in ms (0: none): the call under way is cut at it and
     * the run ends as `stopped` too, `deadline`. It bounds the fuzz phase
     * as well: cfc_consume_fuzz gets what the catalogue run left of it. */
    unsigned deadline_ms;
} cfc_consume_options;

/* The per-field matrix: for every event type and field (cfc_consume_fields
 * order), how many events that sent it (or could have) were read exactly,
 * misread, dropped. Only events of READ expectation count. */
typedef struct cfc_consume_matrix_row {
    size_t counts[CFC_READ_COUNT];
} cfc_consume_matrix_row;

/* A crash the fuzz phase found: a CRASH case of its own, with the input
 * minimised while it still crashed the same way. */
typedef struct cfc_consume_fuzz_crash {
    char *id;    /* "F.1" */
    char *error; /* what happened: "the consumer raised: TypeError: ..." */
    char *bytes; /* the reproducer, len bytes */
    size_t len;
    size_t original_len; /* the input as generated or mutated */
    bool minimised;      /* false for a hang: each try would cost the timeout */
} cfc_consume_fuzz_crash;

typedef struct cfc_consume_certification {
    const cfc_consume_catalogue *catalogue; /* borrowed */
    char *adapter_command;
    char *impl_name, *impl_language, *impl_version;
    cfc_consume_result *results;
    size_t n_results;
    size_t counts[CFC_CONSUME_VERDICT_COUNT];
    /* matrix[type] has one row per cfc_consume_fields(type) entry. */
    cfc_consume_matrix_row *matrix[CFC_EV_COUNT];
    /* The whole catalogue ran with no DROPPED, MISREAD, CRASH, ERROR. A
     * subset (cases) is partial: never certified (rule C4, as producers). */
    bool certified;
    bool partial;
    size_t adapter_starts;
    int64_t started_ms;
    uint32_t elapsed_ms;
    char *selection;
    const cfc_allocator *alloc;
    /* The fuzz phase (cfc_consume_fuzz), if it ran: its crashes are also
     * counted in counts[CFC_CONSUME_CRASH]. */
    bool fuzzed;
    size_t fuzz_inputs;
    uint32_t fuzz_ms;
    cfc_consume_fuzz_crash *fuzz_crashes;
    size_t n_fuzz_crashes;
    /* The run ended before its last case (or the fuzz phase before its
     * time): opts.stop was set (stop_signal: its value) or opts.deadline_ms
     * passed (deadline). Always partial, never certified (as producers). */
    bool stopped, deadline;
    int stop_signal;
    size_t n_selected; /* the cases the run was to play (n_results of them ran) */
} cfc_consume_certification;

/* Runs every selected case. Status as cfc_certify_run. */
cfc_certify_status cfc_consume_run(const cfc_consume_catalogue *cat, const cfc_consume_options *o,
                                   cfc_consume_certification **out, cfc_certify_error *err);
void cfc_consume_certification_free(cfc_consume_certification *cert); /* NULL ok */

/* A mutator of one input in place: returns the new size (at most max_size).
 * fuzz-exec's is cfc_mutate (fuzz/mutator/cfc_mutator.h). */
typedef size_t (*cfc_consume_mutate_fn)(uint8_t *data, size_t size, size_t max_size, unsigned seed);

/* The fuzz phase, after cfc_consume_run on the same certification: for
 * `seconds`, generated events (seeded by `seed`) and, every other one, the
 * same put through `mutate` (NULL: generated only) are given to the
 * consumer one by one; each distinct crash (raised, died, hung) is
 * minimised and added as a CRASH (fuzz_crashes), which makes the run not
 * certified. o->deadline_ms, counted from the run's start, ends it sooner:
 * the certification is then `stopped` and `deadline`, as for a run cut by
 * it. CFC_CERTIFY_ADAPTER: the adapter did not start. */
cfc_certify_status cfc_consume_fuzz(cfc_consume_certification *cert, const cfc_consume_options *o,
                                    unsigned seconds, uint64_t seed, cfc_consume_mutate_fn mutate,
                                    cfc_certify_error *err);

/* PASS in percent of the cases run, rounded down; NON-STRICT is counted
 * apart (rule C4, as producers). */
unsigned cfc_consume_score(const cfc_consume_certification *cert);

/* Writes one report (formats and file names as cfc_cert_format). 0 or -1. */
int cfc_consume_write(const cfc_consume_certification *cert, cfc_cert_format f, FILE *out);

#ifdef __cplusplus
}
#endif

#endif
