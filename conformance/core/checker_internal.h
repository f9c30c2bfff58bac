/* SPDX-License-Identifier: MIT */
/* Internal: what the configuration module (config.c) needs of the checker. */
#ifndef CFC_CHECKER_INTERNAL_H
#define CFC_CHECKER_INTERNAL_H

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/stream.h"
#include "json.h"

/* An extra enum value allowed by configuration; value is malloc'd, NUL-terminated. */
typedef struct cfc__enum_ext {
    const cfc_field *field;
    char *value;
    size_t len;
} cfc__enum_ext;

/* Replaces the checker's configuration; takes ownership of exts (malloc'd). */
void cfc__checker_set_config(cfc_checker *c, const cfc_severity *severity, cfc__enum_ext *exts,
                             size_t n_exts, size_t max_event_bytes, unsigned max_depth);
/* The checker's allocator, for memory the configuration hands over. */
void *cfc__checker_malloc(cfc_checker *c, size_t size);
void *cfc__checker_realloc(cfc_checker *c, void *ptr, size_t size);
void cfc__checker_free_mem(cfc_checker *c, void *ptr);
cfc_jalloc cfc__checker_jalloc(const cfc_checker *c);

/* The checker's current severities (CFC_RULE_COUNT entries). */
const cfc_severity *cfc__checker_severity(const cfc_checker *c);
void cfc__enum_exts_free(cfc_checker *c, cfc__enum_ext *exts, size_t n);

/* ---- for the stream rules (stream.c) ------------------------------------ */

/* What the single-event checks learned about one field of the event's table
 * row. v: the field's value (its first occurrence), NULL when absent. ok: v
 * is valid for its kind (an integer in range, a non-empty identifier, an
 * enum value, an array of valid IDs; a timestamp is never marked ok). i: the
 * integer's value when ok. */
typedef struct cfc__seen {
    const cfc_jval *v;
    bool ok;
    int64_t i;
    double d;
} cfc__seen;

/* Called once per event that parsed to a JSON object, after the single-event
 * rules and before the findings are sorted. t is the event's table row, or
 * NULL when the type is unknown, missing or not a string; then fields/seen
 * describe the base fields (type, project_id, timestamp). The hook may add
 * findings with cfc__checker_add_finding. All of it is valid only during
 * the call, except the values (cfc_jval), valid until the next check. */
typedef void (*cfc__event_hook)(void *ctx, cfc_checker *c, const cfc_event_type *t,
                                const cfc_field *fields, const cfc__seen *seen, size_t n_fields);

/* cfc_check_event with a hook (NULL: exactly cfc_check_event). */
cfc_check_status cfc__check_event_hooked(cfc_checker *c, const char *bytes, size_t len,
                                         cfc__event_hook hook, void *ctx,
                                         const cfc_event_result **result);
/* Adds a finding to the event being checked, as the single-event rules do:
 * configured severity, --strict, the per-event cap. Texts are copied. */
void cfc__checker_add_finding(cfc_checker *c, cfc_rule rule, const char *pointer, size_t offset,
                              const char *message);
/* False when the rule is configured off (test it before formatting). */
bool cfc__checker_rule_on(const cfc_checker *c, cfc_rule rule);
/* True when no finding of the event being checked lies inside v's bytes and
 * none was dropped by the per-event cap. */
bool cfc__checker_value_clean(const cfc_checker *c, const cfc_jval *v);

/* ---- for checking on several threads (cfconform check --jobs) ---------- */

/* Memory in blocks that never move, freed or reset all at once: what a
 * prepared event points to stays put while more events are prepared. */
typedef struct cfc__block cfc__block;
typedef struct cfc__blocks {
    cfc__block *head;  /* the block being filled; older ones follow */
    cfc__block *spare; /* kept by reset, for reuse */
} cfc__blocks;
void *cfc__blocks_alloc(cfc__blocks *b, size_t size);
void cfc__blocks_reset(cfc__blocks *b); /* keeps the blocks for reuse */
void cfc__blocks_free(cfc__blocks *b);

/* An event checked on its own by one checker, waiting for the stream rules,
 * which need every earlier event: the single-event findings and counts, and
 * a copy of what the stream hook looks at. All of it lives in the blocks
 * given to cfc__check_prepare. */
typedef struct cfc__prepared cfc__prepared;

/* Checks one event (bytes NULL: an event of `len` bytes too large to be
 * kept, as cfc_check_oversized) and keeps the outcome in *out. Returns
 * CFC_CHECK_NOMEM when the check or the copy ran out of memory. */
cfc_check_status cfc__check_prepare(cfc_checker *c, const char *bytes, size_t len, cfc__blocks *mem,
                                    cfc__prepared **out);
/* True for an event given as too large (bytes NULL). */
bool cfc__prepared_oversized(const cfc__prepared *p);
/* Finishes a prepared event on checker c (configured as the one that
 * prepared it): the result is what cfc__check_event_hooked would have given
 * with this hook, called exactly when it would have been. */
cfc_check_status cfc__check_prepared(cfc_checker *c, const cfc__prepared *p, cfc__event_hook hook,
                                     void *ctx, const cfc_event_result **result);

/* cfc_stream_check_event for a prepared event: the stream rules applied to
 * it, in the order of the calls. An oversized prepared event is not for a
 * stream (CFC_CHECK_IO): finish it with cfc__check_prepared, no hook. */
cfc_check_status cfc__stream_check_prepared(cfc_stream *s, const cfc__prepared *p,
                                            const cfc_event_result **result);

/* A producer's bytes for a message: printable ASCII, shortened to about 50
 * characters, others as \xNN. Writes and returns buf (check.c). */
const char *cfc__shown(char *buf, size_t cap, const char *s, size_t len);

#endif
