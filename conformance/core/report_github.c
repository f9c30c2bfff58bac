/* SPDX-License-Identifier: MIT */
/*
 * --format github: GitHub Actions workflow commands, one per finding, which
 * the runner turns into annotations on the file and line:
 *
 *     ::error file=events.ndjson,line=12,col=98,title=blocked-count::/blocked_count: ...
 *
 * then one plain summary line. col is 1-based (the byte offset + 1), as in
 * the text format; omitted when the offset is unknown.
 *
 * Escaping follows @actions/core: in the message %, CR and LF become %25,
 * %0D, %0A; in property values ':' and ',' also become %3A, %2C. So an
 * event's bytes cannot end the command early or start a new one. Other
 * control characters (ESC would drive the log's terminal emulation) and
 * ill-formed UTF-8 become U+FFFD.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "report_ext.h"

typedef struct github {
    FILE *out;
    bool quiet;
    char *file;
    cfc__tally tally;
} github;

static void put_escaped(FILE *f, const char *s, bool property)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += cfc__utf8_next(u + i, n - i, &cp);
        if (cp == '%')
            fputs("%25", f);
        else if (cp == '\r')
            fputs("%0D", f);
        else if (cp == '\n')
            fputs("%0A", f);
        else if (property && cp == ':')
            fputs("%3A", f);
        else if (property && cp == ',')
            fputs("%2C", f);
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            cfc__put_utf8(f, 0xFFFD);
        else
            cfc__put_utf8(f, cp);
    }
}

static void *github_open(FILE *out, const cfc_report_options *opts)
{
    github *g = cfc__report_calloc(sizeof *g);
    if (g == NULL)
        return NULL;
    g->out = out;
    g->quiet = opts != NULL && opts->quiet;
    return g;
}

static int github_begin_file(void *w, const char *name)
{
    github *g = w;
    free(g->file);
    g->file = cfc__report_strdup(name);
    return g->file != NULL ? 0 : -1;
}

static int github_event(void *w, size_t line, const cfc_event_result *res)
{
    github *g = w;
    FILE *f = g->out;
    cfc__tally_add(&g->tally, res);
    if (g->quiet)
        return 0;
    for (size_t i = 0; i < res->n_findings; i++) {
        const cfc_finding *fd = &res->findings[i];
        const char *cmd = fd->severity == CFC_SEVERITY_ERROR     ? "error"
                          : fd->severity == CFC_SEVERITY_WARNING ? "warning"
                                                                 : "notice";
        fprintf(f, "::%s file=", cmd);
        put_escaped(f, g->file ? g->file : "", true);
        fprintf(f, ",line=%zu", line);
        if (fd->offset != CFC_NO_OFFSET)
            fprintf(f, ",col=%zu", fd->offset + 1);
        fputs(",title=", f);
        put_escaped(f, cfc__rule_id(fd->rule), true);
        fputs("::", f);
        put_escaped(f, fd->pointer && fd->pointer[0] ? fd->pointer : "(event)", false);
        fputs(": ", f);
        put_escaped(f, fd->message ? fd->message : "", false);
        putc('\n', f);
    }
    if (res->n_dropped > 0) {
        fprintf(f, "::warning file=");
        put_escaped(f, g->file ? g->file : "", true);
        fprintf(f, ",line=%zu::%zu more findings in this event were not kept\n", line,
                res->n_dropped);
    }
    return ferror(f) ? -1 : 0;
}

static int github_end_file(void *w)
{
    github *g = w;
    free(g->file);
    g->file = NULL;
    return 0;
}

static int github_finish(void *w)
{
    github *g = w;
    const cfc__tally *t = &g->tally;
    fprintf(g->out, "cfconform: %llu events, %llu with errors; %llu errors, %llu warnings\n",
            (unsigned long long)t->events, (unsigned long long)(t->events - t->ok),
            (unsigned long long)t->errors, (unsigned long long)t->warnings);
    return ferror(g->out) ? -1 : 0;
}

static void github_close(void *w)
{
    github *g = w;
    if (g != NULL)
        free(g->file);
    free(g);
}

const cfc__report_writer cfc__report_github = {github_open,     github_begin_file, github_event,
                                               github_end_file, github_finish,     github_close};
