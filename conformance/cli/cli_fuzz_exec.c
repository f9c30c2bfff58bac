/* SPDX-License-Identifier: MIT */
/*
 * cfconform fuzz-exec: a black-box fuzzer for event decoders in any
 * language -- those that cannot link libFuzzer (Node, Python, Go, a shell
 * pipeline).
 *
 *   cfconform fuzz-exec [OPTIONS] -- COMMAND [ARGS...]
 *
 * Inputs are generated events (cfc/generate.h: valid ones covering the
 * contract, invalid ones breaking one rule each), many of them then put
 * through the contract-aware mutator (fuzz/mutator). By default COMMAND runs
 * once and gets them on stdin, one per line, and must answer each with one
 * line on stdout (any text: "ok", the decoded type, ...): that is how a hang
 * is told from slowness and a crash is tied to its input. With --per-input,
 * each input gets a process of its own, stdin closed after it; no answer
 * needed.
 *
 * A failure is: death by a signal, an exit status not allowed (--ok-exit;
 * while streaming, any exit before the end of input), the crash pattern on
 * stderr, no answer within --timeout (a hang), or resident memory over
 * --rss-limit-mb. Failures are told apart by their signature
 * (fuzz_exec_sig.h: the exception line and the innermost frame of the
 * decoder's own code, a sanitizer's summary). Each distinct failure is
 * minimised while it still fails the same way -- its event's nesting depth,
 * members, values, \u escapes and bytes; a streaming failure that needs
 * the inputs before it, their lines -- and saved with a script that
 * replays it.
 *
 * Before fuzzing, preflight() gives COMMAND one conforming event: a command
 * that does not start or fails on it could not run; one that reads nothing
 * or buffers its answers gets a warning.
 *
 * Exit codes: 0 no failure, 1 failures found, 2 could not run (usage, the
 * output directory cannot be written -- checked at the start --, the
 * command does not start or fails on a conforming event).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cfc/check.h"
#include "cfc/generate.h"
#include "cfc_mutator.h"
#include "cli.h"
#include "fuzz_exec_proc.h"
#include "json.h"

#define DEFAULT_PATTERN                                                                            \
    "AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error: |"                   \
    "Traceback \\(most recent call last\\)|^panic: |^fatal error: |FATAL ERROR|"                   \
    "Segmentation fault|core dumped"
#define CONTEXT 64 /* inputs kept for a streaming failure that needs its past */
#define MAX_FAILURES_KEPT 64

typedef enum fx_opt {
    X_RUNS,
    X_MAX_TIME,
    X_SEED,
    X_PER_INPUT,
    X_TIMEOUT,
    X_RSS,
    X_PATTERN,
    X_OK_EXIT,
    X_MIX,
    X_MUTATE,
    X_MAX_LEN,
    X_OUT,
    X_MAX_FAILURES,
    X_MINIMIZE_RUNS,
    X_QUIET,
    X_HELP
} fx_opt;

static const struct fx_option {
    fx_opt id;
    const char *name;
    const char *arg;
    const char *help;
} fx_options[] = {
    {X_RUNS, "--runs", "N", "inputs to try (default 10000)"},
    {X_MAX_TIME, "--max-time", "S", "stop after S seconds (default 60)"},
    {X_SEED, "--seed", "S", "seed of the generator and the mutator (default 1)"},
    {X_PER_INPUT, "--per-input", NULL,
     "one process per input (default: one process, one line per input, one answer line each)"},
    {X_TIMEOUT, "--timeout", "MS",
     "a hang: no answer (or no exit, per input) within MS ms (default 2000)"},
    {X_RSS, "--rss-limit-mb", "N", "a failure: resident memory above N MiB (default 2048)"},
    {X_PATTERN, "--crash-pattern", "RE",
     "a failure: a stderr line matching RE (POSIX extended; default: sanitizer reports, Python "
     "tracebacks, Go panics, Node fatal errors; '' for none)"},
    {X_OK_EXIT, "--ok-exit", "LIST", "exit statuses that are not failures, e.g. 0,1 (default 0)"},
    {X_MIX, "--mix", "P", "fraction of generated events that break a rule (default 0.5)"},
    {X_MUTATE, "--mutate", "P",
     "fraction of inputs put through the contract-aware mutator (default 0.5)"},
    {X_MAX_LEN, "--max-len", "N", "largest input in bytes (default 65536)"},
    {X_OUT, "--out", "DIR",
     "where reproducers go (default fuzz-exec-out; made and tried at the start)"},
    {X_MAX_FAILURES, "--max-failures", "N", "stop after N distinct failures (default 10)"},
    {X_MINIMIZE_RUNS, "--minimize-runs", "N",
     "processes one failure's minimisation may start (default 300)"},
    {X_QUIET, "--quiet", NULL, "no progress lines on stderr"},
    {X_HELP, "--help", NULL, "show this help"},
};
#define N_FX_OPTIONS (sizeof fx_options / sizeof fx_options[0])

static void fx_usage(FILE *f)
{
    fputs("usage: cfconform fuzz-exec [OPTIONS] -- COMMAND [ARGS...]\n\n"
          "Fuzzes a decoder in any language: generated and mutated events on its stdin.\n"
          "By default COMMAND keeps running, reads one event per line and answers each\n"
          "with one line on stdout; --per-input starts it once per event instead.\n"
          "Distinct bugs are distinct failures: told apart by the exit status or signal\n"
          "and by what stderr says (a Python or Node trace's exception line and innermost\n"
          "frame of the decoder's own code, a sanitizer's SUMMARY line). Each is\n"
          "minimised (nesting depth, members, values, \\u escapes, bytes; the lines of a\n"
          "stream when it needs the inputs before it) and saved with a replay script.\n"
          "\noptions:\n",
          f);
    for (size_t i = 0; i < N_FX_OPTIONS; i++) {
        char left[48];
        snprintf(left, sizeof left, "%s%s%s", fx_options[i].name, fx_options[i].arg ? " " : "",
                 fx_options[i].arg ? fx_options[i].arg : "");
        fprintf(f, "  %-22s %s\n", left, fx_options[i].help);
    }
    fputs("\nBefore fuzzing, COMMAND gets one conforming event: if it cannot start, exits\n"
          "126/127 or fails on it, fuzz-exec says it could not run, with the reason. A\n"
          "decoder that reads nothing of its stdin, or buffers its answers (Python's\n"
          "print without flush=True), gets a warning with the fix; a buffering one is\n"
          "then fuzzed one process per input.\n"
          "\nexit codes: 0 no failure, 1 failures found (reproducers in --out),\n"
          "            2 could not run (usage, --out not writable, COMMAND does not start\n"
          "              or fails on a conforming event)\n",
          f);
}

typedef struct failure {
    fx_result result;
    char label[96]; /* what the input was: "valid", a rule ID, "mutated" */
    uint8_t *original;
    size_t original_len;
    uint8_t *minimal;
    size_t minimal_len;
    size_t minimise_runs;
    bool alone;             /* reproduces with this input alone */
    bool any_input;         /* fails the same way on "{}": not about this input */
    bool stream;            /* needs the inputs before it: minimal holds lines, '\n'-joined */
    bool stream_reproduced; /* ... and those lines fail in a new process */
    size_t lines_from, lines_kept; /* ... how many lines it had, and has */
    size_t times;                  /* seen */
    char path[512];
} failure;

typedef struct fuzz_exec {
    char **argv;
    fx_limits lim;
    bool ok_exit[256];
    regex_t re;
    bool has_re;
    bool per_input, quiet;
    const char *out_dir;
    bool out_made;
    bool out_created; /* by this run: removed at the end if nothing went in */
    size_t minimize_runs;
    failure failures[MAX_FAILURES_KEPT];
    size_t n_failures;
    /* streaming context: the last inputs sent to the current process */
    uint8_t *ctx[CONTEXT];
    size_t ctx_len[CONTEXT];
    size_t ctx_n;
    cfc_checker *checker;
    struct timespec deadline; /* the start plus --max-time */
    bool slow_start;          /* record(): a hang that was only a slow start */
} fuzz_exec;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- minimising ------------------------------------------------------------ */

typedef struct shrink {
    fuzz_exec *fx;
    fx_limits lim; /* fuzz_exec's, with room for a process's start-up */
    const fx_result *want;
    size_t budget, used;
    struct timespec deadline; /* CLOCK_MONOTONIC */
    /* Streaming decoders are minimised in a running process: most tries do
     * not fail and then cost one line, not a process start (seconds for an
     * interpreter on a loaded machine). NULL: one process per try. */
    fx_proc *proc;
    bool running;
} shrink;

static bool past(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static bool still_fails(shrink *s, const uint8_t *d, size_t n)
{
    if (s->used >= s->budget || n == 0)
        return false;
    if (past(&s->deadline)) {
        s->budget = s->used; /* out of time: stop here */
        return false;
    }
    s->used++;
    fx_result r;
    if (s->proc) {
        if (!s->running && fx_start(s->proc, s->fx->argv) != 0)
            return false;
        s->running = true;
        r = fx_send(s->proc, &s->lim, d, n);
        if (r.outcome != FX_OK) {
            fx_kill(s->proc);
            s->running = false;
        }
    } else {
        char err[256];
        r = fx_run_once(s->fx->argv, &s->lim, d, n, err, sizeof err);
    }
    return r.outcome != FX_OK && r.outcome != FX_ERROR && fx_same_failure(&r, s->want);
}

/* The containers of a document, in document order (root first). */
static size_t containers(const cfc_jval *v, const cfc_jval **out, size_t cap, size_t n)
{
    if ((v->type != CFC_J_OBJECT && v->type != CFC_J_ARRAY) || n >= cap)
        return n;
    out[n++] = v;
    for (const cfc_jval *k = v->u.kids.first; k; k = k->next)
        n = containers(k, out, cap, n);
    return n;
}

static size_t kid_start(const cfc_jval *parent, const cfc_jval *k)
{
    return parent->type == CFC_J_OBJECT ? k->key_offset : k->offset;
}

/* The bytes that hold kids [a, b) of a container, with the comma that goes
 * with them. */
static void kids_range(const cfc_jval *parent, const cfc_jval **kids, size_t n, size_t a, size_t b,
                       size_t *from, size_t *to)
{
    if (b < n) {
        *from = kid_start(parent, kids[a]);
        *to = kid_start(parent, kids[b]);
    } else if (a > 0) {
        *from = kids[a - 1]->end;
        *to = kids[n - 1]->end;
    } else {
        *from = kid_start(parent, kids[0]);
        *to = kids[n - 1]->end;
    }
}

/* Simpler values: a string emptied, a number 1; inside objects (an
 * array's items are removed instead). */
typedef struct simpler {
    size_t a, b;
    const char *text;
} simpler;

static size_t simpler_of(const cfc_jval *v, const char *in, simpler *out, size_t cap, size_t n)
{
    if (n >= cap)
        return n;
    switch (v->type) {
    case CFC_J_STRING:
        if (v->end - v->offset > 2)
            out[n++] = (simpler){v->offset, v->end, "\"\""};
        break;
    case CFC_J_NUMBER:
        if (v->end - v->offset > 1 || in[v->offset] > '1')
            out[n++] = (simpler){v->offset, v->end, "1"};
        break;
    case CFC_J_OBJECT:
        for (const cfc_jval *k = v->u.kids.first; k; k = k->next)
            n = simpler_of(k, in, out, cap, n);
        break;
    default: break;
    }
    return n;
}

static uint8_t *spliced(const uint8_t *d, size_t n, size_t a, size_t b, const char *text,
                        size_t *out_len)
{
    size_t t = text ? strlen(text) : 0;
    uint8_t *q = malloc(n - (b - a) + t + 1);
    if (q == NULL)
        return NULL;
    memcpy(q, d, a);
    if (t)
        memcpy(q + a, text, t);
    memcpy(q + a + t, d + b, n - b);
    *out_len = n - (b - a) + t;
    return q;
}

/* Every simpler value that still fails, from the last to the first (so
 * that the offsets of the ones before stay true). */
static bool try_simpler(shrink *s, uint8_t **d, size_t *n, const cfc_jval *root, simpler *simp)
{
    size_t ns = simpler_of(root, (const char *)*d, simp, 4096, 0);
    bool any = false;
    for (size_t i = ns; i-- > 0;) {
        size_t len;
        uint8_t *q = spliced(*d, *n, simp[i].a, simp[i].b, simp[i].text, &len);
        if (q && len <= *n && still_fails(s, q, len)) {
            free(*d);
            *d = q;
            *n = len;
            any = true;
        } else {
            free(q);
        }
    }
    return any;
}

/* Replaces *d by q (its new length len) if q still fails; frees the loser. */
static bool take_if_fails(shrink *s, uint8_t **d, size_t *n, uint8_t *q, size_t len)
{
    if (q && still_fails(s, q, len)) {
        free(*d);
        *d = q;
        *n = len;
        return true;
    }
    free(q);
    return false;
}

/* The bracket at d[*i] when it opens or closes a value outside a string,
 * else 0; strings are skipped, *i stepping over an escaped byte. */
static uint8_t bracket_at(const uint8_t *d, size_t *i, bool *in_str)
{
    uint8_t c = d[*i];
    if (*in_str) {
        if (c == '\\')
            (*i)++;
        else if (c == '"')
            *in_str = false;
        return 0;
    }
    if (c == '"') {
        *in_str = true;
        return 0;
    }
    return c == '{' || c == '[' || c == '}' || c == ']' ? c : 0;
}

/* The end of the value opened at d[at] ('{' or '['): just past its closer,
 * or n when it is not closed (a cut document). */
static size_t close_of(const uint8_t *d, size_t n, size_t at)
{
    size_t depth = 0;
    bool in_str = false;
    for (size_t i = at; i < n; i++) {
        uint8_t c = bracket_at(d, &i, &in_str);
        if (c == '{' || c == '[')
            depth++;
        else if (c != 0 && --depth == 0)
            return i + 1;
    }
    return n;
}

/* The openers enclosing the deepest point of d, outermost first, into
 * chain (malloc'd, *chain_len of them). */
static size_t *deepest_chain(const uint8_t *d, size_t n, size_t *chain_len)
{
    size_t *stack = malloc((n + 1) * sizeof *stack), *best = malloc((n + 1) * sizeof *best);
    size_t depth = 0, best_depth = 0;
    bool in_str = false;
    for (size_t i = 0; stack && best && i < n; i++) {
        uint8_t c = bracket_at(d, &i, &in_str);
        if (c == '{' || c == '[') {
            stack[depth++] = i;
            if (depth > best_depth) {
                best_depth = depth;
                memcpy(best, stack, depth * sizeof *stack);
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        }
    }
    free(stack);
    if (best == NULL)
        return NULL;
    *chain_len = best_depth;
    return best;
}

/* Nesting depth, reduced: along the deepest chain, the container at depth
 * a is replaced by its descendant at depth a + k (removing k levels, their
 * siblings with them), k halving from half the depth to 1. The root stays
 * (the event object). Before, a document nested 5,000 deep stayed so: each
 * level holds one item, and removing it removes the depth that fails. */
static void reduce_depth(shrink *s, uint8_t **d, size_t *n)
{
    size_t depth;
    size_t *chain = deepest_chain(*d, *n, &depth);
    for (size_t k = depth / 2; chain && k >= 1 && s->used < s->budget;) {
        if (1 + k >= depth) {
            k /= 2;
            continue;
        }
        size_t outer = chain[1], inner = chain[1 + k];
        size_t outer_end = close_of(*d, *n, outer), inner_end = close_of(*d, *n, inner);
        size_t len = outer + (inner_end - inner) + (*n - outer_end);
        uint8_t *q = malloc(len + 1);
        if (q) {
            memcpy(q, *d, outer);
            memcpy(q + outer, *d + inner, inner_end - inner);
            memcpy(q + outer + (inner_end - inner), *d + outer_end, *n - outer_end);
        }
        if (take_if_fails(s, d, n, q, len)) {
            free(chain);
            chain = deepest_chain(*d, *n, &depth);
        } else {
            k /= 2;
        }
    }
    free(chain);
}

/* A \uXXXX escape (or a surrogate pair of them) that can be written as
 * the character itself: where, how long, and the UTF-8 bytes. */
typedef struct escape {
    size_t at, len;
    uint8_t utf8[4];
    size_t utf8_len;
} escape;

static int hex4(const uint8_t *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], h = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The escapes of d that may become characters: not '"', '\\' or controls
 * (they must stay escaped) and not lone surrogates (no character). */
static size_t escapes_of(const uint8_t *d, size_t n, escape *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i + 1 < n && k < cap; i++) {
        if (d[i] != '\\')
            continue;
        if (d[i + 1] != 'u' || i + 6 > n) {
            i++; /* another escape: skip its second byte (\\u is not one) */
            continue;
        }
        long cp = hex4(d + i + 2), len = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= n && d[i + 6] == '\\' && d[i + 7] == 'u') {
            long lo = hex4(d + i + 8);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                len = 12;
            }
        }
        if (cp < 0x20 || cp == '"' || cp == '\\' || (cp >= 0xD800 && cp <= 0xDFFF)) {
            i += (size_t)len - 1;
            continue;
        }
        escape *e = &out[k++];
        e->at = i;
        e->len = (size_t)len;
        if (cp < 0x80) {
            e->utf8[0] = (uint8_t)cp;
            e->utf8_len = 1;
        } else if (cp < 0x800) {
            e->utf8[0] = (uint8_t)(0xC0 | (cp >> 6));
            e->utf8[1] = (uint8_t)(0x80 | (cp & 0x3F));
            e->utf8_len = 2;
        } else if (cp < 0x10000) {
            e->utf8[0] = (uint8_t)(0xE0 | (cp >> 12));
            e->utf8[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            e->utf8[2] = (uint8_t)(0x80 | (cp & 0x3F));
            e->utf8_len = 3;
        } else {
            e->utf8[0] = (uint8_t)(0xF0 | (cp >> 18));
            e->utf8[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
            e->utf8[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
            e->utf8[3] = (uint8_t)(0x80 | (cp & 0x3F));
            e->utf8_len = 4;
        }
        i += (size_t)len - 1;
    }
    return k;
}

/* d with escapes [a, b) written as characters. */
static uint8_t *unescaped(const uint8_t *d, size_t n, const escape *e, size_t a, size_t b,
                          size_t *out_len)
{
    uint8_t *q = malloc(n + 1);
    if (q == NULL)
        return NULL;
    size_t o = 0, from = 0;
    for (size_t i = a; i < b; i++) {
        memcpy(q + o, d + from, e[i].at - from);
        o += e[i].at - from;
        memcpy(q + o, e[i].utf8, e[i].utf8_len);
        o += e[i].utf8_len;
        from = e[i].at + e[i].len;
    }
    memcpy(q + o, d + from, n - from);
    *out_len = o + n - from;
    return q;
}

/* \uXXXX escapes become the characters they stand for, all at once if the
 * failure allows, else in halving runs (the failure may be about an
 * escape). Before, "t\u006fta\u006c" stayed: removing bytes cannot turn
 * an escape into its character. */
static void unescape(shrink *s, uint8_t **d, size_t *n)
{
    escape *e = malloc(4096 * sizeof *e);
    for (bool changed = true; e && changed && s->used < s->budget;) {
        changed = false;
        size_t k = escapes_of(*d, *n, e, 4096), len = 0;
        if (k == 0)
            break;
        uint8_t *q = unescaped(*d, *n, e, 0, k, &len);
        if (take_if_fails(s, d, n, q, len)) {
            changed = true;
            continue;
        }
        for (size_t chunk = k / 2; chunk >= 1 && !changed && s->used < s->budget; chunk /= 2) {
            for (size_t a = 0; a < k && !changed; a += chunk) {
                size_t b = a + chunk < k ? a + chunk : k;
                q = unescaped(*d, *n, e, a, b, &len);
                changed = take_if_fails(s, d, n, q, len);
            }
        }
    }
    free(e);
}

/* Where line i of a '\n'-joined stream starts. */
static size_t line_start(const uint8_t *d, size_t n, size_t i)
{
    size_t at = 0;
    for (; i > 0 && at < n; at++) {
        if (d[at] == '\n')
            i--;
    }
    return at;
}

static size_t count_lines(const uint8_t *d, size_t n)
{
    size_t k = 1;
    for (size_t i = 0; i < n; i++)
        k += d[i] == '\n';
    return k;
}

/* The lines of a stream input that fails only with the inputs before it:
 * runs of lines removed, halving (delta debugging), each try one process
 * given the remaining lines. Before, all of the up to 64 inputs since the
 * process started were saved: 18 lines where 2 do. */
static void minimise_lines(shrink *s, uint8_t **d, size_t *n)
{
    size_t k = count_lines(*d, *n);
    for (size_t chunk = k / 2; chunk >= 1 && s->used < s->budget; chunk /= 2) {
        for (size_t a = 0; a < k && k > 1 && s->used < s->budget;) {
            size_t b = a + chunk < k ? a + chunk : k;
            if (b - a >= k) {
                a = b;
                continue;
            }
            /* The lines and the newline after them; the last ones, the newline before. */
            size_t from = line_start(*d, *n, a), to = b < k ? line_start(*d, *n, b) : *n;
            if (b == k)
                from--;
            size_t len;
            uint8_t *q = spliced(*d, *n, from, to, NULL, &len);
            if (take_if_fails(s, d, n, q, len))
                k -= b - a;
            else
                a = b;
        }
    }
}

/* Shrinks *d (malloc'd, replaced as it shrinks) while it still fails. */
static void minimise(shrink *s, uint8_t **d, size_t *n)
{
    reduce_depth(s, d, n); /* first: a deep chain would cost a try per level below */
    cfc_jparser *p = cfc_jparser_new();
    const cfc_jval **conts = malloc(1024 * sizeof *conts);
    const cfc_jval **kids = malloc(65536 * sizeof *kids);
    simpler *simp = malloc(4096 * sizeof *simp);
    /* Structure first: members and items of each container, in runs that
     * halve (half the array, a quarter, ... one item), then simpler values.
     * After each success the document is read again. */
    for (bool changed = true; changed && p && conts && kids && simp && s->used < s->budget;) {
        changed = false;
        cfc_jval *root = NULL;
        cfc_jparse_opts po = {.max_depth = 1u << 20};
        if (cfc_jparse(p, (const char *)*d, *n, &po, &root, NULL, NULL, NULL) != 0 || !root)
            break;
        /* The event's own members first, then simpler values (a count of
         * 1 keeps an overflow that needed 47), then nested items. */
        size_t nc = containers(root, conts, 1024, 0);
        for (size_t c = 0; c < nc && !changed && s->used < s->budget; c++) {
            if (c == 1 && (changed = try_simpler(s, d, n, root, simp)))
                break;
            size_t k = 0;
            for (const cfc_jval *x = conts[c]->u.kids.first; x && k < 65536; x = x->next)
                kids[k++] = x;
            for (size_t chunk = k > 1 ? k / 2 : k; chunk >= 1 && !changed; chunk /= 2) {
                for (size_t a = 0; a < k && !changed; a += chunk) {
                    size_t b = a + chunk < k ? a + chunk : k, from, to, len;
                    kids_range(conts[c], kids, k, a, b, &from, &to);
                    uint8_t *q = spliced(*d, *n, from, to, NULL, &len);
                    if (q && still_fails(s, q, len)) {
                        free(*d);
                        *d = q;
                        *n = len;
                        changed = true;
                    } else {
                        free(q);
                    }
                }
            }
        }
        if (!changed && nc <= 1)
            changed = try_simpler(s, d, n, root, simp);
    }
    free(conts);
    free(kids);
    free(simp);
    cfc_jparser_free(p);
    unescape(s, d, n);
    /* Then bytes: remove chunks, halving their size (delta debugging). */
    for (size_t chunk = *n / 2; chunk >= 1 && s->used < s->budget; chunk /= 2) {
        for (size_t at = 0; at + chunk <= *n && s->used < s->budget;) {
            size_t len;
            uint8_t *q = spliced(*d, *n, at, at + chunk, NULL, &len);
            if (q && still_fails(s, q, len)) {
                free(*d);
                *d = q;
                *n = len;
            } else {
                free(q);
                at += chunk;
            }
        }
    }
}

/* ---- recording failures ------------------------------------------------------ */

static void shell_quote(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    }
    fputc('\'', f);
}

static bool write_file(const char *path, const uint8_t *const *parts, const size_t *lens, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    for (size_t i = 0; i < n; i++) {
        fwrite(parts[i], 1, lens[i], f);
        fputc('\n', f);
    }
    return fclose(f) == 0;
}

/* --out is made (its last component) and tried at the start: a directory
 * that cannot be written is a usage error then, not a surprise at the
 * first failure, after minutes of fuzzing. */
static bool ensure_out(fuzz_exec *fx)
{
    if (fx->out_made)
        return true;
    if (mkdir(fx->out_dir, 0755) == 0) {
        fx->out_created = true;
    } else if (errno != EEXIST) {
        fprintf(stderr, "cfconform: error: fuzz-exec: --out %s: cannot create it: %s\n",
                fx->out_dir, strerror(errno));
        return false;
    }
    char probe[600];
    snprintf(probe, sizeof probe, "%s/.cfconform-probe-XXXXXX", fx->out_dir);
    int fd = mkstemp(probe);
    if (fd < 0) {
        fprintf(stderr, "cfconform: error: fuzz-exec: --out %s: cannot write in it: %s\n",
                fx->out_dir, strerror(errno));
        if (fx->out_created)
            rmdir(fx->out_dir);
        fx->out_created = false;
        return false;
    }
    close(fd);
    unlink(probe);
    fx->out_made = true;
    return true;
}

/* The rules the checker finds in an input, comma-separated. */
static void rules_of(fuzz_exec *fx, const uint8_t *d, size_t n, char *out, size_t cap)
{
    out[0] = '\0';
    const cfc_event_result *r;
    if (cfc_check_event(fx->checker, (const char *)d, n, &r) != CFC_CHECK_OK)
        return;
    size_t o = 0;
    for (size_t k = 0; k < CFC_RULE_COUNT && o < cap; k++) {
        if (r->by_rule[k])
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "",
                                  cfc_rule_get((cfc_rule)k)->id);
    }
    if (o == 0)
        snprintf(out, cap, "none (a conforming event)");
}

/* Returns -1 when the reproducer cannot be written (exit 2), 0 otherwise. */
static int record(fuzz_exec *fx, const fx_result *r, const uint8_t *d, size_t n, const char *label,
                  bool streaming)
{
    for (size_t i = 0; i < fx->n_failures; i++) {
        failure *f = &fx->failures[i];
        if (fx_same_failure(&f->result, r)) {
            f->times++;
            return 0;
        }
    }
    if (fx->n_failures == MAX_FAILURES_KEPT)
        return 0;
    /* A slow answer on a loaded machine is not a hang: a timeout is only
     * reported once the input, on its own, still gets no answer within a
     * generous limit (10x --timeout, at least 10 s). */
    fx_limits generous = fx->lim;
    generous.timeout_ms = fx->lim.timeout_ms * 10 < 10000 ? 10000 : fx->lim.timeout_ms * 10;
    char confirm_err[256];
    if (r->outcome == FX_TIMEOUT &&
        fx_run_once(fx->argv, &generous, d, n, confirm_err, sizeof confirm_err).outcome !=
            FX_TIMEOUT) {
        fx->slow_start = true;
        return 0;
    }
    if (!ensure_out(fx))
        return -1;
    failure *f = &fx->failures[fx->n_failures];
    memset(f, 0, sizeof *f);
    f->result = *r;
    f->times = 1;
    snprintf(f->label, sizeof f->label, "%s", label);
    f->original = malloc(n + 1);
    f->minimal = malloc(n + 1);
    if (f->original == NULL || f->minimal == NULL) {
        free(f->original);
        free(f->minimal);
        fputs("cfconform: error: fuzz-exec: out of memory\n", stderr);
        return -1;
    }
    memcpy(f->original, d, n);
    memcpy(f->minimal, d, n);
    f->original_len = f->minimal_len = n;
    /* Minimising keeps to --max-time, but always gets a few seconds. */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    shrink s = {fx, fx->lim, r, fx->minimize_runs, 0, fx->deadline, NULL, false};
    if (now.tv_sec + 5 > s.deadline.tv_sec)
        s.deadline = (struct timespec){now.tv_sec + 5, now.tv_nsec};
    /* A control run on "{}": how long a process takes to start and answer
     * (each try of the minimisation gets that on top of --timeout: an
     * interpreter's start-up is not a hang), and whether the failure
     * happens whatever the input (then there is nothing to minimise). */
    char err[256];
    fx_limits control = fx->lim;
    control.timeout_ms = fx->lim.timeout_ms * 4 < 10000 ? 10000 : fx->lim.timeout_ms * 4;
    struct timespec c0;
    clock_gettime(CLOCK_MONOTONIC, &c0);
    fx_result c = fx_run_once(fx->argv, &control, (const uint8_t *)"{}", 2, err, sizeof err);
    double startup_ms = seconds_since(&c0) * 1000;
    /* ... and at least ten such starts' worth of time: an interpreter that
     * takes 2 s to start on a loaded machine gets 20 s, not 5. */
    {
        struct timespec floor_t;
        clock_gettime(CLOCK_MONOTONIC, &floor_t);
        double extra = 10 * startup_ms / 1000 > 5 ? 10 * startup_ms / 1000 : 5;
        floor_t.tv_sec += (time_t)extra;
        if (floor_t.tv_sec > s.deadline.tv_sec)
            s.deadline = floor_t;
    }
    s.lim.timeout_ms = fx->lim.timeout_ms + (int)(2 * startup_ms);
    f->any_input = c.outcome != FX_OK && fx_same_failure(&c, r);
    if (r->outcome == FX_TIMEOUT && s.budget > 30)
        s.budget = 30; /* each try of a hang costs a whole timeout */
    f->alone = !f->any_input && (!streaming || still_fails(&s, d, n));
    if (f->alone && streaming && r->outcome != FX_TIMEOUT)
        s.proc = malloc(sizeof *s.proc); /* NULL: one process per try, slower */
    if (f->alone)
        minimise(&s, &f->minimal, &f->minimal_len);
    if (s.proc) {
        if (s.running)
            fx_kill(s.proc);
        free(s.proc);
        s.proc = NULL;
        /* In a running process the inputs before a try were there too:
         * the result must fail alone, in a new process, or it is not kept. */
        if (f->minimal_len != n) {
            fx_result v =
                fx_run_once(fx->argv, &s.lim, f->minimal, f->minimal_len, err, sizeof err);
            s.used++;
            if (v.outcome == FX_OK || v.outcome == FX_ERROR || !fx_same_failure(&v, r)) {
                memcpy(f->minimal, d, n);
                f->minimal_len = n;
            }
        }
    }
    /* It needs the inputs before it: the lines since the process started,
     * fewer while they still fail (in a new process each). */
    if (!f->alone && !f->any_input && streaming && fx->ctx_n > 0) {
        size_t total = 0;
        for (size_t i = 0; i < fx->ctx_n; i++)
            total += fx->ctx_len[i] + 1;
        uint8_t *all = malloc(total), *copy = malloc(total);
        if (all == NULL || copy == NULL) {
            free(all);
            free(copy);
            fputs("cfconform: error: fuzz-exec: out of memory\n", stderr);
            return -1;
        }
        size_t o = 0;
        for (size_t i = 0; i < fx->ctx_n; i++) {
            memcpy(all + o, fx->ctx[i], fx->ctx_len[i]);
            o += fx->ctx_len[i];
            all[o++] = '\n';
        }
        memcpy(copy, all, total - 1);
        free(f->original);
        free(f->minimal);
        f->original = all;
        f->minimal = copy;
        f->original_len = f->minimal_len = total - 1;
        f->stream = true;
        f->lines_from = f->lines_kept = fx->ctx_n;
        f->stream_reproduced = still_fails(&s, copy, total - 1);
        if (f->stream_reproduced) {
            minimise_lines(&s, &f->minimal, &f->minimal_len);
            f->lines_kept = count_lines(f->minimal, f->minimal_len);
        }
    }
    /* The same for the minimised hang: each try had the short limit. */
    if (r->outcome == FX_TIMEOUT && !f->stream && f->minimal_len != n &&
        fx_run_once(fx->argv, &generous, f->minimal, f->minimal_len, err, sizeof err).outcome !=
            FX_TIMEOUT) {
        memcpy(f->minimal, d, n);
        f->minimal_len = n;
    }
    f->minimise_runs = s.used;
    size_t id = ++fx->n_failures;

    char path[600];
    snprintf(f->path, sizeof f->path, "%s/failure-%zu.ndjson", fx->out_dir, id);
    bool ok;
    if (f->alone || f->any_input || f->stream) {
        const uint8_t *parts[1] = {f->minimal};
        size_t lens[1] = {f->minimal_len};
        ok = write_file(f->path, parts, lens, 1);
    } else { /* per input, it needs the inputs before it: all of them go */
        ok = write_file(f->path, (const uint8_t *const *)fx->ctx, fx->ctx_len, fx->ctx_n);
    }
    snprintf(path, sizeof path, "%s/failure-%zu.original.ndjson", fx->out_dir, id);
    const uint8_t *parts[1] = {f->original};
    size_t lens[1] = {f->original_len};
    ok = ok && write_file(path, parts, lens, 1);
    snprintf(path, sizeof path, "%s/failure-%zu.sh", fx->out_dir, id);
    FILE *sh = fopen(path, "w");
    if (sh) {
        char what[160];
        fx_describe(r, fx->lim.timeout_ms, what, sizeof what);
        fprintf(sh, "#!/bin/sh\n# cfconform fuzz-exec reproducer: %s\nexec", what);
        for (char **a = fx->argv; *a; a++) {
            fputc(' ', sh);
            shell_quote(sh, *a);
        }
        fprintf(sh, " < \"$(dirname \"$0\")/failure-%zu.ndjson\"\n", id);
        ok = fclose(sh) == 0 && ok;
        chmod(path, 0755);
    } else {
        ok = false;
    }
    if (!ok) {
        fprintf(stderr, "cfconform: error: fuzz-exec: cannot write reproducers in %s\n",
                fx->out_dir);
        return -1;
    }
    return 0;
}

static void context_push(fuzz_exec *fx, const uint8_t *d, size_t n)
{
    if (fx->ctx_n == CONTEXT) {
        free(fx->ctx[0]);
        memmove(fx->ctx, fx->ctx + 1, (CONTEXT - 1) * sizeof fx->ctx[0]);
        memmove(fx->ctx_len, fx->ctx_len + 1, (CONTEXT - 1) * sizeof fx->ctx_len[0]);
        fx->ctx_n--;
    }
    uint8_t *c = malloc(n ? n : 1);
    if (c == NULL)
        return;
    memcpy(c, d, n);
    fx->ctx[fx->ctx_n] = c;
    fx->ctx_len[fx->ctx_n++] = n;
}

static void context_clear(fuzz_exec *fx)
{
    for (size_t i = 0; i < fx->ctx_n; i++)
        free(fx->ctx[i]);
    fx->ctx_n = 0;
}

/* ---- the command ---------------------------------------------------------- */

/* The start-up allowance (fx_limits.startup_ms) from a measured start: twice
 * it, and 200 ms for the noise of a shared machine. */
static int startup_allowance(int64_t measured_ms)
{
    int64_t a = 2 * measured_ms + 200;
    return a > 60000 ? 60000 : (int)a;
}

/* The command as the user typed it, for messages (cut at 160 bytes). */
static const char *command_name(const fuzz_exec *fx)
{
    static char text[160];
    size_t o = 0;
    for (char **a = fx->argv; *a && o + 1 < sizeof text; a++) {
        if (a != fx->argv)
            text[o++] = ' ';
        for (const char *c = *a; *c && o + 1 < sizeof text; c++)
            text[o++] = *c;
    }
    text[o] = '\0';
    return text;
}

/* Why a failure on the conforming event is not a bug of the decoder's
 * decoding: the shell's statuses for a command it could not start. */
static const char *exit_reason(const fx_result *r)
{
    if (r->outcome != FX_EXITED)
        return "";
    return r->code == 127   ? " (a command was not found)"
           : r->code == 126 ? " (a command was found but could not be executed)"
                            : "";
}

/* Control runs before fuzzing, on one conforming event, with a generous
 * limit (10x --timeout, at least 10 s):
 *
 *  1. one process for the event (stdin closed after it): it must not fail
 *     -- a command that is not found, cannot be executed (the shell's 127,
 *     126) or fails on a conforming event cannot be fuzzed, and what it does
 *     is not a finding ("could not run", exit 2); it must answer while
 *     streaming (a line on stdout); it should read its input (a decoder
 *     that does not read stdin passes every input and tests nothing: a
 *     warning). It also measures a process's start (an interpreter: seconds
 *     on a loaded machine), which --timeout must not count (issue 11).
 *  2. streaming: one running process gets the event. No answer within the
 *     measured time, but the answer comes when its stdin is closed: it
 *     buffers its output (Python's print to a pipe), so every input would
 *     wait out --timeout and throughput collapses (21,900 -> 30 inputs/s).
 *     A warning naming the fix, and fuzzing goes on one process per input,
 *     where buffering does no harm.
 *
 * Returns 0 to go on, -1 when it could not run (said on stderr). */
static int preflight(fuzz_exec *fx, const uint8_t *event, size_t len)
{
    fx_limits control = fx->lim;
    control.timeout_ms = fx->lim.timeout_ms * 10 < 10000 ? 10000 : fx->lim.timeout_ms * 10;
    control.startup_ms = 0;
    char err[256];
    fx_probe_info info;
    fx_result r = fx_probe(fx->argv, &control, event, len, &info, err, sizeof err);
    if (r.outcome == FX_ERROR) {
        fprintf(stderr, "cfconform: error: fuzz-exec: could not run %s\n", err);
        return -1;
    }
    if (r.outcome != FX_OK) {
        char what[200];
        fx_describe(&r, control.timeout_ms, what, sizeof what);
        fprintf(stderr,
                "cfconform: error: fuzz-exec: could not run %s: it fails on a conforming event, "
                "before any fuzzing: %s%s\n",
                command_name(fx), what, exit_reason(&r));
        if (r.sig.headline[0])
            fprintf(stderr, "  stderr: %s\n", r.sig.headline);
        fprintf(stderr, "  the event: %.*s\n", (int)(len < 300 ? len : 300), (const char *)event);
        fprintf(stderr, "  A decoder must accept conforming events before fuzzing can tell "
                        "anything; check the command.\n");
        return -1;
    }
    if (!fx->per_input && info.lines == 0) {
        fprintf(stderr,
                "cfconform: error: fuzz-exec: could not run %s: it wrote nothing on stdout for a "
                "conforming event. Streaming needs one answer line (any text) per input line; "
                "or use --per-input (one process per input, no answer needed).\n",
                command_name(fx));
        return -1;
    }
    if (info.sent > 0 && info.unread == info.sent)
        fprintf(stderr,
                "cfconform: warning: fuzz-exec: %s read nothing of its stdin: no input reaches "
                "its decoder, so fuzzing tests nothing. Read the events from standard input "
                "(Python sys.stdin, Node process.stdin, Go os.Stdin; a decoder that takes a "
                "file can be given /dev/stdin).\n",
                command_name(fx));
    fx->lim.startup_ms = startup_allowance(info.ms);
    if (fx->per_input)
        return 0;

    fx_proc *p = malloc(sizeof *p);
    if (p == NULL || fx_start(p, fx->argv) != 0) {
        fprintf(stderr, "cfconform: error: fuzz-exec: could not run %s\n",
                p ? p->error : "out of memory");
        free(p);
        return -1;
    }
    fx_limits wait = fx->lim; /* --timeout, and the measured start twice over */
    wait.keep_on_timeout = true;
    r = fx_send(p, &wait, event, len);
    if (r.outcome == FX_TIMEOUT) {
        /* Its stdin closed, does the answer come? Then it was in a buffer. */
        (void)fx_finish(p, &control);
        if (p->lines > 0) {
            fprintf(stderr,
                    "cfconform: warning: fuzz-exec: %s answers only when its input ends, not "
                    "after each line: it buffers its stdout, and every input would wait out "
                    "--timeout. Flush after each answer: Python print(..., flush=True) or "
                    "sys.stdout.flush(), or run python3 -u; C fflush(stdout); Go "
                    "bufio.Writer.Flush(). Fuzzing one process per input instead (as "
                    "--per-input).\n",
                    command_name(fx));
            fx->per_input = true;
        }
    } else if (r.outcome == FX_OK) {
        if (startup_allowance(p->first_answer_ms) > fx->lim.startup_ms)
            fx->lim.startup_ms = startup_allowance(p->first_answer_ms);
    }
    fx_kill(p);
    free(p);
    return 0;
}

static bool parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static bool parse_ok_exit(const char *s, bool ok[256])
{
    memset(ok, 0, 256 * sizeof ok[0]);
    char *end;
    for (const char *p = s; *p;) {
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || v > 255)
            return false;
        ok[v] = true;
        if (*end == ',')
            end++;
        else if (*end)
            return false;
        p = end;
    }
    return true;
}

static void print_summary(fuzz_exec *fx, size_t runs, double secs, size_t inputs_failed)
{
    printf("fuzz-exec: %zu runs in %.1f s (%.0f execs/s), %s, %zu failure%s", runs, secs,
           secs > 0 ? (double)runs / secs : 0.0,
           fx->per_input ? "one process per input" : "streaming", fx->n_failures,
           fx->n_failures == 1 ? "" : "s");
    if (fx->n_failures)
        printf(" (%zu failing inputs)", inputs_failed);
    printf("\n");
    for (size_t i = 0; i < fx->n_failures; i++) {
        failure *f = &fx->failures[i];
        char what[200], rules[512];
        fx_describe(&f->result, fx->lim.timeout_ms, what, sizeof what);
        printf("\nfailure %zu: %s", i + 1, what);
        const fx_signature *sig = &f->result.sig;
        bool said = f->result.outcome != FX_TIMEOUT && f->result.outcome != FX_MEMORY;
        if (said && sig->kind[0])
            printf(" [%s]", sig->kind);
        printf(" on %s input; seen %zu time%s\n", f->label, f->times, f->times == 1 ? "" : "s");
        /* What went wrong and where, as the report says it: the exception
         * line, not "Traceback (most recent call last):" or "Node.js v20". */
        if (said && sig->headline[0])
            printf("  error: %s\n", sig->headline);
        else if (f->result.match[0])
            printf("  stderr: %s\n", f->result.match);
        if (said && sig->frame[0])
            printf("  at: %s\n", sig->frame);
        if (f->alone) {
            rules_of(fx, f->minimal, f->minimal_len, rules, sizeof rules);
            printf("  minimised %zu -> %zu bytes in %zu runs; the checker finds: %s\n",
                   f->original_len, f->minimal_len, f->minimise_runs, rules);
            printf("  %.*s%s\n", (int)(f->minimal_len < 300 ? f->minimal_len : 300),
                   (const char *)f->minimal, f->minimal_len > 300 ? "..." : "");
        } else if (f->any_input) {
            printf("  fails the same way on the input {} too: not minimised\n");
        } else if (f->stream && f->stream_reproduced) {
            printf("  does not fail alone: it needs inputs before it; minimised %zu -> %zu lines "
                   "in %zu runs\n",
                   f->lines_from, f->lines_kept, f->minimise_runs);
        } else if (f->stream) {
            printf("  does not fail alone, nor always with the %zu inputs before it: all saved, "
                   "not minimised\n",
                   f->lines_from);
        } else {
            printf("  does not fail alone: not minimised\n");
        }
        printf("  saved: %s (original: failure-%zu.original.ndjson)\n  replay:", f->path, i + 1);
        for (char **a = fx->argv; *a; a++) {
            putchar(' ');
            shell_quote(stdout, *a);
        }
        printf(" < %s\n", f->path);
    }
}

int cfc_cmd_fuzz_exec(int argc, char **argv)
{
    static fuzz_exec fx; /* large; one per process */
    memset(&fx, 0, sizeof fx);
    double max_time = 60, mix = 0.5, mutate = 0.5;
    uint64_t runs = 10000, seed = 1, timeout = 2000, rss = 2048, max_len = 65536, max_failures = 10,
             minimize_runs = 300;
    const char *pattern = DEFAULT_PATTERN;
    fx.ok_exit[0] = true;
    fx.out_dir = "fuzz-exec-out";
    int i = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strncmp(argv[i], "--", 2) != 0)
            break; /* the command */
        const struct fx_option *opt = NULL;
        for (size_t k = 0; k < N_FX_OPTIONS; k++) {
            if (strcmp(argv[i], fx_options[k].name) == 0)
                opt = &fx_options[k];
        }
        if (opt == NULL) {
            const char *names[N_FX_OPTIONS];
            for (size_t k = 0; k < N_FX_OPTIONS; k++)
                names[k] = fx_options[k].name;
            return cfc_cli_unknown("fuzz-exec: unknown option", argv[i], names, N_FX_OPTIONS);
        }
        const char *v = NULL;
        if (opt->arg) {
            if (i + 1 >= argc)
                return cfc_cli_usage_error("fuzz-exec: %s needs a value", opt->name);
            v = argv[++i];
        }
        /* Integers go through the one parser of size and count options;
         * every error names the option and what it wants. */
        int bad = 0;
        const char *wants = NULL;
        switch (opt->id) {
        case X_RUNS: bad = cfc_cli_parse_count(opt->name, v, 1, CFC_CLI_MAX_COUNT, &runs); break;
        case X_MAX_TIME:
            if (!parse_num(v, 0.001, 1e9, &max_time))
                wants = "a number of seconds in 0.001..1e9";
            break;
        case X_SEED: bad = cfc_cli_parse_count(opt->name, v, 0, UINT32_MAX, &seed); break;
        case X_PER_INPUT: fx.per_input = true; break;
        case X_TIMEOUT: bad = cfc_cli_parse_count(opt->name, v, 1, CFC_CLI_MAX_MS, &timeout); break;
        case X_RSS: bad = cfc_cli_parse_count(opt->name, v, 1, 1u << 20, &rss); break;
        case X_PATTERN: pattern = v; break;
        case X_OK_EXIT:
            if (!parse_ok_exit(v, fx.ok_exit))
                wants = "exit statuses in 0..255 separated by commas";
            break;
        case X_MIX:
            if (!parse_num(v, 0, 1, &mix))
                wants = "a fraction in 0..1";
            break;
        case X_MUTATE:
            if (!parse_num(v, 0, 1, &mutate))
                wants = "a fraction in 0..1";
            break;
        case X_MAX_LEN:
            bad = cfc_cli_parse_count(opt->name, v, 16, CFC_CLI_MAX_EVENT_BYTES, &max_len);
            break;
        case X_OUT: fx.out_dir = v; break;
        case X_MAX_FAILURES:
            bad = cfc_cli_parse_count(opt->name, v, 1, MAX_FAILURES_KEPT, &max_failures);
            break;
        case X_MINIMIZE_RUNS:
            bad = cfc_cli_parse_count(opt->name, v, 0, 1000000, &minimize_runs);
            break;
        case X_QUIET: fx.quiet = true; break;
        case X_HELP: fx_usage(stdout); return cfc_cli_close_stdout(EXIT_CONFORMS);
        }
        if (bad)
            return EXIT_TROUBLE;
        if (wants) {
            fprintf(stderr,
                    "cfconform: error: fuzz-exec: %s wants %s, not '%s'\n"
                    "Try 'cfconform fuzz-exec --help'.\n",
                    opt->name, wants, v);
            return EXIT_TROUBLE;
        }
    }
    if (i >= argc)
        return cfc_cli_usage_error("fuzz-exec: %s",
                                   "no command (cfconform fuzz-exec [OPTIONS] -- COMMAND ARGS)");
    fx.argv = argv + i; /* argv is NULL-terminated after argc */
    if (pattern[0]) {
        int rc = regcomp(&fx.re, pattern, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
        if (rc != 0) {
            char why[128];
            regerror(rc, &fx.re, why, sizeof why);
            fprintf(stderr, "cfconform: error: fuzz-exec: --crash-pattern: %s\n", why);
            return EXIT_TROUBLE;
        }
        fx.has_re = true;
    }
    fx.lim = (fx_limits){.timeout_ms = (int)timeout,
                         .rss_limit_kib = (size_t)rss * 1024,
                         .ok_exit = fx.ok_exit,
                         .pattern = fx.has_re ? &fx.re : NULL};
    fx.minimize_runs = (size_t)minimize_runs;
    signal(SIGPIPE, SIG_IGN);
    if (!ensure_out(&fx)) {
        if (fx.has_re)
            regfree(&fx.re);
        return cfc_cli_close_stdout(EXIT_TROUBLE);
    }

    cfc_gen_options go = {.seed = (uint64_t)seed, .invalid_fraction = mix};
    cfc_generator *g = cfc_generator_new(&go);
    fx.checker = cfc_checker_new(NULL);
    uint8_t *buf = malloc((size_t)max_len + 1);
    fx_proc *proc = malloc(sizeof *proc);
    int rc = EXIT_CONFORMS;
    if (g == NULL || fx.checker == NULL || buf == NULL || proc == NULL) {
        fputs("cfconform: error: fuzz-exec: out of memory\n", stderr);
        rc = EXIT_TROUBLE;
        goto done;
    }

    {
        cfc_gen_options vo = {.seed = (uint64_t)seed, .invalid_fraction = 0};
        cfc_generator *vg = cfc_generator_new(&vo);
        cfc_gen_event e;
        if (vg == NULL || cfc_generator_next(vg, &e) != 0) {
            cfc_generator_free(vg);
            fputs("cfconform: error: fuzz-exec: out of memory\n", stderr);
            rc = EXIT_TROUBLE;
            goto done;
        }
        int pf = preflight(&fx, (const uint8_t *)e.text, e.len);
        cfc_generator_free(vg);
        if (pf != 0) {
            rc = EXIT_TROUBLE;
            goto done;
        }
    }
    /* --max-time counts from here: the control runs are not fuzzing. */
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fx.deadline = t0;
    fx.deadline.tv_sec += (time_t)max_time;
    fx.deadline.tv_nsec += (long)((max_time - (double)(time_t)max_time) * 1e9);
    if (fx.deadline.tv_nsec >= 1000000000L) {
        fx.deadline.tv_sec++;
        fx.deadline.tv_nsec -= 1000000000L;
    }
    double last_progress = 0;
    size_t n_runs = 0, inputs_failed = 0;
    bool running = false, started_once = false;
    unsigned mseed = (unsigned)seed * 2654435761u;
    char label[96] = "";
    for (; n_runs < (size_t)runs && seconds_since(&t0) < max_time &&
           fx.n_failures < (size_t)max_failures;
         n_runs++) {
        cfc_gen_event e;
        if (cfc_generator_next(g, &e) != 0) {
            fputs("cfconform: error: fuzz-exec: out of memory\n", stderr);
            rc = EXIT_TROUBLE;
            break;
        }
        size_t len = e.len < (size_t)max_len ? e.len : (size_t)max_len;
        memcpy(buf, e.text, len);
        snprintf(label, sizeof label, "%s%s", e.valid ? "a valid" : "an invalid (",
                 e.valid ? "" : cfc_rule_get(e.rule)->id);
        if (!e.valid)
            strncat(label, ")", sizeof label - strlen(label) - 1);
        if ((double)((mseed = mseed * 1103515245u + 12345u) >> 8) / 16777216.0 < mutate) {
            int rounds = 1 + (int)(mseed >> 29) % 3;
            for (int k = 0; k < rounds; k++)
                len = cfc_mutate(buf, len, (size_t)max_len, mseed + (unsigned)k);
            snprintf(label, sizeof label, "a mutated");
        }
        for (size_t k = 0; k < len; k++) { /* one input, one line */
            if (buf[k] == '\n' || buf[k] == '\r')
                buf[k] = ' ';
        }

        fx_result r;
        if (fx.per_input) {
            char err[256];
            r = fx_run_once(fx.argv, &fx.lim, buf, len, err, sizeof err);
            if (r.outcome == FX_ERROR) {
                fprintf(stderr, "cfconform: error: fuzz-exec: could not run %s\n", err);
                rc = EXIT_TROUBLE;
                break;
            }
        } else {
            if (!running) {
                if (fx_start(proc, fx.argv) != 0) {
                    fprintf(stderr, "cfconform: error: fuzz-exec: could not run %s\n", proc->error);
                    rc = EXIT_TROUBLE;
                    break;
                }
                running = started_once = true;
                context_clear(&fx);
            }
            context_push(&fx, buf, len);
            bool first = proc->lines == 0;
            r = fx_send(proc, &fx.lim, buf, len);
            /* A first answer slower than measured: the machine got slower. */
            if (first && r.outcome == FX_OK &&
                startup_allowance(proc->first_answer_ms) > fx.lim.startup_ms)
                fx.lim.startup_ms = startup_allowance(proc->first_answer_ms);
            if (r.outcome != FX_OK) {
                fx_kill(proc);
                running = false;
            }
        }
        if (r.outcome != FX_OK) {
            inputs_failed++;
            fx.slow_start = false;
            if (record(&fx, &r, buf, len, label, !fx.per_input) != 0) {
                rc = EXIT_TROUBLE;
                break;
            }
            /* Not a hang after all: the input was answered when given
             * time. If a start was part of it, allow starts more. */
            if (fx.slow_start) {
                inputs_failed--;
                if (fx.per_input || proc->lines == 0)
                    fx.lim.startup_ms = fx.lim.startup_ms > 30000 ? 60000 : 2 * fx.lim.startup_ms;
            }
        }
        double t = seconds_since(&t0);
        if (!fx.quiet && t - last_progress >= 5) {
            last_progress = t;
            fprintf(stderr, "fuzz-exec: #%zu, %.0f execs/s, %zu failure%s\n", n_runs + 1,
                    (double)(n_runs + 1) / t, fx.n_failures, fx.n_failures == 1 ? "" : "s");
        }
    }
    if (running) { /* the end of input: it must exit cleanly */
        fx_result r = fx_finish(proc, &fx.lim);
        if (r.outcome != FX_OK && rc != EXIT_TROUBLE) {
            inputs_failed++;
            snprintf(label, sizeof label, "the end of");
            if (record(&fx, &r, (const uint8_t *)"", 0, label, true) != 0)
                rc = EXIT_TROUBLE;
        }
    }
    (void)started_once;
    if (rc != EXIT_TROUBLE) {
        print_summary(&fx, n_runs, seconds_since(&t0), inputs_failed);
        rc = fx.n_failures ? EXIT_VIOLATIONS : EXIT_CONFORMS;
    }

done:
    if (fx.out_created && fx.n_failures == 0)
        rmdir(fx.out_dir); /* made at the start, and nothing to keep */
    for (size_t k = 0; k < fx.n_failures; k++) {
        free(fx.failures[k].original);
        free(fx.failures[k].minimal);
    }
    context_clear(&fx);
    if (fx.has_re)
        regfree(&fx.re);
    free(proc);
    free(buf);
    cfc_checker_free(fx.checker);
    cfc_generator_free(g);
    return cfc_cli_close_stdout(rc);
}
