/* SPDX-License-Identifier: MIT */
/*
 * A failure's signature from a decoder's stderr (fuzz_exec_sig.h). The
 * readers below try the report formats from the most specific to the
 * least; each one leaves *out alone and returns false when the text is not
 * its format.
 */
#include "fuzz_exec_sig.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

typedef struct span {
    const char *s;
    size_t n;
} span;

/* The line at t[*at, len) without its '\n' (and '\r'); *at moves past it.
 * False at the end. */
static bool next_line(const char *t, size_t len, size_t *at, span *line)
{
    if (*at >= len)
        return false;
    size_t e = *at;
    while (e < len && t[e] != '\n')
        e++;
    line->s = t + *at;
    line->n = e - *at;
    if (line->n && line->s[line->n - 1] == '\r')
        line->n--;
    *at = e < len ? e + 1 : len;
    return true;
}

static span ltrim(span l)
{
    while (l.n && (*l.s == ' ' || *l.s == '\t')) {
        l.s++;
        l.n--;
    }
    return l;
}

static bool blank(span l)
{
    return ltrim(l).n == 0;
}

static bool starts(span l, const char *prefix)
{
    size_t p = strlen(prefix);
    return l.n >= p && memcmp(l.s, prefix, p) == 0;
}

/* Offset of needle in l, or -1. */
static long find(span l, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k && i + k <= l.n; i++) {
        if (memcmp(l.s + i, needle, k) == 0)
            return (long)i;
    }
    return -1;
}

static span sub(span l, size_t from, size_t to)
{
    if (to > l.n)
        to = l.n;
    if (from > to)
        from = to;
    return (span){l.s + from, to - from};
}

/* Copies a span as printable ASCII (anything else becomes '?'), cut to cap. */
static void put(char *out, size_t cap, span l)
{
    size_t o = 0;
    for (size_t i = 0; i < l.n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)l.s[i];
        out[o++] = c >= 0x20 && c < 0x7F ? (char)c : c == '\t' ? ' ' : '?';
    }
    out[o] = '\0';
}

/* out = the strings given, up to a NULL, cut to cap (a cut is expected:
 * these are one-line summaries). */
static void join(char *out, size_t cap, ...)
{
    va_list ap;
    va_start(ap, cap);
    size_t o = 0;
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;) {
        for (; *s && o + 1 < cap; s++)
            out[o++] = *s;
    }
    va_end(ap);
    out[o] = '\0';
}

/* "where (func)", or "where" when there is no function name. */
static void frame_text(char *out, size_t cap, const char *where, const char *func)
{
    join(out, cap, where, func[0] ? " (" : "", func, func[0] ? ")" : "", (const char *)NULL);
}

static span cstr(const char *s)
{
    return (span){s, strlen(s)};
}

/* key = kind "@" where; or, with no where, kind ":" the headline without
 * its digits (PIDs, addresses, counts from the input). */
static void make_key(fx_signature *out, span where)
{
    if (where.n) {
        char w[200];
        put(w, sizeof w, where);
        join(out->key, sizeof out->key, out->kind, "@", w, (const char *)NULL);
        return;
    }
    join(out->key, sizeof out->key, out->kind, ":", (const char *)NULL);
    size_t o = strlen(out->key);
    for (const char *c = out->headline; *c && o + 1 < sizeof out->key; c++) {
        if (*c < '0' || *c > '9')
            out->key[o++] = *c;
    }
    out->key[o] = '\0';
}

/* The kind of an exception line: up to its first ':' ("TypeError",
 * "json.decoder.JSONDecodeError"), or the whole line ("StopIteration"). */
static void kind_of(fx_signature *out, span headline)
{
    long c = find(headline, ":");
    put(out->kind, sizeof out->kind, c >= 0 ? sub(headline, 0, (size_t)c) : headline);
}

/* ---- sanitizers -------------------------------------------------------------- */

/* A frame of the sanitizer's runtime, libc or the C++ runtime: not where
 * the bug is. */
static bool runtime_frame(span func, span loc)
{
    static const char *const locs[] = {"sanitizer", "libasan",   "libubsan",    "liblsan",
                                       "libtsan",   "libmsan",   "compiler-rt", "libc.so",
                                       "libc-",     "libstdc++", "libclang_rt", "sysdeps/"};
    for (size_t i = 0; i < sizeof locs / sizeof locs[0]; i++) {
        if (find(loc, locs[i]) >= 0)
            return true;
    }
    return starts(func, "__") || starts(func, "___interceptor");
}

/* "#3 0x55d5c8a4b1c9 in main /tmp/x.c:5:12": the function and location. */
static bool stack_frame(span l, span *func, span *loc)
{
    l = ltrim(l);
    if (!starts(l, "#") || l.n < 2 || l.s[1] < '0' || l.s[1] > '9')
        return false;
    long sp = find(l, " ");
    if (sp < 0)
        return false;
    span rest = ltrim(sub(l, (size_t)sp, l.n)); /* "0x... in f loc" */
    long sp2 = find(rest, " ");
    rest = sp2 >= 0 ? ltrim(sub(rest, (size_t)sp2, rest.n)) : sub(rest, rest.n, rest.n);
    *func = sub(rest, 0, 0);
    if (starts(rest, "in ")) {
        rest = sub(rest, 3, rest.n);
        long sp3 = find(rest, " ");
        *func = sp3 >= 0 ? sub(rest, 0, (size_t)sp3) : rest;
        rest = sp3 >= 0 ? ltrim(sub(rest, (size_t)sp3, rest.n)) : sub(rest, rest.n, rest.n);
    }
    *loc = rest;
    return func->n || loc->n;
}

static bool sanitizer(const char *t, size_t len, fx_signature *out)
{
    span line, summary = {NULL, 0}, ub = {NULL, 0};
    size_t summary_end = 0, report_start = 0, last_error = 0;
    for (size_t at = 0; next_line(t, len, &at, &line);) {
        span l = ltrim(line);
        if (starts(l, "SUMMARY: ") && find(l, "Sanitizer") >= 0) {
            summary = l; /* the last report, from its "==ERROR:" line */
            summary_end = at;
            report_start = last_error;
        } else if (find(l, "ERROR: ") >= 0 && find(l, "Sanitizer") >= 0) {
            last_error = (size_t)(line.s - t);
        } else if (ub.s == NULL && find(l, ": runtime error: ") >= 0) {
            ub = l;
        }
    }
    if (summary.s) {
        put(out->headline, sizeof out->headline, summary);
        /* "SUMMARY: AddressSanitizer: heap-buffer-overflow /x.c:5:12 in main" */
        span rest = sub(summary, (size_t)find(summary, "Sanitizer: ") + 11, summary.n);
        long sp = find(rest, " ");
        span kind = sp >= 0 ? sub(rest, 0, (size_t)sp) : rest;
        if (kind.n && kind.s[0] >= '0' && kind.s[0] <= '9')
            kind = cstr("leak"); /* "48 byte(s) leaked in 1 allocation(s)." */
        put(out->kind, sizeof out->kind, kind);
        span func, loc;
        for (size_t at = report_start; at < summary_end && next_line(t, summary_end, &at, &line);) {
            if (stack_frame(line, &func, &loc) && !runtime_frame(func, loc)) {
                char f[120], w[160];
                put(f, sizeof f, func);
                put(w, sizeof w, loc);
                frame_text(out->frame, sizeof out->frame, w, f);
                make_key(out, loc);
                return true;
            }
        }
        span where = sp >= 0 ? ltrim(sub(rest, (size_t)sp, rest.n)) : sub(rest, rest.n, rest.n);
        if (kind.s == rest.s) /* not a leak: its location is in the line */
            put(out->frame, sizeof out->frame, where);
        make_key(out, kind.s == rest.s ? where : sub(where, 0, 0));
        return true;
    }
    if (ub.s) { /* "x.c:3:5: runtime error: signed integer overflow: ..." */
        put(out->headline, sizeof out->headline, ub);
        put(out->kind, sizeof out->kind, cstr("runtime error"));
        span where = sub(ub, 0, (size_t)find(ub, ": runtime error: "));
        put(out->frame, sizeof out->frame, where);
        make_key(out, where);
        return true;
    }
    return false;
}

/* ---- Python ------------------------------------------------------------------ */

/* The standard library and installed packages: not the decoder's code. */
static bool python_library(span path)
{
    return find(path, "/lib/python") >= 0 || find(path, "site-packages") >= 0 ||
           find(path, "dist-packages") >= 0 || starts(path, "<frozen");
}

static bool python(const char *t, size_t len, fx_signature *out)
{
    span line;
    size_t tb = len + 1;
    for (size_t at = 0; next_line(t, len, &at, &line);) {
        if (starts(line, "Traceback (most recent call last):"))
            tb = at; /* the last traceback: a chained exception ends the report */
    }
    if (tb > len)
        return false;
    span user_path = {NULL, 0}, user_func = {NULL, 0}, any_path = {NULL, 0}, any_func = {NULL, 0};
    span user_line = {NULL, 0}, any_line = {NULL, 0};
    for (size_t at = tb; next_line(t, len, &at, &line);) {
        if (blank(line))
            continue;
        if (line.s[0] == ' ' || line.s[0] == '\t') {
            /* '  File "/x/decoder.py", line 18, in blockers' */
            span l = ltrim(line);
            if (!starts(l, "File \""))
                continue;
            span rest = sub(l, 6, l.n);
            long q = find(rest, "\"");
            if (q < 0)
                continue;
            span path = sub(rest, 0, (size_t)q);
            rest = sub(rest, (size_t)q + 1, rest.n);
            long ln = find(rest, ", line ");
            long in = find(rest, ", in ");
            span num = ln >= 0 ? sub(rest, (size_t)ln + 7, in > ln ? (size_t)in : rest.n)
                               : sub(rest, 0, 0);
            span func = in >= 0 ? sub(rest, (size_t)in + 5, rest.n) : sub(rest, 0, 0);
            any_path = path, any_func = func, any_line = num;
            if (!python_library(path))
                user_path = path, user_func = func, user_line = num;
            continue;
        }
        /* The exception line: "IndexError: list assignment index out of range". */
        put(out->headline, sizeof out->headline, line);
        kind_of(out, line);
        if (user_path.s == NULL)
            user_path = any_path, user_func = any_func, user_line = any_line;
        if (user_path.s) {
            char p[140], n[16], f[40], where[160];
            put(p, sizeof p, user_path);
            put(n, sizeof n, user_line);
            put(f, sizeof f, user_func);
            join(where, sizeof where, p, ":", n, (const char *)NULL);
            join(out->frame, sizeof out->frame, where, " (in ", f, ")", (const char *)NULL);
            make_key(out, cstr(where));
        } else {
            make_key(out, sub(line, 0, 0));
        }
        return true;
    }
    return false;
}

/* ---- Node, and any trace of "at" frames (Java, Deno, Bun) ---------------------------- */

/* "Name: message" or "Name" where Name looks like an exception's type. */
static bool exception_line(span l)
{
    size_t i = 0;
    while (i < l.n &&
           (l.s[i] == '_' || l.s[i] == '$' || l.s[i] == '.' || (l.s[i] >= 'a' && l.s[i] <= 'z') ||
            (l.s[i] >= 'A' && l.s[i] <= 'Z') || (l.s[i] >= '0' && l.s[i] <= '9')))
        i++;
    span name = sub(l, 0, i);
    return i > 0 && (i == l.n || l.s[i] == ':') &&
           (find(name, "Error") >= 0 || find(name, "Exception") >= 0);
}

/* "at f (/x/decoder.js:12:5)", "at /x/decoder.js:12:5", "at pkg.C.m(C.java:3)". */
static void at_frame(span l, span *func, span *loc)
{
    l = ltrim(sub(ltrim(l), 3, l.n)); /* past "at " */
    if (l.n && l.s[l.n - 1] == ')') {
        long open = -1;
        for (size_t i = l.n; i-- > 0;) {
            if (l.s[i] == '(') {
                open = (long)i;
                break;
            }
        }
        if (open >= 0) {
            *func = sub(l, 0, (size_t)open);
            while (func->n && func->s[func->n - 1] == ' ')
                func->n--;
            *loc = sub(l, (size_t)open + 1, l.n - 1);
            return;
        }
    }
    *func = sub(l, 0, 0);
    *loc = l;
}

/* A location in the decoder's own code: a file with a line number, not
 * Node's internals or a dependency. */
static bool own_location(span loc)
{
    long c = find(loc, ":");
    bool has_line = false;
    for (long i = c; i >= 0 && (size_t)i + 1 < loc.n; i++) {
        if (loc.s[i] == ':' && loc.s[i + 1] >= '0' && loc.s[i + 1] <= '9')
            has_line = true;
    }
    return has_line && !starts(loc, "node:") && find(loc, "node_modules") < 0 &&
           !starts(loc, "<anonymous>") && !starts(loc, "internal/");
}

static bool at_trace(const char *t, size_t len, fx_signature *out)
{
    /* The lines of the current paragraph, to walk back from the first frame. */
    enum { KEEP = 32 };
    span para[KEEP], line;
    size_t np = 0;
    for (size_t at = 0; next_line(t, len, &at, &line);) {
        bool frame =
            line.n && (line.s[0] == ' ' || line.s[0] == '\t') && starts(ltrim(line), "at ");
        if (!frame) {
            if (blank(line))
                np = 0;
            else if (np < KEEP)
                para[np++] = line;
            else {
                memmove(para, para + 1, (KEEP - 1) * sizeof para[0]);
                para[KEEP - 1] = line;
            }
            continue;
        }
        if (np == 0)
            return false; /* frames with no exception line before them */
        span headline = para[np - 1];
        for (size_t i = 0; i < np; i++) {
            if (exception_line(ltrim(para[i]))) {
                headline = ltrim(para[i]);
                break;
            }
        }
        put(out->headline, sizeof out->headline, headline);
        kind_of(out, headline);
        /* The innermost frame of the decoder's own code. */
        span func, loc, first_func = {NULL, 0}, first_loc = {NULL, 0};
        for (size_t fat = (size_t)(line.s - t); next_line(t, len, &fat, &line);) {
            if (!(line.n && (line.s[0] == ' ' || line.s[0] == '\t') && starts(ltrim(line), "at ")))
                break;
            at_frame(line, &func, &loc);
            if (first_loc.s == NULL)
                first_func = func, first_loc = loc;
            if (own_location(loc)) {
                first_func = func, first_loc = loc;
                break;
            }
        }
        char f[80], w[160];
        put(f, sizeof f, first_func);
        put(w, sizeof w, first_loc);
        frame_text(out->frame, sizeof out->frame, w, f);
        make_key(out, first_loc);
        return true;
    }
    return false;
}

/* ---- Go and Rust panics ---------------------------------------------------------------- */

static bool go_panic(const char *t, size_t len, fx_signature *out)
{
    span line, head = {NULL, 0};
    size_t at = 0;
    while (next_line(t, len, &at, &line)) {
        if (starts(line, "panic: ") || starts(line, "fatal error: ")) {
            head = line;
            break;
        }
    }
    if (head.s == NULL)
        return false;
    put(out->headline, sizeof out->headline, head);
    put(out->kind, sizeof out->kind, cstr(starts(head, "panic: ") ? "panic" : "fatal error"));
    /* "goroutine 1 [running]:" then pairs: "main.decode(...)", "\t/x/main.go:12 +0x1d". */
    span func = {NULL, 0};
    bool in_stack = false;
    while (next_line(t, len, &at, &line)) {
        if (starts(line, "goroutine ")) {
            in_stack = true;
            continue;
        }
        if (!in_stack || blank(line))
            continue;
        if (line.s[0] != '\t') {
            func = line;
            continue;
        }
        span loc = ltrim(line);
        long plus = find(loc, " +0x");
        if (plus >= 0)
            loc = sub(loc, 0, (size_t)plus);
        if (func.s && (starts(func, "panic(") || starts(func, "runtime.")))
            continue;
        if (find(loc, "/src/runtime/") >= 0)
            continue;
        char f[80], w[160];
        long paren = func.s ? find(func, "(") : -1;
        put(f, sizeof f, func.s ? sub(func, 0, paren >= 0 ? (size_t)paren : func.n) : loc);
        put(w, sizeof w, loc);
        frame_text(out->frame, sizeof out->frame, w, f);
        make_key(out, loc);
        return true;
    }
    make_key(out, sub(head, 0, 0));
    return true;
}

static bool rust_panic(const char *t, size_t len, fx_signature *out)
{
    span line;
    for (size_t at = 0; next_line(t, len, &at, &line);) {
        long p = find(line, "panicked at ");
        if (p < 0)
            continue;
        span rest = sub(line, (size_t)p + 12, line.n);
        span loc;
        if (rest.n && rest.s[0] == '\'') { /* before Rust 1.73: at 'message', src/x.rs:3:5 */
            long c = find(rest, "', ");
            loc = c >= 0 ? sub(rest, (size_t)c + 3, rest.n) : sub(rest, 0, 0);
            put(out->headline, sizeof out->headline, line);
        } else { /* at src/x.rs:3:5:\nmessage */
            loc = rest;
            if (loc.n && loc.s[loc.n - 1] == ':')
                loc.n--;
            span msg;
            char head[200];
            put(head, sizeof head, line);
            if (next_line(t, len, &at, &msg)) {
                char m[120];
                put(m, sizeof m, msg);
                join(out->headline, sizeof out->headline, head, " ", m, (const char *)NULL);
            } else {
                join(out->headline, sizeof out->headline, head, (const char *)NULL);
            }
        }
        put(out->kind, sizeof out->kind, cstr("panic"));
        put(out->frame, sizeof out->frame, loc);
        make_key(out, loc);
        return true;
    }
    return false;
}

/* ---- otherwise ------------------------------------------------------------------------- */

/* The last line that says something ("Node.js v20.11.0" does not), its
 * digits left out up to its first ':' for the key, as before. */
static void last_line(const char *t, size_t len, fx_signature *out)
{
    span line, last = {NULL, 0};
    for (size_t at = 0; next_line(t, len, &at, &line);) {
        if (!blank(line) && !starts(line, "Node.js v"))
            last = ltrim(line);
    }
    if (last.s == NULL)
        return;
    put(out->headline, sizeof out->headline, last);
    long c = find(last, ":");
    char k[64];
    put(k, sizeof k, c >= 0 ? sub(last, 0, (size_t)c) : last);
    size_t o = 0;
    for (const char *s = k; *s && o + 1 < sizeof out->key; s++) {
        if (*s < '0' || *s > '9')
            out->key[o++] = *s;
    }
    out->key[o] = '\0';
}

void fx_signature_of(const char *text, size_t len, fx_signature *out)
{
    memset(out, 0, sizeof *out);
    if (text == NULL || len == 0)
        return;
    if (sanitizer(text, len, out) || python(text, len, out) || at_trace(text, len, out) ||
        go_panic(text, len, out) || rust_panic(text, len, out))
        return;
    memset(out, 0, sizeof *out);
    last_line(text, len, out);
}
