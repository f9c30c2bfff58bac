/* SPDX-License-Identifier: MIT */
/*
 * The typed decoder, and the glue that encodes a typed event with the
 * reference broadcasters.
 *
 * Decoding is the checker plus one step. cfc__check_event_hooked runs the
 * whole check (strict parser, table, rules) and hands this file, through
 * its hook, the parsed document's value for every field of the event's
 * table row -- the very values the rules looked at. When the result has no
 * error, the typed value is built from those values by walking the contract
 * table and the generated slot map (event_map.c): no field is named here,
 * and no rule is checked a second time. What the typing step does check is
 * only whether a value fits its C type, which matters when a configuration
 * has switched a rule off (CFC_DECODE_UNTYPED).
 *
 * A decoded event is one allocation from the checker's allocator: a header
 * remembering that allocator, the cfc_event, then its strings and arrays.
 */
#include "cfc/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/timestamp.h"
#include "checker_internal.h"
#include "event_map.h"
#include "json.h"

const char *cfc_decode_status_name(cfc_decode_status s)
{
    switch (s) {
    case CFC_DECODE_OK: return "ok";
    case CFC_DECODE_INVALID: return "invalid";
    case CFC_DECODE_UNKNOWN_TYPE: return "unknown-type";
    case CFC_DECODE_UNTYPED: return "untyped";
    case CFC_DECODE_NOMEM: return "nomem";
    case CFC_DECODE_BAD_ARG: return "bad-arg";
    }
    return "unknown";
}

/* ---- typing a parsed event ---------------------------------------------- */

typedef struct captured {
    const cfc_event_type *type;
    const cfc_jval *values[CFC__MAX_FIELDS];
} captured;

static void capture(void *ctx, cfc_checker *c, const cfc_event_type *t, const cfc_field *fields,
                    const cfc__seen *seen, size_t n_fields)
{
    (void)c;
    (void)fields;
    captured *cap = ctx;
    cap->type = t;
    for (size_t i = 0; i < n_fields && i < CFC__MAX_FIELDS; i++)
        cap->values[i] = seen[i].v;
}

typedef struct holder {
    cfc_jalloc alloc;
    cfc_event event;
} holder;

/* The typing pass runs twice: first to measure (out == NULL), then to fill. */
typedef struct builder {
    char *out; /* the data area being filled, NULL while measuring */
    size_t used;
} builder;

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static void *take(builder *b, size_t size)
{
    size_t at = align8(b->used);
    b->used = at + size;
    return b->out ? b->out + at : NULL;
}

static bool exact_int(const cfc_jval *v, int64_t *out)
{
    if (v == NULL || v->type != CFC_J_NUMBER || !(v->u.num.flags & CFC_JNUM_INT64) ||
        (v->u.num.flags & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)))
        return false;
    *out = v->u.num.i;
    return true;
}

static bool put_value(builder *b, const cfc_field *f, const cfc__slot *slot, const cfc_jval *v,
                      char *base);

/* Fields of one object (the event, or a nested object), in table order.
 * values[i] is field i's value or NULL when absent. */
static bool put_fields(builder *b, const cfc_field *fields, const cfc__slot *slots, size_t n,
                       const cfc_jval *const *values, char *base)
{
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        if (f->kind == CFC_KIND_TYPE)
            continue; /* the caller sets cfc_event.type from the table row */
        bool present = values[i] != NULL;
        if (!present && f->required)
            return false; /* missing-field switched off */
        if (base && slots[i].has != CFC__NO_FLAG)
            *(bool *)(base + slots[i].has) = present;
        if (present && !put_value(b, f, &slots[i], values[i], base))
            return false;
    }
    return true;
}

static bool put_value(builder *b, const cfc_field *f, const cfc__slot *slot, const cfc_jval *v,
                      char *base)
{
    char *at = base ? base + slot->off : NULL;
    switch (f->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT: {
        int64_t i;
        if (!exact_int(v, &i))
            return false;
        if (at)
            memcpy(at, &i, sizeof i);
        return true;
    }
    case CFC_KIND_NUMBER:
        if (v->type != CFC_J_NUMBER || !isfinite(v->u.num.d))
            return false;
        if (at)
            memcpy(at, &v->u.num.d, sizeof(double));
        return true;
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT: {
        if (v->type != CFC_J_STRING)
            return false;
        char *s = take(b, v->u.str.len + 1);
        if (at) {
            memcpy(s, v->u.str.s, v->u.str.len);
            s[v->u.str.len] = '\0';
            cfc_text t = {s, v->u.str.len};
            memcpy(at, &t, sizeof t);
        }
        return true;
    }
    case CFC_KIND_ENUM: {
        if (v->type != CFC_J_STRING)
            return false;
        for (int k = 0; f->values[k]; k++) {
            if (strlen(f->values[k]) == v->u.str.len &&
                memcmp(f->values[k], v->u.str.s, v->u.str.len) == 0) {
                if (at)
                    memcpy(at, &k, sizeof k);
                return true;
            }
        }
        return false; /* a configured extension: no C enum value for it */
    }
    case CFC_KIND_ID_ARRAY: {
        if (v->type != CFC_J_ARRAY)
            return false;
        size_t n = v->u.kids.count;
        int64_t *items = take(b, n * sizeof *items);
        size_t k = 0;
        for (const cfc_jval *item = v->u.kids.first; item; item = item->next, k++) {
            int64_t id;
            if (!exact_int(item, &id))
                return false;
            if (items)
                items[k] = id;
        }
        if (at) {
            cfc_id_array a = {n ? items : NULL, n};
            memcpy(at, &a, sizeof a);
        }
        return true;
    }
    case CFC_KIND_OBJECT: {
        if (v->type != CFC_J_OBJECT || f->n_members > CFC__MAX_FIELDS)
            return false;
        const cfc_jval *members[CFC__MAX_FIELDS];
        for (size_t k = 0; k < f->n_members; k++)
            members[k] = cfc_jobject_getn(v, f->members[k].name, strlen(f->members[k].name));
        return put_fields(b, f->members, slot->members, f->n_members, members, at);
    }
    case CFC_KIND_TIMESTAMP: {
        int64_t ms;
        if (v->type != CFC_J_STRING || cfc_timestamp_parse(v->u.str.s, v->u.str.len, &ms) != 0)
            return false;
        if (at)
            memcpy(at, &ms, sizeof ms);
        return true;
    }
    case CFC_KIND_TYPE: return true;
    }
    return false;
}

cfc_decode_status cfc_event_decode(cfc_checker *c, const char *bytes, size_t len, cfc_event **event,
                                   const cfc_event_result **result)
{
    if (event)
        *event = NULL;
    if (result)
        *result = NULL;
    if (c == NULL || (bytes == NULL && len > 0))
        return CFC_DECODE_BAD_ARG;
    captured cap;
    memset(&cap, 0, sizeof cap);
    const cfc_event_result *r = NULL;
    cfc_check_status st = cfc__check_event_hooked(c, bytes, len, capture, &cap, &r);
    if (st == CFC_CHECK_NOMEM)
        return CFC_DECODE_NOMEM;
    if (st != CFC_CHECK_OK)
        return CFC_DECODE_BAD_ARG;
    if (result)
        *result = r;
    if (cap.type == NULL)
        return r->type && r->type_len > 0 && cfc_contract_find(r->type, r->type_len) == NULL
                   ? CFC_DECODE_UNKNOWN_TYPE
                   : CFC_DECODE_INVALID;
    if (r->errors > 0)
        return CFC_DECODE_INVALID;

    const cfc_event_type *t = cap.type;
    const cfc__slot *slots = cfc__event_slots[t->id];
    builder measure = {NULL, 0};
    if (!put_fields(&measure, t->fields, slots, t->n_fields, cap.values, NULL))
        return CFC_DECODE_UNTYPED;
    if (event == NULL)
        return CFC_DECODE_OK;

    cfc_jalloc ja = cfc__checker_jalloc(c);
    size_t head = align8(sizeof(holder));
    holder *h = ja.malloc_fn(ja.ctx, head + measure.used);
    if (h == NULL)
        return CFC_DECODE_NOMEM;
    memset(h, 0, head);
    h->alloc = ja;
    h->event.type = t->id;
    builder fill = {(char *)h + head, 0};
    /* The measuring pass accepted these values; filling cannot fail. */
    put_fields(&fill, t->fields, slots, t->n_fields, cap.values, (char *)&h->event);
    *event = &h->event;
    return CFC_DECODE_OK;
}

void cfc_event_free(cfc_event *event)
{
    if (event == NULL)
        return;
    holder *h = (holder *)(void *)((char *)event - offsetof(holder, event));
    cfc_jalloc ja = h->alloc;
    ja.free_fn(ja.ctx, h);
}

/* ---- equality ------------------------------------------------------------- */

static bool fields_equal(const cfc_field *fields, const cfc__slot *slots, size_t n, const char *a,
                         const char *b)
{
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        const cfc__slot *s = &slots[i];
        if (f->kind == CFC_KIND_TYPE)
            continue;
        if (s->has != CFC__NO_FLAG) {
            bool ha = *(const bool *)(a + s->has), hb = *(const bool *)(b + s->has);
            if (ha != hb)
                return false;
            if (!ha)
                continue;
        }
        const char *x = a + s->off, *y = b + s->off;
        switch (f->kind) {
        case CFC_KIND_ID:
        case CFC_KIND_COUNT:
        case CFC_KIND_ORDINAL:
        case CFC_KIND_PERCENT:
        case CFC_KIND_TIMESTAMP: {
            int64_t u, v;
            memcpy(&u, x, sizeof u);
            memcpy(&v, y, sizeof v);
            if (u != v)
                return false;
            break;
        }
        case CFC_KIND_NUMBER: {
            double d, e;
            memcpy(&d, x, sizeof d);
            memcpy(&e, y, sizeof e);
            if (!(d == e))
                return false;
            break;
        }
        case CFC_KIND_STRING:
        case CFC_KIND_IDENT: {
            cfc_text s1, s2;
            memcpy(&s1, x, sizeof s1);
            memcpy(&s2, y, sizeof s2);
            if (s1.len != s2.len || (s1.len && memcmp(s1.s, s2.s, s1.len) != 0))
                return false;
            break;
        }
        case CFC_KIND_ENUM: {
            int u, v;
            memcpy(&u, x, sizeof u);
            memcpy(&v, y, sizeof v);
            if (u != v)
                return false;
            break;
        }
        case CFC_KIND_ID_ARRAY: {
            cfc_id_array p, q;
            memcpy(&p, x, sizeof p);
            memcpy(&q, y, sizeof q);
            if (p.len != q.len || (p.len && memcmp(p.items, q.items, p.len * sizeof *p.items)))
                return false;
            break;
        }
        case CFC_KIND_OBJECT:
            if (!fields_equal(f->members, s->members, f->n_members, x, y))
                return false;
            break;
        case CFC_KIND_TYPE: break;
        }
    }
    return true;
}

bool cfc_event_equal(const cfc_event *a, const cfc_event *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->type != b->type)
        return false;
    const cfc_event_type *t = cfc_contract_get(a->type);
    if (t == NULL)
        return false;
    return fields_equal(t->fields, cfc__event_slots[t->id], t->n_fields, (const char *)a,
                        (const char *)b);
}

const char *cfc_event_enum_string(cfc_event_id type, const char *field, unsigned value)
{
    const cfc_field *f =
        field ? cfc_contract_field(cfc_contract_get(type), field, strlen(field)) : NULL;
    if (f == NULL || f->kind != CFC_KIND_ENUM)
        return NULL;
    for (unsigned k = 0; f->values[k]; k++) {
        if (k == value)
            return f->values[k];
    }
    return NULL;
}

/* ---- encoding with the reference broadcasters ---------------------------- */

/* A typed event's fields, read by wire name through the table and the slot
 * map, the way broadcast.c writes them (ev_str(&ev, "agent_id", ...)). */
typedef struct reader {
    const cfc_event *ev;
    const cfc_event_type *type;
    bool refused;
} reader;

static const char *slot_of(reader *rd, const char *name, const cfc_field **field)
{
    for (size_t i = 0; i < rd->type->n_fields; i++) {
        if (strcmp(rd->type->fields[i].name, name) == 0) {
            const cfc__slot *s = &cfc__event_slots[rd->type->id][i];
            *field = &rd->type->fields[i];
            if (s->has != CFC__NO_FLAG && !*(const bool *)((const char *)rd->ev + s->has))
                return NULL; /* absent */
            return (const char *)rd->ev + s->off;
        }
    }
    rd->refused = true; /* a name this file got wrong: refuse, never guess */
    return NULL;
}

static int64_t int_of(reader *rd, const char *name)
{
    const cfc_field *f;
    const char *p = slot_of(rd, name, &f);
    int64_t v = 0;
    if (p)
        memcpy(&v, p, sizeof v);
    return v;
}

/* NULL when absent. */
static const int64_t *opt_int_of(reader *rd, const char *name)
{
    const cfc_field *f;
    return (const int64_t *)(const void *)slot_of(rd, name, &f);
}

static double num_of(reader *rd, const char *name)
{
    const cfc_field *f;
    const char *p = slot_of(rd, name, &f);
    double d = 0;
    if (p)
        memcpy(&d, p, sizeof d);
    return d;
}

/* A string or enum field as a C string; NULL when absent. */
static const char *str_of(reader *rd, const char *name)
{
    const cfc_field *f;
    const char *p = slot_of(rd, name, &f);
    if (p == NULL)
        return NULL;
    if (f->kind == CFC_KIND_ENUM) {
        int k;
        memcpy(&k, p, sizeof k);
        return k < 0 ? NULL : cfc_event_enum_string(rd->type->id, name, (unsigned)k);
    }
    cfc_text t;
    memcpy(&t, p, sizeof t);
    return t.s;
}

static const cfc_id_array *ids_of(reader *rd, const char *name)
{
    const cfc_field *f;
    return (const cfc_id_array *)(const void *)slot_of(rd, name, &f);
}

/* A member of a nested object field; NULL when the object is absent. */
static const char *member_of(reader *rd, const char *object, const char *name)
{
    const cfc_field *f;
    const char *p = slot_of(rd, object, &f);
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < f->n_members; i++) {
        if (strcmp(f->members[i].name, name) == 0)
            return p + cfc__event_slots[rd->type->id][f - rd->type->fields].members[i].off;
    }
    rd->refused = true;
    return NULL;
}

static const char *member_text(reader *rd, const char *object, const char *name)
{
    const char *p = member_of(rd, object, name);
    cfc_text t = {NULL, 0};
    if (p)
        memcpy(&t, p, sizeof t);
    return t.s;
}

/* What the broadcasters cannot be told: strings with a NUL byte, enums out
 * of range, fixed values and count_of lengths that disagree with the value.
 * (A broadcaster derives the fixed and counted fields itself, so sending
 * such a value would silently change it.) */
static bool representable(const cfc_field *fields, const cfc__slot *slots, size_t n,
                          const char *base)
{
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        if (f->kind == CFC_KIND_TYPE)
            continue;
        if (slots[i].has != CFC__NO_FLAG && !*(const bool *)(base + slots[i].has))
            continue;
        const char *p = base + slots[i].off;
        if (f->kind == CFC_KIND_STRING || f->kind == CFC_KIND_IDENT) {
            cfc_text t;
            memcpy(&t, p, sizeof t);
            if (t.s == NULL || strlen(t.s) != t.len)
                return false;
        } else if (f->kind == CFC_KIND_ENUM) {
            int k;
            memcpy(&k, p, sizeof k);
            size_t count = 0;
            while (f->values[count])
                count++;
            if (k < 0 || (size_t)k >= count)
                return false;
            if (f->fixed_string && strcmp(f->values[k], f->fixed_string) != 0)
                return false;
        } else if (f->kind == CFC_KIND_ID_ARRAY) {
            cfc_id_array a;
            memcpy(&a, p, sizeof a);
            if (a.len > 0 && a.items == NULL)
                return false;
        } else if (f->kind == CFC_KIND_OBJECT) {
            if (!representable(f->members, slots[i].members, f->n_members, p))
                return false;
        }
        if (f->count_of) {
            for (size_t k = 0; k < n; k++) {
                if (strcmp(fields[k].name, f->count_of) != 0)
                    continue;
                cfc_id_array a;
                int64_t count;
                memcpy(&a, base + slots[k].off, sizeof a);
                memcpy(&count, p, sizeof count);
                if (count < 0 || (uint64_t)count != (uint64_t)a.len)
                    return false;
            }
        }
    }
    return true;
}

typedef struct sink {
    char *text;
    size_t len;
} sink;

static int sink_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    sink *s = ctx;
    s->text = malloc(len + 1);
    if (s->text == NULL)
        return -1;
    memcpy(s->text, json, len + 1);
    s->len = len;
    return 0;
}

static void silent(void *ctx, cfc_log_level level, const char *message)
{
    (void)ctx;
    (void)level;
    (void)message;
}

cfc_status cfc_event_encode(const cfc_event *ev, char **json, size_t *len)
{
    if (ev == NULL || json == NULL || len == NULL)
        return CFC_INVALID;
    const cfc_event_type *t = cfc_contract_get(ev->type);
    if (t == NULL)
        return CFC_INVALID;
    if (!representable(t->fields, cfc__event_slots[t->id], t->n_fields, (const char *)ev))
        return CFC_REFUSED;

    sink out = {NULL, 0};
    int64_t now = ev->timestamp_ms;
    cfc_manager m = {.broadcast = sink_broadcast,
                     .broadcast_ctx = &out,
                     .log = silent,
                     .clock = cfc_clock_fixed,
                     .clock_ctx = &now};
    reader rd = {ev, t, false};
    const int64_t pid = ev->project_id;
    cfc_status s = CFC_INVALID;
    switch (t->id) {
    case CFC_EV_AGENT_CREATED:
        s = cfc_broadcast_agent_created(&m, pid, str_of(&rd, "agent_id"), str_of(&rd, "agent_type"),
                                        int_of(&rd, "tasks_completed"));
        break;
    case CFC_EV_AGENT_RETIRED:
        s = cfc_broadcast_agent_retired(&m, pid, str_of(&rd, "agent_id"),
                                        int_of(&rd, "tasks_completed"));
        break;
    case CFC_EV_AGENT_STATUS_CHANGED:
        /* current_task is a nested object; its members are parameters. */
        s = cfc_broadcast_agent_status(
            &m, pid, str_of(&rd, "agent_id"), str_of(&rd, "status"),
            (const int64_t *)(const void *)member_of(&rd, "current_task", "id"),
            member_text(&rd, "current_task", "title"), opt_int_of(&rd, "progress"));
        break;
    case CFC_EV_TASK_ASSIGNED:
        s = cfc_broadcast_task_assigned(&m, pid, int_of(&rd, "task_id"), str_of(&rd, "agent_id"),
                                        str_of(&rd, "task_title"));
        break;
    case CFC_EV_TASK_STATUS_CHANGED:
        s = cfc_broadcast_task_status(&m, pid, int_of(&rd, "task_id"), str_of(&rd, "status"),
                                      str_of(&rd, "agent_id"), opt_int_of(&rd, "progress"));
        break;
    case CFC_EV_TASK_BLOCKED: {
        const cfc_id_array *by = ids_of(&rd, "blocked_by");
        s = cfc_broadcast_task_blocked(&m, pid, int_of(&rd, "task_id"), by ? by->items : NULL,
                                       by ? by->len : 0, str_of(&rd, "task_title"));
        break;
    }
    case CFC_EV_TASK_UNBLOCKED:
        s = cfc_broadcast_task_unblocked(&m, pid, int_of(&rd, "task_id"),
                                         opt_int_of(&rd, "unblocked_by"),
                                         str_of(&rd, "task_title"));
        break;
    case CFC_EV_TEST_RESULT:
        s = cfc_broadcast_test_result(&m, pid, int_of(&rd, "task_id"), str_of(&rd, "status"),
                                      int_of(&rd, "passed"), int_of(&rd, "failed"),
                                      int_of(&rd, "errors"), int_of(&rd, "skipped"),
                                      num_of(&rd, "duration"));
        break;
    case CFC_EV_ACTIVITY_UPDATE:
        s = cfc_broadcast_activity_update(&m, pid, str_of(&rd, "activity_type"),
                                          str_of(&rd, "agent_id"), str_of(&rd, "message"),
                                          opt_int_of(&rd, "task_id"));
        break;
    case CFC_EV_CORRECTION_ATTEMPT:
        s = cfc_broadcast_correction_attempt(
            &m, pid, int_of(&rd, "task_id"), int_of(&rd, "attempt_number"),
            int_of(&rd, "max_attempts"), str_of(&rd, "status"), str_of(&rd, "error_summary"));
        break;
    case CFC_EV_PROGRESS_UPDATE: {
        /* The percentage is always given: the event already has one. */
        int64_t pct = int_of(&rd, "percentage");
        s = cfc_broadcast_progress_update(&m, pid, int_of(&rd, "completed"), int_of(&rd, "total"),
                                          &pct);
        break;
    }
    case CFC_EV_COUNT: break;
    }
    if (rd.refused && s == CFC_OK)
        s = CFC_REFUSED;
    if (s == CFC_BROADCAST) /* only the sink fails: it could not copy */
        s = CFC_NOMEM;
    if (s != CFC_OK) {
        free(out.text);
        return s;
    }
    *json = out.text;
    *len = out.len;
    return CFC_OK;
}
