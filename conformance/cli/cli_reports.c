/* SPDX-License-Identifier: MIT */
/*
 * One run, several reports: the --format report on stdout and each
 * --report FORMAT=FILE beside it (check and watch). Every report sees the
 * same events; the files are complete whatever --quiet and --color say
 * (those are for the terminal).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/report.h"
#include "cli.h"
#include "report_ext.h"

struct cfc_cli_reports {
    size_t n;
    cfc_report *report[1 + CFC_CLI_MAX_REPORTS];
    FILE *file[1 + CFC_CLI_MAX_REPORTS]; /* NULL for stdout's */
    const char *path[1 + CFC_CLI_MAX_REPORTS];
};

int cfc_cli_report_spec(const char *spec, cfc_format *format, const char **path)
{
    const char *eq = strchr(spec, '=');
    char name[16];
    if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof name || eq[1] == '\0')
        return -1;
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = '\0';
    if (cfc_format_parse(name, format) != 0)
        return -1;
    *path = eq + 1;
    return 0;
}

cfc_cli_reports *cfc_cli_reports_open(const cfc_cli_checking *k)
{
    cfc_cli_reports *rs = calloc(1, sizeof *rs);
    if (rs == NULL)
        goto nomem;
    cfc_report_options ro = {.color = k->color == 1,
                             .quiet = k->quiet,
                             .reading = k->events ? CFC_READING_EVENTS : CFC_READING_STREAM};
    cfc_report_options file_ro = {.reading = ro.reading};
    rs->report[0] = cfc_report_new(stdout, k->format, &ro);
    rs->path[0] = "stdout";
    if (rs->report[0] == NULL)
        goto nomem;
    rs->n = 1;
    for (size_t i = 0; i < k->n_reports; i++) {
        cfc_format f;
        const char *path;
        if (cfc_cli_report_spec(k->reports[i], &f, &path) != 0)
            continue; /* cfc_cli_checking_set refused it already */
        FILE *out = fopen(path, "w");
        if (out == NULL) {
            fprintf(stderr, "cfconform: error: cannot write report %s: %s\n", path,
                    strerror(errno));
            cfc_cli_reports_free(rs);
            return NULL;
        }
        rs->file[rs->n] = out;
        rs->path[rs->n] = path;
        rs->report[rs->n] = cfc_report_new(out, f, &file_ro);
        rs->n++;
        if (rs->report[rs->n - 1] == NULL)
            goto nomem;
    }
    return rs;
nomem:
    fputs("cfconform: error: out of memory\n", stderr);
    cfc_cli_reports_free(rs);
    return NULL;
}

int cfc_cli_reports_begin_file(cfc_cli_reports *rs, const char *name)
{
    int rc = 0;
    for (size_t i = 0; i < rs->n; i++)
        rc |= cfc_report_begin_file(rs->report[i], name);
    return rc;
}

int cfc_cli_reports_event(cfc_cli_reports *rs, size_t line, const cfc_event_result *res)
{
    int rc = 0;
    for (size_t i = 0; i < rs->n; i++)
        rc |= cfc_report_event(rs->report[i], line, res);
    return rc;
}

const cfc_report *cfc_cli_reports_renderer(const cfc_cli_reports *rs)
{
    return rs->n == 1 && cfc__report_renders_ok(rs->report[0]) ? rs->report[0] : NULL;
}

int cfc_cli_reports_put_ok(cfc_cli_reports *rs, size_t n, const char *bytes, size_t len)
{
    return cfc__report_put_ok(rs->report[0], n, bytes, len);
}

int cfc_cli_reports_input_error(cfc_cli_reports *rs, const char *name, const char *why)
{
    int rc = 0;
    for (size_t i = 0; i < rs->n; i++)
        rc |= cfc_report_input_error(rs->report[i], name, why);
    return rc;
}

int cfc_cli_reports_end_file(cfc_cli_reports *rs)
{
    int rc = 0;
    for (size_t i = 0; i < rs->n; i++)
        rc |= cfc_report_end_file(rs->report[i]);
    return rc;
}

int cfc_cli_reports_finish(cfc_cli_reports *rs)
{
    int rc = 0;
    for (size_t i = 0; i < rs->n; i++) {
        int bad = cfc_report_finish(rs->report[i]);
        if (rs->file[i] != NULL) {
            bad |= fclose(rs->file[i]);
            rs->file[i] = NULL;
        }
        if (bad) {
            fprintf(stderr, "cfconform: error: cannot write the report to %s\n", rs->path[i]);
            rc = -1;
        }
    }
    return rc;
}

void cfc_cli_reports_free(cfc_cli_reports *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < 1 + CFC_CLI_MAX_REPORTS; i++) {
        cfc_report_free(rs->report[i]);
        if (rs->file[i] != NULL)
            fclose(rs->file[i]);
    }
    free(rs);
}
