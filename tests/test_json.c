/* SPDX-License-Identifier: MIT */
/* test_json.c - Criterion tests for the strict JSON parser (conformance/core/json.c).
 *
 * Tables are indexed rather than passed to ParameterizedTest directly:
 * Criterion runs each case in a fresh process, where pointers to static
 * strings in the parameter struct would not be valid.
 *
 * Timing assertions (linear time on hostile input) are ratios, not absolute
 * times, as in tests/test_hostile.c: each hostile parse (best of five, in
 * CPU time) is
 * compared with parsing the same number of bytes of ordinary JSON in the
 * same process, so a slow or loaded machine, ASan or valgrind does not
 * change the verdict, while anything quadratic blows far past the ratio.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

#define IN(s) s, sizeof(s) - 1
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */

static cfc_jparser *P;

static void setup(void)
{
    P = cfc_jparser_new();
    cr_assert_not_null(P);
}

static void teardown(void)
{
    cfc_jparser_free(P);
    P = NULL;
}

TestSuite(json, .init = setup, .fini = teardown);

typedef struct res {
    cfc_jval *root;
    const cfc_jdiag *d;
    size_t nd;
    size_t dropped;
} res;

static res parse_opts(const char *s, size_t n, const cfc_jparse_opts *o)
{
    res r;
    int rc = cfc_jparse(P, s, n, o, &r.root, &r.d, &r.nd, &r.dropped);
    cr_assert_eq(rc, 0, "cfc_jparse returned %d", rc);
    return r;
}

static res parse(const char *s, size_t n)
{
    return parse_opts(s, n, NULL);
}

/* Indices 0..n-1 as Criterion parameters (allocated with cr_malloc so the
 * test processes can see them). */
static struct criterion_test_params index_params(size_t n)
{
    size_t *a = cr_malloc(n * sizeof *a), i;
    for (i = 0; i < n; i++)
        a[i] = i;
    return cr_make_param_array(size_t, a, n);
}

/* CPU time, not wall-clock time: on a loaded machine a long parse is
 * preempted many times where a short one may not be at all, which skews a
 * wall-clock ratio by several times; the CPU time a parse uses does not
 * depend on what else runs. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A growable test buffer. */
typedef struct tbuf {
    char *p;
    size_t n;
    size_t cap;
} tbuf;

static void tb_put(tbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        b->p = realloc(b->p, cap);
        cr_assert_not_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void tb_puts(tbuf *b, const char *s)
{
    tb_put(b, s, strlen(s));
}

static void tb_rep(tbuf *b, const char *s, size_t times)
{
    size_t i, n = strlen(s);
    for (i = 0; i < times; i++)
        tb_put(b, s, n);
}

/* Generous: a linear but branchy input costs up to about 50 times ordinary
 * JSON per byte in CPU time (100,000 keys, each hashed for duplicates into
 * a table larger than the caches); a quadratic one
 * of these sizes costs thousands of times more. Times are the best of
 * ROUNDS, the least disturbed by whatever else runs. */
#define MAX_RATIO 100.0
#define ROUNDS 5

/* Seconds per byte to parse 1 MiB of ordinary events. Call it before the
 * parse it is compared with: it reuses the parser, which frees that parse. */
static double ordinary_per_byte(void)
{
    tbuf b = {0};
    tb_puts(&b, "[");
    while (b.n < (1u << 20))
        tb_puts(&b, "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":42,\"agent_id\":"
                    "\"backend-worker-001\",\"task_title\":\"Create API endpoint\",\"timestamp\":"
                    "\"2025-11-08T14:30:45.123Z\",\"tags\":[1,2.5,true,null]},");
    tb_puts(&b, "{}]");
    double best = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = now_s();
        res r = parse(b.p, b.n);
        double dt = now_s() - t0;
        cr_assert_eq(r.nd, 0);
        if (dt < best)
            best = dt;
    }
    double per_byte = best / (double)b.n;
    free(b.p);
    cr_assert_gt(per_byte, 0);
    return per_byte;
}

/* Parses n bytes ROUNDS times; *best gets the fastest time. The result is
 * the last parse's. */
static res timed_parse(const char *s, size_t n, const cfc_jparse_opts *o, double *best)
{
    res r = {0};
    *best = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = now_s();
        r = parse_opts(s, n, o);
        double dt = now_s() - t0;
        if (dt < *best)
            *best = dt;
    }
    return r;
}

/* t seconds to parse n hostile bytes stays within MAX_RATIO of ordinary JSON
 * (per_byte, from ordinary_per_byte). */
static void expect_linear(double t, size_t n, double per_byte, const char *what)
{
    double base = per_byte * (double)n;
    double ratio = t / base;
    cr_log_info("%s: %.3f ms for %zu bytes (ordinary: %.3f ms), ratio %.2f", what, t * 1e3, n,
                base * 1e3, ratio);
    cr_expect_lt(ratio, MAX_RATIO, "%s took %.1fx as long as ordinary JSON of its size", what,
                 ratio);
}

/* The first string in document order (the root or a descendant). */
static const cfc_jval *first_string(const cfc_jval *v)
{
    const cfc_jval *k, *r;
    if (v == NULL)
        return NULL;
    if (v->type == CFC_J_STRING)
        return v;
    if (v->type != CFC_J_ARRAY && v->type != CFC_J_OBJECT)
        return NULL;
    for (k = v->u.kids.first; k != NULL; k = k->next)
        if ((r = first_string(k)) != NULL)
            return r;
    return NULL;
}

static void expect_sorted(const res *r)
{
    size_t i;
    for (i = 1; i < r->nd; i++)
        cr_expect_leq(r->d[i - 1].offset, r->d[i].offset, "diags out of order at %zu", i);
}

/* ------------------------------------------------------------------------ */
/* Valid documents                                                           */

typedef struct valid_case {
    const char *in;
    size_t len;
    cfc_jtype type;
    size_t off;  /* root offset */
    size_t end;  /* root end */
    size_t kids; /* for arrays/objects */
} valid_case;

static const valid_case valid_cases[] = {
    {IN("null"), CFC_J_NULL, 0, 4, 0},
    {IN("true"), CFC_J_TRUE, 0, 4, 0},
    {IN("false"), CFC_J_FALSE, 0, 5, 0},
    {IN("0"), CFC_J_NUMBER, 0, 1, 0},
    {IN("-0.5e-3"), CFC_J_NUMBER, 0, 7, 0},
    {IN("1E+2"), CFC_J_NUMBER, 0, 4, 0},
    {IN("\"\""), CFC_J_STRING, 0, 2, 0},
    {IN("\"abc\""), CFC_J_STRING, 0, 5, 0},
    {IN("[]"), CFC_J_ARRAY, 0, 2, 0},
    {IN("{}"), CFC_J_OBJECT, 0, 2, 0},
    {IN(" \t\r\n[ 1 , \"x\" , [ ] , { } ] \n"), CFC_J_ARRAY, 4, 27, 4},
    {IN("{\"a\":{\"b\":[null,true,false]},\"c\":\"d\"}"), CFC_J_OBJECT, 0, 37, 2},
    {IN("[[[[[[[[[[]]]]]]]]]]"), CFC_J_ARRAY, 0, 20, 1},
    {IN("\"\\u00e9\\ud83d\\ude00\\\"\""), CFC_J_STRING, 0, 22, 0},
    {IN("{\"\":\"\"}"), CFC_J_OBJECT, 0, 7, 1},
    {IN("[\"\x7f\"]"), CFC_J_ARRAY, 0, 5, 1}, /* DEL needs no escape */
};

ParameterizedTestParameters(json, valid)
{
    return index_params(COUNT(valid_cases));
}

ParameterizedTest(size_t *i, json, valid)
{
    const valid_case *c = &valid_cases[*i];
    res r = parse(c->in, c->len);
    cr_assert_eq(r.nd, 0, "case %zu: %zu diags, first: %s", *i, r.nd, r.nd ? r.d[0].message : "");
    cr_assert_not_null(r.root, "case %zu", *i);
    cr_expect_eq(r.root->type, c->type, "case %zu", *i);
    cr_expect_eq(r.root->offset, c->off, "case %zu", *i);
    cr_expect_eq(r.root->end, c->end, "case %zu", *i);
    cr_expect_null(r.root->key);
    cr_expect_null(r.root->next);
    if (c->type == CFC_J_ARRAY || c->type == CFC_J_OBJECT)
        cr_expect_eq(r.root->u.kids.count, c->kids, "case %zu", *i);
}

Test(json, offsets_of_every_node)
{
    /*                  0         1         2         3         4
     *                  0123456789012345678901234567890123456789012345 */
    static const char in[] = "{\"type\": \"x\", \"ids\": [1, -2.5e1], \"o\": {}}";
    res r = parse(in, sizeof in - 1);
    const cfc_jval *t, *ids, *o, *n1, *n2;
    cr_assert_not_null(r.root);
    cr_assert_eq(r.nd, 0);
    cr_expect_eq(r.root->offset, 0);
    cr_expect_eq(r.root->end, sizeof in - 1);
    cr_assert_eq(r.root->u.kids.count, 3);
    t = r.root->u.kids.first;
    ids = t->next;
    o = ids->next;
    cr_expect_null(o->next);
    cr_expect_str_eq(t->key, "type");
    cr_expect_eq(t->key_len, 4);
    cr_expect_eq(t->key_offset, 1);
    cr_expect_eq(t->offset, 9);
    cr_expect_eq(t->end, 12);
    cr_expect_str_eq(t->u.str.s, "x");
    cr_expect_str_eq(ids->key, "ids");
    cr_expect_eq(ids->key_offset, 14);
    cr_expect_eq(ids->offset, 21);
    cr_expect_eq(ids->end, 32);
    cr_assert_eq(ids->u.kids.count, 2);
    n1 = ids->u.kids.first;
    n2 = n1->next;
    cr_expect_null(n1->key);
    cr_expect_eq(n1->offset, 22);
    cr_expect_eq(n1->end, 23);
    cr_expect_eq(n2->offset, 25);
    cr_expect_eq(n2->end, 31);
    cr_expect_eq(memcmp(in + n2->offset, "-2.5e1", n2->end - n2->offset), 0);
    cr_expect_eq(n2->u.num.flags, CFC_JNUM_NEGATIVE | CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT);
    cr_expect_eq(n2->u.num.d, -25.0);
    cr_expect_eq(o->key_offset, 34);
    cr_expect_eq(o->offset, 39);
    cr_expect_eq(o->end, 41);
    cr_expect_eq(o->u.kids.count, 0);
    cr_expect_null(o->u.kids.first);
}

typedef struct str_case {
    const char *in;
    size_t len;
    const char *want;
    size_t want_len;
} str_case;

static const str_case str_cases[] = {
    {IN("\"plain ascii\""), IN("plain ascii")},
    {IN("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""), IN("\" \\ / \b \f \n \r \t")},
    {IN("\"\\u0041\\u00e9\\u20AC\""), IN("A\xC3\xA9\xE2\x82\xAC")},
    {IN("\"\\uD83D\\uDE00\""), IN("\xF0\x9F\x98\x80")},
    {IN("\"a\\u0000b\""), IN("a\0b")},
    {IN("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""), IN("caf\xC3\xA9 \xF0\x9F\x98\x80")},
    {IN("\"\xEF\xBB\xBF\""), IN("\xEF\xBB\xBF")}, /* U+FEFF inside a string is fine */
};

ParameterizedTestParameters(json, strings_decode)
{
    return index_params(COUNT(str_cases));
}

ParameterizedTest(size_t *i, json, strings_decode)
{
    const str_case *c = &str_cases[*i];
    res r = parse(c->in, c->len);
    cr_assert_not_null(r.root, "case %zu", *i);
    cr_assert_eq(r.root->type, CFC_J_STRING);
    cr_assert_eq(r.root->u.str.len, c->want_len, "case %zu: len %zu", *i, r.root->u.str.len);
    cr_expect_eq(memcmp(r.root->u.str.s, c->want, c->want_len), 0, "case %zu", *i);
    cr_expect_eq(r.root->u.str.s[c->want_len], '\0', "case %zu: not NUL-terminated", *i);
}

/* ------------------------------------------------------------------------ */
/* Fatal errors                                                              */

typedef struct err_case {
    const char *name;
    const char *in;
    size_t len;
    cfc_jdiag_code code;
    size_t off;
    const char *ptr;
    const char *msg; /* exact message */
} err_case;

static const err_case err_cases[] = {
    {"leading zero", IN("01"), CFC_JD_SYNTAX, 1, "",
     "invalid number: leading zeros are not allowed, found '1' after '0'"},
    {"negative leading zero", IN("-01"), CFC_JD_SYNTAX, 2, "",
     "invalid number: leading zeros are not allowed, found '1' after '0'"},
    {"leading zero in array", IN("[0, 007]"), CFC_JD_SYNTAX, 5, "/1",
     "invalid number: leading zeros are not allowed, found '0' after '0'"},
    {"trailing dot", IN("1."), CFC_JD_SYNTAX, 2, "",
     "invalid number: expected a digit after '.', found end of input"},
    {"dot then e", IN("[1.e5]"), CFC_JD_SYNTAX, 3, "/0",
     "invalid number: expected a digit after '.', found 'e'"},
    {"leading dot", IN(".5"), CFC_JD_SYNTAX, 0, "",
     "expected a value, found '.' (numbers must start with a digit)"},
    {"leading plus", IN("+1"), CFC_JD_SYNTAX, 0, "",
     "expected a value, found '+' (numbers must not start with '+')"},
    {"lone minus", IN("-"), CFC_JD_SYNTAX, 1, "",
     "invalid number: expected a digit after '-', found end of input"},
    {"empty exponent", IN("1e"), CFC_JD_SYNTAX, 2, "",
     "invalid number: expected a digit in the exponent, found end of input"},
    {"signed empty exponent", IN("1E-}"), CFC_JD_SYNTAX, 3, "",
     "invalid number: expected a digit in the exponent, found '}'"},
    {"trailing comma array", IN("[1,]"), CFC_JD_SYNTAX, 3, "/1",
     "expected a value after ',', found ']' (trailing commas are not allowed)"},
    {"trailing comma object", IN("{\"a\":1,}"), CFC_JD_SYNTAX, 7, "",
     "expected a member name (string) after ',', found '}' (trailing commas are not allowed)"},
    {"missing colon", IN("{\"a\" 1}"), CFC_JD_SYNTAX, 5, "/a",
     "expected ':' after member name, found '1'"},
    {"single-quoted name", IN("{'a':1}"), CFC_JD_SYNTAX, 1, "",
     "expected a member name (string) or '}', found \"'\" (strings must use double quotes)"},
    {"single-quoted value", IN("{\"a\":'b'}"), CFC_JD_SYNTAX, 5, "/a",
     "expected a value after ':', found \"'\" (strings must use double quotes)"},
    {"bare name", IN("{a:1}"), CFC_JD_SYNTAX, 1, "",
     "expected a member name (string) or '}', found 'a' (member names must be double-quoted "
     "strings)"},
    {"unterminated string", IN("\"abc"), CFC_JD_SYNTAX, 4, "",
     "unexpected end of input inside a string"},
    {"unterminated after escape", IN("[\"ab\\"), CFC_JD_SYNTAX, 5, "/0",
     "unexpected end of input inside a string"},
    {"unterminated in \\u", IN("\"\\u00"), CFC_JD_SYNTAX, 5, "",
     "unexpected end of input inside a string"},
    {"bad escape", IN("\"a\\x\""), CFC_JD_SYNTAX, 3, "",
     "invalid escape: expected one of \" \\ / b f n r t u after '\\', found 'x'"},
    {"bad \\u digit", IN("\"\\u12G4\""), CFC_JD_SYNTAX, 5, "",
     "invalid \\u escape: expected 4 hex digits, found 'G'"},
    {"uppercase \\U", IN("\"\\U0041\""), CFC_JD_SYNTAX, 2, "",
     "invalid escape: expected one of \" \\ / b f n r t u after '\\', found 'U'"},
    {"trailing content", IN("{} x"), CFC_JD_SYNTAX, 3, "",
     "unexpected content after the JSON value: expected end of input, found 'x'"},
    {"two values", IN("1 2"), CFC_JD_SYNTAX, 2, "",
     "unexpected content after the JSON value: expected end of input, found '2'"},
    {"empty", IN(""), CFC_JD_SYNTAX, 0, "", "empty input: expected a JSON value"},
    {"whitespace only", IN(" \t\r\n"), CFC_JD_SYNTAX, 4, "", "empty input: expected a JSON value"},
    {"tru", IN("tru"), CFC_JD_SYNTAX, 3, "",
     "invalid literal: expected \"true\", found end of input"},
    {"nul", IN("[nul]"), CFC_JD_SYNTAX, 4, "/0", "invalid literal: expected \"null\", found ']'"},
    {"True", IN("True"), CFC_JD_SYNTAX, 0, "", "expected a value, found 'T'"},
    {"NaN", IN("NaN"), CFC_JD_SYNTAX, 0, "",
     "expected a value, found 'N' (NaN and Infinity are not JSON)"},
    {"-Infinity", IN("-Infinity"), CFC_JD_SYNTAX, 1, "",
     "invalid number: expected a digit after '-', found 'I' (NaN and Infinity are not JSON)"},
    {"missing comma", IN("[1 2]"), CFC_JD_SYNTAX, 3, "",
     "expected ',' or ']' after array element, found '2'"},
    {"missing member comma", IN("{\"a\":1 \"b\":2}"), CFC_JD_SYNTAX, 7, "",
     "expected ',' or '}' after object member, found '\"'"},
    {"mismatched bracket", IN("[1}"), CFC_JD_SYNTAX, 2, "",
     "expected ',' or ']' after array element, found '}'"},
    {"unclosed array", IN("[1,2"), CFC_JD_SYNTAX, 4, "",
     "expected ',' or ']' after array element, found end of input"},
    {"unclosed empty array", IN("["), CFC_JD_SYNTAX, 1, "/0",
     "expected a value or ']', found end of input"},
    {"unclosed object", IN("{\"a\":"), CFC_JD_SYNTAX, 5, "/a",
     "expected a value after ':', found end of input"},
    {"comment", IN("/* c */ 1"), CFC_JD_SYNTAX, 0, "",
     "expected a value, found '/' (comments are not allowed)"},
    {"form feed is not whitespace", IN("\f1"), CFC_JD_SYNTAX, 0, "",
     "expected a value, found control character U+000C"},
    {"NBSP is not whitespace",
     IN("\xC2\xA0"
        "1"),
     CFC_JD_SYNTAX, 0, "", "expected a value, found byte 0xC2"},
    {"nested pointer", IN("{\"a\":[0,{\"b\":x}]}"), CFC_JD_SYNTAX, 13, "/a/1/b",
     "expected a value after ':', found 'x'"},
    {"raw NUL outside string", IN("[1,\0]"), CFC_JD_NUL, 3, "/1",
     "expected a value after ',', found NUL byte"},
    {"trailing NUL", IN("{}\0"), CFC_JD_NUL, 2, "",
     "unexpected content after the JSON value: expected end of input, found NUL byte"},
    {"BOM twice", IN("\xEF\xBB\xBF\xEF\xBB\xBF{}"), CFC_JD_SYNTAX, 3, "",
     "expected a value, found byte 0xEF"},
};

ParameterizedTestParameters(json, fatal_errors)
{
    return index_params(COUNT(err_cases));
}

ParameterizedTest(size_t *i, json, fatal_errors)
{
    const err_case *c = &err_cases[*i];
    res r = parse(c->in, c->len);
    const cfc_jdiag *d;
    cr_expect_null(r.root, "%s: root must be NULL after a fatal error", c->name);
    cr_assert_geq(r.nd, 1, "%s: no diag", c->name);
    d = &r.d[r.nd - 1];
    cr_expect(d->fatal, "%s", c->name);
    cr_expect_eq(d->code, c->code, "%s: code %s", c->name, cfc_jdiag_code_name(d->code));
    cr_expect_eq(d->offset, c->off, "%s: offset %zu, want %zu", c->name, d->offset, c->off);
    cr_expect_str_eq(d->pointer, c->ptr, "%s: pointer", c->name);
    cr_expect_eq(d->pointer_len, strlen(c->ptr), "%s", c->name);
    cr_expect_str_eq(d->message, c->msg, "%s: message", c->name);
    for (size_t k = 0; k + 1 < r.nd; k++)
        cr_expect_not(r.d[k].fatal, "%s: only the last diag may be fatal", c->name);
}

/* ------------------------------------------------------------------------ */
/* Recoverable diagnostics                                                   */

typedef struct rec_case {
    const char *name;
    const char *in;
    size_t len;
    size_t nd;           /* number of diags */
    cfc_jdiag_code code; /* of the first */
    size_t off;          /* of the first */
    const char *ptr;     /* of the first */
    const char *msg;     /* of the first, exact */
    const char *dec;     /* decoded first string, or NULL to skip */
    size_t dec_len;
} rec_case;

#define DEC(s) s, sizeof(s) - 1
#define NODEC NULL, 0

static const rec_case rec_cases[] = {
    {"BOM", IN("\xEF\xBB\xBF{\"a\":\"b\"}"), 1, CFC_JD_BOM, 0, "",
     "UTF-8 byte order mark (EF BB BF) at the start: JSON texts must not begin with one", DEC("b")},
    {"raw NUL in string", IN("{\"k\":\"a\0b\"}"), 1, CFC_JD_NUL, 7, "/k",
     "raw NUL byte in string: must be escaped as \\u0000", DEC("a\0b")},
    {"raw tab in string", IN("[\"a\tb\"]"), 1, CFC_JD_CONTROL, 3, "/0",
     "raw control character U+0009 in string: must be escaped", DEC("a\tb")},
    {"raw newline in name", IN("{\"a\nb\":1}"), 1, CFC_JD_CONTROL, 3, "/a\nb",
     "raw control character U+000A in string: must be escaped", NODEC},
    {"overlong C0 AF", IN("[\"\xC0\xAF\"]"), 1, CFC_JD_UTF8, 2, "/0",
     "invalid UTF-8: byte 0xC0 starts an overlong encoding", DEC("\xEF\xBF\xBD\xEF\xBF\xBD")},
    {"overlong E0 80 80", IN("{\"k\":\"x\xE0\x80\x80y\"}"), 1, CFC_JD_UTF8, 7, "/k",
     "invalid UTF-8: bytes 0xE0 0x80 start an overlong encoding",
     DEC("x\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDy")},
    {"overlong F0 80", IN("\"\xF0\x80\x80\x80\""), 1, CFC_JD_UTF8, 1, "",
     "invalid UTF-8: bytes 0xF0 0x80 start an overlong encoding", NODEC},
    {"surrogate ED A0 80", IN("\"\xED\xA0\x80\""), 1, CFC_JD_UTF8, 1, "",
     "invalid UTF-8: bytes 0xED 0xA0 encode a UTF-16 surrogate (U+D800..U+DFFF)",
     DEC("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")},
    {"above U+10FFFF F4 90", IN("\"\xF4\x90\x80\x80\""), 1, CFC_JD_UTF8, 1, "",
     "invalid UTF-8: bytes 0xF4 0x90 start a code point above U+10FFFF",
     DEC("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD")},
    {"F5 lead", IN("\"\xF5\""), 1, CFC_JD_UTF8, 1, "",
     "invalid UTF-8: byte 0xF5 starts a code point above U+10FFFF", DEC("\xEF\xBF\xBD")},
    {"FF byte", IN("\"a\xFF\""), 1, CFC_JD_UTF8, 2, "",
     "invalid UTF-8: byte 0xFF never appears in UTF-8", DEC("a\xEF\xBF\xBD")},
    {"stray continuation", IN("\"\xC3\xA9\x80\""), 1, CFC_JD_UTF8, 3, "",
     "invalid UTF-8: unexpected continuation byte 0x80", DEC("\xC3\xA9\xEF\xBF\xBD")},
    {"truncated at end of string", IN("[\"ab\xE2\x82\"]"), 1, CFC_JD_UTF8, 4, "/0",
     "invalid UTF-8: truncated 3-byte sequence starting with 0xE2: expected a continuation byte, "
     "found '\"'",
     DEC("ab\xEF\xBF\xBD")},
    {"truncated before ASCII",
     IN("\"\xF0\x9F\x98"
        "A\""),
     1, CFC_JD_UTF8, 1, "",
     "invalid UTF-8: truncated 4-byte sequence starting with 0xF0: expected a continuation byte, "
     "found 'A'",
     DEC("\xEF\xBF\xBD"
         "A")},
    {"two separate runs",
     IN("\"\xFF"
        "a\xFF\""),
     2, CFC_JD_UTF8, 1, "", "invalid UTF-8: byte 0xFF never appears in UTF-8",
     DEC("\xEF\xBF\xBD"
         "a\xEF\xBF\xBD")},
    {"invalid UTF-8 in name", IN("{\"a/\xC0\":1}"), 1, CFC_JD_UTF8, 4, "/a~1\xEF\xBF\xBD",
     "invalid UTF-8: byte 0xC0 starts an overlong encoding", NODEC},
    {"lone high surrogate", IN("[\"x\\uD800\"]"), 1, CFC_JD_LONE_SURROGATE, 3, "/0",
     "lone surrogate \\uD800: expected a low surrogate escape \\uDC00..\\uDFFF after it",
     DEC("x\xEF\xBF\xBD")},
    {"lone low surrogate", IN("\"\\uDC00\""), 1, CFC_JD_LONE_SURROGATE, 1, "",
     "lone surrogate \\uDC00: low surrogate without a high surrogate \\uD800..\\uDBFF before it",
     DEC("\xEF\xBF\xBD")},
    {"high then non-surrogate", IN("\"\\uD800\\u0041\""), 1, CFC_JD_LONE_SURROGATE, 1, "",
     "lone surrogate \\uD800: expected a low surrogate escape \\uDC00..\\uDFFF after it",
     DEC("\xEF\xBF\xBD"
         "A")},
    {"two highs", IN("\"\\uD800\\uD800\\uDC00\""), 1, CFC_JD_LONE_SURROGATE, 1, "",
     "lone surrogate \\uD800: expected a low surrogate escape \\uDC00..\\uDFFF after it",
     DEC("\xEF\xBF\xBD\xF0\x90\x80\x80")},
    {"\\u0000", IN("{\"s\":\"a\\u0000b\"}"), 1, CFC_JD_NUL_ESCAPE, 7, "/s",
     "\\u0000 in string: valid JSON, but C consumers cut the string there", DEC("a\0b")},
    {"several kinds in order", IN("\xEF\xBB\xBF[\"\t\", \"\xC0\", \"\\uDC00\", \"\\u0000\"]"), 5,
     CFC_JD_BOM, 0, "",
     "UTF-8 byte order mark (EF BB BF) at the start: JSON texts must not begin with one",
     DEC("\t")},
};

ParameterizedTestParameters(json, recoverable)
{
    return index_params(COUNT(rec_cases));
}

ParameterizedTest(size_t *i, json, recoverable)
{
    const rec_case *c = &rec_cases[*i];
    res r = parse(c->in, c->len);
    cr_assert_not_null(r.root, "%s: recoverable diags must not stop the parse (%s)", c->name,
                       r.nd ? r.d[r.nd - 1].message : "");
    cr_assert_eq(r.nd, c->nd, "%s: %zu diags", c->name, r.nd);
    cr_expect_eq(r.d[0].code, c->code, "%s: code %s", c->name, cfc_jdiag_code_name(r.d[0].code));
    cr_expect_eq(r.d[0].offset, c->off, "%s: offset %zu", c->name, r.d[0].offset);
    cr_expect_str_eq(r.d[0].pointer, c->ptr, "%s: pointer", c->name);
    cr_expect_str_eq(r.d[0].message, c->msg, "%s: message", c->name);
    cr_expect_not(r.d[0].fatal, "%s", c->name);
    cr_expect_eq(r.dropped, 0);
    expect_sorted(&r);
    if (c->dec != NULL) {
        const cfc_jval *s = first_string(r.root);
        cr_assert_not_null(s, "%s", c->name);
        cr_assert_eq(s->u.str.len, c->dec_len, "%s: decoded len %zu", c->name, s->u.str.len);
        cr_expect_eq(memcmp(s->u.str.s, c->dec, c->dec_len), 0, "%s: decoded bytes", c->name);
        cr_expect_eq(s->u.str.s[s->u.str.len], '\0', "%s", c->name);
    }
}

Test(json, recoverable_then_fatal_keeps_order)
{
    static const char in[] = "[\"\xC0\t\", \"\\uD800\\q\"]";
    res r = parse(in, sizeof in - 1);
    cr_expect_null(r.root);
    cr_assert_eq(r.nd, 4);
    cr_expect_eq(r.d[0].code, CFC_JD_UTF8);
    cr_expect_eq(r.d[0].offset, 2);
    cr_expect_eq(r.d[1].code, CFC_JD_CONTROL);
    cr_expect_eq(r.d[1].offset, 3);
    cr_expect_eq(r.d[2].code, CFC_JD_LONE_SURROGATE);
    cr_expect_eq(r.d[2].offset, 8);
    cr_expect_str_eq(r.d[2].pointer, "/1");
    cr_expect_eq(r.d[3].code, CFC_JD_SYNTAX);
    cr_expect_eq(r.d[3].offset, 15);
    cr_expect(r.d[3].fatal);
}

Test(json, invalid_utf8_in_both_name_and_value)
{
    static const char in[] = "{\"\xFF\":\"\xFE\"}";
    res r = parse(in, sizeof in - 1);
    cr_assert_not_null(r.root);
    cr_assert_eq(r.nd, 2);
    cr_expect_eq(r.d[0].offset, 2);
    cr_expect_eq(r.d[1].offset, 6);
    cr_expect_str_eq(r.d[0].pointer, "/\xEF\xBF\xBD");
    cr_expect_str_eq(r.d[1].pointer, "/\xEF\xBF\xBD");
    cr_expect_str_eq(r.root->u.kids.first->key, "\xEF\xBF\xBD");
}

Test(json, fatal_diag_is_kept_past_max_diags)
{
    tbuf b = {0};
    cfc_jparse_opts o = {0, 10};
    res r;
    tb_puts(&b, "\"");
    tb_rep(&b, "\t", 25);
    tb_puts(&b, "\\x\"");
    r = parse_opts(b.p, b.n, &o);
    cr_expect_null(r.root);
    cr_assert_eq(r.nd, 11);
    cr_expect_eq(r.dropped, 15);
    cr_expect(r.d[10].fatal);
    cr_expect_eq(r.d[10].offset, 27);
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* Duplicate member names                                                    */

Test(json, duplicate_small_object)
{
    static const char in[] =
        "{\"agent_id\":\"a\",\"type\":\"t\",\"agent_id\":\"b\",\"Type\":1,\"agent_id\":\"c\"}";
    res r = parse(in, sizeof in - 1);
    cr_assert_not_null(r.root);
    cr_assert_eq(r.root->u.kids.count, 5, "duplicates are kept");
    cr_assert_eq(r.nd, 2);
    cr_expect_eq(r.d[0].code, CFC_JD_DUPLICATE_KEY);
    cr_expect_eq(r.d[0].offset, 27);
    cr_expect_str_eq(r.d[0].pointer, "/agent_id");
    cr_expect_str_eq(r.d[0].message, "duplicate member name \"agent_id\" (first at offset 1)");
    cr_expect_eq(r.d[1].offset, 51);
    cr_expect_str_eq(r.d[1].message, "duplicate member name \"agent_id\" (first at offset 1)");
}

Test(json, duplicate_compares_decoded_names)
{
    static const char in[] = "{\"a\":{\"b\":1,\"\\u0062\":2}, \"x/y\":0, \"x\\/y\":1}";
    res r = parse(in, sizeof in - 1);
    cr_assert_eq(r.nd, 2);
    cr_expect_str_eq(r.d[0].pointer, "/a/b");
    cr_expect_eq(r.d[0].offset, 12);
    cr_expect_str_eq(r.d[1].pointer, "/x~1y");
    cr_expect_str_eq(r.d[1].message, "duplicate member name \"x/y\" (first at offset 25)");
}

Test(json, duplicate_same_name_in_different_objects_is_fine)
{
    static const char in[] = "[{\"a\":1},{\"a\":2,\"b\":{\"a\":3}}]";
    res r = parse(in, sizeof in - 1);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.nd, 0);
}

Test(json, duplicate_names_with_nul_and_case)
{
    static const char in[] = "{\"a\\u0000b\":1,\"a\\u0000c\":2,\"A\":3,\"a\":4,\"a\\u0000b\":5}";
    res r = parse(in, sizeof in - 1);
    size_t i, dups = 0;
    for (i = 0; i < r.nd; i++)
        dups += r.d[i].code == CFC_JD_DUPLICATE_KEY;
    cr_expect_eq(dups, 1);
    cr_expect_eq(r.nd, 4); /* three \u0000 warnings and one duplicate */
}

Test(json, duplicate_message_shortens_long_names)
{
    tbuf b = {0};
    res r;
    tb_puts(&b, "{\"");
    tb_rep(&b, "k", 1000);
    tb_puts(&b, "\":1,\"");
    tb_rep(&b, "k", 1000);
    tb_puts(&b, "\":2}");
    r = parse(b.p, b.n);
    cr_assert_eq(r.nd, 1);
    cr_expect_lt(strlen(r.d[0].message), 200);
    cr_expect_not_null(strstr(r.d[0].message, "...\" (first at offset 1)"));
    cr_expect_eq(strlen(r.d[0].pointer), 1001);
    free(b.p);
}

/* Objects past the linear-scan size switch to the hash set: same answers. */
Test(json, duplicate_in_big_objects)
{
    tbuf b = {0};
    char k[64];
    size_t i;
    res r;
    tb_puts(&b, "{");
    for (i = 0; i < 5000; i++) {
        snprintf(k, sizeof k, "%s\"k%zu\":%zu", i ? "," : "", i, i);
        tb_puts(&b, k);
    }
    tb_puts(&b, ",\"k17\":0,\"k4999\":0,\"k0\":0,\"k17\":0,\"new\":0}");
    r = parse(b.p, b.n);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.root->u.kids.count, 5005);
    cr_assert_eq(r.nd, 4);
    cr_expect_str_eq(r.d[0].pointer, "/k17");
    cr_expect_not_null(strstr(r.d[0].message, "\"k17\" (first at offset "));
    cr_expect_str_eq(r.d[1].pointer, "/k4999");
    cr_expect_str_eq(r.d[2].message, "duplicate member name \"k0\" (first at offset 1)");
    cr_expect_str_eq(r.d[3].message, r.d[0].message);
    free(b.p);
}

Test(json, duplicate_flood_is_capped_and_linear)
{
    tbuf b = {0};
    res r;
    double t;
    tb_puts(&b, "{\"a\":0");
    tb_rep(&b, ",\"a\":0", 99999);
    tb_puts(&b, "}");
    double base = ordinary_per_byte();
    r = timed_parse(b.p, b.n, NULL, &t);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.root->u.kids.count, 100000);
    cr_expect_eq(r.nd, 100);
    cr_expect_eq(r.dropped, 99999 - 100);
    cr_expect_eq(r.d[0].offset, 7);
    cr_expect_eq(r.d[99].offset, 7 + 99 * 6);
    cr_expect_str_eq(r.d[99].message, "duplicate member name \"a\" (first at offset 1)");
    expect_linear(t, b.n, base, "100,000 duplicate keys");
    {
        cfc_jparse_opts o = {0, 1000000};
        r = parse_opts(b.p, b.n, &o);
        cr_expect_eq(r.nd, 99999);
        cr_expect_eq(r.dropped, 0);
        expect_sorted(&r);
    }
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* JSON Pointers                                                             */

/* Every C0 control byte raw inside a string is a diagnostic (0x1f as much
 * as 0x01), and DEL (0x7f) is not one: the exact edges of RFC 8259's
 * unescaped range. */
Test(json, every_raw_control_byte_in_a_string_is_reported)
{
    for (int b = 0; b <= 0x7f; b++) {
        char in[8] = {'[', '"', 'a', (char)b, 'z', '"', ']'};
        res r = parse(in, 7);
        bool control = b < 0x20;
        if (b == 0) {
            cr_expect_eq(r.nd, 1, "byte 0x00");
            cr_expect_eq(r.d[0].code, CFC_JD_NUL);
            continue;
        }
        if (b == '"' || b == '\\')
            continue; /* not string content here */
        cr_expect_eq(r.nd, control ? 1 : 0, "byte 0x%02x: %zu diagnostics", b, r.nd);
        if (control && r.nd == 1) {
            cr_expect_eq(r.d[0].code, CFC_JD_CONTROL, "byte 0x%02x", b);
            cr_expect_eq(r.d[0].offset, 3, "byte 0x%02x", b);
        }
    }
}

/* Only \uDC00..\uDFFF completes a high surrogate: \uE000, just above,
 * is a character of its own, and the high surrogate stays lone. */
Test(json, a_high_surrogate_pairs_only_with_a_low_one)
{
    static const struct {
        const char *in;
        size_t nd;
        const char *decoded;
    } cases[] = {
        {"\"\\uD800\\uDC00\"", 0, "\xF0\x90\x80\x80"},
        {"\"\\uDBFF\\uDFFF\"", 0, "\xF4\x8F\xBF\xBF"},
        {"\"\\uD800\\uE000\"", 1, "\xEF\xBF\xBD\xEE\x80\x80"},
        {"\"\\uD800\\uDBFF\"", 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},
        {"\"\\uD800\\uD7FF\"", 1, "\xEF\xBF\xBD\xED\x9F\xBF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        res r = parse(cases[i].in, strlen(cases[i].in));
        cr_expect_eq(r.nd, cases[i].nd, "%s: %zu diagnostics", cases[i].in, r.nd);
        for (size_t k = 0; k < r.nd; k++)
            cr_expect_eq(r.d[k].code, CFC_JD_LONE_SURROGATE, "%s", cases[i].in);
        cr_assert_not_null(r.root, "%s", cases[i].in);
        cr_expect_eq(r.root->u.str.len, strlen(cases[i].decoded), "%s", cases[i].in);
        cr_expect_eq(memcmp(r.root->u.str.s, cases[i].decoded, strlen(cases[i].decoded)), 0, "%s",
                     cases[i].in);
    }
}

Test(json, pointer_escaping_in_diags)
{
    static const char in[] = "{\"a/b\":{\"m~n\":[0,\"\\uDC00\"]}}";
    res r = parse(in, sizeof in - 1);
    cr_assert_eq(r.nd, 1);
    cr_expect_str_eq(r.d[0].pointer, "/a~1b/m~0n/1");
    cr_expect_eq(r.d[0].pointer_len, 12);
}

Test(json, pointer_escape_function)
{
    char out[16];
    cr_expect_eq(cfc_jpointer_escape(NULL, 0, "a/b", 3), 4);
    cr_expect_eq(cfc_jpointer_escape(out, sizeof out, "a/b", 3), 4);
    cr_expect_str_eq(out, "a~1b");
    cr_expect_eq(cfc_jpointer_escape(out, sizeof out, "m~n", 3), 4);
    cr_expect_str_eq(out, "m~0n");
    cr_expect_eq(cfc_jpointer_escape(out, sizeof out, "~1", 2), 3);
    cr_expect_str_eq(out, "~01");
    cr_expect_eq(cfc_jpointer_escape(out, sizeof out, "", 0), 0);
    cr_expect_str_eq(out, "");
    /* Truncation never leaves half an escape. */
    cr_expect_eq(cfc_jpointer_escape(out, 3, "a/b", 3), 4);
    cr_expect_str_eq(out, "a");
    cr_expect_eq(cfc_jpointer_escape(out, 4, "a/b", 3), 4);
    cr_expect_str_eq(out, "a~1");
    cr_expect_eq(cfc_jpointer_escape(out, 1, "abc", 3), 3);
    cr_expect_str_eq(out, "");
}

/* ------------------------------------------------------------------------ */
/* Depth                                                                     */

static void nest(tbuf *b, size_t n, int obj)
{
    size_t i;
    for (i = 0; i < n; i++)
        tb_puts(b, obj ? "{\"k\":" : "[");
    tb_puts(b, "1");
    for (i = 0; i < n; i++)
        tb_puts(b, obj ? "}" : "]");
}

Test(json, depth_64_ok_65_fails)
{
    tbuf b = {0};
    res r;
    nest(&b, 64, 0);
    r = parse(b.p, b.n);
    cr_expect_not_null(r.root);
    cr_expect_eq(r.nd, 0);
    b.n = 0;
    nest(&b, 65, 0);
    r = parse(b.p, b.n);
    cr_expect_null(r.root);
    cr_assert_eq(r.nd, 1);
    cr_expect_eq(r.d[0].code, CFC_JD_DEPTH);
    cr_expect_eq(r.d[0].offset, 64);
    cr_expect(r.d[0].fatal);
    cr_expect_str_eq(
        r.d[0].message,
        "nesting too deep: expected at most 64 levels of arrays and objects, found level 65");
    cr_expect_eq(strlen(r.d[0].pointer), 64 * 2); /* "/0" x 64 */
    b.n = 0;
    nest(&b, 65, 1);
    r = parse(b.p, b.n);
    cr_assert_eq(r.nd, 1);
    cr_expect_eq(r.d[0].code, CFC_JD_DEPTH);
    cr_expect_eq(r.d[0].offset, 64 * 5);
    free(b.p);
}

Test(json, depth_option)
{
    cfc_jparse_opts o = {1, 0};
    res r = parse_opts(IN("[1,{}]"), &o);
    cr_assert_eq(r.nd, 1);
    cr_expect_eq(r.d[0].code, CFC_JD_DEPTH);
    cr_expect_eq(r.d[0].offset, 3);
    cr_expect_str_eq(r.d[0].pointer, "/1");
    r = parse_opts(IN("[1,2]"), &o);
    cr_expect_eq(r.nd, 0);
    r = parse_opts(IN("\"scalars are depth 1\""), &o);
    cr_expect_eq(r.nd, 0);
}

Test(json, depth_10000_brackets_is_quick)
{
    tbuf b = {0};
    double t;
    res r;
    tb_rep(&b, "[", 10000);
    double base = ordinary_per_byte();
    r = timed_parse(b.p, b.n, NULL, &t);
    cr_expect_null(r.root);
    cr_assert_eq(r.nd, 1);
    cr_expect_eq(r.d[0].code, CFC_JD_DEPTH);
    cr_expect_eq(r.d[0].offset, 64);
    expect_linear(t, b.n, base, "10,000 brackets");
    free(b.p);
}

/* With the limit raised, deep input costs heap, not C stack. */
Test(json, deep_nesting_uses_no_recursion)
{
    tbuf b = {0};
    cfc_jparse_opts o = {4000000u, 0};
    res r;
    nest(&b, 500000, 0);
    r = parse_opts(b.p, b.n, &o);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.nd, 0);
    b.n = 0;
    tb_rep(&b, "{\"a\":[", 300000);
    r = parse_opts(b.p, b.n, &o);
    cr_expect_null(r.root);
    cr_assert_eq(r.nd, 1);
    cr_expect_eq(r.d[0].offset, b.n);
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* Size and time                                                             */

Test(json, object_with_100000_keys_is_fast)
{
    tbuf b = {0};
    char k[64];
    size_t i;
    double t;
    res r;
    tb_puts(&b, "{");
    for (i = 0; i < 100000; i++) {
        snprintf(k, sizeof k, "%s\"key_%zu\":%zu", i ? "," : "", i, i);
        tb_puts(&b, k);
    }
    tb_puts(&b, "}");
    double base = ordinary_per_byte();
    r = timed_parse(b.p, b.n, NULL, &t);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.nd, 0);
    cr_expect_eq(r.root->u.kids.count, 100000);
    expect_linear(t, b.n, base, "100,000 keys");
    cr_expect_eq(cfc_jobject_get(r.root, "key_99999")->u.num.i, 99999);
    free(b.p);
}

Test(json, megabyte_strings_of_escapes)
{
    tbuf b = {0};
    double t;
    res r;
    size_t i;
    tb_puts(&b, "[\"");
    tb_rep(&b, "\\n\\u00e9\\\"\\ud83d\\ude00", 1u << 16); /* ~1.4 MiB of escapes */
    tb_puts(&b, "\",\"");
    tb_rep(&b,
           "\xFF"
           "a",
           1u << 19); /* 1 MiB, invalid every other byte */
    tb_puts(&b, "\",\"");
    tb_rep(&b, "\xC0", 1u << 20); /* 1 MiB, one invalid run */
    tb_puts(&b, "\"]");
    double base = ordinary_per_byte();
    r = timed_parse(b.p, b.n, NULL, &t);
    expect_linear(t, b.n, base, "megabyte strings of escapes");
    cr_assert_not_null(r.root);
    {
        const cfc_jval *s1 = r.root->u.kids.first, *s2 = s1->next, *s3 = s2->next;
        cr_assert_eq(s1->u.str.len, (size_t)(1 + 2 + 1 + 4) << 16);
        for (i = 0; i < s1->u.str.len; i += 8)
            cr_assert_eq(memcmp(s1->u.str.s + i, "\n\xC3\xA9\"\xF0\x9F\x98\x80", 8), 0);
        cr_expect_eq(s2->u.str.len, (size_t)4 << 19);
        cr_expect_eq(s3->u.str.len, (size_t)3 << 20);
        cr_expect_eq(s3->u.str.s[s3->u.str.len], '\0');
    }
    cr_expect_eq(r.nd, 100);
    cr_expect_eq(r.dropped, (1u << 19) + 1 - 100);
    expect_sorted(&r);
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

typedef struct num_case {
    const char *in;
    size_t len;
    unsigned flags;
    int64_t i;
    double d;
} num_case;

#define F_I CFC_JNUM_INT64
#define F_N CFC_JNUM_NEGATIVE
#define F_F CFC_JNUM_FRACTION
#define F_E CFC_JNUM_EXPONENT

static const num_case num_cases[] = {
    {IN("0"), F_I, 0, 0.0},
    {IN("-0"), F_N | F_I, 0, -0.0},
    {IN("-0.0"), F_N | F_F, 0, -0.0},
    {IN("42"), F_I, 42, 42.0},
    {IN("9007199254740991"), F_I, 9007199254740991LL, 9007199254740991.0},
    {IN("9007199254740993"), F_I, 9007199254740993LL, 9007199254740992.0},
    {IN("-9007199254740993"), F_N | F_I, -9007199254740993LL, -9007199254740992.0},
    {IN("9223372036854775807"), F_I, INT64_MAX, 9223372036854775807.0},
    {IN("-9223372036854775808"), F_N | F_I, INT64_MIN, -9223372036854775808.0},
    {IN("9223372036854775808"), 0, 0, 9223372036854775808.0},
    {IN("-9223372036854775809"), F_N, 0, -9223372036854775808.0},
    {IN("18446744073709551616"), 0, 0, 18446744073709551616.0},
    {IN("99999999999999999999"), 0, 0, 1e20},
    {IN("1.0"), F_F, 0, 1.0},
    {IN("1e2"), F_E, 0, 100.0},
    {IN("42E-1"), F_E, 0, 4.2},
    {IN("0.1"), F_F, 0, 0.1},
    {IN("-123.456e+2"), F_N | F_F | F_E, 0, -12345.6},
    {IN("1e400"), F_E, 0, HUGE_VAL},
    {IN("-1e400"), F_N | F_E, 0, -HUGE_VAL},
    {IN("1e-400"), F_E, 0, 0.0},
    {IN("2.2250738585072011e-308"), F_F | F_E, 0, 2.2250738585072011e-308},
    {IN("4.9406564584124654e-324"), F_F | F_E, 0, 4.9406564584124654e-324},
    {IN("1.7976931348623157e308"), F_F | F_E, 0, 1.7976931348623157e308},
    {IN("0.000000000000000000000000000000000000001e39"), F_F | F_E, 0, 1.0},
};

ParameterizedTestParameters(json, numbers)
{
    return index_params(COUNT(num_cases));
}

ParameterizedTest(size_t *i, json, numbers)
{
    const num_case *c = &num_cases[*i];
    res r = parse(c->in, c->len);
    char *z;
    cr_assert_not_null(r.root, "%s", c->in);
    cr_assert_eq(r.root->type, CFC_J_NUMBER);
    cr_expect_eq(r.root->u.num.flags, c->flags, "%s: flags %u", c->in, r.root->u.num.flags);
    cr_expect_eq(r.root->u.num.i, c->i, "%s: i %lld", c->in, (long long)r.root->u.num.i);
    cr_expect_eq(r.root->u.num.d, c->d, "%s: d %.17g", c->in, r.root->u.num.d);
    cr_expect_eq(signbit(r.root->u.num.d) != 0, signbit(c->d) != 0, "%s: sign of d", c->in);
    /* d is what strtod makes of the raw text. */
    z = strndup(c->in + r.root->offset, r.root->end - r.root->offset);
    cr_assert_not_null(z);
    cr_expect_eq(r.root->u.num.d, strtod(z, NULL), "%s", c->in);
    free(z);
}

/* 1 + 2^-53 is exactly halfway between 1 and the next double: it rounds to
 * even (1.0), but any non-zero digit after it, however far, rounds up. The
 * parser keeps 800 digits; this puts the deciding digit at 1,060. */
Test(json, number_halfway_case_beyond_800_digits)
{
    static const char half[] = "1.00000000000000011102230246251565404236316680908203125";
    tbuf b = {0};
    res r;
    tb_puts(&b, half);
    tb_rep(&b, "0", 1000);
    r = parse(b.p, b.n);
    cr_assert_not_null(r.root);
    cr_expect_eq(r.root->u.num.d, 1.0);
    tb_puts(&b, "1");
    r = parse(b.p, b.n);
    cr_expect_eq(r.root->u.num.d, nextafter(1.0, 2.0));
    cr_expect_eq(r.root->u.num.d, strtod(b.p, NULL));
    free(b.p);
}

/* Pseudo-random literals of every shape, short and past the 800-digit cut:
 * d must be exactly what glibc's (correctly rounded) strtod gives. */
Test(json, numbers_match_strtod)
{
    tbuf b = {0};
    uint64_t s = 0x9E3779B97F4A7C15ull;
    size_t n, k;
    for (n = 0; n < 20000; n++) {
        size_t nint, nfrac;
        char tmp[32];
        res r;
#define NEXT() (s = s * 6364136223846793005ull + 1442695040888963407ull, (unsigned)(s >> 33))
        b.n = 0;
        if (NEXT() % 2)
            tb_puts(&b, "-");
        nint = NEXT() % 8 == 0 ? 700 + NEXT() % 300 : 1 + NEXT() % 25;
        nfrac = NEXT() % 3 == 0 ? 0 : NEXT() % 8 == 0 ? NEXT() % 900 + 1 : NEXT() % 25 + 1;
        if (NEXT() % 4 == 0) {
            tb_puts(&b, "0");
        } else {
            for (k = 0; k < nint; k++) {
                char c = (char)('0' + NEXT() % 10);
                if (k == 0 && c == '0')
                    c = '1';
                if (k > 20 && NEXT() % 3)
                    c = '0'; /* long zero runs make halfway-like cases */
                tb_put(&b, &c, 1);
            }
        }
        if (nfrac) {
            tb_puts(&b, ".");
            for (k = 0; k < nfrac; k++) {
                char c = (char)('0' + (NEXT() % 4 ? NEXT() % 10 : 0));
                tb_put(&b, &c, 1);
            }
        }
        if (NEXT() % 2) {
            snprintf(tmp, sizeof tmp, "e%d", (int)(NEXT() % 1400) - 700);
            tb_puts(&b, tmp);
        }
#undef NEXT
        r = parse(b.p, b.n);
        cr_assert_not_null(r.root, "%s", b.p);
        cr_assert_eq(r.root->u.num.d, strtod(b.p, NULL), "%.60s...: %.17g vs %.17g", b.p,
                     r.root->u.num.d, strtod(b.p, NULL));
    }
    free(b.p);
}

Test(json, numbers_with_100000_digits)
{
    tbuf b = {0};
    double t;
    res r;
    tb_puts(&b, "[");
    tb_rep(&b, "9", 100000); /* integer: overflows to +inf */
    tb_puts(&b, ",0.");
    tb_rep(&b, "0", 100000); /* 0.000...01 underflows to 0 */
    tb_puts(&b, "1,1.");
    tb_rep(&b, "0", 100000); /* 1.000...0 is exactly 1 */
    tb_puts(&b, ",1e");
    tb_rep(&b, "9", 100000); /* exponent with 100,000 digits */
    tb_puts(&b, ",-1e-");
    tb_rep(&b, "9", 100000);
    tb_puts(&b, ",");
    tb_rep(&b, "1", 100000);
    tb_puts(&b, "e-99990]");
    double base = ordinary_per_byte();
    r = timed_parse(b.p, b.n, NULL, &t);
    expect_linear(t, b.n, base, "numbers of 100,000 digits");
    cr_assert_not_null(r.root);
    cr_assert_eq(r.root->u.kids.count, 6);
    {
        const cfc_jval *v = r.root->u.kids.first;
        cr_expect_eq(v->u.num.d, HUGE_VAL);
        cr_expect_eq(v->u.num.flags, 0);
        v = v->next;
        cr_expect_eq(v->u.num.d, 0.0);
        v = v->next;
        cr_expect_eq(v->u.num.d, 1.0);
        v = v->next;
        cr_expect_eq(v->u.num.d, HUGE_VAL);
        v = v->next;
        cr_expect_eq(v->u.num.d, -0.0);
        cr_expect(signbit(v->u.num.d));
        v = v->next;
        cr_expect_eq(v->u.num.d, strtod("1111111111.111111111111111111111", NULL));
    }
    free(b.p);
}

/* ------------------------------------------------------------------------ */
/* Lookup, reuse, API edges                                                  */

Test(json, object_get_is_case_sensitive_and_returns_first)
{
    static const char in[] = "{\"Type\":1,\"type\":2,\"type\":3,\"a\\u0000b\":4}";
    res r = parse(in, sizeof in - 1);
    const cfc_jval *v;
    cr_assert_not_null(r.root);
    v = cfc_jobject_get(r.root, "type");
    cr_assert_not_null(v);
    cr_expect_eq(v->u.num.i, 2);
    cr_expect_eq(cfc_jobject_get(r.root, "Type")->u.num.i, 1);
    cr_expect_null(cfc_jobject_get(r.root, "TYPE"));
    cr_expect_null(cfc_jobject_get(r.root, "a"));
    cr_expect_eq(cfc_jobject_getn(r.root, "a\0b", 3)->u.num.i, 4);
    cr_expect_null(cfc_jobject_get(r.root->u.kids.first, "type"), "not an object");
    cr_expect_null(cfc_jobject_get(NULL, "type"));
    cr_expect_null(cfc_jobject_get(r.root, NULL));
}

Test(json, parser_reuse_across_1000_documents)
{
    static const char *const docs[] = {
        "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"backend-worker-001\"}",
        "{\"a\":1,\"a\":2}",
        "[1,2,",
        "\"\\u00e9\xC0\"",
        "{\"n\":-0.5e3, \"s\":\"plain\"}",
    };
    char want_first[5][128];
    size_t want_nd[5], i;
    for (i = 0; i < 5; i++) {
        res r = parse(docs[i], strlen(docs[i]));
        want_nd[i] = r.nd;
        snprintf(want_first[i], sizeof want_first[i], "%s", r.nd ? r.d[0].message : "");
    }
    for (i = 0; i < 1000; i++) {
        size_t k = i % 5;
        res r = parse(docs[k], strlen(docs[k]));
        cr_assert_eq(r.nd, want_nd[k], "doc %zu at round %zu", k, i);
        if (r.nd)
            cr_assert_str_eq(r.d[0].message, want_first[k]);
        if (k == 0) {
            cr_assert_str_eq(cfc_jobject_get(r.root, "agent_id")->u.str.s, "backend-worker-001");
            cr_assert_eq(cfc_jobject_get(r.root, "project_id")->u.num.i, 1);
        }
        if (k == 4)
            cr_assert_eq(cfc_jobject_get(r.root, "n")->u.num.d, -500.0);
    }
}

Test(json, api_edges)
{
    cfc_jval *root = (cfc_jval *)1;
    const cfc_jdiag *d = (const cfc_jdiag *)1;
    size_t nd = 7, dr = 7;
    cr_expect_eq(cfc_jparse(NULL, "1", 1, NULL, &root, &d, &nd, &dr), -2);
    cr_expect_null(root);
    cr_expect_null(d);
    cr_expect_eq(nd, 0);
    cr_expect_eq(dr, 0);
    cr_expect_eq(cfc_jparse(P, NULL, 1, NULL, &root, &d, &nd, &dr), -2);
    cr_expect_eq(cfc_jparse(P, NULL, 0, NULL, &root, &d, &nd, &dr), 0);
    cr_expect_null(root);
    cr_assert_eq(nd, 1);
    cr_expect_str_eq(d[0].message, "empty input: expected a JSON value");
    cr_expect_eq(cfc_jparse(P, "[1]", 3, NULL, NULL, NULL, NULL, NULL), 0);
    cfc_jparser_free(NULL);
    cr_expect_str_eq(cfc_jtype_name(CFC_J_OBJECT), "object");
    cr_expect_str_eq(cfc_jtype_name((cfc_jtype)99), "unknown");
    cr_expect_str_eq(cfc_jdiag_code_name(CFC_JD_DUPLICATE_KEY), "duplicate-key");
    cr_expect_str_eq(cfc_jdiag_code_name(CFC_JD_SYNTAX), "syntax");
    /* Not NUL-terminated: only len bytes are read. */
    cr_expect_eq(cfc_jparse(P, "123456", 3, NULL, &root, &d, &nd, &dr), 0);
    cr_assert_not_null(root);
    cr_expect_eq(root->u.num.i, 123);
    cr_expect_eq(cfc_jparse(P, "\"abc\"", 4, NULL, &root, &d, &nd, &dr), 0);
    cr_expect_null(root);
    cr_expect_eq(d[0].offset, 4);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure                                                        */

typedef struct talloc {
    size_t calls;
    size_t fail_at; /* 0 = never */
    long live;
} talloc;

static void *t_malloc(void *ctx, size_t n)
{
    talloc *a = ctx;
    void *p;
    if (++a->calls == a->fail_at)
        return NULL;
    p = malloc(n);
    if (p != NULL)
        a->live++;
    return p;
}

static void *t_realloc(void *ctx, void *ptr, size_t n)
{
    talloc *a = ctx;
    void *p;
    if (++a->calls == a->fail_at)
        return NULL;
    p = realloc(ptr, n);
    if (p != NULL && ptr == NULL)
        a->live++;
    return p;
}

static void t_free(void *ctx, void *ptr)
{
    talloc *a = ctx;
    if (ptr != NULL)
        a->live--;
    free(ptr);
}

/* Fails the 1st, 2nd, 3rd... allocation until a parse needs no more: each
 * failure must return -1, leak nothing, and leave the parser usable. */
static void alloc_failure_sweep(const char *in, size_t len, const cfc_jparse_opts *o)
{
    talloc a = {0, 0, 0};
    cfc_jalloc al = {t_malloc, t_realloc, t_free, &a};
    cfc_jparser *p;
    cfc_jval *root;
    const cfc_jdiag *d;
    size_t nd, dr, want_nd, want_dr, n;
    bool want_root;

    p = cfc_jparser_new_with_alloc(&al);
    cr_assert_not_null(p);
    cr_assert_eq(cfc_jparse(p, in, len, o, &root, &d, &nd, &dr), 0);
    want_root = root != NULL;
    want_nd = nd;
    want_dr = dr;
    cfc_jparser_free(p);
    cr_assert_eq(a.live, 0);

    for (n = 1;; n++) {
        int rc;
        a.calls = 0;
        a.fail_at = n;
        p = cfc_jparser_new_with_alloc(&al);
        if (p == NULL) {
            cr_assert_eq(a.live, 0);
            continue;
        }
        rc = cfc_jparse(p, in, len, o, &root, &d, &nd, &dr);
        if (a.calls < n) { /* nothing failed: the sweep is done */
            cr_assert_eq(rc, 0);
            cfc_jparser_free(p);
            cr_assert_eq(a.live, 0);
            break;
        }
        cr_assert_eq(rc, -1, "allocation %zu failed but parse returned %d", n, rc);
        cr_expect_null(root);
        cr_expect_null(d);
        cr_expect_eq(nd, 0);
        a.fail_at = 0;
        rc = cfc_jparse(p, in, len, o, &root, &d, &nd, &dr);
        cr_assert_eq(rc, 0, "parser unusable after failing allocation %zu", n);
        cr_assert_eq(root != NULL, want_root);
        cr_assert_eq(nd, want_nd);
        cr_assert_eq(dr, want_dr);
        cfc_jparser_free(p);
        cr_assert_eq(a.live, 0, "leak after failing allocation %zu", n);
    }
}

Test(json, allocation_failures_small_documents)
{
    cfc_jparse_opts o = {0, 3};
    alloc_failure_sweep(IN("{\"type\":\"x\",\"a\":[1,2.5,\"\\u00e9\"],\"a\":null}"), NULL);
    alloc_failure_sweep(
        IN("\xEF\xBB\xBF[\"\xC0\",\"\\uD800\",\"\t\",\"\\u0000\",{\"k\":1,\"k\":2}]"), &o);
    alloc_failure_sweep(IN("[1,2,"), NULL);
    alloc_failure_sweep(IN("\"\xFF\xFF\xFF\""), NULL); /* string outgrows its source */
    alloc_failure_sweep(IN("1.00000000000000000000000000001"), NULL);
}

Test(json, allocation_failures_big_documents)
{
    tbuf b = {0};
    char k[32];
    size_t i;
    tb_puts(&b, "{");
    for (i = 0; i < 3000; i++) {
        snprintf(k, sizeof k, "%s\"k%zu\":[%zu]", i ? "," : "", i % 2000, i);
        tb_puts(&b, k);
    }
    tb_puts(&b, ",\"s\":\"");
    tb_rep(&b, "\xC0", 40000);
    tb_puts(&b, "\"}");
    alloc_failure_sweep(b.p, b.n, NULL);
    b.n = 0;
    nest(&b, 200, 0);
    {
        cfc_jparse_opts o = {1000, 0};
        alloc_failure_sweep(b.p, b.n, &o);
    }
    free(b.p);
}

/* Parsing similar documents again must not allocate at all. */
Test(json, steady_state_does_not_allocate)
{
    static const char doc[] =
        "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":7,\"agent_id\":\"w\\u00e9\","
        "\"task_title\":\"caf\xC3\xA9\",\"x\":\"\xC0\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}";
    talloc a = {0, 0, 0};
    cfc_jalloc al = {t_malloc, t_realloc, t_free, &a};
    cfc_jparser *p = cfc_jparser_new_with_alloc(&al);
    cfc_jval *root;
    size_t warm, i;
    cr_assert_not_null(p);
    cr_assert_eq(cfc_jparse(p, doc, sizeof doc - 1, NULL, &root, NULL, NULL, NULL), 0);
    cr_assert_not_null(root);
    warm = a.calls;
    for (i = 0; i < 100; i++)
        cr_assert_eq(cfc_jparse(p, doc, sizeof doc - 1, NULL, &root, NULL, NULL, NULL), 0);
    cr_expect_eq(a.calls, warm, "%zu allocations in steady state", a.calls - warm);
    cfc_jparser_free(p);
    cr_expect_eq(a.live, 0);
}
