/* SPDX-License-Identifier: MIT */
/*
 * Internal to consumer certification (cfc/consumer.h):
 *
 *   consume_catalogue.c  the catalogue, generated from the contract table and samples
 *   consume_fields.c     the fields a consumer reads, and comparing what it read
 *   consume_run.c        the run: the consumer role of the protocol, processes, grading
 *   consume_report.c     JSON, JUnit, Markdown, badge, HTML (the per-field matrix)
 *
 * Processes, buffers, escapers and SHA-256 are producer certification's
 * (conformance/certify/certify_internal.h, certify_buf.h).
 */
#ifndef CFC_CONSUME_INTERNAL_H
#define CFC_CONSUME_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "certify_buf.h"
#include "cfc/consumer.h"
#include "json.h"

struct cfc_consume_catalogue {
    const cfc_allocator *alloc;
    cfc_consume_case *cases;
    size_t n, cap;
    char version[48];
    char sha256[65];
    size_t skipped; /* boundary values no base event of the type could hold */
};

/* The section a case belongs to, by number (1-based), and its title. */
#define CFC__CONSUME_SECTIONS 6

/* The sent value of a field (path) in a parsed event, or NULL when absent. */
const cfc_jval *cfc__consume_get(const cfc_jval *event, const cfc_consume_field *f);

/* Compares what was read with what was sent, field by field for the sent
 * event's type. Appends a cfc_consume_field_result for every field not read
 * exactly (sent / got as compact JSON, allocated) and counts every field
 * into `rows` (may be NULL). `src`/`rsrc` are the texts the values were
 * parsed from. Returns false on out of memory. */
bool cfc__consume_compare(const cfc_allocator *a, const cfc_event_type *t, const cfc_jval *sent,
                          const char *src, const cfc_jval *read, const char *rsrc, size_t event,
                          cfc_consume_field_result **out, size_t *n_out, size_t *cap_out,
                          cfc_consume_matrix_row *rows);

/* A value as compact JSON text for a report, cut to about `max` bytes. */
char *cfc__consume_show(const cfc_allocator *a, const cfc_jval *v, const char *src, size_t max);

/* Frees the fuzz phase's crashes (consume_fuzz.c). */
void cfc__consume_fuzz_free(cfc_consume_certification *cert);

/* ---- one adapter, one event at a time (the fuzz phase, consume_fuzz.c) ---- */

typedef struct cfc__consume_session cfc__consume_session;

typedef enum cfc__fuzz_rc {
    CFC__FUZZ_OK = 0, /* read or rejected */
    CFC__FUZZ_CRASH,  /* raised, died or hung: why says which (the adapter restarts) */
    CFC__FUZZ_BROKEN, /* the protocol broke or the adapter cannot start: why */
    CFC__FUZZ_NOMEM,
    CFC__FUZZ_STOPPED /* the stop flag is set or the deadline passed: the adapter is killed */
} cfc__fuzz_rc;

/* Starts the adapter; NULL and why on failure. stop: as the run's (NULL:
 * never); deadline_ms: from now, every exchange is cut there (0: none). */
cfc__consume_session *cfc__consume_session_new(const char *command, unsigned timeout_ms,
                                               const volatile sig_atomic_t *stop,
                                               unsigned deadline_ms, const cfc_allocator *a,
                                               char *why, size_t cap);
void cfc__consume_session_free(cfc__consume_session *s); /* stops and reaps it */
size_t cfc__consume_session_starts(const cfc__consume_session *s);
cfc__fuzz_rc cfc__consume_session_decode(cfc__consume_session *s, const char *bytes, size_t len,
                                         char *why, size_t cap);

#endif
