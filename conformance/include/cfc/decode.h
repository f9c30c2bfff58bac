/* SPDX-License-Identifier: MIT */
/*
 * The typed decoder: one event's bytes in, a typed C value out -- the
 * reference consumer of the contract.
 *
 *     cfc_checker *c = cfc_checker_new(NULL);
 *     cfc_event *ev = NULL;
 *     const cfc_event_result *r = NULL;
 *     switch (cfc_event_decode(c, line, len, &ev, &r)) {
 *     case CFC_DECODE_OK:
 *         if (ev->type == CFC_EV_TASK_BLOCKED)
 *             for (size_t i = 0; i < ev->u.task_blocked.blocked_by.len; i++)
 *                 use(ev->u.task_blocked.blocked_by.items[i]);
 *         cfc_event_free(ev);
 *         break;
 *     case CFC_DECODE_INVALID: ... r->findings say why ... break;
 *     ...
 *     }
 *     cfc_checker_free(c);
 *
 * The decoder is the checker plus a typing step, not a second reading of the
 * contract: the event goes through cfc_check_event's strict parser, table and
 * rules, the findings are exactly the checker's, and the typed value is built
 * from the same parsed document, walking the same contract table. So an event
 * decodes if and only if the checker (with that checker's configuration)
 * reports no error for it; warnings (an unknown field, a \u0000 in a title)
 * still decode, and stay visible in the result.
 *
 * The structs and enums (cfc/event_types.h) are generated from the contract
 * table: a field `task_title` of task_blocked is ev->u.task_blocked.task_title,
 * with has_task_title beside it because it is optional; an enumerated field is
 * a C enum in the table's order (CFC_TEST_RESULT_STATUS_NO_TESTS).
 */
#ifndef CFC_DECODE_H
#define CFC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/reference.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A decoded string: UTF-8, `len` bytes, NUL-terminated at s[len]. It holds a
 * NUL byte only where the event had \u0000 (the checker warns: nul-escape),
 * so use len, not strlen, when that matters. */
typedef struct cfc_text {
    char *s;
    size_t len;
} cfc_text;

/* A decoded array of IDs, in event order. */
typedef struct cfc_id_array {
    int64_t *items;
    size_t len;
} cfc_id_array;

#include "cfc/event_types.h"

typedef enum cfc_decode_status {
    CFC_DECODE_OK = 0,           /* no error finding: *event is the typed value */
    CFC_DECODE_INVALID = 1,      /* error findings (the event does not conform): no value */
    CFC_DECODE_UNKNOWN_TYPE = 2, /* a non-empty type the contract does not define: no value */
    CFC_DECODE_UNTYPED = 3,      /* no error, but a value the typed form cannot hold: the
                                    checker's configuration switched a rule off or extended
                                    an enum. No value */
    CFC_DECODE_NOMEM = 4,        /* out of memory: no value, no result */
    CFC_DECODE_BAD_ARG = 5       /* no checker, or bytes NULL with len > 0 */
} cfc_decode_status;

/* "ok", "invalid", "unknown-type", "untyped", "nomem", "bad-arg" (static). */
const char *cfc_decode_status_name(cfc_decode_status s);

/*
 * Decodes one event of `len` bytes (no NUL terminator needed, any content).
 * `c` checks it, with its configuration, limits and --strict; its allocator
 * also allocates the event.
 *
 * *event (event may be NULL to only check) receives the typed value on
 * CFC_DECODE_OK and NULL otherwise; the caller owns it and frees it with
 * cfc_event_free. It is one allocation: its strings and arrays live inside
 * it and are freed with it, so never free or realloc a member.
 *
 * *result (may be NULL) receives the checker's result for the event on every
 * status but NOMEM and BAD_ARG: the same findings cfc_check_event reports,
 * owned by the checker and valid until its next call.
 */
cfc_decode_status cfc_event_decode(cfc_checker *c, const char *bytes, size_t len, cfc_event **event,
                                   const cfc_event_result **result);

/* Frees a decoded event, strings and arrays included (NULL: no-op). Only for
 * events from cfc_event_decode, never for one built by hand. */
void cfc_event_free(cfc_event *event);

/*
 * Encodes a typed event with the reference encoder: the broadcaster of its
 * type (cfc_broadcast_*), with the event's own timestamp as the clock. This
 * is the canonical form: compact, schema order, integers as plain digits,
 * the reference's number and string escaping; encode(decode(x)) is the
 * canonical form of every conforming x, and decode(encode(args)) == args for
 * every event the reference can send.
 *
 * One difference is the contract's, not the encoder's: the reference always
 * sends test_result.skipped (the Python signature has skipped: int = 0), so
 * an event without it encodes with "skipped":0.
 *
 * Returns CFC_OK and *json (NUL-terminated, *len bytes without the NUL;
 * malloc'd, free() it), or CFC_REFUSED when the reference would not send this
 * value (anything the checker would report, a string with a NUL byte, an enum
 * out of range, a fixed field not at its fixed value, a count_of field that
 * is not its array's length), CFC_NOMEM, or CFC_INVALID for a NULL argument
 * or an unknown type. Outputs are written only on CFC_OK. The event may be
 * built by hand: strings and arrays are only read.
 */
cfc_status cfc_event_encode(const cfc_event *event, char **json, size_t *len);

/* Whether two events hold the same values: same type and base fields, same
 * optional fields present, equal values (strings and arrays by content,
 * numbers by ==). Values of absent optional fields are ignored. */
bool cfc_event_equal(const cfc_event *a, const cfc_event *b);

/* The wire string of an enumerated field's value: for example
 * cfc_event_enum_string(CFC_EV_TEST_RESULT, "status", 4) is "no_tests".
 * NULL for an unknown type, field or value. Static. */
const char *cfc_event_enum_string(cfc_event_id type, const char *field, unsigned value);

#ifdef __cplusplus
}
#endif

#endif
