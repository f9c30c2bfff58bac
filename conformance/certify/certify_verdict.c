/* SPDX-License-Identifier: MIT */
/*
 * Grading: what the adapter answered to a step, against what the catalogue
 * expects. Every sent text goes through the conformance checker (the same
 * rules as `cfconform check`); a scenario's texts go through one stream, so
 * the stream rules (contract-rules.md section S) apply to them too.
 *
 * Severity of what is found: anything an event must not be (a checker
 * error, a wrong value, any raise (C2), a call of the manager outside the
 * contract's broadcast(message) (C1), a refusal of valid arguments, a wrong
 * number of events) is FAIL; what is acceptable but not strict (a checker
 * warning, a missing ERROR log line on a failed broadcast) is NON-STRICT.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"
#include "cfc/stream.h"
#include "cfc/timestamp.h"

/* ---- accumulating a verdict --------------------------------------------------- */

void cfc__grade_init(cfc__grade *g, const cfc_allocator *a)
{
    memset(g, 0, sizeof *g);
    g->alloc = a;
    g->verdict = CFC_VERDICT_PASS;
    g->prefix = "";
}

/* The message a format makes, with its prefix (the allocator's), or NULL. */
static char *format(cfc__grade *g, const char *fmt, va_list ap, const char *prefix)
{
    cfc__buf b;
    cfc__buf_init(&b, g->alloc);
    cfc__buf_puts(&b, prefix);
    char small[512];
    va_list aq;
    va_copy(aq, ap);
    int len = vsnprintf(small, sizeof small, fmt, aq);
    va_end(aq);
    if (len >= 0 && (size_t)len < sizeof small) {
        cfc__buf_add(&b, small, (size_t)len);
    } else if (len >= 0) {
        char *big = cfc__cmalloc(g->alloc, (size_t)len + 1);
        if (big) {
            vsnprintf(big, (size_t)len + 1, fmt, ap);
            cfc__buf_add(&b, big, (size_t)len);
            cfc__cfree(g->alloc, big);
        } else {
            b.failed = true;
        }
    }
    return cfc__buf_take(&b, NULL);
}

static void append(cfc__grade *g, char ***list, size_t *n, size_t *cap, char *s)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        char **l = cfc__crealloc(g->alloc, *list, nc * sizeof *l);
        if (l == NULL) {
            cfc__cfree(g->alloc, s);
            g->nomem = true;
            return;
        }
        *list = l;
        *cap = nc;
    }
    (*list)[(*n)++] = s;
}

/* Over CFC_CERT_KEEP_FINDINGS, a finding is kept only when its rule is not
 * among those kept yet: the per-rule summary stays exact. */
static bool new_rule(const cfc__grade *g, const char *message)
{
    char rule[48], other[48];
    cfc_cert_message_rule(message, CFC_VERDICT_FAIL, rule, sizeof rule);
    for (size_t i = 0; i < g->n_messages; i++) {
        cfc_cert_message_rule(g->messages[i], CFC_VERDICT_FAIL, other, sizeof other);
        if (strcmp(rule, other) == 0)
            return false;
    }
    return true;
}

void cfc__grade_note(cfc__grade *g, cfc_verdict v, const char *fmt, ...)
{
    if (v > g->verdict)
        g->verdict = v;
    if (g->nomem)
        return;
    va_list ap;
    va_start(ap, fmt);
    char *m = format(g, fmt, ap, g->prefix);
    va_end(ap);
    if (m == NULL) {
        g->nomem = true;
        return;
    }
    if (g->n_messages >= CFC_CERT_KEEP_FINDINGS && !new_rule(g, m)) {
        g->dropped_messages++;
        cfc__cfree(g->alloc, m);
        return;
    }
    append(g, &g->messages, &g->n_messages, &g->cap_messages, m);
}

void cfc__grade_diff(cfc__grade *g, const char *fmt, ...)
{
    if (g->nomem)
        return;
    if (g->n_diff >= CFC_CERT_KEEP_FINDINGS) {
        g->dropped_diff++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *m = format(g, fmt, ap, "");
    va_end(ap);
    if (m == NULL)
        g->nomem = true;
    else
        append(g, &g->diff, &g->n_diff, &g->cap_diff, m);
}

void cfc__grade_finish(cfc__grade *g)
{
    if (g->nomem)
        return;
    char line[160];
    if (g->dropped_messages) {
        snprintf(line, sizeof line,
                 "%zu more findings not shown (a case keeps its first %d and one of every other "
                 "rule)",
                 g->dropped_messages, CFC_CERT_KEEP_FINDINGS);
        char *m = cfc__cstrndup(g->alloc, line, strlen(line));
        if (m == NULL)
            g->nomem = true;
        else
            append(g, &g->messages, &g->n_messages, &g->cap_messages, m);
    }
    if (g->dropped_diff && !g->nomem) {
        snprintf(line, sizeof line, "  ... %zu more lines not shown", g->dropped_diff);
        char *m = cfc__cstrndup(g->alloc, line, strlen(line));
        if (m == NULL)
            g->nomem = true;
        else
            append(g, &g->diff, &g->n_diff, &g->cap_diff, m);
    }
    g->dropped_messages = g->dropped_diff = 0;
}

void cfc__grade_free(cfc__grade *g)
{
    for (size_t i = 0; i < g->n_messages; i++)
        cfc__cfree(g->alloc, g->messages[i]);
    for (size_t i = 0; i < g->n_diff; i++)
        cfc__cfree(g->alloc, g->diff[i]);
    cfc__cfree(g->alloc, g->messages);
    cfc__cfree(g->alloc, g->diff);
    g->messages = g->diff = NULL;
    g->n_messages = g->n_diff = 0;
}

/* ---- checking events ------------------------------------------------------------- */

struct cfc__events {
    const cfc_allocator *alloc;
    cfc_checker *checker;
    cfc_stream *stream;  /* scenarios only */
    cfc_jparser *parser; /* to compare field values */
};

/* A scenario is one stream from the producer's start (when the catalogue
 * says from_start), subscribed to its project; a case of single events has
 * none. */
static bool events_start(cfc__events *e, const cfc_cert_case *c)
{
    cfc_stream_free(e->stream);
    e->stream = NULL;
    if (!c->scenario)
        return true;
    /* ==== STREAM RULES (contract-rules.md section S, cfc/stream.h) ==== */
    cfc_stream_options so = {.from_start = c->from_start,
                             .subscribed_project_id = c->subscribed_project};
    e->stream = cfc_stream_new(e->checker, &so);
    return e->stream != NULL;
}

cfc__events *cfc__events_new(const cfc_allocator *a, const cfc_cert_case *c)
{
    cfc__events *e = cfc__cmalloc(a, sizeof *e);
    if (e == NULL)
        return NULL;
    memset(e, 0, sizeof *e);
    e->alloc = a;
    cfc_check_options co = {.alloc = a};
    e->checker = cfc_checker_new(&co);
    cfc_jalloc ja = {0};
    if (a)
        ja = (cfc_jalloc){a->malloc_fn, a->realloc_fn, a->free_fn, a->ctx};
    e->parser = cfc_jparser_new_with_alloc(a ? &ja : NULL);
    if (e->checker == NULL || e->parser == NULL || !events_start(e, c)) {
        cfc__events_free(e);
        return NULL;
    }
    return e;
}

bool cfc__events_restart(cfc__events *e, const cfc_cert_case *c)
{
    return events_start(e, c);
}

void cfc__events_free(cfc__events *e)
{
    if (e == NULL)
        return;
    cfc_stream_free(e->stream);
    cfc_checker_free(e->checker);
    cfc_jparser_free(e->parser);
    cfc__cfree(e->alloc, e);
}

/* ==== STREAM RULES: the one place certification runs them ====
 * Checks one sent text: with the single-event rules, and, in a scenario,
 * with the stream rules of everything sent before it in the same case. */
static cfc_check_status check_text(cfc__events *e, const char *bytes, size_t len,
                                   const cfc_event_result **res)
{
    if (e->stream)
        return cfc_stream_check_event(e->stream, bytes, len, res);
    return cfc_check_event(e->checker, bytes, len, res);
}

/* A short, printable rendering of a parsed value for diff lines. */
static void show(cfc__buf *b, const cfc_jval *v, const char *src)
{
    size_t start = b->len;
    cfc__buf_jval(b, v, src);
    if (b->len - start > 200) {
        b->len = start + 197;
        /* Do not cut inside a UTF-8 sequence. */
        while (b->len > start && ((unsigned char)b->data[b->len] & 0xC0) == 0x80)
            b->len--;
        cfc__buf_puts(b, "...");
    }
}

static char *shown(const cfc_allocator *a, const cfc_jval *v, const char *src)
{
    cfc__buf b;
    cfc__buf_init(&b, a);
    show(&b, v, src);
    return cfc__buf_take(&b, NULL);
}

/* Checks every finding; returns how many errors. */
static size_t grade_findings(cfc__grade *g, const cfc_event_result *res, size_t index, size_t n)
{
    char which[32] = "";
    if (n > 1)
        snprintf(which, sizeof which, "event %zu: ", index + 1);
    for (size_t i = 0; i < res->n_findings; i++) {
        const cfc_finding *f = &res->findings[i];
        const cfc_rule_info *ri = cfc_rule_get(f->rule);
        cfc__grade_note(
            g, f->severity == CFC_SEVERITY_ERROR ? CFC_VERDICT_FAIL : CFC_VERDICT_NON_STRICT,
            "%s%s[%s] %s: %s", which, cfc_severity_name(f->severity), ri ? ri->id : "?",
            f->pointer[0] ? f->pointer : "(event)", f->message);
    }
    if (res->n_dropped)
        cfc__grade_note(g, CFC_VERDICT_FAIL, "%s%zu more findings not shown", which,
                        res->n_dropped);
    return res->errors;
}

/* The value of `name` in the event (first occurrence), or NULL. */
static const cfc_jval *field(const cfc_jval *ev, const cfc_jval *key)
{
    return cfc_jobject_getn(ev, key->key, key->key_len);
}

/* Values: what the catalogue expects against what was sent, field by field,
 * with a diff line for each. */
static void compare_fields(cfc__grade *g, const cfc_cert_step *step, const cfc_jval *ev,
                           const char *ev_src, const cfc_cert_reply *reply, int64_t tolerance_ms)
{
    const struct cfc__expect *ex = step->detail;
    const cfc_allocator *a = g->alloc;
    const cfc_jval *type = cfc_jobject_get(ev, "type");
    if (type && type->type == CFC_J_STRING && strcmp(type->u.str.s, step->type->name) == 0) {
        cfc__grade_diff(g, "  type: \"%s\"", step->type->name);
    } else {
        char *got = type ? shown(a, type, ev_src) : NULL;
        cfc__grade_note(g, CFC_VERDICT_FAIL, "/type is %s, expected \"%s\"", got ? got : "missing",
                        step->type->name);
        cfc__grade_diff(g, "- type: \"%s\"", step->type->name);
        if (got)
            cfc__grade_diff(g, "+ type: %s", got);
        cfc__cfree(a, got);
    }
    for (const cfc_jval *k = ex->fields ? ex->fields->u.kids.first : NULL; k; k = k->next) {
        const cfc_jval *v = field(ev, k);
        char *want = shown(a, k, ex->src);
        char *got = v ? shown(a, v, ev_src) : NULL;
        if (want == NULL || (v && got == NULL)) {
            g->nomem = true;
        } else if (v == NULL) {
            cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is missing, expected %s", k->key, want);
            cfc__grade_diff(g, "- %s: %s", k->key, want);
        } else if (!cfc__jval_equal(k, v)) {
            cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is %s, expected %s", k->key, got, want);
            cfc__grade_diff(g, "- %s: %s", k->key, want);
            cfc__grade_diff(g, "+ %s: %s", k->key, got);
        } else {
            cfc__grade_diff(g, "  %s: %s", k->key, got);
        }
        cfc__cfree(a, want);
        cfc__cfree(a, got);
    }
    for (const cfc_jval *k = ex->one_of ? ex->one_of->u.kids.first : NULL; k; k = k->next) {
        const cfc_jval *v = field(ev, k);
        char *want = shown(a, k, ex->src);
        char *got = v ? shown(a, v, ev_src) : NULL;
        bool any = false;
        for (const cfc_jval *alt = k->u.kids.first; v && alt && !any; alt = alt->next)
            any = cfc__jval_equal(alt, v);
        if (want == NULL || (v && got == NULL)) {
            g->nomem = true;
        } else if (v == NULL) {
            cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is missing, expected one of %s", k->key,
                            want);
            cfc__grade_diff(g, "- %s: one of %s", k->key, want);
        } else if (!any) {
            cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is %s, expected one of %s", k->key, got,
                            want);
            cfc__grade_diff(g, "- %s: one of %s", k->key, want);
            cfc__grade_diff(g, "+ %s: %s", k->key, got);
        } else {
            cfc__grade_diff(g, "  %s: %s", k->key, got);
        }
        cfc__cfree(a, want);
        cfc__cfree(a, got);
    }
    for (const cfc_jval *k = ex->maybe ? ex->maybe->u.kids.first : NULL; k; k = k->next) {
        const cfc_jval *v = field(ev, k);
        if (v == NULL)
            continue;
        char *want = shown(a, k, ex->src);
        char *got = shown(a, v, ev_src);
        if (want == NULL || got == NULL) {
            g->nomem = true;
        } else if (!cfc__jval_equal(k, v)) {
            cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is %s, expected %s (or absent)", k->key, got,
                            want);
            cfc__grade_diff(g, "- %s: %s (or absent)", k->key, want);
            cfc__grade_diff(g, "+ %s: %s", k->key, got);
        } else {
            cfc__grade_diff(g, "  %s: %s", k->key, got);
        }
        cfc__cfree(a, want);
        cfc__cfree(a, got);
    }
    for (const cfc_jval *k = ex->absent ? ex->absent->u.kids.first : NULL; k; k = k->next) {
        const cfc_jval *v = cfc_jobject_getn(ev, k->u.str.s, k->u.str.len);
        if (v == NULL)
            continue;
        char *got = shown(a, v, ev_src);
        if (got == NULL) {
            g->nomem = true;
            continue;
        }
        cfc__grade_note(g, CFC_VERDICT_FAIL, "/%s is present (%s), expected absent", k->u.str.s,
                        got);
        cfc__grade_diff(g, "+ %s: %s (expected absent)", k->u.str.s, got);
        cfc__cfree(a, got);
    }
    /* Fields the catalogue does not mention: shown, judged by the checker. */
    for (const cfc_jval *v = ev->u.kids.first; v; v = v->next) {
        bool mentioned = (v->key_len == 4 && memcmp(v->key, "type", 4) == 0) ||
                         (v->key_len == 9 && memcmp(v->key, "timestamp", 9) == 0);
        const cfc_jval *lists[] = {ex->fields, ex->one_of, ex->maybe};
        for (size_t i = 0; i < 3 && !mentioned; i++)
            mentioned = lists[i] && cfc_jobject_getn(lists[i], v->key, v->key_len) != NULL;
        for (const cfc_jval *k = ex->absent ? ex->absent->u.kids.first : NULL; k && !mentioned;
             k = k->next)
            mentioned = k->u.str.len == v->key_len && memcmp(k->u.str.s, v->key, v->key_len) == 0;
        if (mentioned)
            continue;
        char *got = shown(a, v, ev_src);
        if (got == NULL) {
            g->nomem = true;
            continue;
        }
        cfc__grade_diff(g, "+ %.*s: %s", (int)(v->key_len > 64 ? 64 : v->key_len), v->key, got);
        cfc__cfree(a, got);
    }
    /* The timestamp: well-formed is the checker's job; here, when. */
    const cfc_jval *ts = cfc_jobject_get(ev, "timestamp");
    int64_t ms;
    if (ts && ts->type == CFC_J_STRING &&
        cfc_timestamp_parse(ts->u.str.s, ts->u.str.len, &ms) == 0) {
        int64_t lo = reply->called_ms - tolerance_ms;
        int64_t hi = reply->called_ms + (int64_t)reply->elapsed_ms + tolerance_ms;
        if (ms < lo || ms > hi) {
            int64_t off = ms < lo ? reply->called_ms - ms
                                  : ms - reply->called_ms - (int64_t)reply->elapsed_ms;
            char called[25] = "?";
            cfc_timestamp_format(reply->called_ms, called);
            cfc__grade_note(g, CFC_VERDICT_FAIL,
                            "/timestamp %s is %" PRId64 " ms %s the call (%s); at most %" PRId64
                            " ms allowed",
                            ts->u.str.s, off, ms < lo ? "before" : "after", called, tolerance_ms);
            cfc__grade_diff(g, "- timestamp: within %" PRId64 " ms of %s", tolerance_ms, called);
            cfc__grade_diff(g, "+ timestamp: \"%s\"", ts->u.str.s);
        } else {
            cfc__grade_diff(g, "  timestamp: \"%s\"", ts->u.str.s);
        }
    } else if (ts) {
        char *got = shown(a, ts, ev_src);
        if (got)
            cfc__grade_diff(g, "+ timestamp: %s (not a contract timestamp)", got);
        cfc__cfree(a, got);
    } else {
        cfc__grade_diff(g, "- timestamp: (required)");
    }
}

static bool has_error_log(const cfc_cert_reply *r)
{
    for (size_t i = 0; i < r->n_logs; i++) {
        const char *l = r->logs[i].level;
        if (strcmp(l, "ERROR") == 0 || strcmp(l, "CRITICAL") == 0 || strcmp(l, "error") == 0 ||
            strcmp(l, "FATAL") == 0)
            return true;
    }
    return false;
}

/* What an adapter said (an error, a misuse), quoted in a finding: whole up
 * to QUOTE_MAX bytes, else its start and how long it was, so that a finding
 * stays a line however much the adapter wrote. */
#define QUOTE_MAX 1024
static const char *quote(char out[QUOTE_MAX + 64], const char *s)
{
    size_t len = strlen(s);
    if (len <= QUOTE_MAX)
        return s;
    size_t k = QUOTE_MAX;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    snprintf(out, QUOTE_MAX + 64, "%.*s... (%zu bytes)", (int)k, s, len);
    return out;
}

bool cfc__grade_step(cfc__grade *g, cfc__events *ev, const cfc_cert_step *step,
                     const cfc_cert_reply *reply, int64_t tolerance_ms)
{
    char qerr[QUOTE_MAX + 64], qmis[QUOTE_MAX + 64];
    const char *err = quote(qerr, reply->error ? reply->error : "(no detail)");
    /* C1: against a manager written to the contract, any other call raises
     * inside the producer and nothing is sent, whatever this adapter's
     * manager recorded. */
    for (size_t i = 0; i < reply->n_misuse; i++)
        cfc__grade_note(g, CFC_VERDICT_FAIL,
                        "called the manager outside the contract's interface, broadcast(message) "
                        "(rule C1): %s",
                        quote(qmis, reply->misuse[i]));
    switch (step->expect) {
    case CFC_EXPECT_EVENT:
        if (reply->outcome == CFC_OUTCOME_RAISED)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "raised on valid arguments: %s", err);
        else if (reply->outcome == CFC_OUTCOME_REFUSED)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "refused valid arguments%s%s",
                            reply->error ? ": " : "", reply->error ? err : "");
        if (reply->n_sent != 1)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "sent %zu events; expected exactly one",
                            reply->n_sent);
        if (reply->n_sent == 0)
            cfc__grade_diff(g, "- one %s event", step->type->name);
        break;
    case CFC_EXPECT_REFUSE_OR_CONFORM:
        /* C2: a broadcaster never raises, whatever its arguments. */
        if (reply->outcome == CFC_OUTCOME_RAISED && reply->n_sent == 0)
            cfc__grade_note(
                g, CFC_VERDICT_FAIL,
                "raised instead of refusing quietly (rule C2; contract, Error Handling: "
                "never raise): %s",
                err);
        else if (reply->outcome == CFC_OUTCOME_RAISED)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "raised after sending (rule C2): %s", err);
        if (reply->n_sent > 1)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "sent %zu events; expected none, or one",
                            reply->n_sent);
        break;
    case CFC_EXPECT_NO_RAISE:
        if (reply->outcome == CFC_OUTCOME_RAISED)
            cfc__grade_note(g, CFC_VERDICT_FAIL,
                            "raised when the manager's broadcast failed (contract, Error Handling: "
                            "never raise): %s",
                            err);
        else if (!has_error_log(reply))
            cfc__grade_note(
                g, CFC_VERDICT_NON_STRICT,
                "no ERROR log line for the failed broadcast (contract, Error Handling: log "
                "errors at ERROR level)");
        break;
    }
    for (size_t i = 0; i < reply->n_sent; i++) {
        const cfc_cert_text *t = &reply->sent[i];
        const cfc_event_result *res = NULL;
        if (check_text(ev, t->bytes, t->len, &res) != CFC_CHECK_OK) {
            g->nomem = true;
            break;
        }
        grade_findings(g, res, i, reply->n_sent);
        if (step->expect == CFC_EXPECT_REFUSE_OR_CONFORM && res->type &&
            strcmp(res->type, step->type->name) != 0)
            cfc__grade_note(g, CFC_VERDICT_FAIL, "sent a %.40s event; expected %s", res->type,
                            step->type->name);
        if (step->expect != CFC_EXPECT_EVENT || reply->n_sent != 1)
            continue;
        if (t->len > cfc_checker_max_event_bytes(ev->checker)) {
            /* too-large is already a FAIL; not parsing it again keeps a
             * flooding adapter's 16 MiB texts from costing twice. */
            cfc__grade_diff(g, "+ (%zu bytes, over the size limit: see the findings)", t->len);
            continue;
        }
        cfc_jval *root = NULL;
        if (cfc_jparse(ev->parser, t->bytes, t->len, NULL, &root, NULL, NULL, NULL) != 0) {
            g->nomem = true;
            break;
        }
        if (root && root->type == CFC_J_OBJECT)
            compare_fields(g, step, root, t->bytes, reply, tolerance_ms);
        else
            cfc__grade_diff(g, "+ (not a JSON object: see the findings)");
    }
    return !g->nomem;
}
