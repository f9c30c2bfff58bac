/* SPDX-License-Identifier: MIT */
/*
 * The catalogue's bad-argument cases (group .6 of every broadcaster's
 * section, rule C3), generated from the contract table: for every argument
 * of every broadcaster, None when the argument is required, and values of a
 * wrong type for its kind (a string, a float, a boolean or a list for an
 * integer; an integer or a list for a string; non-finite numbers for a
 * float; a string, an integer, or bad items for a list of IDs).
 *
 * The other arguments are the section's first case (N.1.1, the contract's
 * own example), so only the argument under test is wrong. Expectation:
 * refuse-or-conform (nothing sent, or one conforming event; a raise is
 * FAIL, rule C2).
 *
 * test_certify.c proves that the catalogue holds exactly these lines; to
 * regenerate them, `build/tests/cfc-gen-bad-args corpus/certification/
 * catalogue.json` prints them (corpus/certification/README.md).
 */
#include "bad_args.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

typedef struct bad_value {
    const char *json; /* the value; "%s" is the base value's text, if any */
    const char *what; /* for the description */
} bad_value;

static const bad_value int_bad[] = {
    {"\"1\"", "a string for an integer"},
    {"1.5", "a float for an integer"},
    {"2.0", "an integral float for an integer"},
    {"true", "a boolean for an integer"},
    {"[1]", "a list for an integer"},
    {NULL, NULL},
};
static const bad_value number_bad[] = {
    {"\"1.5\"", "a string for a number"},
    {"true", "a boolean for a number"},
    {"{\"nonfinite\": \"NaN\"}", "NaN"},
    {"{\"nonfinite\": \"Infinity\"}", "positive infinity"},
    {"{\"nonfinite\": \"-Infinity\"}", "negative infinity"},
    {NULL, NULL},
};
static const bad_value string_bad[] = {
    {"42", "an integer for a string"},
    {"[\"x\"]", "a list for a string"},
    {NULL, NULL},
};
static const bad_value ids_bad[] = {
    {"\"42,43\"", "a string for a list of IDs"}, {"42", "an integer for a list of IDs"},
    {"[\"42\"]", "a string in the list of IDs"}, {"[42.5]", "a float in the list of IDs"},
    {"[42, null]", "None in the list of IDs"},   {NULL, NULL},
};

static const bad_value *bad_values(cfc_kind k)
{
    switch (k) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT: return int_bad;
    case CFC_KIND_NUMBER: return number_bad;
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT:
    case CFC_KIND_ENUM: return string_bad;
    case CFC_KIND_ID_ARRAY: return ids_bad;
    case CFC_KIND_TYPE:
    case CFC_KIND_OBJECT:
    case CFC_KIND_TIMESTAMP: break;
    }
    return NULL;
}

/* One argument of a broadcaster, as the catalogue loader reads them
 * (certify_catalogue.c, is_param): every field that is not derived nor
 * fixed, under its parameter name; an object's members under theirs. */
typedef struct param {
    const char *name;  /* the Python parameter name */
    const char *field; /* the wire field, for the reference ("current_task.id") */
    cfc_kind kind;
    bool required;
} param;

static size_t params_of(const cfc_event_type *t, param *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_fields && n < cap; i++) {
        const cfc_field *f = &t->fields[i];
        if (f->kind == CFC_KIND_TYPE || f->kind == CFC_KIND_TIMESTAMP || f->count_of ||
            f->fixed_string)
            continue;
        if (f->kind == CFC_KIND_OBJECT) {
            for (size_t k = 0; k < f->n_members && n < cap; k++) {
                const cfc_field *m = &f->members[k];
                out[n++] = (param){m->param ? m->param : m->name, f->name, m->kind,
                                   f->required && m->required};
            }
            continue;
        }
        out[n++] = (param){f->param ? f->param : f->name, f->name, f->kind, f->required};
    }
    return n;
}

static const cfc_cert_case *find_case(const cfc_catalogue *cat, const char *id)
{
    for (size_t i = 0; i < cfc_catalogue_count(cat); i++) {
        if (strcmp(cfc_catalogue_case(cat, i)->id, id) == 0)
            return cfc_catalogue_case(cat, i);
    }
    return NULL;
}

static void json_text(cfc__buf *b, const char *s)
{
    cfc__buf_json_str(b, s, strlen(s));
}

/* The base arguments with `p` set to `value` (the catalogue's spacing). */
static void args_with(cfc__buf *b, const cfc_jval *base, const char *src, const param *p,
                      const char *value)
{
    bool done = false, first = true;
    cfc__buf_puts(b, "{");
    for (const cfc_jval *k = base->u.kids.first; k; k = k->next) {
        cfc__buf_puts(b, first ? "" : ", ");
        first = false;
        cfc__buf_json_str(b, k->key, k->key_len);
        cfc__buf_puts(b, ": ");
        if (strlen(p->name) == k->key_len && memcmp(p->name, k->key, k->key_len) == 0) {
            cfc__buf_puts(b, value);
            done = true;
        } else {
            cfc__buf_jval(b, k, src);
        }
    }
    if (!done) {
        cfc__buf_puts(b, first ? "" : ", ");
        json_text(b, p->name);
        cfc__buf_printf(b, ": %s", value);
    }
    cfc__buf_puts(b, "}");
}

static void one_case(cfc__buf *out, const cfc_event_type *t, const char *section, size_t *n,
                     const param *p, const bad_value *bv, const cfc_jval *base, const char *src)
{
    char id[48], desc[256], ref[160];
    snprintf(id, sizeof id, "%s.6.%zu", section, ++*n);
    snprintf(desc, sizeof desc, "%s: %s (%s)", p->name, bv->what, bv->json);
    snprintf(ref, sizeof ref, "%s: Schema, %s; contract-rules C3", t->name, p->field);
    cfc__buf_puts(out, "  {\"id\": ");
    json_text(out, id);
    cfc__buf_puts(out, ", \"description\": ");
    json_text(out, desc);
    cfc__buf_puts(out, ", \"ref\": ");
    json_text(out, ref);
    cfc__buf_puts(out, ", \"call\": {\"broadcaster\": ");
    json_text(out, t->function);
    cfc__buf_puts(out, ", \"args\": ");
    args_with(out, base, src, p, bv->json);
    cfc__buf_puts(out, "}, \"expect\": {\"kind\": \"refuse-or-conform\"}},\n");
}

int cfc_test_bad_args(const cfc_catalogue *cat, cfc__buf *out, size_t *n_cases, char *why,
                      size_t cap)
{
    size_t nt;
    const cfc_event_type *all = cfc_contract_types(&nt);
    cfc_jparser *parser = cfc_jparser_new();
    int rc = parser ? 0 : -1;
    *n_cases = 0;
    for (size_t ti = 0; ti < nt && rc == 0; ti++) {
        const cfc_event_type *t = &all[ti];
        /* The section is the broadcaster's: its N.1.1 calls t->function. */
        char section[24], first[40];
        snprintf(section, sizeof section, "%zu", ti + 1);
        snprintf(first, sizeof first, "%s.1.1", section);
        const cfc_cert_case *c = find_case(cat, first);
        if (c == NULL || c->n_steps != 1 || strcmp(c->steps[0].broadcaster, t->function) != 0) {
            snprintf(why, cap, "case %s is not a call of %s", first, t->function);
            rc = -1;
            break;
        }
        const char *src = c->steps[0].args;
        cfc_jval *base = NULL;
        if (cfc_jparse(parser, src, strlen(src), NULL, &base, NULL, NULL, NULL) != 0 ||
            base == NULL || base->type != CFC_J_OBJECT) {
            snprintf(why, cap, "case %s: its arguments do not parse", first);
            rc = -1;
            break;
        }
        param params[32];
        size_t np = params_of(t, params, sizeof params / sizeof params[0]), n = 0;
        for (size_t pi = 0; pi < np; pi++) {
            const param *p = &params[pi];
            if (p->required) {
                static const bad_value none = {"null",
                                               "None for an argument whose field is required"};
                one_case(out, t, section, &n, p, &none, base, src);
            }
            for (const bad_value *bv = bad_values(p->kind); bv && bv->json; bv++)
                one_case(out, t, section, &n, p, bv, base, src);
        }
        *n_cases += n;
    }
    cfc_jparser_free(parser);
    if (rc == 0 && !cfc__buf_ok(out)) {
        snprintf(why, cap, "out of memory");
        rc = -1;
    }
    return rc;
}

#ifdef CFC_BAD_ARGS_MAIN
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: cfc-gen-bad-args CATALOGUE.json\n"
              "prints the catalogue's bad-argument cases (group .6, rule C3), one per line\n",
              stderr);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    cfc__buf text;
    cfc__buf_init(&text, NULL);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        cfc__buf_add(&text, chunk, got);
    fclose(f);
    cfc_catalogue *cat = NULL;
    cfc_certify_error err;
    if (!cfc__buf_ok(&text) ||
        cfc_catalogue_load(text.data, text.len, NULL, &cat, &err) != CFC_CERTIFY_OK) {
        fprintf(stderr, "cfc-gen-bad-args: %s: %s\n", argv[1],
                cfc__buf_ok(&text) ? err.message : "out of memory");
        cfc__buf_free(&text);
        return 2;
    }
    cfc__buf_free(&text);
    cfc__buf out;
    cfc__buf_init(&out, NULL);
    size_t n;
    char why[256];
    int rc = cfc_test_bad_args(cat, &out, &n, why, sizeof why);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    else
        fprintf(stderr, "cfc-gen-bad-args: %s\n", why);
    cfc__buf_free(&out);
    cfc_catalogue_free(cat);
    return rc == 0 && fflush(stdout) == 0 ? 0 : 2;
}
#endif
