/* SPDX-License-Identifier: MIT */
/*
 * The event generator (cfc/generate.h).
 *
 * An event is made in four steps, each driven by the contract table:
 *   1. a typed value (cfc_event): every field from its kind -- boundary
 *      values, non-ASCII strings, enum values, optional fields present or
 *      not -- then the cross-field rules of its type made true (fix_valid);
 *   2. a document: the value written member by member, as raw JSON text,
 *      with the lexical variety JSON allows (escapes, number forms);
 *   3. the text: the document serialised, members maybe reordered,
 *      whitespace maybe added;
 *   4. for an invalid event, a breaker for one rule edits step 1, 2 or 3:
 *      a value out of range in the typed value, a member dropped, duplicated
 *      or retyped in the document, a BOM or a syntax error in the text.
 *
 * The generator never asks the checker whether it succeeded: that would
 * make its promise (valid events are clean, an invalid event breaks exactly
 * its rule) true by construction and untested. tests/test_generate.c holds
 * it to that promise with the checker over 100,000 events.
 */
#include "cfc/generate.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/timestamp.h"
#include "event_map.h"

#define MAX_IDS 64      /* blocked_by items of a generated event */
#define STR_ARENA 16384 /* generated strings of one event */
#define MAX_MEMBERS 40  /* members of one document (unknown and duplicates included) */
#define MAX_DOCS 4      /* the event and its nested objects */
#define STREAM_AGENTS 16
#define STREAM_TASKS 32

/* ---- output buffers -------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
    bool nomem;
} buf;

static void put(buf *b, const void *s, size_t n)
{
    if (b->nomem)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
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

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putc_(buf *b, char c)
{
    put(b, &c, 1);
}

/* ---- the generator ------------------------------------------------------- */

typedef struct gmember {
    const char *key; /* member name as a C string (written with JSON escaping) */
    size_t key_len;
    const cfc_field *field; /* NULL: not a field of the table */
    const char *str;        /* string-valued fields: the value as a C string */
    size_t str_len;
    size_t val_at, val_len; /* raw JSON text of the value in g->vals */
    int sub;                /* >= 0: the value is document `sub` */
} gmember;

typedef struct gdoc {
    gmember m[MAX_MEMBERS];
    size_t n;
    const cfc_field *fields; /* the table rows this document follows */
    size_t n_fields;
} gdoc;

typedef struct stream_task {
    int64_t id;
    int64_t blockers[8];
    size_t n_blockers;
    bool blocked;
    int64_t attempt, max_attempts;
    int attempt_status; /* -1 none yet, else a correction_attempt status */
} stream_task;

struct cfc_generator {
    cfc_gen_options o;
    uint64_t s[4];

    cfc_event ev;
    int64_t ids[MAX_IDS + 8];
    char strs[STR_ARENA];
    size_t strs_used;
    gdoc docs[MAX_DOCS];
    size_t n_docs;
    buf vals, out;
    bool noisy;
    int drop_comma;  /* a syntax breaker: the member whose comma is left out */
    bool text_break; /* a syntax breaker: break the text once serialised */

    /* --valid begins by enumerating every type's enum values and optional
     * field combinations. */
    size_t cover_type, cover_case;

    /* --stream */
    int64_t now_ms;
    int64_t project;
    char agents[STREAM_AGENTS][48];
    size_t n_agents, next_agent;
    stream_task tasks[STREAM_TASKS];
    size_t n_tasks;
    int64_t next_task;
    int64_t done, total;
};

/* xoshiro256**, seeded by splitmix64: the same stream on every platform. */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(cfc_generator *g)
{
    uint64_t *s = g->s;
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
}

/* Uniform in 0..n-1 (n > 0); the modulo bias is irrelevant here. */
static uint64_t below(cfc_generator *g, uint64_t n)
{
    return n ? rnd(g) % n : 0;
}

static bool chance(cfc_generator *g, unsigned num, unsigned den)
{
    return below(g, den) < num;
}

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])

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
    "\xD8\xA7\xD9\x84\xD8\xB9\xD8\xB1\xD8\xA8\xD9\x8A\xD8\xA9 "
    "\xD7\xA2\xD7\x91\xD7\xA8\xD7\x99\xD7\xAA",
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

static size_t n_values(const cfc_field *f)
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
static size_t gen_ids(cfc_generator *g, int64_t not, size_t n)
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
            int k = f->fixed_string ? fixed_index(f) : (int)below(g, n_values(f));
            memcpy(at, &k, sizeof k);
            break;
        }
        case CFC_KIND_ID_ARRAY: {
            size_t want = chance(g, 1, 10) ? 1 + below(g, MAX_IDS) : 1 + below(g, 5);
            cfc_id_array a = {g->ids, gen_ids(g, 0, want)};
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
        a->blocked_by.len = gen_ids(g, a->task_id, a->blocked_by.len ? a->blocked_by.len : 1);
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
            n *= n_values(f);
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
            size_t nv = n_values(f);
            int k = (int)(c % nv);
            c /= nv;
            memcpy(base + slots[i].off, &k, sizeof k);
        } else if (f->kind == CFC_KIND_IDENT && f->values) {
            size_t nv = n_values(f);
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
static void make_valid(cfc_generator *g, cfc_event_id type, bool cover)
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

/* ---- writing JSON --------------------------------------------------------- */

/* A number JSON reads back as exactly d (finite): the shortest %.*g that
 * round-trips, or with lexical variety another form of the same value. */
static void write_double(cfc_generator *g, buf *b, double d)
{
    char tmp[64];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (g->noisy && chance(g, 1, 2)) {
        switch (below(g, 3)) {
        case 0: snprintf(tmp, sizeof tmp, "%.17e", d); break;
        case 1:
            snprintf(tmp, sizeof tmp, "%.*E", prec - 1 > 0 ? prec - 1 : 0, d);
            if (strtod(tmp, NULL) != d)
                snprintf(tmp, sizeof tmp, "%.17E", d);
            break;
        default:
            if (!strpbrk(tmp, ".eE") && strlen(tmp) < 40)
                strcat(tmp, ".000");
            break;
        }
    }
    for (char *p = tmp; *p; p++) { /* a locale's decimal comma is not JSON */
        if (*p == ',')
            *p = '.';
    }
    puts_(b, tmp);
}

static void write_int(buf *b, int64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    puts_(b, tmp);
}

/* The UTF-8 sequence at s (valid UTF-8 assumed; a byte that is not starts a
 * sequence of 1) and its code point. */
static size_t utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n > len)
        n = 1;
    *cp = n == 1 ? c : c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return *cp = c, 1;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    return n;
}

static void write_u(buf *b, unsigned cp)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "\\u%04x", cp & 0xFFFFu);
    put(b, tmp, 6);
}

/* A JSON string: the escapes JSON requires, and with lexical variety some it
 * allows: \uXXXX for any character (surrogate pairs above U+FFFF), \/. */
static void write_chars(cfc_generator *g, buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = utf8_next(p + i, len - i, &cp);
        bool vary = g->noisy && chance(g, 1, 8);
        if (cp == '"' || cp == '\\') {
            putc_(b, '\\');
            putc_(b, (char)cp);
        } else if (cp < 0x20) {
            const char *short_form = cp == '\n'   ? "\\n"
                                     : cp == '\t' ? "\\t"
                                     : cp == '\r' ? "\\r"
                                     : cp == '\b' ? "\\b"
                                     : cp == '\f' ? "\\f"
                                                  : NULL;
            if (short_form && !vary)
                puts_(b, short_form);
            else
                write_u(b, cp);
        } else if (vary && cp == '/') {
            puts_(b, "\\/");
        } else if (vary && n > 1 && cp >= 0x10000) {
            unsigned v = cp - 0x10000;
            write_u(b, 0xD800 + (v >> 10));
            write_u(b, 0xDC00 + (v & 0x3FF));
        } else if (vary) {
            write_u(b, cp);
        } else {
            put(b, p + i, n);
        }
        i += n;
    }
}

static void write_string(cfc_generator *g, buf *b, const char *s, size_t len)
{
    putc_(b, '"');
    write_chars(g, b, s, len);
    putc_(b, '"');
}

/* ---- documents ------------------------------------------------------------ */

static gmember *add_member(cfc_generator *g, gdoc *d, const char *key, const cfc_field *f)
{
    if (d->n == MAX_MEMBERS)
        return NULL;
    gmember *m = &d->m[d->n++];
    memset(m, 0, sizeof *m);
    m->key = key;
    m->key_len = strlen(key);
    m->field = f;
    m->sub = -1;
    m->val_at = g->vals.len;
    return m;
}

static void end_value(cfc_generator *g, gmember *m)
{
    m->val_len = g->vals.len - m->val_at;
}

static void write_ids(buf *b, const int64_t *ids, size_t n, size_t odd, const char *odd_text)
{
    putc_(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc_(b, ',');
        if (i == odd)
            puts_(b, odd_text);
        else
            write_int(b, ids[i]);
    }
    putc_(b, ']');
}

static int to_doc(cfc_generator *g, const cfc_field *fields, const cfc__slot *slots, size_t n,
                  const char *base)
{
    int d = (int)g->n_docs++;
    gdoc *doc = &g->docs[d];
    doc->n = 0;
    doc->fields = fields;
    doc->n_fields = n;
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        const char *at = base + slots[i].off;
        if (slots[i].has != CFC__NO_FLAG && !*(const bool *)(base + slots[i].has))
            continue;
        gmember *m = add_member(g, doc, f->name, f);
        if (m == NULL)
            break;
        switch (f->kind) {
        case CFC_KIND_TYPE: {
            const char *name = cfc_contract_get(g->ev.type)->name;
            m->str = name;
            m->str_len = strlen(name);
            write_string(g, &g->vals, name, m->str_len);
            break;
        }
        case CFC_KIND_ID:
        case CFC_KIND_COUNT:
        case CFC_KIND_ORDINAL:
        case CFC_KIND_PERCENT: {
            int64_t v;
            memcpy(&v, at, sizeof v);
            write_int(&g->vals, v);
            break;
        }
        case CFC_KIND_NUMBER: {
            double v;
            memcpy(&v, at, sizeof v);
            write_double(g, &g->vals, v);
            break;
        }
        case CFC_KIND_STRING:
        case CFC_KIND_IDENT: {
            cfc_text t;
            memcpy(&t, at, sizeof t);
            m->str = t.s;
            m->str_len = t.len;
            write_string(g, &g->vals, t.s, t.len);
            break;
        }
        case CFC_KIND_ENUM: {
            int k;
            memcpy(&k, at, sizeof k);
            m->str = k >= 0 && (size_t)k < n_values(f) ? f->values[k] : "?";
            m->str_len = strlen(m->str);
            write_string(g, &g->vals, m->str, m->str_len);
            break;
        }
        case CFC_KIND_ID_ARRAY: {
            cfc_id_array a;
            memcpy(&a, at, sizeof a);
            write_ids(&g->vals, a.items, a.len, SIZE_MAX, NULL);
            break;
        }
        case CFC_KIND_OBJECT:
            if (g->n_docs < MAX_DOCS)
                m->sub = to_doc(g, f->members, slots[i].members, f->n_members, at);
            break;
        case CFC_KIND_TIMESTAMP: {
            int64_t ms;
            char ts[25];
            memcpy(&ms, at, sizeof ms);
            if (cfc_timestamp_format(ms, ts) != 0)
                snprintf(ts, sizeof ts, "0001-01-01T00:00:00.000Z");
            m->str = g->strs + g->strs_used;
            if (g->strs_used + 25 <= sizeof g->strs) {
                memcpy(g->strs + g->strs_used, ts, 25);
                g->strs_used += 25;
            } else {
                m->str = "2025-11-08T14:30:45.123Z";
            }
            m->str_len = CFC_TIMESTAMP_LEN;
            write_string(g, &g->vals, m->str, m->str_len);
            break;
        }
        }
        end_value(g, m);
    }
    return d;
}

/* Replaces a member's value with raw JSON text. */
static void set_raw(cfc_generator *g, gmember *m, const char *text, size_t len)
{
    m->val_at = g->vals.len;
    put(&g->vals, text, len);
    m->val_len = len;
    m->sub = -1;
}

static void ws(cfc_generator *g, buf *b)
{
    if (g->noisy && chance(g, 1, 6)) {
        static const char *const spaces[] = {" ", "  ", "\t", " \t ", "    "};
        puts_(b, PICK(g, spaces));
    }
}

static void serialise(cfc_generator *g, buf *b, int d)
{
    gdoc *doc = &g->docs[d];
    size_t order[MAX_MEMBERS];
    for (size_t i = 0; i < doc->n; i++)
        order[i] = i;
    if (g->noisy && chance(g, 1, 4)) {
        for (size_t i = doc->n; i > 1; i--) {
            size_t j = below(g, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    }
    putc_(b, '{');
    for (size_t k = 0; k < doc->n; k++) {
        gmember *m = &doc->m[order[k]];
        if (k && !(d == 0 && g->drop_comma == (int)k))
            putc_(b, ',');
        ws(g, b);
        write_string(g, b, m->key, m->key_len);
        ws(g, b);
        putc_(b, ':');
        ws(g, b);
        if (m->sub >= 0)
            serialise(g, b, m->sub);
        else
            put(b, g->vals.p + m->val_at, m->val_len);
        ws(g, b);
    }
    putc_(b, '}');
}

/* ---- picking what to break -------------------------------------------------- */

typedef struct mref {
    gmember *m;
    gdoc *doc;
} mref;

typedef bool (*member_pred)(const gmember *m);

static bool pick_member(cfc_generator *g, member_pred pred, mref *out)
{
    mref cands[MAX_MEMBERS * MAX_DOCS];
    size_t n = 0;
    for (size_t d = 0; d < g->n_docs; d++) {
        for (size_t i = 0; i < g->docs[d].n; i++) {
            if (pred(&g->docs[d].m[i]))
                cands[n++] = (mref){&g->docs[d].m[i], &g->docs[d]};
        }
    }
    if (n == 0)
        return false;
    *out = cands[below(g, n)];
    return true;
}

static bool is_field(const gmember *m)
{
    return m->field != NULL;
}

static bool is_required(const gmember *m)
{
    return m->field && m->field->required;
}

static bool is_text(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_STRING || m->field->kind == CFC_KIND_IDENT);
}

static bool is_ident_or_type(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_IDENT || m->field->kind == CFC_KIND_TYPE);
}

static bool is_free_enum(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_ENUM && !m->field->fixed_string;
}

static bool is_int(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_ID || m->field->kind == CFC_KIND_COUNT ||
                        m->field->kind == CFC_KIND_ORDINAL || m->field->kind == CFC_KIND_PERCENT);
}

static bool is_ints(const gmember *m)
{
    return is_int(m) || (m->field && m->field->kind == CFC_KIND_ID_ARRAY);
}

static bool is_type(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_TYPE;
}

static bool is_timestamp(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_TIMESTAMP;
}

/* Integer values of the typed event, for breakers that move one out of its
 * range: fields of the kinds in `mask` (1 << kind), ID array items as IDs. */
typedef struct islot {
    int64_t *p;
    cfc_kind kind;
} islot;

static size_t int_slots(const cfc_field *fields, const cfc__slot *slots, size_t n, char *base,
                        unsigned mask, islot *out, size_t cap, size_t k)
{
    for (size_t i = 0; i < n && k < cap; i++) {
        const cfc_field *f = &fields[i];
        if (slots[i].has != CFC__NO_FLAG && !*(bool *)(base + slots[i].has))
            continue;
        char *at = base + slots[i].off;
        if (f->kind == CFC_KIND_OBJECT) {
            k = int_slots(f->members, slots[i].members, f->n_members, at, mask, out, cap, k);
        } else if (f->kind == CFC_KIND_ID_ARRAY && (mask & (1u << CFC_KIND_ID))) {
            cfc_id_array a;
            memcpy(&a, at, sizeof a);
            for (size_t j = 0; j < a.len && k < cap; j++)
                out[k++] = (islot){&a.items[j], CFC_KIND_ID};
        } else if (mask & (1u << f->kind)) {
            out[k++] = (islot){(int64_t *)(void *)at, f->kind};
        }
    }
    return k;
}

static bool pick_int(cfc_generator *g, unsigned mask, islot *out)
{
    islot s[MAX_IDS + 32];
    const cfc_event_type *t = cfc_contract_get(g->ev.type);
    size_t n = int_slots(t->fields, cfc__event_slots[t->id], t->n_fields, (char *)&g->ev, mask, s,
                         sizeof s / sizeof s[0], 0);
    if (n == 0)
        return false;
    *out = s[below(g, n)];
    return true;
}

#define KIND(k) (1u << CFC_KIND_##k)
#define INT_KINDS (KIND(ID) | KIND(COUNT) | KIND(ORDINAL) | KIND(PERCENT))

/* A string member's value rewritten with raw `insert` (bytes or escape text)
 * at a character boundary. */
static void insert_in_string(cfc_generator *g, gmember *m, const char *insert, size_t ins_len)
{
    size_t len = m->str_len, cut = 0;
    if (len && chance(g, 1, 2)) {
        /* A character boundary: not inside a UTF-8 sequence. */
        cut = below(g, len + 1);
        while (cut < len && (((unsigned char)m->str[cut]) & 0xC0) == 0x80)
            cut++;
    }
    size_t at = g->vals.len;
    putc_(&g->vals, '"');
    write_chars(g, &g->vals, m->str, cut);
    put(&g->vals, insert, ins_len);
    write_chars(g, &g->vals, m->str + cut, len - cut);
    putc_(&g->vals, '"');
    m->val_at = at;
    m->val_len = g->vals.len - at;
}

/* ---- breakers ------------------------------------------------------------- */

/* Each breaker edits the typed value (pre), the document (doc) or the text
 * (text); a stage returns false when this event has nothing it can break,
 * and the generator starts again from another valid event. */
typedef struct breaker {
    cfc_rule rule;
    cfc_event_id type; /* CFC_EV_COUNT: any */
    bool (*pre)(cfc_generator *g);
    bool (*doc)(cfc_generator *g);
    void (*text)(cfc_generator *g);
} breaker;

static bool b_syntax_doc(cfc_generator *g)
{
    static const char *const tokens[] = {
        "None", "True", "'single'", "01",  "1.",   "+1", ".5",  "NaN",       "Infinity",
        "-",    "[1,]", "{,}",      "tru", "0x10", "1e", "--1", "\"\\x41\"", "\"\\u12\""};
    mref r;
    switch (below(g, 3)) {
    case 0:
        if (!pick_member(g, is_field, &r))
            return false;
        const char *tok = PICK(g, tokens);
        set_raw(g, r.m, tok, strlen(tok));
        return true;
    case 1:
        if (g->docs[0].n < 2)
            return false;
        g->drop_comma = 1 + (int)below(g, g->docs[0].n - 1);
        return true;
    default:
        g->text_break = true; /* the text stage breaks it */
        return true;
    }
}

static void b_syntax_text(cfc_generator *g)
{
    if (!g->text_break)
        return;
    buf *b = &g->out;
    switch (below(g, 3)) {
    case 0: { /* a trailing comma */
        b->len--;
        puts_(b, ",}");
        break;
    }
    case 1: { /* truncated outside any string: no escape or UTF-8 sequence is cut */
        size_t cut = 1 + below(g, b->len - 1), last_outside = 1;
        bool in_string = false;
        for (size_t i = 0; i < cut; i++) {
            if (!in_string)
                last_outside = i;
            if (b->p[i] == '\\' && in_string)
                i++;
            else if (b->p[i] == '"')
                in_string = !in_string;
        }
        b->len = in_string ? (last_outside ? last_outside : 1) : cut;
        b->p[b->len] = '\0';
        break;
    }
    default: {
        static const char *const tails[] = {" x", "}", ",", "{}", " null", "\"", "]"};
        puts_(b, PICK(g, tails));
        break;
    }
    }
}

static bool b_control_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_text, &r))
        return false;
    char c = chance(g, 1, 2) ? '\t' : (char)(1 + below(g, 31));
    if (c == '\n' || c == '\r') /* a raw newline would end the NDJSON line */
        c = '\x01';
    insert_in_string(g, r.m, &c, 1);
    return true;
}

static bool b_utf8_doc(cfc_generator *g)
{
    static const char *const bad[] = {
        "\xC0\xAF",         "\xFF", "\xED\xA0\x80",         "\xE2\x82", "\x80",
        "\xF4\x90\x80\x80", "\xC3", "\xF8\x88\x80\x80\x80", "\xFE"};
    mref r;
    if (!pick_member(g, is_text, &r))
        return false;
    const char *s = PICK(g, bad);
    insert_in_string(g, r.m, s, strlen(s));
    return true;
}

static bool b_nul_byte_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_text, &r))
        return false;
    insert_in_string(g, r.m, "\0", 1);
    return true;
}

static bool b_surrogate_doc(cfc_generator *g)
{
    static const char *const bad[] = {"\\ud83d", "\\ude00",        "\\uD800",
                                      "\\uDFFF", "\\ud83d\\u0041", "\\ude00\\ud83d"};
    mref r;
    if (!pick_member(g, is_text, &r))
        return false;
    const char *s = PICK(g, bad);
    insert_in_string(g, r.m, s, strlen(s));
    return true;
}

static bool b_nul_escape_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_text, &r))
        return false;
    insert_in_string(g, r.m, "\\u0000", 6);
    return true;
}

static void b_bom_text(cfc_generator *g)
{
    buf t = {0};
    put(&t, "\xEF\xBB\xBF", 3);
    put(&t, g->out.p, g->out.len);
    free(g->out.p);
    if (t.nomem) {
        g->out.p = NULL;
        g->out.nomem = true;
        free(t.p);
        return;
    }
    g->out = t;
}

static void b_not_object_text(cfc_generator *g)
{
    static const char *const others[] = {"[]", "42", "\"agent_created\"", "null", "true", "[{}]"};
    if (chance(g, 1, 2)) {
        buf t = {0};
        putc_(&t, '[');
        put(&t, g->out.p, g->out.len);
        putc_(&t, ']');
        free(g->out.p);
        g->out = t;
    } else {
        g->out.len = 0;
        puts_(&g->out, PICK(g, others));
    }
}

static bool b_duplicate_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_field, &r) || r.doc->n == MAX_MEMBERS)
        return false;
    size_t at = below(g, r.doc->n + 1);
    memmove(&r.doc->m[at + 1], &r.doc->m[at], (r.doc->n - at) * sizeof r.doc->m[0]);
    r.doc->n++;
    /* r.m may have moved one place up. */
    gmember *src = r.m >= &r.doc->m[at] ? r.m + 1 : r.m;
    r.doc->m[at] = *src;
    return true;
}

static bool b_missing_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_required, &r))
        return false;
    size_t i = (size_t)(r.m - r.doc->m);
    memmove(&r.doc->m[i], &r.doc->m[i + 1], (r.doc->n - i - 1) * sizeof r.doc->m[0]);
    r.doc->n--;
    return true;
}

static bool b_int_form_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_ints, &r))
        return false;
    /* The value's digits, rewritten: a fraction, an exponent, or -0. */
    char digits[64], bad[96];
    int64_t v = 0;
    if (r.m->field->kind == CFC_KIND_ID_ARRAY) {
        const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
        if (a->len == 0)
            return false;
        size_t k = below(g, a->len);
        v = a->items[k];
        snprintf(digits, sizeof digits, "%" PRId64, v);
        static const char *const forms[] = {"%s.0", "%se0", "%sE0", "%s.0e0", "%s.000", "%sE+0"};
        snprintf(bad, sizeof bad, PICK(g, forms), digits);
        size_t at = g->vals.len;
        write_ids(&g->vals, a->items, a->len, k, bad);
        r.m->val_at = at;
        r.m->val_len = g->vals.len - at;
        return true;
    }
    memcpy(digits, g->vals.p + r.m->val_at, r.m->val_len < 63 ? r.m->val_len : 63);
    digits[r.m->val_len < 63 ? r.m->val_len : 63] = '\0';
    switch (below(g, 7)) {
    case 0: snprintf(bad, sizeof bad, "%s.0", digits); break;
    case 1: snprintf(bad, sizeof bad, "%se0", digits); break;
    case 2: snprintf(bad, sizeof bad, "%sE0", digits); break;
    case 3: snprintf(bad, sizeof bad, "%s.0e0", digits); break;
    case 4: snprintf(bad, sizeof bad, "%s.000", digits); break;
    case 5: snprintf(bad, sizeof bad, "%sE+0", digits); break;
    default: snprintf(bad, sizeof bad, "-0"); break;
    }
    set_raw(g, r.m, bad, strlen(bad));
    return true;
}

static bool b_int_unsafe_pre(cfc_generator *g)
{
    static const int64_t big[] = {CFC_MAX_SAFE_INTEGER + 1, CFC_MAX_SAFE_INTEGER + 2,
                                  INT64_C(10000000000000000), INT64_MAX};
    islot s;
    if (!pick_int(g, INT_KINDS, &s))
        return false;
    *s.p = PICK(g, big);
    return true;
}

static bool b_int_unsafe_doc(cfc_generator *g)
{
    /* Half the time, beyond int64 as well: the text only a string can hold. */
    static const char *const huge[] = {"18446744073709551616", "100000000000000000000",
                                       "9223372036854775808", "99999999999999999999999999999"};
    mref r;
    if (chance(g, 1, 2) && pick_member(g, is_int, &r)) {
        const char *h = PICK(g, huge);
        set_raw(g, r.m, h, strlen(h));
    }
    return true;
}

static bool range_pre(cfc_generator *g, unsigned mask, const int64_t *vals, size_t n)
{
    islot s;
    if (!pick_int(g, mask, &s))
        return false;
    *s.p = vals[below(g, n)];
    return true;
}

static bool b_id_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {0, -1, -2, -42, -CFC_MAX_SAFE_INTEGER};
    return range_pre(g, KIND(ID), v, sizeof v / sizeof v[0]);
}

static bool b_count_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {-1, -2, -100, -CFC_MAX_SAFE_INTEGER};
    return range_pre(g, KIND(COUNT), v, sizeof v / sizeof v[0]);
}

static bool b_percent_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {101, 150, 255, 1000, -1, -100, CFC_MAX_SAFE_INTEGER};
    /* Every type with a percentage: make an optional one present. */
    if (g->ev.type == CFC_EV_AGENT_STATUS_CHANGED)
        g->ev.u.agent_status_changed.has_progress = true;
    if (g->ev.type == CFC_EV_TASK_STATUS_CHANGED)
        g->ev.u.task_status_changed.has_progress = true;
    return range_pre(g, KIND(PERCENT), v, sizeof v / sizeof v[0]);
}

static bool b_null_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_field, &r))
        return false;
    if (r.m->field->kind == CFC_KIND_ID_ARRAY && chance(g, 1, 2)) {
        const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
        size_t at = g->vals.len;
        write_ids(&g->vals, a->items, a->len, below(g, a->len), "null");
        r.m->val_at = at;
        r.m->val_len = g->vals.len - at;
        r.m->sub = -1;
        return true;
    }
    set_raw(g, r.m, "null", 4);
    return true;
}

static bool b_wrong_type_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_field, &r))
        return false;
    static const char *const for_numbers[] = {"\"42\"", "true", "false", "[]", "{}", "[1]", "\"\""};
    static const char *const for_strings[] = {"42", "true", "[]", "{}", "1.5", "[\"a\"]", "false"};
    static const char *const for_arrays[] = {"{}", "\"1,2\"", "42", "true", "{\"0\":1}"};
    static const char *const for_objects[] = {"\"task\"", "42", "[]", "true", "[{\"id\":1}]"};
    switch (r.m->field->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT:
    case CFC_KIND_NUMBER: {
        const char *s = PICK(g, for_numbers);
        set_raw(g, r.m, s, strlen(s));
        return true;
    }
    case CFC_KIND_ID_ARRAY: {
        if (chance(g, 1, 2)) {
            const char *s = PICK(g, for_arrays);
            set_raw(g, r.m, s, strlen(s));
        } else { /* an item of the wrong type */
            const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
            size_t k = below(g, a->len);
            char q[40];
            snprintf(q, sizeof q, "\"%" PRId64 "\"", a->items[k]);
            size_t at = g->vals.len;
            write_ids(&g->vals, a->items, a->len, k, q);
            r.m->val_at = at;
            r.m->val_len = g->vals.len - at;
        }
        return true;
    }
    case CFC_KIND_OBJECT: {
        const char *s = PICK(g, for_objects);
        set_raw(g, r.m, s, strlen(s));
        return true;
    }
    default: {
        const char *s = PICK(g, for_strings);
        set_raw(g, r.m, s, strlen(s));
        return true;
    }
    }
}

static bool b_enum_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_free_enum, &r))
        return false;
    /* Near misses: case, separators, spaces, a neighbour's value, empty. */
    static const char *const others[] = {
        "done", "success", "working", "passed",  "pending", "in-progress", "InProgress",
        "",     "unknown", "null",    "running", "error",   "idle",        "timeout"};
    char v[96];
    for (int tries = 0; tries < 16; tries++) {
        snprintf(v, sizeof v, "%s", r.m->str);
        switch (below(g, 5)) {
        case 0: v[0] = (char)(v[0] >= 'a' && v[0] <= 'z' ? v[0] - 32 : v[0]); break;
        case 1:
            for (char *p = v; *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            break;
        case 2: strncat(v, " ", sizeof v - strlen(v) - 1); break;
        case 3:
            for (char *p = v; *p; p++)
                *p = *p == '_' ? '-' : *p;
            break;
        default: snprintf(v, sizeof v, "%s", PICK(g, others)); break;
        }
        if (!cfc_field_allows(r.m->field, v, strlen(v))) {
            size_t at = g->vals.len;
            write_string(g, &g->vals, v, strlen(v));
            r.m->val_at = at;
            r.m->val_len = g->vals.len - at;
            return true;
        }
    }
    return false;
}

static bool b_unknown_field_doc(cfc_generator *g)
{
    static const char *const names[] = {"reason", "extra",    "agentId",
                                        "Type",   "task_ID",  "timestamp_ms",
                                        "v",      "metadata", "\xC3\xA9tat"};
    static const char *const values[] = {"1", "\"x\"", "true", "null", "[]", "{}", "[1,2]", "1.5"};
    gdoc *doc = &g->docs[g->n_docs > 1 && chance(g, 1, 3) ? 1 + below(g, g->n_docs - 1) : 0];
    const char *name = PICK(g, names);
    for (size_t i = 0; i < doc->n_fields; i++) {
        if (strcmp(doc->fields[i].name, name) == 0)
            return false;
    }
    gmember *m = add_member(g, doc, name, NULL);
    if (m == NULL)
        return false;
    const char *v = PICK(g, values);
    set_raw(g, m, v, strlen(v));
    /* Not always last: anywhere among the members. */
    size_t at = below(g, doc->n);
    gmember t = doc->m[doc->n - 1];
    memmove(&doc->m[at + 1], &doc->m[at], (doc->n - 1 - at) * sizeof t);
    doc->m[at] = t;
    return true;
}

static bool b_unknown_type_doc(cfc_generator *g)
{
    static const char *const names[] = {
        "heartbeat",     "commit_created", "blocker_created",
        "Agent_Created", "task_blocked ",  "agent-created",
        "TASK_ASSIGNED", "progress",       "\xC3\xA9v\xC3\xA9nement"};
    mref r;
    if (!pick_member(g, is_type, &r) || r.doc != &g->docs[0])
        return false;
    const char *n = PICK(g, names);
    size_t at = g->vals.len;
    write_string(g, &g->vals, n, strlen(n));
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    return true;
}

static bool b_empty_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_ident_or_type, &r))
        return false;
    set_raw(g, r.m, "\"\"", 2);
    return true;
}

static void b_too_large_text(cfc_generator *g)
{
    size_t max = g->o.max_event_bytes ? g->o.max_event_bytes : (size_t)1 << 20;
    size_t pad = max + 1 + below(g, 64) - (g->out.len < max ? g->out.len : max);
    buf t = {0};
    putc_(&t, '{');
    char spaces[4096];
    memset(spaces, ' ', sizeof spaces);
    for (size_t done = 0; done < pad;) {
        size_t n = pad - done < sizeof spaces ? pad - done : sizeof spaces;
        put(&t, spaces, n);
        done += n;
    }
    put(&t, g->out.p + 1, g->out.len - 1);
    free(g->out.p);
    g->out = t;
}

static bool b_too_deep_doc(cfc_generator *g)
{
    mref r;
    if (!pick_member(g, is_field, &r))
        return false;
    unsigned depth = (g->o.max_depth ? g->o.max_depth : 64) + (unsigned)below(g, 3);
    bool objects = chance(g, 1, 3);
    size_t at = g->vals.len;
    for (unsigned i = 0; i < depth; i++)
        puts_(&g->vals, objects ? "{\"d\":" : "[");
    putc_(&g->vals, '1');
    for (unsigned i = 0; i < depth; i++)
        putc_(&g->vals, objects ? '}' : ']');
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    r.m->sub = -1;
    return true;
}

/* Timestamps: the event's own, with one thing wrong. */
static bool ts_doc(cfc_generator *g, const char *const *variants, size_t n)
{
    mref r;
    if (!pick_member(g, is_timestamp, &r))
        return false;
    char ts[25], bad[64];
    memcpy(ts, r.m->str, 24);
    ts[24] = '\0';
    const char *how = variants[below(g, n)];
    /* Each variant is a printf format over the timestamp's parts:
     * date (10), time (8), fraction (3). */
    char date[11], tim[9], frac[4];
    memcpy(date, ts, 10);
    date[10] = '\0';
    memcpy(tim, ts + 11, 8);
    tim[8] = '\0';
    memcpy(frac, ts + 20, 3);
    frac[3] = '\0';
    if (strcmp(how, "range") == 0) {
        static const char *const bad_dates[] = {
            "2025-13-01T00:00:00.000Z", "2025-00-10T12:00:00.000Z", "2023-02-29T12:00:00.000Z",
            "2025-04-31T08:00:00.000Z", "2025-11-32T14:30:45.123Z", "2025-11-08T24:00:00.000Z",
            "2025-11-08T14:60:45.123Z", "2016-12-31T23:59:60.000Z", "0000-01-01T00:00:00.000Z",
            "1900-02-29T00:00:00.000Z", "2025-06-00T10:00:00.000Z", "2025-09-31T23:59:59.999Z"};
        snprintf(bad, sizeof bad, "%s", PICK(g, bad_dates));
    } else {
        snprintf(bad, sizeof bad, how[0] == '!' ? how + 1 : how, date, tim, frac);
    }
    size_t at = g->vals.len;
    write_string(g, &g->vals, bad, strlen(bad));
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    return true;
}

#define TS_BREAKER(name, ...)                                                                      \
    static bool name(cfc_generator *g)                                                             \
    {                                                                                              \
        static const char *const v[] = {__VA_ARGS__};                                              \
        return ts_doc(g, v, sizeof v / sizeof v[0]);                                               \
    }

TS_BREAKER(b_ts_format_doc, "!yesterday", "%s", "!", "!%.0s%s.%sZ", "!14:30:45.123Z",
           "!1762612245123", "!not a timestamp", "!2025", "!Sat, 08 Nov 2025 14:30:45 GMT")
TS_BREAKER(b_ts_fraction_doc, "%sT%s.%s456Z", "%sT%sZ", "%sT%s.%.1sZ", "%sT%s.%.2sZ", "%sT%s.%s4Z",
           "%sT%s.%s000000Z")
TS_BREAKER(b_ts_zone_doc, "%sT%s.%s+00:00", "%sT%s.%s-05:00", "%sT%s.%s", "%sT%s.%s+05:30")
TS_BREAKER(b_ts_case_doc, "%st%s.%sZ", "%sT%s.%sz", "%st%s.%sz")
TS_BREAKER(b_ts_separator_doc, "%s %s.%sZ", "%s_%s.%sZ")
TS_BREAKER(b_ts_range_doc, "range")

static bool b_fixed_pre(cfc_generator *g)
{
    cfc_agent_created *a = &g->ev.u.agent_created;
    if (chance(g, 1, 2))
        a->status = (cfc_agent_created_status)(1 + below(g, CFC_AGENT_CREATED_STATUS__COUNT - 1));
    else
        a->tasks_completed = 1 + (int64_t)below(g, chance(g, 1, 2) ? 100 : CFC_MAX_SAFE_INTEGER);
    return true;
}

static bool b_current_task_pre(cfc_generator *g)
{
    cfc_agent_status_changed *a = &g->ev.u.agent_status_changed;
    static const cfc_agent_status_changed_status others[] = {
        CFC_AGENT_STATUS_CHANGED_STATUS_IDLE, CFC_AGENT_STATUS_CHANGED_STATUS_BLOCKED,
        CFC_AGENT_STATUS_CHANGED_STATUS_OFFLINE};
    a->has_current_task = true;
    a->status = PICK(g, others);
    return true;
}

static bool b_progress_status_pre(cfc_generator *g)
{
    cfc_task_status_changed *a = &g->ev.u.task_status_changed;
    a->has_progress = true;
    if (chance(g, 1, 2)) {
        a->status = CFC_TASK_STATUS_CHANGED_STATUS_COMPLETED;
        a->progress = (int64_t)below(g, 100);
    } else {
        a->status = CFC_TASK_STATUS_CHANGED_STATUS_PENDING;
        a->progress = 1 + (int64_t)below(g, 100);
    }
    return true;
}

static bool b_blocked_empty_pre(cfc_generator *g)
{
    g->ev.u.task_blocked.blocked_by.len = 0;
    g->ev.u.task_blocked.blocked_count = 0;
    return true;
}

static bool b_blocked_dup_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    size_t n = a->blocked_by.len;
    g->ids[n] = g->ids[below(g, n)];
    a->blocked_by.len = n + 1;
    if (chance(g, 1, 2)) { /* not always next to each other */
        size_t i = below(g, n + 1);
        int64_t t = g->ids[i];
        g->ids[i] = g->ids[n];
        g->ids[n] = t;
    }
    a->blocked_count = (int64_t)a->blocked_by.len;
    return true;
}

static bool b_blocked_self_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    if (chance(g, 1, 2))
        g->ids[below(g, a->blocked_by.len)] = a->task_id;
    else
        g->ids[a->blocked_by.len++] = a->task_id;
    a->blocked_count = (int64_t)a->blocked_by.len;
    return true;
}

static bool b_blocked_count_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    int64_t n = (int64_t)a->blocked_by.len;
    if (chance(g, 1, 2))
        a->blocked_count = n + 1 + (int64_t)below(g, chance(g, 1, 4) ? 1000000 : 3);
    else
        a->blocked_count = (int64_t)below(g, (uint64_t)n); /* 0 .. n-1 */
    return true;
}

static bool b_unblocked_self_pre(cfc_generator *g)
{
    g->ev.u.task_unblocked.has_unblocked_by = true;
    g->ev.u.task_unblocked.unblocked_by = g->ev.u.task_unblocked.task_id;
    return true;
}

static bool b_duration_pre(cfc_generator *g)
{
    static const double neg[] = {-0.5, -1.0, -3600.0, -1e-300, -1e300};
    g->ev.u.test_result.duration = PICK(g, neg);
    return true;
}

static bool b_duration_doc(cfc_generator *g)
{
    static const char *const inf[] = {"1e400", "1E999", "-1e400"};
    mref r;
    if (chance(g, 1, 3)) {
        for (size_t i = 0; i < g->docs[0].n; i++) {
            r.m = &g->docs[0].m[i];
            if (r.m->field && r.m->field->kind == CFC_KIND_NUMBER) {
                const char *s = PICK(g, inf);
                set_raw(g, r.m, s, strlen(s));
            }
        }
    }
    return true;
}

static bool b_test_passed_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_PASSED;
    if (chance(g, 1, 2))
        a->failed = 1 + (int64_t)below(g, 50);
    else
        a->errors = 1 + (int64_t)below(g, 50);
    return true;
}

static bool b_test_failed_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_FAILED;
    a->failed = a->errors = 0;
    return true;
}

static bool b_test_no_tests_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_NO_TESTS;
    a->passed = a->failed = a->errors = 0;
    int64_t *which[] = {&a->passed, &a->failed, &a->errors};
    *which[below(g, 3)] = 1 + (int64_t)below(g, 100);
    return true;
}

static bool b_attempt_pre(cfc_generator *g)
{
    cfc_correction_attempt *a = &g->ev.u.correction_attempt;
    switch (below(g, 3)) {
    case 0: a->attempt_number = 0; break;
    case 1: a->max_attempts = 0; break;
    default:
        if (a->max_attempts > CFC_MAX_SAFE_INTEGER - 4)
            a->max_attempts = 3;
        a->attempt_number = a->max_attempts + 1 + (int64_t)below(g, 3);
        break;
    }
    return true;
}

static bool b_summary_pre(cfc_generator *g)
{
    cfc_correction_attempt *a = &g->ev.u.correction_attempt;
    a->status = chance(g, 1, 2) ? CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS
                                : CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS;
    if (!a->has_error_summary) {
        a->has_error_summary = true;
        a->error_summary.s = (char *)"AssertionError: expected 200, got 500";
        a->error_summary.len = strlen(a->error_summary.s);
    }
    return true;
}

static bool b_completed_pre(cfc_generator *g)
{
    cfc_progress_update *a = &g->ev.u.progress_update;
    if (a->total >= CFC_MAX_SAFE_INTEGER)
        a->total = 10;
    a->completed = a->total + 1 + (int64_t)below(g, 5);
    a->percentage = (int64_t)below(g, 101);
    return true;
}

static bool b_percentage_pre(cfc_generator *g)
{
    cfc_progress_update *a = &g->ev.u.progress_update;
    if (a->total == 0) {
        a->percentage = 1 + (int64_t)below(g, 100);
        return true;
    }
    int64_t lo = a->completed * 100 / a->total;
    int64_t hi = (a->completed * 200 + a->total) / (2 * a->total);
    for (int tries = 0; tries < 32; tries++) {
        int64_t p = (int64_t)below(g, 101);
        if (p != lo && p != hi) {
            a->percentage = p;
            return true;
        }
    }
    return false;
}

static const breaker breakers[] = {
    {CFC_RULE_JSON_SYNTAX, CFC_EV_COUNT, NULL, b_syntax_doc, b_syntax_text},
    {CFC_RULE_CONTROL_CHAR, CFC_EV_COUNT, NULL, b_control_doc, NULL},
    {CFC_RULE_NOT_OBJECT, CFC_EV_COUNT, NULL, NULL, b_not_object_text},
    {CFC_RULE_UTF8_INVALID, CFC_EV_COUNT, NULL, b_utf8_doc, NULL},
    {CFC_RULE_UTF8_BOM, CFC_EV_COUNT, NULL, NULL, b_bom_text},
    {CFC_RULE_NUL_BYTE, CFC_EV_COUNT, NULL, b_nul_byte_doc, NULL},
    {CFC_RULE_LONE_SURROGATE, CFC_EV_COUNT, NULL, b_surrogate_doc, NULL},
    {CFC_RULE_NUL_ESCAPE, CFC_EV_COUNT, NULL, b_nul_escape_doc, NULL},
    {CFC_RULE_DUPLICATE_KEY, CFC_EV_COUNT, NULL, b_duplicate_doc, NULL},
    {CFC_RULE_MISSING_FIELD, CFC_EV_COUNT, NULL, b_missing_doc, NULL},
    {CFC_RULE_INT_FORM, CFC_EV_COUNT, NULL, b_int_form_doc, NULL},
    {CFC_RULE_INT_UNSAFE, CFC_EV_COUNT, b_int_unsafe_pre, b_int_unsafe_doc, NULL},
    {CFC_RULE_ID_RANGE, CFC_EV_COUNT, b_id_range_pre, NULL, NULL},
    {CFC_RULE_COUNT_RANGE, CFC_EV_COUNT, b_count_range_pre, NULL, NULL},
    {CFC_RULE_NULL_VALUE, CFC_EV_COUNT, NULL, b_null_doc, NULL},
    {CFC_RULE_WRONG_TYPE, CFC_EV_COUNT, NULL, b_wrong_type_doc, NULL},
    {CFC_RULE_ENUM_VALUE, CFC_EV_COUNT, NULL, b_enum_doc, NULL},
    {CFC_RULE_UNKNOWN_FIELD, CFC_EV_COUNT, NULL, b_unknown_field_doc, NULL},
    {CFC_RULE_UNKNOWN_TYPE, CFC_EV_COUNT, NULL, b_unknown_type_doc, NULL},
    {CFC_RULE_EMPTY_STRING, CFC_EV_COUNT, NULL, b_empty_doc, NULL},
    {CFC_RULE_TOO_LARGE, CFC_EV_COUNT, NULL, NULL, b_too_large_text},
    {CFC_RULE_TOO_DEEP, CFC_EV_COUNT, NULL, b_too_deep_doc, NULL},
    {CFC_RULE_TS_FORMAT, CFC_EV_COUNT, NULL, b_ts_format_doc, NULL},
    {CFC_RULE_TS_FRACTION, CFC_EV_COUNT, NULL, b_ts_fraction_doc, NULL},
    {CFC_RULE_TS_ZONE, CFC_EV_COUNT, NULL, b_ts_zone_doc, NULL},
    {CFC_RULE_TS_CASE, CFC_EV_COUNT, NULL, b_ts_case_doc, NULL},
    {CFC_RULE_TS_SEPARATOR, CFC_EV_COUNT, NULL, b_ts_separator_doc, NULL},
    {CFC_RULE_TS_RANGE, CFC_EV_COUNT, NULL, b_ts_range_doc, NULL},
    {CFC_RULE_FIXED_VALUE, CFC_EV_AGENT_CREATED, b_fixed_pre, NULL, NULL},
    {CFC_RULE_PERCENT_RANGE, CFC_EV_COUNT, b_percent_range_pre, NULL, NULL},
    {CFC_RULE_CURRENT_TASK_STATUS, CFC_EV_AGENT_STATUS_CHANGED, b_current_task_pre, NULL, NULL},
    {CFC_RULE_PROGRESS_STATUS, CFC_EV_TASK_STATUS_CHANGED, b_progress_status_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_EMPTY, CFC_EV_TASK_BLOCKED, b_blocked_empty_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_DUPLICATE, CFC_EV_TASK_BLOCKED, b_blocked_dup_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_SELF, CFC_EV_TASK_BLOCKED, b_blocked_self_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_COUNT, CFC_EV_TASK_BLOCKED, b_blocked_count_pre, NULL, NULL},
    {CFC_RULE_UNBLOCKED_BY_SELF, CFC_EV_TASK_UNBLOCKED, b_unblocked_self_pre, NULL, NULL},
    {CFC_RULE_DURATION_RANGE, CFC_EV_TEST_RESULT, b_duration_pre, b_duration_doc, NULL},
    {CFC_RULE_TEST_PASSED_FAILURES, CFC_EV_TEST_RESULT, b_test_passed_pre, NULL, NULL},
    {CFC_RULE_TEST_FAILED_NO_FAILURES, CFC_EV_TEST_RESULT, b_test_failed_pre, NULL, NULL},
    {CFC_RULE_TEST_NO_TESTS_COUNTS, CFC_EV_TEST_RESULT, b_test_no_tests_pre, NULL, NULL},
    {CFC_RULE_ATTEMPT_RANGE, CFC_EV_CORRECTION_ATTEMPT, b_attempt_pre, NULL, NULL},
    {CFC_RULE_SUMMARY_NOT_FAILED, CFC_EV_CORRECTION_ATTEMPT, b_summary_pre, NULL, NULL},
    {CFC_RULE_COMPLETED_EXCEEDS_TOTAL, CFC_EV_PROGRESS_UPDATE, b_completed_pre, NULL, NULL},
    {CFC_RULE_PERCENTAGE_MISMATCH, CFC_EV_PROGRESS_UPDATE, b_percentage_pre, NULL, NULL},
};
#define N_BREAKERS (sizeof breakers / sizeof breakers[0])

static const breaker *breaker_for(cfc_rule rule)
{
    for (size_t i = 0; i < N_BREAKERS; i++) {
        if (breakers[i].rule == rule)
            return &breakers[i];
    }
    return NULL;
}

bool cfc_gen_rule_supported(cfc_rule rule)
{
    return breaker_for(rule) != NULL;
}

bool cfc_gen_rule_default(cfc_rule rule)
{
    return cfc_gen_rule_supported(rule) && rule != CFC_RULE_TOO_LARGE;
}

const char *cfc_gen_rule_unsupported_reason(cfc_rule rule)
{
    const cfc_rule_info *info = cfc_rule_get(rule);
    if (info == NULL)
        return "no such rule";
    if (cfc_gen_rule_supported(rule))
        return NULL;
    if (rule == CFC_RULE_TEXT_FRAME)
        return "text-frame is a WebSocket framing fault (a binary or unfinished message), not "
               "the bytes of an event";
    if (info->reference[0] == 'S' || strstr(info->reference, "S6"))
        return "a stream rule: one event cannot break it (--stream generates conforming streams)";
    return "the generator has no breaker for it";
}

/* ---- the stream ------------------------------------------------------------ */

static stream_task *stream_task_new(cfc_generator *g)
{
    if (g->n_tasks == STREAM_TASKS) /* forget the oldest: tasks finish */
        memmove(&g->tasks[0], &g->tasks[1], (STREAM_TASKS - 1) * sizeof g->tasks[0]);
    else
        g->n_tasks++;
    stream_task *t = &g->tasks[g->n_tasks - 1];
    memset(t, 0, sizeof *t);
    t->id = g->next_task++;
    t->attempt_status = -1;
    return t;
}

static stream_task *stream_task_any(cfc_generator *g)
{
    if (g->n_tasks == 0 || chance(g, 1, 6))
        return stream_task_new(g);
    return &g->tasks[below(g, g->n_tasks)];
}

static cfc_text agent_text(cfc_generator *g, size_t i)
{
    (void)g;
    cfc_text t = {g->agents[i], strlen(g->agents[i])};
    return t;
}

/* One event of a coherent multi-agent project: the valid event of a type,
 * then the fields the stream rules look at set from the simulation. */
static void stream_event(cfc_generator *g)
{
    g->now_ms += chance(g, 1, 8) ? 0 : (int64_t)below(g, 5000);
    cfc_event_id type;
    if (g->n_agents < 2 || (g->n_agents < STREAM_AGENTS && chance(g, 1, 12)))
        type = CFC_EV_AGENT_CREATED;
    else if (g->n_agents > 3 && chance(g, 1, 30))
        type = CFC_EV_AGENT_RETIRED;
    else {
        static const cfc_event_id others[] = {
            CFC_EV_AGENT_STATUS_CHANGED, CFC_EV_TASK_ASSIGNED,      CFC_EV_TASK_STATUS_CHANGED,
            CFC_EV_TASK_BLOCKED,         CFC_EV_TASK_UNBLOCKED,     CFC_EV_TEST_RESULT,
            CFC_EV_ACTIVITY_UPDATE,      CFC_EV_CORRECTION_ATTEMPT, CFC_EV_PROGRESS_UPDATE};
        type = PICK(g, others);
    }
    make_valid(g, type, false);
    cfc_event *ev = &g->ev;
    ev->project_id = g->project;
    ev->timestamp_ms = g->now_ms;
    size_t agent = below(g, g->n_agents ? g->n_agents : 1);
    switch (type) {
    case CFC_EV_AGENT_CREATED: {
        size_t no = g->next_agent++;
        snprintf(g->agents[g->n_agents], sizeof g->agents[0],
                 chance(g, 1, 5) ? "ag\xC3\xA9nt-%03zu" : "worker-%03zu", no);
        ev->u.agent_created.agent_id = agent_text(g, g->n_agents);
        g->n_agents++;
        break;
    }
    case CFC_EV_AGENT_RETIRED: {
        /* The retired agent's ID moves into the string arena: the event
         * still needs it after the pool forgets the agent. */
        size_t len = strlen(g->agents[agent]);
        char *copy = g->strs + g->strs_used;
        memcpy(copy, g->agents[agent], len + 1);
        g->strs_used += len + 1;
        ev->u.agent_retired.agent_id = (cfc_text){copy, len};
        memmove(&g->agents[agent], &g->agents[agent + 1],
                (g->n_agents - agent - 1) * sizeof g->agents[0]);
        g->n_agents--;
        break;
    }
    case CFC_EV_AGENT_STATUS_CHANGED:
        ev->u.agent_status_changed.agent_id = agent_text(g, agent);
        break;
    case CFC_EV_TASK_ASSIGNED:
        ev->u.task_assigned.agent_id = agent_text(g, agent);
        ev->u.task_assigned.task_id = stream_task_any(g)->id;
        break;
    case CFC_EV_TASK_STATUS_CHANGED:
        ev->u.task_status_changed.agent_id = agent_text(g, agent);
        ev->u.task_status_changed.task_id = stream_task_any(g)->id;
        break;
    case CFC_EV_ACTIVITY_UPDATE: ev->u.activity_update.agent_id = agent_text(g, agent); break;
    case CFC_EV_TASK_BLOCKED: {
        stream_task *t = stream_task_new(g);
        cfc_task_blocked *a = &ev->u.task_blocked;
        a->task_id = t->id;
        size_t n = a->blocked_by.len < 8 ? a->blocked_by.len : 8;
        a->blocked_by.len = gen_ids(g, t->id, n);
        a->blocked_count = (int64_t)a->blocked_by.len;
        memcpy(t->blockers, a->blocked_by.items, a->blocked_by.len * sizeof t->blockers[0]);
        t->n_blockers = a->blocked_by.len;
        t->blocked = true;
        break;
    }
    case CFC_EV_TASK_UNBLOCKED: {
        stream_task *t = NULL;
        for (size_t i = 0; i < g->n_tasks && t == NULL; i++) {
            if (g->tasks[i].blocked)
                t = &g->tasks[i];
        }
        if (t == NULL) { /* nothing is blocked: block something instead */
            t = stream_task_new(g);
            make_valid(g, CFC_EV_TASK_BLOCKED, false);
            ev->project_id = g->project;
            ev->timestamp_ms = g->now_ms;
            cfc_task_blocked *a = &ev->u.task_blocked;
            a->task_id = t->id;
            a->blocked_by.len = gen_ids(g, t->id, 1 + below(g, 4));
            a->blocked_count = (int64_t)a->blocked_by.len;
            memcpy(t->blockers, a->blocked_by.items, a->blocked_by.len * sizeof t->blockers[0]);
            t->n_blockers = a->blocked_by.len;
            t->blocked = true;
            break;
        }
        cfc_task_unblocked *a = &ev->u.task_unblocked;
        a->task_id = t->id;
        a->has_unblocked_by = t->n_blockers > 0 && chance(g, 3, 4);
        if (a->has_unblocked_by)
            a->unblocked_by = t->blockers[below(g, t->n_blockers)];
        t->blocked = false;
        break;
    }
    case CFC_EV_TEST_RESULT: ev->u.test_result.task_id = stream_task_any(g)->id; break;
    case CFC_EV_CORRECTION_ATTEMPT: {
        stream_task *t = stream_task_any(g);
        cfc_correction_attempt *a = &ev->u.correction_attempt;
        a->task_id = t->id;
        if (t->attempt_status < 0 || t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS ||
            (t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_FAILED &&
             t->attempt == t->max_attempts)) {
            t->max_attempts = 1 + (int64_t)below(g, 5);
            t->attempt = 1;
            a->status = CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS;
        } else if (t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS) {
            a->status = chance(g, 1, 2) ? CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS
                                        : CFC_CORRECTION_ATTEMPT_STATUS_FAILED;
        } else { /* failed below max: the next attempt */
            t->attempt++;
            a->status = CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS;
        }
        a->attempt_number = t->attempt;
        a->max_attempts = t->max_attempts;
        t->attempt_status = (int)a->status;
        if (a->status != CFC_CORRECTION_ATTEMPT_STATUS_FAILED)
            a->has_error_summary = false;
        break;
    }
    case CFC_EV_PROGRESS_UPDATE: {
        cfc_progress_update *a = &ev->u.progress_update;
        if (g->total == 0 || chance(g, 1, 10))
            g->total += 1 + (int64_t)below(g, 5);
        if (g->done < g->total && chance(g, 1, 2))
            g->done++;
        a->completed = g->done;
        a->total = g->total;
        a->percentage = chance(g, 1, 2) ? a->completed * 100 / a->total
                                        : (a->completed * 200 + a->total) / (2 * a->total);
        break;
    }
    default: break;
    }
}

/* ---- the generator's entry points ------------------------------------------ */

cfc_generator *cfc_generator_new(const cfc_gen_options *opts)
{
    cfc_gen_options o = {0};
    if (opts)
        o = *opts;
    if (o.invalid_fraction < 0 || o.invalid_fraction > 1 ||
        o.invalid_fraction != o.invalid_fraction)
        return NULL;
    if (o.stream && o.invalid_fraction > 0)
        return NULL;
    if (o.one_rule && !cfc_gen_rule_supported(o.rule))
        return NULL;
    cfc_generator *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->o = o;
    cfc_generator_reseed(g, o.seed);
    g->now_ms = INT64_C(1762612245123);
    g->project = 1;
    g->next_task = 1;
    return g;
}

void cfc_generator_reseed(cfc_generator *g, uint64_t seed)
{
    if (g == NULL)
        return;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix(&x);
}

void cfc_generator_free(cfc_generator *g)
{
    if (g == NULL)
        return;
    free(g->vals.p);
    free(g->out.p);
    free(g);
}

static void begin_event(cfc_generator *g)
{
    g->strs_used = 0;
    g->n_docs = 0;
    g->vals.len = 0;
    g->vals.nomem = false;
    g->out.len = 0;
    g->out.nomem = false;
    g->drop_comma = 0;
    g->text_break = false;
    g->noisy = !g->o.plain && chance(g, 1, 3);
}

static void write_event(cfc_generator *g)
{
    const cfc_event_type *t = cfc_contract_get(g->ev.type);
    to_doc(g, t->fields, cfc__event_slots[t->id], t->n_fields, (const char *)&g->ev);
}

int cfc_generator_next(cfc_generator *g, cfc_gen_event *out)
{
    if (g == NULL || out == NULL)
        return -1;
    bool invalid =
        g->o.invalid_fraction > 0 &&
        (g->o.invalid_fraction >= 1 || (double)(rnd(g) >> 11) * 0x1.0p-53 < g->o.invalid_fraction);
    if (!invalid) {
        begin_event(g);
        if (g->o.stream)
            stream_event(g);
        else
            make_valid(g, CFC_EV_COUNT, !g->o.random_only);
        write_event(g);
        serialise(g, &g->out, 0);
        if (g->vals.nomem || g->out.nomem)
            return -1;
        *out = (cfc_gen_event){g->out.p, g->out.len, true, CFC_RULE_COUNT, &g->ev};
        return 0;
    }

    const breaker *b = NULL;
    if (!g->o.one_rule) {
        size_t n = 0;
        const breaker *usable[N_BREAKERS];
        for (size_t i = 0; i < N_BREAKERS; i++) {
            if (cfc_gen_rule_default(breakers[i].rule))
                usable[n++] = &breakers[i];
        }
        b = usable[below(g, n)];
    } else {
        b = breaker_for(g->o.rule);
    }
    if (b == NULL)
        return -1;
    for (int tries = 0; tries < 256; tries++) {
        begin_event(g);
        make_valid(g, b->type, false);
        if (b->pre && !b->pre(g))
            continue;
        write_event(g);
        if (b->doc && !b->doc(g))
            continue;
        serialise(g, &g->out, 0);
        if (b->text)
            b->text(g);
        if (g->vals.nomem || g->out.nomem || g->out.p == NULL)
            return -1;
        *out = (cfc_gen_event){g->out.p, g->out.len, false, b->rule, NULL};
        return 0;
    }
    return -1;
}
