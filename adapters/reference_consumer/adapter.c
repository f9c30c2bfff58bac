/* SPDX-License-Identifier: MIT */
/*
 * cfc-consumer-reference: the typed decoder (cfc/decode.h) behind the
 * consumer role of the adapter protocol (docs/adapter-protocol.md), so that
 * `cfconform certify --consumer` certifies the reference consumer like any
 * other:
 *
 *     cfconform certify --consumer --adapter build/adapters/cfc-consumer-reference
 *
 * The reference consumer is the checker's reading of the contract, used as
 * a client would: each request gets a fresh stream (cfc/stream.h, from the
 * start), so an event that breaks a stream rule (an agent named after its
 * retirement) is rejected like one that breaks a single-event rule; an
 * event with no error finding is decoded to its typed value, and that value
 * -- not the event's text -- is written back in the contract's field names,
 * by walking the contract table and the typed structs' field map. So what
 * comes back is what the decoder's model holds.
 *
 * It is also the example of a consumer adapter in C: read a line, decode
 * each event, answer one line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certify_buf.h"
#include "cfc/decode.h"
#include "cfc/stream.h"
#include "cfc/timestamp.h"
#include "event_map.h"
#include "json.h"

#ifndef CFC_VERSION
#define CFC_VERSION "0"
#endif

/* One field's value from the typed struct at `base`. */
static void write_value(cfc__buf *o, cfc_event_id type, const cfc_field *f, const cfc__slot *s,
                        const char *base);

static void write_fields(cfc__buf *o, cfc_event_id type, const cfc_field *fields,
                         const cfc__slot *slots, size_t n, const char *base)
{
    cfc__buf_puts(o, "{");
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (slots[i].has != CFC__NO_FLAG && !*(const bool *)(base + slots[i].has))
            continue; /* an optional field the event did not have */
        if (!first)
            cfc__buf_puts(o, ",");
        first = false;
        cfc__buf_json_str(o, fields[i].name, strlen(fields[i].name));
        cfc__buf_puts(o, ":");
        write_value(o, type, &fields[i], &slots[i], base);
    }
    cfc__buf_puts(o, "}");
}

static void write_value(cfc__buf *o, cfc_event_id type, const cfc_field *f, const cfc__slot *s,
                        const char *base)
{
    const char *p = base + s->off;
    switch (f->kind) {
    case CFC_KIND_TYPE: {
        const char *name = cfc_contract_get(type)->name;
        cfc__buf_json_str(o, name, strlen(name));
        break;
    }
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT: {
        int64_t v;
        memcpy(&v, p, sizeof v);
        cfc__buf_printf(o, "%lld", (long long)v);
        break;
    }
    case CFC_KIND_NUMBER: {
        double d;
        memcpy(&d, p, sizeof d);
        cfc__buf_printf(o, "%.17g", d); /* round-trips exactly */
        break;
    }
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT: {
        cfc_text t;
        memcpy(&t, p, sizeof t);
        cfc__buf_json_str(o, t.s, t.len);
        break;
    }
    case CFC_KIND_ENUM: {
        int v;
        memcpy(&v, p, sizeof v);
        const char *name = cfc_event_enum_string(type, f->name, (unsigned)v);
        cfc__buf_json_str(o, name ? name : "", name ? strlen(name) : 0);
        break;
    }
    case CFC_KIND_ID_ARRAY: {
        cfc_id_array a;
        memcpy(&a, p, sizeof a);
        cfc__buf_puts(o, "[");
        for (size_t i = 0; i < a.len; i++)
            cfc__buf_printf(o, "%s%lld", i ? "," : "", (long long)a.items[i]);
        cfc__buf_puts(o, "]");
        break;
    }
    case CFC_KIND_OBJECT: write_fields(o, type, f->members, s->members, f->n_members, p); break;
    case CFC_KIND_TIMESTAMP: {
        int64_t ms;
        char ts[25];
        memcpy(&ms, p, sizeof ms);
        if (cfc_timestamp_format(ms, ts) != 0)
            strcpy(ts, "?");
        cfc__buf_json_str(o, ts, strlen(ts));
        break;
    }
    }
}

/* The reason of a rejection: the first error finding. */
static void reject(cfc__buf *o, const cfc_event_result *r, const char *fallback)
{
    cfc__buf_puts(o, "{\"outcome\":\"rejected\",\"reason\":");
    for (size_t i = 0; r && i < r->n_findings; i++) {
        const cfc_finding *f = &r->findings[i];
        if (f->severity != CFC_SEVERITY_ERROR)
            continue;
        char why[400];
        snprintf(why, sizeof why, "%s: %s", cfc_rule_get(f->rule)->id, f->message);
        cfc__buf_json_str(o, why, strlen(why));
        cfc__buf_puts(o, "}");
        return;
    }
    cfc__buf_json_str(o, fallback, strlen(fallback));
    cfc__buf_puts(o, "}");
}

/* Decodes one event with the stream `st`; appends its result. */
static bool decode_one(cfc__buf *o, cfc_checker *c, cfc_stream *st, const char *text, size_t len)
{
    const cfc_event_result *r = NULL;
    if (cfc_stream_check_event(st, text, len, &r) != CFC_CHECK_OK)
        return false;
    if (r->errors > 0) {
        reject(o, r, "error");
        return true;
    }
    cfc_event *ev = NULL;
    cfc_decode_status ds = cfc_event_decode(c, text, len, &ev, &r);
    if (ds == CFC_DECODE_NOMEM)
        return false;
    if (ds != CFC_DECODE_OK) {
        char why[200];
        snprintf(why, sizeof why, "%s event%s%.100s", cfc_decode_status_name(ds),
                 r && r->type ? ": " : "", r && r->type ? r->type : "");
        reject(o, ds == CFC_DECODE_INVALID ? r : NULL, why);
        return true;
    }
    const cfc_event_type *t = cfc_contract_get(ev->type);
    cfc__buf_puts(o, "{\"outcome\":\"read\",\"event\":");
    write_fields(o, ev->type, t->fields, cfc__event_slots[ev->type], t->n_fields, (const char *)ev);
    cfc__buf_puts(o, "}");
    cfc_event_free(ev);
    return true;
}

static void answer_error(long long seq, const char *message)
{
    cfc__buf o;
    cfc__buf_init(&o, NULL);
    cfc__buf_printf(&o, "{\"op\":\"error\",\"seq\":%lld,\"message\":", seq);
    cfc__buf_json_str(&o, message, strlen(message));
    cfc__buf_puts(&o, "}\n");
    if (cfc__buf_ok(&o))
        fwrite(o.data, 1, o.len, stdout);
    fflush(stdout);
    cfc__buf_free(&o);
}

int main(void)
{
    cfc_checker *checker = cfc_checker_new(NULL);
    cfc_jparser *p = cfc_jparser_new();
    if (checker == NULL || p == NULL)
        return 1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        cfc_jval *req = NULL;
        if (cfc_jparse(p, line, (size_t)n, NULL, &req, NULL, NULL, NULL) != 0) {
            rc = 1;
            break;
        }
        const cfc_jval *op = cfc_jobject_get(req, "op"), *seq = cfc_jobject_get(req, "seq");
        const char *o = op && op->type == CFC_J_STRING ? op->u.str.s : "";
        long long sq = seq && seq->type == CFC_J_NUMBER ? (long long)seq->u.num.i : 0;
        if (strcmp(o, "stop") == 0)
            break;
        if (strcmp(o, "start") == 0) {
            printf("{\"op\":\"hello\",\"protocol\":1,\"role\":\"consumer\",\"implementation\":"
                   "{\"name\":\"cfc-reference-decoder\",\"language\":\"C\",\"version\":\"%s\"}}\n",
                   CFC_VERSION);
            fflush(stdout);
            continue;
        }
        const cfc_jval *events = cfc_jobject_get(req, "events");
        if (strcmp(o, "decode") != 0 || events == NULL || events->type != CFC_J_ARRAY) {
            answer_error(sq, "expected {\"op\":\"decode\",\"seq\":N,\"events\":[...]}");
            continue;
        }
        cfc_stream_options so = {.from_start = true};
        cfc_stream *st = cfc_stream_new(checker, &so);
        cfc__buf out;
        cfc__buf_init(&out, NULL);
        cfc__buf_printf(&out, "{\"op\":\"decoded\",\"seq\":%lld,\"results\":[", sq);
        bool ok = st != NULL;
        for (const cfc_jval *e = events->u.kids.first; e && ok; e = e->next) {
            if (e != events->u.kids.first)
                cfc__buf_puts(&out, ",");
            if (e->type != CFC_J_STRING)
                cfc__buf_puts(&out, "{\"outcome\":\"rejected\",\"reason\":\"not a string\"}");
            else
                ok = decode_one(&out, checker, st, e->u.str.s, e->u.str.len);
        }
        cfc__buf_puts(&out, "]}\n");
        cfc_stream_free(st);
        if (!ok || !cfc__buf_ok(&out)) {
            cfc__buf_free(&out);
            answer_error(sq, "out of memory");
            continue;
        }
        fwrite(out.data, 1, out.len, stdout);
        fflush(stdout);
        cfc__buf_free(&out);
    }
    free(line);
    cfc_jparser_free(p);
    cfc_checker_free(checker);
    return rc;
}
