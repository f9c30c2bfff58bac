/* SPDX-License-Identifier: MIT */
/*
 * The contract for other languages, generated from the contract table
 * (conformance/decode/schema.c; `cfconform schema`):
 *
 *   json-schema  JSON Schema 2020-12: oneOf the 11 event types ($defs), with
 *                "x-cfconform-not-expressed" naming each rule a schema cannot
 *                check and why (raw bytes, cross-field, stream, warning)
 *   asyncapi     AsyncAPI 3.0: the producer's WebSocket channel, one message
 *                per event type, and the client's subscribe message
 *   typescript   declarations: an interface per event and CodeFrameEvent, a
 *                union discriminated by `type`
 */
#ifndef CFC_SCHEMA_H
#define CFC_SCHEMA_H

#include <stdbool.h>
#include <stdio.h>

#include "cfc/check.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cfc_schema_format {
    CFC_SCHEMA_JSON_SCHEMA,
    CFC_SCHEMA_ASYNCAPI,
    CFC_SCHEMA_TYPESCRIPT
} cfc_schema_format;

/* Writes the whole document to `out` (which stays the caller's). Returns 0,
 * or -1 on a write error or an unknown format. */
int cfc_schema_write(FILE *out, cfc_schema_format format);

/* "json-schema", "asyncapi" or "typescript" into *out; -1 otherwise. */
int cfc_schema_format_parse(const char *name, cfc_schema_format *out);

/* Whether the JSON Schema enforces `rule` (an event breaking it fails
 * validation); the others are listed in x-cfconform-not-expressed. */
bool cfc_schema_expresses(cfc_rule rule);

#ifdef __cplusplus
}
#endif

#endif
