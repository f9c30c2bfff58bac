/* SPDX-License-Identifier: MIT */
/*
 * The generator's insides, shared by its files (conformance/decode/):
 *
 *   generate.c         the entry points: options, seeding, one event
 *   generate_valid.c   valid events: typed values from the contract table,
 *                      the cross-field rules made true, coverage of enums
 *                      and optional fields
 *   generate_doc.c     mutation: the event as an editable document of raw
 *                      JSON members, its serialisation with lexical
 *                      variety, and picking the member or integer to edit
 *   generate_break.c   one-rule violations: a breaker per rule
 *   generate_stream.c  coherent multi-agent streams
 *
 * Not a public header: cfc/generate.h is the API. The random number helpers
 * and output buffers are static inline so that every file draws from the
 * same xoshiro256** state in the same order as before the split: the same
 * seed gives byte-identical output (tests/test_generate.c holds it to that).
 */
#ifndef CFC_GENERATE_INTERNAL_H
#define CFC_GENERATE_INTERNAL_H

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

static inline void put(buf *b, const void *s, size_t n)
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

static inline void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static inline void putc_(buf *b, char c)
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
static inline uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rnd(cfc_generator *g)
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
static inline uint64_t below(cfc_generator *g, uint64_t n)
{
    return n ? rnd(g) % n : 0;
}

static inline bool chance(cfc_generator *g, unsigned num, unsigned den)
{
    return below(g, den) < num;
}

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])

/* ---- mutation: picking what to break (generate_doc.c) ----------------------- */

typedef struct mref {
    gmember *m;
    gdoc *doc;
} mref;

typedef bool (*member_pred)(const gmember *m);

/* Integer values of the typed event, for breakers that move one out of its
 * range: fields of the kinds in `mask` (1 << kind), ID array items as IDs. */
typedef struct islot {
    int64_t *p;
    cfc_kind kind;
} islot;

#define KIND(k) (1u << CFC_KIND_##k)
#define INT_KINDS (KIND(ID) | KIND(COUNT) | KIND(ORDINAL) | KIND(PERCENT))

/* ---- one-rule violations (generate_break.c) ---------------------------------- */

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

/* A breaker for the next invalid event: the rule asked for, or one of the
 * default rules at random. NULL if none. */
const breaker *cfc__gen_breaker_pick(cfc_generator *g);

/* ---- valid events (generate_valid.c) --------------------------------------- */

size_t cfc__gen_n_values(const cfc_field *f);
size_t cfc__gen_gen_ids(cfc_generator *g, int64_t not, size_t n);
void cfc__gen_make_valid(cfc_generator *g, cfc_event_id type, bool cover);

/* ---- documents and serialisation (generate_doc.c) -------------------------- */

void cfc__gen_write_string(cfc_generator *g, buf *b, const char *s, size_t len);
gmember *cfc__gen_add_member(cfc_generator *g, gdoc *d, const char *key, const cfc_field *f);
void cfc__gen_write_ids(buf *b, const int64_t *ids, size_t n, size_t odd, const char *odd_text);
int cfc__gen_to_doc(cfc_generator *g, const cfc_field *fields, const cfc__slot *slots, size_t n,
                    const char *base);
void cfc__gen_set_raw(cfc_generator *g, gmember *m, const char *text, size_t len);
void cfc__gen_serialise(cfc_generator *g, buf *b, int d);
bool cfc__gen_pick_member(cfc_generator *g, member_pred pred, mref *out);
bool cfc__gen_is_field(const gmember *m);
bool cfc__gen_is_required(const gmember *m);
bool cfc__gen_is_text(const gmember *m);
bool cfc__gen_is_ident_or_type(const gmember *m);
bool cfc__gen_is_free_enum(const gmember *m);
bool cfc__gen_is_int(const gmember *m);
bool cfc__gen_is_ints(const gmember *m);
bool cfc__gen_is_type(const gmember *m);
bool cfc__gen_is_timestamp(const gmember *m);
bool cfc__gen_pick_int(cfc_generator *g, unsigned mask, islot *out);
void cfc__gen_insert_in_string(cfc_generator *g, gmember *m, const char *insert, size_t ins_len);

/* ---- streams (generate_stream.c) ------------------------------------------- */

void cfc__gen_stream_event(cfc_generator *g);

#endif
