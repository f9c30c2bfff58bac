/* SPDX-License-Identifier: MIT */
/*
 * The rules configuration: a JSON file for teams gating a producer that
 * knowingly deviates. Read with the same strict parser as events, so a
 * duplicated key or a stray comma is an error here too.
 *
 *   {
 *     "rules":  {"unknown-field": "off", "nul-escape": "error"},
 *     "enums":  {"agent_created.agent_type": ["robot"]},
 *     "limits": {"max_event_bytes": 2097152, "max_depth": 128}
 *   }
 *
 * Every key is checked: an unknown one is an error, never ignored.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker_internal.h"
#include "json.h"

static cfc_check_status fail(cfc_error *err, cfc_check_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static cfc_check_status fail(cfc_error *err, cfc_check_status st, const char *fmt, ...)
{
    if (err) {
        err->status = st;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

static bool key_is(const cfc_jval *m, const char *name)
{
    return m->key_len == strlen(name) && memcmp(m->key, name, m->key_len) == 0;
}

/* A key as shown in an error message: printable and short. */
static const char *key_text(char *buf, size_t cap, const char *s, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < cap && o < 60; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7F)
            buf[o++] = (char)ch;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", ch);
    }
    buf[o] = '\0';
    return buf;
}

static cfc_check_status read_rules(const cfc_jval *v, cfc_severity *sev, cfc_error *err)
{
    char k[80];
    if (v->type != CFC_J_OBJECT)
        return fail(err, CFC_CHECK_CONFIG, "/rules must be an object of rule ID -> severity");
    for (const cfc_jval *m = v->u.kids.first; m; m = m->next) {
        key_text(k, sizeof k, m->key, m->key_len);
        const cfc_rule_info *r = strlen(k) == m->key_len ? cfc_rule_find(k) : NULL;
        if (r == NULL)
            return fail(err, CFC_CHECK_CONFIG,
                        "/rules/%s: unknown rule \"%s\" (see 'cfconform rules')", k, k);
        const char *s = m->type == CFC_J_STRING ? m->u.str.s : "";
        if (strcmp(s, "off") == 0)
            sev[r->rule] = CFC_SEVERITY_OFF;
        else if (strcmp(s, "warning") == 0)
            sev[r->rule] = CFC_SEVERITY_WARNING;
        else if (strcmp(s, "error") == 0)
            sev[r->rule] = CFC_SEVERITY_ERROR;
        else
            return fail(err, CFC_CHECK_CONFIG,
                        "/rules/%s: expected \"off\", \"warning\" or \"error\"", k);
    }
    return CFC_CHECK_OK;
}

static cfc_check_status read_enums(cfc_checker *c, const cfc_jval *v, cfc__enum_ext **exts,
                                   size_t *n, cfc_error *err)
{
    char k[80];
    if (v->type != CFC_J_OBJECT)
        return fail(err, CFC_CHECK_CONFIG,
                    "/enums must be an object of \"event_type.field\" -> [values]");
    size_t cap = 0;
    for (const cfc_jval *m = v->u.kids.first; m; m = m->next) {
        key_text(k, sizeof k, m->key, m->key_len);
        const char *dot = memchr(m->key, '.', m->key_len);
        const cfc_event_type *t = dot ? cfc_contract_find(m->key, (size_t)(dot - m->key)) : NULL;
        const cfc_field *f =
            t ? cfc_contract_field(t, dot + 1, m->key_len - (size_t)(dot + 1 - m->key)) : NULL;
        if (f == NULL || f->kind != CFC_KIND_ENUM || f->fixed_string)
            return fail(err, CFC_CHECK_CONFIG,
                        "/enums/%s: not an enumerated field; expected \"event_type.field\" such "
                        "as \"agent_created.agent_type\"",
                        k);
        if (m->type != CFC_J_ARRAY)
            return fail(err, CFC_CHECK_CONFIG, "/enums/%s must be an array of strings", k);
        size_t i = 0;
        for (const cfc_jval *e = m->u.kids.first; e; e = e->next, i++) {
            if (e->type != CFC_J_STRING || e->u.str.len == 0 ||
                memchr(e->u.str.s, '\0', e->u.str.len))
                return fail(err, CFC_CHECK_CONFIG, "/enums/%s/%zu must be a non-empty string", k,
                            i);
            if (*n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                cfc__enum_ext *q = cfc__checker_realloc(c, *exts, nc * sizeof *q);
                if (q == NULL)
                    return fail(err, CFC_CHECK_NOMEM, "out of memory");
                *exts = q;
                cap = nc;
            }
            char *copy = cfc__checker_malloc(c, e->u.str.len + 1);
            if (copy == NULL)
                return fail(err, CFC_CHECK_NOMEM, "out of memory");
            memcpy(copy, e->u.str.s, e->u.str.len + 1);
            (*exts)[(*n)++] = (cfc__enum_ext){.field = f, .value = copy, .len = e->u.str.len};
        }
    }
    return CFC_CHECK_OK;
}

static cfc_check_status read_limits(const cfc_jval *v, size_t *max_bytes, unsigned *max_depth,
                                    cfc_error *err)
{
    char k[80];
    if (v->type != CFC_J_OBJECT)
        return fail(err, CFC_CHECK_CONFIG, "/limits must be an object");
    for (const cfc_jval *m = v->u.kids.first; m; m = m->next) {
        key_text(k, sizeof k, m->key, m->key_len);
        bool is_int = m->type == CFC_J_NUMBER && (m->u.num.flags & CFC_JNUM_INT64) &&
                      !(m->u.num.flags & CFC_JNUM_NEGATIVE);
        int64_t i = is_int ? m->u.num.i : 0;
        if (key_is(m, "max_event_bytes")) {
            if (i < 1 || (uint64_t)i > CFC_MAX_EVENT_BYTES_CAP)
                return fail(err, CFC_CHECK_CONFIG,
                            "/limits/max_event_bytes must be an integer in 1..%zu",
                            CFC_MAX_EVENT_BYTES_CAP);
            *max_bytes = (size_t)i;
        } else if (key_is(m, "max_depth")) {
            if (i < 1 || i > CFC_MAX_DEPTH_CAP)
                return fail(err, CFC_CHECK_CONFIG, "/limits/max_depth must be an integer in 1..%u",
                            CFC_MAX_DEPTH_CAP);
            *max_depth = (unsigned)i;
        } else {
            return fail(err, CFC_CHECK_CONFIG,
                        "/limits/%s: unknown key (expected max_event_bytes or max_depth)", k);
        }
    }
    return CFC_CHECK_OK;
}

cfc_check_status cfc_checker_configure(cfc_checker *c, const char *json, size_t len, cfc_error *err)
{
    if (c == NULL || (json == NULL && len > 0))
        return fail(err, CFC_CHECK_CONFIG, "no checker or no configuration text");
    /* The configuration text is read with the checker's own parser: a
     * configuration is a call on the checker like a check (it ends the last
     * result's life, check.h), and whatever it keeps is copied out of the
     * parser's memory before it returns. A parser of its own cost one made
     * and freed per call. */
    cfc_jparser *p = cfc__checker_parser(c);
    cfc_jval *root = NULL;
    const cfc_jdiag *diags = NULL;
    size_t n_diags = 0, dropped = 0;
    cfc_jparse_opts po = {.max_depth = 16, .max_diags = 1};
    if (cfc_jparse(p, json ? json : "", len, &po, &root, &diags, &n_diags, &dropped) != 0)
        return fail(err, CFC_CHECK_NOMEM, "out of memory");
    cfc_check_status st = CFC_CHECK_OK;
    cfc_severity sev[CFC_RULE_COUNT];
    memcpy(sev, cfc__checker_severity(c), sizeof sev);
    cfc__enum_ext *exts = NULL;
    size_t n_exts = 0, max_bytes = 0;
    unsigned max_depth = 0;
    char k[80];

    if (n_diags > 0) {
        st = fail(err, CFC_CHECK_CONFIG, "offset %zu: %s", diags[0].offset, diags[0].message);
    } else if (root->type != CFC_J_OBJECT) {
        st = fail(err, CFC_CHECK_CONFIG, "the configuration must be a JSON object");
    } else {
        for (const cfc_jval *m = root->u.kids.first; m && st == CFC_CHECK_OK; m = m->next) {
            if (key_is(m, "rules"))
                st = read_rules(m, sev, err);
            else if (key_is(m, "enums"))
                st = read_enums(c, m, &exts, &n_exts, err);
            else if (key_is(m, "limits"))
                st = read_limits(m, &max_bytes, &max_depth, err);
            else
                st = fail(err, CFC_CHECK_CONFIG,
                          "/%s: unknown key (expected rules, enums or limits)",
                          key_text(k, sizeof k, m->key, m->key_len));
        }
    }
    if (st != CFC_CHECK_OK) {
        cfc__enum_exts_free(c, exts, n_exts);
        return st;
    }
    cfc__checker_set_config(c, sev, exts, n_exts, max_bytes, max_depth);
    return CFC_CHECK_OK;
}
