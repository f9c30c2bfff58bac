/* SPDX-License-Identifier: MIT */
/*
 * The contract table against the contract document: every event type and
 * field the document names is in the table, in the document's order, and
 * nothing else is; enums, fixed values, optionality and the broadcasters'
 * signatures agree too. The document is read from docs/, as shipped.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/contract.h"
#include "util.h"

#define MAX_ITEMS 32

typedef struct doc_field {
    char path[160];    /* "agent_id", "current_task/id" */
    char comment[160]; /* the text after '#', if any */
    char literal[32];  /* a quoted literal value in the schema ("idle"), if any */
} doc_field;

typedef struct doc_event {
    char name[64];
    doc_field fields[MAX_ITEMS];
    size_t n_fields;
    char function[64];
    char params[MAX_ITEMS][64];
    size_t n_params;
} doc_event;

/* The fenced block of `lang` that follows `marker` inside [from, to). */
static char *block_after(const char *from, const char *to, const char *marker, const char *lang,
                         size_t *len)
{
    const char *m = strstr(from, marker);
    if (m == NULL || m >= to)
        return NULL;
    char fence[32];
    snprintf(fence, sizeof fence, "```%s\n", lang);
    const char *start = strstr(m, fence);
    if (start == NULL || start >= to)
        return NULL;
    start += strlen(fence);
    const char *end = strstr(start, "```");
    *len = (size_t)(end - start);
    return (char *)start;
}

/* Keys of a Python-dict schema block, nested keys as "outer/inner". */
static void parse_schema(const char *s, size_t len, doc_event *ev)
{
    char outer[64] = "";
    const char *end = s + len;
    while (s < end) {
        const char *eol = memchr(s, '\n', (size_t)(end - s));
        if (eol == NULL)
            eol = end;
        char line[256];
        size_t n = (size_t)(eol - s) < sizeof line - 1 ? (size_t)(eol - s) : sizeof line - 1;
        memcpy(line, s, n);
        line[n] = '\0';
        s = eol + 1;

        char *q = strchr(line, '"');
        char *colon = q ? strstr(q, "\":") : NULL;
        if (q && colon) {
            doc_field *f = &ev->fields[ev->n_fields++];
            cr_assert_leq(ev->n_fields, MAX_ITEMS);
            char key[64];
            snprintf(key, sizeof key, "%.*s", (int)(colon - q - 1), q + 1);
            if (outer[0])
                snprintf(f->path, sizeof f->path, "%s/%s", outer, key);
            else
                snprintf(f->path, sizeof f->path, "%s", key);
            char *hash = strchr(colon, '#');
            snprintf(f->comment, sizeof f->comment, "%s", hash ? hash + 1 : "");
            char *lit = strchr(colon + 2, '"');
            if (lit && (hash == NULL || lit < hash)) {
                char *close = strchr(lit + 1, '"');
                snprintf(f->literal, sizeof f->literal, "%.*s", (int)(close - lit - 1), lit + 1);
            }
            char *brace = strchr(colon, '{');
            if (brace && (hash == NULL || brace < hash))
                snprintf(outer, sizeof outer, "%s", key);
        } else if (strchr(line, '}') && outer[0]) {
            outer[0] = '\0';
        }
    }
}

static void parse_function(const char *s, size_t len, doc_event *ev)
{
    const char *def = strstr(s, "async def ");
    cr_assert(def && def < s + len);
    def += strlen("async def ");
    const char *paren = strchr(def, '(');
    snprintf(ev->function, sizeof ev->function, "%.*s", (int)(paren - def), def);
    const char *p = paren + 1;
    const char *close = strstr(p, ") ->");
    while (p < close) {
        while (p < close && (*p == ' ' || *p == '\n' || *p == ','))
            p++;
        const char *stop = p;
        while (stop < close && *stop != ':' && *stop != ',' && *stop != '\n')
            stop++;
        if (stop > p && strncmp(p, "manager", (size_t)(stop - p)) != 0) {
            snprintf(ev->params[ev->n_params++], 64, "%.*s", (int)(stop - p), p);
            cr_assert_leq(ev->n_params, MAX_ITEMS);
        }
        while (p < close && *p != '\n')
            p++;
    }
}

static size_t parse_doc(doc_event *events, size_t cap)
{
    char *doc = test_slurp(CFC_SOURCE_DIR "/docs/websocket-event-contracts.md", NULL);
    size_t n = 0;
    for (char *h = strstr(doc, "\n### "); h; h = strstr(h + 1, "\n### ")) {
        char *name = h + 5;
        char *eol = strchr(name, '\n');
        char *next = strstr(eol, "\n## ");
        char *next3 = strstr(eol, "\n### ");
        if (next == NULL || (next3 && next3 < next))
            next = next3;
        if (next == NULL)
            next = doc + strlen(doc);
        size_t len;
        char *schema = block_after(eol, next, "**Schema:**", "python", &len);
        if (schema == NULL)
            continue;
        cr_assert_lt(n, cap);
        doc_event *ev = &events[n++];
        memset(ev, 0, sizeof *ev);
        snprintf(ev->name, sizeof ev->name, "%.*s", (int)(eol - name), name);
        parse_schema(schema, len, ev);
        char *fn = block_after(eol, next, "**Function:**", "python", &len);
        cr_assert_not_null(fn, "%s has no function signature", ev->name);
        parse_function(fn, len, ev);
    }
    free(doc);
    return n;
}

/* The table's fields of one type, flattened the way the document nests them. */
static size_t table_paths(const cfc_event_type *t, char paths[][64], const cfc_field **fields)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        fields[n] = f;
        snprintf(paths[n++], 64, "%s", f->name);
        for (size_t k = 0; k < f->n_members; k++) {
            fields[n] = &f->members[k];
            snprintf(paths[n++], 64, "%s/%s", f->name, f->members[k].name);
        }
    }
    return n;
}

Test(contract, every_documented_type_in_order_and_none_extra)
{
    doc_event events[16];
    size_t n = parse_doc(events, 16);
    size_t count;
    const cfc_event_type *types = cfc_contract_types(&count);
    cr_assert_eq(count, 11);
    cr_assert_eq(n, count, "the document defines %zu event types, the table %zu", n, count);
    for (size_t i = 0; i < n; i++) {
        cr_expect_str_eq(events[i].name, types[i].name);
        cr_expect_eq(types[i].id, (cfc_event_id)i);
        cr_expect_eq(cfc_contract_find(types[i].name, strlen(types[i].name)), &types[i]);
    }
}

Test(contract, fields_match_the_schema_blocks)
{
    doc_event events[16];
    size_t n = parse_doc(events, 16);
    for (size_t i = 0; i < n; i++) {
        const cfc_event_type *t = cfc_contract_find(events[i].name, strlen(events[i].name));
        cr_assert_not_null(t, "%s is not in the table", events[i].name);
        char paths[MAX_ITEMS][64];
        const cfc_field *fields[MAX_ITEMS];
        size_t np = table_paths(t, paths, fields);
        cr_assert_eq(np, events[i].n_fields, "%s: document has %zu fields, table %zu", t->name,
                     events[i].n_fields, np);
        for (size_t k = 0; k < np; k++) {
            const doc_field *d = &events[i].fields[k];
            const cfc_field *f = fields[k];
            cr_expect_str_eq(paths[k], d->path, "%s field %zu", t->name, k);
            /* "Optional" in the document's comment <=> optional in the table. */
            bool doc_optional = strstr(d->comment, "Optional") != NULL;
            cr_expect_eq(!f->required, doc_optional, "%s.%s optionality", t->name, d->path);
            if (strcmp(d->path, "type") == 0) {
                cr_expect_str_eq(d->literal, t->name);
                continue;
            }
            if (f->kind == CFC_KIND_ENUM && f->fixed_string == NULL) {
                /* The comment lists the values: "a" | "b" | "c". */
                size_t nv = 0;
                for (const char *c = strchr(d->comment, '"'); c; c = strchr(c + 1, '"')) {
                    const char *close = strchr(c + 1, '"');
                    cr_assert_not_null(f->values[nv], "%s.%s: table has fewer values", t->name,
                                       d->path);
                    cr_expect_eq(strncmp(f->values[nv], c + 1, (size_t)(close - c - 1)), 0,
                                 "%s.%s value %zu", t->name, d->path, nv);
                    nv++;
                    c = close;
                }
                cr_expect_null(f->values[nv], "%s.%s: table has more values", t->name, d->path);
            }
            if (d->literal[0]) {
                cr_expect_not_null(f->fixed_string, "%s.%s is fixed in the document", t->name,
                                   d->path);
                if (f->fixed_string)
                    cr_expect_str_eq(f->fixed_string, d->literal);
            }
            if (strstr(d->comment, "Always 0"))
                cr_expect(f->has_fixed_int && f->fixed_int == 0, "%s.%s is always 0", t->name,
                          d->path);
            if (strstr(d->comment, "len("))
                cr_expect_not_null(f->count_of, "%s.%s counts an array", t->name, d->path);
        }
    }
}

Test(contract, base_fields_open_and_close_every_event)
{
    size_t nb;
    const cfc_field *base = cfc_contract_base_fields(&nb);
    cr_assert_eq(nb, 3);
    size_t count;
    const cfc_event_type *types = cfc_contract_types(&count);
    for (size_t i = 0; i < count; i++) {
        cr_expect_str_eq(types[i].fields[0].name, base[0].name);
        cr_expect_str_eq(types[i].fields[1].name, base[1].name);
        cr_expect_str_eq(types[i].fields[types[i].n_fields - 1].name, base[2].name);
        cr_expect_eq(types[i].fields[1].kind, CFC_KIND_ID);
        cr_expect_eq(types[i].fields[types[i].n_fields - 1].kind, CFC_KIND_TIMESTAMP);
    }
}

/* Every Python parameter feeds exactly one field (by name, or by the table's
 * `param` for renamed ones), and every field a caller controls has one. */
Test(contract, signatures_map_onto_fields)
{
    doc_event events[16];
    size_t n = parse_doc(events, 16);
    for (size_t i = 0; i < n; i++) {
        const cfc_event_type *t = cfc_contract_find(events[i].name, strlen(events[i].name));
        cr_expect_str_eq(events[i].function, t->function);
        char paths[MAX_ITEMS][64];
        const cfc_field *fields[MAX_ITEMS];
        size_t np = table_paths(t, paths, fields);
        bool covered[MAX_ITEMS] = {false};
        for (size_t p = 0; p < events[i].n_params; p++) {
            size_t hits = 0;
            for (size_t k = 0; k < np; k++) {
                const char *want = fields[k]->param ? fields[k]->param : fields[k]->name;
                if (fields[k]->kind != CFC_KIND_OBJECT && strcmp(want, events[i].params[p]) == 0) {
                    hits++;
                    covered[k] = true;
                }
            }
            cr_expect_eq(hits, 1, "%s(%s) maps to %zu fields", t->function, events[i].params[p],
                         hits);
        }
        for (size_t k = 0; k < np; k++) {
            const cfc_field *f = fields[k];
            bool derived = f->kind == CFC_KIND_TYPE || f->kind == CFC_KIND_TIMESTAMP ||
                           f->kind == CFC_KIND_OBJECT || f->count_of || f->fixed_string;
            if (!derived)
                cr_expect(covered[k], "%s.%s has no parameter", t->name, paths[k]);
        }
    }
}

Test(contract, lookups)
{
    const cfc_event_type *t = cfc_contract_find("task_blocked", 12);
    cr_assert_not_null(t);
    cr_expect_null(cfc_contract_find("Task_Blocked", 12), "lookup is case-sensitive");
    cr_expect_null(cfc_contract_find("task_blocke", 11));
    cr_expect_null(cfc_contract_get(CFC_EV_COUNT));
    const cfc_field *f = cfc_contract_field(t, "blocked_count", 13);
    cr_assert_not_null(f);
    cr_expect_str_eq(f->count_of, "blocked_by");
    cr_expect_null(cfc_contract_field(t, "blocked", 7));
    const cfc_field *st = cfc_contract_field(cfc_contract_get(CFC_EV_TEST_RESULT), "status", 6);
    cr_expect(cfc_field_allows(st, "no_tests", 8));
    cr_expect_not(cfc_field_allows(st, "No_tests", 8));
    cr_expect_not(cfc_field_allows(st, "no_test", 7));
    cr_expect_str_eq(cfc_kind_name(CFC_KIND_PERCENT), "percent");
}
