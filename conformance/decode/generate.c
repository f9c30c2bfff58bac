/* SPDX-License-Identifier: MIT */
/*
 * The event generator (cfc/generate.h).
 *
 * An event is made in four steps, each driven by the contract table:
 *   1. a typed value (cfc_event): every field from its kind -- boundary
 *      values, non-ASCII strings, enum values, optional fields present or
 *      not -- then the cross-field rules of its type made true (fix_valid);
 *   2. a document: the value written member by member, as raw JSON text,
 *      with the lexical variety JSON allows (escapes, number forms);
 *   3. the text: the document serialised, members maybe reordered,
 *      whitespace maybe added;
 *   4. for an invalid event, a breaker for one rule edits step 1, 2 or 3:
 *      a value out of range in the typed value, a member dropped, duplicated
 *      or retyped in the document, a BOM or a syntax error in the text.
 *
 * The generator never asks the checker whether it succeeded: that would
 * make its promise (valid events are clean, an invalid event breaks exactly
 * its rule) true by construction and untested. tests/test_generate.c holds
 * it to that promise with the checker over 100,000 events.
 *
 * The work is split by concern; generate_internal.h lists the files.
 */
#include "generate_internal.h"

/* ---- the generator's entry points ------------------------------------------ */

static bool options_ok(const cfc_gen_options *o)
{
    if (o->invalid_fraction < 0 || o->invalid_fraction > 1 ||
        o->invalid_fraction != o->invalid_fraction)
        return false;
    if (o->stream && o->invalid_fraction > 0)
        return false;
    return !o->one_rule || cfc_gen_rule_supported(o->rule);
}

/* A new generator's state, in g's memory: everything zero but the options,
 * the random state and the stream's first ids; the buffers are kept. */
static void start(cfc_generator *g, const cfc_gen_options *o)
{
    buf vals = g->vals, out = g->out;
    memset(g, 0, sizeof *g);
    g->vals = (buf){vals.p, 0, vals.cap, false};
    g->out = (buf){out.p, 0, out.cap, false};
    g->o = *o;
    cfc_generator_reseed(g, o->seed);
    g->now_ms = INT64_C(1762612245123);
    g->project = 1;
    g->next_task = 1;
}

cfc_generator *cfc_generator_new(const cfc_gen_options *opts)
{
    cfc_gen_options o = {0};
    if (opts)
        o = *opts;
    if (!options_ok(&o))
        return NULL;
    cfc_generator *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    start(g, &o);
    return g;
}

int cfc_generator_restart(cfc_generator *g, const cfc_gen_options *opts)
{
    cfc_gen_options o = {0};
    if (opts)
        o = *opts;
    if (g == NULL || !options_ok(&o))
        return -1;
    start(g, &o);
    return 0;
}

void cfc_generator_reseed(cfc_generator *g, uint64_t seed)
{
    if (g == NULL)
        return;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        g->s[i] = splitmix(&x);
}

void cfc_generator_free(cfc_generator *g)
{
    if (g == NULL)
        return;
    free(g->vals.p);
    free(g->out.p);
    free(g);
}

static void begin_event(cfc_generator *g)
{
    g->strs_used = 0;
    g->n_docs = 0;
    g->vals.len = 0;
    g->vals.nomem = false;
    g->out.len = 0;
    g->out.nomem = false;
    g->drop_comma = 0;
    g->text_break = false;
    g->noisy = !g->o.plain && chance(g, 1, 3);
}

static void write_event(cfc_generator *g)
{
    const cfc_event_type *t = cfc_contract_get(g->ev.type);
    cfc__gen_to_doc(g, t->fields, cfc__event_slots[t->id], t->n_fields, (const char *)&g->ev);
}

int cfc_generator_next(cfc_generator *g, cfc_gen_event *out)
{
    if (g == NULL || out == NULL)
        return -1;
    bool invalid =
        g->o.invalid_fraction > 0 &&
        (g->o.invalid_fraction >= 1 || (double)(rnd(g) >> 11) * 0x1.0p-53 < g->o.invalid_fraction);
    if (!invalid) {
        begin_event(g);
        if (g->o.stream)
            cfc__gen_stream_event(g);
        else
            cfc__gen_make_valid(g, CFC_EV_COUNT, !g->o.random_only);
        write_event(g);
        cfc__gen_serialise(g, &g->out, 0);
        if (g->vals.nomem || g->out.nomem)
            return -1;
        *out = (cfc_gen_event){g->out.p, g->out.len, true, CFC_RULE_COUNT, &g->ev};
        return 0;
    }

    const breaker *b = cfc__gen_breaker_pick(g);
    if (b == NULL)
        return -1;
    for (int tries = 0; tries < 256; tries++) {
        begin_event(g);
        cfc__gen_make_valid(g, b->type, false);
        if (b->pre && !b->pre(g))
            continue;
        write_event(g);
        if (b->doc && !b->doc(g))
            continue;
        cfc__gen_serialise(g, &g->out, 0);
        if (b->text)
            b->text(g);
        if (g->vals.nomem || g->out.nomem || g->out.p == NULL)
            return -1;
        *out = (cfc_gen_event){g->out.p, g->out.len, false, b->rule, NULL};
        return 0;
    }
    return -1;
}
