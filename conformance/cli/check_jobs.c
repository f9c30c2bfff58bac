/* SPDX-License-Identifier: MIT */
/*
 * cfconform check --jobs N: one input checked on N threads, with output and
 * exit code identical to one thread's.
 *
 * The calling thread reads the input in blocks of about CHUNK_BYTES, each
 * cut after its last newline (the rest of the line starts the next one):
 * a chunk of whole lines. Any of the N threads then frames a chunk
 * (cfc_framer, as one job does, lines numbered from the chunk's start) and
 * checks each event on its own, parse and every single-event rule: most of
 * the work. Most events have no finding; for those it keeps their type and
 * the few facts the stream rules read (cfc__stream_facts), packed, in the
 * chunk. The calling thread takes the chunks in input order and hands each
 * event to the caller, which applies the stream rules to the facts and
 * reports the event. For an event the stream has findings for, the rules
 * run again on its facts, formatting them (the facts keep the offsets and
 * texts they quote); an event with a finding of its own the caller checks
 * again itself from its bytes, exactly as one job. So the
 * stream sees the sequence one job's would, and a line's number is its
 * chunk's first line's plus its place in the chunk.
 *
 * The report of a clean event is the same whatever came before it, but for
 * its line number: with a render function, the thread that checks a chunk
 * also renders its clean events' report (a JSON line, a JUnit testcase)
 * into the chunk, and the caller writes those bytes, a run of clean events
 * at once, unless the stream has a finding for one (then it reports that
 * event itself). The calling thread counts a chunk's lines as it queues it,
 * so the chunk's first line number is known before the chunk is checked.
 *
 * The calling thread is one of the N: when it has no chunk to deliver and
 * none to read, it checks a queued chunk itself. So N threads keep N cores
 * busy, and the serial part (reading, the stream rules, reporting) is
 * balanced by the other threads checking more of the chunks. The calling
 * thread only reads what they leave: a small record per event, in order.
 *
 * A line too long to keep (over the framer's limit and a CR) is counted as
 * it is read, never held, and goes to the next chunk as its first line,
 * oversized. When the input pauses (a pipe from a live producer), what is
 * in flight is delivered before waiting for more.
 *
 * Memory: a fixed ring of chunks, whatever the input's length; a chunk
 * grown for a long line shrinks back when delivered.
 */
#define _GNU_SOURCE /* memrchr */
#include "check_jobs.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/ndjson.h"

/* Small enough that a block and its records stay in a core's cache
 * between the threads (256 KiB and 1 MiB measured slower), large enough
 * that handing blocks over is rare (about 400 events each). */
#define CHUNK_BYTES ((size_t)64 << 10)
/* Per thread: one chunk being checked, one waiting to be. */
#define CHUNKS_PER_JOB 2
/* After a short read, how long the input may pause before what is in
 * flight is delivered first (a live producer's results are not held). */
#define PAUSE_MS 20

enum chunk_state { FREE, QUEUED, WORKING, DONE };

typedef struct chunk {
    /* Chunks are checked on different cores: cache lines of their own. */
    _Alignas(64) enum chunk_state state; /* changed under the lock */
    /* Filled by the calling thread: */
    size_t big;  /* > 0: the chunk's first line, too long to keep, this long */
    char *bytes; /* then whole lines, each with its newline (one added at the end) */
    size_t len, cap;
    size_t upto;       /* while filling: the bytes up to the last newline */
    size_t first_line; /* with a render function: its first line's number in the input */
    /* Set by the thread that checks it: */
    size_t lines;       /* the chunk's lines, blank ones included */
    cfc_jobs_event *ev; /* lines numbered in the chunk, from 1 */
    size_t n_ev, cap_ev;
    size_t nomem_line; /* > 0: out of memory on this line (the events before are in ev) */
    cfc__blocks mem;   /* what the events point to */
    char *out;         /* the rendered reports of its clean events, in order */
    size_t out_len, out_cap;
} chunk;

struct cfc_jobs {
    unsigned n_jobs;
    cfc_checker *const *checkers;
    size_t max_line;
    cfc_jobs_fn fn;
    void *ctx;
    cfc_jobs_render_fn render; /* NULL: clean events are not rendered */
    const void *render_ctx;

    pthread_mutex_t lock;
    pthread_cond_t work; /* a chunk was queued, or stop */
    pthread_cond_t done; /* a chunk is done and the calling thread waits */
    bool stop;
    unsigned idle; /* threads waiting for work */
    bool waiting;  /* the calling thread waits for done */
    pthread_t *threads;
    unsigned started;

    /* The ring: `oldest` is the next to deliver (changed under the lock),
     * then in_flight chunks queued or checked, then `fill`, being read
     * into (FREE). */
    chunk *ring;
    size_t n_ring, oldest, fill, in_flight;

    /* The input being run, the calling thread's: */
    size_t line;                 /* the oldest chunk's first line */
    size_t next_line;            /* with render: the next chunk queued's first line */
    char *carry;                 /* the start of a line, for the next chunk */
    size_t carry_len, carry_cap; /* (at most a chunk's bytes) */
    size_t big;                  /* > 0: in a line too long to keep, this many bytes so far */
    bool big_cr;                 /* its last byte so far is a CR */
    bool eof;
    bool paused;   /* the last read was short and the input had no more at once */
    bool draining; /* delivering all in flight before reading on */
};

/* ---- checking a chunk (any thread) ----------------------------------------- */

static bool push(chunk *c, const cfc_jobs_event *e)
{
    if (c->n_ev == c->cap_ev) {
        size_t n = c->cap_ev ? c->cap_ev * 2 : 1024;
        cfc_jobs_event *q = realloc(c->ev, n * sizeof *q);
        if (q == NULL)
            return false;
        c->ev = q;
        c->cap_ev = n;
    }
    c->ev[c->n_ev++] = *e;
    return true;
}

typedef struct take_ctx {
    cfc__stream_facts facts;
    bool hooked;
} take_ctx;

static void take_hook(void *ctx, cfc_checker *c, const cfc_event_type *t, const cfc_field *f,
                      const cfc__seen *seen, size_t n)
{
    take_ctx *x = ctx;
    cfc__stream_facts_take(c, t, f, seen, n, &x->facts);
    x->hooked = true;
}

/* Checks the event on its own. Most have no finding: then what the calling
 * thread needs is kept in mem, and e is clean. Anything else (findings,
 * out of memory) the calling thread checks again itself, as one job. */
static void check(const cfc_jobs *j, cfc_checker *checker, chunk *c, cfc_jobs_event *e)
{
    cfc__blocks *mem = &c->mem;
    take_ctx x; /* not zeroed: the hook fills the facts, and it is costly per event */
    x.hooked = false;
    const cfc_event_result *res = NULL;
    if (cfc__check_event_hooked(checker, e->bytes, e->len, take_hook, &x, &res) != CFC_CHECK_OK ||
        res->errors > 0 || res->warnings > 0 || res->n_findings > 0 || res->n_dropped > 0)
        return;
    /* A known type is the table's name (the checker found it by it). */
    bool known = x.hooked && x.facts.t != NULL;
    size_t facts = x.hooked ? cfc__stream_facts_size(&x.facts) : 0;
    size_t type = res->type == NULL || known ? 0
                  : res->type_len > 0        ? res->type_len
                                             : strlen(res->type);
    char *p = cfc__blocks_alloc(mem, facts + type + 1);
    if (p == NULL)
        return;
    if (x.hooked)
        e->facts = cfc__stream_facts_pack(&x.facts, p);
    e->type = known               ? x.facts.t->name
              : res->type == NULL ? NULL
                                  : memcpy(p + facts, res->type, type);
    if (e->type != NULL && !known)
        p[facts + type] = '\0';
    e->type_len = res->type_len;
    e->clean = true;
    if (j->render == NULL)
        return;
    size_t at = c->out_len;
    if (j->render(j->render_ctx, c->first_line + e->line - 1, e->type, e->type_len, &c->out,
                  &c->out_len, &c->out_cap) != 0) {
        e->clean = false; /* out of memory: the calling thread reports it itself */
        return;
    }
    e->rendered = true;
    e->out_at = at;
    e->out_len = c->out_len - at;
}

typedef struct chunk_ctx {
    const cfc_jobs *j;
    chunk *c;
    cfc_checker *checker;
    size_t first; /* lines before the framer's: 1 after an oversized first line */
} chunk_ctx;

static int chunk_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    chunk_ctx *x = ctx;
    chunk *c = x->c;
    cfc_jobs_event e = {.line = line + x->first, .bytes = bytes, .len = len};
    if (bytes != NULL)
        check(x->j, x->checker, c, &e);
    if (!push(c, &e)) {
        c->nomem_line = e.line;
        return -1;
    }
    return 0;
}

static void check_chunk(const cfc_jobs *j, chunk *c, cfc_checker *checker)
{
    chunk_ctx x = {j, c, checker, 0};
    if (c->big > 0) {
        if (chunk_line(&x, 1, NULL, c->big) != 0)
            return;
        x.first = 1;
    }
    cfc_framer *f = cfc_framer_new(j->max_line, chunk_line, &x);
    if (f == NULL) {
        c->nomem_line = x.first + 1;
        return;
    }
    /* Whole lines, each ending in a newline: framed in place, no copy. */
    cfc_framer_feed(f, c->bytes, c->len);
    c->lines = x.first + cfc_framer_lines(f);
    cfc_framer_free(f);
}

/* The oldest queued chunk, now WORKING, or NULL. Under the lock. */
static chunk *take(cfc_jobs *j)
{
    for (size_t k = 0; k < j->n_ring; k++) {
        chunk *c = &j->ring[(j->oldest + k) % j->n_ring];
        if (c->state == QUEUED) {
            c->state = WORKING;
            return c;
        }
    }
    return NULL;
}

typedef struct worker_arg {
    cfc_jobs *j;
    unsigned index;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    cfc_jobs *j = w->j;
    cfc_checker *checker = j->checkers[w->index];
    free(w);
    pthread_mutex_lock(&j->lock);
    for (;;) {
        chunk *c = take(j);
        if (c == NULL) {
            if (j->stop)
                break;
            j->idle++;
            pthread_cond_wait(&j->work, &j->lock);
            j->idle--;
            continue;
        }
        pthread_mutex_unlock(&j->lock);
        check_chunk(j, c, checker);
        pthread_mutex_lock(&j->lock);
        c->state = DONE;
        if (j->waiting)
            pthread_cond_signal(&j->done);
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* ---- the calling thread --------------------------------------------------- */

static bool reserve(char **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return true;
    size_t n = *cap > 0 ? *cap : CHUNK_BYTES;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    char *q = realloc(*p, n);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

/* The longest line a chunk may have to hold: the limit and a CR. */
static size_t room(const cfc_jobs *j)
{
    return j->max_line >= SIZE_MAX - 2 ? SIZE_MAX - 2 : j->max_line + 1;
}

/* Ends the chunk being filled after `upto` bytes (up to its last newline,
 * or all at the end of the input) and queues it; the rest is carried to
 * the next one. */
static int queue_fill(cfc_jobs *j, size_t upto)
{
    chunk *c = &j->ring[j->fill];
    size_t rest = c->len - upto;
    if (!reserve(&j->carry, &j->carry_cap, rest))
        return -1;
    if (rest > 0)
        memcpy(j->carry, c->bytes + upto, rest);
    j->carry_len = rest;
    c->len = upto;
    if (j->render != NULL) {
        /* Its lines, as the framer will count them: one per newline, and
         * the oversized first line's. */
        c->first_line = j->next_line;
        j->next_line += c->big > 0;
        for (const char *p = c->bytes, *end = p + upto; (p = memchr(p, '\n', (size_t)(end - p)));
             p++)
            j->next_line++;
    }
    pthread_mutex_lock(&j->lock);
    c->state = QUEUED;
    if (j->idle > 0)
        pthread_cond_signal(&j->work);
    pthread_mutex_unlock(&j->lock);
    j->in_flight++;
    j->fill = (j->fill + 1) % j->n_ring;
    return 0;
}

/* Whether input is ready within ms milliseconds (an error says yes: the
 * read will tell). */
static bool input_ready(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, ms) != 0;
}

/* One read into the chunk being filled, and what it completes. 0, or -1
 * when out of memory. */
static int read_step(cfc_jobs *j, int fd, int *read_errno)
{
    chunk *c = &j->ring[j->fill];
    if (j->carry_len > 0) {
        if (!reserve(&c->bytes, &c->cap, j->carry_len))
            return -1;
        memcpy(c->bytes, j->carry, j->carry_len);
        c->len = j->carry_len;
        j->carry_len = 0;
    }
    if (!reserve(&c->bytes, &c->cap, CHUNK_BYTES))
        return -1;
    if (c->len == c->cap) {
        /* One unfinished line fills the chunk: made larger while the line
         * may still be kept, else counted from now on. */
        if (c->len > room(j)) {
            j->big = c->len;
            j->big_cr = c->bytes[c->len - 1] == '\r';
            c->len = 0;
        } else if (!reserve(&c->bytes, &c->cap, c->cap < room(j) / 2 ? c->cap * 2 : room(j) + 1)) {
            return -1;
        }
    }
    size_t want = c->cap - c->len;
    ssize_t n;
    do
        n = read(fd, c->bytes + c->len, want);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0)
            *read_errno = errno;
        j->eof = true;
        if (j->big > 0) {
            c->big = j->big - j->big_cr;
            j->big = 0;
        }
        /* A last line without newline is framed the same with one, and
         * then framed in place: the events point into the chunk. */
        if (c->len > 0 && c->bytes[c->len - 1] != '\n') {
            if (!reserve(&c->bytes, &c->cap, c->len + 1))
                return -1;
            c->bytes[c->len++] = '\n';
        }
        return c->len > 0 || c->big > 0 ? queue_fill(j, c->len) : 0;
    }
    j->paused = (size_t)n < want && !input_ready(fd, 0);
    char *data = c->bytes + c->len;
    size_t got = (size_t)n;
    if (j->big > 0) {
        char *nl = memchr(data, '\n', got);
        if (nl == NULL) {
            j->big += got;
            j->big_cr = data[got - 1] == '\r';
            return 0;
        }
        size_t k = (size_t)(nl - data);
        bool cr = k > 0 ? data[k - 1] == '\r' : j->big_cr;
        c->big = j->big + k - cr;
        j->big = 0;
        got -= k + 1;
        memmove(c->bytes, nl + 1, got); /* c->len is 0 */
        data = c->bytes;
    }
    char *nl = got > 0 ? memrchr(data, '\n', got) : NULL;
    if (nl != NULL)
        c->upto = (size_t)(nl + 1 - c->bytes);
    c->len += got;
    /* Queued when full, or when the input pauses (then the main loop
     * delivers before reading on); else more is read first. */
    if ((c->upto > 0 || c->big > 0) && (c->len == c->cap || j->paused))
        return queue_fill(j, c->upto);
    return 0;
}

static void recycle(chunk *c)
{
    c->len = c->upto = c->big = 0;
    c->lines = c->n_ev = c->nomem_line = c->out_len = 0;
    cfc__blocks_reset(&c->mem);
    if (c->out_cap > 4 * CHUNK_BYTES) { /* many tiny events */
        free(c->out);
        c->out = NULL;
        c->out_cap = 0;
    }
    if (c->cap > CHUNK_BYTES) { /* grown for a long line */
        free(c->bytes);
        c->bytes = NULL;
        c->cap = 0;
    }
}

/* The oldest chunk's events, in order (it is DONE). */
static int deliver(cfc_jobs *j)
{
    chunk *c = &j->ring[j->oldest];
    int rc = 0;
    for (size_t i = 0; i < c->n_ev && rc == 0; i++) {
        cfc_jobs_event e = c->ev[i];
        e.line += j->line - 1;
        if (e.out_len > 0)
            e.out = c->out + e.out_at;
        rc = j->fn(j->ctx, &e);
    }
    if (rc == 0)
        rc = j->fn(j->ctx, NULL); /* the chunk's out bytes go */
    if (rc == 0 && c->nomem_line > 0) {
        cfc_jobs_event e = {.line = j->line + c->nomem_line - 1, .nomem = true};
        j->fn(j->ctx, &e);
        rc = -1;
    }
    j->line += c->lines;
    recycle(c);
    pthread_mutex_lock(&j->lock);
    c->state = FREE;
    j->oldest = (j->oldest + 1) % j->n_ring;
    pthread_mutex_unlock(&j->lock);
    j->in_flight--;
    return rc;
}

static bool oldest_done(cfc_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    bool done = j->ring[j->oldest].state == DONE;
    pthread_mutex_unlock(&j->lock);
    return done;
}

/* Checks the oldest queued chunk on this thread; false if none is. */
static bool help(cfc_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    chunk *c = take(j);
    pthread_mutex_unlock(&j->lock);
    if (c == NULL)
        return false;
    check_chunk(j, c, j->checkers[0]);
    pthread_mutex_lock(&j->lock);
    c->state = DONE;
    pthread_mutex_unlock(&j->lock);
    return true;
}

static void wait_oldest(cfc_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    j->waiting = true;
    while (j->ring[j->oldest].state != DONE)
        pthread_cond_wait(&j->done, &j->lock);
    j->waiting = false;
    pthread_mutex_unlock(&j->lock);
}

/* After a stop: the queued chunks dropped, the ones in hand awaited, the
 * ring empty again. */
static void cancel(cfc_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    for (size_t k = 0; k < j->n_ring; k++)
        if (j->ring[k].state == QUEUED)
            j->ring[k].state = FREE;
    j->waiting = true;
    for (size_t k = 0; k < j->n_ring; k++)
        while (j->ring[k].state == WORKING)
            pthread_cond_wait(&j->done, &j->lock);
    j->waiting = false;
    for (size_t k = 0; k < j->n_ring; k++) {
        recycle(&j->ring[k]);
        j->ring[k].state = FREE;
    }
    j->oldest = 0;
    pthread_mutex_unlock(&j->lock);
}

int cfc_jobs_run(cfc_jobs *j, int fd, int *read_errno)
{
    *read_errno = 0;
    j->fill = j->oldest; /* the ring is empty */
    j->in_flight = 0;
    j->line = j->next_line = 1;
    j->carry_len = j->big = 0;
    j->eof = j->paused = j->draining = false;
    int rc = 0;
    while (rc == 0) {
        while (rc == 0 && j->in_flight > 0 && oldest_done(j))
            rc = deliver(j);
        if (rc != 0 || (j->eof && j->in_flight == 0))
            break;
        if (j->in_flight == 0)
            j->draining = false;
        /* When the input pauses, what is in flight is delivered before
         * the next read may block. */
        bool may_read = !j->eof && j->in_flight < j->n_ring;
        if (may_read && j->in_flight > 0 && j->paused &&
            (j->draining || !input_ready(fd, PAUSE_MS))) {
            may_read = false;
            j->draining = true;
        }
        if (may_read)
            rc = read_step(j, fd, read_errno);
        else if (!help(j))
            wait_oldest(j);
    }
    if (rc != 0)
        cancel(j);
    return rc;
}

/* ---- set-up ----------------------------------------------------------------- */

void cfc_jobs_set_render(cfc_jobs *j, cfc_jobs_render_fn fn, const void *ctx)
{
    j->render = fn;
    j->render_ctx = ctx;
}

cfc_jobs *cfc_jobs_new(unsigned n_jobs, cfc_checker *const *checkers, size_t max_line,
                       cfc_jobs_fn fn, void *ctx)
{
    if (n_jobs == 0)
        return NULL;
    cfc_jobs *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->n_jobs = n_jobs;
    j->checkers = checkers;
    j->max_line = max_line;
    j->fn = fn;
    j->ctx = ctx;
    j->n_ring = CHUNKS_PER_JOB * (size_t)n_jobs;
    j->ring = aligned_alloc(_Alignof(chunk), j->n_ring * sizeof *j->ring);
    j->threads = calloc(n_jobs, sizeof *j->threads);
    if (j->ring == NULL || j->threads == NULL || pthread_mutex_init(&j->lock, NULL) != 0) {
        free(j->ring);
        free(j->threads);
        free(j);
        return NULL;
    }
    memset(j->ring, 0, j->n_ring * sizeof *j->ring);
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->done, NULL);
    for (unsigned i = 1; i < n_jobs; i++) {
        worker_arg *w = malloc(sizeof *w);
        if (w == NULL)
            break;
        *w = (worker_arg){j, i};
        if (pthread_create(&j->threads[j->started], NULL, worker, w) != 0) {
            free(w);
            break;
        }
        j->started++;
    }
    if (j->started + 1 < n_jobs) {
        cfc_jobs_free(j);
        return NULL;
    }
    return j;
}

void cfc_jobs_free(cfc_jobs *j)
{
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->lock);
    j->stop = true;
    pthread_cond_broadcast(&j->work);
    pthread_mutex_unlock(&j->lock);
    for (unsigned i = 0; i < j->started; i++)
        pthread_join(j->threads[i], NULL);
    for (size_t k = 0; k < j->n_ring; k++) {
        free(j->ring[k].bytes);
        free(j->ring[k].ev);
        free(j->ring[k].out);
        cfc__blocks_free(&j->ring[k].mem);
    }
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->done);
    pthread_mutex_destroy(&j->lock);
    free(j->carry);
    free(j->ring);
    free(j->threads);
    free(j);
}
