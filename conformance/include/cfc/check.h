/* SPDX-License-Identifier: MIT */
/*
 * The conformance checker: feed it one event's bytes, get every finding.
 *
 * A finding is the product's output, not a failure: a rule ID from the
 * catalogue (rules.def), a severity, the JSON Pointer (RFC 6901) of the value
 * concerned, the byte offset in the event where known, and a message saying
 * what was expected and what was found. Operational problems (out of memory,
 * a bad configuration) are status codes plus a cfc_error.
 *
 * A checker keeps no state from one event to the next; the stream rules
 * (section S) keep theirs in a cfc_stream (cfc/stream.h) that wraps a
 * checker. A checker is not thread-safe, distinct checkers are independent.
 */
#ifndef CFC_CHECK_H
#define CFC_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cfc_rule {
#define RULE(e, id, sev, ref, summary, pass, fail) CFC_RULE_##e,
#include "cfc/rules.def"
#undef RULE
    CFC_RULE_COUNT
} cfc_rule;

typedef enum cfc_severity {
    CFC_SEVERITY_OFF = 0, /* disabled by configuration */
    CFC_SEVERITY_WARNING = 1,
    CFC_SEVERITY_ERROR = 2
} cfc_severity;

/* The catalogue, one static row per rule. */
typedef struct cfc_rule_info {
    cfc_rule rule;
    const char *id;        /* stable, e.g. "blocked-count" */
    cfc_severity severity; /* default severity */
    const char *reference; /* "G5", "E task_blocked", ... */
    const char *summary;
    const char *pass_example; /* an event (one line) without this finding; for
                                 a stream rule (S), events joined by "\n", see
                                 rules.def */
    const char *fail_example; /* an event with it; NULL when it cannot be one
                                 C string (a raw NUL, 1 MiB of text) */
} cfc_rule_info;

const cfc_rule_info *cfc_rule_get(cfc_rule rule);
/* By ID (exact), or NULL. */
const cfc_rule_info *cfc_rule_find(const char *id);
const char *cfc_severity_name(cfc_severity s); /* "off", "warning", "error" */

#define CFC_NO_OFFSET SIZE_MAX

typedef struct cfc_finding {
    cfc_rule rule;
    cfc_severity severity; /* after configuration and --strict */
    const char *pointer;   /* "" = the whole event */
    size_t offset;         /* byte offset in the event, or CFC_NO_OFFSET */
    const char *message;
} cfc_finding;

/* What one event produced. Owned by the checker; valid until the next call
 * on the same checker. */
typedef struct cfc_event_result {
    const char *type; /* the "type" string (NUL-terminated), NULL when absent or not a string */
    size_t type_len;
    const cfc_finding *findings; /* in document (offset) order */
    size_t n_findings;
    size_t n_dropped; /* findings beyond the per-event cap, counted not kept */
    size_t errors;    /* findings of severity error, dropped ones included */
    size_t warnings;
    uint32_t by_rule[CFC_RULE_COUNT]; /* findings per rule, dropped ones included */
} cfc_event_result;

typedef enum cfc_check_status {
    CFC_CHECK_OK = 0,
    CFC_CHECK_NOMEM = 1,
    CFC_CHECK_CONFIG = 2, /* the rules configuration is invalid */
    CFC_CHECK_IO = 3
} cfc_check_status;

/* An operational error: a static or checker-owned message, offset if any. */
typedef struct cfc_error {
    cfc_check_status status;
    char message[256];
} cfc_error;

typedef struct cfc_checker cfc_checker;

/* Where a checker's memory comes from (tests fail the Nth allocation). */
typedef struct cfc_allocator {
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void (*free_fn)(void *ctx, void *ptr);
    void *ctx;
} cfc_allocator;

/* The largest limits a configuration file or the command line may set:
 * memory stays bounded, and size arithmetic never wraps. */
#define CFC_MAX_EVENT_BYTES_CAP ((size_t)64 << 20) /* 64 MiB */
#define CFC_MAX_DEPTH_CAP 10000u

typedef struct cfc_check_options {
    size_t max_event_bytes;     /* 0 = 1 MiB (G12) */
    unsigned max_depth;         /* 0 = 64 (G12) */
    size_t max_findings;        /* per event; 0 = 200 */
    bool strict;                /* warnings count as errors */
    const cfc_allocator *alloc; /* NULL: malloc/realloc/free; copied by cfc_checker_new */
} cfc_check_options;

/* A new checker, or NULL on out of memory. opts may be NULL. Free with
 * cfc_checker_free. */
cfc_checker *cfc_checker_new(const cfc_check_options *opts);
void cfc_checker_free(cfc_checker *c); /* NULL ok */

/* Applies a rules configuration (JSON text, see docs/rules-config.md):
 * disable a rule, change its severity, extend an enum, set limits. Returns
 * CFC_CHECK_OK, or CFC_CHECK_CONFIG / CFC_CHECK_NOMEM with err filled in
 * (err may be NULL); on failure the checker is unchanged. */
cfc_check_status cfc_checker_configure(cfc_checker *c, const char *json, size_t len,
                                       cfc_error *err);

/* Checks one event: `len` bytes, no NUL terminator assumed, any content.
 * On CFC_CHECK_OK, *result describes it. */
cfc_check_status cfc_check_event(cfc_checker *c, const char *bytes, size_t len,
                                 const cfc_event_result **result);

/* The result for an event that was too large to be checked at all (the
 * framing layer saw `len` bytes and kept none): one too-large finding. */
cfc_check_status cfc_check_oversized(cfc_checker *c, size_t len, const cfc_event_result **result);

/* What a WebSocket message can be that no event can (G1: one event is one
 * text message). */
typedef enum cfc_frame_fault {
    CFC_FRAME_BINARY,    /* a binary message */
    CFC_FRAME_INCOMPLETE /* a fragmented message the connection ended before its final frame */
} cfc_frame_fault;

/* The result for such a message of `len` bytes (received so far): one
 * text-frame finding, nothing else checked. */
cfc_check_status cfc_check_frame_fault(cfc_checker *c, cfc_frame_fault fault, size_t len,
                                       const cfc_event_result **result);

/* The result for a WebSocket protocol fault by the server (RFC 6455), found
 * by the framing layer: `what` names it ("a masked frame (RFC 6455 5.1: a
 * server must not mask)"; copied). One ws-protocol finding, at pointer "",
 * in place of the message the fault broke. */
cfc_check_status cfc_check_protocol_fault(cfc_checker *c, const char *what,
                                          const cfc_event_result **result);

/* Sets the limits (G12); 0 leaves one unchanged. */
void cfc_checker_set_limits(cfc_checker *c, size_t max_event_bytes, unsigned max_depth);

/* The effective limit, for the framing layer. */
size_t cfc_checker_max_event_bytes(const cfc_checker *c);

#ifdef __cplusplus
}
#endif

#endif
