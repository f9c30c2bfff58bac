/* SPDX-License-Identifier: MIT */
/*
 * The contract-aware mutator (cfc_mutator.h).
 *
 * A mutation is an edit of the input's text: the strict parser gives every
 * value's byte range, the contract table says what each member is (an ID, an
 * enum, the timestamp, a count of an array), and one operation replaces,
 * removes or inserts a range. Everything else stays byte-for-byte, so a
 * mutation is small and its effect easy to read in a reproducer.
 */
#include "cfc_mutator.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/contract.h"
#include "cfc/generate.h"
#include "cfc/timestamp.h"
#include "json.h"

#define MAX_TARGETS 512
#define OUT_CAP_LIMIT ((size_t)64 << 20)

/* ---- state kept between calls ------------------------------------------------ */

typedef struct obuf {
    char *p;
    size_t len, cap;
    bool nomem;
} obuf;

typedef struct event_view event_view;
static cfc_jparser *parser;
static obuf out;
static cfc_generator *fresh_valid, *fresh_invalid;
static cfc_byte_mutator byte_mutator;
static unsigned long counts[CFC_MUT__COUNT];
static uint64_t rng;

static void put(obuf *b, const void *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = cap > OUT_CAP_LIMIT ? NULL : realloc(b->p, cap);
        if (q == NULL) {
            b->nomem = true;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(obuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static uint64_t next(void)
{
    uint64_t z = (rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static size_t below(size_t n)
{
    return n ? (size_t)(next() % n) : 0;
}

static bool chance(unsigned num, unsigned den)
{
    return below(den) < num;
}

#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

const unsigned long *cfc_mutator_counts(void)
{
    return counts;
}

const char *cfc_mutation_name(cfc_mutation m)
{
    static const char *const names[CFC_MUT__COUNT] = {
        "type",  "drop",  "duplicate", "add",    "enum",       "integer", "int-form", "timestamp",
        "count", "array", "depth",     "string", "value-type", "fresh",   "bytes"};
    return (unsigned)m < CFC_MUT__COUNT ? names[m] : "unknown";
}

void cfc_mutator_set_byte_mutator(cfc_byte_mutator fn)
{
    byte_mutator = fn;
}

/* ---- the built-in byte mutator ------------------------------------------------ */

static const char *const tokens[] = {"\"type\":",
                                     "\"project_id\":",
                                     "\"timestamp\":",
                                     "null",
                                     "true",
                                     "{}",
                                     "[]",
                                     "\\u0000",
                                     "\\ud83d",
                                     "\xC0\xAF",
                                     "\xEF\xBB\xBF",
                                     "9007199254740992",
                                     "-0",
                                     "1e0",
                                     "1.0",
                                     ",",
                                     ":",
                                     "\"",
                                     "{",
                                     "}",
                                     "[",
                                     "]",
                                     "2025-11-08T14:30:45.123Z",
                                     "\"task_blocked\"",
                                     "\"blocked_by\":[1,2]",
                                     "\"blocked_count\":",
                                     "\"status\":\"working\"",
                                     "\"current_task\":{\"id\":1,\"title\":\"t\"}"};

static size_t builtin_bytes(uint8_t *d, size_t size, size_t max)
{
    if (max == 0)
        return 0;
    if (size == 0) {
        d[0] = (uint8_t)next();
        return 1;
    }
    switch (below(6)) {
    case 0: /* flip a bit */ d[below(size)] ^= (uint8_t)(1u << below(8)); return size;
    case 1: /* a random byte */ d[below(size)] = (uint8_t)next(); return size;
    case 2: { /* delete a run */
        if (size < 2)
            return size;
        size_t at = below(size), n = 1 + below(size - at < 8 ? size - at : 8);
        if (n >= size)
            n = size - 1;
        memmove(d + at, d + at + n, size - at - n);
        return size - n;
    }
    case 3: { /* copy a run elsewhere */
        size_t from = below(size), n = 1 + below(size - from < 16 ? size - from : 16);
        if (size + n > max)
            return size;
        size_t at = below(size + 1);
        uint8_t tmp[16];
        memcpy(tmp, d + from, n);
        memmove(d + at + n, d + at, size - at);
        memcpy(d + at, tmp, n);
        return size + n;
    }
    case 4: { /* insert a token of the contract or of JSON */
        const char *t = PICK(tokens);
        size_t n = strlen(t), at = below(size + 1);
        if (size + n > max)
            return size;
        memmove(d + at + n, d + at, size - at);
        memcpy(d + at, t, n);
        return size + n;
    }
    default: { /* change a digit */
        for (size_t tries = 0; tries < 16; tries++) {
            size_t at = below(size);
            if (d[at] >= '0' && d[at] <= '9') {
                d[at] = (uint8_t)('0' + below(10));
                break;
            }
        }
        return size;
    }
    }
}

size_t cfc_mutate_bytes(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (data == NULL)
        return 0;
    rng = seed * UINT64_C(0x2545F4914F6CDD1D) + 3;
    return builtin_bytes(data, size > max_size ? max_size : size, max_size);
}

static size_t bytes(uint8_t *d, size_t size, size_t max)
{
    counts[CFC_MUT_BYTES]++;
    return (byte_mutator ? byte_mutator : builtin_bytes)(d, size, max);
}

/* ---- what the input is ----------------------------------------------------- */

typedef struct target {
    const cfc_jval *v;      /* the value */
    const cfc_jval *obj;    /* the object it is a member of, NULL for an array item */
    const cfc_jval *prev;   /* the member before it in obj, NULL when first */
    const cfc_field *field; /* its table row, NULL when unknown */
    const cfc_field *row;   /* obj's table rows (to add a field), with n_row */
    size_t n_row;
} target;

struct event_view {
    const char *in;
    size_t len;
    const cfc_jval *root;
    const cfc_event_type *type;
    target t[MAX_TARGETS];
    size_t n;
};

/* Static: a mutation is one call at a time, and the views are large. */
static event_view views[2];

static const cfc_field id_item = {.name = "", .kind = CFC_KIND_ID, .required = true};

static const cfc_field *row_field(const cfc_field *row, size_t n, const char *key, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (strlen(row[i].name) == len && memcmp(row[i].name, key, len) == 0)
            return &row[i];
    }
    return NULL;
}

static void collect(event_view *ev, const cfc_jval *obj, const cfc_field *row, size_t n_row,
                    unsigned depth)
{
    const cfc_jval *prev = NULL;
    for (const cfc_jval *m = obj->u.kids.first; m && ev->n < MAX_TARGETS; prev = m, m = m->next) {
        const cfc_field *f = row ? row_field(row, n_row, m->key, m->key_len) : NULL;
        ev->t[ev->n++] = (target){m, obj, prev, f, row, n_row};
        if (depth > 4)
            continue;
        if (m->type == CFC_J_OBJECT)
            collect(ev, m, f && f->kind == CFC_KIND_OBJECT ? f->members : NULL,
                    f && f->kind == CFC_KIND_OBJECT ? f->n_members : 0, depth + 1);
        if (m->type == CFC_J_ARRAY) {
            for (const cfc_jval *it = m->u.kids.first; it && ev->n < MAX_TARGETS; it = it->next)
                ev->t[ev->n++] = (target){
                    it, NULL, NULL, f && f->kind == CFC_KIND_ID_ARRAY ? &id_item : NULL, NULL, 0};
        }
    }
}

static bool view(event_view *ev, const char *in, size_t len)
{
    if (parser == NULL && (parser = cfc_jparser_new()) == NULL)
        return false;
    cfc_jval *root = NULL;
    cfc_jparse_opts o = {.max_depth = 4096, .max_diags = 4};
    if (cfc_jparse(parser, in, len, &o, &root, NULL, NULL, NULL) != 0 || root == NULL ||
        root->type != CFC_J_OBJECT)
        return false;
    ev->in = in;
    ev->len = len;
    ev->root = root;
    ev->n = 0;
    const cfc_jval *tv = cfc_jobject_get(root, "type");
    ev->type =
        tv && tv->type == CFC_J_STRING ? cfc_contract_find(tv->u.str.s, tv->u.str.len) : NULL;
    size_t nb;
    const cfc_field *row = ev->type ? ev->type->fields : cfc_contract_base_fields(&nb);
    collect(ev, root, row, ev->type ? ev->type->n_fields : nb, 0);
    return true;
}

typedef bool (*target_pred)(const target *t);

static const target *pick(const event_view *ev, target_pred pred)
{
    size_t idx[MAX_TARGETS], n = 0;
    for (size_t i = 0; i < ev->n; i++) {
        if (pred == NULL || pred(&ev->t[i]))
            idx[n++] = i;
    }
    return n ? &ev->t[idx[below(n)]] : NULL;
}

static bool is_member(const target *t)
{
    return t->obj != NULL;
}

static bool is_int_field(const target *t)
{
    return t->field && (t->field->kind == CFC_KIND_ID || t->field->kind == CFC_KIND_COUNT ||
                        t->field->kind == CFC_KIND_ORDINAL || t->field->kind == CFC_KIND_PERCENT);
}

static bool is_number(const target *t)
{
    return t->v->type == CFC_J_NUMBER || is_int_field(t);
}

static bool is_enum_like(const target *t)
{
    return t->field && t->field->values && t->v->type == CFC_J_STRING;
}

static bool is_timestamp(const target *t)
{
    return t->field && t->field->kind == CFC_KIND_TIMESTAMP;
}

static bool is_string(const target *t)
{
    return t->v->type == CFC_J_STRING;
}

static bool is_array_or_field(const target *t)
{
    return t->v->type == CFC_J_ARRAY || (t->field && t->field->kind == CFC_KIND_ID_ARRAY);
}

static bool is_type(const target *t)
{
    return t->field && t->field->kind == CFC_KIND_TYPE;
}

/* ---- edits ------------------------------------------------------------------- */

/* out = in with [a, b) replaced by text. */
static void splice(const event_view *ev, size_t a, size_t b, const char *text, size_t n)
{
    out.len = 0;
    out.nomem = false;
    put(&out, ev->in, a);
    put(&out, text, n);
    put(&out, ev->in + b, ev->len - b);
}

static void replace_value(const event_view *ev, const target *t, const char *text)
{
    splice(ev, t->v->offset, t->v->end, text, strlen(text));
}

/* The bytes of a member, from its key's opening quote to its value's end. */
static size_t member_start(const target *t)
{
    return t->v->key ? t->v->key_offset : t->v->offset;
}

/* A valid value for a field, from its kind (the table decides). */
static void write_valid(obuf *b, const cfc_field *f)
{
    static const int64_t ids[] = {1, 2, 42, 45, 2147483647, 9007199254740991};
    char tmp[64];
    switch (f ? f->kind : CFC_KIND_STRING) {
    case CFC_KIND_TYPE: {
        size_t n;
        const cfc_event_type *types = cfc_contract_types(&n);
        snprintf(tmp, sizeof tmp, "\"%s\"", types[below(n)].name);
        puts_(b, tmp);
        return;
    }
    case CFC_KIND_ID:
    case CFC_KIND_ORDINAL:
        snprintf(tmp, sizeof tmp, "%" PRId64, chance(1, 2) ? PICK(ids) : (int64_t)(1 + below(100)));
        puts_(b, tmp);
        return;
    case CFC_KIND_COUNT:
        snprintf(tmp, sizeof tmp, "%zu", below(10));
        puts_(b, tmp);
        return;
    case CFC_KIND_PERCENT:
        snprintf(tmp, sizeof tmp, "%zu", below(101));
        puts_(b, tmp);
        return;
    case CFC_KIND_NUMBER: puts_(b, chance(1, 2) ? "12.5" : "0"); return;
    case CFC_KIND_STRING:
        puts_(b, chance(1, 2) ? "\"Create API endpoint\"" : "\"caf\xC3\xA9 \\\"q\\\"\"");
        return;
    case CFC_KIND_IDENT:
    case CFC_KIND_ENUM:
        if (f && f->values) {
            size_t n = 0;
            while (f->values[n])
                n++;
            snprintf(tmp, sizeof tmp, "\"%s\"", f->values[below(n)]);
            puts_(b, tmp);
        } else {
            puts_(b, "\"backend-worker-001\"");
        }
        return;
    case CFC_KIND_ID_ARRAY: {
        size_t n = 1 + below(4);
        puts_(b, "[");
        for (size_t i = 0; i < n; i++) {
            snprintf(tmp, sizeof tmp, "%s%zu", i ? "," : "", 40 + i);
            puts_(b, tmp);
        }
        puts_(b, "]");
        return;
    }
    case CFC_KIND_OBJECT:
        puts_(b, "{");
        for (size_t i = 0; i < f->n_members; i++) {
            snprintf(tmp, sizeof tmp, "%s\"%s\":", i ? "," : "", f->members[i].name);
            puts_(b, tmp);
            write_valid(b, &f->members[i]);
        }
        puts_(b, "}");
        return;
    case CFC_KIND_TIMESTAMP: {
        char ts[25];
        int64_t ms = INT64_C(1762612245123) + (int64_t)below(100000000);
        cfc_timestamp_format(ms, ts);
        snprintf(tmp, sizeof tmp, "\"%s\"", ts);
        puts_(b, tmp);
        return;
    }
    }
}

/* ---- the contract-level mutations ---------------------------------------- */

static bool m_type(const event_view *ev)
{
    const target *t = pick(ev, is_type);
    size_t n;
    const cfc_event_type *types = cfc_contract_types(&n);
    static const char *const unknown[] = {"heartbeat", "commit_created", "Task_Blocked", ""};
    char text[64];
    snprintf(text, sizeof text, "\"%s\"", chance(1, 8) ? PICK(unknown) : types[below(n)].name);
    if (t) {
        replace_value(ev, t, text);
    } else { /* no type at all: give it one */
        char add[80];
        snprintf(add, sizeof add, "\"type\":%s%s", text, ev->root->u.kids.count ? "," : "");
        splice(ev, ev->root->offset + 1, ev->root->offset + 1, add, strlen(add));
    }
    return true;
}

static bool m_drop(const event_view *ev)
{
    const target *t = pick(ev, is_member);
    if (t == NULL)
        return false;
    const cfc_jval *m = t->v;
    if (m->next)
        splice(ev, member_start(t), m->next->key_offset, "", 0);
    else if (t->prev)
        splice(ev, t->prev->end, m->end, "", 0);
    else
        splice(ev, member_start(t), m->end, "", 0);
    return true;
}

static bool m_duplicate(const event_view *ev)
{
    const target *t = pick(ev, is_member);
    if (t == NULL)
        return false;
    obuf b = {0};
    put(&b, ",", 1);
    if (chance(1, 2)) { /* the same member again */
        put(&b, ev->in + member_start(t), t->v->end - member_start(t));
    } else { /* the same name, another value */
        put(&b, ev->in + member_start(t), t->v->offset - member_start(t));
        write_valid(&b, t->field);
    }
    if (!b.nomem)
        splice(ev, t->v->end, t->v->end, b.p, b.len);
    free(b.p);
    return !b.nomem;
}

static bool m_add(const event_view *ev)
{
    static const char *const unknown[] = {"reason", "extra", "agentId", "Type", "metadata"};
    /* Which object: the event, or a nested one. */
    const cfc_jval *obj = ev->root;
    const cfc_field *row = NULL;
    size_t n_row = 0;
    const target *t = pick(ev, is_member);
    if (t && chance(1, 2)) {
        obj = t->obj;
        row = t->row;
        n_row = t->n_row;
    } else if (ev->type) {
        row = ev->type->fields;
        n_row = ev->type->n_fields;
    }
    obuf b = {0};
    if (obj->u.kids.count)
        put(&b, ",", 1);
    const cfc_field *f = NULL;
    if (row && n_row && !chance(1, 5)) {
        /* Prefer a field the object lacks: optional branches of the decoder. */
        for (int tries = 0; tries < 8; tries++) {
            f = &row[below(n_row)];
            if (cfc_jobject_get(obj, f->name) == NULL)
                break;
        }
    }
    char key[80];
    snprintf(key, sizeof key, "\"%s\":", f ? f->name : PICK(unknown));
    puts_(&b, key);
    write_valid(&b, f);
    size_t at = obj->end - 1; /* the closing brace */
    if (!b.nomem)
        splice(ev, at, at, b.p, b.len);
    free(b.p);
    return !b.nomem;
}

static bool m_enum(const event_view *ev)
{
    const target *t = pick(ev, is_enum_like);
    if (t == NULL)
        return false;
    char v[128];
    size_t n = 0;
    while (t->field->values[n])
        n++;
    snprintf(v, sizeof v, "%s", t->field->values[below(n)]);
    switch (below(8)) {
    case 0: v[0] = (char)(v[0] >= 'a' && v[0] <= 'z' ? v[0] - 32 : v[0]); break;
    case 1:
        for (char *p = v; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        break;
    case 2:
        for (char *p = v; *p; p++)
            *p = *p == '_' ? '-' : *p;
        break;
    case 3: strncat(v, " ", sizeof v - strlen(v) - 1); break;
    case 4: v[0] = '\0'; break;
    case 5: {
        static const char *const others[] = {"done",    "success",     "working",
                                             "passed",  "timeout",     "no_tests",
                                             "offline", "in_progress", "idle"};
        snprintf(v, sizeof v, "%s", PICK(others));
        break;
    }
    default: break; /* another valid value */
    }
    char text[140];
    snprintf(text, sizeof text, "\"%s\"", v);
    replace_value(ev, t, text);
    return true;
}

static const char *const big_numbers[] = {"0",
                                          "-1",
                                          "1",
                                          "2",
                                          "100",
                                          "101",
                                          "255",
                                          "256",
                                          "-2147483648",
                                          "2147483647",
                                          "2147483648",
                                          "4294967295",
                                          "4294967296",
                                          "9007199254740991",
                                          "9007199254740992",
                                          "9223372036854775807",
                                          "9223372036854775808",
                                          "18446744073709551615",
                                          "18446744073709551616",
                                          "-9223372036854775808",
                                          "-9223372036854775809",
                                          "1e308",
                                          "1e309",
                                          "-1e309",
                                          "0.1",
                                          "99999999999999999999999999999999999999999999999999"};

static bool m_integer(const event_view *ev)
{
    const target *t = pick(ev, is_number);
    if (t == NULL)
        return false;
    replace_value(ev, t, PICK(big_numbers));
    return true;
}

static bool m_int_form(const event_view *ev)
{
    const target *t = pick(ev, is_number);
    if (t == NULL)
        return false;
    char digits[64], text[96];
    size_t n = t->v->end - t->v->offset;
    if (n >= sizeof digits)
        n = sizeof digits - 1;
    memcpy(digits, ev->in + t->v->offset, n);
    digits[n] = '\0';
    static const char *const forms[] = {"%s.0", "%se0", "%sE0", "%s.0e0", "\"%s\"", "%s.5",
                                        "-%s",  "%s0",  "0%s",  "%s.",    "-0"};
    snprintf(text, sizeof text, PICK(forms), digits);
    replace_value(ev, t, text);
    return true;
}

static bool m_timestamp(const event_view *ev)
{
    const target *t = pick(ev, is_timestamp);
    if (t == NULL)
        t = pick(ev, is_string);
    if (t == NULL)
        return false;
    static const char *const variants[] = {"\"2025-11-08T14:30:45.123456Z\"",
                                           "\"2025-11-08T14:30:45.123+00:00\"",
                                           "\"2025-02-30T14:30:45.123Z\"",
                                           "\"2025-04-31T00:00:00.000Z\"",
                                           "\"2025-11-08t14:30:45.123z\"",
                                           "\"2025-11-08 14:30:45.123Z\"",
                                           "\"2025-11-08T14:30:45Z\"",
                                           "\"2016-12-31T23:59:60.000Z\"",
                                           "\"0000-01-01T00:00:00.000Z\"",
                                           "\"9999-12-31T23:59:59.999Z\"",
                                           "\"0001-01-01T00:00:00.000Z\"",
                                           "\"2024-02-29T23:59:59.999Z\"",
                                           "\"2025-13-01T00:00:00.000Z\"",
                                           "\"2025-11-08T24:00:00.000Z\"",
                                           "\"2025-11-08\"",
                                           "\"\"",
                                           "1762612245123",
                                           "\"2025-11-08T14:30:45.123\"",
                                           "\"+12025-11-08T14:30:45.123Z\"",
                                           "\"2025-11-08T14:30:45.1Z\""};
    if (chance(1, 3)) {
        obuf b = {0};
        write_valid(&b, &(cfc_field){.name = "timestamp", .kind = CFC_KIND_TIMESTAMP});
        if (!b.nomem)
            replace_value(ev, t, b.p);
        free(b.p);
        return !b.nomem;
    }
    replace_value(ev, t, PICK(variants));
    return true;
}

/* A count that disagrees with its array (count_of, from the table): the
 * count changed, or the array. */
static bool m_count(const event_view *ev)
{
    const target *count = NULL, *array = NULL;
    for (size_t i = 0; i < ev->n; i++) {
        const target *t = &ev->t[i];
        if (t->field && t->field->count_of && t->obj)
            count = t;
    }
    if (count) {
        const cfc_jval *arr = cfc_jobject_get(count->obj, count->field->count_of);
        for (size_t i = 0; i < ev->n; i++) {
            if (ev->t[i].v == arr)
                array = &ev->t[i];
        }
    }
    if (count == NULL)
        return false;
    size_t len = array && array->v->type == CFC_J_ARRAY ? array->v->u.kids.count : 0;
    char text[64];
    if (array && array->v->type == CFC_J_ARRAY && chance(1, 3)) {
        /* The array grows, the count stays. */
        obuf b = {0};
        size_t extra = 1 + below(chance(1, 4) ? 200 : 4);
        puts_(&b, "[");
        for (size_t i = 0; i < len + extra; i++) {
            snprintf(text, sizeof text, "%s%zu", i ? "," : "", 100 + i);
            puts_(&b, text);
        }
        puts_(&b, "]");
        if (!b.nomem)
            replace_value(ev, array, b.p);
        free(b.p);
        return !b.nomem;
    }
    switch (below(4)) {
    case 0: snprintf(text, sizeof text, "%zu", len + 1 + below(3)); break;
    case 1: snprintf(text, sizeof text, "%zu", len ? len - 1 - below(len) : 1); break;
    case 2: snprintf(text, sizeof text, "%s", PICK(big_numbers)); break;
    default: snprintf(text, sizeof text, "%zu", len * 2 + 1); break;
    }
    replace_value(ev, count, text);
    return true;
}

static bool m_array(const event_view *ev, size_t max_size)
{
    const target *t = pick(ev, is_array_or_field);
    if (t == NULL)
        t = pick(ev, is_member);
    if (t == NULL)
        return false;
    obuf b = {0};
    switch (below(5)) {
    case 0: puts_(&b, "[]"); break;
    case 1: { /* huge: as many items as the size allows */
        size_t room = max_size > ev->len ? (max_size - ev->len) / 6 : 0;
        size_t n = 1 + below(room < 100000 ? room + 1 : 100000);
        puts_(&b, "[");
        char tmp[32];
        for (size_t i = 0; i < n && !b.nomem; i++) {
            snprintf(tmp, sizeof tmp, "%s%zu", i ? "," : "", 1 + i % 9999);
            puts_(&b, tmp);
        }
        puts_(&b, "]");
        break;
    }
    case 2: puts_(&b, "[42,42,42]"); break;
    case 3: puts_(&b, "[1,null,\"2\",3.5,[4],{},-1,0]"); break;
    default: puts_(&b, "[9007199254740992,-9223372036854775808,18446744073709551616]"); break;
    }
    if (!b.nomem)
        replace_value(ev, t, b.p);
    free(b.p);
    return !b.nomem;
}

static bool m_depth(const event_view *ev, size_t max_size)
{
    const target *t = pick(ev, NULL);
    if (t == NULL)
        return false;
    static const size_t depths[] = {8, 32, 62, 63, 64, 65, 100, 1000, 10000};
    size_t k = PICK(depths), room = max_size > ev->len ? (max_size - ev->len) / 7 : 0;
    if (k > room)
        k = room;
    if (k == 0)
        return false;
    bool objects = chance(1, 3);
    obuf b = {0};
    for (size_t i = 0; i < k; i++)
        puts_(&b, objects ? "{\"a\":" : "[");
    put(&b, ev->in + t->v->offset, t->v->end - t->v->offset);
    for (size_t i = 0; i < k; i++)
        puts_(&b, objects ? "}" : "]");
    if (!b.nomem)
        replace_value(ev, t, b.p);
    free(b.p);
    return !b.nomem;
}

static bool m_string(const event_view *ev, size_t max_size)
{
    const target *t = pick(ev, is_string);
    if (t == NULL)
        return false;
    static const char *const inserts[] = {"\xC0\xAF",
                                          "\xFF",
                                          "\xED\xA0\x80",
                                          "\xE2\x82",
                                          "\x80",
                                          "\xF4\x90\x80\x80",
                                          "\\ud83d",
                                          "\\ude00",
                                          "\\ud83d\\ude00",
                                          "\\u0000",
                                          "\t",
                                          "\x01",
                                          "\x1F",
                                          "\xEF\xBB\xBF",
                                          "\\\"",
                                          "\\\\",
                                          "\xF0\x9F\x98\x80",
                                          "\xE2\x80\xA8",
                                          "%s%n",
                                          "\\u00e9"};
    obuf b = {0};
    size_t open = t->v->offset, close = t->v->end - 1; /* the quotes */
    switch (below(4)) {
    case 0: /* inside, at the start or the end */
        put(&b, ev->in + open, 1);
        if (chance(1, 2))
            puts_(&b, PICK(inserts));
        put(&b, ev->in + open + 1, close - open - 1);
        if (b.len == close - open)
            puts_(&b, PICK(inserts));
        puts_(&b, "\"");
        break;
    case 1: puts_(&b, "\"\""); break;
    case 2: { /* long */
        size_t room = max_size > ev->len ? max_size - ev->len : 0;
        size_t n = 1 + below(room < 70000 ? room + 1 : 70000);
        puts_(&b, "\"");
        static const char letters[] = "abcdefghij";
        for (size_t i = 0; i < n && !b.nomem; i++)
            put(&b, &letters[i % 10], 1);
        puts_(&b, "\"");
        break;
    }
    default: {
        static const char *const whole[] = {
            "\"\xE6\x97\xA5\xE6\x9C\xAC\"", "\"\\u0000\"", "\" \"", "\"null\"", "\"0\"", "\"-1\"",
            "\"\\/\\b\\f\\n\\r\\t\""};
        puts_(&b, PICK(whole));
        break;
    }
    }
    if (!b.nomem)
        splice(ev, t->v->offset, t->v->end, b.p, b.len);
    free(b.p);
    return !b.nomem;
}

static bool m_value_type(const event_view *ev)
{
    const target *t = pick(ev, NULL);
    if (t == NULL)
        return false;
    static const char *const values[] = {"null", "true",  "false", "0",  "\"\"",       "[]",
                                         "{}",   "\"1\"", "1.5",   "-1", "{\"id\":1}", "[[]]"};
    replace_value(ev, t, PICK(values));
    return true;
}

/* A generated event instead: valid (the whole space) or breaking one rule. */
static bool m_fresh(size_t max_size, unsigned seed)
{
    if (fresh_valid == NULL) {
        cfc_gen_options v = {.seed = 1, .random_only = true};
        cfc_gen_options i = {.seed = 2, .invalid_fraction = 1};
        fresh_valid = cfc_generator_new(&v);
        fresh_invalid = cfc_generator_new(&i);
        if (fresh_valid == NULL || fresh_invalid == NULL)
            return false;
    }
    cfc_generator *g = chance(1, 2) ? fresh_valid : fresh_invalid;
    cfc_generator_reseed(g, seed);
    cfc_gen_event e;
    if (cfc_generator_next(g, &e) != 0 || e.len > max_size || e.len == 0)
        return false;
    out.len = 0;
    out.nomem = false;
    put(&out, e.text, e.len);
    return !out.nomem;
}

size_t cfc_mutate(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    if (data == NULL || max_size == 0)
        return 0;
    if (size > max_size)
        size = max_size;
    rng = seed * UINT64_C(0x2545F4914F6CDD1D) + 1;
    event_view *ev = &views[0];
    bool parsed = view(ev, (const char *)data, size);
    for (int attempt = 0; attempt < 4; attempt++) {
        bool done = false;
        cfc_mutation kind = CFC_MUT__COUNT;
        unsigned r = (unsigned)below(parsed ? 32 : 8);
        if (!parsed && r > 0) {
            break; /* not an event: bytes, mostly */
        } else if (r <= 1) {
            done = m_fresh(max_size, seed + (unsigned)attempt);
            kind = CFC_MUT_FRESH;
        } else if (r == 31) {
            break; /* bytes now and then, even for an event */
        } else {
            switch (r % 13) {
            case 0: done = m_type(ev), kind = CFC_MUT_TYPE; break;
            case 1: done = m_drop(ev), kind = CFC_MUT_DROP; break;
            case 2: done = m_duplicate(ev), kind = CFC_MUT_DUPLICATE; break;
            case 3: done = m_add(ev), kind = CFC_MUT_ADD; break;
            case 4: done = m_enum(ev), kind = CFC_MUT_ENUM; break;
            case 5: done = m_integer(ev), kind = CFC_MUT_INTEGER; break;
            case 6: done = m_int_form(ev), kind = CFC_MUT_INT_FORM; break;
            case 7: done = m_timestamp(ev), kind = CFC_MUT_TIMESTAMP; break;
            case 8: done = m_count(ev), kind = CFC_MUT_COUNT; break;
            case 9:
                kind = chance(1, 2) ? CFC_MUT_ARRAY : CFC_MUT_DEPTH;
                done = kind == CFC_MUT_ARRAY ? m_array(ev, max_size) : m_depth(ev, max_size);
                break;
            case 10: done = m_string(ev, max_size), kind = CFC_MUT_STRING; break;
            case 11: done = m_value_type(ev), kind = CFC_MUT_VALUE_TYPE; break;
            default: done = m_count(ev) || m_enum(ev), kind = CFC_MUT_COUNT; break;
            }
        }
        if (done && !out.nomem && out.len > 0 && out.len <= max_size) {
            memcpy(data, out.p, out.len);
            counts[kind]++;
            return out.len;
        }
    }
    return bytes(data, size, max_size);
}

size_t cfc_crossover(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len, uint8_t *dst,
                     size_t max_out, unsigned int seed)
{
    if (dst == NULL || max_out == 0 || (a == NULL && a_len) || (b == NULL && b_len))
        return 0;
    rng = seed * UINT64_C(0x9E3779B97F4A7C15) + 7;
    event_view *va = &views[0], *vb = &views[1];
    size_t n = 0;
    /* One parser serves both views: copy b's field and its (decoded) name
     * out before parsing a. */
    obuf field = {0};
    char keybuf[256];
    const char *key = NULL;
    size_t key_len = 0;
    if (view(vb, (const char *)b, b_len)) {
        const target *t = pick(vb, is_member);
        if (t && t->obj == vb->root && t->v->key_len < sizeof keybuf) {
            put(&field, b + member_start(t), t->v->end - member_start(t));
            memcpy(keybuf, t->v->key, t->v->key_len);
            key = keybuf;
            key_len = t->v->key_len;
        }
    }
    if (key && !field.nomem && view(va, (const char *)a, a_len)) {
        const cfc_jval *same = NULL;
        for (const cfc_jval *m = va->root->u.kids.first; m; m = m->next) {
            if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
                same = m;
        }
        if (same) { /* the member of that name takes b's */
            splice(va, same->key_offset, same->end, field.p, field.len);
        } else {
            obuf ins = {0};
            if (va->root->u.kids.count)
                put(&ins, ",", 1);
            put(&ins, field.p, field.len);
            if (!ins.nomem)
                splice(va, va->root->end - 1, va->root->end - 1, ins.p, ins.len);
            free(ins.p);
        }
        if (!out.nomem && out.len <= max_out) {
            memcpy(dst, out.p, out.len);
            n = out.len;
        }
    }
    free(field.p);
    if (n)
        return n;
    /* Not two events: a prefix of a and a suffix of b. */
    size_t pa = below(a_len + 1), sb = below(b_len + 1);
    if (pa > max_out)
        pa = max_out;
    if (b_len - sb > max_out - pa)
        sb = b_len - (max_out - pa);
    if (pa)
        memcpy(dst, a, pa);
    if (b_len - sb)
        memcpy(dst + pa, b + sb, b_len - sb);
    if (pa + (b_len - sb) == 0) { /* never an empty input */
        dst[0] = '{';
        return 1;
    }
    return pa + (b_len - sb);
}
