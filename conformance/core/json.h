/* SPDX-License-Identifier: MIT */
/* json.h - strict RFC 8259 JSON parser with diagnostics, for cfconform.
 *
 * Why not cJSON: Debian's cJSON 1.7.15 accepts texts that are not JSON
 * (`01`, `1.`, raw control characters in strings, invalid UTF-8, a BOM,
 * trailing content), keeps duplicate member names silently, forgets how a
 * number was written, loses integers above 2^53 and reports no byte offsets.
 * The checker has to report each of those precisely, so this parser checks
 * the grammar strictly and, in one pass, builds a small DOM that keeps source
 * offsets, the lexical shape of every number, exact int64 values and every
 * member (duplicates included), plus every diagnostic with its byte offset
 * and JSON Pointer.
 *
 * Hostile input is expected: nesting is tracked on an explicit stack (no
 * recursion), time is linear in the input size, memory is O(input size).
 *
 * Usage:
 *     cfc_jparser *p = cfc_jparser_new();
 *     cfc_jval *root; const cfc_jdiag *d; size_t nd, dropped;
 *     if (p == NULL || cfc_jparse(p, buf, len, NULL, &root, &d, &nd, &dropped) != 0)
 *         ... out of memory ...
 *     ... root == NULL means a fatal diagnostic (d[nd - 1]) stopped the parse ...
 *     cfc_jparser_free(p);
 */
#ifndef CFC_JSON_H
#define CFC_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cfc_jtype {
    CFC_J_NULL,
    CFC_J_FALSE,
    CFC_J_TRUE,
    CFC_J_NUMBER,
    CFC_J_STRING,
    CFC_J_ARRAY,
    CFC_J_OBJECT
} cfc_jtype;

/* Number lexical flags */
enum {
    CFC_JNUM_FRACTION = 1u << 0, /* has '.' part */
    CFC_JNUM_EXPONENT = 1u << 1, /* has e/E part */
    CFC_JNUM_NEGATIVE = 1u << 2, /* leading '-' (so "-0" is NEGATIVE with i == 0) */
    CFC_JNUM_INT64 =
        1u << 3 /* no fraction, no exponent, value fits int64_t exactly: num.i is valid */
};

typedef struct cfc_jval cfc_jval;
struct cfc_jval {
    cfc_jtype type;
    size_t offset;   /* byte offset of the value's first byte in the input */
    size_t end;      /* one past its last byte (so a number's raw text is input[offset, end)) */
    cfc_jval *next;  /* next sibling inside the parent array/object, in document order */
    const char *key; /* member name (decoded UTF-8, NUL-terminated at key_len) when the parent is an
                        object, else NULL */
    size_t key_len;
    size_t key_offset; /* offset of the key's opening quote */
    union {
        /* i: valid only with CFC_JNUM_INT64, else 0.
         * d: correctly rounded value of the literal (as strtod would give);
         *    overflow gives +/-HUGE_VAL, underflow +/-0. */
        struct {
            int64_t i;
            double d;
            unsigned flags;
        } num;
        /* Decoded UTF-8; may contain NUL (from \u0000 or a raw NUL byte);
         * always NUL-terminated at s[len]. */
        struct {
            const char *s;
            size_t len;
        } str;
        /* Arrays and objects; members in document order, duplicates kept. */
        struct {
            cfc_jval *first;
            size_t count;
        } kids;
    } u;
};

typedef enum cfc_jdiag_code {
    CFC_JD_SYNTAX, /* fatal: not JSON here (message says expected vs found); parsing stops */
    CFC_JD_DEPTH,  /* fatal: nesting deeper than max_depth; parsing stops */
    CFC_JD_NUL,  /* raw NUL byte (fatal if outside a string, recoverable inside: kept as a NUL byte)
                  */
    CFC_JD_BOM,  /* UTF-8 BOM at the start; recoverable (skipped) */
    CFC_JD_UTF8, /* invalid UTF-8: bad lead/continuation byte, truncated sequence, overlong form,
                    encoded surrogate D800-DFFF, > U+10FFFF; recoverable. One diagnostic per run of
                    consecutive invalid bytes (at its first byte); in the decoded string each
                    maximal ill-formed subpart becomes one U+FFFD (Unicode ch. 3 / WHATWG practice,
                    as Python's errors="replace"), so C0 AF gives 1 diagnostic and 2 U+FFFD. */
    CFC_JD_CONTROL, /* raw control character U+0001..U+001F inside a string; recoverable (kept); one
                       per byte */
    CFC_JD_LONE_SURROGATE, /* \uD800-\uDFFF escape not forming a valid pair; recoverable (U+FFFD);
                              offset of its '\' */
    CFC_JD_NUL_ESCAPE, /* \u0000 inside a string (valid JSON, but C consumers cut the string there);
                          recoverable */
    CFC_JD_DUPLICATE_KEY, /* an object has the same member name twice (compare decoded names,
                             byte-exact); recoverable; reported at the second occurrence's opening
                             quote */
    CFC_JD__COUNT         /* number of codes, not a code */
} cfc_jdiag_code;

typedef struct cfc_jdiag {
    cfc_jdiag_code code;
    size_t offset;       /* byte offset in the input where the problem is */
    const char *pointer; /* RFC 6901 JSON Pointer of the value concerned ("" = root), '~'->"~0",
                            '/'->"~1"; owned by the parser */
    const char *
        message; /* human message: says what was expected and what was found; owned by the parser */
    size_t pointer_len; /* strlen(pointer), unless a member name holds a NUL byte (the pointer then
                           does too) */
    bool fatal;         /* true for the diagnostic that stopped the parse (always the last one) */
} cfc_jdiag;

/* Opaque; reusable across documents: it keeps and reuses its arena, so
 * steady-state parsing of similar documents does no malloc. Not thread-safe:
 * use one parser per thread. */
typedef struct cfc_jparser cfc_jparser;

typedef struct cfc_jparse_opts {
    unsigned max_depth; /* 0 = 64; the top value is depth 1, each nested array/object adds 1 */
    size_t max_diags;   /* 0 = 100; further diags are counted, not stored (except a fatal one, see
                           cfc_jparse) */
} cfc_jparse_opts;

/* Optional allocator. The parser makes every allocation through these three
 * functions; ctx is passed back unchanged. realloc_fn must behave as C
 * realloc (NULL ptr allocates; on failure the old block is untouched). */
typedef struct cfc_jalloc {
    void *(*malloc_fn)(void *ctx, size_t size);
    void *(*realloc_fn)(void *ctx, void *ptr, size_t size);
    void (*free_fn)(void *ctx, void *ptr);
    void *ctx;
} cfc_jalloc;

/* Returns a new parser, NULL on out of memory. Free it with cfc_jparser_free. */
cfc_jparser *cfc_jparser_new(void);
/* As cfc_jparser_new, allocating through *alc (copied; NULL = malloc/realloc/free). */
cfc_jparser *cfc_jparser_new_with_alloc(const cfc_jalloc *alc);
/* Frees the parser and everything it returned. NULL is a no-op. */
void cfc_jparser_free(cfc_jparser *p);

/* Parses one JSON text (exactly len bytes, not NUL-terminated, may contain NUL bytes).
 * Returns 0 on success (even when recoverable or fatal diagnostics were found),
 * -1 on out of memory, -2 on a bad argument (p NULL, or input NULL with len > 0).
 * *root is the DOM (NULL when a fatal diagnostic stopped the parse). Everything
 * returned (DOM, diag array, strings) is owned by the parser and valid until the
 * next parse or free. Diags are in document (offset) order; the first
 * max_diags are stored, later ones only counted in *n_dropped_diags, except
 * that a fatal diagnostic is always stored (so *n_diags can be max_diags + 1)
 * and is always the last one.
 * Any of root, diags, n_diags, n_dropped_diags may be NULL. On a non-zero
 * return they are set to NULL / 0, and results of the previous parse are
 * invalid too. The parser stays usable after an out-of-memory failure. */
int cfc_jparse(cfc_jparser *p, const char *input, size_t len, const cfc_jparse_opts *opts,
               cfc_jval **root, const cfc_jdiag **diags, size_t *n_diags, size_t *n_dropped_diags);

/* Member lookup by exact, case-sensitive name (first occurrence). NULL if obj
 * is not an object or no such member. Returns a pointer into obj's DOM. */
/* How many diagnostics of `code` the last parse found but did not store
 * (beyond max_diags): callers that count by kind stay exact. */
size_t cfc_jparser_dropped(const cfc_jparser *p, cfc_jdiag_code code);

/* Diagnostic pointers longer than this are cut at a segment boundary and end
 * in "/..." -- a hostile document with megabyte member names must not make
 * every stored diagnostic cost a megabyte. */
#define CFC_JPOINTER_MAX 1024

const cfc_jval *cfc_jobject_get(const cfc_jval *obj, const char *name);
/* As cfc_jobject_get, for a name of name_len bytes (may contain NUL). */
const cfc_jval *cfc_jobject_getn(const cfc_jval *obj, const char *name, size_t name_len);

/* Writes the RFC 6901 escaped form of a key segment ('~' -> "~0", '/' -> "~1";
 * no leading '/') to out, snprintf-style: at most cap - 1 bytes, never a partial
 * escape, NUL-terminated when cap > 0 (out may be NULL when cap == 0).
 * Returns the length of the full escaped form, excluding the NUL. */
size_t cfc_jpointer_escape(char *out, size_t cap, const char *key, size_t key_len);

/* Static names, e.g. "object", "number"; "unknown" for an out-of-range value. */
const char *cfc_jtype_name(cfc_jtype type);
/* Static names, e.g. "syntax", "duplicate-key"; "unknown" for an out-of-range value. */
const char *cfc_jdiag_code_name(cfc_jdiag_code code);

#ifdef __cplusplus
}
#endif

#endif /* CFC_JSON_H */
