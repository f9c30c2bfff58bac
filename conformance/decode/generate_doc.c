/* SPDX-License-Identifier: MIT */
/* Mutation (generate_internal.h): steps 2 and 3, the document and its text,
 * and picking what a breaker edits. */
#include "generate_internal.h"

/* ---- writing JSON --------------------------------------------------------- */

/* A number JSON reads back as exactly d (finite): the shortest %.*g that
 * round-trips, or with lexical variety another form of the same value. */
static void write_double(cfc_generator *g, buf *b, double d)
{
    char tmp[64];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    snprintf(tmp, sizeof tmp, "%.*g", prec, d);
    if (g->noisy && chance(g, 1, 2)) {
        switch (below(g, 3)) {
        case 0: snprintf(tmp, sizeof tmp, "%.17e", d); break;
        case 1:
            snprintf(tmp, sizeof tmp, "%.*E", prec - 1 > 0 ? prec - 1 : 0, d);
            if (strtod(tmp, NULL) != d)
                snprintf(tmp, sizeof tmp, "%.17E", d);
            break;
        default:
            if (!strpbrk(tmp, ".eE") && strlen(tmp) < 40)
                strcat(tmp, ".000");
            break;
        }
    }
    for (char *p = tmp; *p; p++) { /* a locale's decimal comma is not JSON */
        if (*p == ',')
            *p = '.';
    }
    puts_(b, tmp);
}

static void write_int(buf *b, int64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    puts_(b, tmp);
}

/* The UTF-8 sequence at s (valid UTF-8 assumed; a byte that is not starts a
 * sequence of 1) and its code point. */
static size_t utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (n > len)
        n = 1;
    *cp = n == 1 ? c : c & (0x3Fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return *cp = c, 1;
        *cp = (*cp << 6) | (s[i] & 0x3Fu);
    }
    return n;
}

static void write_u(buf *b, unsigned cp)
{
    char tmp[16];
    snprintf(tmp, sizeof tmp, "\\u%04x", cp & 0xFFFFu);
    put(b, tmp, 6);
}

/* A JSON string: the escapes JSON requires, and with lexical variety some it
 * allows: \uXXXX for any character (surrogate pairs above U+FFFF), \/. */
static void write_chars(cfc_generator *g, buf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        unsigned cp;
        size_t n = utf8_next(p + i, len - i, &cp);
        bool vary = g->noisy && chance(g, 1, 8);
        if (cp == '"' || cp == '\\') {
            putc_(b, '\\');
            putc_(b, (char)cp);
        } else if (cp < 0x20) {
            const char *short_form = cp == '\n'   ? "\\n"
                                     : cp == '\t' ? "\\t"
                                     : cp == '\r' ? "\\r"
                                     : cp == '\b' ? "\\b"
                                     : cp == '\f' ? "\\f"
                                                  : NULL;
            if (short_form && !vary)
                puts_(b, short_form);
            else
                write_u(b, cp);
        } else if (vary && cp == '/') {
            puts_(b, "\\/");
        } else if (vary && n > 1 && cp >= 0x10000) {
            unsigned v = cp - 0x10000;
            write_u(b, 0xD800 + (v >> 10));
            write_u(b, 0xDC00 + (v & 0x3FF));
        } else if (vary) {
            write_u(b, cp);
        } else {
            put(b, p + i, n);
        }
        i += n;
    }
}

void cfc__gen_write_string(cfc_generator *g, buf *b, const char *s, size_t len)
{
    putc_(b, '"');
    write_chars(g, b, s, len);
    putc_(b, '"');
}

/* ---- documents ------------------------------------------------------------ */

gmember *cfc__gen_add_member(cfc_generator *g, gdoc *d, const char *key, const cfc_field *f)
{
    if (d->n == MAX_MEMBERS)
        return NULL;
    gmember *m = &d->m[d->n++];
    memset(m, 0, sizeof *m);
    m->key = key;
    m->key_len = strlen(key);
    m->field = f;
    m->sub = -1;
    m->val_at = g->vals.len;
    return m;
}

static void end_value(cfc_generator *g, gmember *m)
{
    m->val_len = g->vals.len - m->val_at;
}

void cfc__gen_write_ids(buf *b, const int64_t *ids, size_t n, size_t odd, const char *odd_text)
{
    putc_(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc_(b, ',');
        if (i == odd)
            puts_(b, odd_text);
        else
            write_int(b, ids[i]);
    }
    putc_(b, ']');
}

int cfc__gen_to_doc(cfc_generator *g, const cfc_field *fields, const cfc__slot *slots, size_t n,
                    const char *base)
{
    int d = (int)g->n_docs++;
    gdoc *doc = &g->docs[d];
    doc->n = 0;
    doc->fields = fields;
    doc->n_fields = n;
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        const char *at = base + slots[i].off;
        if (slots[i].has != CFC__NO_FLAG && !*(const bool *)(base + slots[i].has))
            continue;
        gmember *m = cfc__gen_add_member(g, doc, f->name, f);
        if (m == NULL)
            break;
        switch (f->kind) {
        case CFC_KIND_TYPE: {
            const char *name = cfc_contract_get(g->ev.type)->name;
            m->str = name;
            m->str_len = strlen(name);
            cfc__gen_write_string(g, &g->vals, name, m->str_len);
            break;
        }
        case CFC_KIND_ID:
        case CFC_KIND_COUNT:
        case CFC_KIND_ORDINAL:
        case CFC_KIND_PERCENT: {
            int64_t v;
            memcpy(&v, at, sizeof v);
            write_int(&g->vals, v);
            break;
        }
        case CFC_KIND_NUMBER: {
            double v;
            memcpy(&v, at, sizeof v);
            write_double(g, &g->vals, v);
            break;
        }
        case CFC_KIND_STRING:
        case CFC_KIND_IDENT: {
            cfc_text t;
            memcpy(&t, at, sizeof t);
            m->str = t.s;
            m->str_len = t.len;
            cfc__gen_write_string(g, &g->vals, t.s, t.len);
            break;
        }
        case CFC_KIND_ENUM: {
            int k;
            memcpy(&k, at, sizeof k);
            m->str = k >= 0 && (size_t)k < cfc__gen_n_values(f) ? f->values[k] : "?";
            m->str_len = strlen(m->str);
            cfc__gen_write_string(g, &g->vals, m->str, m->str_len);
            break;
        }
        case CFC_KIND_ID_ARRAY: {
            cfc_id_array a;
            memcpy(&a, at, sizeof a);
            cfc__gen_write_ids(&g->vals, a.items, a.len, SIZE_MAX, NULL);
            break;
        }
        case CFC_KIND_OBJECT:
            if (g->n_docs < MAX_DOCS)
                m->sub = cfc__gen_to_doc(g, f->members, slots[i].members, f->n_members, at);
            break;
        case CFC_KIND_TIMESTAMP: {
            int64_t ms;
            char ts[25];
            memcpy(&ms, at, sizeof ms);
            if (cfc_timestamp_format(ms, ts) != 0)
                snprintf(ts, sizeof ts, "0001-01-01T00:00:00.000Z");
            m->str = g->strs + g->strs_used;
            if (g->strs_used + 25 <= sizeof g->strs) {
                memcpy(g->strs + g->strs_used, ts, 25);
                g->strs_used += 25;
            } else {
                m->str = "2025-11-08T14:30:45.123Z";
            }
            m->str_len = CFC_TIMESTAMP_LEN;
            cfc__gen_write_string(g, &g->vals, m->str, m->str_len);
            break;
        }
        }
        end_value(g, m);
    }
    return d;
}

/* Replaces a member's value with raw JSON text. */
void cfc__gen_set_raw(cfc_generator *g, gmember *m, const char *text, size_t len)
{
    m->val_at = g->vals.len;
    put(&g->vals, text, len);
    m->val_len = len;
    m->sub = -1;
}

static void ws(cfc_generator *g, buf *b)
{
    if (g->noisy && chance(g, 1, 6)) {
        static const char *const spaces[] = {" ", "  ", "\t", " \t ", "    "};
        puts_(b, PICK(g, spaces));
    }
}

void cfc__gen_serialise(cfc_generator *g, buf *b, int d)
{
    gdoc *doc = &g->docs[d];
    size_t order[MAX_MEMBERS];
    for (size_t i = 0; i < doc->n; i++)
        order[i] = i;
    if (g->noisy && chance(g, 1, 4)) {
        for (size_t i = doc->n; i > 1; i--) {
            size_t j = below(g, i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
    }
    putc_(b, '{');
    for (size_t k = 0; k < doc->n; k++) {
        gmember *m = &doc->m[order[k]];
        if (k && !(d == 0 && g->drop_comma == (int)k))
            putc_(b, ',');
        ws(g, b);
        cfc__gen_write_string(g, b, m->key, m->key_len);
        ws(g, b);
        putc_(b, ':');
        ws(g, b);
        if (m->sub >= 0)
            cfc__gen_serialise(g, b, m->sub);
        else
            put(b, g->vals.p + m->val_at, m->val_len);
        ws(g, b);
    }
    putc_(b, '}');
}

/* ---- picking what to break -------------------------------------------------- */

bool cfc__gen_pick_member(cfc_generator *g, member_pred pred, mref *out)
{
    mref cands[MAX_MEMBERS * MAX_DOCS];
    size_t n = 0;
    for (size_t d = 0; d < g->n_docs; d++) {
        for (size_t i = 0; i < g->docs[d].n; i++) {
            if (pred(&g->docs[d].m[i]))
                cands[n++] = (mref){&g->docs[d].m[i], &g->docs[d]};
        }
    }
    if (n == 0)
        return false;
    *out = cands[below(g, n)];
    return true;
}

bool cfc__gen_is_field(const gmember *m)
{
    return m->field != NULL;
}

bool cfc__gen_is_required(const gmember *m)
{
    return m->field && m->field->required;
}

bool cfc__gen_is_text(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_STRING || m->field->kind == CFC_KIND_IDENT);
}

bool cfc__gen_is_ident_or_type(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_IDENT || m->field->kind == CFC_KIND_TYPE);
}

bool cfc__gen_is_free_enum(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_ENUM && !m->field->fixed_string;
}

bool cfc__gen_is_int(const gmember *m)
{
    return m->field && (m->field->kind == CFC_KIND_ID || m->field->kind == CFC_KIND_COUNT ||
                        m->field->kind == CFC_KIND_ORDINAL || m->field->kind == CFC_KIND_PERCENT);
}

bool cfc__gen_is_ints(const gmember *m)
{
    return cfc__gen_is_int(m) || (m->field && m->field->kind == CFC_KIND_ID_ARRAY);
}

bool cfc__gen_is_type(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_TYPE;
}

bool cfc__gen_is_timestamp(const gmember *m)
{
    return m->field && m->field->kind == CFC_KIND_TIMESTAMP;
}

static size_t int_slots(const cfc_field *fields, const cfc__slot *slots, size_t n, char *base,
                        unsigned mask, islot *out, size_t cap, size_t k)
{
    for (size_t i = 0; i < n && k < cap; i++) {
        const cfc_field *f = &fields[i];
        if (slots[i].has != CFC__NO_FLAG && !*(bool *)(base + slots[i].has))
            continue;
        char *at = base + slots[i].off;
        if (f->kind == CFC_KIND_OBJECT) {
            k = int_slots(f->members, slots[i].members, f->n_members, at, mask, out, cap, k);
        } else if (f->kind == CFC_KIND_ID_ARRAY && (mask & (1u << CFC_KIND_ID))) {
            cfc_id_array a;
            memcpy(&a, at, sizeof a);
            for (size_t j = 0; j < a.len && k < cap; j++)
                out[k++] = (islot){&a.items[j], CFC_KIND_ID};
        } else if (mask & (1u << f->kind)) {
            out[k++] = (islot){(int64_t *)(void *)at, f->kind};
        }
    }
    return k;
}

bool cfc__gen_pick_int(cfc_generator *g, unsigned mask, islot *out)
{
    islot s[MAX_IDS + 32];
    const cfc_event_type *t = cfc_contract_get(g->ev.type);
    size_t n = int_slots(t->fields, cfc__event_slots[t->id], t->n_fields, (char *)&g->ev, mask, s,
                         sizeof s / sizeof s[0], 0);
    if (n == 0)
        return false;
    *out = s[below(g, n)];
    return true;
}

/* A string member's value rewritten with raw `insert` (bytes or escape text)
 * at a character boundary. */
void cfc__gen_insert_in_string(cfc_generator *g, gmember *m, const char *insert, size_t ins_len)
{
    size_t len = m->str_len, cut = 0;
    if (len && chance(g, 1, 2)) {
        /* A character boundary: not inside a UTF-8 sequence. */
        cut = below(g, len + 1);
        while (cut < len && (((unsigned char)m->str[cut]) & 0xC0) == 0x80)
            cut++;
    }
    size_t at = g->vals.len;
    putc_(&g->vals, '"');
    write_chars(g, &g->vals, m->str, cut);
    put(&g->vals, insert, ins_len);
    write_chars(g, &g->vals, m->str + cut, len - cut);
    putc_(&g->vals, '"');
    m->val_at = at;
    m->val_len = g->vals.len - at;
}
