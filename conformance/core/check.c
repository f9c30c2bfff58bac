/* SPDX-License-Identifier: MIT */
/*
 * The checker: one event's bytes in, every finding out, in document order.
 *
 * Three layers, each reporting what the one below cannot see:
 *   1. the strict parser (json.c): G0, G2, G3, G12 depth, byte offsets;
 *   2. the shape check, driven entirely by the contract table: required and
 *      unknown fields, JSON types, integer form and range, enums, fixed
 *      values, timestamps (G4-G11, T1-T3);
 *   3. rules across fields, which the table cannot express (E).
 */
#include "cfc/check.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/contract.h"
#include "cfc/contract_rules.h"
#include "cfc/timestamp.h"
#include "checker_internal.h"
#include "json.h"

#define DEFAULT_MAX_EVENT_BYTES ((size_t)1 << 20)
#define DEFAULT_MAX_DEPTH 64
#define DEFAULT_MAX_FINDINGS 200
#define MAX_TABLE_FIELDS 16

static const cfc_rule_info catalogue[CFC_RULE_COUNT] = {
#define RULE(e, id_, sev, ref, summary_, pass, fail)                                               \
    {.rule = CFC_RULE_##e,                                                                         \
     .id = id_,                                                                                    \
     .severity = CFC_SEVERITY_##sev,                                                               \
     .reference = ref,                                                                             \
     .summary = summary_,                                                                          \
     .pass_example = pass,                                                                         \
     .fail_example = fail},
#include "cfc/rules.def"
#undef RULE
};

const cfc_rule_info *cfc_rule_get(cfc_rule rule)
{
    return (unsigned)rule < CFC_RULE_COUNT ? &catalogue[rule] : NULL;
}

const cfc_rule_info *cfc_rule_find(const char *id)
{
    for (size_t i = 0; id && i < CFC_RULE_COUNT; i++) {
        if (strcmp(catalogue[i].id, id) == 0)
            return &catalogue[i];
    }
    return NULL;
}

const char *cfc_severity_name(cfc_severity s)
{
    switch (s) {
    case CFC_SEVERITY_OFF: return "off";
    case CFC_SEVERITY_WARNING: return "warning";
    case CFC_SEVERITY_ERROR: return "error";
    }
    return "unknown";
}

typedef cfc__enum_ext enum_ext;

/* A finding while the event is being checked: texts are offsets into the
 * arena, which may move as it grows. */
typedef struct pending {
    cfc_rule rule;
    cfc_severity severity;
    size_t offset;
    size_t seq;
    size_t pointer_at, message_at;
} pending;

/* What the shape check learned about one field, for the rules across fields
 * and the stream rules (checker_internal.h). */
typedef cfc__seen seen;

struct cfc_checker {
    cfc_check_options opts;
    cfc_allocator alloc;
    cfc_severity severity[CFC_RULE_COUNT];
    enum_ext *exts;
    size_t n_exts;
    cfc_jparser *parser;
    const char *input; /* the event being checked */

    pending *pend;
    size_t n_pend, cap_pend;
    pending *pend_tmp; /* sort_pending's other half */
    size_t cap_pend_tmp;
    char *arena;
    size_t arena_len, arena_cap;
    cfc_finding *findings;
    size_t cap_findings;
    int64_t *scratch;
    size_t cap_scratch;
    bool nomem;
    cfc_event_result result;
};

/* ---- memory --------------------------------------------------------------- */

static void *libc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *libc_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    return realloc(ptr, size);
}

static void libc_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

void *cfc__checker_malloc(cfc_checker *c, size_t size)
{
    return c->alloc.malloc_fn(c->alloc.ctx, size);
}

void *cfc__checker_realloc(cfc_checker *c, void *ptr, size_t size)
{
    return c->alloc.realloc_fn(c->alloc.ctx, ptr, size);
}

void cfc__checker_free_mem(cfc_checker *c, void *ptr)
{
    if (ptr)
        c->alloc.free_fn(c->alloc.ctx, ptr);
}

cfc_jalloc cfc__checker_jalloc(const cfc_checker *c)
{
    cfc_jalloc ja = {c->alloc.malloc_fn, c->alloc.realloc_fn, c->alloc.free_fn, c->alloc.ctx};
    return ja;
}

static bool grow(cfc_checker *c, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = cfc__checker_realloc(c, *p, n * elem);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* Appends text to the arena; returns its offset, or SIZE_MAX on OOM. */
static size_t arena_put(cfc_checker *c, const char *s, size_t len)
{
    if (!grow(c, (void **)&c->arena, &c->arena_cap, c->arena_len + len + 1, 1)) {
        c->nomem = true;
        return SIZE_MAX;
    }
    size_t at = c->arena_len;
    memcpy(c->arena + at, s, len);
    c->arena[at + len] = '\0';
    c->arena_len += len + 1;
    return at;
}

/* ---- findings ------------------------------------------------------------- */

static void add_finding(cfc_checker *c, cfc_rule rule, const char *pointer, size_t offset,
                        const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void add_text_finding(cfc_checker *c, cfc_rule rule, const char *pointer, size_t offset,
                             const char *message)
{
    cfc_severity sev = c->severity[rule];
    if (sev == CFC_SEVERITY_OFF)
        return;
    if (c->opts.strict)
        sev = CFC_SEVERITY_ERROR;
    cfc_event_result *r = &c->result;
    r->by_rule[rule]++;
    if (sev == CFC_SEVERITY_ERROR)
        r->errors++;
    else
        r->warnings++;
    if (c->n_pend >= c->opts.max_findings) {
        r->n_dropped++;
        return;
    }
    if (!grow(c, (void **)&c->pend, &c->cap_pend, c->n_pend + 1, sizeof *c->pend)) {
        c->nomem = true;
        return;
    }
    size_t p = arena_put(c, pointer, strlen(pointer));
    size_t m = arena_put(c, message, strlen(message));
    if (p == SIZE_MAX || m == SIZE_MAX)
        return;
    c->pend[c->n_pend] = (pending){.rule = rule,
                                   .severity = sev,
                                   .offset = offset,
                                   .seq = c->n_pend,
                                   .pointer_at = p,
                                   .message_at = m};
    c->n_pend++;
}

static void add_finding(cfc_checker *c, cfc_rule rule, const char *pointer, size_t offset,
                        const char *fmt, ...)
{
    /* Cheap exit before formatting: disabled rules cost nothing. */
    if (c->severity[rule] == CFC_SEVERITY_OFF)
        return;
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    add_text_finding(c, rule, pointer, offset, message);
}

static int cmp_pending(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- describing values in messages ---------------------------------------- */

/* A producer's bytes, shortened and made printable: messages are read by
 * people and written into logs. */
const char *cfc__shown(char *buf, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 8 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (o > 48) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        if (ch >= 0x20 && ch < 0x7F && ch != '"' && ch != '\\')
            buf[o++] = (char)ch;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", ch);
    }
    buf[o] = '\0';
    return buf;
}

static const char *describe(const cfc_checker *c, const cfc_jval *v, char *buf, size_t cap)
{
    char tmp[96];
    switch (v->type) {
    case CFC_J_NULL: return "null";
    case CFC_J_TRUE: return "true";
    case CFC_J_FALSE: return "false";
    case CFC_J_ARRAY: return "an array";
    case CFC_J_OBJECT: return "an object";
    case CFC_J_STRING:
        snprintf(buf, cap, "the string \"%s\"",
                 cfc__shown(tmp, sizeof tmp, v->u.str.s, v->u.str.len));
        return buf;
    case CFC_J_NUMBER:
        snprintf(buf, cap, "the number %s",
                 cfc__shown(tmp, sizeof tmp, c->input + v->offset, v->end - v->offset));
        return buf;
    }
    return "?";
}

/* ---- the shape check ---------------------------------------------------- */

typedef struct path {
    char s[256];
    size_t len;
} path;

/* Called for every member of every event, so it copies only the parent's
 * bytes, and a key without '~' or '/' (all of the contract's) in one go. */
static void path_push(path *p, const char *key, size_t key_len, path *out)
{
    memcpy(out->s, p->s, p->len + 1);
    out->len = p->len;
    if (out->len + 2 >= sizeof out->s)
        return;
    out->s[out->len++] = '/';
    size_t room = sizeof out->s - out->len;
    size_t need;
    if (key_len < room && memchr(key, '~', key_len) == NULL && memchr(key, '/', key_len) == NULL) {
        memcpy(out->s + out->len, key, key_len);
        need = key_len;
    } else {
        need = cfc_jpointer_escape(out->s + out->len, room, key, key_len);
    }
    out->len = need < room ? out->len + need : sizeof out->s - 1;
    out->s[out->len] = '\0';
}

static void path_index(path *p, size_t i, path *out)
{
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", i);
    path_push(p, num, (size_t)n, out);
}

static const char *field_label(const path *p)
{
    /* "/current_task/id" reads better as "current_task.id" in a sentence. */
    return p->len ? p->s + 1 : "(event)";
}

/* A number as written, for a message (describe's text after "the number "). */
static const char *num_text(const cfc_checker *c, const cfc_jval *v, char *buf, size_t cap)
{
    return describe(c, v, buf, cap) + strlen("the number ");
}

static bool check_integer(cfc_checker *c, const cfc_field *f, const cfc_jval *v, const path *p,
                          int64_t *out)
{
    char d[128];
    const char *name = field_label(p);
    if (v->type != CFC_J_NUMBER) {
        add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset, "%s must be an integer, found %s",
                    name, describe(c, v, d, sizeof d));
        return false;
    }
    unsigned fl = v->u.num.flags;
    if (fl & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)) {
        add_finding(c, CFC_RULE_INT_FORM, p->s, v->offset,
                    "%s is %s; an integer must be written as plain digits, without a fraction or "
                    "exponent",
                    name, describe(c, v, d, sizeof d) + 11);
        return false;
    }
    if ((fl & CFC_JNUM_NEGATIVE) && (fl & CFC_JNUM_INT64) && v->u.num.i == 0) {
        add_finding(c, CFC_RULE_INT_FORM, p->s, v->offset, "%s is -0; write 0", name);
        return false;
    }
    if (!(fl & CFC_JNUM_NEGATIVE) &&
        (!(fl & CFC_JNUM_INT64) || v->u.num.i > CFC_MAX_SAFE_INTEGER)) {
        add_finding(c, CFC_RULE_INT_UNSAFE, p->s, v->offset,
                    "%s is %s, above 2^53-1 (9007199254740991): JavaScript cannot read it exactly",
                    name, describe(c, v, d, sizeof d) + 11);
        return false;
    }
    int64_t i = (fl & CFC_JNUM_INT64) ? v->u.num.i : INT64_MIN;
    switch (f->kind) {
    case CFC_KIND_ID:
        if (i < 1) {
            add_finding(c, CFC_RULE_ID_RANGE, p->s, v->offset, "%s is %s; IDs are integers >= 1",
                        name, num_text(c, v, d, sizeof d));
            return false;
        }
        break;
    case CFC_KIND_COUNT:
        if (i < 0) {
            add_finding(c, CFC_RULE_COUNT_RANGE, p->s, v->offset, "%s is %s; a count must be >= 0",
                        name, num_text(c, v, d, sizeof d));
            return false;
        }
        break;
    case CFC_KIND_ORDINAL:
        if (!cfc_kind_int_ok(f->kind, i)) {
            add_finding(c, CFC_RULE_ATTEMPT_RANGE, p->s, v->offset, "%s is %s; it must be >= 1",
                        name, num_text(c, v, d, sizeof d));
            return false;
        }
        break;
    case CFC_KIND_PERCENT:
        if (!cfc_kind_int_ok(f->kind, i)) {
            add_finding(c, CFC_RULE_PERCENT_RANGE, p->s, v->offset,
                        "%s is %s; a percentage must be in 0..100", name,
                        num_text(c, v, d, sizeof d));
            return false;
        }
        break;
    default: break;
    }
    if (!cfc_e_fixed_int_ok(f, i)) {
        add_finding(c, CFC_RULE_FIXED_VALUE, p->s, v->offset,
                    "%s is %" PRId64 "; the contract fixes it at %" PRId64, name, i, f->fixed_int);
        return false;
    }
    *out = i;
    return true;
}

static bool enum_allows(const cfc_checker *c, const cfc_field *f, const char *s, size_t len)
{
    if (cfc_field_allows(f, s, len))
        return true;
    for (size_t i = 0; i < c->n_exts; i++) {
        if (c->exts[i].field == f && c->exts[i].len == len && memcmp(c->exts[i].value, s, len) == 0)
            return true;
    }
    return false;
}

static void enum_list(const cfc_checker *c, const cfc_field *f, char *buf, size_t cap)
{
    buf[0] = '\0';
    size_t o = 0;
    for (const char *const *v = f->values; *v && o < cap; v++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? ", " : "", *v);
    for (size_t i = 0; i < c->n_exts && o < cap; i++) {
        if (c->exts[i].field == f)
            o += (size_t)snprintf(buf + o, cap - o, ", %s", c->exts[i].value);
    }
}

static bool ascii_case_equal(const char *a, size_t alen, const char *b)
{
    if (alen != strlen(b))
        return false;
    for (size_t i = 0; i < alen; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static void check_timestamp(cfc_checker *c, const cfc_jval *v, const path *p)
{
    char d[128];
    if (v->type != CFC_J_STRING) {
        add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset,
                    "timestamp must be a string like 2025-11-08T14:30:45.123Z, found %s",
                    describe(c, v, d, sizeof d));
        return;
    }
    int digits = 0;
    const char *s = v->u.str.s;
    size_t len = v->u.str.len;
    unsigned bad = cfc_timestamp_check(s, len, NULL, &digits);
    if (bad == 0)
        return;
    const char *ex =
        "the contract requires YYYY-MM-DDTHH:MM:SS.fffZ, e.g. 2025-11-08T14:30:45.123Z";
    cfc__shown(d, sizeof d, s, len);
    if (bad & CFC_TS_SHAPE)
        add_finding(c, CFC_RULE_TS_FORMAT, p->s, v->offset,
                    "timestamp \"%s\" is not a timestamp "
                    "in the contract's format; %s",
                    d, ex);
    if (bad & CFC_TS_SEPARATOR)
        add_finding(c, CFC_RULE_TS_SEPARATOR, p->s, v->offset,
                    "timestamp \"%s\" separates date and time with '%c' instead of 'T'; %s", d,
                    s[10] >= 0x20 && s[10] < 0x7F ? s[10] : '?', ex);
    if (bad & CFC_TS_LOWERCASE)
        add_finding(c, CFC_RULE_TS_CASE, p->s, v->offset,
                    "timestamp \"%s\" has a lower-case 't' or 'z'; %s", d, ex);
    if (bad & CFC_TS_NO_FRACTION)
        add_finding(c, CFC_RULE_TS_FRACTION, p->s, v->offset,
                    "timestamp \"%s\" has no fractional seconds; expected exactly 3 digits, "
                    "in the form 2025-11-08T14:30:45.123Z",
                    d);
    if (bad & CFC_TS_FRACTION)
        add_finding(c, CFC_RULE_TS_FRACTION, p->s, v->offset,
                    "timestamp \"%s\" has %d fractional digits%s; expected exactly 3, in the "
                    "form 2025-11-08T14:30:45.123Z",
                    d, digits, digits == 6 ? " (Python isoformat?)" : "");
    if (bad & CFC_TS_OFFSET)
        add_finding(c, CFC_RULE_TS_ZONE, p->s, v->offset,
                    "timestamp \"%s\" has a UTC offset instead of 'Z'%s; %s", d,
                    strstr(d, "+00:00") ? " (Python isoformat on an aware datetime?)" : "", ex);
    if (bad & CFC_TS_NO_ZONE)
        add_finding(c, CFC_RULE_TS_ZONE, p->s, v->offset,
                    "timestamp \"%s\" has no zone designator; it must end in 'Z' (UTC)", d);
    if (bad & CFC_TS_RANGE)
        add_finding(c, CFC_RULE_TS_RANGE, p->s, v->offset,
                    "timestamp \"%s\" is not a real instant: month 01-12, a day that month has, "
                    "hour 00-23, minute and second 00-59, year 0001-9999",
                    d);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void check_members(cfc_checker *c, const cfc_jval *obj, const cfc_field *fields, size_t n,
                          const path *p, seen *out, const char *owner, bool known);

static void check_id_array(cfc_checker *c, const cfc_field *f, const cfc_jval *v, const path *p,
                           seen *s)
{
    char d[128];
    if (v->type != CFC_J_ARRAY) {
        add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset, "%s must be an array of IDs, found %s",
                    field_label(p), describe(c, v, d, sizeof d));
        return;
    }
    size_t n = v->u.kids.count;
    s->i = (int64_t)n;
    if (!cfc_e_blockers_present(n)) {
        add_finding(c, CFC_RULE_BLOCKED_BY_EMPTY, p->s, v->offset,
                    "%s is empty; a blocked task lists at least one blocker", field_label(p));
        return;
    }
    if (!grow(c, (void **)&c->scratch, &c->cap_scratch, n, sizeof *c->scratch)) {
        c->nomem = true;
        return;
    }
    /* Items are IDs: the array's own kind says so, not the table row. */
    static const cfc_field item_field = {.name = "", .kind = CFC_KIND_ID, .required = true};
    (void)f;
    size_t k = 0, valid = 0;
    for (const cfc_jval *item = v->u.kids.first; item; item = item->next, k++) {
        path ip;
        path_index((path *)p, k, &ip);
        int64_t id;
        if (item->type == CFC_J_NULL)
            add_finding(c, CFC_RULE_NULL_VALUE, ip.s, item->offset,
                        "%s is null; it must be a task ID", field_label(&ip));
        else if (check_integer(c, &item_field, item, &ip, &id))
            c->scratch[valid++] = id;
    }
    /* Sorting finds duplicates in n log n, whatever the array's size. */
    if (valid > 1)
        qsort(c->scratch, valid, sizeof *c->scratch, cmp_i64);
    for (size_t i = 1; i < valid; i++) {
        if (cfc_e_sorted_id_repeats(c->scratch, i))
            add_finding(c, CFC_RULE_BLOCKED_BY_DUPLICATE, p->s, v->offset,
                        "%s lists task %" PRId64 " more than once", field_label(p), c->scratch[i]);
    }
    s->ok = valid == n;
}

static void check_value(cfc_checker *c, const cfc_field *f, const cfc_jval *v, const path *p,
                        seen *s, const char *owner)
{
    char d[128], list[256];
    const char *name = field_label(p);
    s->v = v;
    if (v->type == CFC_J_NULL) {
        add_finding(c, CFC_RULE_NULL_VALUE, p->s, v->offset,
                    "%s is null; an optional field without a value must be absent, and a "
                    "required one needs a value",
                    name);
        return;
    }
    switch (f->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT: s->ok = check_integer(c, f, v, p, &s->i); return;
    case CFC_KIND_NUMBER:
        if (v->type != CFC_J_NUMBER) {
            add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset, "%s must be a number, found %s",
                        name, describe(c, v, d, sizeof d));
        } else if (!cfc_e_duration_ok(v->u.num.d)) {
            add_finding(c, CFC_RULE_DURATION_RANGE, p->s, v->offset,
                        "%s is %s; it must be a finite number of seconds >= 0", name,
                        describe(c, v, d, sizeof d) + 11);
        } else {
            s->ok = true;
            s->d = v->u.num.d;
        }
        return;
    case CFC_KIND_TIMESTAMP: check_timestamp(c, v, p); return;
    case CFC_KIND_ID_ARRAY: check_id_array(c, f, v, p, s); return;
    case CFC_KIND_OBJECT:
        if (v->type != CFC_J_OBJECT) {
            add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset, "%s must be an object, found %s",
                        name, describe(c, v, d, sizeof d));
            return;
        }
        {
            seen members[MAX_TABLE_FIELDS] = {{0}};
            check_members(c, v, f->members, f->n_members, p, members, owner, true);
        }
        s->ok = true;
        return;
    case CFC_KIND_TYPE:
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT:
    case CFC_KIND_ENUM: break;
    }
    if (v->type != CFC_J_STRING) {
        add_finding(c, CFC_RULE_WRONG_TYPE, p->s, v->offset, "%s must be a string, found %s", name,
                    describe(c, v, d, sizeof d));
        return;
    }
    const char *str = v->u.str.s;
    size_t len = v->u.str.len;
    if ((f->kind == CFC_KIND_IDENT || f->kind == CFC_KIND_TYPE) && len == 0) {
        add_finding(c, CFC_RULE_EMPTY_STRING, p->s, v->offset,
                    "%s is empty; it must be a "
                    "non-empty string",
                    name);
        return;
    }
    if (f->fixed_string) {
        if (!cfc_e_fixed_string_ok(f, str, len)) {
            add_finding(c, CFC_RULE_FIXED_VALUE, p->s, v->offset,
                        "%s is \"%s\"; %s always has \"%s\"", name,
                        cfc__shown(d, sizeof d, str, len), owner, f->fixed_string);
            return;
        }
    } else if (f->kind == CFC_KIND_ENUM && !enum_allows(c, f, str, len)) {
        const char *hint = "";
        for (const char *const *e = f->values; *e; e++) {
            if (ascii_case_equal(str, len, *e))
                hint = " (values are case-sensitive)";
        }
        enum_list(c, f, list, sizeof list);
        add_finding(c, CFC_RULE_ENUM_VALUE, p->s, v->offset, "%s is \"%s\"; expected one of: %s%s",
                    name, cfc__shown(d, sizeof d, str, len), list, hint);
        return;
    }
    s->ok = true;
}

static void check_members(cfc_checker *c, const cfc_jval *obj, const cfc_field *fields, size_t n,
                          const path *p, seen *out, const char *owner, bool known)
{
    size_t next = 0; /* producers mostly send fields in table order: try that one first */
    for (const cfc_jval *m = obj->u.kids.first; m; m = m->next) {
        size_t idx = n;
        for (size_t k = 0; k < n; k++) {
            size_t i = next + k < n ? next + k : next + k - n;
            if (strlen(fields[i].name) == m->key_len &&
                memcmp(fields[i].name, m->key, m->key_len) == 0) {
                idx = i;
                next = i + 1;
                break;
            }
        }
        path mp;
        path_push((path *)p, m->key, m->key_len, &mp);
        if (idx == n) {
            if (known) {
                char d[96];
                add_finding(c, CFC_RULE_UNKNOWN_FIELD, mp.s, m->key_offset,
                            "unknown field \"%s\" in %s: the contract does not define it",
                            cfc__shown(d, sizeof d, m->key, m->key_len), owner);
            }
            continue;
        }
        if (out[idx].v != NULL)
            continue; /* a duplicate: reported by the parser; the first one counts */
        if (fields[idx].kind == CFC_KIND_TYPE) {
            out[idx].v = m; /* checked by the caller, before the table was known */
            continue;
        }
        check_value(c, &fields[idx], m, &mp, &out[idx], owner);
    }
    for (size_t i = 0; i < n; i++) {
        if (fields[i].required && out[i].v == NULL && fields[i].kind != CFC_KIND_TYPE) {
            path mp;
            path_push((path *)p, fields[i].name, strlen(fields[i].name), &mp);
            add_finding(c, CFC_RULE_MISSING_FIELD, mp.s, obj->end ? obj->end - 1 : 0,
                        "%s requires the field \"%s\" (%s), which is missing", owner,
                        fields[i].name, cfc_kind_name(fields[i].kind));
        }
    }
}

/* ---- rules across fields (E) ------------------------------------------- */

static const seen *field_seen(const cfc_event_type *t, const seen *s, const char *name)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        if (strcmp(t->fields[i].name, name) == 0)
            return &s[i];
    }
    return NULL;
}

/* A checked string field as the (bytes, len) the E-rule predicates take. */
#define SV(f) (f)->v->u.str.s, (f)->v->u.str.len

static void check_across(cfc_checker *c, const cfc_event_type *t, const seen *s)
{
    /* count_of: a count that must equal an array's length, from the table. */
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        const seen *arr = f->count_of ? field_seen(t, s, f->count_of) : NULL;
        if (arr && s[i].ok && arr->v && arr->v->type == CFC_J_ARRAY &&
            !cfc_e_count_matches(s[i].i, arr->v->u.kids.count)) {
            char p[80];
            snprintf(p, sizeof p, "/%s", f->name);
            add_finding(c, CFC_RULE_BLOCKED_COUNT, p, s[i].v->offset,
                        "%s is %" PRId64 " but %s has %zu item%s", f->name, s[i].i, f->count_of,
                        arr->v->u.kids.count, arr->v->u.kids.count == 1 ? "" : "s");
        }
    }

    const seen *status = field_seen(t, s, "status");
    const seen *task = field_seen(t, s, "task_id");
    switch (t->id) {
    case CFC_EV_AGENT_STATUS_CHANGED: {
        const seen *ct = field_seen(t, s, "current_task");
        if (ct->v && status->ok && !cfc_e_current_task_allowed(SV(status)))
            add_finding(c, CFC_RULE_CURRENT_TASK_STATUS, "/current_task", ct->v->offset,
                        "current_task is present but status is \"%s\"; it belongs only to "
                        "status \"working\"",
                        status->v->u.str.s);
        break;
    }
    case CFC_EV_TASK_STATUS_CHANGED: {
        const seen *pr = field_seen(t, s, "progress");
        int64_t want;
        if (pr->ok && status->ok && !cfc_e_progress_fits_status(SV(status), pr->i, &want))
            add_finding(c, CFC_RULE_PROGRESS_STATUS, "/progress", pr->v->offset,
                        "progress is %" PRId64 " but status is \"%s\" (expected %" PRId64 ")",
                        pr->i, status->v->u.str.s, want);
        break;
    }
    case CFC_EV_TASK_BLOCKED: {
        const seen *by = field_seen(t, s, "blocked_by");
        if (task->ok && by->v && by->v->type == CFC_J_ARRAY) {
            size_t k = 0;
            for (const cfc_jval *item = by->v->u.kids.first; item; item = item->next, k++) {
                if (item->type == CFC_J_NUMBER && (item->u.num.flags & CFC_JNUM_INT64) &&
                    !(item->u.num.flags & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)) &&
                    cfc_e_blocker_is_self(task->i, item->u.num.i)) {
                    char p[48];
                    snprintf(p, sizeof p, "/blocked_by/%zu", k);
                    add_finding(c, CFC_RULE_BLOCKED_BY_SELF, p, item->offset,
                                "blocked_by lists the task itself (%" PRId64 ")", task->i);
                }
            }
        }
        break;
    }
    case CFC_EV_TASK_UNBLOCKED: {
        const seen *by = field_seen(t, s, "unblocked_by");
        if (task->ok && by->ok && cfc_e_blocker_is_self(task->i, by->i))
            add_finding(c, CFC_RULE_UNBLOCKED_BY_SELF, "/unblocked_by", by->v->offset,
                        "unblocked_by is the task itself (%" PRId64 ")", task->i);
        break;
    }
    case CFC_EV_TEST_RESULT: {
        const seen *pa = field_seen(t, s, "passed"), *fa = field_seen(t, s, "failed"),
                   *er = field_seen(t, s, "errors");
        if (!status->ok)
            break;
        if (fa->ok && er->ok && cfc_e_test_passed_with_failures(SV(status), fa->i, er->i))
            add_finding(c, CFC_RULE_TEST_PASSED_FAILURES, "/status", status->v->offset,
                        "status is \"passed\" but failed is %" PRId64 " and errors is %" PRId64,
                        fa->i, er->i);
        if (fa->ok && er->ok && cfc_e_test_failed_without_failures(SV(status), fa->i, er->i))
            add_finding(c, CFC_RULE_TEST_FAILED_NO_FAILURES, "/status", status->v->offset,
                        "status is \"failed\" but failed and errors are both 0");
        if (pa->ok && fa->ok && er->ok &&
            cfc_e_test_no_tests_with_counts(SV(status), pa->i, fa->i, er->i))
            add_finding(c, CFC_RULE_TEST_NO_TESTS_COUNTS, "/status", status->v->offset,
                        "status is \"no_tests\" but passed + failed + errors is %" PRId64,
                        pa->i + fa->i + er->i);
        break;
    }
    case CFC_EV_CORRECTION_ATTEMPT: {
        const seen *an = field_seen(t, s, "attempt_number"), *mx = field_seen(t, s, "max_attempts");
        const seen *sum = field_seen(t, s, "error_summary");
        if (an->ok && mx->ok && !cfc_e_attempt_within(an->i, mx->i))
            add_finding(c, CFC_RULE_ATTEMPT_RANGE, "/attempt_number", an->v->offset,
                        "attempt_number is %" PRId64 " but max_attempts is %" PRId64, an->i, mx->i);
        if (sum->ok && status->ok && !cfc_e_summary_allowed(SV(status)))
            add_finding(c, CFC_RULE_SUMMARY_NOT_FAILED, "/error_summary", sum->v->offset,
                        "error_summary is present but status is \"%s\" (only failed attempts "
                        "have one)",
                        status->v->u.str.s);
        break;
    }
    case CFC_EV_PROGRESS_UPDATE: {
        const seen *done = field_seen(t, s, "completed"), *total = field_seen(t, s, "total");
        const seen *pct = field_seen(t, s, "percentage");
        if (!done->ok || !total->ok)
            break;
        if (!cfc_e_completed_within_total(done->i, total->i)) {
            add_finding(c, CFC_RULE_COMPLETED_EXCEEDS_TOTAL, "/completed", done->v->offset,
                        "completed (%" PRId64 ") is greater than total (%" PRId64 ")", done->i,
                        total->i);
            break;
        }
        if (!pct->ok)
            break;
        if (total->i == 0) {
            if (pct->i != 0)
                add_finding(c, CFC_RULE_PERCENTAGE_MISMATCH, "/percentage", pct->v->offset,
                            "percentage is %" PRId64 " but total is 0 (expected 0)", pct->i);
            break;
        }
        int64_t lo, hi;
        cfc_e_percentage_readings(done->i, total->i, &lo, &hi);
        if (!cfc_e_percentage_ok(done->i, total->i, pct->i) && lo == hi)
            add_finding(c, CFC_RULE_PERCENTAGE_MISMATCH, "/percentage", pct->v->offset,
                        "percentage is %" PRId64 " but %" PRId64 "/%" PRId64 " is %" PRId64, pct->i,
                        done->i, total->i, lo);
        else if (!cfc_e_percentage_ok(done->i, total->i, pct->i))
            add_finding(c, CFC_RULE_PERCENTAGE_MISMATCH, "/percentage", pct->v->offset,
                        "percentage is %" PRId64 " but %" PRId64 "/%" PRId64 " is %" PRId64
                        " or %" PRId64 " (floor or rounded)",
                        pct->i, done->i, total->i, lo, hi);
        break;
    }
    default: break;
    }
}

/* ---- one event ------------------------------------------------------------ */

static cfc_rule rule_of(cfc_jdiag_code code)
{
    switch (code) {
    case CFC_JD_SYNTAX: return CFC_RULE_JSON_SYNTAX;
    case CFC_JD_DEPTH: return CFC_RULE_TOO_DEEP;
    case CFC_JD_NUL: return CFC_RULE_NUL_BYTE;
    case CFC_JD_BOM: return CFC_RULE_UTF8_BOM;
    case CFC_JD_UTF8: return CFC_RULE_UTF8_INVALID;
    case CFC_JD_CONTROL: return CFC_RULE_CONTROL_CHAR;
    case CFC_JD_LONE_SURROGATE: return CFC_RULE_LONE_SURROGATE;
    case CFC_JD_NUL_ESCAPE: return CFC_RULE_NUL_ESCAPE;
    case CFC_JD_DUPLICATE_KEY: return CFC_RULE_DUPLICATE_KEY;
    case CFC_JD__COUNT: break;
    }
    return CFC_RULE_JSON_SYNTAX;
}

static void begin(cfc_checker *c)
{
    memset(&c->result, 0, sizeof c->result);
    c->n_pend = 0;
    c->arena_len = 0;
    c->nomem = false;
}

/* Puts the pending findings in cmp_pending's order: a merge sort, bottom
 * up, through a buffer the checker keeps. qsort would do, but glibc's
 * allocates a temporary copy for anything over 1 KiB (26 findings), once
 * per event. Findings mostly come in order already: one pass finds that. */
static bool sort_pending(cfc_checker *c)
{
    size_t n = c->n_pend;
    size_t i = 1;
    while (i < n && cmp_pending(&c->pend[i - 1], &c->pend[i]) < 0)
        i++;
    if (i >= n)
        return true;
    if (!grow(c, (void **)&c->pend_tmp, &c->cap_pend_tmp, n, sizeof *c->pend))
        return false;
    pending *from = c->pend, *to = c->pend_tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = n - lo > width ? lo + width : n;
            size_t hi = n - mid > width ? mid + width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                to[k++] = cmp_pending(&from[b], &from[a]) < 0 ? from[b++] : from[a++];
            while (a < mid)
                to[k++] = from[a++];
            while (b < hi)
                to[k++] = from[b++];
        }
        pending *t = from;
        from = to;
        to = t;
    }
    if (from != c->pend)
        memcpy(c->pend, from, n * sizeof *c->pend);
    return true;
}

static cfc_check_status finish(cfc_checker *c, const cfc_event_result **result)
{
    if (c->nomem)
        return CFC_CHECK_NOMEM;
    if (!grow(c, (void **)&c->findings, &c->cap_findings, c->n_pend, sizeof *c->findings))
        return CFC_CHECK_NOMEM;
    if (!sort_pending(c))
        return CFC_CHECK_NOMEM;
    for (size_t i = 0; i < c->n_pend; i++) {
        const pending *p = &c->pend[i];
        c->findings[i] = (cfc_finding){.rule = p->rule,
                                       .severity = p->severity,
                                       .pointer = c->arena + p->pointer_at,
                                       .offset = p->offset,
                                       .message = c->arena + p->message_at};
    }
    c->result.findings = c->findings;
    c->result.n_findings = c->n_pend;
    if (result)
        *result = &c->result;
    return CFC_CHECK_OK;
}

cfc_check_status cfc__check_clean_event(cfc_checker *c, const char *type, size_t type_len,
                                        void (*add)(void *ctx), void *ctx,
                                        const cfc_event_result **result)
{
    begin(c);
    c->input = "";
    c->result.type = type;
    c->result.type_len = type_len;
    add(ctx);
    return finish(c, result);
}

cfc_check_status cfc_check_oversized(cfc_checker *c, size_t len, const cfc_event_result **result)
{
    begin(c);
    add_finding(c, CFC_RULE_TOO_LARGE, "", 0,
                "the event is %zu bytes, over the maximum event size of %zu bytes; it was not "
                "checked (raise it with --max-event-bytes)",
                len, c->opts.max_event_bytes);
    return finish(c, result);
}

cfc_check_status cfc_check_frame_fault(cfc_checker *c, cfc_frame_fault fault, size_t len,
                                       const cfc_event_result **result)
{
    if (c == NULL)
        return CFC_CHECK_IO;
    begin(c);
    if (fault == CFC_FRAME_BINARY)
        add_finding(c, CFC_RULE_TEXT_FRAME, "", 0,
                    "a binary frame (%zu bytes): events travel as text frames; it was not checked",
                    len);
    else
        add_finding(c, CFC_RULE_TEXT_FRAME, "", 0,
                    "the connection ended %zu bytes into a fragmented message, before its final "
                    "frame; it was not checked",
                    len);
    return finish(c, result);
}

cfc_check_status cfc_check_protocol_fault(cfc_checker *c, const char *what,
                                          const cfc_event_result **result)
{
    if (c == NULL || what == NULL)
        return CFC_CHECK_IO;
    begin(c);
    add_finding(c, CFC_RULE_WS_PROTOCOL, "", 0,
                "the server broke the WebSocket protocol: it sent %s; the connection was failed "
                "there (close code 1002) and nothing after it was read",
                what);
    return finish(c, result);
}

cfc_check_status cfc_check_event(cfc_checker *c, const char *bytes, size_t len,
                                 const cfc_event_result **result)
{
    return cfc__check_event_hooked(c, bytes, len, NULL, NULL, result);
}

void cfc__checker_add_finding(cfc_checker *c, cfc_rule rule, const char *pointer, size_t offset,
                              const char *message)
{
    add_text_finding(c, rule, pointer, offset, message);
}

bool cfc__checker_rule_on(const cfc_checker *c, cfc_rule rule)
{
    return c->severity[rule] != CFC_SEVERITY_OFF;
}

bool cfc__checker_value_clean(const cfc_checker *c, const cfc_jval *v)
{
    if (v == NULL || c->result.n_dropped > 0)
        return false;
    for (size_t i = 0; i < c->n_pend; i++) {
        if (c->pend[i].offset >= v->offset && c->pend[i].offset < v->end)
            return false;
    }
    return true;
}

cfc_check_status cfc__check_event_hooked(cfc_checker *c, const char *bytes, size_t len,
                                         cfc__event_hook hook, void *ctx,
                                         const cfc_event_result **result)
{
    if (c == NULL || (bytes == NULL && len > 0))
        return CFC_CHECK_IO;
    if (len > c->opts.max_event_bytes)
        return cfc_check_oversized(c, len, result);
    begin(c);
    c->input = bytes ? bytes : "";

    cfc_jval *root = NULL;
    const cfc_jdiag *diags = NULL;
    size_t n_diags = 0, dropped = 0;
    /* The parser stores no more diagnostics than we may keep findings, and
     * counts the rest by kind, so by_rule stays exact and memory small. */
    cfc_jparse_opts po = {.max_depth = c->opts.max_depth, .max_diags = c->opts.max_findings};
    if (cfc_jparse(c->parser, c->input, len, &po, &root, &diags, &n_diags, &dropped) != 0)
        return CFC_CHECK_NOMEM;
    for (size_t i = 0; i < n_diags; i++)
        add_text_finding(c, rule_of(diags[i].code), diags[i].pointer, diags[i].offset,
                         diags[i].message);
    for (int code = 0; code < CFC_JD__COUNT; code++) {
        size_t n = cfc_jparser_dropped(c->parser, (cfc_jdiag_code)code);
        cfc_rule rule = rule_of((cfc_jdiag_code)code);
        if (n == 0 || c->severity[rule] == CFC_SEVERITY_OFF)
            continue;
        c->result.by_rule[rule] += (uint32_t)n;
        c->result.n_dropped += n;
        if (c->opts.strict || c->severity[rule] == CFC_SEVERITY_ERROR)
            c->result.errors += n;
        else
            c->result.warnings += n;
    }
    (void)dropped;
    if (root == NULL)
        return finish(c, result);

    path top = {.s = "", .len = 0};
    char d[128];
    if (root->type != CFC_J_OBJECT) {
        add_finding(c, CFC_RULE_NOT_OBJECT, "", root->offset,
                    "an event must be a JSON object, found %s", describe(c, root, d, sizeof d));
        return finish(c, result);
    }

    /* The type decides which table row applies; without a usable type only
     * the base fields are checked (G10). */
    size_t nb;
    const cfc_field *base = cfc_contract_base_fields(&nb);
    const cfc_event_type *t = NULL;
    const cfc_jval *tv = cfc_jobject_get(root, "type");
    if (tv == NULL) {
        add_finding(c, CFC_RULE_MISSING_FIELD, "/type", root->end ? root->end - 1 : 0,
                    "the event has no \"type\" field; only project_id and timestamp were checked");
    } else if (tv->type == CFC_J_NULL) {
        add_finding(c, CFC_RULE_NULL_VALUE, "/type", tv->offset,
                    "type is null; it must name "
                    "the event type");
    } else if (tv->type != CFC_J_STRING) {
        add_finding(c, CFC_RULE_WRONG_TYPE, "/type", tv->offset, "type must be a string, found %s",
                    describe(c, tv, d, sizeof d));
    } else {
        c->result.type = tv->u.str.s;
        c->result.type_len = tv->u.str.len;
        if (tv->u.str.len == 0) {
            add_finding(c, CFC_RULE_EMPTY_STRING, "/type", tv->offset,
                        "type is empty; it must name the event type");
        } else {
            t = cfc_contract_find(tv->u.str.s, tv->u.str.len);
            if (t == NULL)
                add_finding(c, CFC_RULE_UNKNOWN_TYPE, "/type", tv->offset,
                            "unknown event type \"%s\"; only type, project_id and timestamp "
                            "were checked",
                            cfc__shown(d, sizeof d, tv->u.str.s, tv->u.str.len));
        }
    }

    seen s[MAX_TABLE_FIELDS];
    memset(s, 0, sizeof s);
    if (t) {
        check_members(c, root, t->fields, t->n_fields, &top, s, t->name, true);
        check_across(c, t, s);
    } else {
        check_members(c, root, base, nb, &top, s, "every event", false);
    }
    if (hook)
        hook(ctx, c, t, t ? t->fields : base, s, t ? t->n_fields : nb);
    return finish(c, result);
}

/* ---- the checker ------------------------------------------------------- */

static void apply_defaults(cfc_check_options *o)
{
    if (o->max_event_bytes == 0)
        o->max_event_bytes = DEFAULT_MAX_EVENT_BYTES;
    if (o->max_depth == 0)
        o->max_depth = DEFAULT_MAX_DEPTH;
    if (o->max_findings == 0)
        o->max_findings = DEFAULT_MAX_FINDINGS;
}

cfc_checker *cfc_checker_new(const cfc_check_options *opts)
{
    cfc_allocator a = {libc_malloc, libc_realloc, libc_free, NULL};
    if (opts && opts->alloc)
        a = *opts->alloc;
    cfc_checker *c = a.malloc_fn(a.ctx, sizeof *c);
    if (c == NULL)
        return NULL;
    memset(c, 0, sizeof *c);
    c->alloc = a;
    if (opts)
        c->opts = *opts;
    c->opts.alloc = NULL;
    apply_defaults(&c->opts);
    for (size_t i = 0; i < CFC_RULE_COUNT; i++)
        c->severity[i] = catalogue[i].severity;
    cfc_jalloc ja = cfc__checker_jalloc(c);
    c->parser = cfc_jparser_new_with_alloc(&ja);
    if (c->parser == NULL) {
        a.free_fn(a.ctx, c);
        return NULL;
    }
    return c;
}

static void free_exts(cfc_checker *c, enum_ext *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cfc__checker_free_mem(c, e[i].value);
    cfc__checker_free_mem(c, e);
}

void cfc_checker_free(cfc_checker *c)
{
    if (c == NULL)
        return;
    cfc_jparser_free(c->parser);
    free_exts(c, c->exts, c->n_exts);
    cfc__checker_free_mem(c, c->pend);
    cfc__checker_free_mem(c, c->pend_tmp);
    cfc__checker_free_mem(c, c->arena);
    cfc__checker_free_mem(c, c->findings);
    cfc__checker_free_mem(c, c->scratch);
    cfc_allocator a = c->alloc;
    a.free_fn(a.ctx, c);
}

void cfc_checker_set_limits(cfc_checker *c, size_t max_event_bytes, unsigned max_depth)
{
    if (c && max_event_bytes)
        c->opts.max_event_bytes = max_event_bytes;
    if (c && max_depth)
        c->opts.max_depth = max_depth;
}

size_t cfc_checker_max_event_bytes(const cfc_checker *c)
{
    return c ? c->opts.max_event_bytes : DEFAULT_MAX_EVENT_BYTES;
}

void cfc__checker_set_config(cfc_checker *c, const cfc_severity *severity, cfc__enum_ext *exts,
                             size_t n_exts, size_t max_event_bytes, unsigned max_depth)
{
    memcpy(c->severity, severity, sizeof c->severity);
    free_exts(c, c->exts, c->n_exts);
    c->exts = exts;
    c->n_exts = n_exts;
    cfc_checker_set_limits(c, max_event_bytes, max_depth);
}

void cfc__enum_exts_free(cfc_checker *c, cfc__enum_ext *exts, size_t n)
{
    free_exts(c, exts, n);
}

const cfc_severity *cfc__checker_severity(const cfc_checker *c)
{
    return c->severity;
}

cfc_jparser *cfc__checker_parser(cfc_checker *c)
{
    return c->parser;
}

/* ---- prepared events (checking on several threads) ---------------------- */

struct cfc__block {
    cfc__block *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
};

#define BLOCK_BYTES ((size_t)64 << 10)

void *cfc__blocks_alloc(cfc__blocks *b, size_t size)
{
    size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    cfc__block *h = b->head;
    if (h == NULL || h->cap - h->used < size) {
        if (size <= BLOCK_BYTES && b->spare != NULL) {
            h = b->spare;
            b->spare = h->next;
        } else {
            size_t cap = size > BLOCK_BYTES ? size : BLOCK_BYTES;
            h = malloc(sizeof *h + cap);
            if (h == NULL)
                return NULL;
            h->cap = cap;
        }
        h->used = 0;
        h->next = b->head;
        b->head = h;
    }
    void *p = (char *)h->data + h->used;
    h->used += size;
    return p;
}

void cfc__blocks_reset(cfc__blocks *b)
{
    /* Blocks of the usual size are kept for reuse: a steady run allocates
     * nothing. One made for a large value goes. */
    while (b->head != NULL) {
        cfc__block *h = b->head;
        b->head = h->next;
        if (h->cap == BLOCK_BYTES) {
            h->next = b->spare;
            b->spare = h;
        } else {
            free(h);
        }
    }
}

void cfc__blocks_free(cfc__blocks *b)
{
    cfc__blocks_reset(b);
    while (b->spare != NULL) {
        cfc__block *h = b->spare;
        b->spare = h->next;
        free(h);
    }
}
