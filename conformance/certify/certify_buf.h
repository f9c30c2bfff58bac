/* SPDX-License-Identifier: MIT */
/*
 * Internal to certification: a growable byte buffer with the escapers every
 * certification writer needs (JSON, HTML, XML), base64 both ways, a UTF-8
 * validity test, SHA-256, and the re-serialisation of a parsed JSON value
 * (json.h) to compact text.
 *
 * Memory: a buffer allocates through the cfc_allocator it was given (NULL:
 * malloc). A failed allocation makes the buffer "failed": every later append
 * is a no-op and cfc__buf_ok() says false, so a writer checks once at the
 * end instead of after every append. Free with cfc__buf_free (no-op on a
 * zeroed buffer).
 *
 * Every string handed to an escaper may hold any bytes: invalid UTF-8
 * becomes U+FFFD, so what the escapers produce is always valid UTF-8.
 */
#ifndef CFC_CERTIFY_BUF_H
#define CFC_CERTIFY_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfc/check.h"
#include "json.h"

typedef struct cfc__buf {
    char *data; /* NUL-terminated when len > 0 or after any append */
    size_t len, cap;
    bool failed;
    const cfc_allocator *alloc; /* NULL: malloc/realloc/free */
    FILE *spill;                /* cfc__buf_spill's stream; NULL: never spills */
} cfc__buf;

/* Allocation through an optional cfc_allocator (NULL: the C library's). */
void *cfc__cmalloc(const cfc_allocator *a, size_t size);
void *cfc__crealloc(const cfc_allocator *a, void *p, size_t size);
void cfc__cfree(const cfc_allocator *a, void *p);
/* A NUL-terminated copy of len bytes (which may contain NUL), or NULL. */
char *cfc__cstrndup(const cfc_allocator *a, const char *s, size_t len);

void cfc__buf_init(cfc__buf *b, const cfc_allocator *a);
void cfc__buf_free(cfc__buf *b);
bool cfc__buf_ok(const cfc__buf *b);
void cfc__buf_add(cfc__buf *b, const void *bytes, size_t len);
void cfc__buf_puts(cfc__buf *b, const char *s);
void cfc__buf_printf(cfc__buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Takes the contents (NUL-terminated, the allocator's memory) and empties the
 * buffer; NULL when the buffer failed (which it then frees). */
char *cfc__buf_take(cfc__buf *b, size_t *len);

/* A report writer's safe point: when b->spill is set and the buffer holds
 * more than 64 KiB, writes it out and empties it, so that a report of any
 * size needs little memory. A write error makes the buffer failed. */
void cfc__buf_spill(cfc__buf *b);

/* Length of the longest valid UTF-8 prefix of s (== len when all valid). */
size_t cfc__utf8_valid_prefix(const char *s, size_t len);

/* "..." with JSON escapes; invalid UTF-8 becomes U+FFFD. */
void cfc__buf_json_str(cfc__buf *b, const char *s, size_t len);
/* HTML text/attribute escaping (&<>"'), control characters shown as U+FFFD
 * except \n and \t. */
void cfc__buf_html(cfc__buf *b, const char *s, size_t len);
/* XML 1.0 escaping: characters XML cannot hold become U+FFFD. */
void cfc__buf_xml(cfc__buf *b, const char *s, size_t len);
/* Standard base64 with padding. */
void cfc__buf_base64(cfc__buf *b, const unsigned char *bytes, size_t len);
/* Decodes standard base64 (padding required, no whitespace) into out (at
 * least len / 4 * 3 bytes). Returns the decoded length, or -1 when the
 * text is not canonical base64. */
long cfc__base64_decode(const char *s, size_t len, unsigned char *out);

/* Compact JSON of a parsed value. `src` is the text it was parsed from:
 * numbers are copied from it byte for byte (exact, as written). */
void cfc__buf_jval(cfc__buf *b, const cfc_jval *v, const char *src);
/* Whether `b` (received) matches `a` (expected), deeply: numbers by exact
 * integer when both are int64-exact, else by double value, except that an
 * expected plain integer (50) is not matched by a fraction or exponent form
 * (50.0, 5e1); strings and keys byte-exact; objects as sets of members
 * (first occurrence of each name). */
bool cfc__jval_equal(const cfc_jval *a, const cfc_jval *b);

/* SHA-256 of len bytes, as 64 lower-case hex digits and a NUL. */
void cfc__sha256_hex(const void *data, size_t len, char out[65]);

#endif
