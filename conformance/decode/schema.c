/* SPDX-License-Identifier: MIT */
/*
 * The contract for other languages (cfc/schema.h): JSON Schema 2020-12,
 * AsyncAPI 3.0 and TypeScript declarations, written from the contract table
 * (cfc/contract.h), never from a second description of it.
 *
 * Kinds map as follows (G5: integers stop at 2^53-1):
 *   type       const "<event type>"
 *   id         integer 1..2^53-1        ordinal  integer 1..2^53-1
 *   count      integer 0..2^53-1        percent  integer 0..100
 *   number     number >= 0              string   string
 *   ident      string, minLength 1      enum     one of the values
 *   id array   array of ids, minItems 1, uniqueItems
 *   object     its members, recursively
 *   timestamp  string matching T1's pattern (with T2's field ranges)
 * A fixed value (agent_created.status) is a const. Unknown fields are
 * allowed (the checker warns about them, G9: the event still conforms).
 *
 * What JSON Schema cannot say is listed in the schema itself, under
 * "x-cfconform-not-expressed", rule by rule with the reason (raw bytes,
 * cross-field, stream, or a warning that does not make an event fail);
 * docs/schema.md explains them.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "cfc/check.h"
#include "cfc/contract.h"
#include "cfc/schema.h"
#include "cfc/version.h"

/* T1's layout with T2's field ranges; the calendar (Feb 30) is cross-field. */
#define TS_PATTERN                                                                                 \
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"  \
    "\\\\.[0-9]{3}Z$"

/* The rules a JSON Schema enforces for the kinds above; every other rule is
 * listed as not expressed, with the reason why(). */
static bool expressed(cfc_rule r)
{
    switch (r) {
    case CFC_RULE_NOT_OBJECT:
    case CFC_RULE_MISSING_FIELD:
    case CFC_RULE_INT_UNSAFE:
    case CFC_RULE_ID_RANGE:
    case CFC_RULE_COUNT_RANGE:
    case CFC_RULE_NULL_VALUE:
    case CFC_RULE_WRONG_TYPE:
    case CFC_RULE_ENUM_VALUE:
    case CFC_RULE_EMPTY_STRING:
    case CFC_RULE_TS_FORMAT:
    case CFC_RULE_TS_FRACTION:
    case CFC_RULE_TS_ZONE:
    case CFC_RULE_TS_CASE:
    case CFC_RULE_TS_SEPARATOR:
    case CFC_RULE_FIXED_VALUE:
    case CFC_RULE_PERCENT_RANGE:
    case CFC_RULE_BLOCKED_BY_EMPTY:
    case CFC_RULE_BLOCKED_BY_DUPLICATE:
    case CFC_RULE_DURATION_RANGE: return true;
    default: return false;
    }
}

static const char *why(cfc_rule r)
{
    const cfc_rule_info *info = cfc_rule_get(r);
    if (info->reference[0] == 'S' || strstr(info->reference, ", S") != NULL)
        return "stream: depends on earlier events";
    if (info->severity != CFC_SEVERITY_ERROR)
        return "a warning: the event still conforms";
    if (r == CFC_RULE_WS_PROTOCOL)
        return "the WebSocket connection: a fault of the transport, not of an event";
    switch (r) {
    case CFC_RULE_JSON_SYNTAX:
    case CFC_RULE_CONTROL_CHAR:
    case CFC_RULE_TEXT_FRAME:
    case CFC_RULE_UTF8_INVALID:
    case CFC_RULE_UTF8_BOM:
    case CFC_RULE_NUL_BYTE:
    case CFC_RULE_LONE_SURROGATE:
    case CFC_RULE_DUPLICATE_KEY:
    case CFC_RULE_INT_FORM:
    case CFC_RULE_TOO_LARGE:
    case CFC_RULE_TOO_DEEP:
        return "raw bytes: a JSON Schema sees the parsed value, not how it was written";
    case CFC_RULE_TS_RANGE: return "cross-field: the day must exist in its month and year";
    default: return "cross-field: relates two fields of the event";
    }
}

static void jstr(FILE *f, const char *s)
{
    putc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            putc(c, f);
    }
    putc('"', f);
}

static void int_range(FILE *f, long long lo, long long hi)
{
    fprintf(f, "\"type\":\"integer\",\"minimum\":%lld,\"maximum\":%lld", lo, hi);
}

/* One field's schema object (JSON Schema and AsyncAPI share it). */
static void field_schema(FILE *f, const cfc_event_type *t, const cfc_field *fd)
{
    const long long max = (long long)CFC_MAX_SAFE_INTEGER;
    putc('{', f);
    if (fd->doc != NULL) {
        fputs("\"description\":", f);
        jstr(f, fd->doc);
        putc(',', f);
    }
    switch (fd->kind) {
    case CFC_KIND_TYPE:
        fputs("\"const\":", f);
        jstr(f, t->name);
        break;
    case CFC_KIND_ID:
    case CFC_KIND_ORDINAL: int_range(f, 1, max); break;
    case CFC_KIND_COUNT: int_range(f, 0, max); break;
    case CFC_KIND_PERCENT: int_range(f, 0, 100); break;
    case CFC_KIND_NUMBER: fputs("\"type\":\"number\",\"minimum\":0", f); break;
    case CFC_KIND_STRING: fputs("\"type\":\"string\"", f); break;
    case CFC_KIND_IDENT:
        fputs("\"type\":\"string\",\"minLength\":1", f);
        if (fd->values != NULL) { /* an open set: the known values are examples */
            fputs(",\"examples\":[", f);
            for (size_t i = 0; fd->values[i]; i++) {
                if (i)
                    putc(',', f);
                jstr(f, fd->values[i]);
            }
            putc(']', f);
        }
        break;
    case CFC_KIND_ENUM:
        fputs("\"type\":\"string\",\"enum\":[", f);
        for (size_t i = 0; fd->values && fd->values[i]; i++) {
            if (i)
                putc(',', f);
            jstr(f, fd->values[i]);
        }
        putc(']', f);
        break;
    case CFC_KIND_ID_ARRAY:
        fputs("\"type\":\"array\",\"minItems\":1,\"uniqueItems\":true,\"items\":{", f);
        int_range(f, 1, max);
        putc('}', f);
        break;
    case CFC_KIND_OBJECT: {
        fputs("\"type\":\"object\",\"properties\":{", f);
        for (size_t i = 0; i < fd->n_members; i++) {
            if (i)
                putc(',', f);
            jstr(f, fd->members[i].name);
            putc(':', f);
            field_schema(f, t, &fd->members[i]);
        }
        fputs("},\"required\":[", f);
        bool first = true;
        for (size_t i = 0; i < fd->n_members; i++) {
            if (!fd->members[i].required)
                continue;
            if (!first)
                putc(',', f);
            first = false;
            jstr(f, fd->members[i].name);
        }
        putc(']', f);
        break;
    }
    case CFC_KIND_TIMESTAMP: fputs("\"type\":\"string\",\"pattern\":\"" TS_PATTERN "\"", f); break;
    }
    if (fd->fixed_string != NULL) {
        fputs(",\"const\":", f);
        jstr(f, fd->fixed_string);
    } else if (fd->has_fixed_int) {
        fprintf(f, ",\"const\":%lld", (long long)fd->fixed_int);
    }
    putc('}', f);
}

static void event_schema(FILE *f, const cfc_event_type *t)
{
    fputs("{\"title\":", f);
    jstr(f, t->name);
    fputs(",\"description\":", f);
    jstr(f, t->purpose);
    fputs(",\"type\":\"object\",\"properties\":{", f);
    for (size_t i = 0; i < t->n_fields; i++) {
        fputs(i ? ",\n      " : "\n      ", f);
        jstr(f, t->fields[i].name);
        putc(':', f);
        field_schema(f, t, &t->fields[i]);
    }
    fputs("},\n    \"required\":[", f);
    bool first = true;
    for (size_t i = 0; i < t->n_fields; i++) {
        if (!t->fields[i].required)
            continue;
        if (!first)
            putc(',', f);
        first = false;
        jstr(f, t->fields[i].name);
    }
    fputs("]}", f);
}

static void not_expressed(FILE *f)
{
    fputs("\"x-cfconform-not-expressed\":{", f);
    bool first = true;
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        if (expressed((cfc_rule)i))
            continue;
        fputs(first ? "\n  " : ",\n  ", f);
        first = false;
        jstr(f, cfc_rule_get((cfc_rule)i)->id);
        putc(':', f);
        jstr(f, why((cfc_rule)i));
    }
    fputs("}", f);
}

static void json_schema(FILE *f)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    fputs("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\n"
          "\"$id\":\"urn:cfconform:codeframe-websocket-events:" CFC_VERSION "\",\n"
          "\"title\":\"CodeFRAME WebSocket events\",\n"
          "\"description\":\"One event of the CodeFRAME WebSocket contract "
          "(docs/websocket-event-contracts.md). Generated by cfconform " CFC_VERSION
          " from its contract table. Rules a JSON Schema cannot check are listed in "
          "x-cfconform-not-expressed; cfconform check checks them all.\",\n"
          "\"oneOf\":[",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", f);
        fprintf(f, "{\"$ref\":\"#/$defs/%s\"}", types[i].name);
    }
    fputs("],\n\"$defs\":{", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        jstr(f, types[i].name);
        fputs(":", f);
        event_schema(f, &types[i]);
    }
    fputs("},\n", f);
    not_expressed(f);
    fputs("}\n", f);
}

static void asyncapi(FILE *f)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    fputs("{\"asyncapi\":\"3.0.0\",\n"
          "\"info\":{\"title\":\"CodeFRAME WebSocket events\",\"version\":\"" CFC_VERSION "\",\n"
          " \"description\":\"What a CodeFRAME producer broadcasts on its WebSocket, one JSON "
          "event per text message (docs/websocket-event-contracts.md). Generated by cfconform "
          "from its contract table.\"},\n"
          "\"servers\":{\"producer\":{\"host\":\"localhost:8080\",\"protocol\":\"ws\","
          "\"description\":\"A CodeFRAME producer (cfc-demo serve is one)\"}},\n"
          "\"channels\":{\"events\":{\"address\":\"/ws\",\"messages\":{",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        fprintf(f, "\"%s\":{\"$ref\":\"#/components/messages/%s\"}", types[i].name, types[i].name);
    }
    fputs(",\n  \"subscribe\":{\"$ref\":\"#/components/messages/subscribe\"}}}},\n"
          "\"operations\":{\"receiveEvents\":{\"action\":\"receive\",\"channel\":{\"$ref\":"
          "\"#/channels/events\"},\"summary\":\"Events the producer broadcasts\",\"messages\":[",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? "," : "", f);
        fprintf(f, "{\"$ref\":\"#/channels/events/messages/%s\"}", types[i].name);
    }
    fputs("]},\n \"subscribe\":{\"action\":\"send\",\"channel\":{\"$ref\":\"#/channels/events\"},"
          "\"summary\":\"Scope the connection to one project\",\"messages\":[{\"$ref\":"
          "\"#/channels/events/messages/subscribe\"}]}},\n"
          "\"components\":{\"messages\":{",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        fprintf(f, "\"%s\":{\"name\":\"%s\",\"title\":\"%s\",\"summary\":", types[i].name,
                types[i].name, types[i].function);
        jstr(f, types[i].purpose);
        fprintf(f,
                ",\"contentType\":\"application/json\",\"payload\":{\"$ref\":"
                "\"#/components/schemas/%s\"}}",
                types[i].name);
    }
    fputs(",\n  \"subscribe\":{\"name\":\"subscribe\",\"summary\":\"Sent by a client: only "
          "events of this project from now on\",\"contentType\":\"application/json\","
          "\"payload\":{\"type\":\"object\",\"required\":[\"type\",\"project_id\"],"
          "\"properties\":{\"type\":{\"const\":\"subscribe\"},\"project_id\":{\"type\":"
          "\"integer\",\"minimum\":1}}}}},\n\"schemas\":{",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n  " : "\n  ", f);
        jstr(f, types[i].name);
        fputs(":", f);
        event_schema(f, &types[i]);
    }
    fputs("}}}\n", f);
}

/* agent_status_changed -> AgentStatusChanged */
static void pascal(FILE *f, const char *name)
{
    bool up = true;
    for (; *name; name++) {
        if (*name == '_') {
            up = true;
            continue;
        }
        putc(up && *name >= 'a' && *name <= 'z' ? *name - 'a' + 'A' : *name, f);
        up = false;
    }
}

static void ts_type(FILE *f, const cfc_event_type *t, const cfc_field *fd, int depth)
{
    if (fd->fixed_string != NULL) {
        jstr(f, fd->fixed_string);
        return;
    }
    if (fd->has_fixed_int) {
        fprintf(f, "%lld", (long long)fd->fixed_int);
        return;
    }
    switch (fd->kind) {
    case CFC_KIND_TYPE: jstr(f, t->name); break;
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT:
    case CFC_KIND_NUMBER: fputs("number", f); break;
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT:
    case CFC_KIND_TIMESTAMP: fputs("string", f); break;
    case CFC_KIND_ENUM:
        for (size_t i = 0; fd->values && fd->values[i]; i++) {
            if (i)
                fputs(" | ", f);
            jstr(f, fd->values[i]);
        }
        break;
    case CFC_KIND_ID_ARRAY: fputs("[number, ...number[]]", f); break;
    case CFC_KIND_OBJECT:
        fputs("{\n", f);
        for (size_t i = 0; i < fd->n_members; i++) {
            fprintf(f, "%*s%s%s: ", 4 * (depth + 1), "", fd->members[i].name,
                    fd->members[i].required ? "" : "?");
            ts_type(f, t, &fd->members[i], depth + 1);
            fputs(";\n", f);
        }
        fprintf(f, "%*s}", 4 * depth, "");
        break;
    }
}

static void typescript(FILE *f)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    fputs("// SPDX-License-Identifier: MIT\n"
          "// CodeFRAME WebSocket events (docs/websocket-event-contracts.md), generated by\n"
          "// cfconform " CFC_VERSION " from its contract table: `cfconform schema --format "
          "typescript`.\n"
          "// Integers are numbers up to 2^53-1; timestamps are\n"
          "// YYYY-MM-DDTHH:MM:SS.fffZ strings. What types cannot say (ranges,\n"
          "// cross-field rules) `cfconform check` checks.\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fputs("\n/** ", f);
        fputs(types[i].purpose, f);
        fputs(" */\nexport interface ", f);
        pascal(f, types[i].name);
        fputs(" {\n", f);
        for (size_t k = 0; k < types[i].n_fields; k++) {
            const cfc_field *fd = &types[i].fields[k];
            if (fd->doc != NULL && strstr(fd->doc, "*/") == NULL)
                fprintf(f, "    /** %s */\n", fd->doc);
            fprintf(f, "    %s%s: ", fd->name, fd->required ? "" : "?");
            ts_type(f, &types[i], fd, 1);
            fputs(";\n", f);
        }
        fputs("}\n", f);
    }
    fputs("\n/** Any event: a union discriminated by `type`. */\nexport type CodeFrameEvent =", f);
    for (size_t i = 0; i < n; i++) {
        fputs("\n    | ", f);
        pascal(f, types[i].name);
    }
    fputs(";\n\n/** The `type` of every event. */\nexport type CodeFrameEventType = "
          "CodeFrameEvent[\"type\"];\n",
          f);
}

int cfc_schema_write(FILE *out, cfc_schema_format format)
{
    switch (format) {
    case CFC_SCHEMA_JSON_SCHEMA: json_schema(out); break;
    case CFC_SCHEMA_ASYNCAPI: asyncapi(out); break;
    case CFC_SCHEMA_TYPESCRIPT: typescript(out); break;
    default: return -1;
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

int cfc_schema_format_parse(const char *name, cfc_schema_format *out)
{
    static const struct {
        const char *name;
        cfc_schema_format f;
    } all[] = {{"json-schema", CFC_SCHEMA_JSON_SCHEMA},
               {"asyncapi", CFC_SCHEMA_ASYNCAPI},
               {"typescript", CFC_SCHEMA_TYPESCRIPT}};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(name, all[i].name) == 0) {
            *out = all[i].f;
            return 0;
        }
    }
    return -1;
}

bool cfc_schema_expresses(cfc_rule rule)
{
    return (size_t)rule < CFC_RULE_COUNT && expressed(rule);
}
