/* SPDX-License-Identifier: MIT */
/*
 * A certification run: play every selected case through the adapter
 * session (certify_session.c: started, restarted after anything that makes
 * its state unknown, stopped), grade it, collect.
 *
 * What makes a case ERROR (and the adapter restarted before the next case):
 * no answer before the call's deadline (killed), end of output (it crashed
 * or exited), an invalid or overlong line, an answer for another call (out
 * of sequence). {"op":"error"} is an ERROR too, but the adapter said what
 * went wrong and stays. A restart that fails leaves the case ERROR; after
 * three failed starts in a row the remaining cases are ERROR without more
 * attempts, so a broken adapter cannot make a run take hours.
 *
 * A stop request (options.stop, set by a signal handler) or the run's
 * --deadline ends the run early: the adapter's group is killed, the case
 * under way is dropped (half a case is no verdict), and the certification
 * holds the finished cases, partial and marked stopped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"

typedef struct runner {
    const cfc_catalogue *cat;
    const cfc_certify_options *o;
    const cfc_allocator *a;
    cfc__session s;   /* the adapter: started, restarted, lost, stopped */
    cfc__hello hello; /* from the first start */
    bool have_hello;
    cfc_certification *cert;
} runner;

typedef enum call_rc { CALL_OK, CALL_ERROR, CALL_NOMEM } call_rc;

/* A line above this leaves no buffer of its size behind. */
#define BIG_LINE ((size_t)1 << 20)

/* The producer's hello (cfc__hello_fn): the first one is the run's. */
static int read_hello(void *ctx, cfc__session *s, char *why, size_t cap)
{
    runner *r = ctx;
    cfc__hello h;
    char perr[256];
    cfc__proto_rc prc =
        cfc__proto_parse_hello(s->parser, r->a, s->line.data, s->line.len, &h, perr, sizeof perr);
    if (!cfc__session_release_big(s, s->line.len)) {
        if (prc == CFC__PROTO_OK)
            cfc__hello_free(r->a, &h);
        return -2;
    }
    if (prc != CFC__PROTO_OK) {
        snprintf(why, cap, "invalid answer to start: %s", perr);
        return prc == CFC__PROTO_NOMEM ? -2 : -1;
    }
    if (!r->have_hello) {
        r->hello = h;
        r->have_hello = true;
    } else {
        cfc__hello_free(r->a, &h);
    }
    return 0;
}

static call_rc set_error(runner *r, cfc_cert_reply *reply, const char *why)
{
    reply->outcome = CFC_OUTCOME_NONE;
    reply->error = cfc__cstrndup(r->a, why, strlen(why));
    return reply->error ? CALL_ERROR : CALL_NOMEM;
}

static call_rc call(runner *r, const cfc_cert_step *step, cfc_cert_reply *reply)
{
    cfc__session *s = &r->s;
    char why[1024];
    memset(reply, 0, sizeof *reply);
    int erc = cfc__session_ensure(s, why, sizeof why);
    if (erc == -2)
        return CALL_NOMEM;
    if (erc != 0)
        return set_error(r, reply, why);
    uint64_t seq = ++s->seq;
    s->req.len = 0;
    cfc__proto_call(&s->req, seq, step);
    if (!cfc__buf_ok(&s->req))
        return CALL_NOMEM;
    reply->called_ms = cfc__now_real_ms();
    int64_t t0 = cfc__now_mono_ms();
    bool send_failed;
    int rc = cfc__session_exchange(s, &send_failed);
    reply->elapsed_ms = (uint32_t)(cfc__now_mono_ms() - t0);
    if (rc == -4)
        return CALL_NOMEM;
    if (rc == -5) /* the case is dropped: half a case is no verdict */
        return set_error(r, reply, s->stopped ? "stopped" : "the run's deadline passed");
    if (send_failed) {
        cfc__session_lost(s, why, sizeof why,
                          "cannot send the call (the adapter is gone or not reading)", 0);
        return set_error(r, reply, why);
    }
    if (rc == -1) {
        cfc__session_lost(s, why, sizeof why, "no answer: the adapter closed its output",
                          CFC__EOF_GRACE_MS);
        return set_error(r, reply, why);
    }
    if (rc != 0) {
        char what[128];
        if (rc == -2)
            snprintf(what, sizeof what, "no answer within %u ms (the adapter hangs); killed",
                     s->call_timeout);
        else
            snprintf(what, sizeof what, "an answer longer than %zu bytes", CFC__PROTO_MAX_LINE);
        cfc__session_lost(s, why, sizeof why, what, 0);
        return set_error(r, reply, why);
    }
    char perr[512];
    cfc_cert_reply parsed;
    size_t line_len = s->line.len;
    cfc__proto_rc prc = cfc__proto_parse_reply_buf(s->parser, r->a, &s->line, BIG_LINE, seq,
                                                   &parsed, perr, sizeof perr);
    if (!cfc__session_release_big(s, line_len)) {
        if (prc == CFC__PROTO_OK || prc == CFC__PROTO_ADAPTER_ERROR)
            cfc__reply_free(r->a, &parsed);
        return CALL_NOMEM;
    }
    if (prc == CFC__PROTO_NOMEM)
        return CALL_NOMEM;
    if (prc == CFC__PROTO_INVALID) {
        cfc__session_stop(s, false);
        snprintf(why, sizeof why, "invalid answer: %s; the adapter was restarted", perr);
        return set_error(r, reply, why);
    }
    parsed.called_ms = reply->called_ms;
    parsed.elapsed_ms = reply->elapsed_ms;
    *reply = parsed;
    if (prc == CFC__PROTO_ADAPTER_ERROR) {
        snprintf(why, sizeof why, "the adapter could not make the call: %s",
                 reply->error ? reply->error : "");
        cfc__cfree(r->a, reply->error);
        reply->error = NULL;
        return set_error(r, reply, why);
    }
    return CALL_OK;
}

static bool implemented(const runner *r, const char *broadcaster)
{
    for (size_t i = 0; i < r->hello.n_broadcasters; i++) {
        if (strcmp(r->hello.broadcasters[i], broadcaster) == 0)
            return true;
    }
    return false;
}

/* Runs one case into *res. false on out of memory. */
static bool run_case(runner *r, const cfc_cert_case *c, cfc_case_result *res)
{
    memset(res, 0, sizeof *res);
    res->c = c;
    int64_t t0 = cfc__now_mono_ms();
    cfc__grade g;
    cfc__grade_init(&g, r->a);
    cfc__events *ev = cfc__events_new(r->a, c);
    res->replies = cfc__cmalloc(r->a, c->n_steps * sizeof *res->replies);
    if (ev == NULL || res->replies == NULL) {
        cfc__events_free(ev);
        cfc__cfree(r->a, res->replies);
        res->replies = NULL;
        return false;
    }
    bool ok = true;
    cfc_verdict fixed = CFC_VERDICT_COUNT; /* UNIMPLEMENTED or ERROR, decided before grading */
    /* Each reply is graded whole, then cut to what the case may keep. */
    uint64_t run_left =
        r->cert->kept_bytes < CFC_CERT_KEEP_RUN ? CFC_CERT_KEEP_RUN - r->cert->kept_bytes : 0;
    cfc__keep left = {run_left < CFC_CERT_KEEP_LATE    ? CFC_CERT_KEEP_LATE
                      : run_left < CFC_CERT_KEEP_BYTES ? (size_t)run_left
                                                       : CFC_CERT_KEEP_BYTES,
                      CFC__KEEP_ITEMS};
    for (size_t i = 0; i < c->n_steps; i++) {
        if (!implemented(r, c->steps[i].broadcaster)) {
            fixed = CFC_VERDICT_UNIMPLEMENTED;
            cfc__grade_note(&g, CFC_VERDICT_PASS, "the adapter does not implement %s",
                            c->steps[i].broadcaster);
            break;
        }
    }
    char prefix[32];
    for (size_t i = 0; i < c->n_steps && fixed == CFC_VERDICT_COUNT && ok; i++) {
        const cfc_cert_step *st = &c->steps[i];
        snprintf(prefix, sizeof prefix, "step %zu: ", i + 1);
        g.prefix = c->scenario ? prefix : "";
        cfc_cert_reply *rep = &res->replies[res->n_replies];
        call_rc rc = call(r, st, rep);
        if (rc == CALL_NOMEM) {
            cfc__reply_free(r->a, rep);
            ok = false;
            break;
        }
        res->n_replies++;
        if (rc == CALL_ERROR) {
            fixed = CFC_VERDICT_ERROR;
            cfc__grade_note(&g, CFC_VERDICT_PASS, "%s", rep->error);
        } else if (rep->outcome == CFC_OUTCOME_UNIMPLEMENTED) {
            fixed = CFC_VERDICT_UNIMPLEMENTED;
            cfc__grade_note(&g, CFC_VERDICT_PASS, "the adapter answered unimplemented for %s",
                            st->broadcaster);
        } else if (!cfc__grade_step(&g, ev, st, rep, cfc_catalogue_tolerance_ms(r->cat))) {
            ok = false;
        }
        cfc__reply_keep(r->a, rep, &left);
        res->cut = res->cut || rep->cut;
        r->cert->kept_bytes += rep->kept_bytes;
    }
    cfc__events_free(ev);
    cfc__grade_finish(&g);
    if (!ok || g.nomem) {
        cfc__grade_free(&g);
        return false;
    }
    res->verdict = fixed != CFC_VERDICT_COUNT ? fixed : g.verdict;
    res->messages = g.messages;
    res->n_messages = g.n_messages;
    res->diff = g.diff;
    res->n_diff = g.n_diff;
    res->elapsed_ms = (uint32_t)(cfc__now_mono_ms() - t0);
    return true;
}

static void case_result_free(const cfc_allocator *a, cfc_case_result *res)
{
    for (size_t i = 0; i < res->n_messages; i++)
        cfc__cfree(a, res->messages[i]);
    for (size_t i = 0; i < res->n_diff; i++)
        cfc__cfree(a, res->diff[i]);
    cfc__cfree(a, res->messages);
    cfc__cfree(a, res->diff);
    for (size_t i = 0; i < res->n_replies; i++)
        cfc__reply_free(a, &res->replies[i]);
    cfc__cfree(a, res->replies);
}

void cfc_certification_free(cfc_certification *cert)
{
    if (cert == NULL)
        return;
    const cfc_allocator *a = cert->alloc;
    for (size_t i = 0; cert->results && i < cert->n_results; i++)
        case_result_free(a, &cert->results[i]);
    cfc__cfree(a, cert->results);
    cfc__cfree(a, cert->adapter_command);
    cfc__cfree(a, cert->selection);
    cfc__cfree(a, cert->impl_name);
    cfc__cfree(a, cert->impl_language);
    cfc__cfree(a, cert->impl_version);
    for (size_t i = 0; cert->broadcasters && i < cert->n_broadcasters; i++)
        cfc__cfree(a, cert->broadcasters[i]);
    cfc__cfree(a, cert->broadcasters);
    cfc__cfree(a, cert);
}

unsigned cfc_certification_score(const cfc_certification *cert)
{
    return cert ? cfc__run_score(cert->counts[CFC_VERDICT_PASS], cert->n_results) : 0;
}

cfc_certify_status cfc_certify_run(const cfc_catalogue *cat, const cfc_certify_options *o,
                                   cfc_certification **out, cfc_certify_error *err)
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
    for (size_t i = 0; i < cfc_catalogue_count(cat); i++)
        selected += cfc_case_selected(cfc_catalogue_case(cat, i)->id, o->cases);
    if (selected == 0)
        return cfc__run_fail(err, CFC_CERTIFY_USAGE, "no case matches %.400s",
                             o->cases ? o->cases : "");

    char why[1024];
    cfc_certify_status status = CFC_CERTIFY_OK;
    int sr = cfc__session_init(&r.s, r.a, o->adapter_command, o->call_timeout_ms,
                               o->start_timeout_ms, o->stop, o->deadline_ms, why, sizeof why);
    r.s.hello = read_hello;
    r.s.hello_ctx = &r;
    cfc__proto_start(&r.s.start);
    if (sr != 0) {
        status =
            cfc__run_fail(err, sr == -2 ? CFC_CERTIFY_NOMEM : CFC_CERTIFY_USAGE, "%.480s", why);
        goto done;
    }
    r.cert = cfc__cmalloc(r.a, sizeof *r.cert);
    if (r.cert)
        memset(r.cert, 0, sizeof *r.cert);
    if (r.cert == NULL) {
        status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
        goto done;
    }
    cfc_certification *cert = r.cert;
    cert->alloc = r.a;
    cert->catalogue = cat;
    cert->started_ms = cfc__now_real_ms();
    int64_t t0 = cfc__now_mono_ms();
    cert->adapter_command = cfc__cstrndup(r.a, o->adapter_command, strlen(o->adapter_command));
    cert->selection =
        o->cases && o->cases[0] ? cfc__cstrndup(r.a, o->cases, strlen(o->cases)) : NULL;
    cert->n_selected = selected;
    cert->results = cfc__cmalloc(r.a, selected * sizeof *cert->results);
    if (cert->adapter_command == NULL || cert->results == NULL ||
        (o->cases && o->cases[0] && !cert->selection)) {
        status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
        goto done;
    }

    int rc = cfc__session_start(&r.s, why, sizeof why);
    if (rc == -1 && (r.s.stopped || r.s.deadline_hit)) {
        /* Stopped before the adapter said hello: a run of no case. */
        if (!cfc__session_unnamed(r.a, &cert->impl_name, &cert->impl_language,
                                  &cert->impl_version)) {
            status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
            goto done;
        }
        r.have_hello = false;
    } else if (rc != 0) {
        status = rc == -2 ? cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory")
                          : cfc__run_fail(err, CFC_CERTIFY_ADAPTER, "%.480s", why);
        goto done;
    }
    /* What the adapter says about itself goes into the certification. */
    if (r.have_hello) {
        cert->impl_name = r.hello.name;
        cert->impl_language = r.hello.language;
        cert->impl_version = r.hello.version;
        cert->broadcasters = r.hello.broadcasters;
        cert->n_broadcasters = r.hello.n_broadcasters;
    }

    for (size_t i = 0; r.have_hello && i < cfc_catalogue_count(cat); i++) {
        const cfc_cert_case *c = cfc_catalogue_case(cat, i);
        if (!cfc_case_selected(c->id, o->cases))
            continue;
        cfc_case_result *res = &cert->results[cert->n_results];
        if (cfc__session_ends(&r.s))
            break;
        if (o->on_start)
            o->on_start(o->on_case_ctx, c, cert->n_results, selected);
        if (!run_case(&r, c, res)) {
            status = cfc__run_fail(err, CFC_CERTIFY_NOMEM, "%s", "out of memory");
            goto done;
        }
        if (r.s.stopped || r.s.deadline_hit) { /* half a case is no verdict */
            case_result_free(r.a, res);
            break;
        }
        cert->n_results++;
        cert->counts[res->verdict]++;
        cert->cases_cut += res->cut;
        if (o->on_case)
            o->on_case(o->on_case_ctx, res);
    }
    cert->stopped = r.s.stopped || r.s.deadline_hit;
    cfc__session_stop(&r.s, !cert->stopped);
    cert->deadline = r.s.deadline_hit;
    cert->stop_signal = r.s.stopped && o->stop ? (int)*o->stop : 0;
    cert->adapter_starts = r.s.starts;
    /* C4: a subset is partial, never certified. */
    cert->partial = cert->n_results < cfc_catalogue_count(cat);
    cert->partial = cert->partial || cert->stopped; /* never certified, whatever ran */
    cert->certified = !cert->partial && cert->counts[CFC_VERDICT_FAIL] == 0 &&
                      cert->counts[CFC_VERDICT_ERROR] == 0;
    cert->elapsed_ms = (uint32_t)(cfc__now_mono_ms() - t0);

done:
    cfc__session_free(&r.s, false);
    if (r.cert && r.cert->impl_name == r.hello.name && r.hello.name) {
        memset(&r.hello, 0, sizeof r.hello); /* now the certification's */
    }
    cfc__hello_free(r.a, &r.hello);
    if (status != CFC_CERTIFY_OK) {
        cfc_certification_free(r.cert);
        return status;
    }
    *out = r.cert;
    return CFC_CERTIFY_OK;
}
