/* SPDX-License-Identifier: MIT */
/*
 * The CI report formats (report_sarif.c, report_github.c,
 * report_markdown.c) through the cfc_report API: structure, hostile bytes
 * that must not forge a command, a cell or a JSON string, and allocation
 * failure. The end-to-end run, with the official SARIF schema, is
 * tests/ci_formats_test.sh.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/report.h"

extern void *(*cfc__report_realloc)(void *p, size_t size);

#define HOSTILE "a%b\nc\r::error::x,y:z|w<b>&`*[l](u)\x1b[31m\xC0\xAF\xE2\x82 \xC3\xA9"
static const cfc_finding findings[] = {
    {CFC_RULE_BLOCKED_COUNT, CFC_SEVERITY_ERROR, "/blocked_count", 97, "count \"3\" is not 2"},
    {CFC_RULE_UNKNOWN_FIELD, CFC_SEVERITY_WARNING, "/x\ny", CFC_NO_OFFSET, HOSTILE},
};

static cfc_event_result result(const cfc_finding *f, size_t n)
{
    cfc_event_result r;
    memset(&r, 0, sizeof r);
    r.type = "task_blocked";
    r.findings = f;
    r.n_findings = n;
    for (size_t i = 0; i < n; i++) {
        if (f[i].severity == CFC_SEVERITY_ERROR)
            r.errors++;
        else
            r.warnings++;
        r.by_rule[f[i].rule]++;
    }
    return r;
}

/* Runs one report over two files (a hostile name in the second); returns
 * the output (free it). */
static char *run(cfc_format format, bool quiet)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    cr_assert_not_null(f);
    cfc_report_options o = {.quiet = quiet};
    cfc_report *r = cfc_report_new(f, format, &o);
    cr_assert_not_null(r);
    cfc_event_result clean = result(NULL, 0), bad = result(findings, 2);
    cr_assert_eq(cfc_report_begin_file(r, "a.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &clean), 0);
    cr_assert_eq(cfc_report_event(r, 2, &bad), 0);
    cr_assert_eq(cfc_report_begin_file(r, "dir/b,c:d e.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 7, &bad), 0);
    cr_assert_eq(cfc_report_finish(r), 0);
    cfc_report_free(r);
    cr_assert_eq(fclose(f), 0);
    return text;
}

static bool valid_utf8_no_controls(const char *s, bool newlines_ok)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; u[i];) {
        unsigned char c = u[i];
        if (c < 0x20 && !(newlines_ok && c == '\n'))
            return false;
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : 4;
        if (c >= 0x80 && (c < 0xC2 || c > 0xF4))
            return false;
        for (size_t k = 1; k < n; k++)
            if ((u[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

Test(formats, names_round_trip)
{
    const char *names[] = {"sarif", "github", "markdown"};
    for (size_t i = 0; i < 3; i++) {
        cfc_format f;
        cr_assert_eq(cfc_format_parse(names[i], &f), 0);
        cr_expect_str_eq(cfc_format_name(f), names[i]);
    }
}

Test(formats, github_commands_cannot_be_forged)
{
    char *out = run(CFC_FORMAT_GITHUB, false);
    cr_assert(valid_utf8_no_controls(out, true), "raw control bytes or bad UTF-8:\n%s", out);
    cr_expect_not_null(strstr(out, "::error file=a.ndjson,line=2,col=98,title=blocked-count::"
                                   "/blocked_count: count \"3\" is not 2\n"));
    /* file properties escape ',' and ':'; the message escapes %, CR, LF */
    cr_expect_not_null(strstr(out,
                              "::warning file=dir/b%2Cc%3Ad e.ndjson,line=7,title=unknown-field::"
                              "/x%0Ay: a%25b%0Ac%0D::error::x,y:z"));
    size_t lines = 0, commands = 0;
    for (const char *p = out; *p; p = strchr(p, '\n') + 1) {
        lines++;
        commands += strncmp(p, "::", 2) == 0;
    }
    cr_expect_eq(commands, 4, "one command per finding, none forged:\n%s", out);
    cr_expect_eq(lines, 5);
    cr_expect_not_null(strstr(out, "cfconform: 3 events, 2 with errors; 2 errors, 2 warnings\n"));
    free(out);
    out = run(CFC_FORMAT_GITHUB, true);
    cr_expect_str_eq(out, "cfconform: 3 events, 2 with errors; 2 errors, 2 warnings\n");
    free(out);
}

Test(formats, markdown_cells_cannot_be_forged)
{
    char *out = run(CFC_FORMAT_MARKDOWN, false);
    cr_assert(valid_utf8_no_controls(out, true), "raw control bytes or bad UTF-8:\n%s", out);
    cr_expect(strncmp(out, "### cfconform: 2 of 3 events have errors\n", 41) == 0, "%s", out);
    cr_expect_not_null(strstr(out, "| 3 | 1 | 2 | 2 | 2 |\n"));
    cr_expect_not_null(strstr(out, "Findings (4 shown of 4)"));
    /* Every findings row has exactly its 8 unescaped column bars. */
    size_t rows = 0;
    for (const char *p = strstr(out, "| file |"); p && *p; p = strchr(p, '\n') + 1) {
        if (strncmp(p, "| ", 2) != 0 || strncmp(p, "| file", 6) == 0)
            continue;
        size_t bars = 0;
        for (const char *q = p; *q != '\n'; q++)
            bars += *q == '|' && q[-1] != '\\';
        cr_expect_eq(bars, 8, "row: %.*s", (int)(strchr(p, '\n') - p), p);
        cr_expect_null(memchr(p, '<', (size_t)(strchr(p, '\n') - p)), "raw < in a row");
        rows++;
    }
    cr_expect_eq(rows, 4);
    free(out);
    out = run(CFC_FORMAT_MARKDOWN, true);
    cr_expect_null(strstr(out, "<details>"), "quiet keeps the findings table out");
    free(out);
}

Test(formats, sarif_is_json_with_a_result_per_finding)
{
    char *out = run(CFC_FORMAT_SARIF, false);
    cr_assert(valid_utf8_no_controls(out, true));
    cJSON *doc = cJSON_Parse(out);
    cr_assert_not_null(doc, "not JSON:\n%s", out);
    cJSON *run0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "runs"), 0);
    cJSON *results = cJSON_GetObjectItemCaseSensitive(run0, "results");
    cr_assert_eq(cJSON_GetArraySize(results), 4);
    cJSON *rules = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run0, "tool"), "driver"),
        "rules");
    cr_expect_eq(cJSON_GetArraySize(rules), CFC_RULE_COUNT);
    cJSON *first = cJSON_GetArrayItem(results, 0);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(first, "ruleId")->valuestring,
                     "blocked-count");
    cr_expect_str_eq(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(first, "message"), "text")
            ->valuestring,
        "/blocked_count: count \"3\" is not 2");
    cJSON *loc = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(results, 3), "locations"), 0);
    cJSON *phys = cJSON_GetObjectItemCaseSensitive(loc, "physicalLocation");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(
                         cJSON_GetObjectItemCaseSensitive(phys, "artifactLocation"), "uri")
                         ->valuestring,
                     "dir/b%2Cc%3Ad%20e.ndjson");
    cJSON *region = cJSON_GetObjectItemCaseSensitive(phys, "region");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(region, "startLine")->valueint, 7);
    cr_expect_null(cJSON_GetObjectItemCaseSensitive(region, "startColumn"), "no offset, no column");
    cJSON_Delete(doc);
    free(out);
}

static long fail_at, allocs;
static void *failing_realloc(void *p, size_t size)
{
    if (++allocs == fail_at)
        return NULL;
    return realloc(p, size);
}

static int run_once(cfc_format format)
{
    FILE *out = fopen("/dev/null", "w");
    cr_assert_not_null(out);
    cfc_report *r = cfc_report_new(out, format, NULL);
    int rc = r ? 0 : -1;
    cfc_event_result bad = result(findings, 2);
    if (rc == 0)
        rc = cfc_report_begin_file(r, "a.ndjson");
    if (rc == 0)
        rc = cfc_report_event(r, 1, &bad);
    if (rc == 0)
        rc = cfc_report_begin_file(r, "b.ndjson");
    if (rc == 0)
        rc = cfc_report_event(r, 2, &bad);
    if (rc == 0)
        rc = cfc_report_finish(r);
    else if (r)
        cr_expect_eq(cfc_report_finish(r), -1, "a failure must be sticky");
    cfc_report_free(r);
    fclose(out);
    return rc;
}

Test(formats, every_allocation_failure_is_reported)
{
    const cfc_format all[] = {CFC_FORMAT_SARIF, CFC_FORMAT_GITHUB, CFC_FORMAT_MARKDOWN};
    cfc__report_realloc = failing_realloc;
    for (size_t i = 0; i < 3; i++) {
        for (fail_at = 1;; fail_at++) {
            allocs = 0;
            int rc = run_once(all[i]);
            if (allocs < fail_at) {
                cr_expect_eq(rc, 0);
                break;
            }
            cr_expect_eq(rc, -1, "%s: allocation %ld failed unnoticed", cfc_format_name(all[i]),
                         fail_at);
        }
        cr_expect_gt(fail_at, 2);
    }
    cfc__report_realloc = realloc;
}
