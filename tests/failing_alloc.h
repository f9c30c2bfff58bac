/* SPDX-License-Identifier: MIT */
/* An allocator for the checker's allocation-failure tests: it fails the
 * fail_at-th allocation (0: none), counts allocations, and counts those not
 * yet freed (live), so a test can prove nothing leaked. */
#ifndef CFC_TEST_FAILING_ALLOC_H
#define CFC_TEST_FAILING_ALLOC_H

#include <stdlib.h>

#include "cfc/check.h"

typedef struct counter {
    long fail_at, count, live;
} counter;

static inline void *c_malloc(void *ctx, size_t size)
{
    counter *k = ctx;
    if (++k->count == k->fail_at)
        return NULL;
    void *p = malloc(size);
    k->live += p != NULL;
    return p;
}

static inline void *c_realloc(void *ctx, void *ptr, size_t size)
{
    counter *k = ctx;
    if (++k->count == k->fail_at)
        return NULL;
    void *p = realloc(ptr, size);
    k->live += p != NULL && ptr == NULL;
    return p;
}

static inline void c_free(void *ctx, void *ptr)
{
    counter *k = ctx;
    k->live -= ptr != NULL;
    free(ptr);
}

/* The allocator that counts into k. */
static inline cfc_allocator counting_allocator(counter *k)
{
    cfc_allocator a = {c_malloc, c_realloc, c_free, k};
    return a;
}

#endif
