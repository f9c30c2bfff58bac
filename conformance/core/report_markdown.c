/* SPDX-License-Identifier: MIT */
/*
 * --format markdown: a summary for people, where CI shows Markdown
 * ($GITHUB_STEP_SUMMARY, a GitLab merge request comment):
 *
 *     ### cfconform: 2 of 3 events have errors
 *
 *     | events | conforming | with errors | errors | warnings |
 *     |---:|---:|---:|---:|---:|
 *     | 3 | 1 | 2 | 4 | 1 |
 *
 *     | rule | count | explain |
 *     ...
 *     <details><summary>Findings (first 100 of 5)</summary>
 *     | file | line | col | severity | rule | where | message |
 *     ...
 *
 * The findings table is capped (MAX_ROWS) so that the summary stays within
 * what CI platforms accept (GitHub: 1 MiB per step); quiet leaves it out.
 * col is 1-based, as in the text format.
 *
 * Event bytes cannot inject Markdown or HTML: in table cells, HTML's
 * specials become entities, Markdown's inline punctuation is backslash-escaped
 * (a cell never starts a line, so '#', '-' and the like are inert), '|'
 * cannot end a cell and line breaks become spaces; control characters and
 * ill-formed UTF-8 become U+FFFD.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "report_ext.h"

enum { MAX_ROWS = 100 };

typedef struct markdown {
    FILE *out;
    bool quiet;
    char *file;
    FILE *rows; /* the findings table, until the counts that precede it are known */
    uint64_t n_rows, n_findings;
    cfc__tally tally;
} markdown;

static void put_cell(FILE *f, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += cfc__utf8_next(u + i, n - i, &cp);
        if (cp == '&')
            fputs("&amp;", f);
        else if (cp == '<')
            fputs("&lt;", f);
        else if (cp == '>')
            fputs("&gt;", f);
        else if (cp == '\n' || cp == '\r' || cp == '\t')
            putc(' ', f);
        else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            cfc__put_utf8(f, 0xFFFD);
        else if (cp < 0x80 && strchr("\\`*_{}[]()|~", (int)cp) != NULL)
            fprintf(f, "\\%c", (char)cp);
        else
            cfc__put_utf8(f, cp);
    }
}

static void put_cell_str(FILE *f, const char *s)
{
    put_cell(f, s ? s : "", s ? strlen(s) : 0);
}

static void *markdown_open(FILE *out, const cfc_report_options *opts)
{
    markdown *m = cfc__report_calloc(sizeof *m);
    if (m == NULL)
        return NULL;
    m->out = out;
    m->quiet = opts != NULL && opts->quiet;
    return m;
}

static int markdown_begin_file(void *w, const char *name)
{
    markdown *m = w;
    free(m->file);
    m->file = cfc__report_strdup(name);
    return m->file != NULL ? 0 : -1;
}

static int markdown_event(void *w, size_t line, const cfc_event_result *res)
{
    markdown *m = w;
    cfc__tally_add(&m->tally, res);
    m->n_findings += res->n_findings + res->n_dropped;
    if (m->quiet)
        return 0;
    for (size_t i = 0; i < res->n_findings && m->n_rows < MAX_ROWS; i++) {
        if (m->rows == NULL && (m->rows = tmpfile()) == NULL)
            return -1;
        const cfc_finding *fd = &res->findings[i];
        FILE *f = m->rows;
        fputs("| ", f);
        put_cell_str(f, m->file);
        fprintf(f, " | %zu | ", line);
        if (fd->offset != CFC_NO_OFFSET)
            fprintf(f, "%zu", fd->offset + 1);
        fprintf(f, " | %s | `", cfc_severity_name(fd->severity));
        fputs(cfc__rule_id(fd->rule), f); /* IDs are [a-z0-9-] */
        fputs("` | ", f);
        put_cell_str(f, fd->pointer && fd->pointer[0] ? fd->pointer : "(event)");
        fputs(" | ", f);
        put_cell_str(f, fd->message);
        fputs(" |\n", f);
        m->n_rows++;
        if (ferror(f))
            return -1;
    }
    return 0;
}

static int markdown_end_file(void *w)
{
    markdown *m = w;
    free(m->file);
    m->file = NULL;
    return 0;
}

static int markdown_finish(void *w)
{
    markdown *m = w;
    FILE *f = m->out;
    const cfc__tally *t = &m->tally;
    unsigned long long bad = (unsigned long long)(t->events - t->ok);
    if (t->events == 0)
        fputs("### cfconform: no events to check\n\n", f);
    else if (bad == 0)
        fprintf(f, "### cfconform: all %llu events conform\n\n", (unsigned long long)t->events);
    else
        fprintf(f, "### cfconform: %llu of %llu events have errors\n\n", bad,
                (unsigned long long)t->events);
    fprintf(f,
            "| events | conforming | with errors | errors | warnings |\n"
            "|---:|---:|---:|---:|---:|\n| %llu | %llu | %llu | %llu | %llu |\n",
            (unsigned long long)t->events, (unsigned long long)t->ok, bad,
            (unsigned long long)t->errors, (unsigned long long)t->warnings);
    cfc_rule rules[CFC_RULE_COUNT];
    size_t n = cfc__tally_rules(t, rules);
    if (n > 0) {
        fputs("\n| rule | severity | contract | count | what it means |\n"
              "|---|---|---|---:|---|\n",
              f);
        for (size_t i = 0; i < n; i++) {
            const cfc_rule_info *r = cfc_rule_get(rules[i]);
            fprintf(f, "| `%s` | %s | ", r->id, cfc_severity_name(r->severity));
            put_cell_str(f, r->reference);
            fprintf(f, " | %llu | ", (unsigned long long)t->by_rule[rules[i]]);
            put_cell_str(f, r->summary);
            fputs(" |\n", f);
        }
        fprintf(f, "\nNext: `cfconform explain %s` (the most frequent rule).\n",
                cfc_rule_get(rules[0])->id);
    }
    if (m->rows != NULL) {
        fprintf(f,
                "\n<details><summary>Findings (%llu shown of %llu)</summary>\n\n"
                "| file | line | col | severity | rule | where | message |\n"
                "|---|---:|---:|---|---|---|---|\n",
                (unsigned long long)m->n_rows, (unsigned long long)m->n_findings);
        if (ferror(m->rows) || fflush(m->rows) != 0)
            return -1;
        rewind(m->rows);
        char chunk[8192];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, m->rows)) > 0)
            if (fwrite(chunk, 1, got, f) != got)
                return -1;
        if (ferror(m->rows))
            return -1;
        fputs("\n</details>\n", f);
    }
    return ferror(f) ? -1 : 0;
}

static void markdown_close(void *w)
{
    markdown *m = w;
    if (m == NULL)
        return;
    if (m->rows != NULL)
        fclose(m->rows);
    free(m->file);
    free(m);
}

const cfc__report_writer cfc__report_markdown = {markdown_open,   markdown_begin_file,
                                                 markdown_event,  markdown_end_file,
                                                 markdown_finish, markdown_close};
