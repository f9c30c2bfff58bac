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
/* The checker's parser, which the configuration reader borrows. */
cfc_jparser *cfc__checker_parser(cfc_checker *c);

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

/* Memory in blocks that never move, freed or reset all at once: what an
 * event's record points to stays put while more are added. */
typedef struct cfc__block cfc__block;
typedef struct cfc__blocks {
    cfc__block *head;  /* the block being filled; older ones follow */
    cfc__block *spare; /* kept by reset, for reuse */
} cfc__blocks;
void *cfc__blocks_alloc(cfc__blocks *b, size_t size);
void cfc__blocks_reset(cfc__blocks *b); /* keeps the blocks for reuse */
void cfc__blocks_free(cfc__blocks *b);

/* What the stream rules read of one event (stream.c): a field that is
 * present, valid and clean, as the rule needs it (v NULL: not usable), its
 * integer (timestamp: its instant in ms; status: the attempt status), and
 * its offset, where a finding on it points. */
typedef struct cfc__fact {
    const cfc_jval *v;
    int64_t i;
    size_t offset;
} cfc__fact;

typedef struct cfc__stream_facts {
    const cfc_event_type *t; /* NULL: unknown type */
    cfc__fact project, timestamp, agent, task, unblocked_by, attempt, max_attempts, status,
        completed, total;
    const char *agent_id; /* agent's bytes, agent_len of them */
    size_t agent_len;
    const char *ts_text; /* timestamp's text, ts_len bytes, for a message */
    size_t ts_len;
    const cfc_jval *blocked_by; /* task_blocked's valid ID array, or NULL */
} cfc__stream_facts;

/* The facts of the event being checked, from a hook's arguments; they
 * point into the event (valid until the checker's next check). */
void cfc__stream_facts_take(const cfc_checker *c, const cfc_event_type *t, const cfc_field *f,
                            const cfc__seen *seen, size_t n, cfc__stream_facts *x);
/* A copy that stands alone, in cfc__stream_facts_size(x) bytes at out
 * (aligned as malloc's): strings and the blocked_by list copied, the
 * values replaced by a placeholder (the rules read only the facts' numbers,
 * offsets and strings). Returns out. */
size_t cfc__stream_facts_size(const cfc__stream_facts *x);
cfc__stream_facts *cfc__stream_facts_pack(const cfc__stream_facts *x, void *out);
/* The stream rules applied to the packed facts of an event that had no
 * finding of its own, of that type (x NULL: no hook call, the event was
 * not an object). The stream moves on as cfc_stream_check_event would.
 * When no stream rule has a finding for it either, *result is NULL; else
 * it is the event's result, as cfc_stream_check_event's (the stream's
 * findings, their messages and offsets). */
cfc_check_status cfc__stream_check_facts(cfc_stream *s, const cfc__stream_facts *x,
                                         const char *type, size_t type_len,
                                         const cfc_event_result **result);
/* The result of an event whose single-event rules found nothing, of that
 * type, with the findings add adds (cfc__checker_add_finding) on c. */
cfc_check_status cfc__check_clean_event(cfc_checker *c, const char *type, size_t type_len,
                                        void (*add)(void *ctx), void *ctx,
                                        const cfc_event_result **result);

/* A producer's bytes for a message: printable ASCII, shortened to about 50
 * characters, others as \xNN. Writes and returns buf (check.c). */
const char *cfc__shown(char *buf, size_t cap, const char *s, size_t len);

#endif
