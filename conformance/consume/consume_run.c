/* SPDX-License-Identifier: MIT */
/*
 * A consumer certification run: the consumer role of the adapter protocol
 * (docs/adapter-protocol.md), over producer certification's adapter
 * session (certify_session.c: start, restart, timed exchanges, the stop
 * flag and the run's deadline, the kill of the adapter's whole group).
 *
 * The difference from producers is who is to blame. A consumer adapter
 * hosts the consumer in its own process, so a process that dies or stops
 * answering is the consumer crashing or hanging: CRASH (D3), and the
 * adapter is restarted for the next case. Only a broken protocol -- an
 * invalid line, an answer out of sequence, {"op":"error"} -- is ERROR.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"
#include "consume_internal.h"

#define DETAIL_MAX 2000

const char *cfc_consume_verdict_name(cfc_consume_verdict v)
{
    switch (v) {
    case CFC_CONSUME_PASS: return "PASS";
    case CFC_CONSUME_NON_STRICT: return "NON-STRICT";
    case CFC_CONSUME_DROPPED: return "DROPPED";
    case CFC_CONSUME_MISREAD: return "MISREAD";
    case CFC_CONSUME_CRASH: return "CRASH";
    case CFC_CONSUME_ERROR: return "ERROR";
    case CFC_CONSUME_VERDICT_COUNT: break;
    }
    return "?";
}

const char *cfc_consume_outcome_name(cfc_consume_outcome o)
{
    switch (o) {
    case CFC_CONSUMED_NONE: return "none";
    case CFC_CONSUMED_READ: return "read";
    case CFC_CONSUMED_REJECTED: return "rejected";
    case CFC_CONSUMED_RAISED: return "raised";
    }
    return "?";
}

typedef struct runner {
    const cfc_consume_catalogue *cat;
    const cfc_consume_options *o;
    const cfc_allocator *a;
    cfc__session s;    /* the adapter: started, restarted, lost, stopped (certify_session.c) */
    cfc_jparser *sent; /* the catalogue's events, for comparing */
    cfc_consume_certification *cert;
} runner;

static char *own_string(runner *r, const cfc_jval *v)
{
    if (v == NULL || v->type != CFC_J_STRING)
        return NULL;
    return cfc__cstrndup(r->a, v->u.str.s, v->u.str.len);
}

/* The consumer role's start request: every event type of the contract. */
static void start_request(cfc__buf *b)
{
    cfc__buf_printf(b, "{\"op\":\"start\",\"protocol\":%d,\"role\":\"consumer\",\"types\":[",
                    CFC_ADAPTER_PROTOCOL);
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t i = 0; i < nt; i++)
        cfc__buf_printf(b, "%s\"%s\"", i ? "," : "", types[i].name);
    cfc__buf_puts(b, "]}\n");
}

/* The consumer's hello (cfc__hello_fn): the first one names the run's
 * implementation. */
static int read_hello(void *ctx, cfc__session *s, char *why, size_t cap)
{
    runner *r = ctx;
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0;
    if (cfc_jparse(s->parser, s->line.data, s->line.len, NULL, &root, &d, &nd, NULL) != 0)
        return -2;
    const char *bad = NULL;
    const cfc_jval *op = cfc_jobject_get(root, "op"), *proto = cfc_jobject_get(root, "protocol"),
                   *role = cfc_jobject_get(root, "role"),
                   *impl = cfc_jobject_get(root, "implementation");
    if (root == NULL || nd > 0)
        bad = nd ? d[0].message : "not JSON";
    else if (op == NULL || op->type != CFC_J_STRING || strcmp(op->u.str.s, "hello") != 0)
        bad = "not {\"op\":\"hello\",...}";
    else if (proto == NULL || proto->type != CFC_J_NUMBER ||
             !(proto->u.num.flags & CFC_JNUM_INT64) || proto->u.num.i != CFC_ADAPTER_PROTOCOL)
        bad = "\"protocol\" is not 1";
    else if (role == NULL || role->type != CFC_J_STRING || strcmp(role->u.str.s, "consumer") != 0)
        bad = "no \"role\":\"consumer\" (is this a producer adapter?)";
    else if (impl == NULL || impl->type != CFC_J_OBJECT || cfc_jobject_get(impl, "name") == NULL ||
             cfc_jobject_get(impl, "name")->type != CFC_J_STRING)
        bad = "no \"implementation\":{\"name\":...}";
    if (bad) {
        snprintf(why, cap, "invalid answer to start: %s", bad);
        return -1;
    }
    if (r->cert->impl_name == NULL) {
        r->cert->impl_name = own_string(r, cfc_jobject_get(impl, "name"));
        const cfc_jval *lang = cfc_jobject_get(impl, "language"),
                       *ver = cfc_jobject_get(impl, "version");
        r->cert->impl_language = lang ? own_string(r, lang) : cfc__cstrndup(r->a, "?", 1);
        r->cert->impl_version = ver ? own_string(r, ver) : cfc__cstrndup(r->a, "?", 1);
        if (r->cert->impl_name == NULL || r->cert->impl_language == NULL ||
            r->cert->impl_version == NULL)
            return -2;
    }
    return 0;
}

/* Makes the session of a run (or of the fuzz phase): 0, -1 / -2 as
 * cfc__session_init. */
static int session_init(runner *r, const char *command, unsigned call_timeout_ms,
                        unsigned start_timeout_ms, const volatile sig_atomic_t *stop,
                        unsigned deadline_ms, char *why, size_t cap)
{
    int rc = cfc__session_init(&r->s, r->a, command, call_timeout_ms, start_timeout_ms, stop,
                               deadline_ms, why, cap);
    r->s.hello = read_hello;
    r->s.hello_ctx = r;
    start_request(&r->s.start);
    return rc;
}

/* ---- grading -------------------------------------------------------------------- */

typedef struct grade {
    runner *r;
    cfc_consume_result *res;
    size_t cap_fields, cap_messages;
    bool nomem;
} grade;

static void note(grade *g, cfc_consume_verdict v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void note(grade *g, cfc_consume_verdict v, const char *fmt, ...)
{
    cfc_consume_result *res = g->res;
    if (v > res->verdict)
        res->verdict = v;
    if (res->n_messages == g->cap_messages) {
        size_t cap = g->cap_messages ? g->cap_messages * 2 : 4;
        char **n = cfc__crealloc(g->r->a, res->messages, cap * sizeof *n);
        if (n == NULL) {
            g->nomem = true;
            return;
        }
        res->messages = n;
        g->cap_messages = cap;
    }
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *m = cfc__cstrndup(g->r->a, msg, strlen(msg));
    if (m == NULL)
        g->nomem = true;
    else
        res->messages[res->n_messages++] = m;
}

/* Grades event i's answer (`ans`, a member of the reply, or NULL). */
static void grade_event(grade *g, size_t i, const cfc_consume_event *ev, const cfc_jval *ans,
                        const char *line)
{
    runner *r = g->r;
    cfc_consume_answer *out = &g->res->answers[g->res->n_answers];
    const cfc_jval *oc = cfc_jobject_get(ans, "outcome");
    const char *outcome = oc && oc->type == CFC_J_STRING ? oc->u.str.s : "";
    const cfc_jval *evv = cfc_jobject_get(ans, "event");
    const cfc_jval *why = cfc_jobject_get(ans, strcmp(outcome, "raised") ? "reason" : "error");
    char pre[32] = "";
    if (g->res->c->n_events > 1)
        snprintf(pre, sizeof pre, "event %zu: ", i + 1);
    out->outcome = strcmp(outcome, "read") == 0       ? CFC_CONSUMED_READ
                   : strcmp(outcome, "rejected") == 0 ? CFC_CONSUMED_REJECTED
                                                      : CFC_CONSUMED_RAISED;
    out->detail = out->outcome == CFC_CONSUMED_READ ? cfc__consume_show(r->a, evv, line, DETAIL_MAX)
                  : why && why->type == CFC_J_STRING
                      ? cfc__consume_show(r->a, why, line, DETAIL_MAX)
                      : NULL;
    if ((out->outcome == CFC_CONSUMED_READ || why) && out->detail == NULL)
        g->nomem = true;
    g->res->n_answers++;
    const char *reason = why && why->type == CFC_J_STRING ? why->u.str.s : "";
    if (out->outcome == CFC_CONSUMED_RAISED) {
        note(g, CFC_CONSUME_CRASH, "%sthe consumer raised: %.400s", pre, reason);
        return;
    }
    if (ev->expect == CFC_EXPECT_SURVIVE)
        return;
    if (ev->expect == CFC_EXPECT_REJECT) {
        if (out->outcome == CFC_CONSUMED_READ)
            note(g, CFC_CONSUME_NON_STRICT,
                 "%sread a non-conforming event (%s) without flagging it", pre, ev->rule);
        return;
    }
    /* A conforming event: every field, exactly. */
    cfc_jval *sent = NULL;
    if (cfc_jparse(r->sent, ev->bytes, ev->len, NULL, &sent, NULL, NULL, NULL) != 0) {
        g->nomem = true;
        return;
    }
    const cfc_jval *tv = cfc_jobject_get(sent, "type");
    const cfc_event_type *t =
        tv && tv->type == CFC_J_STRING ? cfc_contract_find(tv->u.str.s, tv->u.str.len) : NULL;
    if (t == NULL) {
        note(g, CFC_CONSUME_ERROR, "%sthe catalogue's event has no known type", pre);
        return;
    }
    if (out->outcome == CFC_CONSUMED_REJECTED)
        note(g, CFC_CONSUME_DROPPED, "%srejected a conforming event: %.400s", pre, reason);
    size_t before = g->res->n_fields;
    const cfc_jval *read = out->outcome == CFC_CONSUMED_READ ? evv : NULL;
    if (!cfc__consume_compare(r->a, t, sent, ev->bytes, read, line, i, &g->res->fields,
                              &g->res->n_fields, &g->cap_fields, r->cert->matrix[t->id])) {
        g->nomem = true;
        return;
    }
    if (out->outcome == CFC_CONSUMED_REJECTED)
        return; /* one message says it; the fields say which */
    for (size_t k = before; k < g->res->n_fields; k++) {
        const cfc_consume_field_result *f = &g->res->fields[k];
        if (f->read == CFC_READ_DROPPED)
            note(g, CFC_CONSUME_DROPPED, "%s%s dropped: sent %.200s, not read", pre, f->path,
                 f->sent);
        else
            note(g, CFC_CONSUME_MISREAD, "%s%s misread: sent %.200s, read %.200s", pre, f->path,
                 f->sent ? f->sent : "(absent)", f->got ? f->got : "(absent)");
    }
}

/* Checks the reply's shape: {"op":"decoded","seq":N,"results":[...]} with
 * one valid result per event (fewer only when the last one raised). NULL
 * and why, or the results array. */
static const cfc_jval *check_reply(const cfc_jval *root, uint64_t seq, size_t n_events, char *why,
                                   size_t cap, bool *adapter_error)
{
    *adapter_error = false;
    const cfc_jval *op = cfc_jobject_get(root, "op"), *sq = cfc_jobject_get(root, "seq");
    if (op == NULL || op->type != CFC_J_STRING) {
        snprintf(why, cap, "no \"op\"");
        return NULL;
    }
    if (sq == NULL || sq->type != CFC_J_NUMBER || !(sq->u.num.flags & CFC_JNUM_INT64) ||
        (uint64_t)sq->u.num.i != seq) {
        snprintf(why, cap, "out of sequence: the answer is not for request %llu",
                 (unsigned long long)seq);
        return NULL;
    }
    if (strcmp(op->u.str.s, "error") == 0) {
        const cfc_jval *m = cfc_jobject_get(root, "message");
        snprintf(why, cap, "%.400s", m && m->type == CFC_J_STRING ? m->u.str.s : "");
        *adapter_error = true;
        return NULL;
    }
    const cfc_jval *res = cfc_jobject_get(root, "results");
    if (strcmp(op->u.str.s, "decoded") != 0 || res == NULL || res->type != CFC_J_ARRAY) {
        snprintf(why, cap, "not {\"op\":\"decoded\",\"seq\":%llu,\"results\":[...]}",
                 (unsigned long long)seq);
        return NULL;
    }
    if (res->u.kids.count > n_events || res->u.kids.count == 0) {
        snprintf(why, cap, "%zu results for %zu events", res->u.kids.count, n_events);
        return NULL;
    }
    size_t i = 0;
    for (const cfc_jval *k = res->u.kids.first; k; k = k->next, i++) {
        const cfc_jval *oc = cfc_jobject_get(k, "outcome");
        const char *o = oc && oc->type == CFC_J_STRING ? oc->u.str.s : "";
        bool raised = strcmp(o, "raised") == 0;
        const cfc_jval *ev = cfc_jobject_get(k, "event");
        if (strcmp(o, "read") == 0 ? ev == NULL || ev->type != CFC_J_OBJECT
                                   : strcmp(o, "rejected") != 0 && !raised) {
            snprintf(why, cap,
                     "result %zu is not {\"outcome\":\"read\",\"event\":{...}}, "
                     "{\"outcome\":\"rejected\"} or {\"outcome\":\"raised\"}",
                     i + 1);
            return NULL;
        }
        if (raised && k->next) {
            snprintf(why, cap, "result %zu: results after a raise", i + 1);
            return NULL;
        }
        if (k->next == NULL && i + 1 < n_events && !raised) {
            snprintf(why, cap, "%zu results for %zu events", i + 1, n_events);
            return NULL;
        }
    }
    return res;
}

/* Runs one case into *res. false on out of memory. */
static bool run_case(runner *r, const cfc_consume_case *c, cfc_consume_result *res)
{
    cfc__session *s = &r->s;
    memset(res, 0, sizeof *res);
    res->c = c;
    int64_t t0 = cfc__now_mono_ms();
    grade g = {.r = r, .res = res};
    res->answers = cfc__cmalloc(r->a, c->n_events * sizeof *res->answers);
    if (res->answers == NULL)
        return false;
    memset(res->answers, 0, c->n_events * sizeof *res->answers);
    char why[1200];
    int erc = cfc__session_ensure(s, why, sizeof why);
    if (erc == -2)
        return false;
    if (erc != 0) {
        note(&g, CFC_CONSUME_ERROR, "%s", why);
        goto done;
    }
    uint64_t seq = ++s->seq;
    s->req.len = 0;
    cfc__buf_printf(&s->req, "{\"op\":\"decode\",\"seq\":%llu,\"events\":[",
                    (unsigned long long)seq);
    for (size_t i = 0; i < c->n_events; i++) {
        if (i)
            cfc__buf_puts(&s->req, ",");
        cfc__buf_json_str(&s->req, c->events[i].bytes, c->events[i].len);
    }
    cfc__buf_puts(&s->req, "]}\n");
    if (!cfc__buf_ok(&s->req))
        return false;
    bool send_failed;
    int rc = cfc__session_exchange(s, &send_failed);
    if (rc == -4)
        return false;
    if (rc == -5) { /* the run ends: the case is dropped (half a case is no verdict) */
        note(&g, CFC_CONSUME_ERROR, "%s", s->stopped ? "stopped" : "the run's deadline passed");
        goto done;
    }
    if (rc != 0) {
        char what[160];
        if (rc == -2)
            snprintf(what, sizeof what, "the consumer hangs: no answer within %u ms; killed",
                     s->call_timeout);
        else if (rc == -3)
            snprintf(what, sizeof what, "an answer longer than %zu bytes", CFC__PROTO_MAX_LINE);
        else
            snprintf(what, sizeof what, "the consumer crashed: the adapter closed its output");
        /* After the end of its output, a moment to exit: the report says how it ended. */
        cfc__session_lost(s, why, sizeof why, what, rc == -1 ? CFC__EOF_GRACE_MS : 0);
        note(&g, rc == -3 ? CFC_CONSUME_ERROR : CFC_CONSUME_CRASH, "%s", why);
        goto done;
    }
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0;
    if (cfc_jparse(s->parser, s->line.data, s->line.len, NULL, &root, &d, &nd, NULL) != 0)
        return false;
    /* Strict, as producer answers are read; a \u0000 is a value a consumer
     * may well have read (a string holding NUL), not a protocol fault. */
    const cfc_jdiag *bad = NULL;
    for (size_t k = 0; k < nd && !bad; k++)
        if (d[k].code != CFC_JD_NUL_ESCAPE)
            bad = &d[k];
    if (root == NULL || bad) {
        cfc__session_stop(s, false);
        note(&g, CFC_CONSUME_ERROR,
             "invalid answer: invalid JSON: %.300s; the adapter was restarted",
             bad ? bad->message : "empty");
        goto done;
    }
    bool adapter_error;
    const cfc_jval *results = check_reply(root, seq, c->n_events, why, 600, &adapter_error);
    if (results == NULL) {
        if (adapter_error) {
            note(&g, CFC_CONSUME_ERROR, "the adapter could not decode: %s", why);
        } else {
            cfc__session_stop(s, false);
            note(&g, CFC_CONSUME_ERROR, "invalid answer: %s; the adapter was restarted", why);
        }
        goto done;
    }
    size_t i = 0;
    for (const cfc_jval *k = results->u.kids.first; k; k = k->next, i++)
        grade_event(&g, i, &c->events[i], k, s->line.data);
done:
    res->elapsed_ms = (uint32_t)(cfc__now_mono_ms() - t0);
    return cfc__session_release_big(s, s->line.len) && !g.nomem;
}

static void result_free(const cfc_allocator *a, cfc_consume_result *res)
{
    for (size_t i = 0; i < res->n_messages; i++)
        cfc__cfree(a, res->messages[i]);
    cfc__cfree(a, res->messages);
    for (size_t i = 0; i < res->n_fields; i++) {
        cfc__cfree(a, res->fields[i].sent);
        cfc__cfree(a, res->fields[i].got);
    }
    cfc__cfree(a, res->fields);
    for (size_t i = 0; i < res->n_answers; i++)
        cfc__cfree(a, res->answers[i].detail);
    cfc__cfree(a, res->answers);
}

void cfc_consume_certification_free(cfc_consume_certification *cert)
{
    if (cert == NULL)
        return;
    const cfc_allocator *a = cert->alloc;
    for (size_t i = 0; cert->results && i < cert->n_results; i++)
        result_free(a, &cert->results[i]);
    cfc__cfree(a, cert->results);
    cfc__consume_fuzz_free(cert);
    for (size_t t = 0; t < CFC_EV_COUNT; t++)
        cfc__cfree(a, cert->matrix[t]);
    cfc__cfree(a, cert->adapter_command);
    cfc__cfree(a, cert->selection);
    cfc__cfree(a, cert->impl_name);
    cfc__cfree(a, cert->impl_language);
    cfc__cfree(a, cert->impl_version);
    cfc__cfree(a, cert);
}

unsigned cfc_consume_score(const cfc_consume_certification *cert)
{
    return cert ? cfc__run_score(cert->counts[CFC_CONSUME_PASS], cert->n_results) : 0;
}

cfc_certify_status cfc_consume_run(const cfc_consume_catalogue *cat, const cfc_consume_options *o,
                                   cfc_consume_certification **out, cfc_certify_error *err)
{
    (void)cfc__run_fail(err, CFC_CERTIFY_OK, "%s", "");
    if (cat == NULL || o == NULL || out == NULL || o->adapter_command == NULL)
        return cfc__run_fail(err, CFC_CERTIFY_USAGE, "%s", "no catalogue or no adapter command");
    runner r;
    memset(&r, 0, sizeof r);
    r.cat = cat;
    r.o = o;
    r.a = o->alloc;

    size_t selected = 0;
    for (size_t i = 0; i < cfc_consume_catalogue_count(cat); i++)
        selected += cfc_case_selected(cfc_consume_catalogue_case(cat, i)->id, o->cases);
    if (selected == 0)
        return cfc__run_fail(err, CFC_CERTIFY_USAGE, "no case matches %.400s",
                             o->cases ? o->cases : "");
    char why[1024];
    cfc_certify_status status = CFC_CERTIFY_OK;
    int sr = session_init(&r, o->adapter_command, o->call_timeout_ms, o->start_timeout_ms, o->stop,
                          o->deadline_ms, why, sizeof why);
    if (sr != 0) {
        status =
            cfc__run_fail(err, sr == -2 ? CFC_CERTIFY_NOMEM : CFC_CERTIFY_USAGE, "%.480s", why);
        goto done;
    }
    r.sent = cfc_jparser_new_with_alloc(r.a ? &r.s.ja : NULL); /* the session's allocator */
    r.cert = cfc__cmalloc(r.a, sizeof *r.cert);
    if (r.cert)
        memset(r.cert, 0, sizeof *r.cert);
    if (r.sent == NULL || r.cert == NULL) {
        status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
        goto done;
    }
    cfc_consume_certification *cert = r.cert;
    cert->alloc = r.a;
    cert->catalogue = cat;
    cert->started_ms = cfc__now_real_ms();
    int64_t t0 = cfc__now_mono_ms();
    cert->adapter_command = cfc__cstrndup(r.a, o->adapter_command, strlen(o->adapter_command));
    cert->selection =
        o->cases && o->cases[0] ? cfc__cstrndup(r.a, o->cases, strlen(o->cases)) : NULL;
    cert->n_selected = selected;
    cert->results = cfc__cmalloc(r.a, selected * sizeof *cert->results);
    bool ok =
        cert->adapter_command && cert->results && (!o->cases || !o->cases[0] || cert->selection);
    for (size_t t = 0; t < CFC_EV_COUNT && ok; t++) {
        size_t nf;
        cfc_consume_fields((cfc_event_id)t, &nf);
        cert->matrix[t] = cfc__cmalloc(r.a, nf * sizeof *cert->matrix[t]);
        if (cert->matrix[t] == NULL)
            ok = false;
        else
            memset(cert->matrix[t], 0, nf * sizeof *cert->matrix[t]);
    }
    if (!ok) {
        status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
        goto done;
    }
    int rc = cfc__session_start(&r.s, why, sizeof why);
    bool started = rc == 0;
    if (rc == -1 && (r.s.stopped || r.s.deadline_hit)) {
        /* Stopped before the adapter said hello: a run of no case. */
        if (!cfc__session_unnamed(r.a, &cert->impl_name, &cert->impl_language,
                                  &cert->impl_version)) {
            status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
            goto done;
        }
    } else if (rc != 0) {
        status = rc == -2 ? cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory")
                          : cfc__run_fail(err, CFC_CERTIFY_ADAPTER, "%.480s", why);
        goto done;
    }
    for (size_t i = 0; started && i < cfc_consume_catalogue_count(cat); i++) {
        const cfc_consume_case *c = cfc_consume_catalogue_case(cat, i);
        if (!cfc_case_selected(c->id, o->cases))
            continue;
        if (cfc__session_ends(&r.s))
            break;
        cfc_consume_result *res = &cert->results[cert->n_results];
        bool case_ok = run_case(&r, c, res);
        if (case_ok && (r.s.stopped || r.s.deadline_hit)) { /* half a case is no verdict */
            result_free(r.a, res);
            break;
        }
        cert->n_results++; /* counted either way: freed with the certification */
        if (!case_ok) {
            status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
            goto done;
        }
        cert->counts[res->verdict]++;
        if (o->on_case)
            o->on_case(o->on_case_ctx, res);
    }
    cert->stopped = r.s.stopped || r.s.deadline_hit;
    cfc__session_stop(&r.s, !cert->stopped);
    cert->deadline = r.s.deadline_hit;
    cert->stop_signal = r.s.stopped && o->stop ? (int)*o->stop : 0;
    cert->adapter_starts = r.s.starts;
    /* C4: a subset is partial, never certified; nor is a run stopped early. */
    cert->partial = cert->n_results < cfc_consume_catalogue_count(cat) || cert->stopped;
    cert->certified = !cert->partial && cert->counts[CFC_CONSUME_DROPPED] == 0 &&
                      cert->counts[CFC_CONSUME_MISREAD] == 0 &&
                      cert->counts[CFC_CONSUME_CRASH] == 0 && cert->counts[CFC_CONSUME_ERROR] == 0;
    cert->elapsed_ms = (uint32_t)(cfc__now_mono_ms() - t0);
done:
    cfc__session_free(&r.s, false);
    cfc_jparser_free(r.sent);
    if (status != CFC_CERTIFY_OK) {
        cfc_consume_certification_free(r.cert);
        return status;
    }
    *out = r.cert;
    return CFC_CERTIFY_OK;
}

/* ---- a session: one event at a time (the fuzz phase) ----------------------------- */

struct cfc__consume_session {
    runner r;
    cfc_consume_certification stub; /* what the hello records (the implementation) */
};

cfc__consume_session *cfc__consume_session_new(const char *command, unsigned timeout_ms,
                                               const volatile sig_atomic_t *stop,
                                               unsigned deadline_ms, const cfc_allocator *a,
                                               char *why, size_t cap)
{
    cfc__consume_session *s = cfc__cmalloc(a, sizeof *s);
    if (s == NULL) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    memset(s, 0, sizeof *s);
    runner *r = &s->r;
    r->a = a;
    r->cert = &s->stub;
    s->stub.alloc = a;
    if (session_init(r, command, timeout_ms, 0, stop, deadline_ms, why, cap) != 0 ||
        cfc__session_start(&r->s, why, cap) != 0) {
        cfc__consume_session_free(s);
        return NULL;
    }
    return s;
}

void cfc__consume_session_free(cfc__consume_session *s)
{
    if (s == NULL)
        return;
    runner *r = &s->r;
    cfc__session_free(&r->s, !r->s.stopped);
    cfc__cfree(r->a, s->stub.impl_name);
    cfc__cfree(r->a, s->stub.impl_language);
    cfc__cfree(r->a, s->stub.impl_version);
    cfc__cfree(r->a, s);
}

size_t cfc__consume_session_starts(const cfc__consume_session *s)
{
    return s->r.s.starts;
}

cfc__fuzz_rc cfc__consume_session_decode(cfc__consume_session *cs, const char *bytes, size_t len,
                                         char *why, size_t cap)
{
    cfc__session *s = &cs->r.s;
    why[0] = '\0';
    if (!cfc__session_release_big(s, s->line.len)) /* the last answer's, if it was huge */
        return CFC__FUZZ_NOMEM;
    if (cfc__session_ends(s))
        return CFC__FUZZ_STOPPED;
    int erc = cfc__session_ensure(s, why, cap);
    if (erc == -2)
        return CFC__FUZZ_NOMEM;
    if (erc != 0)
        return s->stopped ? CFC__FUZZ_STOPPED : CFC__FUZZ_BROKEN;
    uint64_t seq = ++s->seq;
    s->req.len = 0;
    cfc__buf_printf(&s->req, "{\"op\":\"decode\",\"seq\":%llu,\"events\":[",
                    (unsigned long long)seq);
    cfc__buf_json_str(&s->req, bytes, len);
    cfc__buf_puts(&s->req, "]}\n");
    if (!cfc__buf_ok(&s->req))
        return CFC__FUZZ_NOMEM;
    bool send_failed;
    int rc = cfc__session_exchange(s, &send_failed);
    if (rc == -4)
        return CFC__FUZZ_NOMEM;
    if (rc == -5)
        return CFC__FUZZ_STOPPED;
    if (rc == -2 || rc == -1) {
        cfc__session_lost(s, why, cap, rc == -2 ? "the consumer hangs" : "the consumer died", 0);
        return CFC__FUZZ_CRASH;
    }
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0;
    /* Only the outcome matters here: a value read that strict JSON cannot
     * hold (a lone surrogate the consumer kept) is not a broken protocol. */
    if (rc != 0 || cfc_jparse(s->parser, s->line.data, s->line.len, NULL, &root, &d, &nd, NULL))
        goto broken;
    bool adapter_error;
    const cfc_jval *results = root ? check_reply(root, seq, 1, why, cap, &adapter_error) : NULL;
    if (results == NULL)
        goto broken;
    const cfc_jval *first = results->u.kids.first;
    const cfc_jval *oc = cfc_jobject_get(first, "outcome");
    if (strcmp(oc->u.str.s, "raised") != 0)
        return CFC__FUZZ_OK;
    const cfc_jval *e = cfc_jobject_get(first, "error");
    snprintf(why, cap, "the consumer raised: %.400s",
             e && e->type == CFC_J_STRING ? e->u.str.s : "");
    return CFC__FUZZ_CRASH;
broken:
    cfc__session_stop(s, false);
    if (why[0] == '\0')
        snprintf(why, cap, "invalid answer");
    return CFC__FUZZ_BROKEN;
}
