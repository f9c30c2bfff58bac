/* SPDX-License-Identifier: MIT */
/* One input checked on several threads (check_jobs.c). */
#ifndef CFC_CHECK_JOBS_H
#define CFC_CHECK_JOBS_H

#include <stddef.h>

#include "checker_internal.h"

/* Receives each line's prepared event, on the thread that feeds, in input
 * order; p is NULL when preparing it ran out of memory. Returns 0, or -1 to
 * stop (nothing more is delivered). */
typedef int (*cfc_jobs_fn)(void *ctx, size_t line, const cfc__prepared *p);

typedef struct cfc_jobs cfc_jobs;

/* n_workers threads, worker i checking with checkers[i] (borrowed; all
 * configured alike); lines framed as cfc_framer does with max_line. NULL
 * when out of memory or a thread cannot start. */
cfc_jobs *cfc_jobs_new(unsigned n_workers, cfc_checker *const *checkers, size_t max_line,
                       cfc_jobs_fn fn, void *ctx);
/* Input bytes, in order, like cfc_framer_feed; -1 once stopped. */
int cfc_jobs_feed(cfc_jobs *j, const char *data, size_t len);
/* The end of the input: every remaining event delivered. 0, or -1. */
int cfc_jobs_finish(cfc_jobs *j);
/* Stops the threads and frees everything (NULL ok). */
void cfc_jobs_free(cfc_jobs *j);

#endif
