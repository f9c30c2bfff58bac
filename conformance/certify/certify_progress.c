/* SPDX-License-Identifier: MIT */
/*
 * Progress while a certification runs, so that a slow run is never silent:
 * on a terminal one line redrawn in place (the case being run, how far, the
 * time left, the failures so far), erased at the end; otherwise (a CI log)
 * a plain line every few seconds. Kept apart from the run (certify_run.c):
 * it only sees the on_start / on_case callbacks.
 */
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"

struct cfc_cert_progress {
    const cfc_allocator *alloc;
    FILE *out;
    bool live;
    unsigned interval_ms;
    size_t done, total, not_passed;
    char current[40];
    int64_t t0, last_line;
    bool drawn; /* a live line is on the screen */
};

cfc_cert_progress *cfc_cert_progress_new(FILE *out, bool live, unsigned interval_ms,
                                         const cfc_allocator *alloc)
{
    cfc_cert_progress *p = cfc__cmalloc(alloc, sizeof *p);
    if (p == NULL)
        return NULL;
    memset(p, 0, sizeof *p);
    p->alloc = alloc;
    p->out = out;
    p->live = live;
    p->interval_ms = interval_ms;
    p->t0 = p->last_line = cfc__now_mono_ms();
    return p;
}

/* "about 12 s left", "about 3 min left", or "" before the first case. */
static void time_left(const cfc_cert_progress *p, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (p->done == 0 || p->total <= p->done)
        return;
    int64_t spent = cfc__now_mono_ms() - p->t0;
    int64_t left = spent * (int64_t)(p->total - p->done) / (int64_t)p->done;
    if (left < 60000)
        snprintf(buf, cap, "about %lld s left", left < 1000 ? 1LL : (long long)(left + 999) / 1000);
    else
        snprintf(buf, cap, "about %lld min left", (long long)(left + 59999) / 60000);
}

static void draw(cfc_cert_progress *p)
{
    char left[48];
    time_left(p, left, sizeof left);
    unsigned pct = p->total ? (unsigned)(p->done * 100 / p->total) : 0;
    if (p->live) {
        /* \r and erase-to-end: the line is redrawn in place. */
        int width = snprintf(NULL, 0, "%zu", p->total); /* the counter keeps its width */
        fprintf(p->out, "\r\033[K[%*zu/%zu] %3u%%  %-9s %s", width, p->done, p->total, pct,
                p->current, left);
        if (p->not_passed)
            fprintf(p->out, "  not passed: %zu", p->not_passed);
        p->drawn = true;
    } else {
        fprintf(p->out, "certify: %zu of %zu cases (%u%%), running %s%s%s", p->done, p->total, pct,
                p->current, left[0] ? ", " : "", left);
        if (p->not_passed)
            fprintf(p->out, ", %zu not passed so far", p->not_passed);
        fputc('\n', p->out);
        p->last_line = cfc__now_mono_ms();
    }
    fflush(p->out);
}

void cfc_cert_progress_on_start(void *progress, const cfc_cert_case *c, size_t index, size_t total)
{
    cfc_cert_progress *p = progress;
    if (p == NULL)
        return;
    if (index == 0) /* the estimate counts from the first case, not the adapter's start */
        p->t0 = cfc__now_mono_ms();
    p->done = index;
    p->total = total;
    snprintf(p->current, sizeof p->current, "%s", c->id);
    if (p->live || p->interval_ms == 0 ||
        cfc__now_mono_ms() - p->last_line >= (int64_t)p->interval_ms)
        draw(p);
}

void cfc_cert_progress_on_case(void *progress, const cfc_case_result *r)
{
    cfc_cert_progress *p = progress;
    if (p == NULL)
        return;
    p->done++;
    if (r->verdict != CFC_VERDICT_PASS)
        p->not_passed++;
}

void cfc_cert_progress_clear(cfc_cert_progress *p)
{
    if (p == NULL || !p->drawn)
        return;
    fputs("\r\033[K", p->out);
    fflush(p->out);
    p->drawn = false;
}

void cfc_cert_progress_free(cfc_cert_progress *p)
{
    if (p == NULL)
        return;
    cfc_cert_progress_clear(p);
    cfc__cfree(p->alloc, p);
}
