/* SPDX-License-Identifier: MIT */
/* Valid events (generate_internal.h): step 1, the typed value. */
#include "generate_internal.h"

/* ---- values --------------------------------------------------------------- */

static const char *const display_texts[] = {
    "Create API endpoint",
    "Fix login bug #42",
    "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9\x65",
    "na\xC3\xAFve r\xC3\xA9sum\xC3\xA9",
    "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x82\xBF\xE3\x82\xB9\xE3\x82\xAF",
    "Deploy \xF0\x9F\x9A\x80 to prod",
    "quote \" and backslash \\",
    "tab\there, newline\nthere, return\r",
    "control \x01 and \x1F and \x7F",
    "slash / <b>html</b> & amp; 'single'",
    "line\xE2\x80\xA8separator\xE2\x80\xA9",
    "\xC3\x9Cn\xC3\xAF\x63\xC3\xB6\x64\xC3\xA9 \xF0\x9F\x98\x80",
    "a",
    "",
    "    padded    ",
    "\xEF\xBB\xBF BOM inside a string is fine",
    "null",
    "{\"not\": \"json\"}",
    /* One string in two scripts (parenthesised: one element on purpose). */
    ("\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9 "
     "\xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA"),
    "\xF4\x8F\xBF\xBF max code point",
};

static const char *const ident_texts[] = {
    "backend-worker-001",
    "frontend-2",
    "test-agent",
    "ag\xC3\xA9nt-\xC3\xBC",
    "\xE3\x82\xA8\xE3\x83\xBC\xE3\x82\xB8\xE3\x82\xA7\xE3\x83\xB3\xE3\x83\x88",
    "a",
    "agent \xF0\x9F\x98\x80",
    "x-y_z.1",
    "worker/7",
    "0",
};

static const char *const open_activity_types[] = {"deploy", "review", "commit_created",
                                                  "\xC3\xA9v\xC3\xA9nement"};

/* A string for the field: from the pools, or built in the arena (long). */
static const char *gen_text(cfc_generator *g, const cfc_field *f, size_t *len)
{
    const char *s;
    if (f->kind == CFC_KIND_IDENT && f->values && !chance(g, 1, 5)) {
        size_t n = 0;
        while (f->values[n])
            n++;
        s = f->values[below(g, n)];
    } else if (f->kind == CFC_KIND_IDENT && f->values) {
        s = PICK(g, open_activity_types);
    } else if (f->kind == CFC_KIND_IDENT) {
        s = PICK(g, ident_texts);
    } else {
        s = PICK(g, display_texts);
    }
    if (chance(g, 1, 24)) {
        /* A long string: one text repeated, up to ~2 KB, and small enough
         * that an event stays far below the size limit even escaped. */
        size_t limit = g->o.max_event_bytes ? g->o.max_event_bytes / 64 : 2000;
        size_t one = strlen(s) ? strlen(s) : 1;
        size_t reps = 1 + below(g, (limit < 2000 ? limit : 2000) / one + 1);
        if (g->strs_used + one * reps + 1 <= sizeof g->strs) {
            char *d = g->strs + g->strs_used;
            for (size_t i = 0; i < reps; i++)
                memcpy(d + i * one, strlen(s) ? s : "x", one);
            d[one * reps] = '\0';
            g->strs_used += one * reps + 1;
            *len = one * reps;
            return d;
        }
    }
    *len = strlen(s);
    return s;
}

static int64_t gen_int(cfc_generator *g, cfc_kind kind)
{
    static const int64_t ids[] = {1,
                                  2,
                                  3,
                                  7,
                                  42,
                                  45,
                                  100,
                                  1000,
                                  65535,
                                  2147483647,
                                  2147483648,
                                  4294967296,
                                  1000000000000000,
                                  CFC_MAX_SAFE_INTEGER - 1,
                                  CFC_MAX_SAFE_INTEGER};
    static const int64_t counts[] = {0,  1,   2,    3,          5,
                                     10, 100, 1000, 2147483648, CFC_MAX_SAFE_INTEGER};
    static const int64_t percents[] = {0, 1, 33, 50, 66, 99, 100};
    bool boundary = chance(g, 1, 3);
    switch (kind) {
    case CFC_KIND_ID:
        return boundary ? PICK(g, ids)
                        : 1 + (int64_t)below(g, chance(g, 1, 4) ? CFC_MAX_SAFE_INTEGER : 10000);
    case CFC_KIND_COUNT:
        return boundary ? PICK(g, counts)
                        : (int64_t)below(g, chance(g, 1, 4) ? CFC_MAX_SAFE_INTEGER + 1 : 200);
    case CFC_KIND_ORDINAL: return boundary ? PICK(g, ids) : 1 + (int64_t)below(g, 10);
    case CFC_KIND_PERCENT: return boundary ? PICK(g, percents) : (int64_t)below(g, 101);
    default: return 0;
    }
}

static double gen_number(cfc_generator *g)
{
    static const double ds[] = {0.0,
                                0.5,
                                1.0,
                                1.5,
                                12.5,
                                45.2,
                                3600.0,
                                0.001,
                                1e-7,
                                123456.789,
                                1e300,
                                9007199254740993.0,
                                2.2250738585072014e-308,
                                5e-324};
    if (chance(g, 1, 3))
        return PICK(g, ds);
    return (double)below(g, 10000000) / 1000.0;
}

static int64_t gen_timestamp(cfc_generator *g)
{
    static const int64_t ts[] = {CFC_TIMESTAMP_MIN_MS,
                                 CFC_TIMESTAMP_MAX_MS,
                                 INT64_C(951825600000) /* 2000-02-29T12Z */,
                                 INT64_C(1709251199999) /* 2024-02-29T23:59:59.999Z */,
                                 0,
                                 -1,
                                 INT64_C(1762612245123) /* 2025-11-08T14:30:45.123Z */,
                                 INT64_C(4107542399999) /* 2100-02-28T23:59:59.999Z */};
    if (chance(g, 1, 3))
        return PICK(g, ts);
    uint64_t span = (uint64_t)(CFC_TIMESTAMP_MAX_MS - CFC_TIMESTAMP_MIN_MS) + 1;
    return CFC_TIMESTAMP_MIN_MS + (int64_t)below(g, span);
}

size_t cfc__gen_n_values(const cfc_field *f)
{
    size_t n = 0;
    while (f->values && f->values[n])
        n++;
    return n;
}

static int fixed_index(const cfc_field *f)
{
    for (size_t k = 0; f->fixed_string && f->values[k]; k++) {
        if (strcmp(f->values[k], f->fixed_string) == 0)
            return (int)k;
    }
    return 0;
}

/* Distinct IDs, none equal to `not`. */
size_t cfc__gen_gen_ids(cfc_generator *g, int64_t not, size_t n)
{
    size_t k = 0;
    for (size_t tries = 0; k < n && tries < n * 8; tries++) {
        int64_t id = gen_int(g, CFC_KIND_ID);
        bool dup = id == not ;
        for (size_t i = 0; i < k && !dup; i++)
            dup = g->ids[i] == id;
        if (!dup)
            g->ids[k++] = id;
    }
    return k;
}

/* Every field of `fields` from its kind, into the struct at base. */
static void gen_fields(cfc_generator *g, const cfc_field *fields, const cfc__slot *slots, size_t n,
                       char *base)
{
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        char *at = base + slots[i].off;
        if (f->kind == CFC_KIND_TYPE)
            continue;
        if (slots[i].has != CFC__NO_FLAG)
            *(bool *)(base + slots[i].has) = chance(g, 1, 2);
        switch (f->kind) {
        case CFC_KIND_ID:
        case CFC_KIND_COUNT:
        case CFC_KIND_ORDINAL:
        case CFC_KIND_PERCENT: {
            int64_t v = f->has_fixed_int ? f->fixed_int : gen_int(g, f->kind);
            memcpy(at, &v, sizeof v);
            break;
        }
        case CFC_KIND_NUMBER: {
            double d = gen_number(g);
            memcpy(at, &d, sizeof d);
            break;
        }
        case CFC_KIND_STRING:
        case CFC_KIND_IDENT: {
            cfc_text t;
            t.s = (char *)gen_text(g, f, &t.len);
            memcpy(at, &t, sizeof t);
            break;
        }
        case CFC_KIND_ENUM: {
            int k = f->fixed_string ? fixed_index(f) : (int)below(g, cfc__gen_n_values(f));
            memcpy(at, &k, sizeof k);
            break;
        }
        case CFC_KIND_ID_ARRAY: {
            size_t want = chance(g, 1, 10) ? 1 + below(g, MAX_IDS) : 1 + below(g, 5);
            cfc_id_array a = {g->ids, cfc__gen_gen_ids(g, 0, want)};
            memcpy(at, &a, sizeof a);
            break;
        }
        case CFC_KIND_OBJECT: gen_fields(g, f->members, slots[i].members, f->n_members, at); break;
        case CFC_KIND_TIMESTAMP: {
            int64_t ms = gen_timestamp(g);
            memcpy(at, &ms, sizeof ms);
            break;
        }
        case CFC_KIND_TYPE: break;
        }
    }
}

/* The rules across fields (docs/contract-rules.md, E), made true. When
 * `keep_enums`, a combination that cannot hold is resolved by dropping the
 * optional field rather than changing the enum value the cover chose. */
static void fix_valid(cfc_generator *g, cfc_event *ev, bool keep_enums)
{
    switch (ev->type) {
    case CFC_EV_AGENT_STATUS_CHANGED: {
        cfc_agent_status_changed *a = &ev->u.agent_status_changed;
        if (a->has_current_task && a->status != CFC_AGENT_STATUS_CHANGED_STATUS_WORKING) {
            if (keep_enums || chance(g, 1, 2))
                a->has_current_task = false;
            else
                a->status = CFC_AGENT_STATUS_CHANGED_STATUS_WORKING;
        }
        break;
    }
    case CFC_EV_TASK_STATUS_CHANGED: {
        cfc_task_status_changed *a = &ev->u.task_status_changed;
        if (a->has_progress && a->status == CFC_TASK_STATUS_CHANGED_STATUS_COMPLETED)
            a->progress = 100;
        if (a->has_progress && a->status == CFC_TASK_STATUS_CHANGED_STATUS_PENDING)
            a->progress = 0;
        break;
    }
    case CFC_EV_TASK_BLOCKED: {
        cfc_task_blocked *a = &ev->u.task_blocked;
        a->blocked_by.len =
            cfc__gen_gen_ids(g, a->task_id, a->blocked_by.len ? a->blocked_by.len : 1);
        if (a->blocked_by.len == 0) /* task_id took every candidate: impossible, but be sure */
            g->ids[a->blocked_by.len++] = a->task_id == 1 ? 2 : 1;
        a->blocked_count = (int64_t)a->blocked_by.len;
        break;
    }
    case CFC_EV_TASK_UNBLOCKED: {
        cfc_task_unblocked *a = &ev->u.task_unblocked;
        if (a->has_unblocked_by && a->unblocked_by == a->task_id)
            a->unblocked_by = a->task_id > 1 ? a->task_id - 1 : 2;
        break;
    }
    case CFC_EV_TEST_RESULT: {
        cfc_test_result *a = &ev->u.test_result;
        if (a->status == CFC_TEST_RESULT_STATUS_PASSED)
            a->failed = a->errors = 0;
        if (a->status == CFC_TEST_RESULT_STATUS_FAILED && a->failed == 0 && a->errors == 0)
            a->failed = 1 + (int64_t)below(g, 20);
        if (a->status == CFC_TEST_RESULT_STATUS_NO_TESTS)
            a->passed = a->failed = a->errors = 0;
        break;
    }
    case CFC_EV_CORRECTION_ATTEMPT: {
        cfc_correction_attempt *a = &ev->u.correction_attempt;
        if (a->attempt_number > a->max_attempts) {
            int64_t t = a->attempt_number;
            a->attempt_number = a->max_attempts;
            a->max_attempts = t;
        }
        if (a->has_error_summary && a->status != CFC_CORRECTION_ATTEMPT_STATUS_FAILED) {
            if (keep_enums || chance(g, 1, 2))
                a->has_error_summary = false;
            else
                a->status = CFC_CORRECTION_ATTEMPT_STATUS_FAILED;
        }
        break;
    }
    case CFC_EV_PROGRESS_UPDATE: {
        cfc_progress_update *a = &ev->u.progress_update;
        if (a->completed > a->total) {
            int64_t t = a->completed;
            a->completed = a->total;
            a->total = t;
        }
        if (a->total == 0) {
            a->percentage = 0;
        } else {
            /* completed <= total <= 2^53-1: completed * 200 fits in int64. */
            int64_t lo = a->completed * 100 / a->total;
            int64_t hi = (a->completed * 200 + a->total) / (2 * a->total);
            a->percentage = chance(g, 1, 2) ? lo : hi;
        }
        break;
    }
    default: break;
    }
}

/* The number of cover cases of a type: its enum values (and the known
 * values of an open set) times the presence combinations of its optional
 * fields. */
static size_t cover_cases(const cfc_event_type *t)
{
    size_t n = 1;
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        if ((f->kind == CFC_KIND_ENUM && !f->fixed_string) ||
            (f->kind == CFC_KIND_IDENT && f->values))
            n *= cfc__gen_n_values(f);
        if (!f->required)
            n *= 2;
    }
    return n;
}

static void apply_cover(const cfc_event_type *t, size_t c, char *base)
{
    const cfc__slot *slots = cfc__event_slots[t->id];
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        if (f->kind == CFC_KIND_ENUM && !f->fixed_string) {
            size_t nv = cfc__gen_n_values(f);
            int k = (int)(c % nv);
            c /= nv;
            memcpy(base + slots[i].off, &k, sizeof k);
        } else if (f->kind == CFC_KIND_IDENT && f->values) {
            size_t nv = cfc__gen_n_values(f);
            cfc_text tx = {(char *)f->values[c % nv], strlen(f->values[c % nv])};
            c /= nv;
            memcpy(base + slots[i].off, &tx, sizeof tx);
        }
        if (!f->required) {
            *(bool *)(base + slots[i].has) = c % 2;
            c /= 2;
        }
    }
}

/* A valid typed event of type `type` (or the next cover case / a random
 * type when type is CFC_EV_COUNT). */
void cfc__gen_make_valid(cfc_generator *g, cfc_event_id type, bool cover)
{
    size_t n_types;
    const cfc_event_type *types = cfc_contract_types(&n_types);
    bool covering = false;
    if (type == CFC_EV_COUNT && cover && g->cover_type < n_types) {
        type = types[g->cover_type].id;
        covering = true;
    } else if (type == CFC_EV_COUNT) {
        type = types[below(g, n_types)].id;
    }
    const cfc_event_type *t = cfc_contract_get(type);
    memset(&g->ev, 0, sizeof g->ev);
    g->ev.type = type;
    gen_fields(g, t->fields, cfc__event_slots[type], t->n_fields, (char *)&g->ev);
    if (covering) {
        apply_cover(t, g->cover_case, (char *)&g->ev);
        if (++g->cover_case == cover_cases(t)) {
            g->cover_case = 0;
            g->cover_type++;
        }
    }
    fix_valid(g, &g->ev, covering);
}
