/* SPDX-License-Identifier: MIT */
/*
 * NDJSON framing (G1): bytes in, in chunks of any size; one callback per
 * event line out. Lines end in "\n" or "\r\n"; blank lines (nothing but
 * spaces, tabs or a CR) are skipped; a last line without a newline still
 * counts. A line longer than the limit is not kept: its bytes are counted,
 * framing resynchronises at the next newline, and the callback hears of it
 * with bytes == NULL. Memory is bounded by the limit, whatever the input.
 */
#ifndef CFC_NDJSON_H
#define CFC_NDJSON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One line. `line` is 1-based. For an oversized line, bytes is NULL and
 * len is its full length (without the CR of a CRLF). Return 0 to go on, non-zero to stop
 * (the feed then returns that value). bytes is valid only during the call. */
typedef int (*cfc_line_fn)(void *ctx, size_t line, const char *bytes, size_t len);

typedef struct cfc_framer cfc_framer;

/* NULL on out of memory. max_line: longest line kept, in bytes, not
 * counting the CR of a CRLF; any value, SIZE_MAX included. */
cfc_framer *cfc_framer_new(size_t max_line, cfc_line_fn fn, void *ctx);
void cfc_framer_free(cfc_framer *f); /* NULL ok */
/* Starts a new input with the same callback and context, as a framer new
 * from cfc_framer_new(max_line, ...) would: line 1, nothing held. The
 * buffer's memory is kept for the next input's lines. */
void cfc_framer_reset(cfc_framer *f, size_t max_line);

/* Returns 0, the callback's non-zero value, or -1 on out of memory. */
int cfc_framer_feed(cfc_framer *f, const char *data, size_t len);
/* Ends the input: delivers a last line without newline. Same returns. */
int cfc_framer_finish(cfc_framer *f);
/* The lines framed so far, blank and oversized ones included: the number the
 * next line will have, minus one. */
size_t cfc_framer_lines(const cfc_framer *f);

#ifdef __cplusplus
}
#endif

#endif
