/* SPDX-License-Identifier: MIT */
/* One input checked on several threads (check_jobs.c). */
#ifndef CFC_CHECK_JOBS_H
#define CFC_CHECK_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "checker_internal.h"

/* An event of the input, as a thread checked it on its own. */
typedef struct cfc_jobs_event {
    size_t line;
    const char *bytes; /* NULL: too long to keep, len its length */
    size_t len;
    /* No finding of its own (single-event rules): then type is what the
     * check found, and facts what the stream rules need (NULL when they
     * read nothing: not an object). Else the caller checks it itself. */
    bool clean;
    const char *type;
    size_t type_len;
    const cfc__stream_facts *facts;
    bool nomem; /* no room to keep it: out of memory before it */
    /* Clean, and a render function is set: the report's bytes for it, as
     * if it has no finding (out_len bytes at out, maybe none). */
    bool rendered;
    const char *out;
    size_t out_len;
    size_t out_at; /* (check_jobs.c's: where out is in its block's bytes) */
} cfc_jobs_event;

/* Receives each event, on the calling thread, in input order; all of it
 * valid during the call, and an event's out bytes until the end of its
 * block: then fn is called with e NULL (out bytes in a row that are
 * contiguous may so be written at once). Returns 0, or -1 to stop
 * (nothing more is delivered). */
typedef int (*cfc_jobs_fn)(void *ctx, const cfc_jobs_event *e);

/* Renders, on any of the threads, the report of a clean event as if it had
 * no finding (line: its number in the input): appends to *out (len, cap;
 * realloc'd), as cfc__report_render_ok. 0, or -1 when out of memory. */
typedef int (*cfc_jobs_render_fn)(const void *ctx, size_t line, const char *type, size_t type_len,
                                  char **out, size_t *len, size_t *cap);

typedef struct cfc_jobs cfc_jobs;

/* n_jobs threads in all: the calling thread (during cfc_jobs_run) and
 * n_jobs - 1 more. Thread i checks with checkers[i] (n_jobs of them,
 * borrowed, all configured alike); lines are framed as cfc_framer does with
 * max_line. NULL when out of memory or a thread cannot start. */
cfc_jobs *cfc_jobs_new(unsigned n_jobs, cfc_checker *const *checkers, size_t max_line,
                       cfc_jobs_fn fn, void *ctx);
/* Clean events rendered with fn(ctx, ...) from the next run on (fn NULL:
 * not rendered). ctx is read by every thread during a run. */
void cfc_jobs_set_render(cfc_jobs *j, cfc_jobs_render_fn fn, const void *ctx);
/* Reads fd to its end (one input: lines numbered from 1) and delivers
 * every line's event. Returns 0, or -1 once stopped (fn said stop, or out
 * of memory). A read error ends the input as one job's would (the lines
 * read before it are delivered), returns 0 and sets *read_errno (else 0). */
int cfc_jobs_run(cfc_jobs *j, int fd, int *read_errno);
/* Stops the threads and frees everything (NULL ok). */
void cfc_jobs_free(cfc_jobs *j);

#endif
