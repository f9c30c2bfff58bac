/* SPDX-License-Identifier: MIT */
/*
 * The CodeFRAME WebSocket event contract, described once, as data.
 *
 * docs/websocket-event-contracts.md is the contract; docs/contract-rules.md is
 * how this project reads it where it is silent. Everything that needs to know
 * the shape of an event -- the reference encoder (field order), the checker
 * (required fields, kinds, enums, fixed values), the rule documentation and
 * the fuzz dictionaries -- reads this table instead of retyping it.
 * tests/test_contract.c proves the table matches the contract document.
 *
 * The table is static, immutable data: nothing here is ever freed.
 */
#ifndef CFC_CONTRACT_H
#define CFC_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest integer a JavaScript dashboard reads exactly: 2^53 - 1 (G5). */
#define CFC_MAX_SAFE_INTEGER INT64_C(9007199254740991)

/* The contract's timestamp is exactly 24 characters (T1). */
#define CFC_TIMESTAMP_LEN 24

/*
 * JSON kind of a field. Integer kinds share G5 (plain digits, no fraction
 * or exponent, at most 2^53-1) and differ in their lower/upper bound.
 */
typedef enum cfc_kind {
    CFC_KIND_TYPE,     /* the "type" discriminator: the event type's name */
    CFC_KIND_ID,       /* integer >= 1 (G5: IDs) */
    CFC_KIND_COUNT,    /* integer >= 0 (G5: counts) */
    CFC_KIND_ORDINAL,  /* integer >= 1 that is not an ID (attempt numbers) */
    CFC_KIND_PERCENT,  /* integer 0..100 */
    CFC_KIND_NUMBER,   /* finite JSON number >= 0, integer or fraction */
    CFC_KIND_STRING,   /* any string (display text, G11) */
    CFC_KIND_IDENT,    /* non-empty string (identifiers, G11) */
    CFC_KIND_ENUM,     /* one of a closed set of strings (G8) */
    CFC_KIND_ID_ARRAY, /* non-empty array of distinct IDs */
    CFC_KIND_OBJECT,   /* nested object with its own fields */
    CFC_KIND_TIMESTAMP /* YYYY-MM-DDTHH:MM:SS.fffZ (T1, T2) */
} cfc_kind;

typedef struct cfc_field cfc_field;

struct cfc_field {
    const char *name; /* wire name */
    cfc_kind kind;
    bool required;
    /* CFC_KIND_ENUM: the allowed values, NULL-terminated. For an open set
     * (activity_type) the kind is IDENT and these are the known values. */
    const char *const *values;
    /* A fixed value the field must always have (agent_created.status ==
     * "idle", agent_created.tasks_completed == 0); NULL / false if none. */
    const char *fixed_string;
    bool has_fixed_int;
    int64_t fixed_int;
    /* A count that must equal the length of the named array field
     * (task_blocked.blocked_count == len(blocked_by)); NULL if none. */
    const char *count_of;
    /* CFC_KIND_OBJECT: its fields, in schema order. */
    const cfc_field *members;
    size_t n_members;
    /* The broadcaster's Python parameter name when it differs from the wire
     * name (message <- message_text); NULL when the same or not a parameter. */
    const char *param;
    /* The contract's own one-line comment for the field. */
    const char *doc;
};

typedef enum cfc_event_id {
    CFC_EV_AGENT_CREATED,
    CFC_EV_AGENT_RETIRED,
    CFC_EV_AGENT_STATUS_CHANGED,
    CFC_EV_TASK_ASSIGNED,
    CFC_EV_TASK_STATUS_CHANGED,
    CFC_EV_TASK_BLOCKED,
    CFC_EV_TASK_UNBLOCKED,
    CFC_EV_TEST_RESULT,
    CFC_EV_ACTIVITY_UPDATE,
    CFC_EV_CORRECTION_ATTEMPT,
    CFC_EV_PROGRESS_UPDATE,
    CFC_EV_COUNT
} cfc_event_id;

typedef struct cfc_event_type {
    cfc_event_id id;
    const char *name;     /* wire "type" value */
    const char *function; /* the contract's Python broadcaster name */
    const char *section;  /* contract section heading, for references */
    const char *purpose;
    const cfc_field *fields; /* schema order: type, project_id, ..., timestamp */
    size_t n_fields;
} cfc_event_type;

/* All event types, indexed by cfc_event_id. */
const cfc_event_type *cfc_contract_types(size_t *count);

/* The event type with this wire name (exact, case-sensitive; len bytes,
 * need not be NUL-terminated), or NULL. */
const cfc_event_type *cfc_contract_find(const char *name, size_t len);

const cfc_event_type *cfc_contract_get(cfc_event_id id);

/* The field of `type` with this wire name, or NULL. */
const cfc_field *cfc_contract_field(const cfc_event_type *type, const char *name, size_t len);

/* Whether `value` (len bytes) is one of field->values. */
bool cfc_field_allows(const cfc_field *field, const char *value, size_t len);

/* Stable lower-case name of a kind ("id", "count", ...), for docs and messages. */
const char *cfc_kind_name(cfc_kind kind);

/* The three fields every event carries (G4), in order: type, project_id, timestamp. */
const cfc_field *cfc_contract_base_fields(size_t *count);

#ifdef __cplusplus
}
#endif

#endif
