/* SPDX-License-Identifier: MIT */
/*
 * The fuzz phase of consumer certification (cfconform certify --consumer
 * --fuzz SECONDS): after the catalogue, the consumer gets generated events
 * (cfc/generate.h: valid ones covering the contract, invalid ones breaking
 * one rule each) and, every other one, the same put through the
 * contract-aware mutator that fuzz-exec uses (passed in, so this library
 * does not link libFuzzer's side). Any input the consumer raises on, dies
 * on or hangs on is a CRASH (D3). Each distinct crash (by its message) is
 * minimised -- members dropped, then ever smaller runs of bytes, while it
 * still crashes the same way -- and kept as a reproducer in the reports.
 *
 * Same harness as the catalogue: one adapter, one request per input, the
 * same timeouts, kills and restarts (consume_run.c's session).
 */
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"
#include "cfc/generate.h"
#include "consume_internal.h"

#define MAX_INPUT 65536
#define MAX_CRASHES 16
#define MAX_MIN_TRIES 3000

/* The crash's kind, without what differs from run to run (the process
 * description after ';'). */
static void signature(const char *why, char *out, size_t cap)
{
    size_t n = strcspn(why, ";");
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), why);
}

typedef struct fuzzer {
    cfc__consume_session *s;
    const cfc_allocator *a;
    cfc_jparser *p;
    char why[1024];
    bool nomem, broken;
    size_t inputs;
} fuzzer;

/* Whether `bytes` crashes the consumer with signature `sig`. */
static bool crashes_as(fuzzer *f, const char *bytes, size_t len, const char *sig)
{
    cfc__fuzz_rc rc = cfc__consume_session_decode(f->s, bytes, len, f->why, sizeof f->why);
    f->inputs++;
    if (rc == CFC__FUZZ_NOMEM)
        f->nomem = true;
    if (rc != CFC__FUZZ_CRASH)
        return false;
    char got[512];
    signature(f->why, got, sizeof got);
    return strcmp(got, sig) == 0;
}

/* Tries text without [off, end): on the same crash, keeps it. */
static bool try_cut(fuzzer *f, char *best, size_t *len, size_t off, size_t end, const char *sig,
                    char *tmp, int *tries)
{
    if (end <= off || end > *len)
        return false;
    size_t n = *len - (end - off);
    memcpy(tmp, best, off);
    memcpy(tmp + off, best + end, *len - end);
    ++*tries;
    if (!crashes_as(f, tmp, n, sig))
        return false;
    memcpy(best, tmp, n);
    *len = n;
    return true;
}

/* Shrinks best (len bytes) while it crashes the same way. */
static void minimise(fuzzer *f, char *best, size_t *len, const char *sig)
{
    char *tmp = cfc__cmalloc(f->a, *len + 1);
    if (tmp == NULL) {
        f->nomem = true;
        return;
    }
    int tries = 0;
    bool changed = true;
    while (changed && tries < MAX_MIN_TRIES && !f->nomem) {
        changed = false;
        /* Whole members of the top-level object first: a reproducer reads
         * best as the event with only what matters left. */
        cfc_jval *root = NULL;
        if (cfc_jparse(f->p, best, *len, NULL, &root, NULL, NULL, NULL) != 0) {
            f->nomem = true;
            break;
        }
        size_t cuts[64][2], n = 0;
        for (const cfc_jval *k = root && root->type == CFC_J_OBJECT ? root->u.kids.first : NULL;
             k && n < 64; k = k->next) {
            size_t off = k->key_offset, end = k->end;
            size_t b = off;
            while (b > 0 && strchr(" \t\r\n", best[b - 1]))
                b--;
            if (b > 0 && best[b - 1] == ',') {
                off = b - 1;
            } else {
                while (end < *len && strchr(" \t\r\n", best[end]))
                    end++;
                if (end < *len && best[end] == ',')
                    end++;
            }
            cuts[n][0] = off;
            cuts[n][1] = end;
            n++;
        }
        for (size_t i = n; i-- > 0 && !changed && tries < MAX_MIN_TRIES;)
            changed = try_cut(f, best, len, cuts[i][0], cuts[i][1], sig, tmp, &tries);
        if (changed)
            continue;
        /* Then runs of bytes, halving; after a cut the same place is tried
         * again (it now holds what followed). */
        for (size_t chunk = *len / 2; chunk >= 1 && tries < MAX_MIN_TRIES; chunk /= 2) {
            for (size_t off = 0; off + chunk <= *len && tries < MAX_MIN_TRIES;) {
                if (try_cut(f, best, len, off, off + chunk, sig, tmp, &tries))
                    changed = true;
                else
                    off += chunk;
            }
        }
    }
    cfc__cfree(f->a, tmp);
}

static bool add_crash(fuzzer *f, cfc_consume_certification *cert, const char *sig,
                      const char *bytes, size_t len, size_t original_len, bool minimised)
{
    cfc_consume_fuzz_crash *n =
        cfc__crealloc(f->a, cert->fuzz_crashes, (cert->n_fuzz_crashes + 1) * sizeof *n);
    if (n == NULL)
        return false;
    cert->fuzz_crashes = n;
    cfc_consume_fuzz_crash *c = &n[cert->n_fuzz_crashes];
    char id[32];
    snprintf(id, sizeof id, "F.%zu", cert->n_fuzz_crashes + 1);
    c->id = cfc__cstrndup(f->a, id, strlen(id));
    c->error = cfc__cstrndup(f->a, sig, strlen(sig));
    c->bytes = cfc__cstrndup(f->a, bytes, len);
    c->len = len;
    c->original_len = original_len;
    c->minimised = minimised;
    cert->n_fuzz_crashes++;
    return c->id && c->error && c->bytes;
}

void cfc__consume_fuzz_free(cfc_consume_certification *cert)
{
    for (size_t i = 0; i < cert->n_fuzz_crashes; i++) {
        cfc__cfree(cert->alloc, cert->fuzz_crashes[i].id);
        cfc__cfree(cert->alloc, cert->fuzz_crashes[i].error);
        cfc__cfree(cert->alloc, cert->fuzz_crashes[i].bytes);
    }
    cfc__cfree(cert->alloc, cert->fuzz_crashes);
}

/* The phase ended early: the stop flag was set, or else the run's deadline
 * passed (nothing else stops it). The certification says so (partial,
 * never certified), with what the phase found so far. */
static void stopped(cfc_consume_certification *cert, const cfc_consume_options *o)
{
    int sig = o->stop ? (int)*o->stop : 0;
    cert->stopped = true;
    cert->deadline = sig == 0;
    cert->stop_signal = sig;
    cert->partial = true;
    cert->certified = false;
}

cfc_certify_status cfc_consume_fuzz(cfc_consume_certification *cert, const cfc_consume_options *o,
                                    unsigned seconds, uint64_t seed, cfc_consume_mutate_fn mutate,
                                    cfc_certify_error *err)
{
    if (cert == NULL || o == NULL || o->adapter_command == NULL || seconds == 0) {
        if (err) {
            err->status = CFC_CERTIFY_USAGE;
            snprintf(err->message, sizeof err->message, "no certification, adapter or time");
        }
        return CFC_CERTIFY_USAGE;
    }
    fuzzer f = {.a = o->alloc};
    cfc_jalloc ja = {0};
    if (f.a)
        ja = (cfc_jalloc){f.a->malloc_fn, f.a->realloc_fn, f.a->free_fn, f.a->ctx};
    f.p = cfc_jparser_new_with_alloc(f.a ? &ja : NULL);
    cfc_gen_options go = {.seed = seed, .invalid_fraction = 0.3, .random_only = true};
    cfc_generator *g = cfc_generator_new(&go);
    char *buf = cfc__cmalloc(f.a, MAX_INPUT + 1), *best = cfc__cmalloc(f.a, MAX_INPUT + 1);
    cfc_certify_status st = CFC_CERTIFY_OK;
    if (f.p == NULL || g == NULL || buf == NULL || best == NULL) {
        st = CFC_CERTIFY_NOMEM;
        goto done;
    }
    /* --deadline bounds the whole run: this phase gets what the catalogue
     * left of it, and every exchange is cut there too. */
    int64_t budget = INT64_MAX;
    if (o->deadline_ms) {
        budget = (int64_t)o->deadline_ms - (int64_t)cert->elapsed_ms;
        if (budget <= 0) {
            stopped(cert, o);
            goto done;
        }
    }
    int64_t t0 = cfc__now_mono_ms(), end = t0 + (int64_t)seconds * 1000;
    bool cut = budget < end - t0; /* the deadline comes first */
    if (cut)
        end = t0 + budget;
    f.s = cfc__consume_session_new(o->adapter_command, o->call_timeout_ms, o->stop,
                                   cut ? (unsigned)budget : 0, f.a, f.why, sizeof f.why);
    if (f.s == NULL && ((o->stop && *o->stop) || (cut && cfc__now_mono_ms() >= end))) {
        stopped(cert, o);
        goto done;
    }
    if (f.s == NULL) {
        st = CFC_CERTIFY_ADAPTER;
        if (err)
            snprintf(err->message, sizeof err->message, "fuzz: %.480s", f.why);
        goto done;
    }
    cert->fuzzed = true;
    char seen[MAX_CRASHES][512];
    size_t n_seen = 0;
    for (uint64_t i = 0; cfc__now_mono_ms() < end && n_seen < MAX_CRASHES && !f.broken; i++) {
        cfc_gen_event e;
        if (cfc_generator_next(g, &e) != 0) {
            st = CFC_CERTIFY_NOMEM;
            break;
        }
        size_t len = e.len < MAX_INPUT ? e.len : MAX_INPUT;
        memcpy(buf, e.text, len);
        if (mutate && (i & 1))
            len = mutate((uint8_t *)buf, len, MAX_INPUT, (unsigned)(seed + i));
        cfc__fuzz_rc rc = cfc__consume_session_decode(f.s, buf, len, f.why, sizeof f.why);
        if (rc == CFC__FUZZ_STOPPED || (o->stop && *o->stop)) {
            stopped(cert, o); /* the input under way has no verdict */
            break;
        }
        f.inputs++;
        if (rc == CFC__FUZZ_NOMEM) {
            st = CFC_CERTIFY_NOMEM;
            break;
        }
        if (rc == CFC__FUZZ_BROKEN) {
            f.broken = true; /* judged nothing: the catalogue's ERRORs say why */
            break;
        }
        if (rc != CFC__FUZZ_CRASH)
            continue;
        char sig[512];
        signature(f.why, sig, sizeof sig);
        bool known = false;
        for (size_t k = 0; k < n_seen && !known; k++)
            known = strcmp(seen[k], sig) == 0;
        if (known)
            continue;
        snprintf(seen[n_seen++], sizeof seen[0], "%s", sig);
        memcpy(best, buf, len);
        size_t blen = len;
        /* A hang costs the timeout per try: kept as found. */
        bool hang = strstr(sig, "hangs") != NULL;
        if (!hang)
            minimise(&f, best, &blen, sig);
        if (f.nomem || !add_crash(&f, cert, sig, best, blen, len, !hang)) {
            st = CFC_CERTIFY_NOMEM;
            break;
        }
        cert->counts[CFC_CONSUME_CRASH]++;
        cert->certified = false;
    }
    cert->fuzz_inputs = f.inputs;
    cert->fuzz_ms = (uint32_t)(cfc__now_mono_ms() - t0);
    /* Its time cut short by the run's deadline: not the phase asked for. */
    if (st == CFC_CERTIFY_OK && cut && !cert->stopped && !f.broken && n_seen < MAX_CRASHES &&
        cfc__now_mono_ms() >= end)
        stopped(cert, o);
    if (st == CFC_CERTIFY_OK)
        cert->adapter_starts += cfc__consume_session_starts(f.s);
done:
    cfc__consume_session_free(f.s);
    cfc_generator_free(g);
    cfc_jparser_free(f.p);
    cfc__cfree(f.a, buf);
    cfc__cfree(f.a, best);
    if (err) {
        err->status = st;
        if (st == CFC_CERTIFY_NOMEM)
            snprintf(err->message, sizeof err->message, "out of memory");
        else if (st == CFC_CERTIFY_OK)
            err->message[0] = '\0';
    }
    return st;
}
