/* SPDX-License-Identifier: MIT */
/*
 * The adapter protocol, version 1 (docs/adapter-protocol.md): one JSON
 * object per line each way.
 *
 *   -> {"op":"start","protocol":1,"broadcasters":["broadcast_agent_created",...]}
 *   <- {"op":"hello","protocol":1,"implementation":{"name":..,"language":..,"version":..},
 *       "broadcasters":[...]}
 *   -> {"op":"call","seq":7,"broadcaster":"broadcast_task_blocked","args":{...},"fault":"fail"}
 *   <-
 * {"op":"result","seq":7,"outcome":"returned","sent":["{...}"],"logs":[{"level":..,"message":..}]}
 *   <- {"op":"error","seq":7,"message":"cannot convert blocked_by"}
 *   -> {"op":"stop"}
 *
 * The reader is strict: what an adapter writes is parsed with the checker's
 * own parser, and any diagnostic (invalid UTF-8, a lone surrogate escape, a
 * duplicate member, trailing bytes) makes the line invalid -- an event text
 * that is not valid UTF-8 must travel as {"base64":"..."}. Unknown members
 * are ignored (later protocol versions may add some). Everything returned is
 * copied out of the parser, so the parser can be reused at once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "certify_internal.h"

void cfc__hello_free(const cfc_allocator *a, cfc__hello *h)
{
    if (h == NULL)
        return;
    cfc__cfree(a, h->name);
    cfc__cfree(a, h->language);
    cfc__cfree(a, h->version);
    for (size_t i = 0; h->broadcasters && i < h->n_broadcasters; i++)
        cfc__cfree(a, h->broadcasters[i]);
    cfc__cfree(a, h->broadcasters);
    memset(h, 0, sizeof *h);
}

void cfc__reply_free(const cfc_allocator *a, cfc_cert_reply *r)
{
    if (r == NULL)
        return;
    cfc__cfree(a, r->status);
    cfc__cfree(a, r->error);
    for (size_t i = 0; r->sent && i < r->n_sent; i++)
        cfc__cfree(a, r->sent[i].bytes);
    cfc__cfree(a, r->sent);
    for (size_t i = 0; r->logs && i < r->n_logs; i++) {
        cfc__cfree(a, r->logs[i].level);
        cfc__cfree(a, r->logs[i].message);
    }
    cfc__cfree(a, r->logs);
    for (size_t i = 0; r->misuse && i < r->n_misuse; i++)
        cfc__cfree(a, r->misuse[i]);
    cfc__cfree(a, r->misuse);
    memset(r, 0, sizeof *r);
}

/* ---- the report bound -------------------------------------------------------- */

/* Keeps the first left->bytes bytes of a string of len bytes, cut at a
 * character boundary (never inside a UTF-8 sequence), its allocation
 * shrunk; returns the length kept. */
static size_t keep_bytes(const cfc_allocator *a, char **p, size_t len, cfc__keep *left,
                         cfc_cert_reply *r)
{
    r->received_bytes += len;
    if (len <= left->bytes) {
        left->bytes -= len;
        r->kept_bytes += len;
        return len;
    }
    size_t k = left->bytes;
    while (k > 0 && ((unsigned char)(*p)[k] & 0xC0) == 0x80)
        k--;
    left->bytes = 0; /* the rest of a character is not worth the next item */
    (*p)[k] = '\0';
    char *shrunk = cfc__crealloc(a, *p, k + 1);
    if (shrunk) /* else the longer block stays: still valid, still NUL-terminated at k */
        *p = shrunk;
    r->kept_bytes += k;
    r->cut = true;
    return k;
}

/* Whether another item may be kept; false counts it as received, not kept. */
static bool keep_item(cfc__keep *left, cfc_cert_reply *r, size_t len)
{
    if (left->bytes > 0 && left->items > 0) {
        left->items--;
        return true;
    }
    r->received_bytes += len;
    r->cut = true;
    return false;
}

/* A string member (error, status): kept, cut, or freed. */
static void keep_member(const cfc_allocator *a, char **s, cfc__keep *left, cfc_cert_reply *r)
{
    if (*s == NULL)
        return;
    size_t len = strlen(*s);
    if (keep_item(left, r, len)) {
        keep_bytes(a, s, len, left, r);
    } else {
        cfc__cfree(a, *s);
        *s = NULL;
    }
}

/* Shrinks an array to its n kept items (freed when none). */
static void *shrink(const cfc_allocator *a, void *array, size_t n, size_t size)
{
    if (n == 0) {
        cfc__cfree(a, array);
        return NULL;
    }
    void *p = cfc__crealloc(a, array, n * size);
    return p ? p : array;
}

void cfc__reply_keep(const cfc_allocator *a, cfc_cert_reply *r, cfc__keep *left)
{
    r->received_sent = r->n_sent;
    r->received_logs = r->n_logs;
    r->received_misuse = r->n_misuse;
    r->received_bytes = r->kept_bytes = 0;
    r->cut = false;
    keep_member(a, &r->error, left, r);
    keep_member(a, &r->status, left, r);
    size_t kept = 0;
    for (size_t i = 0; i < r->n_misuse; i++) {
        size_t len = strlen(r->misuse[i]);
        if (keep_item(left, r, len)) {
            keep_bytes(a, &r->misuse[i], len, left, r);
            r->misuse[kept++] = r->misuse[i];
        } else {
            cfc__cfree(a, r->misuse[i]);
        }
    }
    r->misuse = shrink(a, r->misuse, r->n_misuse = kept, sizeof *r->misuse);
    kept = 0;
    for (size_t i = 0; i < r->n_sent; i++) {
        cfc_cert_text t = r->sent[i];
        if (keep_item(left, r, t.len)) {
            t.len = keep_bytes(a, &t.bytes, t.len, left, r);
            r->sent[kept++] = t;
        } else {
            cfc__cfree(a, t.bytes);
        }
    }
    r->sent = shrink(a, r->sent, r->n_sent = kept, sizeof *r->sent);
    kept = 0;
    for (size_t i = 0; i < r->n_logs; i++) {
        cfc_cert_log l = r->logs[i];
        size_t ll = strlen(l.level), ml = strlen(l.message);
        if (keep_item(left, r, ll + ml)) {
            keep_bytes(a, &l.level, ll, left, r);
            keep_bytes(a, &l.message, ml, left, r);
            r->logs[kept++] = l;
        } else {
            cfc__cfree(a, l.level);
            cfc__cfree(a, l.message);
        }
    }
    r->logs = shrink(a, r->logs, r->n_logs = kept, sizeof *r->logs);
}

/* ---- requests -------------------------------------------------------------- */

void cfc__proto_start(cfc__buf *b)
{
    size_t n;
    const cfc_event_type *all = cfc_contract_types(&n);
    cfc__buf_printf(b, "{\"op\":\"start\",\"protocol\":%d,\"broadcasters\":[",
                    CFC_ADAPTER_PROTOCOL);
    for (size_t i = 0; i < n; i++) {
        if (i)
            cfc__buf_add(b, ",", 1);
        cfc__buf_json_str(b, all[i].function, strlen(all[i].function));
    }
    cfc__buf_puts(b, "]}\n");
}

void cfc__proto_call(cfc__buf *b, uint64_t seq, const cfc_cert_step *step)
{
    cfc__buf_printf(b, "{\"op\":\"call\",\"seq\":%llu,\"broadcaster\":", (unsigned long long)seq);
    cfc__buf_json_str(b, step->broadcaster, strlen(step->broadcaster));
    cfc__buf_puts(b, ",\"args\":");
    cfc__buf_puts(b, step->args);
    if (step->fault != CFC_FAULT_NONE)
        cfc__buf_printf(b, ",\"fault\":\"%s\"", cfc_fault_name(step->fault));
    cfc__buf_puts(b, "}\n");
}

void cfc__proto_stop(cfc__buf *b)
{
    cfc__buf_puts(b, "{\"op\":\"stop\"}\n");
}

/* ---- reading -------------------------------------------------------------- */

typedef struct reader {
    const cfc_allocator *a;
    char *why;
    size_t cap;
    bool bad;
    bool nomem;
} reader;

static void bad(reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void bad(reader *r, const char *fmt, ...)
{
    if (r->bad)
        return;
    r->bad = true;
    if (r->why && r->cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->why, r->cap, fmt, ap);
        va_end(ap);
    }
}

/* Parses the line; NULL (and r->bad / r->nomem) unless it is one clean
 * JSON object. */
static const cfc_jval *parse_object(reader *r, cfc_jparser *p, const char *line, size_t len)
{
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0, dropped = 0;
    cfc_jparse_opts po = {.max_depth = 16, .max_diags = 4};
    if (p == NULL || cfc_jparse(p, line, len, &po, &root, &d, &nd, &dropped) != 0) {
        r->nomem = r->bad = true;
        if (r->why && r->cap)
            snprintf(r->why, r->cap, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nd; i++) {
        /* A \u0000 inside a string is valid JSON: an event text may hold it. */
        if (d[i].code == CFC_JD_NUL_ESCAPE)
            continue;
        bad(r, "invalid JSON at byte %zu: %s", d[i].offset, d[i].message);
        return NULL;
    }
    if (dropped > cfc_jparser_dropped(p, CFC_JD_NUL_ESCAPE)) {
        bad(r, "invalid JSON");
        return NULL;
    }
    if (root == NULL || root->type != CFC_J_OBJECT) {
        bad(r, "a protocol line must be one JSON object");
        return NULL;
    }
    return root;
}

static char *copy_str(reader *r, const cfc_jval *v)
{
    char *s = cfc__cstrndup(r->a, v->u.str.s, v->u.str.len);
    if (s == NULL) {
        r->nomem = true;
        bad(r, "out of memory");
    }
    return s;
}

/* A string member: NULL when absent (an error if required) or not a string. */
static const cfc_jval *str_member(reader *r, const cfc_jval *obj, const char *name, bool required)
{
    const cfc_jval *v = cfc_jobject_get(obj, name);
    if (v == NULL) {
        if (required)
            bad(r, "\"%s\" is missing", name);
        return NULL;
    }
    if (v->type != CFC_J_STRING) {
        bad(r, "\"%s\" must be a string, not %s", name, cfc_jtype_name(v->type));
        return NULL;
    }
    return v;
}

static bool op_is(reader *r, const cfc_jval *root, const char *op)
{
    const cfc_jval *v = str_member(r, root, "op", true);
    return v && strcmp(v->u.str.s, op) == 0 && strlen(op) == v->u.str.len;
}

cfc__proto_rc cfc__proto_parse_hello(cfc_jparser *p, const cfc_allocator *a, const char *line,
                                     size_t len, cfc__hello *out, char *why, size_t cap)
{
    reader r = {.a = a, .why = why, .cap = cap};
    cfc__hello h;
    memset(&h, 0, sizeof h);
    memset(out, 0, sizeof *out);
    const cfc_jval *root = parse_object(&r, p, line, len);
    if (root && !op_is(&r, root, "hello"))
        bad(&r, "expected {\"op\":\"hello\",...} in answer to start");
    const cfc_jval *proto = root && !r.bad ? cfc_jobject_get(root, "protocol") : NULL;
    if (root && !r.bad &&
        (proto == NULL || proto->type != CFC_J_NUMBER || !(proto->u.num.flags & CFC_JNUM_INT64)))
        bad(&r, "\"protocol\" must be an integer");
    else if (proto && proto->u.num.i != CFC_ADAPTER_PROTOCOL)
        bad(&r, "the adapter speaks protocol %lld; cfconform speaks %d", (long long)proto->u.num.i,
            CFC_ADAPTER_PROTOCOL);
    const cfc_jval *impl = root && !r.bad ? cfc_jobject_get(root, "implementation") : NULL;
    if (root && !r.bad && (impl == NULL || impl->type != CFC_J_OBJECT))
        bad(&r, "\"implementation\" must be an object with name, language and version");
    if (!r.bad) {
        const cfc_jval *name = str_member(&r, impl, "name", true);
        const cfc_jval *lang = str_member(&r, impl, "language", true);
        const cfc_jval *version = str_member(&r, impl, "version", true);
        if (!r.bad) {
            h.name = copy_str(&r, name);
            h.language = copy_str(&r, lang);
            h.version = copy_str(&r, version);
        }
    }
    const cfc_jval *list = root && !r.bad ? cfc_jobject_get(root, "broadcasters") : NULL;
    if (root && !r.bad &&
        (list == NULL || list->type != CFC_J_ARRAY || list->u.kids.count > CFC__PROTO_MAX_ITEMS))
        bad(&r, "\"broadcasters\" must be an array of function names");
    if (!r.bad && list->u.kids.count) {
        h.broadcasters = cfc__cmalloc(a, list->u.kids.count * sizeof *h.broadcasters);
        if (h.broadcasters == NULL) {
            r.nomem = true;
            bad(&r, "out of memory");
        }
        for (const cfc_jval *k = list->u.kids.first; k && !r.bad; k = k->next) {
            if (k->type != CFC_J_STRING) {
                bad(&r, "\"broadcasters\" must hold strings only");
                break;
            }
            char *s = copy_str(&r, k);
            if (s)
                h.broadcasters[h.n_broadcasters++] = s;
        }
    }
    if (r.bad) {
        cfc__hello_free(a, &h);
        return r.nomem ? CFC__PROTO_NOMEM : CFC__PROTO_INVALID;
    }
    *out = h;
    return CFC__PROTO_OK;
}

static bool read_sent(reader *r, const cfc_jval *list, cfc_cert_reply *rep)
{
    if (list->type != CFC_J_ARRAY || list->u.kids.count > CFC__PROTO_MAX_ITEMS) {
        bad(r, "\"sent\" must be an array of at most %d texts", CFC__PROTO_MAX_ITEMS);
        return false;
    }
    if (list->u.kids.count == 0)
        return true;
    rep->sent = cfc__cmalloc(r->a, list->u.kids.count * sizeof *rep->sent);
    if (rep->sent == NULL) {
        r->nomem = true;
        bad(r, "out of memory");
        return false;
    }
    for (const cfc_jval *k = list->u.kids.first; k; k = k->next) {
        cfc_cert_text *t = &rep->sent[rep->n_sent];
        if (k->type == CFC_J_STRING) {
            t->bytes = copy_str(r, k);
            t->len = k->u.str.len;
        } else if (k->type == CFC_J_OBJECT) {
            const cfc_jval *b = str_member(r, k, "base64", true);
            if (b == NULL)
                return false;
            t->bytes = cfc__cmalloc(r->a, b->u.str.len / 4 * 3 + 1);
            if (t->bytes == NULL) {
                r->nomem = true;
                bad(r, "out of memory");
                return false;
            }
            long n = cfc__base64_decode(b->u.str.s, b->u.str.len, (unsigned char *)t->bytes);
            if (n < 0) {
                cfc__cfree(r->a, t->bytes);
                t->bytes = NULL;
                bad(r, "sent[%zu]: \"base64\" is not canonical base64", rep->n_sent);
                return false;
            }
            t->bytes[n] = '\0';
            t->len = (size_t)n;
        } else {
            bad(r, "sent[%zu] must be a string or {\"base64\":...}, not %s", rep->n_sent,
                cfc_jtype_name(k->type));
            return false;
        }
        if (t->bytes == NULL)
            return false;
        rep->n_sent++;
    }
    return true;
}

static bool read_logs(reader *r, const cfc_jval *list, cfc_cert_reply *rep)
{
    if (list->type != CFC_J_ARRAY || list->u.kids.count > CFC__PROTO_MAX_ITEMS) {
        bad(r, "\"logs\" must be an array of at most %d objects", CFC__PROTO_MAX_ITEMS);
        return false;
    }
    if (list->u.kids.count == 0)
        return true;
    rep->logs = cfc__cmalloc(r->a, list->u.kids.count * sizeof *rep->logs);
    if (rep->logs == NULL) {
        r->nomem = true;
        bad(r, "out of memory");
        return false;
    }
    for (const cfc_jval *k = list->u.kids.first; k; k = k->next) {
        if (k->type != CFC_J_OBJECT) {
            bad(r, "logs[%zu] must be {\"level\":...,\"message\":...}", rep->n_logs);
            return false;
        }
        const cfc_jval *level = str_member(r, k, "level", true);
        const cfc_jval *msg = str_member(r, k, "message", true);
        if (r->bad)
            return false;
        cfc_cert_log *lg = &rep->logs[rep->n_logs];
        lg->level = copy_str(r, level);
        lg->message = lg->level ? copy_str(r, msg) : NULL;
        if (lg->message == NULL) {
            cfc__cfree(r->a, lg->level);
            return false;
        }
        rep->n_logs++;
    }
    return true;
}

/* "misuse": the manager was called outside the contract's interface (C1). */
static bool read_misuse(reader *r, const cfc_jval *list, cfc_cert_reply *rep)
{
    if (list->type != CFC_J_ARRAY || list->u.kids.count > CFC__PROTO_MAX_ITEMS) {
        bad(r, "\"misuse\" must be an array of at most %d strings", CFC__PROTO_MAX_ITEMS);
        return false;
    }
    if (list->u.kids.count == 0)
        return true;
    rep->misuse = cfc__cmalloc(r->a, list->u.kids.count * sizeof *rep->misuse);
    if (rep->misuse == NULL) {
        r->nomem = true;
        bad(r, "out of memory");
        return false;
    }
    for (const cfc_jval *k = list->u.kids.first; k; k = k->next) {
        if (k->type != CFC_J_STRING) {
            bad(r, "misuse[%zu] must be a string", rep->n_misuse);
            return false;
        }
        char *s = copy_str(r, k);
        if (s == NULL)
            return false;
        rep->misuse[rep->n_misuse++] = s;
    }
    return true;
}

static cfc__proto_rc parse_reply(cfc_jparser *p, const cfc_allocator *a, const char *line,
                                 size_t len, cfc__buf *release, uint64_t seq, cfc_cert_reply *out,
                                 char *why, size_t cap)
{
    reader r = {.a = a, .why = why, .cap = cap};
    cfc_cert_reply rep;
    memset(&rep, 0, sizeof rep);
    memset(out, 0, sizeof *out);
    const cfc_jval *root = parse_object(&r, p, line, len);
    if (release) /* the parser has its own copy: one huge line less at a time */
        cfc__buf_free(release);
    const cfc_jval *op = root ? str_member(&r, root, "op", true) : NULL;
    const cfc_jval *s = op ? cfc_jobject_get(root, "seq") : NULL;
    if (op && (s == NULL || s->type != CFC_J_NUMBER || !(s->u.num.flags & CFC_JNUM_INT64) ||
               s->u.num.i < 0))
        bad(&r, "\"seq\" must be a non-negative integer");
    else if (s && (uint64_t)s->u.num.i != seq)
        bad(&r, "out of sequence: the answer is for call %lld, the call was %llu",
            (long long)s->u.num.i, (unsigned long long)seq);
    bool is_error = op && !r.bad && strcmp(op->u.str.s, "error") == 0;
    if (op && !r.bad && !is_error && strcmp(op->u.str.s, "result") != 0)
        bad(&r, "expected {\"op\":\"result\",...} or {\"op\":\"error\",...}, got op \"%.40s\"",
            op->u.str.s);
    if (is_error) {
        const cfc_jval *m = str_member(&r, root, "message", true);
        if (m)
            rep.error = copy_str(&r, m);
        if (r.bad) {
            cfc__reply_free(a, &rep);
            return r.nomem ? CFC__PROTO_NOMEM : CFC__PROTO_INVALID;
        }
        *out = rep;
        return CFC__PROTO_ADAPTER_ERROR;
    }
    const cfc_jval *outcome = !r.bad ? str_member(&r, root, "outcome", true) : NULL;
    if (outcome) {
        static const cfc_outcome all[] = {CFC_OUTCOME_RETURNED, CFC_OUTCOME_RAISED,
                                          CFC_OUTCOME_REFUSED, CFC_OUTCOME_UNIMPLEMENTED};
        for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
            if (strcmp(outcome->u.str.s, cfc_outcome_name(all[i])) == 0 &&
                outcome->u.str.len == strlen(cfc_outcome_name(all[i])))
                rep.outcome = all[i];
        }
        if (rep.outcome == CFC_OUTCOME_NONE)
            bad(&r, "\"outcome\" must be returned, raised, refused or unimplemented, not \"%.40s\"",
                outcome->u.str.s);
    }
    const cfc_jval *sent = !r.bad ? cfc_jobject_get(root, "sent") : NULL;
    if (!r.bad && sent == NULL && rep.outcome != CFC_OUTCOME_UNIMPLEMENTED)
        bad(&r, "\"sent\" is missing");
    if (sent && !r.bad)
        read_sent(&r, sent, &rep);
    const cfc_jval *logs = !r.bad ? cfc_jobject_get(root, "logs") : NULL;
    if (logs && !r.bad)
        read_logs(&r, logs, &rep);
    const cfc_jval *mis = !r.bad ? cfc_jobject_get(root, "misuse") : NULL;
    if (mis && !r.bad)
        read_misuse(&r, mis, &rep);
    const cfc_jval *st = !r.bad ? str_member(&r, root, "status", false) : NULL;
    if (st && !r.bad)
        rep.status = copy_str(&r, st);
    const cfc_jval *er = !r.bad ? str_member(&r, root, "error", false) : NULL;
    if (er && !r.bad)
        rep.error = copy_str(&r, er);
    if (r.bad) {
        cfc__reply_free(a, &rep);
        return r.nomem ? CFC__PROTO_NOMEM : CFC__PROTO_INVALID;
    }
    *out = rep;
    return CFC__PROTO_OK;
}

cfc__proto_rc cfc__proto_parse_reply(cfc_jparser *p, const cfc_allocator *a, const char *line,
                                     size_t len, uint64_t seq, cfc_cert_reply *out, char *why,
                                     size_t cap)
{
    return parse_reply(p, a, line, len, NULL, seq, out, why, cap);
}

cfc__proto_rc cfc__proto_parse_reply_buf(cfc_jparser *p, const cfc_allocator *a, cfc__buf *line,
                                         size_t release_above, uint64_t seq, cfc_cert_reply *out,
                                         char *why, size_t cap)
{
    return parse_reply(p, a, line->data ? line->data : "", line->len,
                       line->cap > release_above ? line : NULL, seq, out, why, cap);
}

/* ---- writing replies (tests, fuzzing, the JSON report) -------------------- */

void cfc__buf_reply_members(cfc__buf *b, const cfc_cert_reply *r)
{
    cfc__buf_printf(b, "\"outcome\":\"%s\",\"sent\":[", cfc_outcome_name(r->outcome));
    for (size_t i = 0; i < r->n_sent; i++) {
        if (i)
            cfc__buf_add(b, ",", 1);
        const cfc_cert_text *t = &r->sent[i];
        if (cfc__utf8_valid_prefix(t->bytes, t->len) == t->len) {
            cfc__buf_json_str(b, t->bytes, t->len);
        } else {
            cfc__buf_puts(b, "{\"base64\":\"");
            cfc__buf_base64(b, (const unsigned char *)t->bytes, t->len);
            cfc__buf_puts(b, "\"}");
        }
    }
    cfc__buf_puts(b, "],\"logs\":[");
    for (size_t i = 0; i < r->n_logs; i++) {
        cfc__buf_puts(b, i ? ",{\"level\":" : "{\"level\":");
        cfc__buf_json_str(b, r->logs[i].level, strlen(r->logs[i].level));
        cfc__buf_puts(b, ",\"message\":");
        cfc__buf_json_str(b, r->logs[i].message, strlen(r->logs[i].message));
        cfc__buf_puts(b, "}");
    }
    cfc__buf_puts(b, "]");
    if (r->n_misuse) {
        cfc__buf_puts(b, ",\"misuse\":[");
        for (size_t i = 0; i < r->n_misuse; i++) {
            if (i)
                cfc__buf_add(b, ",", 1);
            cfc__buf_json_str(b, r->misuse[i], strlen(r->misuse[i]));
        }
        cfc__buf_puts(b, "]");
    }
    if (r->status) {
        cfc__buf_puts(b, ",\"status\":");
        cfc__buf_json_str(b, r->status, strlen(r->status));
    }
    if (r->error) {
        cfc__buf_puts(b, ",\"error\":");
        cfc__buf_json_str(b, r->error, strlen(r->error));
    }
}

void cfc__proto_write_reply(cfc__buf *b, uint64_t seq, const cfc_cert_reply *r)
{
    cfc__buf_printf(b, "{\"op\":\"result\",\"seq\":%llu,", (unsigned long long)seq);
    cfc__buf_reply_members(b, r);
    cfc__buf_puts(b, "}");
}
