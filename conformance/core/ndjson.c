/* SPDX-License-Identifier: MIT */
#include "cfc/ndjson.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cfc_framer {
    size_t max_line;
    cfc_line_fn fn;
    void *ctx;
    char *buf; /* the current line's bytes so far, while it fits */
    size_t len, cap;
    size_t overflow;  /* > 0: the current line is over the limit, this long so far */
    bool overflow_cr; /* the last byte counted in overflow was a CR */
    size_t line;      /* number of the current line */
};

/* What a line may hold in the buffer: the limit, and one byte more for the
 * CR of a CRLF, which is not part of the event (saturating: a limit of
 * SIZE_MAX must not wrap to 0). */
static size_t room(const cfc_framer *f)
{
    return f->max_line == SIZE_MAX ? SIZE_MAX : f->max_line + 1;
}

cfc_framer *cfc_framer_new(size_t max_line, cfc_line_fn fn, void *ctx)
{
    cfc_framer *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->max_line = max_line;
    f->fn = fn;
    f->ctx = ctx;
    f->line = 1;
    return f;
}

void cfc_framer_free(cfc_framer *f)
{
    if (f == NULL)
        return;
    free(f->buf);
    free(f);
}

void cfc_framer_reset(cfc_framer *f, size_t max_line)
{
    f->max_line = max_line;
    f->len = 0;
    f->overflow = 0;
    f->overflow_cr = false;
    f->line = 1;
}

static bool blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    }
    return true;
}

/* One complete line (without its "\n"). */
static int deliver(cfc_framer *f, const char *s, size_t len)
{
    size_t line = f->line++;
    if (f->overflow) {
        size_t total = f->overflow + len;
        bool cr = len ? s[len - 1] == '\r' : f->overflow_cr;
        return f->fn(f->ctx, line, NULL, cr ? total - 1 : total);
    }
    /* The CR of a CRLF ends the line; it does not count towards the limit. */
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (len > f->max_line)
        return f->fn(f->ctx, line, NULL, len);
    if (blank(s, len))
        return 0;
    return f->fn(f->ctx, line, s, len);
}

static int append(cfc_framer *f, const char *s, size_t len)
{
    size_t max = room(f);
    if (f->overflow || len > max - f->len) {
        /* Too long to keep: count it, drop what was kept. */
        f->overflow += f->len + len;
        if (len)
            f->overflow_cr = s[len - 1] == '\r';
        else if (f->len)
            f->overflow_cr = f->buf[f->len - 1] == '\r';
        f->len = 0;
        return 0;
    }
    if (f->len + len > f->cap) {
        size_t need = f->len + len; /* <= max: no wrap */
        size_t n = f->cap ? f->cap : 4096;
        while (n < need)
            n = n > max / 2 ? max : n * 2;
        if (n > max)
            n = max;
        char *q = realloc(f->buf, n);
        if (q == NULL)
            return -1;
        f->buf = q;
        f->cap = n;
    }
    memcpy(f->buf + f->len, s, len);
    f->len += len;
    return 0;
}

int cfc_framer_feed(cfc_framer *f, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        if (nl == NULL)
            return append(f, data, len);
        size_t n = (size_t)(nl - data);
        int rc;
        if (f->len == 0 && f->overflow == 0) {
            rc = deliver(f, data, n); /* the whole line is here: no copy */
        } else {
            rc = append(f, data, n);
            if (rc == 0)
                rc = deliver(f, f->buf, f->len);
            f->len = 0;
            f->overflow = 0;
        }
        if (rc != 0)
            return rc;
        data = nl + 1;
        len -= n + 1;
    }
    return 0;
}

int cfc_framer_finish(cfc_framer *f)
{
    if (f->len == 0 && f->overflow == 0)
        return 0;
    int rc = deliver(f, f->buf, f->len);
    f->len = 0;
    f->overflow = 0;
    return rc;
}

size_t cfc_framer_lines(const cfc_framer *f)
{
    return f->line - 1;
}
