/* SPDX-License-Identifier: MIT */
/*
 * cfconform check --jobs N: one input checked on N threads, with output and
 * exit code identical to one thread's.
 *
 * The input is framed into lines on the calling thread, as for one job, and
 * the lines are gathered in chunks. Worker threads, each with its own
 * checker, check the events of a chunk on their own (parse and every
 * single-event rule: most of the work) and keep what the stream rules will
 * need (cfc__check_prepare). The calling thread then takes the chunks in
 * input order and, event by event, applies the stream rules and hands the
 * result to the caller (which reports it): the stream sees exactly the
 * sequence one job would, so its findings are the same.
 *
 * At most IN_FLIGHT chunks exist at a time, so memory stays bounded
 * whatever the input's length.
 */
#define _POSIX_C_SOURCE 200809L
#include "check_jobs.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/ndjson.h"

/* A chunk is handed over at this many events or bytes, whichever first:
 * large enough that locking is rare, small enough to keep memory low. */
#define CHUNK_EVENTS 256
#define CHUNK_BYTES ((size_t)64 << 10)

typedef struct event {
    size_t line;
    size_t at, len; /* bytes[at, at + len), or len alone when too large */
    bool oversized;
    cfc__prepared *prep; /* NULL: out of memory while preparing */
} event;

enum chunk_state { FREE, QUEUED, WORKING, DONE };

typedef struct chunk {
    enum chunk_state state;
    uint64_t seq; /* order of submission: workers take the oldest first */
    char *bytes;
    size_t len, cap;
    event *ev;
    size_t n_ev, cap_ev;
    cfc__blocks mem; /* what the prepared events point to */
} chunk;

struct cfc_jobs {
    unsigned n_workers;
    cfc_checker *const *checkers;
    cfc_jobs_fn fn;
    void *ctx;
    cfc_framer *framer;

    pthread_mutex_t lock;
    pthread_cond_t work; /* a chunk was queued, or stop */
    pthread_cond_t done; /* a chunk is done */
    bool stop;
    pthread_t *threads;
    unsigned started;

    /* The ring of chunks: `oldest` is the next to deliver, `filling` the
     * one the framer is adding to (FREE until queued). */
    chunk *ring;
    size_t n_ring, oldest, filling, in_flight;
    uint64_t submitted;
    bool failed; /* out of memory, or the consumer said stop */
};

static void *worker(void *arg);

/* The worker's index, for its checker: passed through this small record. */
typedef struct worker_arg {
    cfc_jobs *j;
    unsigned index;
} worker_arg;

static bool chunk_add(chunk *c, size_t line, const char *bytes, size_t len)
{
    if (c->n_ev == c->cap_ev) {
        size_t n = c->cap_ev ? c->cap_ev * 2 : CHUNK_EVENTS;
        event *e = realloc(c->ev, n * sizeof *e);
        if (e == NULL)
            return false;
        c->ev = e;
        c->cap_ev = n;
    }
    event *e = &c->ev[c->n_ev];
    *e = (event){.line = line, .at = c->len, .len = len, .oversized = bytes == NULL};
    if (bytes != NULL) {
        if (c->len + len > c->cap) {
            size_t n = c->cap ? c->cap : CHUNK_BYTES;
            while (n < c->len + len)
                n *= 2;
            char *b = realloc(c->bytes, n);
            if (b == NULL)
                return false;
            c->bytes = b;
            c->cap = n;
        }
        if (len > 0)
            memcpy(c->bytes + c->len, bytes, len);
        c->len += len;
    }
    c->n_ev++;
    return true;
}

/* Delivers the oldest chunk's events, in order, once it is done. */
static int deliver_oldest(cfc_jobs *j)
{
    chunk *c = &j->ring[j->oldest];
    pthread_mutex_lock(&j->lock);
    while (c->state != DONE)
        pthread_cond_wait(&j->done, &j->lock);
    pthread_mutex_unlock(&j->lock);
    int rc = 0;
    for (size_t i = 0; i < c->n_ev && rc == 0 && !j->failed; i++)
        rc = j->fn(j->ctx, c->ev[i].line, c->ev[i].prep);
    if (rc != 0)
        j->failed = true;
    c->n_ev = 0;
    c->len = 0;
    cfc__blocks_reset(&c->mem);
    c->state = FREE;
    j->oldest = (j->oldest + 1) % j->n_ring;
    j->in_flight--;
    return j->failed ? -1 : 0;
}

static bool oldest_done(cfc_jobs *j)
{
    pthread_mutex_lock(&j->lock);
    bool done = j->in_flight > 0 && j->ring[j->oldest].state == DONE;
    pthread_mutex_unlock(&j->lock);
    return done;
}

/* Hands the chunk being filled to the workers, making room, and delivers
 * what is already done, so results flow out as the input comes in. */
static int submit(cfc_jobs *j)
{
    chunk *c = &j->ring[j->filling];
    if (c->n_ev == 0)
        return 0;
    pthread_mutex_lock(&j->lock);
    c->state = QUEUED;
    c->seq = j->submitted++;
    pthread_cond_signal(&j->work);
    pthread_mutex_unlock(&j->lock);
    j->in_flight++;
    j->filling = (j->filling + 1) % j->n_ring;
    /* The next chunk to fill must be free: deliver until it is. */
    while (j->in_flight == j->n_ring || oldest_done(j))
        if (deliver_oldest(j) != 0)
            return -1;
    return 0;
}

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    cfc_jobs *j = ctx;
    if (j->failed)
        return -1;
    chunk *c = &j->ring[j->filling];
    if (!chunk_add(c, line, bytes, len)) {
        /* As one job would: the lines before are reported, then this one
         * is out of memory. */
        if (submit(j) == 0)
            while (j->in_flight > 0 && deliver_oldest(j) == 0)
                ;
        if (!j->failed)
            j->fn(j->ctx, line, NULL);
        j->failed = true;
        return -1;
    }
    if (c->n_ev >= CHUNK_EVENTS || c->len >= CHUNK_BYTES)
        return submit(j);
    return 0;
}

static void prepare_chunk(chunk *c, cfc_checker *checker)
{
    for (size_t i = 0; i < c->n_ev; i++) {
        event *e = &c->ev[i];
        e->prep = NULL;
        if (cfc__check_prepare(checker, e->oversized ? NULL : c->bytes + e->at, e->len, &c->mem,
                               &e->prep) != CFC_CHECK_OK)
            e->prep = NULL;
    }
}

static void *worker(void *arg)
{
    worker_arg *w = arg;
    cfc_jobs *j = w->j;
    cfc_checker *checker = j->checkers[w->index];
    free(w);
    pthread_mutex_lock(&j->lock);
    for (;;) {
        chunk *c = NULL;
        /* The oldest queued chunk first: the calling thread waits for it. */
        for (size_t k = 0; k < j->n_ring; k++) {
            chunk *x = &j->ring[k];
            if (x->state == QUEUED && (c == NULL || x->seq < c->seq))
                c = x;
        }
        if (c == NULL) {
            if (j->stop)
                break;
            pthread_cond_wait(&j->work, &j->lock);
            continue;
        }
        c->state = WORKING;
        pthread_mutex_unlock(&j->lock);
        prepare_chunk(c, checker);
        pthread_mutex_lock(&j->lock);
        c->state = DONE;
        pthread_cond_broadcast(&j->done);
    }
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

cfc_jobs *cfc_jobs_new(unsigned n_workers, cfc_checker *const *checkers, size_t max_line,
                       cfc_jobs_fn fn, void *ctx)
{
    if (n_workers == 0)
        return NULL;
    cfc_jobs *j = calloc(1, sizeof *j);
    if (j == NULL)
        return NULL;
    j->n_workers = n_workers;
    j->checkers = checkers;
    j->fn = fn;
    j->ctx = ctx;
    /* Two chunks per worker keep every worker busy while the calling thread
     * delivers; one more is being filled. */
    j->n_ring = 2 * (size_t)n_workers + 1;
    j->ring = calloc(j->n_ring, sizeof *j->ring);
    j->threads = calloc(n_workers, sizeof *j->threads);
    j->framer = cfc_framer_new(max_line, on_line, j);
    if (j->ring == NULL || j->threads == NULL || j->framer == NULL ||
        pthread_mutex_init(&j->lock, NULL) != 0) {
        cfc_framer_free(j->framer);
        free(j->ring);
        free(j->threads);
        free(j);
        return NULL;
    }
    pthread_cond_init(&j->work, NULL);
    pthread_cond_init(&j->done, NULL);
    for (unsigned i = 0; i < n_workers; i++) {
        worker_arg *w = malloc(sizeof *w);
        if (w == NULL)
            break;
        *w = (worker_arg){j, i};
        if (pthread_create(&j->threads[i], NULL, worker, w) != 0) {
            free(w);
            break;
        }
        j->started++;
    }
    if (j->started < n_workers) {
        cfc_jobs_free(j);
        return NULL;
    }
    return j;
}

int cfc_jobs_feed(cfc_jobs *j, const char *data, size_t len)
{
    if (j->failed)
        return -1;
    /* What was read is handed over now (a pipe's reader sees its results
     * without waiting for a chunk to fill). */
    if (cfc_framer_feed(j->framer, data, len) != 0 || j->failed)
        return -1;
    return submit(j);
}

int cfc_jobs_finish(cfc_jobs *j)
{
    if (j->failed || cfc_framer_finish(j->framer) != 0 || submit(j) != 0)
        return -1;
    while (j->in_flight > 0)
        if (deliver_oldest(j) != 0)
            return -1;
    return 0;
}

void cfc_jobs_free(cfc_jobs *j)
{
    if (j == NULL)
        return;
    pthread_mutex_lock(&j->lock);
    j->stop = true;
    /* Workers finish the chunk in hand; queued ones are left undone. */
    for (size_t k = 0; k < j->n_ring; k++)
        if (j->ring[k].state == QUEUED)
            j->ring[k].state = FREE;
    pthread_cond_broadcast(&j->work);
    pthread_mutex_unlock(&j->lock);
    for (unsigned i = 0; i < j->started; i++)
        pthread_join(j->threads[i], NULL);
    for (size_t k = 0; k < j->n_ring; k++) {
        free(j->ring[k].bytes);
        free(j->ring[k].ev);
        cfc__blocks_free(&j->ring[k].mem);
    }
    pthread_cond_destroy(&j->work);
    pthread_cond_destroy(&j->done);
    pthread_mutex_destroy(&j->lock);
    cfc_framer_free(j->framer);
    free(j->ring);
    free(j->threads);
    free(j);
}
