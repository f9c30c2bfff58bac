/* SPDX-License-Identifier: MIT */
/* One-rule violations (generate_internal.h): step 4, a breaker per rule. */
#include "generate_internal.h"

/* ---- breakers ------------------------------------------------------------- */

static bool b_syntax_doc(cfc_generator *g)
{
    static const char *const tokens[] = {
        "None", "True", "'single'", "01",  "1.",   "+1", ".5",  "NaN",       "Infinity",
        "-",    "[1,]", "{,}",      "tru", "0x10", "1e", "--1", "\"\\x41\"", "\"\\u12\""};
    mref r;
    switch (below(g, 3)) {
    case 0:
        if (!cfc__gen_pick_member(g, cfc__gen_is_field, &r))
            return false;
        const char *tok = PICK(g, tokens);
        cfc__gen_set_raw(g, r.m, tok, strlen(tok));
        return true;
    case 1:
        if (g->docs[0].n < 2)
            return false;
        g->drop_comma = 1 + (int)below(g, g->docs[0].n - 1);
        return true;
    default:
        g->text_break = true; /* the text stage breaks it */
        return true;
    }
}

static void b_syntax_text(cfc_generator *g)
{
    if (!g->text_break)
        return;
    buf *b = &g->out;
    switch (below(g, 3)) {
    case 0: { /* a trailing comma */
        b->len--;
        puts_(b, ",}");
        break;
    }
    case 1: { /* truncated outside any string: no escape or UTF-8 sequence is cut */
        size_t cut = 1 + below(g, b->len - 1), last_outside = 1;
        bool in_string = false;
        for (size_t i = 0; i < cut; i++) {
            if (!in_string)
                last_outside = i;
            if (b->p[i] == '\\' && in_string)
                i++;
            else if (b->p[i] == '"')
                in_string = !in_string;
        }
        b->len = in_string ? (last_outside ? last_outside : 1) : cut;
        b->p[b->len] = '\0';
        break;
    }
    default: {
        static const char *const tails[] = {" x", "}", ",", "{}", " null", "\"", "]"};
        puts_(b, PICK(g, tails));
        break;
    }
    }
}

static bool b_control_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_text, &r))
        return false;
    char c = chance(g, 1, 2) ? '\t' : (char)(1 + below(g, 31));
    if (c == '\n' || c == '\r') /* a raw newline would end the NDJSON line */
        c = '\x01';
    cfc__gen_insert_in_string(g, r.m, &c, 1);
    return true;
}

static bool b_utf8_doc(cfc_generator *g)
{
    static const char *const bad[] = {
        "\xC0\xAF",         "\xFF", "\xED\xA0\x80",         "\xE2\x82", "\x80",
        "\xF4\x90\x80\x80", "\xC3", "\xF8\x88\x80\x80\x80", "\xFE"};
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_text, &r))
        return false;
    const char *s = PICK(g, bad);
    cfc__gen_insert_in_string(g, r.m, s, strlen(s));
    return true;
}

static bool b_nul_byte_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_text, &r))
        return false;
    cfc__gen_insert_in_string(g, r.m, "\0", 1);
    return true;
}

static bool b_surrogate_doc(cfc_generator *g)
{
    static const char *const bad[] = {"\\ud83d", "\\ude00",        "\\uD800",
                                      "\\uDFFF", "\\ud83d\\u0041", "\\ude00\\ud83d"};
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_text, &r))
        return false;
    const char *s = PICK(g, bad);
    cfc__gen_insert_in_string(g, r.m, s, strlen(s));
    return true;
}

static bool b_nul_escape_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_text, &r))
        return false;
    cfc__gen_insert_in_string(g, r.m, "\\u0000", 6);
    return true;
}

static void b_bom_text(cfc_generator *g)
{
    buf t = {0};
    put(&t, "\xEF\xBB\xBF", 3);
    put(&t, g->out.p, g->out.len);
    free(g->out.p);
    if (t.nomem) {
        g->out.p = NULL;
        g->out.nomem = true;
        free(t.p);
        return;
    }
    g->out = t;
}

static void b_not_object_text(cfc_generator *g)
{
    static const char *const others[] = {"[]", "42", "\"agent_created\"", "null", "true", "[{}]"};
    if (chance(g, 1, 2)) {
        buf t = {0};
        putc_(&t, '[');
        put(&t, g->out.p, g->out.len);
        putc_(&t, ']');
        free(g->out.p);
        g->out = t;
    } else {
        g->out.len = 0;
        puts_(&g->out, PICK(g, others));
    }
}

static bool b_duplicate_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_field, &r) || r.doc->n == MAX_MEMBERS)
        return false;
    size_t at = below(g, r.doc->n + 1);
    memmove(&r.doc->m[at + 1], &r.doc->m[at], (r.doc->n - at) * sizeof r.doc->m[0]);
    r.doc->n++;
    /* r.m may have moved one place up. */
    gmember *src = r.m >= &r.doc->m[at] ? r.m + 1 : r.m;
    r.doc->m[at] = *src;
    return true;
}

static bool b_missing_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_required, &r))
        return false;
    size_t i = (size_t)(r.m - r.doc->m);
    memmove(&r.doc->m[i], &r.doc->m[i + 1], (r.doc->n - i - 1) * sizeof r.doc->m[0]);
    r.doc->n--;
    return true;
}

static bool b_int_form_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_ints, &r))
        return false;
    /* The value's digits, rewritten: a fraction, an exponent, or -0. */
    char digits[64], bad[96];
    int64_t v = 0;
    if (r.m->field->kind == CFC_KIND_ID_ARRAY) {
        const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
        if (a->len == 0)
            return false;
        size_t k = below(g, a->len);
        v = a->items[k];
        snprintf(digits, sizeof digits, "%" PRId64, v);
        static const char *const forms[] = {"%s.0", "%se0", "%sE0", "%s.0e0", "%s.000", "%sE+0"};
        snprintf(bad, sizeof bad, PICK(g, forms), digits);
        size_t at = g->vals.len;
        cfc__gen_write_ids(&g->vals, a->items, a->len, k, bad);
        r.m->val_at = at;
        r.m->val_len = g->vals.len - at;
        return true;
    }
    memcpy(digits, g->vals.p + r.m->val_at, r.m->val_len < 63 ? r.m->val_len : 63);
    digits[r.m->val_len < 63 ? r.m->val_len : 63] = '\0';
    switch (below(g, 7)) {
    case 0: snprintf(bad, sizeof bad, "%s.0", digits); break;
    case 1: snprintf(bad, sizeof bad, "%se0", digits); break;
    case 2: snprintf(bad, sizeof bad, "%sE0", digits); break;
    case 3: snprintf(bad, sizeof bad, "%s.0e0", digits); break;
    case 4: snprintf(bad, sizeof bad, "%s.000", digits); break;
    case 5: snprintf(bad, sizeof bad, "%sE+0", digits); break;
    default: snprintf(bad, sizeof bad, "-0"); break;
    }
    cfc__gen_set_raw(g, r.m, bad, strlen(bad));
    return true;
}

static bool b_int_unsafe_pre(cfc_generator *g)
{
    static const int64_t big[] = {CFC_MAX_SAFE_INTEGER + 1, CFC_MAX_SAFE_INTEGER + 2,
                                  INT64_C(10000000000000000), INT64_MAX};
    islot s;
    if (!cfc__gen_pick_int(g, INT_KINDS, &s))
        return false;
    *s.p = PICK(g, big);
    return true;
}

static bool b_int_unsafe_doc(cfc_generator *g)
{
    /* Half the time, beyond int64 as well: the text only a string can hold. */
    static const char *const huge[] = {"18446744073709551616", "100000000000000000000",
                                       "9223372036854775808", "99999999999999999999999999999"};
    mref r;
    if (chance(g, 1, 2) && cfc__gen_pick_member(g, cfc__gen_is_int, &r)) {
        const char *h = PICK(g, huge);
        cfc__gen_set_raw(g, r.m, h, strlen(h));
    }
    return true;
}

static bool range_pre(cfc_generator *g, unsigned mask, const int64_t *vals, size_t n)
{
    islot s;
    if (!cfc__gen_pick_int(g, mask, &s))
        return false;
    *s.p = vals[below(g, n)];
    return true;
}

static bool b_id_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {0, -1, -2, -42, -CFC_MAX_SAFE_INTEGER};
    return range_pre(g, KIND(ID), v, sizeof v / sizeof v[0]);
}

static bool b_count_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {-1, -2, -100, -CFC_MAX_SAFE_INTEGER};
    return range_pre(g, KIND(COUNT), v, sizeof v / sizeof v[0]);
}

static bool b_percent_range_pre(cfc_generator *g)
{
    static const int64_t v[] = {101, 150, 255, 1000, -1, -100, CFC_MAX_SAFE_INTEGER};
    /* Every type with a percentage: make an optional one present. */
    if (g->ev.type == CFC_EV_AGENT_STATUS_CHANGED)
        g->ev.u.agent_status_changed.has_progress = true;
    if (g->ev.type == CFC_EV_TASK_STATUS_CHANGED)
        g->ev.u.task_status_changed.has_progress = true;
    return range_pre(g, KIND(PERCENT), v, sizeof v / sizeof v[0]);
}

static bool b_null_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_field, &r))
        return false;
    if (r.m->field->kind == CFC_KIND_ID_ARRAY && chance(g, 1, 2)) {
        const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
        size_t at = g->vals.len;
        cfc__gen_write_ids(&g->vals, a->items, a->len, below(g, a->len), "null");
        r.m->val_at = at;
        r.m->val_len = g->vals.len - at;
        r.m->sub = -1;
        return true;
    }
    cfc__gen_set_raw(g, r.m, "null", 4);
    return true;
}

static bool b_wrong_type_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_field, &r))
        return false;
    static const char *const for_numbers[] = {"\"42\"", "true", "false", "[]", "{}", "[1]", "\"\""};
    static const char *const for_strings[] = {"42", "true", "[]", "{}", "1.5", "[\"a\"]", "false"};
    static const char *const for_arrays[] = {"{}", "\"1,2\"", "42", "true", "{\"0\":1}"};
    static const char *const for_objects[] = {"\"task\"", "42", "[]", "true", "[{\"id\":1}]"};
    switch (r.m->field->kind) {
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT:
    case CFC_KIND_NUMBER: {
        const char *s = PICK(g, for_numbers);
        cfc__gen_set_raw(g, r.m, s, strlen(s));
        return true;
    }
    case CFC_KIND_ID_ARRAY: {
        if (chance(g, 1, 2)) {
            const char *s = PICK(g, for_arrays);
            cfc__gen_set_raw(g, r.m, s, strlen(s));
        } else { /* an item of the wrong type */
            const cfc_id_array *a = &g->ev.u.task_blocked.blocked_by;
            size_t k = below(g, a->len);
            char q[40];
            snprintf(q, sizeof q, "\"%" PRId64 "\"", a->items[k]);
            size_t at = g->vals.len;
            cfc__gen_write_ids(&g->vals, a->items, a->len, k, q);
            r.m->val_at = at;
            r.m->val_len = g->vals.len - at;
        }
        return true;
    }
    case CFC_KIND_OBJECT: {
        const char *s = PICK(g, for_objects);
        cfc__gen_set_raw(g, r.m, s, strlen(s));
        return true;
    }
    default: {
        const char *s = PICK(g, for_strings);
        cfc__gen_set_raw(g, r.m, s, strlen(s));
        return true;
    }
    }
}

static bool b_enum_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_free_enum, &r))
        return false;
    /* Near misses: case, separators, spaces, a neighbour's value, empty. */
    static const char *const others[] = {
        "done", "success", "working", "passed",  "pending", "in-progress", "InProgress",
        "",     "unknown", "null",    "running", "error",   "idle",        "timeout"};
    char v[96];
    for (int tries = 0; tries < 16; tries++) {
        snprintf(v, sizeof v, "%s", r.m->str);
        switch (below(g, 5)) {
        case 0: v[0] = (char)(v[0] >= 'a' && v[0] <= 'z' ? v[0] - 32 : v[0]); break;
        case 1:
            for (char *p = v; *p; p++)
                *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
            break;
        case 2: strncat(v, " ", sizeof v - strlen(v) - 1); break;
        case 3:
            for (char *p = v; *p; p++)
                *p = *p == '_' ? '-' : *p;
            break;
        default: snprintf(v, sizeof v, "%s", PICK(g, others)); break;
        }
        if (!cfc_field_allows(r.m->field, v, strlen(v))) {
            size_t at = g->vals.len;
            cfc__gen_write_string(g, &g->vals, v, strlen(v));
            r.m->val_at = at;
            r.m->val_len = g->vals.len - at;
            return true;
        }
    }
    return false;
}

static bool b_unknown_field_doc(cfc_generator *g)
{
    static const char *const names[] = {"reason", "extra",    "agentId",
                                        "Type",   "task_ID",  "timestamp_ms",
                                        "v",      "metadata", "\xC3\xA9tat"};
    static const char *const values[] = {"1", "\"x\"", "true", "null", "[]", "{}", "[1,2]", "1.5"};
    gdoc *doc = &g->docs[g->n_docs > 1 && chance(g, 1, 3) ? 1 + below(g, g->n_docs - 1) : 0];
    const char *name = PICK(g, names);
    for (size_t i = 0; i < doc->n_fields; i++) {
        if (strcmp(doc->fields[i].name, name) == 0)
            return false;
    }
    gmember *m = cfc__gen_add_member(g, doc, name, NULL);
    if (m == NULL)
        return false;
    const char *v = PICK(g, values);
    cfc__gen_set_raw(g, m, v, strlen(v));
    /* Not always last: anywhere among the members. */
    size_t at = below(g, doc->n);
    gmember t = doc->m[doc->n - 1];
    memmove(&doc->m[at + 1], &doc->m[at], (doc->n - 1 - at) * sizeof t);
    doc->m[at] = t;
    return true;
}

static bool b_unknown_type_doc(cfc_generator *g)
{
    static const char *const names[] = {
        "heartbeat",     "commit_created", "blocker_created",
        "Agent_Created", "task_blocked ",  "agent-created",
        "TASK_ASSIGNED", "progress",       "\xC3\xA9v\xC3\xA9nement"};
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_type, &r) || r.doc != &g->docs[0])
        return false;
    const char *n = PICK(g, names);
    size_t at = g->vals.len;
    cfc__gen_write_string(g, &g->vals, n, strlen(n));
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    return true;
}

static bool b_empty_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_ident_or_type, &r))
        return false;
    cfc__gen_set_raw(g, r.m, "\"\"", 2);
    return true;
}

static void b_too_large_text(cfc_generator *g)
{
    size_t max = g->o.max_event_bytes ? g->o.max_event_bytes : (size_t)1 << 20;
    size_t pad = max + 1 + below(g, 64) - (g->out.len < max ? g->out.len : max);
    buf t = {0};
    putc_(&t, '{');
    char spaces[4096];
    memset(spaces, ' ', sizeof spaces);
    for (size_t done = 0; done < pad;) {
        size_t n = pad - done < sizeof spaces ? pad - done : sizeof spaces;
        put(&t, spaces, n);
        done += n;
    }
    put(&t, g->out.p + 1, g->out.len - 1);
    free(g->out.p);
    g->out = t;
}

static bool b_too_deep_doc(cfc_generator *g)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_field, &r))
        return false;
    unsigned depth = (g->o.max_depth ? g->o.max_depth : 64) + (unsigned)below(g, 3);
    bool objects = chance(g, 1, 3);
    size_t at = g->vals.len;
    for (unsigned i = 0; i < depth; i++)
        puts_(&g->vals, objects ? "{\"d\":" : "[");
    putc_(&g->vals, '1');
    for (unsigned i = 0; i < depth; i++)
        putc_(&g->vals, objects ? '}' : ']');
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    r.m->sub = -1;
    return true;
}

/* Timestamps: the event's own, with one thing wrong. */
static bool ts_doc(cfc_generator *g, const char *const *variants, size_t n)
{
    mref r;
    if (!cfc__gen_pick_member(g, cfc__gen_is_timestamp, &r))
        return false;
    char ts[25], bad[64];
    memcpy(ts, r.m->str, 24);
    ts[24] = '\0';
    const char *how = variants[below(g, n)];
    /* Each variant is a printf format over the timestamp's parts:
     * date (10), time (8), fraction (3). */
    char date[11], tim[9], frac[4];
    memcpy(date, ts, 10);
    date[10] = '\0';
    memcpy(tim, ts + 11, 8);
    tim[8] = '\0';
    memcpy(frac, ts + 20, 3);
    frac[3] = '\0';
    if (strcmp(how, "range") == 0) {
        static const char *const bad_dates[] = {
            "2025-13-01T00:00:00.000Z", "2025-00-10T12:00:00.000Z", "2023-02-29T12:00:00.000Z",
            "2025-04-31T08:00:00.000Z", "2025-11-32T14:30:45.123Z", "2025-11-08T24:00:00.000Z",
            "2025-11-08T14:60:45.123Z", "2016-12-31T23:59:60.000Z", "0000-01-01T00:00:00.000Z",
            "1900-02-29T00:00:00.000Z", "2025-06-00T10:00:00.000Z", "2025-09-31T23:59:59.999Z"};
        snprintf(bad, sizeof bad, "%s", PICK(g, bad_dates));
    } else {
        snprintf(bad, sizeof bad, how[0] == '!' ? how + 1 : how, date, tim, frac);
    }
    size_t at = g->vals.len;
    cfc__gen_write_string(g, &g->vals, bad, strlen(bad));
    r.m->val_at = at;
    r.m->val_len = g->vals.len - at;
    return true;
}

#define TS_BREAKER(name, ...)                                                                      \
    static bool name(cfc_generator *g)                                                             \
    {                                                                                              \
        static const char *const v[] = {__VA_ARGS__};                                              \
        return ts_doc(g, v, sizeof v / sizeof v[0]);                                               \
    }

TS_BREAKER(b_ts_format_doc, "!yesterday", "%s", "!", "!%.0s%s.%sZ", "!14:30:45.123Z",
           "!1762612245123", "!not a timestamp", "!2025", "!Sat, 08 Nov 2025 14:30:45 GMT")
TS_BREAKER(b_ts_fraction_doc, "%sT%s.%s456Z", "%sT%sZ", "%sT%s.%.1sZ", "%sT%s.%.2sZ", "%sT%s.%s4Z",
           "%sT%s.%s000000Z")
TS_BREAKER(b_ts_zone_doc, "%sT%s.%s+00:00", "%sT%s.%s-05:00", "%sT%s.%s", "%sT%s.%s+05:30")
TS_BREAKER(b_ts_case_doc, "%st%s.%sZ", "%sT%s.%sz", "%st%s.%sz")
TS_BREAKER(b_ts_separator_doc, "%s %s.%sZ", "%s_%s.%sZ")
TS_BREAKER(b_ts_range_doc, "range")

static bool b_fixed_pre(cfc_generator *g)
{
    cfc_agent_created *a = &g->ev.u.agent_created;
    if (chance(g, 1, 2))
        a->status = (cfc_agent_created_status)(1 + below(g, CFC_AGENT_CREATED_STATUS__COUNT - 1));
    else
        a->tasks_completed = 1 + (int64_t)below(g, chance(g, 1, 2) ? 100 : CFC_MAX_SAFE_INTEGER);
    return true;
}

static bool b_current_task_pre(cfc_generator *g)
{
    cfc_agent_status_changed *a = &g->ev.u.agent_status_changed;
    static const cfc_agent_status_changed_status others[] = {
        CFC_AGENT_STATUS_CHANGED_STATUS_IDLE, CFC_AGENT_STATUS_CHANGED_STATUS_BLOCKED,
        CFC_AGENT_STATUS_CHANGED_STATUS_OFFLINE};
    a->has_current_task = true;
    a->status = PICK(g, others);
    return true;
}

static bool b_progress_status_pre(cfc_generator *g)
{
    cfc_task_status_changed *a = &g->ev.u.task_status_changed;
    a->has_progress = true;
    if (chance(g, 1, 2)) {
        a->status = CFC_TASK_STATUS_CHANGED_STATUS_COMPLETED;
        a->progress = (int64_t)below(g, 100);
    } else {
        a->status = CFC_TASK_STATUS_CHANGED_STATUS_PENDING;
        a->progress = 1 + (int64_t)below(g, 100);
    }
    return true;
}

static bool b_blocked_empty_pre(cfc_generator *g)
{
    g->ev.u.task_blocked.blocked_by.len = 0;
    g->ev.u.task_blocked.blocked_count = 0;
    return true;
}

static bool b_blocked_dup_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    size_t n = a->blocked_by.len;
    g->ids[n] = g->ids[below(g, n)];
    a->blocked_by.len = n + 1;
    if (chance(g, 1, 2)) { /* not always next to each other */
        size_t i = below(g, n + 1);
        int64_t t = g->ids[i];
        g->ids[i] = g->ids[n];
        g->ids[n] = t;
    }
    a->blocked_count = (int64_t)a->blocked_by.len;
    return true;
}

static bool b_blocked_self_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    if (chance(g, 1, 2))
        g->ids[below(g, a->blocked_by.len)] = a->task_id;
    else
        g->ids[a->blocked_by.len++] = a->task_id;
    a->blocked_count = (int64_t)a->blocked_by.len;
    return true;
}

static bool b_blocked_count_pre(cfc_generator *g)
{
    cfc_task_blocked *a = &g->ev.u.task_blocked;
    int64_t n = (int64_t)a->blocked_by.len;
    if (chance(g, 1, 2))
        a->blocked_count = n + 1 + (int64_t)below(g, chance(g, 1, 4) ? 1000000 : 3);
    else
        a->blocked_count = (int64_t)below(g, (uint64_t)n); /* 0 .. n-1 */
    return true;
}

static bool b_unblocked_self_pre(cfc_generator *g)
{
    g->ev.u.task_unblocked.has_unblocked_by = true;
    g->ev.u.task_unblocked.unblocked_by = g->ev.u.task_unblocked.task_id;
    return true;
}

static bool b_duration_pre(cfc_generator *g)
{
    static const double neg[] = {-0.5, -1.0, -3600.0, -1e-300, -1e300};
    g->ev.u.test_result.duration = PICK(g, neg);
    return true;
}

static bool b_duration_doc(cfc_generator *g)
{
    static const char *const inf[] = {"1e400", "1E999", "-1e400"};
    mref r;
    if (chance(g, 1, 3)) {
        for (size_t i = 0; i < g->docs[0].n; i++) {
            r.m = &g->docs[0].m[i];
            if (r.m->field && r.m->field->kind == CFC_KIND_NUMBER) {
                const char *s = PICK(g, inf);
                cfc__gen_set_raw(g, r.m, s, strlen(s));
            }
        }
    }
    return true;
}

static bool b_test_passed_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_PASSED;
    if (chance(g, 1, 2))
        a->failed = 1 + (int64_t)below(g, 50);
    else
        a->errors = 1 + (int64_t)below(g, 50);
    return true;
}

static bool b_test_failed_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_FAILED;
    a->failed = a->errors = 0;
    return true;
}

static bool b_test_no_tests_pre(cfc_generator *g)
{
    cfc_test_result *a = &g->ev.u.test_result;
    a->status = CFC_TEST_RESULT_STATUS_NO_TESTS;
    a->passed = a->failed = a->errors = 0;
    int64_t *which[] = {&a->passed, &a->failed, &a->errors};
    *which[below(g, 3)] = 1 + (int64_t)below(g, 100);
    return true;
}

static bool b_attempt_pre(cfc_generator *g)
{
    cfc_correction_attempt *a = &g->ev.u.correction_attempt;
    switch (below(g, 3)) {
    case 0: a->attempt_number = 0; break;
    case 1: a->max_attempts = 0; break;
    default:
        if (a->max_attempts > CFC_MAX_SAFE_INTEGER - 4)
            a->max_attempts = 3;
        a->attempt_number = a->max_attempts + 1 + (int64_t)below(g, 3);
        break;
    }
    return true;
}

static bool b_summary_pre(cfc_generator *g)
{
    cfc_correction_attempt *a = &g->ev.u.correction_attempt;
    a->status = chance(g, 1, 2) ? CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS
                                : CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS;
    if (!a->has_error_summary) {
        a->has_error_summary = true;
        a->error_summary.s = (char *)"AssertionError: expected 200, got 500";
        a->error_summary.len = strlen(a->error_summary.s);
    }
    return true;
}

static bool b_completed_pre(cfc_generator *g)
{
    cfc_progress_update *a = &g->ev.u.progress_update;
    if (a->total >= CFC_MAX_SAFE_INTEGER)
        a->total = 10;
    a->completed = a->total + 1 + (int64_t)below(g, 5);
    a->percentage = (int64_t)below(g, 101);
    return true;
}

static bool b_percentage_pre(cfc_generator *g)
{
    cfc_progress_update *a = &g->ev.u.progress_update;
    if (a->total == 0) {
        a->percentage = 1 + (int64_t)below(g, 100);
        return true;
    }
    int64_t lo = a->completed * 100 / a->total;
    int64_t hi = (a->completed * 200 + a->total) / (2 * a->total);
    for (int tries = 0; tries < 32; tries++) {
        int64_t p = (int64_t)below(g, 101);
        if (p != lo && p != hi) {
            a->percentage = p;
            return true;
        }
    }
    return false;
}

static const breaker breakers[] = {
    {CFC_RULE_JSON_SYNTAX, CFC_EV_COUNT, NULL, b_syntax_doc, b_syntax_text},
    {CFC_RULE_CONTROL_CHAR, CFC_EV_COUNT, NULL, b_control_doc, NULL},
    {CFC_RULE_NOT_OBJECT, CFC_EV_COUNT, NULL, NULL, b_not_object_text},
    {CFC_RULE_UTF8_INVALID, CFC_EV_COUNT, NULL, b_utf8_doc, NULL},
    {CFC_RULE_UTF8_BOM, CFC_EV_COUNT, NULL, NULL, b_bom_text},
    {CFC_RULE_NUL_BYTE, CFC_EV_COUNT, NULL, b_nul_byte_doc, NULL},
    {CFC_RULE_LONE_SURROGATE, CFC_EV_COUNT, NULL, b_surrogate_doc, NULL},
    {CFC_RULE_NUL_ESCAPE, CFC_EV_COUNT, NULL, b_nul_escape_doc, NULL},
    {CFC_RULE_DUPLICATE_KEY, CFC_EV_COUNT, NULL, b_duplicate_doc, NULL},
    {CFC_RULE_MISSING_FIELD, CFC_EV_COUNT, NULL, b_missing_doc, NULL},
    {CFC_RULE_INT_FORM, CFC_EV_COUNT, NULL, b_int_form_doc, NULL},
    {CFC_RULE_INT_UNSAFE, CFC_EV_COUNT, b_int_unsafe_pre, b_int_unsafe_doc, NULL},
    {CFC_RULE_ID_RANGE, CFC_EV_COUNT, b_id_range_pre, NULL, NULL},
    {CFC_RULE_COUNT_RANGE, CFC_EV_COUNT, b_count_range_pre, NULL, NULL},
    {CFC_RULE_NULL_VALUE, CFC_EV_COUNT, NULL, b_null_doc, NULL},
    {CFC_RULE_WRONG_TYPE, CFC_EV_COUNT, NULL, b_wrong_type_doc, NULL},
    {CFC_RULE_ENUM_VALUE, CFC_EV_COUNT, NULL, b_enum_doc, NULL},
    {CFC_RULE_UNKNOWN_FIELD, CFC_EV_COUNT, NULL, b_unknown_field_doc, NULL},
    {CFC_RULE_UNKNOWN_TYPE, CFC_EV_COUNT, NULL, b_unknown_type_doc, NULL},
    {CFC_RULE_EMPTY_STRING, CFC_EV_COUNT, NULL, b_empty_doc, NULL},
    {CFC_RULE_TOO_LARGE, CFC_EV_COUNT, NULL, NULL, b_too_large_text},
    {CFC_RULE_TOO_DEEP, CFC_EV_COUNT, NULL, b_too_deep_doc, NULL},
    {CFC_RULE_TS_FORMAT, CFC_EV_COUNT, NULL, b_ts_format_doc, NULL},
    {CFC_RULE_TS_FRACTION, CFC_EV_COUNT, NULL, b_ts_fraction_doc, NULL},
    {CFC_RULE_TS_ZONE, CFC_EV_COUNT, NULL, b_ts_zone_doc, NULL},
    {CFC_RULE_TS_CASE, CFC_EV_COUNT, NULL, b_ts_case_doc, NULL},
    {CFC_RULE_TS_SEPARATOR, CFC_EV_COUNT, NULL, b_ts_separator_doc, NULL},
    {CFC_RULE_TS_RANGE, CFC_EV_COUNT, NULL, b_ts_range_doc, NULL},
    {CFC_RULE_FIXED_VALUE, CFC_EV_AGENT_CREATED, b_fixed_pre, NULL, NULL},
    {CFC_RULE_PERCENT_RANGE, CFC_EV_COUNT, b_percent_range_pre, NULL, NULL},
    {CFC_RULE_CURRENT_TASK_STATUS, CFC_EV_AGENT_STATUS_CHANGED, b_current_task_pre, NULL, NULL},
    {CFC_RULE_PROGRESS_STATUS, CFC_EV_TASK_STATUS_CHANGED, b_progress_status_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_EMPTY, CFC_EV_TASK_BLOCKED, b_blocked_empty_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_DUPLICATE, CFC_EV_TASK_BLOCKED, b_blocked_dup_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_BY_SELF, CFC_EV_TASK_BLOCKED, b_blocked_self_pre, NULL, NULL},
    {CFC_RULE_BLOCKED_COUNT, CFC_EV_TASK_BLOCKED, b_blocked_count_pre, NULL, NULL},
    {CFC_RULE_UNBLOCKED_BY_SELF, CFC_EV_TASK_UNBLOCKED, b_unblocked_self_pre, NULL, NULL},
    {CFC_RULE_DURATION_RANGE, CFC_EV_TEST_RESULT, b_duration_pre, b_duration_doc, NULL},
    {CFC_RULE_TEST_PASSED_FAILURES, CFC_EV_TEST_RESULT, b_test_passed_pre, NULL, NULL},
    {CFC_RULE_TEST_FAILED_NO_FAILURES, CFC_EV_TEST_RESULT, b_test_failed_pre, NULL, NULL},
    {CFC_RULE_TEST_NO_TESTS_COUNTS, CFC_EV_TEST_RESULT, b_test_no_tests_pre, NULL, NULL},
    {CFC_RULE_ATTEMPT_RANGE, CFC_EV_CORRECTION_ATTEMPT, b_attempt_pre, NULL, NULL},
    {CFC_RULE_SUMMARY_NOT_FAILED, CFC_EV_CORRECTION_ATTEMPT, b_summary_pre, NULL, NULL},
    {CFC_RULE_COMPLETED_EXCEEDS_TOTAL, CFC_EV_PROGRESS_UPDATE, b_completed_pre, NULL, NULL},
    {CFC_RULE_PERCENTAGE_MISMATCH, CFC_EV_PROGRESS_UPDATE, b_percentage_pre, NULL, NULL},
};
#define N_BREAKERS (sizeof breakers / sizeof breakers[0])

static const breaker *breaker_for(cfc_rule rule)
{
    for (size_t i = 0; i < N_BREAKERS; i++) {
        if (breakers[i].rule == rule)
            return &breakers[i];
    }
    return NULL;
}

bool cfc_gen_rule_supported(cfc_rule rule)
{
    return breaker_for(rule) != NULL;
}

bool cfc_gen_rule_default(cfc_rule rule)
{
    return cfc_gen_rule_supported(rule) && rule != CFC_RULE_TOO_LARGE;
}

const char *cfc_gen_rule_unsupported_reason(cfc_rule rule)
{
    const cfc_rule_info *info = cfc_rule_get(rule);
    if (info == NULL)
        return "no such rule";
    if (cfc_gen_rule_supported(rule))
        return NULL;
    if (rule == CFC_RULE_TEXT_FRAME)
        return "text-frame is a WebSocket framing fault (a binary or unfinished message), not "
               "the bytes of an event";
    if (rule == CFC_RULE_WS_PROTOCOL)
        return "ws-protocol is a fault of the WebSocket connection (RFC 6455), not the bytes of "
               "an event";
    if (info->reference[0] == 'S' || strstr(info->reference, "S6"))
        return "a stream rule: one event cannot break it (--stream generates conforming streams)";
    return "the generator has no breaker for it";
}

const breaker *cfc__gen_breaker_pick(cfc_generator *g)
{
    if (g->o.one_rule)
        return breaker_for(g->o.rule);
    size_t n = 0;
    const breaker *usable[N_BREAKERS];
    for (size_t i = 0; i < N_BREAKERS; i++) {
        if (cfc_gen_rule_default(breakers[i].rule))
            usable[n++] = &breakers[i];
    }
    return usable[below(g, n)];
}
