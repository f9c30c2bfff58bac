/* SPDX-License-Identifier: MIT */
/*
 * An adapter session: the one adapter process of a run, producer or
 * consumer (certify_run.c, consume_run.c). It starts the adapter and has
 * the role read its hello, restarts it after anything that makes its state
 * unknown (at most CFC__MAX_FAILED_STARTS failures in a row), exchanges one
 * request line for one answer line within the call timeout, and ends it:
 * politely at the end of a run, killed when it is lost.
 *
 * A run ends early in two ways, both here so that both roles honour them
 * alike: the stop flag (set by the command's signal handler: every wait
 * gives up within 100 ms) and the run's deadline (every exchange is cut at
 * it). Either way the adapter's process group and every descendant that
 * left it are killed (cfc__proc_end and the subreaper): nothing is left.
 */
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"

#define STOP_GRACE_MS 2000
/* A line above this leaves no buffer of its size behind. */
#define BIG_LINE ((size_t)1 << 20)

int cfc__session_init(cfc__session *s, const cfc_allocator *a, const char *command,
                      unsigned call_timeout_ms, unsigned start_timeout_ms,
                      const volatile sig_atomic_t *stop, unsigned deadline_ms, char *why,
                      size_t cap)
{
    memset(s, 0, sizeof *s);
    s->a = a;
    s->proc.in_fd = s->proc.out_fd = s->proc.err_fd = -1;
    s->call_timeout = call_timeout_ms ? call_timeout_ms : 10000;
    s->start_timeout = start_timeout_ms ? start_timeout_ms : 15000;
    s->stop = stop;
    s->run_deadline = deadline_ms ? cfc__now_mono_ms() + deadline_ms : INT64_MAX;
    cfc__buf_init(&s->line, a);
    cfc__buf_init(&s->req, a);
    cfc__buf_init(&s->start, a);
    int rc = cfc__argv_split(a, command, &s->argv, why, cap);
    if (rc != 0) {
        if (rc == -2)
            snprintf(why, cap, "out of memory");
        return rc == -2 ? -2 : -1;
    }
    if (a)
        s->ja = (cfc_jalloc){a->malloc_fn, a->realloc_fn, a->free_fn, a->ctx};
    s->parser = cfc_jparser_new_with_alloc(a ? &s->ja : NULL);
    if (s->parser == NULL) {
        snprintf(why, cap, "out of memory");
        return -2;
    }
    return 0;
}

void cfc__session_stop(cfc__session *s, bool polite)
{
    if (!s->running)
        return;
    if (polite) {
        s->req.len = 0;
        cfc__proto_stop(&s->req);
        if (cfc__buf_ok(&s->req))
            (void)cfc__proc_write(&s->proc, s->req.data, s->req.len, cfc__now_mono_ms() + 500);
    }
    cfc__proc_end(&s->proc, polite ? STOP_GRACE_MS : 0);
    s->running = false;
}

void cfc__session_free(cfc__session *s, bool polite)
{
    cfc__session_stop(s, polite);
    cfc__proc_end(&s->proc, 0); /* frees what a never-started process held */
    cfc__argv_free(s->a, s->argv);
    s->argv = NULL;
    cfc__buf_free(&s->line);
    cfc__buf_free(&s->req);
    cfc__buf_free(&s->start);
    cfc_jparser_free(s->parser);
    s->parser = NULL;
}

/* Whether a failed wait (rc from cfc__proc_read_line / cfc__proc_write)
 * was the run's end rather than the adapter's fault. */
static bool run_ends(cfc__session *s, int rc)
{
    if (rc == -5)
        s->stopped = true;
    else if (rc == -2 && cfc__now_mono_ms() >= s->run_deadline)
        s->deadline_hit = true;
    return s->stopped || s->deadline_hit;
}

bool cfc__session_ends(cfc__session *s)
{
    if (s->stop && *s->stop)
        s->stopped = true;
    else if (cfc__now_mono_ms() >= s->run_deadline)
        s->deadline_hit = true;
    return s->stopped || s->deadline_hit;
}

/* The deadline of one exchange: its own, cut at the run's. */
static int64_t exchange_deadline(const cfc__session *s, unsigned ms)
{
    int64_t d = cfc__now_mono_ms() + ms;
    return d < s->run_deadline ? d : s->run_deadline;
}

void cfc__session_lost(cfc__session *s, char *why, size_t cap, const char *what, unsigned grace_ms)
{
    if (s->running) {
        cfc__proc_end(&s->proc, grace_ms);
        s->running = false;
    }
    char how[768];
    cfc__proc_describe(&s->proc, how, sizeof how);
    snprintf(why, cap, "%s; %s", what, how);
}

bool cfc__session_release_big(cfc__session *s, size_t line_len)
{
    cfc__proc_shrink(&s->proc, BIG_LINE);
    if (s->line.cap > BIG_LINE)
        cfc__buf_free(&s->line);
    if (line_len <= BIG_LINE)
        return true;
    cfc_jparser_free(s->parser);
    s->parser = cfc_jparser_new_with_alloc(s->a ? &s->ja : NULL);
    return s->parser != NULL;
}

int cfc__session_start(cfc__session *s, char *why, size_t cap)
{
    if (cfc__proc_spawn(&s->proc, s->a, s->argv, why, cap) != 0)
        return -1;
    s->proc.stop = s->stop;
    s->running = true;
    s->starts++;
    if (!cfc__buf_ok(&s->start)) {
        cfc__session_stop(s, false);
        return -2;
    }
    int64_t deadline = exchange_deadline(s, s->start_timeout);
    int wrc = cfc__proc_write(&s->proc, s->start.data, s->start.len, deadline);
    if (wrc != 0) {
        (void)run_ends(s, wrc);
        cfc__session_lost(s, why, cap, "cannot send start", 0);
        return -1;
    }
    int rc = cfc__proc_read_line(&s->proc, &s->line, CFC__PROTO_MAX_LINE, deadline);
    if (rc != 0 && run_ends(s, rc)) {
        cfc__session_lost(s, why, cap, s->stopped ? "stopped" : "the run's deadline passed", 0);
        return -1;
    }
    if (rc == -1) {
        cfc__session_lost(s, why, cap, "no answer to start", CFC__EOF_GRACE_MS);
        return -1;
    }
    if (rc != 0) {
        char what[96];
        if (rc == -2)
            snprintf(what, sizeof what, "no answer to start within %u ms", s->start_timeout);
        else
            snprintf(what, sizeof what, "%s",
                     rc == -3   ? "an overlong line in answer to start"
                     : rc == -4 ? "out of memory"
                                : "no answer to start");
        cfc__session_lost(s, why, cap, what, 0);
        return rc == -4 ? -2 : -1;
    }
    int hrc = s->hello(s->hello_ctx, s, why, cap);
    if (hrc != 0)
        cfc__session_stop(s, false);
    return hrc;
}

int cfc__session_ensure(cfc__session *s, char *why, size_t cap)
{
    if (s->running)
        return 0;
    if (s->failed_starts >= CFC__MAX_FAILED_STARTS) {
        snprintf(why, cap, "the adapter could not be restarted (%d attempts in a row)",
                 CFC__MAX_FAILED_STARTS);
        return -1;
    }
    char swhy[900];
    int rc = cfc__session_start(s, swhy, sizeof swhy);
    if (rc == -2)
        return -2;
    if (rc != 0) {
        s->failed_starts++;
        snprintf(why, cap, "restarting the adapter failed: %s", swhy);
        return -1;
    }
    s->failed_starts = 0;
    return 0;
}

int cfc__session_exchange(cfc__session *s, bool *send_failed)
{
    *send_failed = false;
    int64_t deadline = exchange_deadline(s, s->call_timeout);
    int rc = cfc__proc_write(&s->proc, s->req.data, s->req.len, deadline);
    if (rc == 0)
        rc = cfc__proc_read_line(&s->proc, &s->line, CFC__PROTO_MAX_LINE, deadline);
    else
        *send_failed = true;
    if (rc != 0 && rc != -4 && run_ends(s, rc)) {
        *send_failed = false;
        cfc__session_stop(s, false);
        return -5;
    }
    if (*send_failed)
        return rc == -2 ? -2 : -1;
    return rc;
}

bool cfc__session_unnamed(const cfc_allocator *a, char **name, char **language, char **version)
{
    static const char none[] = "(not started)";
    *name = cfc__cstrndup(a, none, sizeof none - 1);
    *language = cfc__cstrndup(a, none, sizeof none - 1);
    *version = cfc__cstrndup(a, none, sizeof none - 1);
    return *name && *language && *version;
}

cfc_certify_status cfc__run_fail(cfc_certify_error *err, cfc_certify_status st, const char *fmt,
                                 const char *arg)
{
    if (err) {
        err->status = st;
        snprintf(err->message, sizeof err->message, fmt, arg);
    }
    return st;
}

unsigned cfc__run_score(size_t pass, size_t n_results)
{
    return n_results ? (unsigned)(pass * 100 / n_results) : 0;
}
