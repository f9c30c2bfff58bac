/* SPDX-License-Identifier: MIT */
/*
 * Stream rules (S1-S7, T4): what a sequence of events shows that one event
 * cannot. See cfc/stream.h for the rules, the policy on hostile streams and
 * the ownership of everything.
 *
 * How an event goes through: the checker runs every single-event check and
 * then calls on_event (a hook, see checker_internal.h) with what it learned
 * about each field. on_event reads the stream's memory, adds the stream
 * findings to the same result, and writes down in a `plan` what the event
 * changes. Only when the whole check succeeded is the plan applied (apply),
 * and applying is all-or-nothing: an out-of-memory failure leaves the
 * stream exactly as it was before the event.
 *
 * Memory: two open-addressing hash tables (agents keyed by project and
 * agent_id bytes, tasks keyed by project and task_id) over dense record
 * arrays, an arena for the agent_id bytes, and one sorted array per task for
 * its last blocked_by. Each has a limit, reached by stopping to track, never
 * by evicting (stream.h says why).
 */
#include "cfc/stream.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfc/contract.h"
#include "cfc/timestamp.h"
#include "checker_internal.h"
#include "json.h"

/* Budgets beside the record counts: agent_id bytes per agent on average, and
 * blocked_by items per task on average. */
#define KEY_BYTES_PER_AGENT 64
#define BLOCKERS_PER_TASK 8
/* Records are indexed by uint32_t; a larger limit is clamped to this. */
#define MAX_RECORDS ((size_t)1 << 30)

enum agent_state { AGENT_REFERENCED = 1, AGENT_CREATED, AGENT_RETIRED };
enum task_flag {
    TASK_BLOCKED = 1,        /* a task_blocked was seen */
    TASK_BLOCKERS_KNOWN = 2, /* and its blocked_by is in blockers */
    TASK_ATTEMPT = 4,        /* a correction_attempt was seen */
    TASK_PROGRESS = 8        /* (task 0) a progress_update was seen */
};

typedef struct agent_rec {
    uint64_t hash; /* first member: the index rehashes through it */
    int64_t project;
    size_t key_at, key_len; /* the agent_id bytes, in the key arena */
    unsigned char state;
} agent_rec;

/* A task of a project, or (task 0, never a task ID) the project itself, for
 * its progress_update. */
typedef struct task_rec {
    uint64_t hash; /* first member, as above */
    int64_t project, task;
    int64_t *blockers;               /* the last blocked_by, sorted, distinct: n_blockers of */
    size_t n_blockers, blockers_cap; /* blockers_cap allocated items */
    int64_t attempt, max_attempts;   /* the last correction_attempt */
    int64_t completed, total;        /* the last progress_update */
    unsigned char flags, status;
} task_rec;

/* Open addressing, linear probing, load at most 1/2. A slot holds a record's
 * index + 1; 0 is empty. Nothing is ever deleted. */
typedef struct slot_table {
    uint32_t *slots;
    size_t cap; /* 0, or a power of two */
} slot_table;

/* What the event being checked changes, applied only if the check succeeds. */
typedef struct plan {
    bool ts;
    int64_t ts_ms;
    bool agent; /* set the agent's state */
    int64_t agent_project;
    const char *agent_id; /* in the parser's DOM: valid until the next parse */
    size_t agent_len;
    uint64_t agent_hash;
    unsigned char agent_state;
    enum { TASK_NONE, TASK_SET_BLOCKED, TASK_SET_ATTEMPT, TASK_SET_PROGRESS } task;
    int64_t task_project, task_id;
    uint64_t task_hash;
    const cfc_jval *blocked_by; /* a valid ID array, or NULL: list unknown */
    int64_t a, b;               /* attempt and max, or completed and total */
    unsigned char status;
} plan;

struct cfc_stream {
    cfc_checker *c;
    cfc_stream_options opts;
    uint64_t k0, k1; /* the hash key */

    agent_rec *agents;
    size_t n_agents, cap_agents;
    slot_table agent_idx;
    char *keys;
    size_t keys_len, keys_cap, keys_budget;
    bool agents_full;

    task_rec *tasks;
    size_t n_tasks, cap_tasks;
    slot_table task_idx;
    size_t n_blockers, blockers_budget; /* allocated blocked_by items, all tasks */
    bool tasks_full, blockers_full;

    bool has_ts;
    int64_t last_ts;
    size_t events;
    size_t bytes; /* held, for cfc_stream_get_stats */
    plan plan;
    bool dry; /* deciding on packed facts: findings only noted, in hit */
    bool hit;
};

/* ---- memory ------------------------------------------------------------- */

static void *mem_realloc(cfc_stream *s, void *p, size_t old_size, size_t new_size)
{
    void *q = cfc__checker_realloc(s->c, p, new_size);
    if (q)
        s->bytes = s->bytes - old_size + new_size;
    return q;
}

static void mem_free(cfc_stream *s, void *p, size_t size)
{
    if (p == NULL)
        return;
    cfc__checker_free_mem(s->c, p);
    s->bytes -= size;
}

/* Room for `need` elements in *p, growing by doubling up to `limit`
 * (need <= limit). */
static bool reserve(cfc_stream *s, void **p, size_t *cap, size_t need, size_t elem, size_t limit)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n = n > limit / 2 ? limit : n * 2;
    if (n > limit)
        n = limit;
    if (n < need)
        n = need;
    void *q = mem_realloc(s, *p, *cap * elem, n * elem);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* ---- hashing ------------------------------------------------------------- */

/* SipHash-2-4 (Aumasson and Bernstein): keyed, so that with a random key per
 * stream a producer cannot pick agent IDs that all land in one slot and turn
 * each lookup into a scan. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = ROTL(v1, 13);                                                                         \
        v1 ^= v0;                                                                                  \
        v0 = ROTL(v0, 32);                                                                         \
        v2 += v3;                                                                                  \
        v3 = ROTL(v3, 16);                                                                         \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = ROTL(v3, 21);                                                                         \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = ROTL(v1, 17);                                                                         \
        v1 ^= v2;                                                                                  \
        v2 = ROTL(v2, 32);                                                                         \
    } while (0)

static uint64_t siphash(uint64_t k0, uint64_t k1, const unsigned char *in, size_t len)
{
    uint64_t v0 = UINT64_C(0x736f6d6570736575) ^ k0, v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
    uint64_t v2 = UINT64_C(0x6c7967656e657261) ^ k0, v3 = UINT64_C(0x7465646279746573) ^ k1;
    size_t whole = len - len % 8;
    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m = 0;
        for (int k = 7; k >= 0; k--)
            m = m << 8 | in[i + (size_t)k];
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)len << 56;
    for (size_t k = 0; k < len % 8; k++)
        b |= (uint64_t)in[whole + k] << (8 * k);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t mix64(uint64_t z)
{
    z += UINT64_C(0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t agent_hash(const cfc_stream *s, int64_t project, const char *id, size_t len)
{
    return siphash(s->k0 ^ (uint64_t)project, s->k1, (const unsigned char *)id, len);
}

static uint64_t task_hash(const cfc_stream *s, int64_t project, int64_t task)
{
    unsigned char key[16];
    for (int k = 0; k < 8; k++) {
        key[k] = (unsigned char)((uint64_t)project >> (8 * k));
        key[8 + k] = (unsigned char)((uint64_t)task >> (8 * k));
    }
    return siphash(s->k0, s->k1, key, sizeof key);
}

/* ---- the tables ----------------------------------------------------------- */

/* Makes the index big enough for `count` records (load <= 1/2), rehashing
 * the `n` records in `recs` (each `elem` bytes, hash first) if it grows. */
static bool idx_reserve(cfc_stream *s, slot_table *t, size_t count, const void *recs, size_t n,
                        size_t elem)
{
    if (t->cap && count <= t->cap / 2)
        return true;
    size_t cap = t->cap ? t->cap * 2 : 64;
    while (count > cap / 2)
        cap *= 2;
    uint32_t *slots = mem_realloc(s, NULL, 0, cap * sizeof *slots);
    if (slots == NULL)
        return false;
    memset(slots, 0, cap * sizeof *slots);
    for (size_t j = 0; j < n; j++) {
        uint64_t h;
        memcpy(&h, (const char *)recs + j * elem, sizeof h);
        size_t i = (size_t)h & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = (uint32_t)(j + 1);
    }
    mem_free(s, t->slots, t->cap * sizeof *slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

/* The slot holding this agent, or the empty slot where it would go; SIZE_MAX
 * when the index is still empty. */
static size_t agent_slot(const cfc_stream *s, uint64_t h, int64_t project, const char *id,
                         size_t len)
{
    if (s->agent_idx.cap == 0)
        return SIZE_MAX;
    size_t mask = s->agent_idx.cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t k = s->agent_idx.slots[i];
        if (k == 0)
            return i;
        const agent_rec *r = &s->agents[k - 1];
        if (r->hash == h && r->project == project && r->key_len == len &&
            memcmp(s->keys + r->key_at, id, len) == 0)
            return i;
    }
}

static agent_rec *agent_find(const cfc_stream *s, uint64_t h, int64_t project, const char *id,
                             size_t len)
{
    size_t i = agent_slot(s, h, project, id, len);
    if (i == SIZE_MAX || s->agent_idx.slots[i] == 0)
        return NULL;
    return &s->agents[s->agent_idx.slots[i] - 1];
}

/* Sets an agent's state, adding the agent if there is room. False only on
 * out of memory, and then nothing changed. */
static bool agent_put(cfc_stream *s, const plan *p)
{
    agent_rec *r = agent_find(s, p->agent_hash, p->agent_project, p->agent_id, p->agent_len);
    if (r) {
        r->state = p->agent_state;
        return true;
    }
    if (s->n_agents >= s->opts.max_agents || p->agent_len > s->keys_budget - s->keys_len) {
        s->agents_full = true;
        return true;
    }
    if (!reserve(s, (void **)&s->agents, &s->cap_agents, s->n_agents + 1, sizeof *s->agents,
                 s->opts.max_agents) ||
        !reserve(s, (void **)&s->keys, &s->keys_cap, s->keys_len + p->agent_len, 1,
                 s->keys_budget) ||
        !idx_reserve(s, &s->agent_idx, s->n_agents + 1, s->agents, s->n_agents, sizeof *s->agents))
        return false;
    memcpy(s->keys + s->keys_len, p->agent_id, p->agent_len);
    s->agents[s->n_agents] = (agent_rec){.hash = p->agent_hash,
                                         .project = p->agent_project,
                                         .key_at = s->keys_len,
                                         .key_len = p->agent_len,
                                         .state = p->agent_state};
    s->keys_len += p->agent_len;
    size_t i = agent_slot(s, p->agent_hash, p->agent_project, p->agent_id, p->agent_len);
    s->agent_idx.slots[i] = (uint32_t)(s->n_agents + 1);
    s->n_agents++;
    return true;
}

static size_t task_slot(const cfc_stream *s, uint64_t h, int64_t project, int64_t task)
{
    if (s->task_idx.cap == 0)
        return SIZE_MAX;
    size_t mask = s->task_idx.cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint32_t k = s->task_idx.slots[i];
        if (k == 0)
            return i;
        const task_rec *r = &s->tasks[k - 1];
        if (r->hash == h && r->project == project && r->task == task)
            return i;
    }
}

static task_rec *task_find(const cfc_stream *s, uint64_t h, int64_t project, int64_t task)
{
    size_t i = task_slot(s, h, project, task);
    if (i == SIZE_MAX || s->task_idx.slots[i] == 0)
        return NULL;
    return &s->tasks[s->task_idx.slots[i] - 1];
}

/* The task's record, added (zeroed) if there is room. NULL with *nomem
 * false: no room (tasks_full is set); NULL with *nomem true: out of memory,
 * nothing changed. */
static task_rec *task_get(cfc_stream *s, uint64_t h, int64_t project, int64_t task, bool *nomem)
{
    *nomem = false;
    task_rec *r = task_find(s, h, project, task);
    if (r)
        return r;
    if (s->n_tasks >= s->opts.max_tasks) {
        s->tasks_full = true;
        return NULL;
    }
    if (!reserve(s, (void **)&s->tasks, &s->cap_tasks, s->n_tasks + 1, sizeof *s->tasks,
                 s->opts.max_tasks) ||
        !idx_reserve(s, &s->task_idx, s->n_tasks + 1, s->tasks, s->n_tasks, sizeof *s->tasks)) {
        *nomem = true;
        return NULL;
    }
    r = &s->tasks[s->n_tasks];
    *r = (task_rec){.hash = h, .project = project, .task = task};
    s->task_idx.slots[task_slot(s, h, project, task)] = (uint32_t)(s->n_tasks + 1);
    s->n_tasks++;
    return r;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool has_blocker(const task_rec *r, int64_t id)
{
    return r->n_blockers > 0 && bsearch(&id, r->blockers, r->n_blockers, sizeof id, cmp_i64);
}

static bool task_put(cfc_stream *s, const plan *p)
{
    /* The new blocked_by list first, so that failing leaves the task as it
     * was. Its budget counts allocated items, duplicates included. */
    int64_t *list = NULL;
    size_t n = 0, d = 0;
    const task_rec *old = task_find(s, p->task_hash, p->task_project, p->task_id);
    size_t others = s->n_blockers - (old ? old->blockers_cap : 0);
    bool known = false, too_long = false;
    if (p->task == TASK_SET_BLOCKED && p->blocked_by) {
        n = p->blocked_by->u.kids.count;
        if (n <= s->blockers_budget - others) {
            list = mem_realloc(s, NULL, 0, n * sizeof *list);
            if (list == NULL)
                return false;
            size_t k = 0;
            for (const cfc_jval *v = p->blocked_by->u.kids.first; v && k < n; v = v->next)
                list[k++] = v->u.num.i;
            if (n > 1)
                qsort(list, n, sizeof *list, cmp_i64);
            for (size_t i = 0; i < n; i++) {
                if (d == 0 || list[d - 1] != list[i])
                    list[d++] = list[i];
            }
            known = true;
        } else {
            too_long = true; /* remembered as blocked, list unknown */
            n = 0;
        }
    }
    bool nomem;
    task_rec *r = task_get(s, p->task_hash, p->task_project, p->task_id, &nomem);
    if (r == NULL) {
        mem_free(s, list, n * sizeof *list);
        return !nomem;
    }
    switch (p->task) {
    case TASK_SET_BLOCKED:
        s->blockers_full |= too_long;
        mem_free(s, r->blockers, r->blockers_cap * sizeof *r->blockers);
        s->n_blockers = s->n_blockers - r->blockers_cap + n;
        r->blockers = list;
        r->blockers_cap = n;
        r->n_blockers = d;
        r->flags = (unsigned char)((r->flags & ~TASK_BLOCKERS_KNOWN) | TASK_BLOCKED |
                                   (known ? TASK_BLOCKERS_KNOWN : 0));
        break;
    case TASK_SET_ATTEMPT:
        r->attempt = p->a;
        r->max_attempts = p->b;
        r->status = p->status;
        r->flags |= TASK_ATTEMPT;
        break;
    case TASK_SET_PROGRESS:
        r->completed = p->a;
        r->total = p->b;
        r->flags |= TASK_PROGRESS;
        break;
    case TASK_NONE: break;
    }
    return true;
}

/* ---- findings --------------------------------------------------------------- */

static void report(cfc_stream *s, cfc_rule rule, const char *pointer, size_t offset,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void report(cfc_stream *s, cfc_rule rule, const char *pointer, size_t offset,
                   const char *fmt, ...)
{
    if (!cfc__checker_rule_on(s->c, rule))
        return;
    if (s->dry) { /* only noted: the rules run again, live, when one has a finding */
        s->hit = true;
        return;
    }
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    cfc__checker_add_finding(s->c, rule, pointer, offset, message);
}

/* A blocked_by list for a message: "[42, 43]", the first few items. */
static const char *shown_list(char *buf, size_t cap, const task_rec *r)
{
    size_t o = (size_t)snprintf(buf, cap, "[");
    for (size_t i = 0; i < r->n_blockers && o < cap; i++) {
        if (i == 8) {
            o += (size_t)snprintf(buf + o, cap - o, ", ... %zu more", r->n_blockers - i);
            break;
        }
        o += (size_t)snprintf(buf + o, cap - o, "%s%" PRId64, i ? ", " : "", r->blockers[i]);
    }
    if (o < cap)
        snprintf(buf + o, cap - o, "]");
    return buf;
}

/* ---- the facts ---------------------------------------------------------------- */

/* The rules read an event through its facts (checker_internal.h): taken
 * from the checker's hook, then decided on. One job does both in the hook;
 * with --jobs the facts are taken on another thread, packed, and decided
 * on here later (a dry run, see cfc__stream_check_facts). */

static const cfc__seen *field(const cfc_field *f, const cfc__seen *seen, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].name[0] == name[0] && strcmp(f[i].name, name) == 0)
            return &seen[i];
    }
    return NULL;
}

/* The field as a fact, if the single-event checks found it valid and
 * nothing wrong inside it; else left off. */
static void usable(cfc__fact *out, const cfc_checker *c, const cfc_field *f, const cfc__seen *seen,
                   size_t n, const char *name)
{
    const cfc__seen *x = field(f, seen, n, name);
    if (x && x->v && x->ok && cfc__checker_value_clean(c, x->v))
        *out = (cfc__fact){x->v, x->i, x->v->offset};
}

enum attempt_status { ATTEMPT_IN_PROGRESS = 1, ATTEMPT_SUCCESS, ATTEMPT_FAILED };

static unsigned char attempt_status(const cfc_jval *v)
{
    const char *s = v->u.str.s;
    if (strcmp(s, "in_progress") == 0)
        return ATTEMPT_IN_PROGRESS;
    if (strcmp(s, "success") == 0)
        return ATTEMPT_SUCCESS;
    if (strcmp(s, "failed") == 0)
        return ATTEMPT_FAILED;
    return 0; /* a value added by configuration: an outcome of some kind */
}

void cfc__stream_facts_take(const cfc_checker *c, const cfc_event_type *t, const cfc_field *f,
                            const cfc__seen *seen, size_t n, cfc__stream_facts *x)
{
    /* Member by member: a memset of the whole is a slow `rep stos` here,
     * once per event. */
    static const cfc__fact none = {NULL, 0, 0};
    x->t = t;
    x->project = x->timestamp = x->agent = x->task = x->unblocked_by = none;
    x->attempt = x->max_attempts = x->status = x->completed = x->total = none;
    x->agent_id = NULL;
    x->agent_len = 0;
    x->ts_text = NULL;
    x->ts_len = 0;
    x->blocked_by = NULL;
    usable(&x->project, c, f, seen, n, "project_id");
    /* The timestamp's instant: the checker validated it (T1-T3) but keeps
     * no value, so it is read again; a valid one is a few dozen bytes. */
    const cfc__seen *ts = field(f, seen, n, "timestamp");
    int64_t ms;
    if (ts && ts->v && ts->v->type == CFC_J_STRING && cfc__checker_value_clean(c, ts->v) &&
        cfc_timestamp_check(ts->v->u.str.s, ts->v->u.str.len, &ms, NULL) == 0) {
        x->timestamp = (cfc__fact){ts->v, ms, ts->v->offset};
        x->ts_text = ts->v->u.str.s;
        x->ts_len = ts->v->u.str.len;
    }
    if (t == NULL || x->project.v == NULL)
        return; /* nothing more is read */
    switch (t->id) {
    case CFC_EV_AGENT_CREATED:
    case CFC_EV_AGENT_STATUS_CHANGED:
    case CFC_EV_TASK_ASSIGNED:
    case CFC_EV_AGENT_RETIRED:
    case CFC_EV_TASK_STATUS_CHANGED:
    case CFC_EV_ACTIVITY_UPDATE:
        usable(&x->agent, c, f, seen, n, "agent_id");
        if (x->agent.v) {
            x->agent_id = x->agent.v->u.str.s;
            x->agent_len = x->agent.v->u.str.len;
        }
        break;
    case CFC_EV_TASK_BLOCKED: {
        usable(&x->task, c, f, seen, n, "task_id");
        /* Blocked, whatever else is wrong with the event; the list is used
         * when its items are valid IDs (duplicates or the task itself do not
         * make membership doubtful). */
        const cfc__seen *by = field(f, seen, n, "blocked_by");
        x->blocked_by = by && by->ok && by->v && by->v->type == CFC_J_ARRAY ? by->v : NULL;
        break;
    }
    case CFC_EV_TASK_UNBLOCKED:
        usable(&x->task, c, f, seen, n, "task_id");
        usable(&x->unblocked_by, c, f, seen, n, "unblocked_by");
        break;
    case CFC_EV_CORRECTION_ATTEMPT:
        usable(&x->task, c, f, seen, n, "task_id");
        usable(&x->attempt, c, f, seen, n, "attempt_number");
        usable(&x->max_attempts, c, f, seen, n, "max_attempts");
        usable(&x->status, c, f, seen, n, "status");
        if (x->status.v)
            x->status.i = attempt_status(x->status.v);
        break;
    case CFC_EV_PROGRESS_UPDATE:
        usable(&x->completed, c, f, seen, n, "completed");
        usable(&x->total, c, f, seen, n, "total");
        break;
    default: break;
    }
}

/* Stands for every value of a packed copy: present. The rules read only
 * the facts' numbers, offsets and strings, which the copy keeps; were one
 * to read a value, this is a valid empty string. */
static const cfc_jval packed_value = {
    .type = CFC_J_STRING, .offset = CFC_NO_OFFSET, .u.str = {"", 0}};

static size_t align_up(size_t n)
{
    return (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
}

size_t cfc__stream_facts_size(const cfc__stream_facts *x)
{
    size_t n = align_up(sizeof *x) + align_up(x->agent_len + 1) + align_up(x->ts_len + 1);
    if (x->blocked_by != NULL)
        n += (1 + x->blocked_by->u.kids.count) * sizeof(cfc_jval);
    return n;
}

cfc__stream_facts *cfc__stream_facts_pack(const cfc__stream_facts *x, void *out)
{
    cfc__stream_facts *o = out;
    *o = *x;
    cfc__fact *all[] = {&o->project, &o->timestamp,    &o->agent,  &o->task,      &o->unblocked_by,
                        &o->attempt, &o->max_attempts, &o->status, &o->completed, &o->total};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (all[k]->v != NULL)
            all[k]->v = &packed_value;
    char *p = (char *)out + align_up(sizeof *o);
    if (x->agent_id != NULL) {
        memcpy(p, x->agent_id, x->agent_len);
        p[x->agent_len] = '\0';
        o->agent_id = p;
    }
    p += align_up(x->agent_len + 1);
    if (x->ts_text != NULL) {
        memcpy(p, x->ts_text, x->ts_len);
        p[x->ts_len] = '\0';
        o->ts_text = p;
    }
    p += align_up(x->ts_len + 1);
    if (x->blocked_by != NULL) {
        /* The array and its items, linked: all that task_put reads. */
        cfc_jval *a = (cfc_jval *)(void *)p, *item = a + 1;
        *a = (cfc_jval){.type = CFC_J_ARRAY};
        a->u.kids.count = x->blocked_by->u.kids.count;
        cfc_jval **tail = &a->u.kids.first;
        size_t k = 0;
        for (const cfc_jval *v = x->blocked_by->u.kids.first; v && k < a->u.kids.count;
             v = v->next, k++) {
            item[k] = (cfc_jval){.type = v->type, .u.num = v->u.num};
            *tail = &item[k];
            tail = &item[k].next;
        }
        *tail = NULL;
        o->blocked_by = a;
    }
    return o;
}

/* ---- the rules -------------------------------------------------------------- */

typedef enum agent_use {
    USE_CREATE,    /* agent_created */
    USE_REFERENCE, /* agent_status_changed, task_assigned: S1 and S2 */
    USE_RETIRE,    /* agent_retired: S1 and S2, then retired */
    USE_NAME       /* an optional agent_id elsewhere: S2 only */
} agent_use;

static void on_agent(cfc_stream *s, int64_t project, const cfc__stream_facts *x, agent_use use)
{
    const char *str = x->agent_id;
    size_t len = x->agent_len;
    size_t at = x->agent.offset;
    plan *p = &s->plan;
    p->agent_project = project;
    p->agent_id = str;
    p->agent_len = len;
    p->agent_hash = agent_hash(s, project, str, len);
    if (use == USE_CREATE) {
        /* A retired ID created again is a new agent of that ID. */
        p->agent = true;
        p->agent_state = AGENT_CREATED;
        return;
    }
    const agent_rec *r = agent_find(s, p->agent_hash, project, str, len);
    char d[96];
    if (r && r->state == AGENT_RETIRED) {
        if (use == USE_RETIRE)
            report(s, CFC_RULE_AGENT_AFTER_RETIRED, "/agent_id", at,
                   "agent \"%s\" is retired a second time", cfc__shown(d, sizeof d, str, len));
        else
            report(s, CFC_RULE_AGENT_AFTER_RETIRED, "/agent_id", at,
                   "agent \"%s\" was retired earlier in the stream (agent_retired); no event may "
                   "name it after that",
                   cfc__shown(d, sizeof d, str, len));
        return;
    }
    /* Never seen, and the table could have held it: so never created. */
    bool before_created = use != USE_NAME && s->opts.from_start && r == NULL && !s->agents_full;
    if (before_created)
        report(s, CFC_RULE_AGENT_BEFORE_CREATED, "/agent_id", at,
               "agent \"%s\" is referenced before its agent_created, and the stream began at the "
               "producer's start (--from-start)",
               cfc__shown(d, sizeof d, str, len));
    if (use == USE_RETIRE) {
        p->agent = true;
        p->agent_state = AGENT_RETIRED;
    } else if (before_created) {
        /* Remembered so that S1 is reported once per agent, not per event. */
        p->agent = true;
        p->agent_state = AGENT_REFERENCED;
    }
}

static const char *attempt_status_name(unsigned char st)
{
    switch (st) {
    case ATTEMPT_IN_PROGRESS: return "in_progress";
    case ATTEMPT_SUCCESS: return "success";
    case ATTEMPT_FAILED: return "failed";
    }
    return "another status";
}

/* S5, against the task's previous correction_attempt. */
static void check_attempt(cfc_stream *s, const task_rec *r, int64_t task, const cfc__fact *an,
                          unsigned char st)
{
    int64_t n = r->attempt, m = r->max_attempts, n2 = an->i;
    bool started = r->status == ATTEMPT_IN_PROGRESS, starts = st == ATTEMPT_IN_PROGRESS;
    const char *was = attempt_status_name(r->status), *is = attempt_status_name(st);
    bool may_restart = r->status == ATTEMPT_SUCCESS || (r->status == ATTEMPT_FAILED && n == m);
    /* A restart at 1; but after attempt 1 ended, a second outcome for 1 is a
     * second outcome, not a restart. */
    if (n2 == 1 && may_restart && (n != 1 || starts))
        return;
    if (n2 == n) {
        if (started && !starts)
            return;
        if (started)
            report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
                   "attempt %" PRId64 " of task %" PRId64 " starts a second time (in_progress "
                   "twice); an attempt starts once, then has one outcome",
                   n2, task);
        else if (!starts)
            report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
                   "attempt %" PRId64 " of task %" PRId64 " already ended (%s); \"%s\" is a "
                   "second outcome for one attempt",
                   n2, task, was, is);
        else
            report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
                   "attempt %" PRId64 " of task %" PRId64 " already ended (%s) and starts again; "
                   "the next attempt is %" PRId64,
                   n2, task, was, n + 1);
        return;
    }
    if (n2 == n + 1)
        return;
    if (n2 > n)
        report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
               "attempt_number is %" PRId64 " after attempt %" PRId64 " of task %" PRId64
               "; attempts grow by exactly 1 (%" PRId64 " is missing)",
               n2, n, task, n + 1);
    else if (n2 == 1)
        report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
               "attempt_number goes back to 1 after attempt %" PRId64 " of task %" PRId64
               " (%s, max_attempts %" PRId64 "); a restart at 1 follows only a success or a "
               "failure at max_attempts",
               n, task, was, m);
    else
        report(s, CFC_RULE_ATTEMPT_SEQUENCE, "/attempt_number", an->offset,
               "attempt_number goes down from %" PRId64 " to %" PRId64 " for task %" PRId64, n, n2,
               task);
}

static void on_task_event(cfc_stream *s, int64_t project, const cfc__stream_facts *x)
{
    plan *p = &s->plan;
    const cfc__fact *task = x->task.v ? &x->task : NULL;
    if (task == NULL)
        return;
    p->task_project = project;
    p->task_id = task->i;
    p->task_hash = task_hash(s, project, task->i);
    const task_rec *r = task_find(s, p->task_hash, project, task->i);
    switch (x->t->id) {
    case CFC_EV_TASK_BLOCKED:
        p->task = TASK_SET_BLOCKED;
        p->blocked_by = x->blocked_by;
        return;
    case CFC_EV_TASK_UNBLOCKED: {
        bool blocked = r && (r->flags & TASK_BLOCKED);
        if (!blocked && s->opts.from_start && (r || !s->tasks_full))
            report(s, CFC_RULE_UNBLOCKED_NOT_BLOCKED, "/task_id", task->offset,
                   "task %" PRId64 " is unblocked, but no task_blocked for it came earlier, and "
                   "the stream began at the producer's start (--from-start)",
                   task->i);
        const cfc__fact *by = x->unblocked_by.v ? &x->unblocked_by : NULL;
        if (by && blocked && (r->flags & TASK_BLOCKERS_KNOWN) && !has_blocker(r, by->i)) {
            char list[160];
            report(s, CFC_RULE_UNBLOCKED_BY_NOT_BLOCKER, "/unblocked_by", by->offset,
                   "unblocked_by is %" PRId64 ", but task %" PRId64
                   "'s last task_blocked had blocked_by %s",
                   by->i, task->i, shown_list(list, sizeof list, r));
        }
        return;
    }
    case CFC_EV_CORRECTION_ATTEMPT: {
        if (x->attempt.v == NULL || x->max_attempts.v == NULL || x->status.v == NULL)
            return;
        unsigned char status = (unsigned char)x->status.i;
        if (r && (r->flags & TASK_ATTEMPT))
            check_attempt(s, r, task->i, &x->attempt, status);
        p->task = TASK_SET_ATTEMPT;
        p->a = x->attempt.i;
        p->b = x->max_attempts.i;
        p->status = status;
        return;
    }
    default: return;
    }
}

static void on_progress(cfc_stream *s, int64_t project, const cfc__stream_facts *x)
{
    const cfc__fact *done = x->completed.v ? &x->completed : NULL;
    const cfc__fact *total = x->total.v ? &x->total : NULL;
    if (done == NULL || total == NULL)
        return;
    plan *p = &s->plan;
    p->task_project = project;
    p->task_id = 0;
    p->task_hash = task_hash(s, project, 0);
    const task_rec *r = task_find(s, p->task_hash, project, 0);
    if (r && (r->flags & TASK_PROGRESS) && r->total == total->i && done->i < r->completed)
        report(s, CFC_RULE_PROGRESS_BACKWARDS, "/completed", done->offset,
               "completed goes back from %" PRId64 " to %" PRId64 " while total stays %" PRId64,
               r->completed, done->i, total->i);
    p->task = TASK_SET_PROGRESS;
    p->a = done->i;
    p->b = total->i;
}

/* The rules on one event's facts: findings, and the plan of what it changes. */
static void on_facts(cfc_stream *s, const cfc__stream_facts *x)
{
    plan *p = &s->plan;
    const cfc__fact *proj = x->project.v ? &x->project : NULL;
    int64_t sub = s->opts.subscribed_project_id;
    if (proj && sub > 0 && proj->i != sub)
        report(s, CFC_RULE_PROJECT_MISMATCH, "/project_id", proj->offset,
               "project_id is %" PRId64 " but the connection subscribed to project %" PRId64,
               proj->i, sub);

    if (x->timestamp.v) {
        int64_t ms = x->timestamp.i;
        if (s->has_ts && ms < s->last_ts) {
            char prev[32] = "?";
            cfc_timestamp_format(s->last_ts, prev);
            report(s, CFC_RULE_TS_BACKWARDS, "/timestamp", x->timestamp.offset,
                   "timestamp %s is earlier than the previous event's %s; timestamps do not go "
                   "backwards within a stream",
                   x->ts_text, prev);
        }
        p->ts = true;
        p->ts_ms = ms;
    }

    if (x->t == NULL || proj == NULL)
        return;
    switch (x->t->id) {
    case CFC_EV_AGENT_CREATED:
        if (x->agent.v)
            on_agent(s, proj->i, x, USE_CREATE);
        break;
    case CFC_EV_AGENT_STATUS_CHANGED:
    case CFC_EV_TASK_ASSIGNED:
        if (x->agent.v)
            on_agent(s, proj->i, x, USE_REFERENCE);
        break;
    case CFC_EV_AGENT_RETIRED:
        if (x->agent.v)
            on_agent(s, proj->i, x, USE_RETIRE);
        break;
    case CFC_EV_TASK_STATUS_CHANGED:
    case CFC_EV_ACTIVITY_UPDATE:
        if (x->agent.v)
            on_agent(s, proj->i, x, USE_NAME);
        break;
    case CFC_EV_TASK_BLOCKED:
    case CFC_EV_TASK_UNBLOCKED:
    case CFC_EV_CORRECTION_ATTEMPT: on_task_event(s, proj->i, x); break;
    case CFC_EV_PROGRESS_UPDATE: on_progress(s, proj->i, x); break;
    default: break;
    }
}

/* The checker's hook: called once per event that is a JSON object. */
static void on_event(void *ctx, cfc_checker *c, const cfc_event_type *t, const cfc_field *f,
                     const cfc__seen *seen, size_t n)
{
    cfc__stream_facts x;
    cfc__stream_facts_take(c, t, f, seen, n, &x);
    on_facts(ctx, &x);
}

/* ---- the stream ------------------------------------------------------------- */

cfc_stream *cfc_stream_new(cfc_checker *c, const cfc_stream_options *opts)
{
    if (c == NULL)
        return NULL;
    cfc_stream *s = cfc__checker_malloc(c, sizeof *s);
    if (s == NULL)
        return NULL;
    memset(s, 0, sizeof *s);
    s->c = c;
    if (opts)
        s->opts = *opts;
    if (s->opts.max_agents == 0)
        s->opts.max_agents = CFC_STREAM_DEFAULT_MAX;
    if (s->opts.max_tasks == 0)
        s->opts.max_tasks = CFC_STREAM_DEFAULT_MAX;
    if (s->opts.max_agents > MAX_RECORDS)
        s->opts.max_agents = MAX_RECORDS;
    if (s->opts.max_tasks > MAX_RECORDS)
        s->opts.max_tasks = MAX_RECORDS;
    /* Both limits are at most 2^30, so these products fit in 64 bits. */
    s->keys_budget = s->opts.max_agents > SIZE_MAX / KEY_BYTES_PER_AGENT
                         ? SIZE_MAX
                         : s->opts.max_agents * KEY_BYTES_PER_AGENT;
    s->blockers_budget = s->opts.max_tasks > SIZE_MAX / BLOCKERS_PER_TASK
                             ? SIZE_MAX
                             : s->opts.max_tasks * BLOCKERS_PER_TASK;
    s->bytes = sizeof *s;
    /* The hash key: addresses (ASLR) and the clock. Not cryptographic, but
     * not something a producer can know in advance. */
    int local = 0;
    uint64_t seed = (uint64_t)(uintptr_t)s ^ ((uint64_t)(uintptr_t)&local << 17) ^
                    (uint64_t)time(NULL) ^ ((uint64_t)clock() << 40);
    s->k0 = mix64(seed);
    s->k1 = mix64(s->k0 ^ (uint64_t)(uintptr_t)c);
    return s;
}

void cfc_stream_free(cfc_stream *s)
{
    if (s == NULL)
        return;
    cfc_checker *c = s->c;
    for (size_t i = 0; i < s->n_tasks; i++)
        cfc__checker_free_mem(c, s->tasks[i].blockers);
    cfc__checker_free_mem(c, s->tasks);
    cfc__checker_free_mem(c, s->task_idx.slots);
    cfc__checker_free_mem(c, s->agents);
    cfc__checker_free_mem(c, s->agent_idx.slots);
    cfc__checker_free_mem(c, s->keys);
    cfc__checker_free_mem(c, s);
}

/* Applies the plan; all or nothing. */
static bool apply(cfc_stream *s)
{
    const plan *p = &s->plan;
    if (p->agent && !agent_put(s, p))
        return false;
    if (p->task != TASK_NONE && !task_put(s, p))
        return false;
    if (p->ts) {
        s->has_ts = true;
        s->last_ts = p->ts_ms;
    }
    return true;
}

cfc_check_status cfc_stream_check_event(cfc_stream *s, const char *bytes, size_t len,
                                        const cfc_event_result **result)
{
    if (s == NULL)
        return CFC_CHECK_IO;
    memset(&s->plan, 0, sizeof s->plan);
    const cfc_event_result *r = NULL;
    cfc_check_status st = cfc__check_event_hooked(s->c, bytes, len, on_event, s, &r);
    if (st != CFC_CHECK_OK)
        return st;
    if (!apply(s))
        return CFC_CHECK_NOMEM;
    s->events++;
    if (result)
        *result = r;
    return CFC_CHECK_OK;
}

void cfc_stream_get_stats(const cfc_stream *s, cfc_stream_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return;
    out->events = s->events;
    out->agents = s->n_agents;
    out->tasks = s->n_tasks;
    out->blockers = s->n_blockers;
    out->agents_full = s->agents_full;
    out->tasks_full = s->tasks_full;
    out->blockers_full = s->blockers_full;
    out->bytes = s->bytes;
}

bool cfc_rule_is_stream(cfc_rule rule)
{
    const cfc_rule_info *info = cfc_rule_get(rule);
    if (info == NULL || info->reference == NULL)
        return false;
    /* Derived from the catalogue, not listed: a reference token "S<digit>". */
    const char *ref = info->reference;
    for (const char *p = ref; *p; p++) {
        if (*p == 'S' && p[1] >= '0' && p[1] <= '9' && (p == ref || p[-1] == ' '))
            return true;
    }
    return false;
}

/* The rules run live on packed facts, for cfc__check_clean_event. */
typedef struct live_facts {
    cfc_stream *s;
    const cfc__stream_facts *x;
} live_facts;

static void add_live(void *ctx)
{
    live_facts *l = ctx;
    on_facts(l->s, l->x);
}

cfc_check_status cfc__stream_check_facts(cfc_stream *s, const cfc__stream_facts *x,
                                         const char *type, size_t type_len,
                                         const cfc_event_result **result)
{
    if (s == NULL)
        return CFC_CHECK_IO;
    *result = NULL;
    /* Most events have no stream finding: the rules decide without
     * formatting anything, and the event's report needs no result. */
    memset(&s->plan, 0, sizeof s->plan);
    s->dry = true;
    s->hit = false;
    if (x != NULL)
        on_facts(s, x);
    s->dry = false;
    if (s->hit) {
        /* Again, live: the stream is as it was, so the same findings, now
         * formatted, and the same plan. */
        memset(&s->plan, 0, sizeof s->plan);
        live_facts l = {s, x};
        cfc_check_status st = cfc__check_clean_event(s->c, type, type_len, add_live, &l, result);
        if (st != CFC_CHECK_OK)
            return st;
    }
    if (!apply(s))
        return CFC_CHECK_NOMEM;
    s->events++;
    return CFC_CHECK_OK;
}
