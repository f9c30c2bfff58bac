/* SPDX-License-Identifier: MIT */
/*
 * The consumer catalogue, generated: the contract table says which types,
 * fields, kinds, enum values and optional fields there are; the samples file
 * (corpus/consumer/samples.json) says which strings, numbers, timestamps,
 * unknown members and unknown types to try; the event generator (seeded,
 * plain) gives one conforming event per cover case (every enum value times
 * every presence combination of the optional fields), which are both the
 * first section and the bases the other sections change.
 *
 * Each case is checked by the checker as it is made: an event expected to be
 * read must have no error finding (warnings allowed: an unknown member, a
 * \u0000), an event expected to be rejected must have one. A boundary value
 * is tried on each base event of its type in turn (the cross-field rules may
 * forbid it on some: failed > 0 with status "passed"); when no base can hold
 * it, it is skipped and counted. A non-conforming case that the checker
 * accepts is a bug here, and the catalogue is refused.
 *
 * Bases are compact and in schema order, so a value can be replaced by
 * splicing its bytes (the parser gives every value's offsets) and a member
 * removed with the comma before it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfc/generate.h"
#include "cfc/stream.h"
#include "consume_internal.h"

#define MAX_DEPTH_SAMPLE 1000000
#define MAX_STRING_SAMPLE ((size_t)16 << 20)

static const char *const section_titles[CFC__CONSUME_SECTIONS] = {
    "Every event type, enum value and optional field",
    "Boundaries: integers, numbers, strings, timestamps, arrays",
    "Lexical form: member order, whitespace, escaped names",
    "Unknown members and event types (D2)",
    "Non-conforming events (D3)",
    "Streams: the consumer's state",
};

const char *cfc_consume_section_title(size_t i, const char **id)
{
    static const char *const ids[CFC__CONSUME_SECTIONS] = {"1", "2", "3", "4", "5", "6"};
    if (i >= CFC__CONSUME_SECTIONS)
        return NULL;
    if (id)
        *id = ids[i];
    return section_titles[i];
}

const char *cfc_consume_expect_name(cfc_consume_expect e)
{
    switch (e) {
    case CFC_EXPECT_READ: return "read";
    case CFC_EXPECT_REJECT: return "reject";
    case CFC_EXPECT_SURVIVE: return "survive";
    }
    return "?";
}

/* ---- the samples file ------------------------------------------------------ */

typedef struct named {
    const char *name;
    const char *json; /* a JSON value, as text */
    size_t len;
} named;

typedef struct samples {
    const char *version;
    uint64_t seed;
    named strings[32], members[16];
    size_t n_strings, n_members;
    const char *numbers[32], *timestamps[16], *types[16];
    size_t n_numbers, n_timestamps, n_types;
    size_t long_bytes, huge_bytes;
    size_t depths[8], n_depths;
} sample_set;

typedef struct builder {
    cfc_consume_catalogue *cat;
    const cfc_allocator *a;
    cfc_checker *checker;
    cfc_jparser *p;
    sample_set s;
    char **bases[CFC_EV_COUNT];
    size_t n_bases[CFC_EV_COUNT];
    size_t full[CFC_EV_COUNT]; /* the base with the most fields present */
    size_t counter[CFC__CONSUME_SECTIONS + 1][CFC_EV_COUNT + 1];
    cfc__buf hash;
    bool nomem;
    char err[400];
} builder;

static bool fail(builder *b, const char *fmt, ...)
{
    if (b->err[0] == '\0') {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, sizeof b->err, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool get_size(const cfc_jval *root, const char *name, size_t *out, size_t max)
{
    const cfc_jval *v = cfc_jobject_get(root, name);
    if (v == NULL || v->type != CFC_J_NUMBER || !(v->u.num.flags & CFC_JNUM_INT64) ||
        v->u.num.i < 1 || (uint64_t)v->u.num.i > max)
        return false;
    *out = (size_t)v->u.num.i;
    return true;
}

/* Strings of an array member into out (pointers into the parser's DOM). */
static bool get_strings(const cfc_jval *root, const char *name, const char **out, size_t cap,
                        size_t *n)
{
    const cfc_jval *v = cfc_jobject_get(root, name);
    if (v == NULL || v->type != CFC_J_ARRAY || v->u.kids.count > cap)
        return false;
    *n = 0;
    for (const cfc_jval *k = v->u.kids.first; k; k = k->next) {
        if (k->type != CFC_J_STRING || k->u.str.len == 0)
            return false;
        out[(*n)++] = k->u.str.s;
    }
    return true;
}

static bool get_named(const cfc_jval *root, const char *name, named *out, size_t cap, size_t *n)
{
    const cfc_jval *v = cfc_jobject_get(root, name);
    if (v == NULL || v->type != CFC_J_ARRAY || v->u.kids.count > cap)
        return false;
    *n = 0;
    for (const cfc_jval *k = v->u.kids.first; k; k = k->next) {
        const cfc_jval *nm = cfc_jobject_get(k, "name"), *js = cfc_jobject_get(k, "json");
        if (nm == NULL || js == NULL || nm->type != CFC_J_STRING || js->type != CFC_J_STRING)
            return false;
        out[*n] = (named){nm->u.str.s, js->u.str.s, js->u.str.len};
        (*n)++;
    }
    return true;
}

/* The samples live in a parser of their own, kept until the catalogue is made. */
static bool load_samples(builder *b, cfc_jparser *sp, const char *text, size_t len)
{
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0;
    if (cfc_jparse(sp, text, len, NULL, &root, &d, &nd, NULL) != 0) {
        b->nomem = true;
        return false;
    }
    if (root == NULL || nd > 0)
        return fail(b, "samples: not valid JSON: %s", nd ? d[0].message : "empty");
    sample_set *s = &b->s;
    const cfc_jval *v = cfc_jobject_get(root, "version");
    if (v == NULL || v->type != CFC_J_STRING || v->u.str.len == 0 || v->u.str.len > 16)
        return fail(b, "samples: \"version\" must be a short string");
    s->version = v->u.str.s;
    size_t seed = 0;
    if (!get_size(root, "seed", &seed, SIZE_MAX))
        return fail(b, "samples: \"seed\" must be a positive integer");
    s->seed = seed;
    if (!get_named(root, "strings", s->strings, 32, &s->n_strings) ||
        !get_named(root, "unknown_members", s->members, 16, &s->n_members))
        return fail(b, "samples: \"strings\" and \"unknown_members\" are arrays of "
                       "{\"name\",\"json\"} (at most 32 and 16)");
    if (!get_strings(root, "numbers", s->numbers, 32, &s->n_numbers) ||
        !get_strings(root, "timestamps", s->timestamps, 16, &s->n_timestamps) ||
        !get_strings(root, "unknown_types", s->types, 16, &s->n_types))
        return fail(b, "samples: \"numbers\", \"timestamps\", \"unknown_types\" are arrays of "
                       "non-empty strings (at most 32, 16, 16)");
    if (!get_size(root, "long_string_bytes", &s->long_bytes, MAX_STRING_SAMPLE) ||
        !get_size(root, "huge_string_bytes", &s->huge_bytes, MAX_STRING_SAMPLE))
        return fail(b, "samples: \"long_string_bytes\" and \"huge_string_bytes\" must be "
                       "integers in 1..16 MiB");
    const char *depths[8];
    const cfc_jval *dv = cfc_jobject_get(root, "nesting_depths");
    if (dv == NULL || dv->type != CFC_J_ARRAY || dv->u.kids.count > 8)
        return fail(b, "samples: \"nesting_depths\" must be an array of at most 8 integers");
    (void)depths;
    for (const cfc_jval *k = dv->u.kids.first; k; k = k->next) {
        if (k->type != CFC_J_NUMBER || !(k->u.num.flags & CFC_JNUM_INT64) || k->u.num.i < 65 ||
            k->u.num.i > MAX_DEPTH_SAMPLE)
            return fail(b, "samples: a nesting depth must be an integer in 65..%d",
                        MAX_DEPTH_SAMPLE);
        s->depths[s->n_depths++] = (size_t)k->u.num.i;
    }
    return true;
}

/* ---- cases --------------------------------------------------------------------- */

static char *dup_text(builder *b, const char *s, size_t len)
{
    char *d = cfc__cstrndup(b->a, s, len);
    if (d == NULL)
        b->nomem = true;
    return d;
}

/* The checker's verdict on one event: errors, and the first error's rule. */
static bool check(builder *b, const char *text, size_t len, size_t *errors, const char **rule)
{
    const cfc_event_result *r = NULL;
    if (cfc_check_event(b->checker, text, len, &r) != CFC_CHECK_OK) {
        b->nomem = true;
        return false;
    }
    *errors = r->errors;
    *rule = NULL;
    for (size_t i = 0; i < r->n_findings; i++) {
        if (r->findings[i].severity == CFC_SEVERITY_ERROR) {
            *rule = cfc_rule_get(r->findings[i].rule)->id;
            break;
        }
    }
    if (*rule == NULL && r->errors > 0)
        *rule = "error";
    return true;
}

/* Appends a case whose events were checked; takes the events' bytes. */
static bool add_case(builder *b, int section, const cfc_event_type *t, cfc_consume_event *evs,
                     size_t n, const char *fmt, ...)
{
    cfc_consume_catalogue *cat = b->cat;
    if (cat->n == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 256;
        cfc_consume_case *nc = cfc__crealloc(b->a, cat->cases, cap * sizeof *nc);
        if (nc == NULL)
            goto nomem;
        cat->cases = nc;
        cat->cap = cap;
    }
    char desc[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    size_t ti = t ? (size_t)t->id + 1 : 0;
    char id[48];
    snprintf(id, sizeof id, "%d.%zu.%zu", section, ti, ++b->counter[section][ti]);
    cfc_consume_case *c = &cat->cases[cat->n];
    memset(c, 0, sizeof *c);
    c->id = dup_text(b, id, strlen(id));
    c->description = dup_text(b, desc, strlen(desc));
    c->events = cfc__cmalloc(b->a, n * sizeof *evs);
    if (c->id == NULL || c->description == NULL || c->events == NULL) {
        cfc__cfree(b->a, c->id);
        cfc__cfree(b->a, c->description);
        cfc__cfree(b->a, c->events);
        goto nomem;
    }
    cfc_consume_section_title((size_t)section - 1, &c->section);
    c->type = t;
    memcpy(c->events, evs, n * sizeof *evs);
    c->n_events = n;
    cat->n++;
    return true;
nomem:
    for (size_t i = 0; i < n; i++)
        cfc__cfree(b->a, evs[i].bytes);
    b->nomem = true;
    return false;
}

/* One event, checked against its expectation; takes `text`. A mismatch is
 * a bug of this generator: the catalogue is refused. */
static bool add_one(builder *b, int section, const cfc_event_type *t, cfc_consume_expect e,
                    char *text, size_t len, const char *desc)
{
    if (text == NULL)
        return b->nomem ? false : fail(b, "case %s: its base event has no such member", desc);
    size_t errors;
    const char *rule;
    if (!check(b, text, len, &errors, &rule)) {
        cfc__cfree(b->a, text);
        return false;
    }
    if ((e == CFC_EXPECT_REJECT) != (errors > 0)) {
        fail(b, "case %s (%s): the checker %s it: %.*s", desc, cfc_consume_expect_name(e),
             errors ? "rejects" : "accepts", (int)(len > 200 ? 200 : len), text);
        cfc__cfree(b->a, text);
        return false;
    }
    cfc_consume_event ev = {text, len, e, e == CFC_EXPECT_REJECT ? rule : NULL};
    return add_case(b, section, t, &ev, 1, "%s", desc);
}

/* ---- splicing compact events ------------------------------------------------- */

static cfc_jval *parse(builder *b, const char *text, size_t len)
{
    cfc_jval *root = NULL;
    if (cfc_jparse(b->p, text, len, NULL, &root, NULL, NULL, NULL) != 0) {
        b->nomem = true;
        return NULL;
    }
    return root;
}

/* text[0, off) + repl + text[end, len) as a new string. */
static char *splice(builder *b, const char *text, size_t len, size_t off, size_t end,
                    const char *repl, size_t rlen, size_t *out_len)
{
    cfc__buf o;
    cfc__buf_init(&o, b->a);
    cfc__buf_add(&o, text, off);
    cfc__buf_add(&o, repl, rlen);
    cfc__buf_add(&o, text + end, len - end);
    char *r = cfc__buf_take(&o, out_len);
    if (r == NULL)
        b->nomem = true;
    return r;
}

/* The value of a field (path as cfc_consume_field) in a parsed base. */
static const cfc_jval *locate(const cfc_jval *root, const cfc_consume_field *f)
{
    return cfc__consume_get(root, f);
}

/* Replaces the value at `f` by `repl`, then makes every count_of field of
 * the type agree with a replaced array (blocked_count = len(blocked_by)). */
static char *with_value(builder *b, const cfc_event_type *t, const char *base,
                        const cfc_consume_field *f, const char *repl, size_t rlen, size_t *len)
{
    size_t blen = strlen(base);
    const cfc_jval *root = parse(b, base, blen);
    const cfc_jval *v = root ? locate(root, f) : NULL;
    if (v == NULL)
        return NULL;
    char *out = splice(b, base, blen, v->offset, v->end, repl, rlen, len);
    if (out == NULL || f->field->kind != CFC_KIND_ID_ARRAY || f->parent)
        return out;
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *cf = &t->fields[i];
        if (cf->count_of == NULL || strcmp(cf->count_of, f->field->name) != 0)
            continue;
        root = parse(b, out, *len);
        const cfc_jval *arr = root ? cfc_jobject_get(root, f->field->name) : NULL;
        const cfc_jval *cnt = root ? cfc_jobject_get(root, cf->name) : NULL;
        if (arr == NULL || cnt == NULL || arr->type != CFC_J_ARRAY)
            return out; /* not an array: no length to agree with */
        char num[32];
        int nl = snprintf(num, sizeof num, "%zu", arr->u.kids.count);
        size_t off = cnt->offset, end = cnt->end, olen = *len;
        char *fixed = splice(b, out, olen, off, end, num, (size_t)nl, len);
        cfc__cfree(b->a, out);
        out = fixed;
        if (out == NULL)
            return NULL;
    }
    return out;
}

/* The base without the member at `f` (compact text: the comma before it
 * goes, or the one after it for a first member). */
static char *without(builder *b, const char *base, const cfc_consume_field *f, size_t *len)
{
    size_t blen = strlen(base);
    const cfc_jval *root = parse(b, base, blen);
    const cfc_jval *v = root ? locate(root, f) : NULL;
    if (v == NULL)
        return NULL;
    size_t off = v->key_offset, end = v->end;
    if (base[off - 1] == ',')
        off--;
    else if (base[end] == ',')
        end++;
    return splice(b, base, blen, off, end, "", 0, len);
}

/* The base with a member added: at the end of the event (or of the nested
 * object `in`), or at its start. */
static char *with_member(builder *b, const char *base, const cfc_consume_field *in, bool at_start,
                         const char *name, const char *json, size_t jlen, size_t *len)
{
    size_t blen = strlen(base);
    const cfc_jval *root = parse(b, base, blen);
    const cfc_jval *obj = root && in ? locate(root, in) : root;
    if (obj == NULL || obj->type != CFC_J_OBJECT)
        return NULL;
    cfc__buf m;
    cfc__buf_init(&m, b->a);
    bool empty = obj->u.kids.count == 0;
    if (!at_start && !empty)
        cfc__buf_puts(&m, ",");
    cfc__buf_json_str(&m, name, strlen(name));
    cfc__buf_puts(&m, ":");
    cfc__buf_add(&m, json, jlen);
    if (at_start && !empty)
        cfc__buf_puts(&m, ",");
    size_t at = at_start ? obj->offset + 1 : obj->end - 1;
    char *out = cfc__buf_ok(&m) ? splice(b, base, blen, at, at, m.data, m.len, len) : NULL;
    if (!cfc__buf_ok(&m))
        b->nomem = true;
    cfc__buf_free(&m);
    return out;
}

/* ---- the sections -------------------------------------------------------------- */

/* How many cover cases the generator makes for a type (its enum values,
 * the known values of an open set, times two for each optional field): the
 * same product as the generator's, from the same table. */
static size_t cover_cases(const cfc_event_type *t)
{
    size_t n = 1;
    for (size_t i = 0; i < t->n_fields; i++) {
        const cfc_field *f = &t->fields[i];
        if ((f->kind == CFC_KIND_ENUM && !f->fixed_string) ||
            (f->kind == CFC_KIND_IDENT && f->values)) {
            size_t nv = 0;
            while (f->values[nv])
                nv++;
            n *= nv;
        }
        if (!f->required)
            n *= 2;
    }
    return n;
}

static bool make_bases(builder *b)
{
    cfc_gen_options o = {.seed = b->s.seed, .plain = true};
    cfc_generator *g = cfc_generator_new(&o);
    if (g == NULL) {
        b->nomem = true;
        return false;
    }
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    bool ok = true;
    for (size_t t = 0; t < nt && ok; t++) {
        size_t n = cover_cases(&types[t]);
        b->bases[t] = cfc__cmalloc(b->a, n * sizeof(char *));
        if (b->bases[t] == NULL) {
            b->nomem = true;
            ok = false;
            break;
        }
        size_t most = 0;
        for (size_t i = 0; i < n; i++) {
            cfc_gen_event e;
            if (cfc_generator_next(g, &e) != 0) {
                b->nomem = true;
                ok = false;
                break;
            }
            if (!e.valid || e.typed == NULL || e.typed->type != types[t].id) {
                ok = fail(b, "the generator's cover of %s is not where expected", types[t].name);
                break;
            }
            char *copy = dup_text(b, e.text, e.len);
            if (copy == NULL) {
                ok = false;
                break;
            }
            b->bases[t][b->n_bases[t]++] = copy;
            /* Members present: the compact text's top-level commas + 1. */
            const cfc_jval *root = parse(b, copy, e.len);
            size_t present = root ? root->u.kids.count : 0;
            for (const cfc_jval *k = root ? root->u.kids.first : NULL; k; k = k->next)
                present += k->type == CFC_J_OBJECT ? k->u.kids.count : 0;
            if (present > most) {
                most = present;
                b->full[t] = i;
            }
        }
    }
    cfc_generator_free(g);
    return ok;
}

/* Section 1: the generator's cover, described by its enum values and the
 * optional fields it has. */
static bool section_cover(builder *b)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        for (size_t i = 0; i < b->n_bases[t]; i++) {
            const char *text = b->bases[t][i];
            const cfc_jval *root = parse(b, text, strlen(text));
            if (root == NULL)
                return fail(b, "a base event does not parse");
            char desc[400];
            size_t dl = (size_t)snprintf(desc, sizeof desc, "%s", types[t].name);
            const char *sep = ": ";
            for (size_t k = 0; k < types[t].n_fields && dl < sizeof desc; k++) {
                const cfc_field *f = &types[t].fields[k];
                const cfc_jval *v = cfc_jobject_get(root, f->name);
                if (f->values && !f->fixed_string && v && v->type == CFC_J_STRING)
                    dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s=%s", sep, f->name,
                                           v->u.str.s);
                else if (!f->required)
                    dl += (size_t)snprintf(desc + dl, sizeof desc - dl, "%s%s %s", sep,
                                           v ? "with" : "without", f->name);
                else
                    continue;
                sep = ", ";
            }
            if (!add_one(b, 1, &types[t], CFC_EXPECT_READ, dup_text(b, text, strlen(text)),
                         strlen(text), desc))
                return false;
        }
    }
    return true;
}

/* A boundary value on the first base of the type that can hold it. */
static bool boundary(builder *b, const cfc_event_type *t, const cfc_consume_field *f,
                     const char *value, size_t vlen, const char *label)
{
    for (size_t i = 0; i < b->n_bases[t->id]; i++) {
        size_t len;
        const char *base = b->bases[t->id][i];
        char *text = with_value(b, t, base, f, value, vlen, &len);
        if (text == NULL) {
            if (b->nomem)
                return false;
            continue; /* the field is absent in this base */
        }
        size_t errors;
        const char *rule;
        if (!check(b, text, len, &errors, &rule)) {
            cfc__cfree(b->a, text);
            return false;
        }
        if (errors == 0) {
            char desc[300];
            snprintf(desc, sizeof desc, "%s: %s = %s", t->name, f->path, label);
            cfc_consume_event ev = {text, len, CFC_EXPECT_READ, NULL};
            return add_case(b, 2, t, &ev, 1, "%s", desc);
        }
        cfc__cfree(b->a, text);
    }
    b->cat->skipped++;
    return true;
}

/* A string of about n bytes of mixed-width characters, as a JSON string. */
static char *long_string(builder *b, size_t n, bool ascii, size_t *len)
{
    static const char *const pieces[] = {"Lorem ipsum ", "\xc3\xa9", "\xe4\xb8\x96",
                                         "\xf0\x9f\x9a\x80", " dolor "};
    cfc__buf o;
    cfc__buf_init(&o, b->a);
    cfc__buf_puts(&o, "\"");
    for (size_t i = 0; o.len < n + 1 && cfc__buf_ok(&o); i++) {
        const char *p = ascii ? "a" : pieces[i % 5];
        if (o.len + strlen(p) > n + 1)
            p = "a";
        cfc__buf_puts(&o, p);
    }
    cfc__buf_puts(&o, "\"");
    char *r = cfc__buf_take(&o, len);
    if (r == NULL)
        b->nomem = true;
    return r;
}

static bool section_boundaries(builder *b)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_field *f = &fs[k];
            const cfc_field *fd = f->field;
            if (fd->fixed_string || fd->has_fixed_int || fd->count_of)
                continue; /* one value only, or another field's length */
            bool ok = true;
            switch (fd->kind) {
            case CFC_KIND_ID:
            case CFC_KIND_ORDINAL:
                ok = boundary(b, &types[t], f, "1", 1, "1 (the least)") &&
                     boundary(b, &types[t], f, "9007199254740991", 16, "2^53-1 (the largest)");
                break;
            case CFC_KIND_COUNT:
                ok = boundary(b, &types[t], f, "0", 1, "0") &&
                     boundary(b, &types[t], f, "9007199254740991", 16, "2^53-1 (the largest)");
                break;
            case CFC_KIND_PERCENT:
                ok = boundary(b, &types[t], f, "0", 1, "0") &&
                     boundary(b, &types[t], f, "100", 3, "100");
                break;
            case CFC_KIND_NUMBER:
                for (size_t i = 0; i < b->s.n_numbers && ok; i++)
                    ok = boundary(b, &types[t], f, b->s.numbers[i], strlen(b->s.numbers[i]),
                                  b->s.numbers[i]);
                break;
            case CFC_KIND_STRING:
            case CFC_KIND_IDENT: {
                for (size_t i = 0; i < b->s.n_strings && ok; i++) {
                    char label[160];
                    snprintf(label, sizeof label, "%s string %.100s", b->s.strings[i].name,
                             b->s.strings[i].json);
                    ok =
                        boundary(b, &types[t], f, b->s.strings[i].json, b->s.strings[i].len, label);
                }
                size_t ll;
                char *ls = ok ? long_string(b, b->s.long_bytes, false, &ll) : NULL;
                if (ls) {
                    char label[64];
                    snprintf(label, sizeof label, "a %zu-byte string", b->s.long_bytes);
                    ok = boundary(b, &types[t], f, ls, ll, label);
                    cfc__cfree(b->a, ls);
                } else {
                    ok = false;
                }
                break;
            }
            case CFC_KIND_TIMESTAMP:
                for (size_t i = 0; i < b->s.n_timestamps && ok; i++) {
                    char q[64];
                    int ql = snprintf(q, sizeof q, "\"%.40s\"", b->s.timestamps[i]);
                    ok = boundary(b, &types[t], f, q, (size_t)ql, b->s.timestamps[i]);
                }
                break;
            case CFC_KIND_ID_ARRAY: {
                ok = boundary(b, &types[t], f, "[1]", 3, "[1] (one ID)") &&
                     boundary(b, &types[t], f, "[9007199254740991]", 18, "[2^53-1]");
                char many[600];
                size_t ml = 1;
                many[0] = '[';
                for (int i = 1; i <= 100; i++)
                    ml += (size_t)snprintf(many + ml, sizeof many - ml, "%s%d", i > 1 ? "," : "",
                                           1000 + i);
                many[ml++] = ']';
                ok = ok && boundary(b, &types[t], f, many, ml, "100 IDs");
                break;
            }
            case CFC_KIND_TYPE:
            case CFC_KIND_ENUM:
            case CFC_KIND_OBJECT: break; /* section 1 has every enum value */
            }
            if (!ok)
                return false;
        }
    }
    return true;
}

/* The base's members in reverse order (a compact object's members). */
static char *reversed(builder *b, const char *base, size_t *len)
{
    const cfc_jval *root = parse(b, base, strlen(base));
    if (root == NULL)
        return NULL;
    const cfc_jval *m[64];
    size_t n = 0;
    for (const cfc_jval *k = root->u.kids.first; k && n < 64; k = k->next)
        m[n++] = k;
    cfc__buf o;
    cfc__buf_init(&o, b->a);
    cfc__buf_puts(&o, "{");
    for (size_t i = n; i-- > 0;) {
        cfc__buf_add(&o, base + m[i]->key_offset, m[i]->end - m[i]->key_offset);
        if (i)
            cfc__buf_puts(&o, ",");
    }
    cfc__buf_puts(&o, "}");
    char *r = cfc__buf_take(&o, len);
    if (r == NULL)
        b->nomem = true;
    return r;
}

/* Whitespace between every token (outside strings), or every member name
 * written with \u escapes. */
static char *relexed(builder *b, const char *base, bool escape_names, size_t *len)
{
    cfc__buf o;
    cfc__buf_init(&o, b->a);
    bool in_str = false, is_key = false;
    int depth = 0;
    for (const char *p = base; *p; p++) {
        char c = *p;
        if (in_str) {
            if (c == '\\') {
                cfc__buf_add(&o, p, 2);
                p++;
            } else if (c == '"') {
                in_str = false;
                cfc__buf_puts(&o, "\"");
            } else if (escape_names && is_key && (unsigned char)c < 0x80) {
                cfc__buf_printf(&o, "\\u%04X", (unsigned)c);
            } else {
                cfc__buf_add(&o, p, 1);
            }
            continue;
        }
        if (c == '"') {
            in_str = true;
            /* A key follows '{' or ',' (compact text, so directly). */
            is_key = p > base && (p[-1] == '{' || p[-1] == ',');
            cfc__buf_puts(&o, "\"");
            continue;
        }
        if (escape_names) {
            cfc__buf_add(&o, p, 1);
            continue;
        }
        switch (c) {
        case '{':
        case '[':
            depth++;
            cfc__buf_printf(&o, "%c\n%*s", c, 2 * depth, "");
            break;
        case '}':
        case ']':
            depth--;
            cfc__buf_printf(&o, "\r\n%*s%c", 2 * depth, "", c);
            break;
        case ',': cfc__buf_printf(&o, " ,\n%*s", 2 * depth, ""); break;
        case ':': cfc__buf_puts(&o, "\t:  "); break;
        default: cfc__buf_add(&o, p, 1);
        }
    }
    char *r = cfc__buf_take(&o, len);
    if (r == NULL)
        b->nomem = true;
    return r;
}

static bool section_lexical(builder *b)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        const char *base = b->bases[t][b->full[t]];
        char desc[160];
        size_t len;
        char *r = reversed(b, base, &len);
        snprintf(desc, sizeof desc, "%s: members in reverse order", types[t].name);
        if (!add_one(b, 3, &types[t], CFC_EXPECT_READ, r, len, desc))
            return false;
        r = relexed(b, base, false, &len);
        snprintf(desc, sizeof desc, "%s: whitespace (spaces, tabs, CR LF) between every token",
                 types[t].name);
        if (!add_one(b, 3, &types[t], CFC_EXPECT_READ, r, len, desc))
            return false;
        r = relexed(b, base, true, &len);
        snprintf(desc, sizeof desc, "%s: every member name written with \\u escapes",
                 types[t].name);
        if (!add_one(b, 3, &types[t], CFC_EXPECT_READ, r, len, desc))
            return false;
    }
    return true;
}

static bool section_unknown(builder *b)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    char desc[300];
    for (size_t t = 0; t < nt; t++) {
        const char *base = b->bases[t][b->full[t]];
        size_t len;
        for (size_t i = 0; i < b->s.n_members; i++) {
            const named *m = &b->s.members[i];
            char *r = with_member(b, base, NULL, false, m->name, m->json, m->len, &len);
            snprintf(desc, sizeof desc,
                     "%s: an unknown member \"%s\": %.120s (ignored, the rest read)", types[t].name,
                     m->name, m->json);
            if (!add_one(b, 4, &types[t], CFC_EXPECT_READ, r, len, desc))
                return false;
        }
        if (b->s.n_members) {
            const named *m = &b->s.members[0];
            char *r = with_member(b, base, NULL, true, m->name, m->json, m->len, &len);
            snprintf(desc, sizeof desc, "%s: an unknown member \"%s\" before \"type\"",
                     types[t].name, m->name);
            if (!add_one(b, 4, &types[t], CFC_EXPECT_READ, r, len, desc))
                return false;
        }
        /* Inside each nested object too. */
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf && b->s.n_members; k++) {
            if (fs[k].parent == NULL || fs[k].field != &fs[k].parent->members[0])
                continue;
            cfc_consume_field obj = {fs[k].parent->name, fs[k].parent, NULL};
            const named *m = &b->s.members[0];
            char *r = with_member(b, base, &obj, false, m->name, m->json, m->len, &len);
            snprintf(desc, sizeof desc, "%s: an unknown member \"%s\" inside %s", types[t].name,
                     m->name, obj.path);
            if (!add_one(b, 4, &types[t], CFC_EXPECT_READ, r, len, desc))
                return false;
        }
    }
    /* Unknown event types: a known event's body under another name. */
    const cfc_event_type *ac = cfc_contract_get(CFC_EV_AGENT_CREATED);
    size_t nf;
    const cfc_consume_field *fs = cfc_consume_fields(CFC_EV_AGENT_CREATED, &nf);
    for (size_t i = 0; i < b->s.n_types; i++) {
        char q[80];
        int ql = snprintf(q, sizeof q, "\"%.60s\"", b->s.types[i]);
        size_t len;
        char *r = with_value(b, ac, b->bases[CFC_EV_AGENT_CREATED][0], &fs[0], q, (size_t)ql, &len);
        snprintf(desc, sizeof desc, "an unknown event type \"%.60s\" (survived: read or rejected)",
                 b->s.types[i]);
        if (!add_one(b, 4, NULL, CFC_EXPECT_SURVIVE, r, len, desc))
            return false;
    }
    return true;
}

/* The values that break a field of each kind: wrong JSON types, then out of
 * range (G5, G8, G11, E). */
static void bad_values(const cfc_field *f, const char **wrong, size_t *nw, const char **range,
                       size_t *nr)
{
    *nw = *nr = 0;
    switch (f->kind) {
    case CFC_KIND_ID:
        wrong[(*nw)++] = "\"1\"";
        wrong[(*nw)++] = "1.5";
        range[(*nr)++] = "0";
        range[(*nr)++] = "9007199254740992";
        break;
    case CFC_KIND_COUNT:
        wrong[(*nw)++] = "\"1\"";
        wrong[(*nw)++] = "1.5";
        range[(*nr)++] = "-1";
        range[(*nr)++] = "9007199254740992";
        break;
    case CFC_KIND_ORDINAL:
        wrong[(*nw)++] = "\"1\"";
        range[(*nr)++] = "0";
        break;
    case CFC_KIND_PERCENT:
        wrong[(*nw)++] = "\"50\"";
        range[(*nr)++] = "101";
        range[(*nr)++] = "-1";
        break;
    case CFC_KIND_NUMBER:
        wrong[(*nw)++] = "\"1.5\"";
        range[(*nr)++] = "-1";
        range[(*nr)++] = "1e400";
        break;
    case CFC_KIND_STRING: wrong[(*nw)++] = "7"; break;
    case CFC_KIND_IDENT:
        wrong[(*nw)++] = "7";
        range[(*nr)++] = "\"\"";
        break;
    case CFC_KIND_ENUM:
        wrong[(*nw)++] = "7";
        range[(*nr)++] = "\"not_a_contract_value\"";
        break;
    case CFC_KIND_ID_ARRAY:
        wrong[(*nw)++] = "\"1,2\"";
        range[(*nr)++] = "[]";
        range[(*nr)++] = "[0]";
        break;
    case CFC_KIND_OBJECT: wrong[(*nw)++] = "\"task\""; break;
    case CFC_KIND_TIMESTAMP:
    case CFC_KIND_TYPE: wrong[(*nw)++] = "7"; break;
    }
}

static bool section_nonconforming(builder *b)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    char desc[300];
    for (size_t t = 0; t < nt; t++) {
        const cfc_event_type *ty = &types[t];
        const char *base = b->bases[t][b->full[t]];
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(ty->id, &nf);
        /* A nested object itself (its members are rows of their own). */
        for (size_t k = 0; k < ty->n_fields; k++) {
            if (ty->fields[k].kind != CFC_KIND_OBJECT)
                continue;
            cfc_consume_field obj = {ty->fields[k].name, &ty->fields[k], NULL};
            static const char *const bad[] = {"null", "\"task\"", "[]"};
            for (size_t i = 0; i < 3; i++) {
                size_t len;
                char *r = with_value(b, ty, base, &obj, bad[i], strlen(bad[i]), &len);
                snprintf(desc, sizeof desc, "%s: %s is %s%s", ty->name, obj.path, bad[i],
                         i ? " (wrong type)" : "");
                if (!add_one(b, 5, ty, CFC_EXPECT_REJECT, r, len, desc))
                    return false;
            }
        }
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_field *f = &fs[k];
            const char *wrong[4], *range[4];
            size_t nw, nr, len;
            bad_values(f->field, wrong, &nw, range, &nr);
            char *r = with_value(b, ty, base, f, "null", 4, &len);
            snprintf(desc, sizeof desc, "%s: %s is null", ty->name, f->path);
            if (!add_one(b, 5, ty, CFC_EXPECT_REJECT, r, len, desc))
                return false;
            for (size_t i = 0; i < nw; i++) {
                r = with_value(b, ty, base, f, wrong[i], strlen(wrong[i]), &len);
                snprintf(desc, sizeof desc, "%s: %s is %s (wrong type)", ty->name, f->path,
                         wrong[i]);
                if (!add_one(b, 5, ty, CFC_EXPECT_REJECT, r, len, desc))
                    return false;
            }
            for (size_t i = 0; i < nr; i++) {
                r = with_value(b, ty, base, f, range[i], strlen(range[i]), &len);
                snprintf(desc, sizeof desc, "%s: %s is %s (out of range)", ty->name, f->path,
                         range[i]);
                if (!add_one(b, 5, ty, CFC_EXPECT_REJECT, r, len, desc))
                    return false;
            }
            if (f->field->required) {
                r = without(b, base, f, &len);
                if (f->parent)
                    snprintf(desc, sizeof desc, "%s: %s missing (required inside %s)", ty->name,
                             f->path, f->parent->name);
                else
                    snprintf(desc, sizeof desc, "%s: required %s missing", ty->name, f->path);
                if (!add_one(b, 5, ty, CFC_EXPECT_REJECT, r, len, desc))
                    return false;
            }
        }
    }
    /* Whole-event faults, on the first base events. */
    const char *ac = b->bases[CFC_EV_AGENT_CREATED][0];
    size_t acl = strlen(ac), len;
    static const char *const not_events[][2] = {
        {"", "empty input"},
        {"[]", "an array"},
        {"42", "a number"},
        {"null", "null"},
        {"\"agent_created\"", "a string"},
    };
    for (size_t i = 0; i < sizeof not_events / sizeof not_events[0]; i++) {
        snprintf(desc, sizeof desc, "not an event: %s", not_events[i][1]);
        const char *s = not_events[i][0];
        if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, dup_text(b, s, strlen(s)), strlen(s), desc))
            return false;
    }
    if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, dup_text(b, ac, acl / 2), acl / 2,
                 "invalid JSON: an event cut in half"))
        return false;
    char *r = splice(b, ac, acl, acl - 1, acl - 1, ",", 1, &len);
    if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, r, len, "invalid JSON: a trailing comma"))
        return false;
    r = splice(b, ac, acl, 1, 7, "'type'", 6, &len);
    if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, r, len, "invalid JSON: a single-quoted name"))
        return false;
    size_t nf;
    const cfc_consume_field *fs = cfc_consume_fields(CFC_EV_TEST_RESULT, &nf);
    for (size_t k = 0; k < nf; k++) {
        if (fs[k].field->kind != CFC_KIND_NUMBER)
            continue;
        static const char *const lits[] = {"NaN", "Infinity", "-Infinity"};
        for (size_t i = 0; i < 3; i++) {
            r = with_value(b, cfc_contract_get(CFC_EV_TEST_RESULT), b->bases[CFC_EV_TEST_RESULT][0],
                           &fs[k], lits[i], strlen(lits[i]), &len);
            snprintf(desc, sizeof desc, "invalid JSON: test_result %s is %s (not JSON)", fs[k].path,
                     lits[i]);
            if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, r, len, desc))
                return false;
        }
    }
    for (size_t i = 0; i < b->s.n_depths; i++) {
        size_t d = b->s.depths[i];
        char *nest = cfc__cmalloc(b->a, 2 * d);
        if (nest == NULL) {
            b->nomem = true;
            return false;
        }
        memset(nest, '[', d);
        memset(nest + d, ']', d);
        r = with_member(b, ac, NULL, false, "x_nested", nest, 2 * d, &len);
        cfc__cfree(b->a, nest);
        snprintf(desc, sizeof desc, "agent_created with a member nested %zu arrays deep", d);
        if (!add_one(b, 5, NULL, CFC_EXPECT_REJECT, r, len, desc))
            return false;
    }
    const cfc_event_type *ta = cfc_contract_get(CFC_EV_TASK_ASSIGNED);
    fs = cfc_consume_fields(CFC_EV_TASK_ASSIGNED, &nf);
    for (size_t k = 0; k < nf; k++) {
        if (fs[k].field->kind != CFC_KIND_STRING)
            continue;
        size_t hl;
        char *huge = long_string(b, b->s.huge_bytes, true, &hl);
        if (huge == NULL)
            return false;
        r = with_value(b, ta, b->bases[CFC_EV_TASK_ASSIGNED][b->full[CFC_EV_TASK_ASSIGNED]], &fs[k],
                       huge, hl, &len);
        cfc__cfree(b->a, huge);
        snprintf(desc, sizeof desc, "task_assigned: a %zu-byte %s (the event is over 1 MiB)",
                 b->s.huge_bytes, fs[k].path);
        if (!add_one(b, 5, ta, CFC_EXPECT_REJECT, r, len, desc))
            return false;
        break;
    }
    return true;
}

/* ---- streams -------------------------------------------------------------------- */

typedef struct step {
    cfc_event_id type;
    const char *agent; /* the agent_id to set, or NULL */
    const char *ts;    /* the timestamp to set */
} step;

/* A stream case: each step a base event of its type with the agent and the
 * timestamp set; what to expect of each is the stream checker's verdict
 * (an error: reject; else read). */
static bool stream_case(builder *b, const step *steps, size_t n, const char *desc)
{
    cfc_consume_event evs[8];
    size_t made = 0;
    cfc_stream_options so = {.from_start = true};
    cfc_stream *st = cfc_stream_new(b->checker, &so);
    if (st == NULL) {
        b->nomem = true;
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const cfc_event_type *t = cfc_contract_get(steps[i].type);
        size_t nf, len = 0;
        const cfc_consume_field *fs = cfc_consume_fields(t->id, &nf);
        char *text =
            dup_text(b, b->bases[t->id][b->full[t->id]], strlen(b->bases[t->id][b->full[t->id]]));
        for (size_t k = 0; k < nf && text; k++) {
            char q[80];
            int ql = 0;
            if (strcmp(fs[k].path, "agent_id") == 0 && steps[i].agent)
                ql = snprintf(q, sizeof q, "\"%s\"", steps[i].agent);
            else if (strcmp(fs[k].path, "project_id") == 0)
                ql = snprintf(q, sizeof q, "1"); /* one project: the stream rules apply */
            else if (strcmp(fs[k].path, "timestamp") == 0)
                ql = snprintf(q, sizeof q, "\"%s\"", steps[i].ts);
            else
                continue;
            char *next = with_value(b, t, text, &fs[k], q, (size_t)ql, &len);
            cfc__cfree(b->a, text);
            text = next;
        }
        if (text == NULL) {
            ok = fail(b, "stream case %s: cannot make step %zu", desc, i + 1);
            break;
        }
        len = strlen(text);
        const cfc_event_result *r = NULL;
        if (cfc_stream_check_event(st, text, len, &r) != CFC_CHECK_OK) {
            cfc__cfree(b->a, text);
            b->nomem = true;
            ok = false;
            break;
        }
        const char *rule = NULL;
        for (size_t f = 0; f < r->n_findings && !rule; f++)
            if (r->findings[f].severity == CFC_SEVERITY_ERROR)
                rule = cfc_rule_get(r->findings[f].rule)->id;
        evs[made++] =
            (cfc_consume_event){text, len, r->errors ? CFC_EXPECT_REJECT : CFC_EXPECT_READ,
                                r->errors ? (rule ? rule : "error") : NULL};
    }
    cfc_stream_free(st);
    if (!ok) {
        for (size_t i = 0; i < made; i++)
            cfc__cfree(b->a, evs[i].bytes);
        return false;
    }
    return add_case(b, 6, NULL, evs, made, "%s", desc);
}

static bool section_streams(builder *b)
{
    const step retired[] = {
        {CFC_EV_AGENT_CREATED, "worker-7", "2025-11-08T14:30:00.000Z"},
        {CFC_EV_AGENT_STATUS_CHANGED, "worker-7", "2025-11-08T14:30:01.000Z"},
        {CFC_EV_AGENT_RETIRED, "worker-7", "2025-11-08T14:30:02.000Z"},
        {CFC_EV_TASK_ASSIGNED, "worker-7", "2025-11-08T14:30:03.000Z"},
        {CFC_EV_AGENT_CREATED, "worker-8", "2025-11-08T14:30:04.000Z"},
    };
    const step twice[] = {
        {CFC_EV_AGENT_CREATED, "worker-9", "2025-11-08T14:30:00.000Z"},
        {CFC_EV_AGENT_RETIRED, "worker-9", "2025-11-08T14:30:01.000Z"},
        {CFC_EV_AGENT_RETIRED, "worker-9", "2025-11-08T14:30:02.000Z"},
    };
    const step backwards[] = {
        {CFC_EV_TASK_STATUS_CHANGED, NULL, "2025-11-08T14:30:05.000Z"},
        {CFC_EV_TEST_RESULT, NULL, "2025-11-08T14:30:04.999Z"},
        {CFC_EV_PROGRESS_UPDATE, NULL, "2025-11-08T14:29:00.000Z"},
    };
    const step before[] = {
        {CFC_EV_AGENT_STATUS_CHANGED, "worker-3", "2025-11-08T14:30:00.000Z"},
        {CFC_EV_AGENT_CREATED, "worker-3", "2025-11-08T14:30:01.000Z"},
        {CFC_EV_TASK_ASSIGNED, "worker-3", "2025-11-08T14:30:02.000Z"},
    };
    return stream_case(b, retired, 5,
                       "an event for a retired agent (S2): reject it, and read the events around "
                       "it") &&
           stream_case(b, twice, 3, "an agent retired twice (S2): reject the second retirement") &&
           stream_case(b, backwards, 3,
                       "timestamps going backwards (T4: a warning): read every event as sent") &&
           stream_case(b, before, 3,
                       "an agent named before its agent_created (S1: a warning): read every event");
}

/* ---- the catalogue ---------------------------------------------------------------- */

static void write_json(cfc__buf *o, const cfc_consume_catalogue *cat)
{
    cfc__buf_printf(o, "{\"catalogue\":\"cfconform-consumer\",\"version\":");
    cfc__buf_json_str(o, cat->version, strlen(cat->version));
    cfc__buf_printf(o, ",\"skipped_boundaries\":%zu,\"cases\":[", cat->skipped);
    for (size_t i = 0; i < cat->n; i++) {
        const cfc_consume_case *c = &cat->cases[i];
        cfc__buf_puts(o, i ? ",\n{\"id\":" : "\n{\"id\":");
        cfc__buf_json_str(o, c->id, strlen(c->id));
        cfc__buf_puts(o, ",\"description\":");
        cfc__buf_json_str(o, c->description, strlen(c->description));
        cfc__buf_puts(o, ",\"events\":[");
        for (size_t e = 0; e < c->n_events; e++) {
            const cfc_consume_event *ev = &c->events[e];
            cfc__buf_printf(o, "%s{\"expect\":\"%s\"", e ? "," : "",
                            cfc_consume_expect_name(ev->expect));
            if (ev->rule)
                cfc__buf_printf(o, ",\"rule\":\"%s\"", ev->rule);
            cfc__buf_puts(o, ",\"text\":");
            cfc__buf_json_str(o, ev->bytes, ev->len);
            cfc__buf_puts(o, "}");
        }
        cfc__buf_puts(o, "]}");
    }
    cfc__buf_puts(o, "\n]}\n");
}

int cfc_consume_catalogue_write(const cfc_consume_catalogue *cat, FILE *out)
{
    cfc__buf o;
    cfc__buf_init(&o, cat->alloc);
    write_json(&o, cat);
    bool ok = cfc__buf_ok(&o) && fwrite(o.data, 1, o.len, out) == o.len && fflush(out) == 0;
    cfc__buf_free(&o);
    return ok ? 0 : -1;
}

void cfc_consume_catalogue_free(cfc_consume_catalogue *cat)
{
    if (cat == NULL)
        return;
    for (size_t i = 0; i < cat->n; i++) {
        cfc_consume_case *c = &cat->cases[i];
        for (size_t e = 0; e < c->n_events; e++)
            cfc__cfree(cat->alloc, c->events[e].bytes);
        cfc__cfree(cat->alloc, c->events);
        cfc__cfree(cat->alloc, c->id);
        cfc__cfree(cat->alloc, c->description);
    }
    cfc__cfree(cat->alloc, cat->cases);
    cfc__cfree(cat->alloc, cat);
}

cfc_certify_status cfc_consume_catalogue_new(const char *samples, size_t len,
                                             const cfc_allocator *alloc,
                                             cfc_consume_catalogue **out, cfc_certify_error *err)
{
    builder b;
    memset(&b, 0, sizeof b);
    b.a = alloc;
    cfc_jalloc ja = {0};
    if (alloc)
        ja = (cfc_jalloc){alloc->malloc_fn, alloc->realloc_fn, alloc->free_fn, alloc->ctx};
    cfc_check_options co = {.alloc = alloc};
    cfc_jparser *sp = cfc_jparser_new_with_alloc(alloc ? &ja : NULL);
    b.p = cfc_jparser_new_with_alloc(alloc ? &ja : NULL);
    b.checker = cfc_checker_new(&co);
    b.cat = cfc__cmalloc(alloc, sizeof *b.cat);
    if (b.cat)
        memset(b.cat, 0, sizeof *b.cat);
    bool ok = sp && b.p && b.checker && b.cat;
    if (ok) {
        b.cat->alloc = alloc;
        ok = load_samples(&b, sp, samples ? samples : "", samples ? len : 0);
    }
    if (ok) {
        snprintf(b.cat->version, sizeof b.cat->version, "%d.%s", CFC_CONSUME_GENERATOR,
                 b.s.version);
        ok = make_bases(&b) && section_cover(&b) && section_boundaries(&b) && section_lexical(&b) &&
             section_unknown(&b) && section_nonconforming(&b) && section_streams(&b);
    }
    if (ok) {
        cfc__buf_init(&b.hash, alloc);
        write_json(&b.hash, b.cat);
        ok = cfc__buf_ok(&b.hash);
        if (ok)
            cfc__sha256_hex(b.hash.data, b.hash.len, b.cat->sha256);
        else
            b.nomem = true;
        cfc__buf_free(&b.hash);
    }
    for (size_t t = 0; t < CFC_EV_COUNT; t++) {
        for (size_t i = 0; i < b.n_bases[t]; i++)
            cfc__cfree(alloc, b.bases[t][i]);
        cfc__cfree(alloc, b.bases[t]);
    }
    cfc_jparser_free(sp);
    cfc_jparser_free(b.p);
    cfc_checker_free(b.checker);
    if (!ok) {
        cfc_consume_catalogue_free(b.cat);
        cfc_certify_status st = b.nomem || !b.cat ? CFC_CERTIFY_NOMEM : CFC_CERTIFY_CATALOGUE;
        if (err) {
            err->status = st;
            snprintf(err->message, sizeof err->message, "%s",
                     st == CFC_CERTIFY_NOMEM ? "out of memory" : b.err);
        }
        return st;
    }
    *out = b.cat;
    if (err) {
        err->status = CFC_CERTIFY_OK;
        err->message[0] = '\0';
    }
    return CFC_CERTIFY_OK;
}

const char *cfc_consume_catalogue_version(const cfc_consume_catalogue *cat)
{
    return cat->version;
}

const char *cfc_consume_catalogue_sha256(const cfc_consume_catalogue *cat)
{
    return cat->sha256;
}

size_t cfc_consume_catalogue_count(const cfc_consume_catalogue *cat)
{
    return cat ? cat->n : 0;
}

const cfc_consume_case *cfc_consume_catalogue_case(const cfc_consume_catalogue *cat, size_t i)
{
    return cat && i < cat->n ? &cat->cases[i] : NULL;
}
