/*
 * cfc-gen-event-types: writes the typed event declarations from the contract
 * table, so that the typed decoder's structs and enums follow the contract
 * instead of being retyped (STYLE.md: the contract is data, written once).
 *
 *   cfc-gen-event-types header > conformance/include/cfc/event_types.h
 *   cfc-gen-event-types map    > conformance/decode/event_map.c
 *
 * The header has one C enum per enumerated field, one struct per nested
 * object, one struct per event type and the tagged union cfc_event; the map
 * says where each table field lives in those structs (offsetof), so the
 * decoder, the encoder glue, equality and the generator walk the table
 * rather than naming fields. Both files are committed; a test fails when
 * either is stale. Like Redis's command-table generator, this one refuses an
 * inconsistent table: two declarations with the same C name, a field kind it
 * does not know, or more fields than the decoder's fixed arrays hold.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/contract.h"

#define MAX_NAMES 512
#define MAX_FIELDS 16 /* conformance/decode/event_map.h: CFC__MAX_FIELDS */

static char names[MAX_NAMES][96];
static size_t n_names;

/* Every C name declared, once: a clash is a table the generator refuses. */
static void declare(const char *name)
{
    for (size_t i = 0; i < n_names; i++) {
        if (strcmp(names[i], name) == 0) {
            fprintf(stderr, "cfc-gen-event-types: two declarations named %s\n", name);
            exit(1);
        }
    }
    if (n_names == MAX_NAMES || strlen(name) >= sizeof names[0]) {
        fprintf(stderr, "cfc-gen-event-types: too many or too long names (%s)\n", name);
        exit(1);
    }
    strcpy(names[n_names++], name);
}

static void upper(char *out, size_t cap, const char *s)
{
    size_t o = 0;
    for (; *s && o + 1 < cap; s++)
        out[o++] = isalnum((unsigned char)*s) ? (char)toupper((unsigned char)*s) : '_';
    out[o] = '\0';
}

static int is_base(const cfc_field *f)
{
    size_t nb;
    const cfc_field *base = cfc_contract_base_fields(&nb);
    for (size_t i = 0; i < nb; i++) {
        if (strcmp(base[i].name, f->name) == 0)
            return 1;
    }
    return 0;
}

/* The C type of a field's value in the struct of `owner` (event type or
 * "event_field" prefix for nested objects). */
static void c_type(char *out, size_t cap, const char *owner, const cfc_field *f)
{
    switch (f->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT:
    case CFC_KIND_TIMESTAMP: snprintf(out, cap, "int64_t"); return;
    case CFC_KIND_NUMBER: snprintf(out, cap, "double"); return;
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT: snprintf(out, cap, "cfc_text"); return;
    case CFC_KIND_ID_ARRAY: snprintf(out, cap, "cfc_id_array"); return;
    case CFC_KIND_ENUM:
    case CFC_KIND_OBJECT: snprintf(out, cap, "cfc_%s_%s", owner, f->name); return;
    case CFC_KIND_TYPE: break;
    }
    fprintf(stderr, "cfc-gen-event-types: %s.%s has a kind it cannot type (%s)\n", owner, f->name,
            cfc_kind_name(f->kind));
    exit(1);
}

static const char *kind_note(const cfc_field *f)
{
    switch (f->kind) {
    case CFC_KIND_ID: return "ID, >= 1";
    case CFC_KIND_COUNT: return "count, >= 0";
    case CFC_KIND_ORDINAL: return ">= 1";
    case CFC_KIND_PERCENT: return "0..100";
    case CFC_KIND_NUMBER: return "finite, >= 0";
    case CFC_KIND_STRING: return "any string";
    case CFC_KIND_IDENT: return "non-empty";
    case CFC_KIND_ENUM: return "enum";
    case CFC_KIND_ID_ARRAY: return "non-empty, distinct IDs";
    case CFC_KIND_OBJECT: return "object";
    case CFC_KIND_TIMESTAMP: return "Unix ms";
    case CFC_KIND_TYPE: return "type";
    }
    return "";
}

static void enum_decl(const char *owner, const cfc_field *f)
{
    char tname[96], prefix[96], value[96];
    snprintf(tname, sizeof tname, "cfc_%s_%s", owner, f->name);
    upper(prefix, sizeof prefix, tname);
    declare(tname);
    printf("/* %s.%s", owner, f->name);
    if (f->fixed_string)
        printf(" (always \"%s\")", f->fixed_string);
    printf(" */\ntypedef enum %s {\n", tname);
    size_t n = 0;
    for (; f->values[n]; n++) {
        upper(value, sizeof value, f->values[n]);
        char cname[200];
        snprintf(cname, sizeof cname, "%s_%s", prefix, value);
        declare(cname);
        printf("    %s = %zu, /* \"%s\" */\n", cname, n, f->values[n]);
    }
    printf("} %s;\n#define %s__COUNT %zu\n\n", tname, prefix, n);
}

static void member_line(const char *owner, const cfc_field *f)
{
    char type[96];
    c_type(type, sizeof type, owner, f);
    if (!f->required)
        printf("    bool has_%s; /* optional: %s is absent when false */\n", f->name, f->name);
    printf("    %s %s; /* %s", type, f->name, kind_note(f));
    if (f->count_of)
        printf("; the length of %s", f->count_of);
    if (f->doc)
        printf("; %s", f->doc);
    printf(" */\n");
}

static void header(void)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    puts("/* SPDX-License-Identifier: MIT */\n"
         "/*\n"
         " * The typed events: one C struct per event type of the contract, one C enum\n"
         " * per enumerated field, and the tagged union cfc_event.\n"
         " *\n"
         " * GENERATED by cfc-gen-event-types from the contract table\n"
         " * (reference/src/contract.c). Do not edit: regenerate with\n"
         " *     build/cfc-gen-event-types header > conformance/include/cfc/event_types.h\n"
         " * A test fails when this file is stale. Include cfc/decode.h, not this file.\n"
         " *\n"
         " * Enum values are in the table's order; an optional field has a has_ flag\n"
         " * before it (its value is meaningless when the flag is false).\n"
         " */\n"
         "#ifndef CFC_EVENT_TYPES_H\n"
         "#define CFC_EVENT_TYPES_H\n\n"
         "#ifndef CFC_DECODE_H\n"
         "#error \"include cfc/decode.h, not cfc/event_types.h\"\n"
         "#endif\n");
    declare("cfc_event");
    declare("cfc_text");
    declare("cfc_id_array");
    for (size_t t = 0; t < n; t++) {
        const cfc_event_type *et = &types[t];
        if (et->n_fields > MAX_FIELDS) {
            fprintf(stderr, "cfc-gen-event-types: %s has more than %d fields\n", et->name,
                    MAX_FIELDS);
            exit(1);
        }
        for (size_t i = 0; i < et->n_fields; i++) {
            const cfc_field *f = &et->fields[i];
            if (f->kind == CFC_KIND_ENUM)
                enum_decl(et->name, f);
            if (f->kind == CFC_KIND_OBJECT) {
                char owner[96], tname[128];
                snprintf(owner, sizeof owner, "%s_%s", et->name, f->name);
                snprintf(tname, sizeof tname, "cfc_%s", owner);
                for (size_t k = 0; k < f->n_members; k++) {
                    if (f->members[k].kind == CFC_KIND_ENUM)
                        enum_decl(owner, &f->members[k]);
                }
                declare(tname);
                printf("/* %s.%s */\ntypedef struct %s {\n", et->name, f->name, tname);
                for (size_t k = 0; k < f->n_members; k++)
                    member_line(owner, &f->members[k]);
                printf("} %s;\n\n", tname);
            }
        }
        char tname[96];
        snprintf(tname, sizeof tname, "cfc_%s", et->name);
        declare(tname);
        printf("/* %s: %s */\ntypedef struct %s {\n", et->name, et->purpose, tname);
        size_t own = 0;
        for (size_t i = 0; i < et->n_fields; i++) {
            if (et->fields[i].kind == CFC_KIND_TYPE || is_base(&et->fields[i]))
                continue;
            member_line(et->name, &et->fields[i]);
            own++;
        }
        if (own == 0)
            printf("    char unused; /* no fields beyond the base fields */\n");
        printf("} %s;\n\n", tname);
    }
    puts("/* One event: the base fields every event has (G4), and the fields of its\n"
         " * type in the union member named after it (type CFC_EV_TASK_BLOCKED:\n"
         " * u.task_blocked). */\n"
         "typedef struct cfc_event {\n"
         "    cfc_event_id type;\n"
         "    int64_t project_id;   /* ID, >= 1 */\n"
         "    int64_t timestamp_ms; /* Unix ms, years 0001-9999; cfc_timestamp_format gives the "
         "text */\n"
         "    union {");
    for (size_t t = 0; t < n; t++)
        printf("        cfc_%s %s;\n", types[t].name, types[t].name);
    puts("    } u;\n"
         "} cfc_event;\n\n"
         "#endif");
}

static void slots_of(const char *array, const char *owner_c, const char *path_prefix,
                     const cfc_field *fields, size_t n, int top)
{
    /* Nested objects first: their slot arrays are referenced below. */
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        if (f->kind != CFC_KIND_OBJECT)
            continue;
        char sub[128], sub_owner[128];
        snprintf(sub, sizeof sub, "%s_%s", array, f->name);
        snprintf(sub_owner, sizeof sub_owner, "%s_%s", owner_c, f->name);
        slots_of(sub, sub_owner, "", f->members, f->n_members, 0);
    }
    printf("static const cfc__slot %s[] = {\n", array);
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        const char *container = top ? "cfc_event" : owner_c;
        char where[160];
        if (top && is_base(f))
            snprintf(where, sizeof where, "%s",
                     strcmp(f->name, "timestamp") == 0 ? "timestamp_ms" : f->name);
        else
            snprintf(where, sizeof where, "%s%s", path_prefix, f->name);
        printf("    /* %-16s */ {", f->name);
        if (f->kind == CFC_KIND_TYPE)
            printf("offsetof(cfc_event, type), CFC__NO_FLAG, NULL");
        else if (f->required)
            printf("offsetof(%s, %s), CFC__NO_FLAG, ", container, where);
        else
            printf("offsetof(%s, %s), offsetof(%s, %s%shas_%s), ", container, where, container,
                   top && !is_base(f) ? path_prefix : "", "", f->name);
        if (f->kind != CFC_KIND_TYPE) {
            if (f->kind == CFC_KIND_OBJECT)
                printf("%s_%s", array, f->name);
            else
                printf("NULL");
        }
        printf("},\n");
    }
    printf("};\n\n");
}

static void map(void)
{
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    puts("/* SPDX-License-Identifier: MIT */\n"
         "/*\n"
         " * Where each field of the contract table lives in the typed structs.\n"
         " *\n"
         " * GENERATED by cfc-gen-event-types from the contract table. Do not edit:\n"
         " *     build/cfc-gen-event-types map > conformance/decode/event_map.c\n"
         " * A test fails when this file is stale.\n"
         " */\n"
         "#include <stddef.h>\n\n"
         "#include \"event_map.h\"\n");
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; i < types[t].n_fields; i++) {
            const cfc_field *f = &types[t].fields[i];
            if (f->kind == CFC_KIND_ENUM)
                printf("_Static_assert(sizeof(cfc_%s_%s) == sizeof(int), \"enums are stored as "
                       "int\");\n",
                       types[t].name, f->name);
        }
    }
    puts("");
    for (size_t t = 0; t < n; t++) {
        char array[96], owner[96], prefix[128];
        snprintf(array, sizeof array, "slots_%s", types[t].name);
        snprintf(owner, sizeof owner, "cfc_%s", types[t].name);
        snprintf(prefix, sizeof prefix, "u.%s.", types[t].name);
        slots_of(array, owner, prefix, types[t].fields, types[t].n_fields, 1);
    }
    puts("const cfc__slot *const cfc__event_slots[CFC_EV_COUNT] = {");
    for (size_t t = 0; t < n; t++)
        printf("    slots_%s,\n", types[t].name);
    puts("};");
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "header") != 0 && strcmp(argv[1], "map") != 0)) {
        fputs("usage: cfc-gen-event-types header|map\n", stderr);
        return 2;
    }
    if (strcmp(argv[1], "header") == 0)
        header();
    else
        map();
    return fclose(stdout) == 0 ? 0 : 2;
}
