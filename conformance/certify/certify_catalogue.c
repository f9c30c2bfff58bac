/* SPDX-License-Identifier: MIT */
/*
 * The case catalogue: data (corpus/certification/catalogue.json), parsed
 * and validated here once, then read-only.
 *
 * The catalogue's own JSON parser is kept alive with it: the expectations
 * (cfc__expect) point into its DOM, and numbers are copied from the source
 * text as written, so the arguments an adapter receives are byte for byte
 * what the catalogue says.
 */
#define _POSIX_C_SOURCE 200809L
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"

struct cfc_catalogue {
    const cfc_allocator *alloc;
    cfc_allocator alloc_copy;
    char *src;
    size_t len;
    cfc_jparser *parser;
    const char *version;
    char sha256[65];
    int64_t tolerance_ms;
    cfc_cert_section *sections;
    size_t n_sections;
    cfc_cert_case *cases;
    size_t n_cases;
    cfc_cert_step *steps; /* all cases' steps, in order */
    size_t n_steps;
    struct cfc__expect *expects; /* one per step */
    char **owned;                /* args texts and expected texts */
    size_t n_owned;
};

const char *cfc_verdict_name(cfc_verdict v)
{
    switch (v) {
    case CFC_VERDICT_PASS: return "PASS";
    case CFC_VERDICT_NON_STRICT: return "NON-STRICT";
    case CFC_VERDICT_FAIL: return "FAIL";
    case CFC_VERDICT_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case CFC_VERDICT_ERROR: return "ERROR";
    case CFC_VERDICT_COUNT: break;
    }
    return "?";
}

const char *cfc_fault_name(cfc_fault f)
{
    switch (f) {
    case CFC_FAULT_FAIL: return "fail";
    case CFC_FAULT_RAISE: return "raise";
    case CFC_FAULT_NONE: break;
    }
    return NULL;
}

const char *cfc_outcome_name(cfc_outcome o)
{
    switch (o) {
    case CFC_OUTCOME_RETURNED: return "returned";
    case CFC_OUTCOME_RAISED: return "raised";
    case CFC_OUTCOME_REFUSED: return "refused";
    case CFC_OUTCOME_UNIMPLEMENTED: return "unimplemented";
    case CFC_OUTCOME_NONE: break;
    }
    return "none";
}

/* ---- errors ------------------------------------------------------------------ */

typedef struct loader {
    cfc_catalogue *cat;
    cfc_certify_error *err;
    bool failed;
    bool nomem;
} loader;

static void fail(loader *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void fail(loader *l, const char *fmt, ...)
{
    if (l->failed)
        return;
    l->failed = true;
    if (l->err) {
        l->err->status = CFC_CERTIFY_CATALOGUE;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(l->err->message, sizeof l->err->message, fmt, ap);
        va_end(ap);
    }
}

static void out_of_memory(loader *l)
{
    if (l->failed)
        return;
    l->failed = l->nomem = true;
    if (l->err) {
        l->err->status = CFC_CERTIFY_NOMEM;
        snprintf(l->err->message, sizeof l->err->message, "out of memory");
    }
}

/* ---- helpers -------------------------------------------------------------------- */

static const cfc_jval *member(const cfc_jval *obj, const char *name)
{
    return cfc_jobject_get(obj, name);
}

/* A NUL-free string member, or NULL (and a failure when required). */
static const char *string_member(loader *l, const cfc_jval *obj, const char *name, bool required,
                                 const char *where)
{
    const cfc_jval *v = member(obj, name);
    if (v == NULL) {
        if (required)
            fail(l, "%s: \"%s\" is missing", where, name);
        return NULL;
    }
    if (v->type != CFC_J_STRING || strlen(v->u.str.s) != v->u.str.len || v->u.str.len == 0) {
        fail(l, "%s: \"%s\" must be a non-empty string without NUL", where, name);
        return NULL;
    }
    return v->u.str.s;
}

/* Only these members: a typo in the catalogue is an error, not a silently
 * ignored expectation. */
static void only_members(loader *l, const cfc_jval *obj, const char *const *allowed,
                         const char *where)
{
    for (const cfc_jval *k = obj->u.kids.first; k && !l->failed; k = k->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strlen(*a) == k->key_len && memcmp(*a, k->key, k->key_len) == 0;
        if (!ok)
            fail(l, "%s: unknown member \"%.*s\"", where, (int)(k->key_len > 64 ? 64 : k->key_len),
                 k->key);
    }
}

static bool id_well_formed(const char *id)
{
    /* 1, 2.3, 10.2.14: numbers joined by dots, no leading zeros. */
    const char *p = id;
    for (;;) {
        if (*p < '0' || *p > '9')
            return false;
        if (*p == '0' && p[1] >= '0' && p[1] <= '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p == '\0')
            return true;
        if (*p != '.')
            return false;
        p++;
    }
}

static char *own(loader *l, cfc__buf *b)
{
    char *s = cfc__buf_take(b, NULL);
    if (s == NULL) {
        out_of_memory(l);
        return NULL;
    }
    l->cat->owned[l->cat->n_owned++] = s;
    return s;
}

/* Whether `name` is one of the Python parameters of the broadcaster of t:
 * every field that is not derived (type, timestamp, a count of another
 * field) nor fixed by the contract (agent_created.status), under its param
 * name; an object's members under theirs (current_task_id). */
static bool is_param(const cfc_event_type *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        if (f->kind == CFC_KIND_TYPE || f->kind == CFC_KIND_TIMESTAMP || f->count_of ||
            f->fixed_string)
            continue;
        if (f->kind == CFC_KIND_OBJECT) {
            for (size_t k = 0; k < f->n_members; k++) {
                const char *pn = f->members[k].param ? f->members[k].param : f->members[k].name;
                if (strlen(pn) == len && memcmp(pn, name, len) == 0)
                    return true;
            }
            continue;
        }
        const char *pn = f->param ? f->param : f->name;
        if (strlen(pn) == len && memcmp(pn, name, len) == 0)
            return true;
    }
    return false;
}

static const cfc_event_type *type_of_function(const char *fn)
{
    size_t n;
    const cfc_event_type *all = cfc_contract_types(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(all[i].function, fn) == 0)
            return &all[i];
    }
    return NULL;
}

static void check_field_names(loader *l, const cfc_event_type *t, const cfc_jval *obj,
                              const char *what, const char *where)
{
    for (const cfc_jval *k = obj->u.kids.first; k && !l->failed; k = k->next) {
        if (cfc_contract_field(t, k->key, k->key_len) == NULL)
            fail(l, "%s: %s names \"%.*s\", not a field of %s", where, what,
                 (int)(k->key_len > 64 ? 64 : k->key_len), k->key, t->name);
    }
}

/* ---- one step ---------------------------------------------------------------------- */

static void load_step(loader *l, const cfc_jval *call, const cfc_jval *expect, cfc_cert_step *st,
                      struct cfc__expect *ex, const char *where)
{
    static const char *const call_keys[] = {"broadcaster", "args", "fault", NULL};
    static const char *const expect_keys[] = {"kind", "fields", "absent", "one_of", "maybe", NULL};
    cfc_catalogue *cat = l->cat;
    if (call == NULL || call->type != CFC_J_OBJECT) {
        fail(l, "%s: \"call\" must be an object", where);
        return;
    }
    if (expect == NULL || expect->type != CFC_J_OBJECT) {
        fail(l, "%s: \"expect\" must be an object", where);
        return;
    }
    only_members(l, call, call_keys, where);
    only_members(l, expect, expect_keys, where);
    st->broadcaster = string_member(l, call, "broadcaster", true, where);
    if (l->failed)
        return;
    st->type = type_of_function(st->broadcaster);
    if (st->type == NULL) {
        fail(l, "%s: no broadcaster \"%s\" in the contract", where, st->broadcaster);
        return;
    }
    const cfc_jval *args = member(call, "args");
    if (args == NULL || args->type != CFC_J_OBJECT) {
        fail(l, "%s: \"args\" must be an object", where);
        return;
    }
    for (const cfc_jval *k = args->u.kids.first; k; k = k->next) {
        if (!is_param(st->type, k->key, k->key_len)) {
            fail(l, "%s: %s has no parameter \"%.*s\"", where, st->broadcaster,
                 (int)(k->key_len > 64 ? 64 : k->key_len), k->key);
            return;
        }
    }
    cfc__buf b;
    cfc__buf_init(&b, cat->alloc);
    cfc__buf_jval(&b, args, cat->src);
    st->args = own(l, &b);

    const char *fault = string_member(l, call, "fault", false, where);
    if (fault == NULL)
        st->fault = CFC_FAULT_NONE;
    else if (strcmp(fault, "fail") == 0)
        st->fault = CFC_FAULT_FAIL;
    else if (strcmp(fault, "raise") == 0)
        st->fault = CFC_FAULT_RAISE;
    else
        fail(l, "%s: fault must be \"fail\" or \"raise\", not \"%s\"", where, fault);

    const char *kind = string_member(l, expect, "kind", true, where);
    if (l->failed)
        return;
    if (strcmp(kind, "event") == 0)
        st->expect = CFC_EXPECT_EVENT;
    else if (strcmp(kind, "refuse-or-conform") == 0)
        st->expect = CFC_EXPECT_REFUSE_OR_CONFORM;
    else if (strcmp(kind, "no-raise") == 0)
        st->expect = CFC_EXPECT_NO_RAISE;
    else {
        fail(l, "%s: expect.kind must be event, refuse-or-conform or no-raise, not \"%s\"", where,
             kind);
        return;
    }
    if ((st->fault != CFC_FAULT_NONE) != (st->expect == CFC_EXPECT_NO_RAISE)) {
        fail(l, "%s: a fault goes with expect.kind no-raise, and only with it", where);
        return;
    }

    ex->src = cat->src;
    ex->fields = member(expect, "fields");
    ex->absent = member(expect, "absent");
    ex->one_of = member(expect, "one_of");
    ex->maybe = member(expect, "maybe");
    if (st->expect != CFC_EXPECT_EVENT && (ex->fields || ex->absent || ex->one_of || ex->maybe)) {
        fail(l, "%s: fields, absent, one_of and maybe go with expect.kind event only", where);
        return;
    }
    if (st->expect == CFC_EXPECT_EVENT &&
        (ex->fields == NULL || ex->fields->type != CFC_J_OBJECT)) {
        fail(l, "%s: expect.fields must be an object", where);
        return;
    }
    if (ex->fields)
        check_field_names(l, st->type, ex->fields, "expect.fields", where);
    if (ex->maybe) {
        if (ex->maybe->type != CFC_J_OBJECT)
            fail(l, "%s: expect.maybe must be an object", where);
        else
            check_field_names(l, st->type, ex->maybe, "expect.maybe", where);
    }
    if (ex->one_of) {
        if (ex->one_of->type != CFC_J_OBJECT) {
            fail(l, "%s: expect.one_of must be an object", where);
        } else {
            check_field_names(l, st->type, ex->one_of, "expect.one_of", where);
            for (const cfc_jval *k = ex->one_of->u.kids.first; k && !l->failed; k = k->next) {
                if (k->type != CFC_J_ARRAY || k->u.kids.count == 0)
                    fail(l, "%s: expect.one_of.%s must be a non-empty array", where, k->key);
            }
        }
    }
    if (ex->absent) {
        if (ex->absent->type != CFC_J_ARRAY) {
            fail(l, "%s: expect.absent must be an array", where);
        } else {
            for (const cfc_jval *k = ex->absent->u.kids.first; k && !l->failed; k = k->next) {
                if (k->type != CFC_J_STRING ||
                    cfc_contract_field(st->type, k->u.str.s, k->u.str.len) == NULL)
                    fail(l, "%s: expect.absent lists something that is not a field of %s", where,
                         st->type->name);
            }
        }
    }
    if (l->failed)
        return;

    /* What is expected, for people. */
    cfc__buf_init(&b, cat->alloc);
    switch (st->expect) {
    case CFC_EXPECT_EVENT:
        cfc__buf_printf(&b, "one conforming %s event with ", st->type->name);
        cfc__buf_jval(&b, ex->fields, cat->src);
        if (ex->one_of) {
            for (const cfc_jval *k = ex->one_of->u.kids.first; k; k = k->next) {
                cfc__buf_printf(&b, ", %s one of ", k->key);
                cfc__buf_jval(&b, k, cat->src);
            }
        }
        if (ex->maybe) {
            for (const cfc_jval *k = ex->maybe->u.kids.first; k; k = k->next) {
                cfc__buf_printf(&b, ", %s absent or ", k->key);
                cfc__buf_jval(&b, k, cat->src);
            }
        }
        if (ex->absent && ex->absent->u.kids.count) {
            cfc__buf_puts(&b, "; absent:");
            for (const cfc_jval *k = ex->absent->u.kids.first; k; k = k->next)
                cfc__buf_printf(&b, " %s", k->u.str.s);
        }
        cfc__buf_printf(&b, "; a timestamp within %lld ms of the call",
                        (long long)cat->tolerance_ms);
        break;
    case CFC_EXPECT_REFUSE_OR_CONFORM:
        cfc__buf_printf(&b,
                        "a refusal with nothing sent, or one conforming %s event (never a "
                        "non-conforming one)",
                        st->type->name);
        break;
    case CFC_EXPECT_NO_RAISE:
        cfc__buf_printf(&b,
                        "the manager's broadcast %s; the broadcaster returns without raising "
                        "and logs at ERROR; anything it tried to send conforms",
                        st->fault == CFC_FAULT_FAIL ? "fails (fault \"fail\")"
                                                    : "raises (fault \"raise\")");
        break;
    }
    st->expected = own(l, &b);
    st->detail = ex;
}

/* ---- the catalogue ----------------------------------------------------------------- */

static void load_case(loader *l, const cfc_jval *jc, cfc_cert_case *c, size_t *next_step)
{
    static const char *const case_keys[] = {"id",     "description", "ref",    "call",
                                            "expect", "steps",       "stream", NULL};
    cfc_catalogue *cat = l->cat;
    char where[96];
    if (jc->type != CFC_J_OBJECT) {
        fail(l, "cases[%zu]: not an object", (size_t)(c - cat->cases));
        return;
    }
    snprintf(where, sizeof where, "cases[%zu]", (size_t)(c - cat->cases));
    c->id = string_member(l, jc, "id", true, where);
    if (l->failed)
        return;
    snprintf(where, sizeof where, "case %.60s", c->id);
    only_members(l, jc, case_keys, where);
    if (!id_well_formed(c->id) || strlen(c->id) > 32) {
        fail(l, "%s: an ID is numbers joined by dots, like 2.3.1", where);
        return;
    }
    c->description = string_member(l, jc, "description", true, where);
    c->reference = string_member(l, jc, "ref", true, where);
    if (l->failed)
        return;
    /* The section is the ID's first component; it must be declared. */
    size_t sl = strcspn(c->id, ".");
    c->section = NULL;
    for (size_t i = 0; i < cat->n_sections; i++) {
        if (strlen(cat->sections[i].id) == sl && memcmp(cat->sections[i].id, c->id, sl) == 0)
            c->section = cat->sections[i].id;
    }
    if (c->section == NULL) {
        fail(l, "%s: no section \"%.*s\" in \"sections\"", where, (int)sl, c->id);
        return;
    }
    for (const cfc_cert_case *o = cat->cases; o < c; o++) {
        if (strcmp(o->id, c->id) == 0) {
            fail(l, "%s: the ID is used twice", where);
            return;
        }
    }
    const cfc_jval *steps = member(jc, "steps");
    c->steps = &cat->steps[*next_step];
    if (steps == NULL) {
        c->n_steps = 1;
        load_step(l, member(jc, "call"), member(jc, "expect"), &cat->steps[*next_step],
                  &cat->expects[*next_step], where);
        (*next_step)++;
        if (member(jc, "stream"))
            fail(l, "%s: \"stream\" goes with \"steps\" only", where);
        return;
    }
    if (member(jc, "call") || member(jc, "expect")) {
        fail(l, "%s: a scenario has \"steps\", not \"call\" or \"expect\"", where);
        return;
    }
    c->scenario = true;
    c->n_steps = steps->u.kids.count;
    for (const cfc_jval *s = steps->u.kids.first; s && !l->failed; s = s->next) {
        char swhere[128];
        snprintf(swhere, sizeof swhere, "%s step %zu", where,
                 (size_t)(*next_step - (size_t)(c->steps - cat->steps)) + 1);
        if (s->type != CFC_J_OBJECT) {
            fail(l, "%s: not an object", swhere);
            return;
        }
        static const char *const step_keys[] = {"call", "expect", NULL};
        only_members(l, s, step_keys, swhere);
        load_step(l, member(s, "call"), member(s, "expect"), &cat->steps[*next_step],
                  &cat->expects[*next_step], swhere);
        (*next_step)++;
    }
    const cfc_jval *stream = member(jc, "stream");
    if (stream) {
        static const char *const stream_keys[] = {"from_start", "project_id", NULL};
        if (stream->type != CFC_J_OBJECT) {
            fail(l, "%s: \"stream\" must be an object", where);
            return;
        }
        only_members(l, stream, stream_keys, where);
        const cfc_jval *fs = member(stream, "from_start");
        const cfc_jval *pid = member(stream, "project_id");
        if (fs && fs->type != CFC_J_TRUE && fs->type != CFC_J_FALSE)
            fail(l, "%s: stream.from_start must be true or false", where);
        c->from_start = fs && fs->type == CFC_J_TRUE;
        if (pid &&
            (pid->type != CFC_J_NUMBER || !(pid->u.num.flags & CFC_JNUM_INT64) || pid->u.num.i < 1))
            fail(l, "%s: stream.project_id must be an integer >= 1", where);
        c->subscribed_project = pid ? pid->u.num.i : 0;
    }
}

static size_t count_steps(const cfc_jval *cases)
{
    size_t n = 0;
    for (const cfc_jval *c = cases->u.kids.first; c; c = c->next) {
        const cfc_jval *steps = c->type == CFC_J_OBJECT ? member(c, "steps") : NULL;
        n += steps ? steps->u.kids.count : 1;
    }
    return n;
}

static void load(loader *l, const cfc_jval *root)
{
    static const char *const top_keys[] = {
        "catalogue", "version", "description", "contract", "timestamp_tolerance_ms",
        "sections",  "cases",   NULL};
    cfc_catalogue *cat = l->cat;
    if (root->type != CFC_J_OBJECT) {
        fail(l, "the catalogue must be a JSON object");
        return;
    }
    only_members(l, root, top_keys, "catalogue");
    cat->version = string_member(l, root, "version", true, "catalogue");
    const cfc_jval *tol = member(root, "timestamp_tolerance_ms");
    cat->tolerance_ms = 5000;
    if (tol) {
        if (tol->type != CFC_J_NUMBER || !(tol->u.num.flags & CFC_JNUM_INT64) || tol->u.num.i < 0 ||
            tol->u.num.i > 86400000)
            fail(l, "catalogue: timestamp_tolerance_ms must be an integer in 0..86400000");
        else
            cat->tolerance_ms = tol->u.num.i;
    }
    const cfc_jval *sections = member(root, "sections");
    const cfc_jval *cases = member(root, "cases");
    if (sections == NULL || sections->type != CFC_J_ARRAY || sections->u.kids.count == 0)
        fail(l, "catalogue: \"sections\" must be a non-empty array");
    if (cases == NULL || cases->type != CFC_J_ARRAY || cases->u.kids.count == 0)
        fail(l, "catalogue: \"cases\" must be a non-empty array");
    if (l->failed)
        return;
    for (const cfc_jval *c = cases->u.kids.first; c; c = c->next) {
        const cfc_jval *steps = c->type == CFC_J_OBJECT ? member(c, "steps") : NULL;
        if (steps && (steps->type != CFC_J_ARRAY || steps->u.kids.count == 0)) {
            fail(l, "catalogue: a case's \"steps\" must be a non-empty array");
            return;
        }
    }
    size_t n_steps = count_steps(cases);
    const cfc_allocator *a = cat->alloc;
    cat->sections = cfc__cmalloc(a, sections->u.kids.count * sizeof *cat->sections);
    cat->cases = cfc__cmalloc(a, cases->u.kids.count * sizeof *cat->cases);
    cat->steps = cfc__cmalloc(a, n_steps * sizeof *cat->steps);
    cat->expects = cfc__cmalloc(a, n_steps * sizeof *cat->expects);
    cat->owned = cfc__cmalloc(a, 2 * n_steps * sizeof *cat->owned);
    if (!cat->sections || !cat->cases || !cat->steps || !cat->expects || !cat->owned) {
        out_of_memory(l);
        return;
    }
    memset(cat->cases, 0, cases->u.kids.count * sizeof *cat->cases);
    memset(cat->steps, 0, n_steps * sizeof *cat->steps);
    memset(cat->expects, 0, n_steps * sizeof *cat->expects);
    for (const cfc_jval *s = sections->u.kids.first; s && !l->failed; s = s->next) {
        cfc_cert_section *sec = &cat->sections[cat->n_sections];
        static const char *const section_keys[] = {"id", "title", NULL};
        if (s->type != CFC_J_OBJECT) {
            fail(l, "sections[%zu]: not an object", cat->n_sections);
            return;
        }
        only_members(l, s, section_keys, "sections");
        sec->id = string_member(l, s, "id", true, "sections");
        sec->title = string_member(l, s, "title", true, "sections");
        if (l->failed)
            return;
        if (strchr(sec->id, '.') || !id_well_formed(sec->id)) {
            fail(l, "sections: section ID \"%s\" must be one number", sec->id);
            return;
        }
        for (size_t i = 0; i < cat->n_sections; i++) {
            if (strcmp(cat->sections[i].id, sec->id) == 0) {
                fail(l, "sections: section \"%s\" is declared twice", sec->id);
                return;
            }
        }
        cat->n_sections++;
    }
    size_t next_step = 0;
    for (const cfc_jval *c = cases->u.kids.first; c && !l->failed; c = c->next) {
        load_case(l, c, &cat->cases[cat->n_cases], &next_step);
        cat->n_cases++;
    }
    cat->n_steps = next_step;
}

cfc_certify_status cfc_catalogue_load(const char *bytes, size_t len, const cfc_allocator *alloc,
                                      cfc_catalogue **out, cfc_certify_error *err)
{
    if (err) {
        err->status = CFC_CERTIFY_OK;
        err->message[0] = '\0';
    }
    if (out == NULL || (bytes == NULL && len > 0)) {
        if (err) {
            err->status = CFC_CERTIFY_USAGE;
            snprintf(err->message, sizeof err->message, "no catalogue given");
        }
        return CFC_CERTIFY_USAGE;
    }
    cfc_catalogue *cat = cfc__cmalloc(alloc, sizeof *cat);
    if (cat == NULL) {
        if (err) {
            err->status = CFC_CERTIFY_NOMEM;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return CFC_CERTIFY_NOMEM;
    }
    memset(cat, 0, sizeof *cat);
    if (alloc) {
        cat->alloc_copy = *alloc;
        cat->alloc = &cat->alloc_copy;
    }
    loader l = {.cat = cat, .err = err};
    cat->src = cfc__cstrndup(cat->alloc, bytes ? bytes : "", len);
    cat->len = len;
    if (cat->src == NULL) {
        out_of_memory(&l);
    } else {
        cfc__sha256_hex(cat->src, len, cat->sha256);
        cfc_jalloc ja = {0};
        if (alloc)
            ja = (cfc_jalloc){alloc->malloc_fn, alloc->realloc_fn, alloc->free_fn, alloc->ctx};
        cat->parser = cfc_jparser_new_with_alloc(alloc ? &ja : NULL);
    }
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0;
    if (!l.failed && cat->parser == NULL)
        out_of_memory(&l);
    if (!l.failed) {
        cfc_jparse_opts po = {.max_depth = 32};
        if (cfc_jparse(cat->parser, cat->src, len, &po, &root, &d, &nd, NULL) != 0)
            out_of_memory(&l);
        else if (nd > 0)
            fail(&l, "catalogue: byte %zu: %s", d[0].offset, d[0].message);
        else if (root == NULL)
            fail(&l, "catalogue: not JSON");
    }
    if (!l.failed)
        load(&l, root);
    if (l.failed) {
        cfc_certify_status st = l.nomem ? CFC_CERTIFY_NOMEM : CFC_CERTIFY_CATALOGUE;
        cfc_catalogue_free(cat);
        return st;
    }
    *out = cat;
    return CFC_CERTIFY_OK;
}

void cfc_catalogue_free(cfc_catalogue *cat)
{
    if (cat == NULL)
        return;
    const cfc_allocator *a = cat->alloc;
    for (size_t i = 0; cat->owned && i < cat->n_owned; i++)
        cfc__cfree(a, cat->owned[i]);
    cfc__cfree(a, cat->owned);
    cfc__cfree(a, cat->expects);
    cfc__cfree(a, cat->steps);
    cfc__cfree(a, cat->cases);
    cfc__cfree(a, cat->sections);
    cfc_jparser_free(cat->parser);
    cfc__cfree(a, cat->src);
    cfc__cfree(a, cat);
}

const char *cfc_catalogue_version(const cfc_catalogue *cat)
{
    return cat ? cat->version : NULL;
}

const char *cfc_catalogue_sha256(const cfc_catalogue *cat)
{
    return cat ? cat->sha256 : NULL;
}

int64_t cfc_catalogue_tolerance_ms(const cfc_catalogue *cat)
{
    return cat ? cat->tolerance_ms : 0;
}

size_t cfc_catalogue_count(const cfc_catalogue *cat)
{
    return cat ? cat->n_cases : 0;
}

const cfc_cert_case *cfc_catalogue_case(const cfc_catalogue *cat, size_t i)
{
    return cat && i < cat->n_cases ? &cat->cases[i] : NULL;
}

size_t cfc_catalogue_section_count(const cfc_catalogue *cat)
{
    return cat ? cat->n_sections : 0;
}

const cfc_cert_section *cfc_catalogue_section(const cfc_catalogue *cat, size_t i)
{
    return cat && i < cat->n_sections ? &cat->sections[i] : NULL;
}

bool cfc_case_selected(const char *id, const char *pattern)
{
    if (pattern == NULL || pattern[0] == '\0')
        return true;
    const char *p = pattern;
    while (*p) {
        size_t n = strcspn(p, ",");
        char one[128];
        if (n > 0 && n < sizeof one - 3) {
            memcpy(one, p, n);
            one[n] = '\0';
            if (fnmatch(one, id, 0) == 0)
                return true;
            /* "2.3" also selects 2.3.1, 2.3.2, ... */
            memcpy(one + n, ".*", 3);
            if (fnmatch(one, id, 0) == 0)
                return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}
