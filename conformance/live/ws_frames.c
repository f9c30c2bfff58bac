/* SPDX-License-Identifier: MIT */
/* The frame-to-event path: reassemble WebSocket messages, check each once. */
#include "ws_frames.h"

#include <stdlib.h>
#include <string.h>

struct cfc_wsmsg {
    cfc_checker *checker;
    cfc_stream *stream; /* NULL: events checked one by one */
    cfc_wsmsg_fn fn;
    void *ctx;
    char *buf;  /* the message so far, while within the limit */
    size_t len; /* bytes kept in buf */
    size_t cap;
    size_t total;  /* bytes received for this message, kept or not */
    bool started;  /* a message is in progress */
    bool binary;   /* its opcode */
    bool overflow; /* over the limit: bytes are counted, not kept */
};

cfc_wsmsg *cfc_wsmsg_new(cfc_checker *checker, cfc_wsmsg_fn fn, void *ctx)
{
    if (checker == NULL || fn == NULL)
        return NULL;
    cfc_wsmsg *a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->checker = checker;
    a->fn = fn;
    a->ctx = ctx;
    return a;
}

void cfc_wsmsg_free(cfc_wsmsg *a)
{
    if (a == NULL)
        return;
    free(a->buf);
    free(a);
}

bool cfc_wsmsg_pending(const cfc_wsmsg *a)
{
    return a != NULL && a->started;
}

static void reset(cfc_wsmsg *a)
{
    a->len = a->total = 0;
    a->started = a->binary = a->overflow = false;
    /* A buffer grown for one large message is not kept for the next ones. */
    if (a->cap > (size_t)1 << 16) {
        free(a->buf);
        a->buf = NULL;
        a->cap = 0;
    }
}

/* Keeps `len` more bytes, or counts them once the message is over the limit. */
static int keep(cfc_wsmsg *a, const char *data, size_t len)
{
    size_t limit = cfc_checker_max_event_bytes(a->checker);
    a->total = a->total + len < a->total ? SIZE_MAX : a->total + len;
    if (a->overflow)
        return 0;
    if (a->total > limit) {
        a->overflow = true;
        a->len = 0;
        return 0;
    }
    if (a->len + len > a->cap) {
        size_t n = a->cap ? a->cap : 4096;
        while (n < a->len + len)
            n *= 2;
        if (n > limit)
            n = limit;
        char *q = realloc(a->buf, n);
        if (q == NULL)
            return -1;
        a->buf = q;
        a->cap = n;
    }
    if (len > 0)
        memcpy(a->buf + a->len, data, len);
    a->len += len;
    return 0;
}

void cfc_wsmsg_set_stream(cfc_wsmsg *a, cfc_stream *stream)
{
    if (a)
        a->stream = stream;
}

/* The one place a whole text message meets the checker: as the stream's
 * next event (stream rules on), or on its own. Oversized, binary and cut-off
 * messages are not events the stream can read, so they never reach it. */
static cfc_check_status check_text(cfc_wsmsg *a, const char *bytes, size_t len,
                                   const cfc_event_result **res)
{
    if (a->stream)
        return cfc_stream_check_event(a->stream, bytes, len, res);
    return cfc_check_event(a->checker, bytes, len, res);
}

/* The message ends: `bytes` are its kept bytes (a->buf, or the caller's
 * chunk when the message came whole in one, never copied). */
static int deliver(cfc_wsmsg *a, bool complete, const char *bytes)
{
    const cfc_event_result *res = NULL;
    cfc_check_status st;
    cfc_wsmsg_kind kind;
    if (!complete) {
        kind = CFC_WSMSG_INCOMPLETE;
        st = cfc_check_frame_fault(a->checker, CFC_FRAME_INCOMPLETE, a->total, &res);
    } else if (a->binary) {
        kind = CFC_WSMSG_BINARY;
        st = cfc_check_frame_fault(a->checker, CFC_FRAME_BINARY, a->total, &res);
    } else if (a->overflow) {
        kind = CFC_WSMSG_OVERSIZED;
        st = cfc_check_oversized(a->checker, a->total, &res);
    } else {
        kind = CFC_WSMSG_TEXT;
        st = check_text(a, bytes, a->len, &res);
    }
    size_t len = a->overflow ? a->total : a->len;
    int rc = st == CFC_CHECK_OK ? a->fn(a->ctx, kind, bytes, len, res) : -1;
    reset(a);
    return rc;
}

int cfc_wsmsg_feed(cfc_wsmsg *a, const void *data, size_t len, bool final, bool binary)
{
    if (a == NULL || (data == NULL && len > 0))
        return -1;
    if (!a->started && final && !binary && len <= cfc_checker_max_event_bytes(a->checker)) {
        /* A whole text message in one chunk, within the limit (nearly every
         * event): checked where it lies. */
        a->started = true;
        a->len = a->total = len;
        return deliver(a, true, len ? data : "");
    }
    if (!a->started) {
        a->started = true;
        a->binary = binary;
    }
    if (keep(a, data, len) != 0) {
        reset(a);
        return -1;
    }
    return final ? deliver(a, true, a->overflow ? NULL : (a->buf ? a->buf : "")) : 0;
}

int cfc_wsmsg_end(cfc_wsmsg *a)
{
    if (a == NULL || !a->started)
        return 0;
    return deliver(a, false, a->overflow ? NULL : (a->buf ? a->buf : ""));
}
