/* SPDX-License-Identifier: MIT */
/*
 * Buffers, escapers, base64, SHA-256 for certification (see certify_buf.h).
 */
#include "certify_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *cfc__cmalloc(const cfc_allocator *a, size_t size)
{
    if (size == 0)
        size = 1;
    return a && a->malloc_fn ? a->malloc_fn(a->ctx, size) : malloc(size);
}

void *cfc__crealloc(const cfc_allocator *a, void *p, size_t size)
{
    if (size == 0)
        size = 1;
    return a && a->realloc_fn ? a->realloc_fn(a->ctx, p, size) : realloc(p, size);
}

void cfc__cfree(const cfc_allocator *a, void *p)
{
    if (p == NULL)
        return;
    if (a && a->free_fn)
        a->free_fn(a->ctx, p);
    else
        free(p);
}

char *cfc__cstrndup(const cfc_allocator *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = cfc__cmalloc(a, len + 1);
    if (d == NULL)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void cfc__buf_init(cfc__buf *b, const cfc_allocator *a)
{
    memset(b, 0, sizeof *b);
    b->alloc = a;
}

void cfc__buf_free(cfc__buf *b)
{
    cfc__cfree(b->alloc, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

bool cfc__buf_ok(const cfc__buf *b)
{
    return !b->failed;
}

static bool reserve(cfc__buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *d = cfc__crealloc(b->alloc, b->data, cap);
    if (d == NULL) {
        b->failed = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void cfc__buf_add(cfc__buf *b, const void *bytes, size_t len)
{
    if (!reserve(b, len))
        return;
    if (len)
        memcpy(b->data + b->len, bytes, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void cfc__buf_puts(cfc__buf *b, const char *s)
{
    cfc__buf_add(b, s, strlen(s));
}

void cfc__buf_printf(cfc__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        cfc__buf_add(b, small, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void cfc__buf_spill(cfc__buf *b)
{
    if (b->spill == NULL || b->failed || b->len <= ((size_t)64 << 10))
        return;
    if (fwrite(b->data, 1, b->len, b->spill) != b->len)
        b->failed = true;
    b->len = 0;
    b->data[0] = '\0';
}

char *cfc__buf_take(cfc__buf *b, size_t *len)
{
    if (b->failed || !reserve(b, 0)) {
        cfc__buf_free(b);
        b->failed = false;
        return NULL;
    }
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

/* ---- UTF-8 -------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..len), or 0 when invalid
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    }
    return n;
}

size_t cfc__utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0)
            break;
        i += n;
    }
    return i;
}

#define REPLACEMENT "\xEF\xBF\xBD"

/* Calls emit(b, seq, n) for each valid sequence, and REPLACEMENT for each
 * invalid byte. */
typedef void (*emit_fn)(cfc__buf *b, const unsigned char *seq, size_t n);

static void each_char(cfc__buf *b, const char *s, size_t len, emit_fn emit)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && !b->failed) {
        size_t n = utf8_seq(u + i, len - i);
        if (n == 0) {
            emit(b, (const unsigned char *)REPLACEMENT, 3);
            i++;
        } else {
            emit(b, u + i, n);
            i += n;
        }
    }
}

static void emit_json(cfc__buf *b, const unsigned char *c, size_t n)
{
    if (n > 1) {
        cfc__buf_add(b, c, n);
        return;
    }
    switch (c[0]) {
    case '"': cfc__buf_add(b, "\\\"", 2); break;
    case '\\': cfc__buf_add(b, "\\\\", 2); break;
    case '\n': cfc__buf_add(b, "\\n", 2); break;
    case '\r': cfc__buf_add(b, "\\r", 2); break;
    case '\t': cfc__buf_add(b, "\\t", 2); break;
    default:
        if (c[0] < 0x20 || c[0] == 0x7F)
            cfc__buf_printf(b, "\\u%04x", c[0]);
        else
            cfc__buf_add(b, c, 1);
    }
}

void cfc__buf_json_str(cfc__buf *b, const char *s, size_t len)
{
    cfc__buf_add(b, "\"", 1);
    each_char(b, s, len, emit_json);
    cfc__buf_add(b, "\"", 1);
}

static void emit_html(cfc__buf *b, const unsigned char *c, size_t n)
{
    if (n > 1) {
        cfc__buf_add(b, c, n);
        return;
    }
    switch (c[0]) {
    case '&': cfc__buf_puts(b, "&amp;"); break;
    case '<': cfc__buf_puts(b, "&lt;"); break;
    case '>': cfc__buf_puts(b, "&gt;"); break;
    case '"': cfc__buf_puts(b, "&quot;"); break;
    case '\'': cfc__buf_puts(b, "&#39;"); break;
    default:
        if ((c[0] < 0x20 && c[0] != '\n' && c[0] != '\t') || c[0] == 0x7F)
            cfc__buf_add(b, REPLACEMENT, 3);
        else
            cfc__buf_add(b, c, 1);
    }
}

void cfc__buf_html(cfc__buf *b, const char *s, size_t len)
{
    each_char(b, s, len, emit_html);
}

static void emit_xml(cfc__buf *b, const unsigned char *c, size_t n)
{
    /* U+FFFE and U+FFFF are not XML characters either. */
    if (n == 3 && c[0] == 0xEF && c[1] == 0xBF && (c[2] == 0xBE || c[2] == 0xBF)) {
        cfc__buf_add(b, REPLACEMENT, 3);
        return;
    }
    if (n > 1) {
        cfc__buf_add(b, c, n);
        return;
    }
    switch (c[0]) {
    case '&': cfc__buf_puts(b, "&amp;"); break;
    case '<': cfc__buf_puts(b, "&lt;"); break;
    case '>': cfc__buf_puts(b, "&gt;"); break;
    case '"': cfc__buf_puts(b, "&quot;"); break;
    case '\n': cfc__buf_puts(b, "&#10;"); break;
    case '\t': cfc__buf_puts(b, "&#9;"); break;
    case '\r': cfc__buf_puts(b, "&#13;"); break;
    default:
        if (c[0] < 0x20)
            cfc__buf_add(b, REPLACEMENT, 3);
        else
            cfc__buf_add(b, c, 1);
    }
}

void cfc__buf_xml(cfc__buf *b, const char *s, size_t len)
{
    each_char(b, s, len, emit_xml);
}

/* ---- base64 ------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void cfc__buf_base64(cfc__buf *b, const unsigned char *in, size_t len)
{
    for (size_t i = 0; i < len && !b->failed; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        char out[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
                       i + 1 < len ? b64[(v >> 6) & 63] : '=', i + 2 < len ? b64[v & 63] : '='};
        cfc__buf_add(b, out, 4);
    }
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

long cfc__base64_decode(const char *s, size_t len, unsigned char *out)
{
    if (len % 4 != 0 || len / 4 * 3 > (size_t)0x7FFFFFFF)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = s[i + (size_t)k];
            if (c == '=' && i + 4 == len && k >= 2) {
                v[k] = 0;
                pad++;
                continue;
            }
            if (pad) /* "A=B=" */
                return -1;
            v[k] = b64_value(c);
            if (v[k] < 0)
                return -1;
        }
        unsigned w =
            (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        /* Canonical only: the bits a padding character drops must be zero. */
        if ((pad == 1 && (w & 0xFF)) || (pad == 2 && (w & 0xFFFF)))
            return -1;
        out[o++] = (unsigned char)(w >> 16);
        if (pad < 2)
            out[o++] = (unsigned char)(w >> 8);
        if (pad < 1)
            out[o++] = (unsigned char)w;
    }
    return (long)o;
}

/* ---- parsed JSON values --------------------------------------------------- */

void cfc__buf_jval(cfc__buf *b, const cfc_jval *v, const char *src)
{
    /* Nesting in a catalogue or protocol line is shallow and bounded by the
     * parser's max_depth; recursion is fine. */
    switch (v->type) {
    case CFC_J_NULL: cfc__buf_puts(b, "null"); break;
    case CFC_J_TRUE: cfc__buf_puts(b, "true"); break;
    case CFC_J_FALSE: cfc__buf_puts(b, "false"); break;
    case CFC_J_NUMBER: cfc__buf_add(b, src + v->offset, v->end - v->offset); break;
    case CFC_J_STRING: cfc__buf_json_str(b, v->u.str.s, v->u.str.len); break;
    case CFC_J_ARRAY:
    case CFC_J_OBJECT: {
        bool obj = v->type == CFC_J_OBJECT;
        cfc__buf_add(b, obj ? "{" : "[", 1);
        for (const cfc_jval *k = v->u.kids.first; k; k = k->next) {
            if (k != v->u.kids.first)
                cfc__buf_add(b, ",", 1);
            if (obj) {
                cfc__buf_json_str(b, k->key, k->key_len);
                cfc__buf_add(b, ":", 1);
            }
            cfc__buf_jval(b, k, src);
        }
        cfc__buf_add(b, obj ? "}" : "]", 1);
        break;
    }
    }
}

bool cfc__jval_equal(const cfc_jval *a, const cfc_jval *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case CFC_J_NULL:
    case CFC_J_TRUE:
    case CFC_J_FALSE: return true;
    case CFC_J_NUMBER: {
        /* An integer written as plain digits is not matched by 50.0 or 5e1
         * (G5); a value written with a fraction matches any form (2.0, 2). */
        unsigned shape = CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT;
        if (!(a->u.num.flags & shape) && (b->u.num.flags & shape))
            return false;
        if ((a->u.num.flags & CFC_JNUM_INT64) && (b->u.num.flags & CFC_JNUM_INT64))
            return a->u.num.i == b->u.num.i;
        return a->u.num.d == b->u.num.d;
    }
    case CFC_J_STRING:
        return a->u.str.len == b->u.str.len &&
               (a->u.str.len == 0 || memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0);
    case CFC_J_ARRAY: {
        if (a->u.kids.count != b->u.kids.count)
            return false;
        for (const cfc_jval *x = a->u.kids.first, *y = b->u.kids.first; x && y;
             x = x->next, y = y->next) {
            if (!cfc__jval_equal(x, y))
                return false;
        }
        return true;
    }
    case CFC_J_OBJECT: {
        if (a->u.kids.count != b->u.kids.count)
            return false;
        for (const cfc_jval *x = a->u.kids.first; x; x = x->next) {
            const cfc_jval *y = cfc_jobject_getn(b, x->key, x->key_len);
            if (y == NULL || !cfc__jval_equal(x, y))
                return false;
        }
        return true;
    }
    }
    return false;
}

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 =
            hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
}

void cfc__sha256_hex(const void *data, size_t len, char out[65])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const unsigned char *p = data;
    size_t full = len / 64 * 64;
    for (size_t i = 0; i < full; i += 64)
        sha256_block(h, p + i);
    unsigned char tail[128] = {0};
    size_t rest = len - full;
    if (rest)
        memcpy(tail, p + full, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - (size_t)i] = (unsigned char)(bits >> (8 * i));
    sha256_block(h, tail);
    if (tail_len == 128)
        sha256_block(h, tail + 64);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        for (int k = 0; k < 4; k++) {
            unsigned byte = (h[i] >> (24 - 8 * k)) & 0xFF;
            out[i * 8 + k * 2] = hex[byte >> 4];
            out[i * 8 + k * 2 + 1] = hex[byte & 15];
        }
    }
    out[64] = '\0';
}
