/* SPDX-License-Identifier: MIT */
/* json.c - strict RFC 8259 JSON parser with diagnostics (see json.h for why).
 *
 * How it works, in one paragraph: cfc_jparse copies the input into a
 * parser-owned buffer with one NUL byte after it. That sentinel lets the hot
 * loops (whitespace, string bodies, digits, literals) run without bounds
 * checks: every loop stops on a NUL, and only then do we ask whether it was
 * the end or a raw NUL byte. Strings are decoded in place in that copy (a
 * decoded string is never longer than its source, except when invalid UTF-8
 * is replaced by the 3-byte U+FFFD; then we fall back to a scratch buffer),
 * so most strings cost no allocation at all. Nodes come from a bump arena
 * that is kept across parses. Nesting lives on an explicit frame stack, so
 * depth costs heap, not C stack. Diagnostics inside a string are held back
 * until the string ends, because the JSON Pointer of a member is only known
 * once its name is decoded.
 */
#include "json.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#define CFC__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CFC__PRINTF(f, a)
#endif

enum {
    CFC__DEFAULT_DEPTH = 64,
    CFC__DEFAULT_DIAGS = 100,
    /* An object switches from a linear scan to the hash set for duplicate
     * detection once it has this many members: below it, comparing lengths
     * first is cheaper than hashing. */
    CFC__DUP_LINEAR_MAX = 16,
    /* Significant digits given to strtod. A double's decimal expansion that
     * decides rounding (a halfway case) has at most 767 significant digits, so
     * 800 digits plus a sticky '1' for any non-zero digits dropped rounds
     * exactly as the full literal would, while a 100,000-digit literal stays
     * linear to read. */
    CFC__NUM_DIGITS = 800,
    CFC__MSG_MAX = 512,
    CFC__KEY_SHOW = 64
};

/* Arena chunks start small (an event is a few hundred bytes) and double. */
#define CFC__ARENA_FIRST ((size_t)16 * 1024)
#define CFC__ARENA_CHUNK_MAX ((size_t)64 * 1024 * 1024)
/* Memory kept between parses. A parser that once saw a 100 MB document
 * should not hold 100 MB forever; anything above this is freed when the next
 * parse starts. */
#define CFC__RETAIN ((size_t)8 * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* Character classes (indexed by byte).                                      */

/* JSON whitespace: space, \t, \n, \r. NUL is 0, which is what stops skipping
 * at the sentinel. */
static const unsigned char cfc__ws[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Bytes a string body may hold as-is without further thought: printable
 * ASCII and DEL except '"' and '\\'. Everything else (controls, NUL, bytes
 * >= 0x80) takes the careful path. */
static const unsigned char cfc__plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int cfc__is_digit(unsigned c)
{
    return c - '0' < 10u;
}
static int cfc__is_cont(unsigned c)
{
    return (c & 0xC0u) == 0x80u;
}

/* ------------------------------------------------------------------------ */
/* Parser state.                                                             */

typedef struct cfc__chunk {
    struct cfc__chunk *next;
    size_t size;
    size_t used;
    unsigned char data[];
} cfc__chunk;

/* One open array or object. has_child says whether the pointer of a
 * diagnostic should name the child currently being parsed (array index
 * child_index, or member name ckey) or stop at the container itself. */
typedef struct cfc__frame {
    cfc_jval *node;
    cfc_jval *last;
    const char *ckey;
    size_t ckey_len;
    size_t ckey_off;
    size_t child_index;
    bool has_child;
    bool hashed; /* object's names are in the hash set (big object) */
} cfc__frame;

/* A diagnostic found inside a string, waiting for the string to end. */
typedef struct cfc__pending {
    cfc_jdiag_code code;
    size_t offset;
    const char *msg;
} cfc__pending;

/* Hash set entry for duplicate detection in big objects. An entry is live
 * only when gen equals the parser's current generation, so starting a new
 * parse empties the set in O(1) instead of clearing a table that may have
 * grown for some earlier, much larger document. */
typedef struct cfc__hent {
    uint64_t gen;
    uint64_t hash;
    const cfc_jval *obj;
    const char *key;
    size_t key_len;
    size_t key_off;
} cfc__hent;

struct cfc_jparser {
    cfc_jalloc alc;
    /* arena: DOM nodes, strings that did not fit in place, messages, pointers */
    cfc__chunk *head;
    cfc__chunk *cur;
    /* input copy plus NUL sentinel; strings are decoded into it */
    unsigned char *buf;
    size_t buf_cap;
    /* scratch: strings that outgrew their source, number normalisation */
    unsigned char *scr;
    size_t scr_cap;
    cfc__frame *frames;
    size_t frames_cap;
    size_t depth;
    cfc_jdiag *diags;
    size_t diags_cap;
    size_t n_diags;
    size_t n_dropped;
    size_t dropped_by_code[CFC_JD__COUNT];
    cfc__pending *pend;
    size_t pend_cap;
    size_t n_pend;
    cfc__hent *htab;
    size_t hcap; /* power of two, or 0 */
    size_t hcount;
    uint64_t gen;
    uint64_t seed[2];
    /* the current parse */
    size_t len;
    size_t max_diags;
    unsigned max_depth;
    cfc_jval *root;
};

/* ------------------------------------------------------------------------ */
/* Allocation: the only three places that reach the allocator.               */

static void *cfc__std_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}
static void *cfc__std_realloc(void *ctx, void *ptr, size_t n)
{
    (void)ctx;
    return realloc(ptr, n);
}
static void cfc__std_free(void *ctx, void *ptr)
{
    (void)ctx;
    free(ptr);
}

static void *cfc__malloc(cfc_jparser *p, size_t n)
{
    return p->alc.malloc_fn(p->alc.ctx, n);
}
static void *cfc__realloc(cfc_jparser *p, void *ptr, size_t n)
{
    return p->alc.realloc_fn(p->alc.ctx, ptr, n);
}
static void cfc__free(cfc_jparser *p, void *ptr)
{
    if (ptr != NULL)
        p->alc.free_fn(p->alc.ctx, ptr);
}

/* Grows *ptr (an array of elem-sized items, capacity *cap) to hold at least
 * need items, doubling so that repeated growth stays linear. On failure
 * nothing changes. */
static int cfc__grow(cfc_jparser *p, void **ptr, size_t *cap, size_t need, size_t elem, size_t min)
{
    size_t ncap;
    void *np;
    if (need <= *cap)
        return 0;
    ncap = *cap > min ? *cap : min;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return -1;
    np = cfc__realloc(p, *ptr, ncap * elem);
    if (np == NULL)
        return -1;
    *ptr = np;
    *cap = ncap;
    return 0;
}

static int cfc__grow_bytes(cfc_jparser *p, unsigned char **ptr, size_t *cap, size_t need)
{
    void *v = *ptr;
    int rc = cfc__grow(p, &v, cap, need, 1, 256);
    *ptr = (unsigned char *)v;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Arena.                                                                    */

static void *cfc__chunk_take(cfc__chunk *c, size_t size, size_t align)
{
    size_t pad = (size_t)(-(uintptr_t)(c->data + c->used)) & (align - 1);
    size_t room = c->size - c->used;
    void *r;
    if (pad > room || size > room - pad)
        return NULL;
    r = c->data + c->used + pad;
    c->used += pad + size;
    return r;
}

static void *cfc__arena_alloc(cfc_jparser *p, size_t size, size_t align)
{
    cfc__chunk *c = p->cur, *n;
    size_t want;
    void *r;
    if (c != NULL && (r = cfc__chunk_take(c, size, align)) != NULL)
        return r;
    if (size > SIZE_MAX / 4)
        return NULL;
    /* The next chunk is left over from an earlier parse: reuse it if it fits.
     * This is what lets a reused parser stop calling malloc. */
    if (c != NULL && c->next != NULL && c->next->size >= size + align) {
        c = c->next;
        c->used = 0;
        p->cur = c;
        return cfc__chunk_take(c, size, align);
    }
    want = c != NULL ? c->size * 2 : CFC__ARENA_FIRST;
    if (want > CFC__ARENA_CHUNK_MAX)
        want = CFC__ARENA_CHUNK_MAX;
    if (want < size + align)
        want = size + align;
    n = (cfc__chunk *)cfc__malloc(p, sizeof *n + want);
    if (n == NULL)
        return NULL;
    n->size = want;
    n->used = 0;
    if (c != NULL) {
        n->next = c->next;
        c->next = n;
    } else {
        n->next = p->head;
        p->head = n;
    }
    p->cur = n;
    return cfc__chunk_take(n, size, align);
}

static void cfc__arena_reset(cfc_jparser *p)
{
    size_t kept = 0;
    cfc__chunk **link = &p->head;
    while (*link != NULL) {
        cfc__chunk *c = *link;
        if (kept > 0 && kept + c->size > CFC__RETAIN) {
            *link = NULL;
            while (c != NULL) {
                cfc__chunk *nx = c->next;
                cfc__free(p, c);
                c = nx;
            }
            break;
        }
        kept += c->size;
        link = &c->next;
    }
    p->cur = p->head;
    if (p->cur != NULL)
        p->cur->used = 0;
}

static char *cfc__arena_strndup(cfc_jparser *p, const char *s, size_t n)
{
    char *d = (char *)cfc__arena_alloc(p, n + 1, 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* ------------------------------------------------------------------------ */
/* Messages.                                                                 */

/* Describes the byte at pos for "found ..." in a message. */
static const char *cfc__found(const cfc_jparser *p, size_t pos, char *tmp, size_t cap)
{
    unsigned c;
    if (pos >= p->len)
        return "end of input";
    c = p->buf[pos];
    if (c == 0)
        return "NUL byte";
    if (c == '\'')
        return "\"'\"";
    if (c >= 0x20 && c < 0x7F)
        snprintf(tmp, cap, "'%c'", (char)c);
    else if (c < 0x20 || c == 0x7F)
        snprintf(tmp, cap, "control character U+%04X", c);
    else
        snprintf(tmp, cap, "byte 0x%02X", c);
    return tmp;
}

/* Writes a member name for a message as a JSON string literal, cut after
 * about CFC__KEY_SHOW bytes (at a UTF-8 boundary) so a 1 MiB name does not
 * make a 1 MiB message. */
static void cfc__show_key(char *out, size_t cap, const char *key, size_t len)
{
    size_t w = 0, i;
    const size_t lim = cap - 16; /* room for an escape, "...", quote, NUL */
    out[w++] = '"';
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (w >= lim || (i >= CFC__KEY_SHOW && (c & 0xC0u) != 0x80u)) {
            memcpy(out + w, "...", 3);
            w += 3;
            break;
        }
        if (c == '"' || c == '\\') {
            out[w++] = '\\';
            out[w++] = (char)c;
        } else if (c < 0x20 || c == 0x7F) {
            w += (size_t)snprintf(out + w, cap - w, "\\u%04X", c);
        } else {
            out[w++] = (char)c;
        }
    }
    out[w++] = '"';
    out[w] = '\0';
}

/* ------------------------------------------------------------------------ */
/* JSON Pointers and diagnostics.                                            */

size_t cfc_jpointer_escape(char *out, size_t cap, const char *key, size_t key_len)
{
    size_t need = 0, w = 0, i;
    bool writing = out != NULL && cap > 0;
    for (i = 0; i < key_len; i++) {
        char c = key[i];
        size_t n = (c == '~' || c == '/') ? 2 : 1;
        if (writing && w + n < cap) {
            if (n == 2) {
                out[w++] = '~';
                out[w++] = c == '~' ? '0' : '1';
            } else {
                out[w++] = c;
            }
        } else {
            /* Stop at the first piece that does not fit so the output never ends
             * in half an escape. */
            writing = false;
        }
        need += n;
    }
    if (out != NULL && cap > 0)
        out[w] = '\0';
    return need;
}

/* The pointer of whatever is being parsed now, built from the frame stack. */
static int cfc__pointer(cfc_jparser *p, const char **out, size_t *out_len)
{
    size_t n = 0, i, w = 0, last = 0;
    bool cut = false;
    char num[24], *s;
    for (i = 0; i < p->depth; i++) {
        const cfc__frame *f = &p->frames[i];
        size_t seg;
        if (!f->has_child)
            continue;
        if (f->node->type == CFC_J_OBJECT)
            seg = 1 + cfc_jpointer_escape(NULL, 0, f->ckey, f->ckey_len);
        else
            seg = 1 + (size_t)snprintf(num, sizeof num, "%zu", f->child_index);
        if (n + seg > CFC_JPOINTER_MAX) {
            cut = true;
            break;
        }
        n += seg;
        last = i + 1;
    }
    if (n == 0 && !cut) {
        *out = "";
        *out_len = 0;
        return 0;
    }
    s = (char *)cfc__arena_alloc(p, n + (cut ? 4 : 0) + 1, 1);
    if (s == NULL)
        return -1;
    for (i = 0; i < last; i++) {
        const cfc__frame *f = &p->frames[i];
        if (!f->has_child)
            continue;
        s[w++] = '/';
        if (f->node->type == CFC_J_OBJECT) {
            w += cfc_jpointer_escape(s + w, n + 1 - w, f->ckey, f->ckey_len);
        } else {
            size_t k = (size_t)snprintf(num, sizeof num, "%zu", f->child_index);
            memcpy(s + w, num, k);
            w += k;
        }
    }
    if (cut) {
        memcpy(s + w, "/...", 4);
        w += 4;
    }
    s[w] = '\0';
    *out = s;
    *out_len = w;
    return 0;
}

static int cfc__store(cfc_jparser *p, cfc_jdiag_code code, size_t off, bool fatal, const char *ptr,
                      size_t ptr_len, const char *msg)
{
    cfc_jdiag *d;
    void *v = p->diags;
    if (cfc__grow(p, &v, &p->diags_cap, p->n_diags + 1, sizeof *d, 16) != 0)
        return -1;
    p->diags = (cfc_jdiag *)v;
    d = &p->diags[p->n_diags++];
    d->code = code;
    d->offset = off;
    d->pointer = ptr;
    d->pointer_len = ptr_len;
    d->message = msg;
    d->fatal = fatal;
    return 0;
}

/* Records a diagnostic now, with the pointer of the current position. The
 * message is formatted only when the diagnostic is stored, so a flood of
 * dropped ones costs a counter increment each. */
CFC__PRINTF(5, 6)
static int cfc__diag(cfc_jparser *p, cfc_jdiag_code code, size_t off, bool fatal, const char *fmt,
                     ...)
{
    char tmp[CFC__MSG_MAX];
    const char *msg, *ptr;
    size_t ptr_len;
    va_list ap;
    if (!fatal && p->n_diags >= p->max_diags) {
        p->n_dropped++;
        p->dropped_by_code[code]++;
        return 0;
    }
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    msg = cfc__arena_strndup(p, tmp, strlen(tmp));
    if (msg == NULL || cfc__pointer(p, &ptr, &ptr_len) != 0)
        return -1;
    return cfc__store(p, code, off, fatal, ptr, ptr_len, msg);
}

/* Holds a diagnostic found inside a string until the string ends. */
CFC__PRINTF(4, 5)
static int cfc__pend(cfc_jparser *p, cfc_jdiag_code code, size_t off, const char *fmt, ...)
{
    char tmp[CFC__MSG_MAX];
    cfc__pending *e;
    void *v = p->pend;
    va_list ap;
    if (p->n_diags + p->n_pend >= p->max_diags) {
        p->n_dropped++;
        p->dropped_by_code[code]++;
        return 0;
    }
    if (cfc__grow(p, &v, &p->pend_cap, p->n_pend + 1, sizeof *e, 16) != 0)
        return -1;
    p->pend = (cfc__pending *)v;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    e = &p->pend[p->n_pend];
    e->code = code;
    e->offset = off;
    e->msg = cfc__arena_strndup(p, tmp, strlen(tmp));
    if (e->msg == NULL)
        return -1;
    p->n_pend++;
    return 0;
}

/* Emits the held-back string diagnostics, all with the current pointer. A
 * duplicate-key diagnostic (earlier offset) may have taken a slot since they
 * were held, so the capacity is checked again. */
static int cfc__pend_flush(cfc_jparser *p)
{
    const char *ptr;
    size_t ptr_len, i, n = p->n_pend;
    if (n == 0)
        return 0;
    p->n_pend = 0;
    if (cfc__pointer(p, &ptr, &ptr_len) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        const cfc__pending *e = &p->pend[i];
        if (p->n_diags >= p->max_diags) {
            p->n_dropped++;
            p->dropped_by_code[e->code]++;
        } else if (cfc__store(p, e->code, e->offset, false, ptr, ptr_len, e->msg) != 0)
            return -1;
    }
    return 0;
}

/* Fatal error at pos: "<expected>, found <what is at pos><hint>". A raw NUL
 * byte outside a string gets its own code. Returns 1 (stop) or -1. */
static int cfc__fail(cfc_jparser *p, size_t pos, const char *expected, const char *hint)
{
    char tmp[48];
    const char *f = cfc__found(p, pos, tmp, sizeof tmp);
    cfc_jdiag_code code = (pos < p->len && p->buf[pos] == 0) ? CFC_JD_NUL : CFC_JD_SYNTAX;
    if (cfc__diag(p, code, pos, true, "%s, found %s%s", expected, f, hint) != 0)
        return -1;
    return 1;
}

/* A hint for the usual non-JSON things people write where a value belongs. */
static const char *cfc__value_hint(unsigned c, bool after_comma)
{
    switch (c) {
    case ']':
    case '}': return after_comma ? " (trailing commas are not allowed)" : "";
    case '\'': return " (strings must use double quotes)";
    case 'N':
    case 'I': return " (NaN and Infinity are not JSON)";
    case '+': return " (numbers must not start with '+')";
    case '.': return " (numbers must start with a digit)";
    case '/':
    case '#': return " (comments are not allowed)";
    default: return "";
    }
}

static const char *cfc__name_hint(unsigned c, bool after_comma)
{
    if (c == '}' && after_comma)
        return " (trailing commas are not allowed)";
    if (c == '\'')
        return " (strings must use double quotes)";
    if (c == '/' || c == '#')
        return " (comments are not allowed)";
    if (c == '_' || c == '$' || (c | 0x20u) - 'a' < 26u)
        return " (member names must be double-quoted strings)";
    return "";
}

/* ------------------------------------------------------------------------ */
/* Hash set of member names, for objects too big for a linear scan.         */

static uint64_t cfc__rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64u - b));
}

#define CFC__SIPROUND(v0, v1, v2, v3)                                                              \
    do {                                                                                           \
        v0 += v1;                                                                                  \
        v1 = cfc__rotl(v1, 13);                                                                    \
        v1 ^= v0;                                                                                  \
        v0 = cfc__rotl(v0, 32);                                                                    \
        v2 += v3;                                                                                  \
        v3 = cfc__rotl(v3, 16);                                                                    \
        v3 ^= v2;                                                                                  \
        v0 += v3;                                                                                  \
        v3 = cfc__rotl(v3, 21);                                                                    \
        v3 ^= v0;                                                                                  \
        v2 += v1;                                                                                  \
        v1 = cfc__rotl(v1, 17);                                                                    \
        v1 ^= v2;                                                                                  \
        v2 = cfc__rotl(v2, 32);                                                                    \
    } while (0)

/* SipHash-1-3 with a per-parser random key: member names are attacker
 * controlled, and a predictable hash would let one object of colliding names
 * turn duplicate detection quadratic. */
static uint64_t cfc__siphash(const uint64_t k[2], const unsigned char *m, size_t n)
{
    uint64_t v0 = k[0] ^ 0x736f6d6570736575ull, v1 = k[1] ^ 0x646f72616e646f6dull;
    uint64_t v2 = k[0] ^ 0x6c7967656e657261ull, v3 = k[1] ^ 0x7465646279746573ull;
    uint64_t b = (uint64_t)n << 56, w;
    size_t i, j;
    for (i = 0; i + 8 <= n; i += 8) {
        w = 0;
        for (j = 0; j < 8; j++)
            w |= (uint64_t)m[i + j] << (8 * j);
        v3 ^= w;
        CFC__SIPROUND(v0, v1, v2, v3);
        v0 ^= w;
    }
    for (j = 0; i + j < n; j++)
        b |= (uint64_t)m[i + j] << (8 * j);
    v3 ^= b;
    CFC__SIPROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    CFC__SIPROUND(v0, v1, v2, v3);
    CFC__SIPROUND(v0, v1, v2, v3);
    CFC__SIPROUND(v0, v1, v2, v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t cfc__mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int cfc__hgrow(cfc_jparser *p)
{
    size_t ncap = p->hcap != 0 ? p->hcap * 2 : 256, i;
    cfc__hent *nt;
    if (ncap > SIZE_MAX / sizeof *nt)
        return -1;
    nt = (cfc__hent *)cfc__malloc(p, ncap * sizeof *nt);
    if (nt == NULL)
        return -1;
    memset(nt, 0, ncap * sizeof *nt); /* gen 0 is never current: all empty */
    for (i = 0; i < p->hcap; i++) {
        const cfc__hent *e = &p->htab[i];
        size_t j;
        if (e->gen != p->gen)
            continue;
        j = (size_t)e->hash & (ncap - 1);
        while (nt[j].gen == p->gen)
            j = (j + 1) & (ncap - 1);
        nt[j] = *e;
    }
    cfc__free(p, p->htab);
    p->htab = nt;
    p->hcap = ncap;
    return 0;
}

/* Finds name in obj's set, or adds it. *first is the earlier occurrence, or
 * NULL when the name is new. */
static int cfc__hfind_add(cfc_jparser *p, const cfc_jval *obj, const char *key, size_t len,
                          size_t off, const cfc__hent **first)
{
    uint64_t h;
    size_t i;
    if ((p->hcount + 1) * 2 > p->hcap && cfc__hgrow(p) != 0)
        return -1;
    h = cfc__siphash(p->seed, (const unsigned char *)key, len) ^
        cfc__mix64((uint64_t)(uintptr_t)obj);
    i = (size_t)h & (p->hcap - 1);
    for (;;) {
        cfc__hent *e = &p->htab[i];
        if (e->gen != p->gen) {
            e->gen = p->gen;
            e->hash = h;
            e->obj = obj;
            e->key = key;
            e->key_len = len;
            e->key_off = off;
            p->hcount++;
            *first = NULL;
            return 0;
        }
        if (e->hash == h && e->obj == obj && e->key_len == len && memcmp(e->key, key, len) == 0) {
            *first = e;
            return 0;
        }
        i = (i + 1) & (p->hcap - 1);
    }
}

/* Checks a just-decoded member name of the top object against its earlier
 * members and reports a duplicate. Small objects are scanned; an object that
 * grows past CFC__DUP_LINEAR_MAX moves its names into the hash set once, so
 * the whole document stays linear. */
static int cfc__check_dup(cfc_jparser *p, cfc__frame *f, const char *key, size_t len, size_t off)
{
    const cfc_jval *k;
    size_t first_off = 0;
    bool dup = false;
    char shown[CFC__KEY_SHOW * 2 + 32];
    if (!f->hashed && f->node->u.kids.count < CFC__DUP_LINEAR_MAX) {
        for (k = f->node->u.kids.first; k != NULL; k = k->next) {
            if (k->key_len == len && memcmp(k->key, key, len) == 0) {
                dup = true;
                first_off = k->key_offset;
                break;
            }
        }
    } else {
        const cfc__hent *e;
        if (!f->hashed) {
            for (k = f->node->u.kids.first; k != NULL; k = k->next)
                if (cfc__hfind_add(p, f->node, k->key, k->key_len, k->key_offset, &e) != 0)
                    return -1;
            f->hashed = true;
        }
        if (cfc__hfind_add(p, f->node, key, len, off, &e) != 0)
            return -1;
        if (e != NULL) {
            dup = true;
            first_off = e->key_off;
        }
    }
    if (!dup)
        return 0;
    if (p->n_diags >= p->max_diags) {
        p->n_dropped++;
        p->dropped_by_code[CFC_JD_DUPLICATE_KEY]++;
        return 0;
    }
    cfc__show_key(shown, sizeof shown, key, len);
    return cfc__diag(p, CFC_JD_DUPLICATE_KEY, off, false,
                     "duplicate member name %s (first at offset %zu)", shown, first_off);
}

/* ------------------------------------------------------------------------ */
/* Strings.                                                                  */

/* Where a string's decoded bytes go: in place in p->buf (w never passes the
 * read position), or into p->scr once a U+FFFD replacement would. */
typedef struct cfc__sw {
    size_t start;
    size_t w;
    size_t slen;
    bool in_place;
} cfc__sw;

static int cfc__sw_put(cfc_jparser *p, cfc__sw *sw, const unsigned char *src, size_t n,
                       size_t r_after)
{
    if (sw->in_place) {
        if (sw->w + n <= r_after) {
            if (p->buf + sw->w != src)
                memmove(p->buf + sw->w, src, n);
            sw->w += n;
            return 0;
        }
        sw->slen = sw->w - sw->start;
        if (cfc__grow_bytes(p, &p->scr, &p->scr_cap, sw->slen + n + 64) != 0)
            return -1;
        memcpy(p->scr, p->buf + sw->start, sw->slen);
        sw->in_place = false;
    }
    if (cfc__grow_bytes(p, &p->scr, &p->scr_cap, sw->slen + n) != 0)
        return -1;
    memcpy(p->scr + sw->slen, src, n);
    sw->slen += n;
    return 0;
}

/* Length of the well-formed UTF-8 sequence at s (s[0] >= 0x80), or 0.
 * Never reads past the NUL sentinel: NUL is not a continuation byte, and
 * && stops at the first byte that fails. */
static size_t cfc__utf8_len(const unsigned char *s)
{
    unsigned c = s[0], lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        return cfc__is_cont(s[1]) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
        return (s[1] >= lo && s[1] <= hi && cfc__is_cont(s[2])) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
        return (s[1] >= lo && s[1] <= hi && cfc__is_cont(s[2]) && cfc__is_cont(s[3])) ? 4 : 0;
    }
    return 0;
}

/* For the ill-formed sequence at buf[r]: returns the length of its maximal
 * subpart (the bytes one U+FFFD replaces) and, when msg is not NULL, says
 * what is wrong in msg. Formatting is skipped for bytes that will not be
 * reported (rest of a bad run, diagnostics over the cap): a megabyte of
 * invalid UTF-8 should not cost a million snprintf calls. */
static size_t cfc__utf8_bad(const cfc_jparser *p, size_t r, char *msg, size_t cap)
{
    const unsigned char *s = p->buf + r;
    unsigned c = s[0], lo = 0x80, hi = 0xBF, need;
    size_t k;
    char tmp[48];
    if (c < 0xC2 || c >= 0xF5) {
        if (msg == NULL)
            return 1;
        if (c < 0xC0)
            snprintf(msg, cap, "invalid UTF-8: unexpected continuation byte 0x%02X", c);
        else if (c < 0xC2)
            snprintf(msg, cap, "invalid UTF-8: byte 0x%02X starts an overlong encoding", c);
        else if (c < 0xF8)
            snprintf(msg, cap, "invalid UTF-8: byte 0x%02X starts a code point above U+10FFFF", c);
        else
            snprintf(msg, cap, "invalid UTF-8: byte 0x%02X never appears in UTF-8", c);
        return 1;
    }
    need = c < 0xE0 ? 2u : c < 0xF0 ? 3u : 4u;
    if (c == 0xE0 || c == 0xF0)
        lo = c == 0xE0 ? 0xA0 : 0x90;
    if (c == 0xED)
        hi = 0x9F;
    if (c == 0xF4)
        hi = 0x8F;
    if (cfc__is_cont(s[1]) && (s[1] < lo || s[1] > hi)) {
        if (msg == NULL)
            return 1;
        if (c == 0xED)
            snprintf(msg, cap,
                     "invalid UTF-8: bytes 0xED 0x%02X encode a UTF-16 surrogate (U+D800..U+DFFF)",
                     s[1]);
        else if (c == 0xF4)
            snprintf(msg, cap, "invalid UTF-8: bytes 0xF4 0x%02X start a code point above U+10FFFF",
                     s[1]);
        else
            snprintf(msg, cap, "invalid UTF-8: bytes 0x%02X 0x%02X start an overlong encoding", c,
                     s[1]);
        return 1;
    }
    /* Otherwise a continuation byte is missing: the sequence is truncated. */
    k = 1;
    if (cfc__is_cont(s[1])) {
        k = 2;
        if (need == 4 && cfc__is_cont(s[2]))
            k = 3;
    }
    if (msg != NULL)
        snprintf(msg, cap,
                 "invalid UTF-8: truncated %u-byte sequence starting with 0x%02X: "
                 "expected a continuation byte, found %s",
                 need, c, cfc__found(p, r + k, tmp, sizeof tmp));
    return k;
}

static unsigned cfc__hex4(const unsigned char *s, size_t *bad)
{
    unsigned v = 0;
    size_t i;
    for (i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c - '0' < 10u)
            d = c - '0';
        else if ((c | 0x20u) - 'a' < 6u)
            d = (c | 0x20u) - 'a' + 10;
        else {
            *bad = i;
            return 0;
        }
        v = v << 4 | d;
    }
    *bad = 4;
    return v;
}

static size_t cfc__utf8_put(unsigned char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static const unsigned char cfc__fffd[3] = {0xEF, 0xBF, 0xBD};

/* Fatal error inside a string: the held-back diagnostics come first, they
 * have smaller offsets. */
static int cfc__str_fail(cfc_jparser *p, size_t pos, const char *expected)
{
    if (cfc__pend_flush(p) != 0)
        return -1;
    if (pos >= p->len) {
        if (cfc__diag(p, CFC_JD_SYNTAX, p->len, true, "unexpected end of input inside a string") !=
            0)
            return -1;
        return 1;
    }
    return cfc__fail(p, pos, expected, "");
}

/* The careful path for a string body, entered at the first byte that is not
 * plain ASCII. r is that byte; start is the first byte after the quote.
 * Diagnostics are held (cfc__pend); the caller flushes them. */
static int cfc__string_slow(cfc_jparser *p, size_t start, size_t r, size_t *ppos, const char **out,
                            size_t *out_len)
{
    unsigned char *b = p->buf;
    unsigned char u8[4];
    cfc__sw sw;
    bool bad_run = false; /* inside a run of invalid UTF-8: one diagnostic per run */
    int rc;
    sw.start = start;
    sw.w = r;
    sw.slen = 0;
    sw.in_place = true;
    for (;;) {
        size_t run = r;
        unsigned c;
        /* Plain ASCII and well-formed UTF-8 are copied as one run. */
        for (;;) {
            size_t n;
            while (cfc__plain[b[r]])
                r++;
            if (b[r] >= 0x80 && (n = cfc__utf8_len(b + r)) != 0) {
                r += n;
                continue;
            }
            break;
        }
        if (r > run) {
            if (cfc__sw_put(p, &sw, b + run, r - run, r) != 0)
                return -1;
            bad_run = false;
        }
        c = b[r];
        if (c == '"')
            break;
        if (c >= 0x80) {
            char msg[CFC__MSG_MAX];
            bool store = !bad_run && p->n_diags + p->n_pend < p->max_diags;
            size_t k = cfc__utf8_bad(p, r, store ? msg : NULL, sizeof msg);
            if (store && cfc__pend(p, CFC_JD_UTF8, r, "%s", msg) != 0)
                return -1;
            if (!bad_run && !store) {
                p->n_dropped++;
                p->dropped_by_code[CFC_JD_UTF8]++;
            }
            bad_run = true;
            r += k;
            if (cfc__sw_put(p, &sw, cfc__fffd, 3, r) != 0)
                return -1;
            continue;
        }
        bad_run = false;
        if (c < 0x20) {
            if (c == 0 && r >= p->len)
                return cfc__str_fail(p, r, "");
            if (c == 0)
                rc = cfc__pend(p, CFC_JD_NUL, r,
                               "raw NUL byte in string: must be escaped as \\u0000");
            else
                rc = cfc__pend(p, CFC_JD_CONTROL, r,
                               "raw control character U+%04X in string: must be escaped", c);
            if (rc != 0)
                return -1;
            r++;
            if (cfc__sw_put(p, &sw, b + r - 1, 1, r) != 0)
                return -1;
            continue;
        }
        /* c == '\\' */
        {
            unsigned e = b[r + 1], cp, lo;
            size_t bad, esc = r, n;
            switch (e) {
            case '"':
            case '\\':
            case '/': u8[0] = (unsigned char)e; break;
            case 'b': u8[0] = '\b'; break;
            case 'f': u8[0] = '\f'; break;
            case 'n': u8[0] = '\n'; break;
            case 'r': u8[0] = '\r'; break;
            case 't': u8[0] = '\t'; break;
            case 'u': break;
            default:
                return cfc__str_fail(
                    p, r + 1, "invalid escape: expected one of \" \\ / b f n r t u after '\\'");
            }
            if (e != 'u') {
                r += 2;
                if (cfc__sw_put(p, &sw, u8, 1, r) != 0)
                    return -1;
                continue;
            }
            cp = cfc__hex4(b + r + 2, &bad);
            if (bad < 4)
                return cfc__str_fail(p, r + 2 + bad, "invalid \\u escape: expected 4 hex digits");
            r += 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (b[r] == '\\' && b[r + 1] == 'u') {
                    lo = cfc__hex4(b + r + 2, &bad);
                    if (bad == 4 && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        r += 6;
                        n = cfc__utf8_put(u8, cp);
                        if (cfc__sw_put(p, &sw, u8, n, r) != 0)
                            return -1;
                        continue;
                    }
                }
                if (cfc__pend(p, CFC_JD_LONE_SURROGATE, esc,
                              "lone surrogate \\u%04X: expected a low surrogate escape "
                              "\\uDC00..\\uDFFF after it",
                              cp) != 0)
                    return -1;
                if (cfc__sw_put(p, &sw, cfc__fffd, 3, r) != 0)
                    return -1;
                continue;
            }
            if (cp >= 0xDC00 && cp <= 0xDFFF) {
                if (cfc__pend(p, CFC_JD_LONE_SURROGATE, esc,
                              "lone surrogate \\u%04X: low surrogate without a high surrogate "
                              "\\uD800..\\uDBFF before it",
                              cp) != 0)
                    return -1;
                if (cfc__sw_put(p, &sw, cfc__fffd, 3, r) != 0)
                    return -1;
                continue;
            }
            if (cp == 0 &&
                cfc__pend(p, CFC_JD_NUL_ESCAPE, esc,
                          "\\u0000 in string: valid JSON, but C consumers cut the string there") !=
                    0)
                return -1;
            n = cfc__utf8_put(u8, cp);
            if (cfc__sw_put(p, &sw, u8, n, r) != 0)
                return -1;
        }
    }
    /* b[r] is the closing quote. */
    if (sw.in_place) {
        b[sw.w] = '\0';
        *out = (const char *)b + start;
        *out_len = sw.w - start;
    } else if (sw.slen < r - start + 1) {
        memcpy(b + start, p->scr, sw.slen); /* fits before the closing quote */
        b[start + sw.slen] = '\0';
        *out = (const char *)b + start;
        *out_len = sw.slen;
    } else {
        char *s = cfc__arena_strndup(p, (const char *)p->scr, sw.slen);
        if (s == NULL)
            return -1;
        *out = s;
        *out_len = sw.slen;
    }
    *ppos = r + 1;
    return 0;
}

/* Parses the string whose opening quote is at *ppos. Returns 0 (string in
 * *out, NUL-terminated at *out_len, *ppos after the closing quote), 1 after a
 * fatal diagnostic, -1 on out of memory. Most strings are plain ASCII: they
 * are found with one table-driven loop and terminated in place by
 * overwriting the closing quote. */
static int cfc__string(cfc_jparser *p, size_t *ppos, const char **out, size_t *out_len)
{
    unsigned char *b = p->buf;
    size_t start = *ppos + 1, r = start;
    while (cfc__plain[b[r]])
        r++;
    if (b[r] == '"') {
        b[r] = '\0';
        *out = (const char *)b + start;
        *out_len = r - start;
        *ppos = r + 1;
        return 0;
    }
    return cfc__string_slow(p, start, r, ppos, out, out_len);
}

/* ------------------------------------------------------------------------ */
/* Numbers.                                                                  */

static const double cfc__pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* The double nearest to the literal whose integer digits are b[ib, ie),
 * fraction digits b[fb, fe) and exponent e10 (already saturated). */
static int cfc__num_double(cfc_jparser *p, size_t ib, size_t ie, size_t fb, size_t fe, int64_t e10,
                           bool neg, double *out)
{
    const unsigned char *b = p->buf;
    size_t a1 = ib, a2 = fb, nd, i, kept, w = 0;
    int64_t e;
    bool sticky = false;
    double d;
    /* Value = (integer digits then fraction digits) * 10^(e10 - nfrac);
     * leading zeros of that digit string do not matter. */
    while (a1 < ie && b[a1] == '0')
        a1++;
    if (a1 == ie)
        while (a2 < fe && b[a2] == '0')
            a2++;
    nd = (ie - a1) + (fe - a2);
    if (nd == 0) {
        *out = neg ? -0.0 : 0.0;
        return 0;
    }
    e = e10 - (int64_t)(fe - fb);
#if FLT_EVAL_METHOD == 0
    /* Clinger's fast path: an integer below 2^53 times or divided by an exact
     * power of ten is one correctly rounded IEEE operation. */
    if (nd <= 15 && e >= -22 && e <= 22) {
        uint64_t m = 0;
        for (i = a1; i < ie; i++)
            m = m * 10 + (uint64_t)(b[i] - '0');
        for (i = a2; i < fe; i++)
            m = m * 10 + (uint64_t)(b[i] - '0');
        d = (double)m;
        d = e < 0 ? d / cfc__pow10[-e] : d * cfc__pow10[e];
        *out = neg ? -d : d;
        return 0;
    }
#endif
    /* Otherwise strtod on a bounded, normalised copy: sign, at most
     * CFC__NUM_DIGITS digits (+ sticky '1'), no decimal point (so the locale's
     * decimal separator cannot matter), exponent clamped far beyond the range
     * of double. */
    if (cfc__grow_bytes(p, &p->scr, &p->scr_cap, CFC__NUM_DIGITS + 64) != 0)
        return -1;
    kept = nd < CFC__NUM_DIGITS ? nd : CFC__NUM_DIGITS;
    if (neg)
        p->scr[w++] = '-';
    for (i = a1; i < ie && w < kept + neg; i++)
        p->scr[w++] = b[i];
    for (i = a2; i < fe && w < kept + neg; i++)
        p->scr[w++] = b[i];
    if (kept < nd) {
        /* Continue where the copy stopped, looking for a non-zero digit. */
        size_t j = (ie - a1) > kept ? a1 + kept : ie;
        for (; j < ie && !sticky; j++)
            sticky = b[j] != '0';
        j = (ie - a1) > kept ? a2 : a2 + (kept - (ie - a1));
        for (; j < fe && !sticky; j++)
            sticky = b[j] != '0';
        e += (int64_t)(nd - kept);
        if (sticky) {
            p->scr[w++] = '1';
            e -= 1;
        }
    }
    if (e > 999999)
        e = 999999;
    if (e < -999999)
        e = -999999;
    snprintf((char *)p->scr + w, p->scr_cap - w, "e%lld", (long long)e);
    *out = strtod((const char *)p->scr, NULL);
    return 0;
}

static int cfc__number(cfc_jparser *p, size_t *ppos, cfc_jval *v)
{
    const unsigned char *b = p->buf;
    size_t pos = *ppos, ib, ie, fb, fe;
    unsigned flags = 0;
    int64_t e10 = 0;
    bool neg = false;
    char tmp[48];
    if (b[pos] == '-') {
        neg = true;
        flags |= CFC_JNUM_NEGATIVE;
        pos++;
    }
    ib = pos;
    if (b[pos] == '0') {
        pos++;
        if (cfc__is_digit(b[pos])) {
            if (cfc__diag(p, CFC_JD_SYNTAX, pos, true,
                          "invalid number: leading zeros are not allowed, found %s after '0'",
                          cfc__found(p, pos, tmp, sizeof tmp)) != 0)
                return -1;
            return 1;
        }
    } else if (cfc__is_digit(b[pos])) {
        while (cfc__is_digit(b[pos]))
            pos++;
    } else {
        return cfc__fail(p, pos, "invalid number: expected a digit after '-'",
                         cfc__value_hint(b[pos], false));
    }
    ie = pos;
    fb = fe = pos;
    if (b[pos] == '.') {
        flags |= CFC_JNUM_FRACTION;
        pos++;
        if (!cfc__is_digit(b[pos]))
            return cfc__fail(p, pos, "invalid number: expected a digit after '.'", "");
        fb = pos;
        while (cfc__is_digit(b[pos]))
            pos++;
        fe = pos;
    }
    if (b[pos] == 'e' || b[pos] == 'E') {
        bool eneg = false;
        flags |= CFC_JNUM_EXPONENT;
        pos++;
        if (b[pos] == '+' || b[pos] == '-')
            eneg = b[pos++] == '-';
        if (!cfc__is_digit(b[pos]))
            return cfc__fail(p, pos, "invalid number: expected a digit in the exponent", "");
        for (; cfc__is_digit(b[pos]); pos++)
            if (e10 < 1000000000) /* saturate: far beyond any double, no overflow */
                e10 = e10 * 10 + (b[pos] - '0');
        if (eneg)
            e10 = -e10;
    }
    v->u.num.i = 0;
    if ((flags & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)) == 0 && ie - ib <= 20) {
        /* 19 digits always fit in uint64_t; a 20th needs the overflow check. */
        uint64_t mag = 0;
        size_t i, n = ie - ib, n19 = n < 19 ? n : 19;
        bool fits = true;
        for (i = 0; i < n19; i++)
            mag = mag * 10 + (uint64_t)(b[ib + i] - '0');
        if (n == 20) {
            unsigned d = (unsigned)(b[ib + 19] - '0');
            if (mag > (UINT64_MAX - d) / 10)
                fits = false;
            else
                mag = mag * 10 + d;
        }
        if (fits && (neg ? mag <= (uint64_t)INT64_MAX + 1 : mag <= (uint64_t)INT64_MAX)) {
            flags |= CFC_JNUM_INT64;
            if (!neg)
                v->u.num.i = (int64_t)mag;
            else if (mag == (uint64_t)INT64_MAX + 1)
                v->u.num.i = INT64_MIN;
            else
                v->u.num.i = -(int64_t)mag;
            /* uint64 -> double rounds to nearest, which is what strtod does. */
            v->u.num.d = neg ? -(double)mag : (double)mag;
        }
    }
    if ((flags & CFC_JNUM_INT64) == 0 &&
        cfc__num_double(p, ib, ie, fb, fe, e10, neg, &v->u.num.d) != 0)
        return -1;
    v->u.num.flags = flags;
    v->end = pos;
    *ppos = pos;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The document.                                                             */

static size_t cfc__skip_ws(const unsigned char *b, size_t pos)
{
    while (cfc__ws[b[pos]])
        pos++;
    return pos;
}

/* A new node, linked into the open container (or made the root). */
static cfc_jval *cfc__node(cfc_jparser *p, cfc_jtype t, size_t off)
{
    cfc_jval *v = (cfc_jval *)cfc__arena_alloc(p, sizeof *v, _Alignof(cfc_jval));
    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof *v);
    v->type = t;
    v->offset = off;
    v->end = off;
    if (p->depth > 0) {
        cfc__frame *f = &p->frames[p->depth - 1];
        if (f->last != NULL)
            f->last->next = v;
        else
            f->node->u.kids.first = v;
        f->last = v;
        f->node->u.kids.count++;
        if (f->node->type == CFC_J_OBJECT) {
            v->key = f->ckey;
            v->key_len = f->ckey_len;
            v->key_offset = f->ckey_off;
        }
    } else {
        p->root = v;
    }
    return v;
}

static int cfc__push(cfc_jparser *p, cfc_jval *v)
{
    cfc__frame *f;
    void *fv = p->frames;
    if (cfc__grow(p, &fv, &p->frames_cap, p->depth + 1, sizeof *f, 16) != 0)
        return -1;
    p->frames = (cfc__frame *)fv;
    f = &p->frames[p->depth++];
    memset(f, 0, sizeof *f);
    f->node = v;
    return 0;
}

enum { CFC__ST_VALUE, CFC__ST_KEY, CFC__ST_AFTER };

/* Parses p->buf[0, p->len). Returns 0 when done (a fatal diagnostic may
 * have stopped it), -1 on out of memory. */
static int cfc__document(cfc_jparser *p)
{
    unsigned char *b = p->buf;
    size_t pos = 0;
    int st = CFC__ST_VALUE, rc = 0;
    /* what a missing value was expected after; shapes the message */
    const char *expect = "expected a value";
    bool after_comma = false;

    if (p->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        if (cfc__diag(p, CFC_JD_BOM, 0, false,
                      "UTF-8 byte order mark (EF BB BF) at the start: "
                      "JSON texts must not begin with one") != 0)
            return -1;
        pos = 3;
    }
    pos = cfc__skip_ws(b, pos);
    if (pos >= p->len)
        return cfc__diag(p, CFC_JD_SYNTAX, pos, true, "empty input: expected a JSON value");

    for (;;) {
        if (st == CFC__ST_VALUE) {
            cfc_jval *v;
            unsigned c;
            pos = cfc__skip_ws(b, pos);
            if (p->depth > 0) {
                cfc__frame *f = &p->frames[p->depth - 1];
                if (f->node->type == CFC_J_ARRAY) {
                    f->has_child = true;
                    f->child_index = f->node->u.kids.count;
                }
            }
            c = b[pos];
            switch (c) {
            case '[':
            case '{':
                if (p->depth >= p->max_depth) {
                    rc = cfc__diag(p, CFC_JD_DEPTH, pos, true,
                                   "nesting too deep: expected at most %u levels of arrays and "
                                   "objects, found level %zu",
                                   p->max_depth, p->depth + 1);
                    return rc < 0 ? -1 : 0;
                }
                v = cfc__node(p, c == '[' ? CFC_J_ARRAY : CFC_J_OBJECT, pos);
                if (v == NULL || cfc__push(p, v) != 0)
                    return -1;
                pos = cfc__skip_ws(b, pos + 1);
                if (b[pos] == (c == '[' ? ']' : '}')) {
                    v->end = pos + 1;
                    p->depth--;
                    pos++;
                    st = CFC__ST_AFTER;
                } else if (c == '[') {
                    expect = "expected a value or ']'";
                    after_comma = false;
                } else if (b[pos] == '"') {
                    st = CFC__ST_KEY;
                } else {
                    rc = cfc__fail(p, pos, "expected a member name (string) or '}'",
                                   cfc__name_hint(b[pos], false));
                    return rc < 0 ? -1 : 0;
                }
                continue;
            case '"': {
                const char *s;
                size_t n;
                v = cfc__node(p, CFC_J_STRING, pos);
                if (v == NULL)
                    return -1;
                rc = cfc__string(p, &pos, &s, &n);
                if (rc != 0)
                    return rc < 0 ? -1 : 0;
                v->u.str.s = s;
                v->u.str.len = n;
                v->end = pos;
                if (cfc__pend_flush(p) != 0)
                    return -1;
                st = CFC__ST_AFTER;
                continue;
            }
            case 't':
            case 'f':
            case 'n': {
                const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
                size_t k;
                for (k = 1; lit[k] != '\0'; k++) {
                    if (b[pos + k] != (unsigned char)lit[k]) {
                        char what[40];
                        snprintf(what, sizeof what, "invalid literal: expected \"%s\"", lit);
                        rc = cfc__fail(p, pos + k, what, "");
                        return rc < 0 ? -1 : 0;
                    }
                }
                v = cfc__node(p, c == 't' ? CFC_J_TRUE : c == 'f' ? CFC_J_FALSE : CFC_J_NULL, pos);
                if (v == NULL)
                    return -1;
                pos += k;
                v->end = pos;
                st = CFC__ST_AFTER;
                continue;
            }
            default:
                if (c == '-' || cfc__is_digit(c)) {
                    v = cfc__node(p, CFC_J_NUMBER, pos);
                    if (v == NULL)
                        return -1;
                    rc = cfc__number(p, &pos, v);
                    if (rc != 0)
                        return rc < 0 ? -1 : 0;
                    st = CFC__ST_AFTER;
                    continue;
                }
                rc = cfc__fail(p, pos, expect, cfc__value_hint(c, after_comma));
                return rc < 0 ? -1 : 0;
            }
        } else if (st == CFC__ST_KEY) {
            /* b[pos] is the opening quote of a member name. */
            cfc__frame *f = &p->frames[p->depth - 1];
            size_t key_off = pos, n;
            const char *s;
            rc = cfc__string(p, &pos, &s, &n);
            if (rc != 0)
                return rc < 0 ? -1 : 0;
            f->ckey = s;
            f->ckey_len = n;
            f->ckey_off = key_off;
            f->has_child = true;
            /* The duplicate is reported at the name's quote, before any problem
             * inside the name, to keep diagnostics in offset order. */
            if (cfc__check_dup(p, f, s, n, key_off) != 0 || cfc__pend_flush(p) != 0)
                return -1;
            pos = cfc__skip_ws(b, pos);
            if (b[pos] != ':') {
                rc = cfc__fail(p, pos, "expected ':' after member name", "");
                return rc < 0 ? -1 : 0;
            }
            pos++;
            expect = "expected a value after ':'";
            after_comma = false;
            st = CFC__ST_VALUE;
        } else {
            cfc__frame *f;
            unsigned c;
            if (p->depth == 0) {
                pos = cfc__skip_ws(b, pos);
                if (pos < p->len) {
                    rc = cfc__fail(p, pos,
                                   "unexpected content after the JSON value: expected end of input",
                                   "");
                    return rc < 0 ? -1 : 0;
                }
                return 0;
            }
            f = &p->frames[p->depth - 1];
            f->has_child = false;
            pos = cfc__skip_ws(b, pos);
            c = b[pos];
            if (f->node->type == CFC_J_ARRAY) {
                if (c == ',') {
                    pos++;
                    expect = "expected a value after ','";
                    after_comma = true;
                    st = CFC__ST_VALUE;
                } else if (c == ']' && pos < p->len) {
                    f->node->end = ++pos;
                    p->depth--;
                } else {
                    rc = cfc__fail(p, pos, "expected ',' or ']' after array element", "");
                    return rc < 0 ? -1 : 0;
                }
            } else {
                if (c == ',') {
                    pos = cfc__skip_ws(b, pos + 1);
                    if (b[pos] != '"') {
                        rc = cfc__fail(p, pos, "expected a member name (string) after ','",
                                       cfc__name_hint(b[pos], true));
                        return rc < 0 ? -1 : 0;
                    }
                    st = CFC__ST_KEY;
                } else if (c == '}' && pos < p->len) {
                    f->node->end = ++pos;
                    p->depth--;
                } else {
                    rc = cfc__fail(p, pos, "expected ',' or '}' after object member", "");
                    return rc < 0 ? -1 : 0;
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Public API.                                                               */

cfc_jparser *cfc_jparser_new_with_alloc(const cfc_jalloc *alc)
{
    static const cfc_jalloc std = {cfc__std_malloc, cfc__std_realloc, cfc__std_free, NULL};
    cfc_jparser *p;
    uint64_t s;
    if (alc == NULL)
        alc = &std;
    if (alc->malloc_fn == NULL || alc->realloc_fn == NULL || alc->free_fn == NULL)
        return NULL;
    p = (cfc_jparser *)alc->malloc_fn(alc->ctx, sizeof *p);
    if (p == NULL)
        return NULL;
    memset(p, 0, sizeof *p);
    p->alc = *alc;
    /* The hash key only has to be unpredictable from outside, not secret in
     * a cryptographic sense: the address (ASLR), the time and the clock. */
    s = cfc__mix64((uint64_t)(uintptr_t)p ^ (uint64_t)time(NULL));
    p->seed[0] = s;
    p->seed[1] = cfc__mix64(s ^ (uint64_t)clock() ^ (uint64_t)(uintptr_t)&s);
    return p;
}

cfc_jparser *cfc_jparser_new(void)
{
    return cfc_jparser_new_with_alloc(NULL);
}

void cfc_jparser_free(cfc_jparser *p)
{
    cfc__chunk *c;
    if (p == NULL)
        return;
    c = p->head;
    while (c != NULL) {
        cfc__chunk *nx = c->next;
        cfc__free(p, c);
        c = nx;
    }
    cfc__free(p, p->buf);
    cfc__free(p, p->scr);
    cfc__free(p, p->frames);
    cfc__free(p, p->diags);
    cfc__free(p, p->pend);
    cfc__free(p, p->htab);
    p->alc.free_fn(p->alc.ctx, p);
}

/* Frees a buffer that an earlier, much bigger document made large. */
static void cfc__trim(cfc_jparser *p, void **ptr, size_t *cap, size_t elem)
{
    if (*cap > CFC__RETAIN / elem) {
        cfc__free(p, *ptr);
        *ptr = NULL;
        *cap = 0;
    }
}

int cfc_jparse(cfc_jparser *p, const char *input, size_t len, const cfc_jparse_opts *opts,
               cfc_jval **root, const cfc_jdiag **diags, size_t *n_diags, size_t *n_dropped_diags)
{
    void *v;
    int rc;
    if (root != NULL)
        *root = NULL;
    if (diags != NULL)
        *diags = NULL;
    if (n_diags != NULL)
        *n_diags = 0;
    if (n_dropped_diags != NULL)
        *n_dropped_diags = 0;
    if (p == NULL || (input == NULL && len > 0))
        return -2;

    cfc__arena_reset(p);
    v = p->buf;
    cfc__trim(p, &v, &p->buf_cap, 1);
    p->buf = (unsigned char *)v;
    v = p->scr;
    cfc__trim(p, &v, &p->scr_cap, 1);
    p->scr = (unsigned char *)v;
    v = p->htab;
    cfc__trim(p, &v, &p->hcap, sizeof(cfc__hent));
    p->htab = (cfc__hent *)v;
    v = p->frames;
    cfc__trim(p, &v, &p->frames_cap, sizeof(cfc__frame));
    p->frames = (cfc__frame *)v;
    v = p->diags;
    cfc__trim(p, &v, &p->diags_cap, sizeof(cfc_jdiag));
    p->diags = (cfc_jdiag *)v;
    v = p->pend;
    cfc__trim(p, &v, &p->pend_cap, sizeof(cfc__pending));
    p->pend = (cfc__pending *)v;
    p->gen++;
    p->hcount = 0;
    p->depth = 0;
    p->n_diags = 0;
    p->n_dropped = 0;
    memset(p->dropped_by_code, 0, sizeof p->dropped_by_code);
    p->n_pend = 0;
    p->root = NULL;
    p->len = len;
    p->max_depth = opts != NULL && opts->max_depth != 0 ? opts->max_depth : CFC__DEFAULT_DEPTH;
    p->max_diags = opts != NULL && opts->max_diags != 0 ? opts->max_diags : CFC__DEFAULT_DIAGS;

    /* Copy plus sentinel. Bytes past the sentinel are never read: every
     * look-ahead (literals, \u escapes, UTF-8) stops at the first mismatch, and
     * NUL mismatches everything it is compared with. */
    if (len > SIZE_MAX - 8 || cfc__grow_bytes(p, &p->buf, &p->buf_cap, len + 1) != 0)
        return -1;
    if (len > 0)
        memcpy(p->buf, input, len);
    p->buf[len] = '\0';

    rc = cfc__document(p);
    if (rc != 0)
        return -1;
    if (p->n_diags > 0 && p->diags[p->n_diags - 1].fatal)
        p->root = NULL;
    if (root != NULL)
        *root = p->root;
    if (diags != NULL)
        *diags = p->diags;
    if (n_diags != NULL)
        *n_diags = p->n_diags;
    if (n_dropped_diags != NULL)
        *n_dropped_diags = p->n_dropped;
    return 0;
}

const cfc_jval *cfc_jobject_getn(const cfc_jval *obj, const char *name, size_t name_len)
{
    const cfc_jval *k;
    if (obj == NULL || obj->type != CFC_J_OBJECT || (name == NULL && name_len > 0))
        return NULL;
    for (k = obj->u.kids.first; k != NULL; k = k->next)
        if (k->key_len == name_len && (name_len == 0 || memcmp(k->key, name, name_len) == 0))
            return k;
    return NULL;
}

const cfc_jval *cfc_jobject_get(const cfc_jval *obj, const char *name)
{
    if (name == NULL)
        return NULL;
    return cfc_jobject_getn(obj, name, strlen(name));
}

const char *cfc_jtype_name(cfc_jtype type)
{
    static const char *const names[] = {"null",   "false", "true",  "number",
                                        "string", "array", "object"};
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "unknown";
}

const char *cfc_jdiag_code_name(cfc_jdiag_code code)
{
    static const char *const names[] = {
        "syntax",  "depth",          "nul",        "bom",          "utf8",
        "control", "lone-surrogate", "nul-escape", "duplicate-key"};
    return (unsigned)code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

size_t cfc_jparser_dropped(const cfc_jparser *p, cfc_jdiag_code code)
{
    if (p == NULL || (unsigned)code >= CFC_JD__COUNT)
        return 0;
    return p->dropped_by_code[code];
}
