/* SPDX-License-Identifier: MIT */
/*
 * The fields a consumer reads, from the contract table, and the comparison
 * of what it read with what was sent -- the heart of consumer grading.
 *
 * Values are compared by the field's kind, not by their text: an integer
 * exactly (a consumer that answers 5.0 for a count of 5 read it; one that
 * answers 9007199254740992 for 2^53-1 did not), a number by value (a
 * duration sent as 12 and read as 12.0 is read), a string byte for byte
 * after JSON decoding, an ID array item by item. A read member that is null
 * means "no value", the same as absent: Python's None, JavaScript's
 * undefined mapped back by the adapter.
 */
#include <stdio.h>
#include <string.h>

#include "consume_internal.h"

#define MAX_ROWS 24

static cfc_consume_field rows[CFC_EV_COUNT][MAX_ROWS];
static size_t n_rows[CFC_EV_COUNT];
static bool rows_made;

/* Built once from the table; the table is static, so are the rows. (Not
 * thread-safe on the very first call, like the rest of certification.) */
static void make_rows(void)
{
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        size_t n = 0;
        for (size_t i = 0; i < types[t].n_fields && n < MAX_ROWS; i++) {
            const cfc_field *f = &types[t].fields[i];
            if (f->kind != CFC_KIND_OBJECT) {
                rows[t][n++] = (cfc_consume_field){f->name, f, NULL};
                continue;
            }
            for (size_t m = 0; m < f->n_members && n < MAX_ROWS; m++) {
                static char paths[CFC_EV_COUNT][MAX_ROWS][64];
                snprintf(paths[t][n], sizeof paths[t][n], "%s.%s", f->name, f->members[m].name);
                rows[t][n] = (cfc_consume_field){paths[t][n], &f->members[m], f};
                n++;
            }
        }
        n_rows[t] = n;
    }
    rows_made = true;
}

const cfc_consume_field *cfc_consume_fields(cfc_event_id type, size_t *n)
{
    if (!rows_made)
        make_rows();
    if ((unsigned)type >= CFC_EV_COUNT) {
        if (n)
            *n = 0;
        return NULL;
    }
    if (n)
        *n = n_rows[type];
    return rows[type];
}

const cfc_jval *cfc__consume_get(const cfc_jval *event, const cfc_consume_field *f)
{
    if (event == NULL || event->type != CFC_J_OBJECT)
        return NULL;
    if (f->parent) {
        event = cfc_jobject_get(event, f->parent->name);
        if (event == NULL || event->type != CFC_J_OBJECT)
            return NULL;
    }
    const cfc_jval *v = cfc_jobject_get(event, f->field->name);
    return v && v->type != CFC_J_NULL ? v : NULL;
}

static bool int_equal(const cfc_jval *s, const cfc_jval *r)
{
    if (s->type != CFC_J_NUMBER || r->type != CFC_J_NUMBER || !(s->u.num.flags & CFC_JNUM_INT64))
        return false;
    if (r->u.num.flags & CFC_JNUM_INT64)
        return r->u.num.i == s->u.num.i;
    /* 5.0 for 5: the same value, exactly, only where a double is exact. */
    return s->u.num.i <= CFC_MAX_SAFE_INTEGER && s->u.num.i >= -CFC_MAX_SAFE_INTEGER &&
           r->u.num.d == (double)s->u.num.i;
}

static bool value_equal(const cfc_field *f, const cfc_jval *s, const cfc_jval *r)
{
    switch (f->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT: return int_equal(s, r);
    case CFC_KIND_NUMBER:
        return s->type == CFC_J_NUMBER && r->type == CFC_J_NUMBER && s->u.num.d == r->u.num.d;
    case CFC_KIND_TYPE:
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT:
    case CFC_KIND_ENUM:
    case CFC_KIND_TIMESTAMP:
        return s->type == CFC_J_STRING && r->type == CFC_J_STRING && s->u.str.len == r->u.str.len &&
               memcmp(s->u.str.s, r->u.str.s, s->u.str.len) == 0;
    case CFC_KIND_ID_ARRAY: {
        if (s->type != CFC_J_ARRAY || r->type != CFC_J_ARRAY || s->u.kids.count != r->u.kids.count)
            return false;
        for (const cfc_jval *a = s->u.kids.first, *b = r->u.kids.first; a && b;
             a = a->next, b = b->next)
            if (!int_equal(a, b))
                return false;
        return true;
    }
    case CFC_KIND_OBJECT: return false; /* never a row */
    }
    return false;
}

char *cfc__consume_show(const cfc_allocator *a, const cfc_jval *v, const char *src, size_t max)
{
    if (v == NULL)
        return NULL;
    size_t len = v->end - v->offset;
    const char *s = src + v->offset;
    cfc__buf o;
    cfc__buf_init(&o, a);
    if (len <= max) {
        cfc__buf_add(&o, s, len);
    } else {
        size_t cut = max;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--; /* not inside a UTF-8 character */
        cfc__buf_add(&o, s, cut);
        cfc__buf_printf(&o, "\xe2\x80\xa6 (%zu bytes)", len);
    }
    return cfc__buf_take(&o, &len);
}

#define SHOW_MAX 160

bool cfc__consume_compare(const cfc_allocator *a, const cfc_event_type *t, const cfc_jval *sent,
                          const char *src, const cfc_jval *read, const char *rsrc, size_t event,
                          cfc_consume_field_result **out, size_t *n_out, size_t *cap_out,
                          cfc_consume_matrix_row *mrows)
{
    size_t nf;
    const cfc_consume_field *fs = cfc_consume_fields(t->id, &nf);
    for (size_t i = 0; i < nf; i++) {
        const cfc_jval *s = cfc__consume_get(sent, &fs[i]);
        const cfc_jval *r = cfc__consume_get(read, &fs[i]);
        if (s == NULL && r == NULL)
            continue;
        cfc_consume_read how = s && r && value_equal(fs[i].field, s, r) ? CFC_READ_EXACT
                               : s && r == NULL                         ? CFC_READ_DROPPED
                                                                        : CFC_READ_MISREAD;
        if (mrows)
            mrows[i].counts[how]++;
        if (how == CFC_READ_EXACT)
            continue;
        if (*n_out == *cap_out) {
            size_t cap = *cap_out ? *cap_out * 2 : 8;
            cfc_consume_field_result *n = cfc__crealloc(a, *out, cap * sizeof *n);
            if (n == NULL)
                return false;
            *out = n;
            *cap_out = cap;
        }
        cfc_consume_field_result *fr = &(*out)[*n_out];
        fr->event = event;
        fr->path = fs[i].path;
        fr->read = how;
        fr->sent = cfc__consume_show(a, s, src, SHOW_MAX);
        fr->got = cfc__consume_show(a, r, rsrc, SHOW_MAX);
        (*n_out)++;
        if ((s && fr->sent == NULL) || (r && fr->got == NULL))
            return false; /* counted: the caller frees what is there */
    }
    return true;
}
