/* SPDX-License-Identifier: MIT */
/*
 * --format sarif: SARIF 2.1.0, what GitHub code scanning and other static
 * analysis dashboards read. One run; the tool's rules are the whole rule
 * catalogue in catalogue order (so a result's ruleIndex is its cfc_rule),
 * each with its summary, contract reference and default level; each finding
 * is a result located at FILE:LINE:COLUMN.
 *
 * Columns: the checker's offsets count bytes within the event's line, so
 * startColumn is offset + 1 in bytes; SARIF has no byte column kind, and
 * "unicodeCodePoints" is exact for ASCII events. A finding without an offset
 * has no startColumn. The result's properties carry the JSON Pointer and the
 * event type; the run's properties carry the totals, dropped findings
 * included (a capped event keeps its first findings only).
 *
 * The results are streamed: the document's fixed head (tool, rules) is
 * written first, each result as its event arrives, the tail at finish.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "cfc/version.h"
#include "report_ext.h"

typedef struct sarif {
    FILE *out;
    char *uri; /* the current file, percent-encoded */
    bool any_result;
    uint64_t dropped;
    cfc__tally tally;
} sarif;

static const char *level_of(cfc_severity s)
{
    switch (s) {
    case CFC_SEVERITY_ERROR: return "error";
    case CFC_SEVERITY_WARNING: return "warning";
    default: return "none";
    }
}

static void *sarif_open(FILE *out, const cfc_report_options *opts)
{
    (void)opts; /* quiet: a SARIF document without results tells nothing */
    sarif *s = cfc__report_calloc(sizeof *s);
    if (s == NULL)
        return NULL;
    s->out = out;
    FILE *f = out;
    fputs("{\"$schema\":\"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
          "sarif-schema-2.1.0.json\",\n\"version\":\"2.1.0\",\n\"runs\":[{\"tool\":{\"driver\":{"
          "\"name\":\"cfconform\",\"version\":\"" CFC_VERSION
          "\",\"semanticVersion\":\"" CFC_VERSION "\",\"rules\":[\n",
          f);
    for (size_t i = 0; i < (size_t)CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        fputs(i ? ",\n {\"id\":" : " {\"id\":", f);
        cfc__put_json_str(f, r->id);
        fputs(",\"shortDescription\":{\"text\":", f);
        cfc__put_json_str(f, r->summary);
        fputs("},\"fullDescription\":{\"text\":\"", f);
        cfc__put_json(f, r->summary, strlen(r->summary));
        fputs(" (contract: ", f);
        cfc__put_json(f, r->reference, strlen(r->reference));
        fputs(")\"},\"help\":{\"text\":\"cfconform explain ", f);
        cfc__put_json(f, r->id, strlen(r->id));
        fputs("\"},\"defaultConfiguration\":{\"level\":\"", f);
        fputs(level_of(r->severity), f);
        fputs("\"},\"properties\":{\"reference\":", f);
        cfc__put_json_str(f, r->reference);
        fputs("}}", f);
    }
    fputs("]}},\n\"columnKind\":\"unicodeCodePoints\",\n\"results\":[", f);
    return s;
}

/* RFC 3986 unreserved characters and '/' stay; everything else (spaces,
 * '<' of "<stdin>", ':' that would read as a scheme) is %XX. */
static char *uri_of(const char *name)
{
    size_t n = strlen(name);
    char *u = cfc__report_realloc(NULL, 3 * n + 1);
    if (u == NULL)
        return NULL;
    char *p = u;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~/", *c) != NULL) {
            *p++ = (char)*c;
        } else {
            static const char hex[] = "0123456789ABCDEF";
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    *p = '\0';
    return u;
}

static int sarif_begin_file(void *w, const char *name)
{
    sarif *s = w;
    free(s->uri);
    s->uri = uri_of(name);
    return s->uri != NULL ? 0 : -1;
}

static int sarif_event(void *w, size_t line, const cfc_event_result *res)
{
    sarif *s = w;
    FILE *f = s->out;
    cfc__tally_add(&s->tally, res);
    s->dropped += res->n_dropped;
    for (size_t i = 0; i < res->n_findings; i++) {
        const cfc_finding *fd = &res->findings[i];
        fputs(s->any_result ? ",\n {\"ruleId\":" : "\n {\"ruleId\":", f);
        s->any_result = true;
        cfc__put_json_str(f, cfc__rule_id(fd->rule));
        if ((size_t)fd->rule < (size_t)CFC_RULE_COUNT)
            fprintf(f, ",\"ruleIndex\":%u", (unsigned)fd->rule);
        fprintf(f, ",\"level\":\"%s\",\"message\":{\"text\":\"", level_of(fd->severity));
        const char *ptr = fd->pointer && fd->pointer[0] ? fd->pointer : "(event)";
        cfc__put_json(f, ptr, strlen(ptr));
        fputs(": ", f);
        if (fd->message)
            cfc__put_json(f, fd->message, strlen(fd->message));
        fputs("\"},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"", f);
        fputs(s->uri ? s->uri : "", f);
        fprintf(f, "\"},\"region\":{\"startLine\":%zu", line > 0 ? line : 1);
        if (fd->offset != CFC_NO_OFFSET)
            fprintf(f, ",\"startColumn\":%zu", fd->offset + 1);
        fputs("}}}],\"properties\":{\"jsonPointer\":", f);
        cfc__put_json_str(f, fd->pointer);
        fputs(",\"eventType\":", f);
        if (res->type != NULL) {
            putc('"', f);
            cfc__put_json(f, res->type, res->type_len ? res->type_len : strlen(res->type));
            putc('"', f);
        } else {
            fputs("null", f);
        }
        fputs("}}", f);
    }
    return ferror(f) ? -1 : 0;
}

static int sarif_end_file(void *w)
{
    sarif *s = w;
    free(s->uri);
    s->uri = NULL;
    return 0;
}

static int sarif_finish(void *w)
{
    sarif *s = w;
    const cfc__tally *t = &s->tally;
    fprintf(s->out,
            "\n],\n\"invocations\":[{\"executionSuccessful\":true}],\n\"properties\":{"
            "\"events\":%llu,\"ok\":%llu,\"errors\":%llu,\"warnings\":%llu,"
            "\"droppedFindings\":%llu}}]}\n",
            (unsigned long long)t->events, (unsigned long long)t->ok, (unsigned long long)t->errors,
            (unsigned long long)t->warnings, (unsigned long long)s->dropped);
    return ferror(s->out) ? -1 : 0;
}

static void sarif_close(void *w)
{
    sarif *s = w;
    if (s != NULL)
        free(s->uri);
    free(s);
}

const cfc__report_writer cfc__report_sarif = {sarif_open,     sarif_begin_file, sarif_event,
                                              sarif_end_file, sarif_finish,     sarif_close};
