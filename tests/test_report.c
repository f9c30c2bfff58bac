/* SPDX-License-Identifier: MIT */
/*
 * Report writers: exact text lines and summary, JSON Lines read back with
 * cJSON, JUnit XML validated with xmllint against tests/junit.xsd, hostile
 * bytes in every string, write errors and allocation failure.
 *
 * The results are built by hand, not by the checker, so that these tests
 * depend only on the report module and the rule catalogue.
 */
#define _POSIX_C_SOURCE 200809L

#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfc/report.h"
#include "report_ext.h"
#include "json.h"
#include "util.h"

#ifndef CFC_SOURCE_DIR
#error "CFC_SOURCE_DIR must be defined (the source tree, for tests/junit.xsd)"
#endif

/* The module's allocation seam (report.c), for the allocation-failure test. */
extern void *(*cfc__report_realloc)(void *p, size_t size);

/* ---- fixtures ----------------------------------------------------------- */

/* Static tables: every Criterion test process has them at the same place. */
static const cfc_finding blocked_findings[] = {
    {CFC_RULE_BLOCKED_COUNT, CFC_SEVERITY_ERROR, "/blocked_count", 97,
     "blocked_count is 3 but blocked_by has 2 items"},
    {CFC_RULE_UNKNOWN_FIELD, CFC_SEVERITY_WARNING, "/reason", 120, "unknown field \"reason\""},
};

static const cfc_finding syntax_findings[] = {
    {CFC_RULE_JSON_SYNTAX, CFC_SEVERITY_ERROR, "", 5, "unexpected character"},
};

static const cfc_finding warning_findings[] = {
    {CFC_RULE_UNKNOWN_TYPE, CFC_SEVERITY_WARNING, "/type", CFC_NO_OFFSET,
     "unknown type \"heartbeat\""},
};

/* Every byte a message could hold that a format must not pass through. */
#define HOSTILE                                                                                    \
    "q\"b\\s\n\x01<&>'\r\x1b[31m\x7f"                                                              \
    "\xC0\xAF"                                                                                     \
    " \xC3\xA9 \xEF\xBF\xBF\xED\xA0\x80\xE2\x82"
static const cfc_finding hostile_findings[] = {
    {CFC_RULE_ENUM_VALUE, CFC_SEVERITY_ERROR, "/a\"b\n\xC0\xAF", 7, HOSTILE},
    {CFC_RULE_UNKNOWN_FIELD, CFC_SEVERITY_WARNING, "/\x01\xff", CFC_NO_OFFSET, HOSTILE},
};

/* A result as the checker would report it: counts derived from the kept
 * findings, plus `dropped` more of `dropped_rule` (errors). */
static cfc_event_result make_result(const char *type, const cfc_finding *f, size_t n,
                                    size_t dropped, cfc_rule dropped_rule)
{
    cfc_event_result r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.type_len = type != NULL ? strlen(type) : 0;
    r.findings = f;
    r.n_findings = n;
    for (size_t i = 0; i < n; i++) {
        if (f[i].severity == CFC_SEVERITY_ERROR)
            r.errors++;
        else if (f[i].severity == CFC_SEVERITY_WARNING)
            r.warnings++;
        r.by_rule[f[i].rule]++;
    }
    r.n_dropped = dropped;
    r.errors += dropped;
    r.by_rule[dropped_rule] += (uint32_t)dropped;
    return r;
}

static cfc_event_result clean(const char *type)
{
    return make_result(type, NULL, 0, 0, CFC_RULE_JSON_SYNTAX);
}

/* The mixed file most tests use:
 *   line 1  clean agent_retired
 *   line 2  task_blocked: blocked-count error, unknown-field warning
 *   line 3  no type: json-syntax error on the whole event, 2 ts-format dropped */
static int feed_mixed(cfc_report *r, const char *file)
{
    cfc_event_result e1 = clean("agent_retired");
    cfc_event_result e2 = make_result("task_blocked", blocked_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    cfc_event_result e3 = make_result(NULL, syntax_findings, 1, 2, CFC_RULE_TS_FORMAT);
    int rc = 0;
    rc |= cfc_report_begin_file(r, file);
    rc |= cfc_report_event(r, 1, &e1);
    rc |= cfc_report_event(r, 2, &e2);
    rc |= cfc_report_event(r, 3, &e3);
    rc |= cfc_report_end_file(r);
    return rc;
}

/* ---- output capture ----------------------------------------------------- */

typedef struct sink {
    FILE *f;
    char *text;
    size_t len;
} sink;

static cfc_report *sink_open(sink *s, cfc_format format, bool color, bool quiet)
{
    memset(s, 0, sizeof *s);
    s->f = open_memstream(&s->text, &s->len);
    cr_assert_not_null(s->f);
    cfc_report_options opts = {.color = color, .quiet = quiet};
    cfc_report *r = cfc_report_new(s->f, format, &opts);
    cr_assert_not_null(r);
    return r;
}

/* Finishes and frees the report; returns the whole output (free it). */
static char *sink_close(sink *s, cfc_report *r)
{
    cr_assert_eq(cfc_report_finish(r), 0);
    cfc_report_free(r);
    cr_assert_eq(fclose(s->f), 0);
    return s->text;
}

static char *report_mixed(cfc_format format, bool color, bool quiet)
{
    sink s;
    cfc_report *r = sink_open(&s, format, color, quiet);
    cr_assert_eq(feed_mixed(r, "a.ndjson"), 0);
    return sink_close(&s, r);
}

/* Line `i` (0-based) of `text`, NUL-terminated, without its newline; NULL
 * past the end. Free it. */
static char *nth_line(const char *text, size_t i)
{
    const char *p = text;
    for (; i > 0; i--) {
        p = strchr(p, '\n');
        if (p == NULL)
            return NULL;
        p++;
    }
    if (*p == '\0')
        return NULL;
    const char *end = strchr(p, '\n');
    size_t n = end != NULL ? (size_t)(end - p) : strlen(p);
    return strndup(p, n);
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Valid UTF-8, by glibc's iconv rather than by code of ours. */
static bool valid_utf8(const char *s, size_t n)
{
    iconv_t cd = iconv_open("UTF-8", "UTF-8");
    cr_assert_neq(cd, (iconv_t)-1);
    char out[4096];
    char *in = (char *)s;
    size_t left = n;
    bool ok = true;
    while (left > 0) {
        char *o = out;
        size_t room = sizeof out;
        if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG) {
            ok = false;
            break;
        }
    }
    iconv_close(cd);
    return ok;
}

/* ---- text --------------------------------------------------------------- */

Test(report_text, finding_lines_follow_the_compiler_convention)
{
    char *out = report_mixed(CFC_FORMAT_TEXT, false, false);
    const char *expected_lines[] = {
        "a.ndjson:2:98: error[blocked-count] /blocked_count: blocked_count is 3 but blocked_by has "
        "2 items",
        "a.ndjson:2:121: warning[unknown-field] /reason: unknown field \"reason\"",
        "a.ndjson:3:6: error[json-syntax] (event): unexpected character",
        "a.ndjson:3:1: note: 2 more findings not shown",
        "",
    };
    for (size_t i = 0; i < sizeof expected_lines / sizeof expected_lines[0]; i++) {
        char *line = nth_line(out, i);
        cr_assert_not_null(line, "line %zu missing", i);
        cr_expect_str_eq(line, expected_lines[i]);
        free(line);
    }
    free(out);
}

Test(report_text, summary_is_aligned_sorted_and_says_what_next)
{
    char *out = report_mixed(CFC_FORMAT_TEXT, false, false);
    const char *summary = strstr(out, "\n\n");
    cr_assert_not_null(summary);
    cr_expect_str_eq(summary + 2,
                     "events:         3\n"
                     "  conforming:   1\n"
                     "  with errors:  2\n"
                     "findings:       5\n"
                     "  errors:       4\n"
                     "  warnings:     1\n"
                     "\n"
                     "rule           severity  count\n"
                     "ts-format      error         2\n"
                     "blocked-count  error         1\n"
                     "json-syntax    error         1\n"
                     "unknown-field  warning       1\n"
                     "\n"
                     "next: run 'cfconform explain ts-format' (the most frequent rule)\n");
    free(out);
}

/* A rule kept as an error in one event and a warning in another (--config
 * can change a severity between runs; a report may merge them) is "mixed". */
Test(report_text, a_rule_seen_with_two_severities_is_mixed)
{
    static const cfc_finding as_error[] = {
        {CFC_RULE_UNKNOWN_FIELD, CFC_SEVERITY_ERROR, "/x", 10, "unknown field \"x\""},
    };
    static const cfc_finding as_warning[] = {
        {CFC_RULE_UNKNOWN_FIELD, CFC_SEVERITY_WARNING, "/y", 10, "unknown field \"y\""},
    };
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, true);
    cfc_event_result e1 = make_result("agent_retired", as_error, 1, 0, CFC_RULE_JSON_SYNTAX);
    cfc_event_result e2 = make_result("agent_retired", as_warning, 1, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e1), 0);
    cr_assert_eq(cfc_report_event(r, 2, &e2), 0);
    char *out = sink_close(&s, r);
    cr_expect_not_null(strstr(out, "unknown-field  mixed         2\n"), "%s", out);
    free(out);
}

Test(report_text, unknown_offset_is_column_1)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    cfc_event_result e = make_result("heartbeat", warning_findings, 1, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "<stdin>"), 0);
    cr_assert_eq(cfc_report_event(r, 7, &e), 0);
    char *out = sink_close(&s, r);
    char *line = nth_line(out, 0);
    cr_expect_str_eq(line, "<stdin>:7:1: warning[unknown-type] /type: unknown type \"heartbeat\"");
    free(line);
    free(out);
}

Test(report_text, one_dropped_finding_is_singular)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    cfc_event_result e = make_result("x", NULL, 0, 1, CFC_RULE_TS_FORMAT);
    cr_assert_eq(cfc_report_begin_file(r, "f"), 0);
    cr_assert_eq(cfc_report_event(r, 4, &e), 0);
    char *out = sink_close(&s, r);
    char *line = nth_line(out, 0);
    cr_expect_str_eq(line, "f:4:1: note: 1 more finding not shown");
    free(line);
    free(out);
}

Test(report_text, no_ansi_escapes_without_color)
{
    char *out = report_mixed(CFC_FORMAT_TEXT, false, false);
    cr_expect_null(strchr(out, '\033'));
    free(out);
    out = report_mixed(CFC_FORMAT_JSON, true, false); /* colour is for text only */
    cr_expect_null(strchr(out, '\033'));
    free(out);
    out = report_mixed(CFC_FORMAT_JUNIT, true, false);
    cr_expect_null(strchr(out, '\033'));
    free(out);
}

Test(report_text, color_marks_severities_and_rules)
{
    char *out = report_mixed(CFC_FORMAT_TEXT, true, false);
    cr_expect_not_null(strstr(out,
                              "a.ndjson:2:98: \033[1;31merror\033[0m[\033[36mblocked-count\033[0m] "
                              "/blocked_count: blocked_count is 3"));
    cr_expect_not_null(
        strstr(out, "a.ndjson:2:121: \033[1;33mwarning\033[0m[\033[36munknown-field\033[0m] "
                    "/reason:"));
    /* The summary table keeps its alignment: padding goes outside the codes. */
    cr_expect_not_null(
        strstr(out, "\033[36mts-format\033[0m      \033[1;31merror\033[0m         2\n"));
    free(out);
}

Test(report_text, quiet_prints_only_the_summary)
{
    char *out = report_mixed(CFC_FORMAT_TEXT, false, true);
    cr_expect_null(strstr(out, "a.ndjson"));
    cr_expect_eq(strncmp(out, "events:         3\n", 18), 0, "%s", out);
    cr_expect_not_null(strstr(out, "next: run 'cfconform explain ts-format'"));
    free(out);
}

Test(report_text, all_conform)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    cfc_event_result e = clean("agent_retired");
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    for (size_t line = 1; line <= 3; line++)
        cr_assert_eq(cfc_report_event(r, line, &e), 0);
    char *out = sink_close(&s, r);
    cr_expect_str_eq(out, "all 3 events conform\n");
    free(out);

    r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    out = sink_close(&s, r);
    cr_expect_str_eq(out, "no events to check\n");
    free(out);
}

Test(report_text, warnings_only_still_lists_rules)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, true);
    cfc_event_result e = make_result("heartbeat", warning_findings, 1, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e), 0);
    char *out = sink_close(&s, r);
    cr_expect_not_null(strstr(out, "  conforming:   1\n  with errors:  0\n"), "%s", out);
    cr_expect_not_null(strstr(out, "unknown-type  warning       1\n"), "%s", out);
    cr_expect_not_null(strstr(out, "cfconform explain unknown-type"));
    free(out);
}

Test(report_text, sorted_by_count_then_id)
{
    static const cfc_finding f[] = {
        {CFC_RULE_TS_ZONE, CFC_SEVERITY_ERROR, "/timestamp", 1, "m"},
        {CFC_RULE_ID_RANGE, CFC_SEVERITY_ERROR, "/task_id", 2, "m"},
        {CFC_RULE_TS_CASE, CFC_SEVERITY_ERROR, "/timestamp", 3, "m"},
        {CFC_RULE_TS_CASE, CFC_SEVERITY_WARNING, "/timestamp", 3, "m"},
    };
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, true);
    cfc_event_result e = make_result("t", f, 4, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e), 0);
    char *out = sink_close(&s, r);
    /* ts-case has 2; id-range and ts-zone tie at 1 and go by ID. A rule
     * reported at both severities says so. */
    cr_expect_not_null(strstr(out, "rule      severity  count\n"
                                   "ts-case   mixed         2\n"
                                   "id-range  error         1\n"
                                   "ts-zone   error         1\n"),
                       "%s", out);
    free(out);
}

Test(report_text, hostile_bytes_stay_on_one_line)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    cfc_event_result e = make_result("t", hostile_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "dir/we\nird\x1b.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e), 0);
    char *out = sink_close(&s, r);
    char *line = nth_line(out, 0);
    cr_expect_str_eq(
        line, "dir/we\\nird\\x1b.ndjson:1:8: error[enum-value] /a\"b\\n\xEF\xBF\xBD\xEF\xBF\xBD: "
              "q\"b\\s\\n\\x01<&>'\\r\\x1b[31m\\x7f\xEF\xBF\xBD\xEF\xBF\xBD \xC3\xA9 "
              "\xEF\xBF\xBF\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    free(line);
    line = nth_line(out, 1);
    const char *want =
        "dir/we\\nird\\x1b.ndjson:1:1: warning[unknown-field] /\\x01\xEF\xBF\xBD: q\"b";
    cr_expect_eq(strncmp(line, want, strlen(want)), 0, "%s", line);
    free(line);
    cr_expect_null(strchr(out, '\033'));
    cr_expect(valid_utf8(out, strlen(out)));
    free(out);
}

/* ---- json --------------------------------------------------------------- */

static const cfc_jval *strict_json(const char *line, size_t len, bool nul_ok);

/* Parses one line strictly as one JSON value (no trailing content): with
 * the project's strict parser first, then with cJSON for reading it. */
static cJSON *parse_line(const char *line)
{
    strict_json(line, strlen(line), false);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(line, strlen(line) + 1, &end, true);
    cr_assert_not_null(j, "not JSON: %s", line);
    return j;
}

/* The member names of `obj`, in order, are exactly `names`. */
static void expect_keys(const cJSON *obj, const char *const *names, size_t n)
{
    cr_assert(cJSON_IsObject(obj));
    size_t i = 0;
    for (const cJSON *c = obj->child; c != NULL; c = c->next, i++) {
        cr_assert_lt(i, n, "extra member %s", c->string);
        cr_expect_str_eq(c->string, names[i]);
    }
    cr_expect_eq(i, n);
}

static const char *const event_keys[] = {"file", "line", "type", "ok", "findings"};
static const char *const finding_keys[] = {"rule", "severity", "path", "offset", "message"};

static const cJSON *member(const cJSON *obj, const char *name)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);
    cr_assert_not_null(m, "no member %s", name);
    return m;
}

Test(report_json, lines_have_the_documented_shape)
{
    char *out = report_mixed(CFC_FORMAT_JSON, false, false);
    cr_assert_eq(count_lines(out), 4, "%s", out);
    char *l1 = nth_line(out, 0), *l2 = nth_line(out, 1), *l3 = nth_line(out, 2);
    cr_expect_str_eq(l1, "{\"file\":\"a.ndjson\",\"line\":1,\"type\":\"agent_retired\",\"ok\":true,"
                         "\"findings\":[]}");
    cr_expect_str_eq(l2,
                     "{\"file\":\"a.ndjson\",\"line\":2,\"type\":\"task_blocked\",\"ok\":false,"
                     "\"findings\":[{\"rule\":\"blocked-count\",\"severity\":\"error\","
                     "\"path\":\"/blocked_count\",\"offset\":97,"
                     "\"message\":\"blocked_count is 3 but blocked_by has 2 items\"},"
                     "{\"rule\":\"unknown-field\",\"severity\":\"warning\",\"path\":\"/reason\","
                     "\"offset\":120,\"message\":\"unknown field \\\"reason\\\"\"}]}");
    /* Dropped findings add a "dropped" member after the documented ones. */
    cr_expect_str_eq(l3, "{\"file\":\"a.ndjson\",\"line\":3,\"type\":null,\"ok\":false,"
                         "\"findings\":[{\"rule\":\"json-syntax\",\"severity\":\"error\","
                         "\"path\":\"\",\"offset\":5,\"message\":\"unexpected character\"}],"
                         "\"dropped\":2}");

    cJSON *j = parse_line(l2);
    expect_keys(j, event_keys, 5);
    cr_expect_str_eq(member(j, "file")->valuestring, "a.ndjson");
    cr_expect_eq(member(j, "line")->valuedouble, 2.0);
    cr_expect_str_eq(member(j, "type")->valuestring, "task_blocked");
    cr_expect(cJSON_IsFalse(member(j, "ok")));
    const cJSON *fs = member(j, "findings");
    cr_assert_eq(cJSON_GetArraySize(fs), 2);
    const cJSON *f = cJSON_GetArrayItem(fs, 1);
    expect_keys(f, finding_keys, 5);
    cr_expect_str_eq(member(f, "rule")->valuestring, "unknown-field");
    cr_expect_str_eq(member(f, "severity")->valuestring, "warning");
    cr_expect_str_eq(member(f, "path")->valuestring, "/reason");
    cr_expect_eq(member(f, "offset")->valuedouble, 120.0);
    cr_expect_str_eq(member(f, "message")->valuestring, "unknown field \"reason\"");
    cJSON_Delete(j);

    j = parse_line(l3);
    cr_expect(cJSON_IsNull(member(j, "type")));
    cr_expect_eq(member(j, "dropped")->valuedouble, 2.0);
    cJSON_Delete(j);
    free(l1);
    free(l2);
    free(l3);
    free(out);
}

Test(report_json, null_offset_and_warnings_only_is_ok)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
    cfc_event_result e = make_result("heartbeat", warning_findings, 1, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "<stdin>"), 0);
    cr_assert_eq(cfc_report_event(r, 9, &e), 0);
    char *out = sink_close(&s, r);
    char *line = nth_line(out, 0);
    cr_expect_str_eq(line, "{\"file\":\"<stdin>\",\"line\":9,\"type\":\"heartbeat\",\"ok\":true,"
                           "\"findings\":[{\"rule\":\"unknown-type\",\"severity\":\"warning\","
                           "\"path\":\"/type\",\"offset\":null,"
                           "\"message\":\"unknown type \\\"heartbeat\\\"\"}]}");
    cJSON *j = parse_line(line);
    cr_expect(cJSON_IsTrue(member(j, "ok")));
    cr_expect(cJSON_IsNull(member(cJSON_GetArrayItem(member(j, "findings"), 0), "offset")));
    cJSON_Delete(j);
    free(line);
    free(out);
}

Test(report_json, summary_counts_findings_including_dropped)
{
    char *out = report_mixed(CFC_FORMAT_JSON, false, false);
    char *last = nth_line(out, 3);
    cr_expect_str_eq(last, "{\"summary\":{\"events\":3,\"ok\":1,\"errors\":4,\"warnings\":1,"
                           "\"by_rule\":{\"json-syntax\":1,\"unknown-field\":1,\"ts-format\":2,"
                           "\"blocked-count\":1}}}");
    cJSON *j = parse_line(last);
    const cJSON *sum = member(j, "summary");
    static const char *const keys[] = {"events", "ok", "errors", "warnings", "by_rule"};
    expect_keys(sum, keys, 5);
    const cJSON *by = member(sum, "by_rule");
    cr_expect_eq(cJSON_GetArraySize(by), 4);
    cr_expect_eq(member(by, "ts-format")->valuedouble, 2.0);
    cr_expect_eq(member(by, "blocked-count")->valuedouble, 1.0);
    cJSON_Delete(j);
    free(last);
    free(out);
}

Test(report_json, quiet_writes_only_the_summary)
{
    char *out = report_mixed(CFC_FORMAT_JSON, false, true);
    cr_expect_eq(count_lines(out), 1);
    cr_expect_eq(strncmp(out, "{\"summary\":{\"events\":3,", 23), 0, "%s", out);
    free(out);

    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
    out = sink_close(&s, r);
    cr_expect_str_eq(
        out, "{\"summary\":{\"events\":0,\"ok\":0,\"errors\":0,\"warnings\":0,\"by_rule\":{}}}\n");
    free(out);
}

Test(report_json, hostile_bytes_are_escaped)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
    cfc_event_result e = make_result("t\"\n\xC0", hostile_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "a\\b\x01.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e), 0);
    /* type_len counts an embedded NUL (a decoded \u0000). */
    cfc_event_result nul = clean(NULL);
    nul.type = "ab\0c";
    nul.type_len = 4;
    cr_assert_eq(cfc_report_event(r, 2, &nul), 0);
    char *out = sink_close(&s, r);
    cr_assert_eq(count_lines(out), 3, "%s", out);
    cr_expect(valid_utf8(out, strlen(out)));
    for (const char *p = out; *p; p++)
        cr_expect(*p == '\n' || (unsigned char)*p >= 0x20, "raw control byte 0x%02x", *p);
    /* The escapes as written: \u00XX for controls, one \ufffd per maximal
     * ill-formed subpart, é and U+FFFF kept as they are. */
    cr_expect_not_null(strstr(out,
                              "\"message\":\"q\\\"b\\\\s\\n\\u0001<&>'\\r\\u001b[31m\\u007f"
                              "\\ufffd\\ufffd \xC3\xA9 \xEF\xBF\xBF\\ufffd\\ufffd\\ufffd\\ufffd\""),
                       "%s", out);

    char *line = nth_line(out, 0);
    cJSON *j = parse_line(line);
    cr_expect_str_eq(member(j, "file")->valuestring, "a\\b\x01.ndjson");
    cr_expect_str_eq(member(j, "type")->valuestring, "t\"\n\xEF\xBF\xBD");
    const cJSON *f0 = cJSON_GetArrayItem(member(j, "findings"), 0);
    cr_expect_str_eq(member(f0, "path")->valuestring, "/a\"b\n\xEF\xBF\xBD\xEF\xBF\xBD");
    cr_expect_str_eq(member(f0, "message")->valuestring,
                     "q\"b\\s\n\x01<&>'\r\x1b[31m\x7f\xEF\xBF\xBD\xEF\xBF\xBD \xC3\xA9 \xEF\xBF\xBF"
                     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    const cJSON *f1 = cJSON_GetArrayItem(member(j, "findings"), 1);
    cr_expect_str_eq(member(f1, "path")->valuestring, "/\x01\xEF\xBF\xBD");
    cJSON_Delete(j);
    free(line);

    line = nth_line(out, 1);
    cr_expect_str_eq(line, "{\"file\":\"a\\\\b\\u0001.ndjson\",\"line\":2,\"type\":\"ab\\u0000c\","
                           "\"ok\":true,\"findings\":[]}");
    free(line);
    free(out);
}

/* Every byte value, alone and after a lead byte of each length, escapes to
 * valid JSON and valid UTF-8. */
Test(report_json, every_byte_escapes_to_valid_json)
{
    static const cfc_finding tmpl = {CFC_RULE_ENUM_VALUE, CFC_SEVERITY_ERROR, "", 0, NULL};
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    static const char leads[] = {'x', '\xC3', '\xE2', '\xF0', '\xED', '\xF4'};
    for (size_t l = 0; l < sizeof leads; l++) {
        for (int b = 1; b < 256; b++) {
            char msg[4] = {leads[l], (char)b, (char)b, '\0'};
            cfc_finding f = tmpl;
            f.message = msg;
            cfc_event_result e = make_result("t", &f, 1, 0, CFC_RULE_JSON_SYNTAX);
            cr_assert_eq(cfc_report_event(r, (size_t)b, &e), 0);
        }
    }
    char *out = sink_close(&s, r);
    cr_expect(valid_utf8(out, strlen(out)));
    size_t n = count_lines(out);
    cr_assert_eq(n, sizeof leads * 255 + 1);
    for (size_t i = 0; i < n; i++) {
        char *line = nth_line(out, i);
        cJSON *j = parse_line(line);
        cJSON_Delete(j);
        free(line);
    }
    free(out);
}

/* UTF-8 edge cases, each maximal ill-formed subpart one U+FFFD (Unicode
 * 15.0 section 3.9, table 3-8 examples): input -> the JSON string written. */
typedef struct utf8_case {
    const char *in;
    const char *json;
} utf8_case;

static const utf8_case utf8_cases[] = {
    {"\xE0\xA0\x80", "\"\xE0\xA0\x80\""},          /* U+0800, first 3-byte */
    {"\xE0\x80\xAF", "\"\\ufffd\\ufffd\\ufffd\""}, /* overlong '/' */
    {"\xC1\xBF", "\"\\ufffd\\ufffd\""},            /* overlong, 2-byte */
    {"\xF0\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
    {"\xF0\x90\x80\x80", "\"\xF0\x90\x80\x80\""},             /* U+10000 */
    {"\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\""},             /* U+10FFFF */
    {"\xF4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
    {"\xF5\x80", "\"\\ufffd\\ufffd\""},
    {"\xED\x9F\xBF", "\"\xED\x9F\xBF\""},          /* U+D7FF */
    {"\xED\xA0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* a surrogate */
    {"\xEE\x80\x80", "\"\xEE\x80\x80\""},          /* U+E000 */
    {"\xE2\x82"
     "x",
     "\"\\ufffdx\""},                   /* truncated, then ASCII */
    {"\xF0\x9F\x98", "\"\\ufffd\""},    /* truncated 4-byte */
    {"\x80\xBF", "\"\\ufffd\\ufffd\""}, /* stray continuations */
    {"\xC2\x80", "\"\xC2\x80\""},       /* U+0080: JSON allows it raw */
    {"\xFF\xFE", "\"\\ufffd\\ufffd\""},
};

Test(report_json, utf8_edge_cases)
{
    for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
        sink s;
        cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
        cfc_event_result e = clean(utf8_cases[i].in);
        cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
        cr_assert_eq(cfc_report_event(r, 1, &e), 0);
        char *out = sink_close(&s, r);
        char want[256];
        snprintf(want, sizeof want,
                 "{\"file\":\"a\",\"line\":1,\"type\":%s,\"ok\":true,\"findings\":[]}\n",
                 utf8_cases[i].json);
        cr_expect_eq(strncmp(out, want, strlen(want)), 0, "case %zu: %s", i, out);
        free(out);
    }
}

/* ---- junit -------------------------------------------------------------- */

/* Writes `xml` to a temporary file and returns xmllint's exit status against
 * tests/junit.xsd (0 = valid); its complaints go to the test log unless
 * the document is expected to fail. */
static int xmllint_run(const char *xml, bool show_errors)
{
    char path[] = "/tmp/cfc_junit_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(xml, f) >= 0, true);
    cr_assert_eq(fclose(f), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "xmllint --noout --quiet --schema '%s/tests/junit.xsd' '%s' %s",
             CFC_SOURCE_DIR, path, show_errors ? "2>&1" : ">/dev/null 2>&1");
    int st = system(cmd);
    unlink(path);
    cr_assert_neq(st, -1);
    cr_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static int xmllint_status(const char *xml)
{
    return xmllint_run(xml, true);
}

static char *report_two_files(void)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    cr_assert_eq(feed_mixed(r, "a.ndjson"), 0);
    cfc_event_result w = make_result("heartbeat", warning_findings, 1, 0, CFC_RULE_JSON_SYNTAX);
    cfc_event_result c = clean("task_unblocked");
    cr_assert_eq(cfc_report_begin_file(r, "logs/b.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 10, &w), 0);
    cr_assert_eq(cfc_report_event(r, 11, &c), 0);
    cr_assert_eq(cfc_report_end_file(r), 0);
    return sink_close(&s, r);
}

Test(report_junit, two_files_validate_and_count)
{
    char *out = report_two_files();
    cr_expect_eq(xmllint_status(out), 0, "%s", out);
    cr_expect_eq(
        strncmp(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuites name=\"cfconform\" tests=\"5\" failures=\"2\" errors=\"0\">\n",
            strlen("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<testsuites name=\"cfconform\" tests=\"5\" failures=\"2\" errors=\"0\">\n")),
        0, "%s", out);
    cr_expect_not_null(
        strstr(out, "<testsuite name=\"a.ndjson\" tests=\"3\" failures=\"2\" errors=\"0\" "
                    "skipped=\"0\">"));
    cr_expect_not_null(
        strstr(out, "<testsuite name=\"logs/b.ndjson\" tests=\"2\" failures=\"0\" errors=\"0\" "
                    "skipped=\"0\">"));
    cr_expect_eq(count_of(out, "<testsuite "), 2);
    cr_expect_eq(count_of(out, "<testcase "), 5);
    cr_expect_eq(count_of(out, "<failure "), 2);
    cr_expect_not_null(
        strstr(out, "<testcase classname=\"cfconform.a.ndjson\" name=\"line 1: agent_retired\"/>"));
    /* All the event's findings, one per line in the text format. */
    cr_expect_not_null(
        strstr(out, "<testcase classname=\"cfconform.a.ndjson\" name=\"line 2: task_blocked\">\n"
                    "      <failure message=\"1 error\" type=\"contract\">"
                    "a.ndjson:2:98: error[blocked-count] /blocked_count: blocked_count is 3 but "
                    "blocked_by has 2 items\n"
                    "a.ndjson:2:121: warning[unknown-field] /reason: unknown field "
                    "&quot;reason&quot;\n"
                    "</failure>\n"),
        "%s", out);
    cr_expect_not_null(strstr(out,
                              "name=\"line 3: (no type)\">\n"
                              "      <failure message=\"3 errors\" type=\"contract\">"
                              "a.ndjson:3:6: error[json-syntax] (event): unexpected character\n"
                              "a.ndjson:3:1: note: 2 more findings not shown\n</failure>"),
                       "%s", out);
    /* A warnings-only event passes, its warnings in system-out. */
    cr_expect_not_null(
        strstr(out, "<testcase classname=\"cfconform.logs/b.ndjson\" name=\"line 10: heartbeat\">\n"
                    "      <system-out>logs/b.ndjson:10:1: warning[unknown-type] /type: "
                    "unknown type &quot;heartbeat&quot;\n</system-out>\n    </testcase>"),
        "%s", out);
    cr_expect_eq(strcmp(out + strlen(out) - strlen("</testsuites>\n"), "</testsuites>\n"), 0);
    free(out);
}

/* The validation above means something only if the schema can fail, and it
 * must take the usual shape other producers write (Ant, pytest, Maven). */
static const struct {
    const char *xml;
    bool valid;
} schema_cases[] = {
    {"<testsuites name=\"n\" tests=\"3\" failures=\"1\" errors=\"1\" time=\"1.5\">"
     "<testsuite name=\"s\" tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"0.25\" "
     "timestamp=\"2025-11-08T14:30:45\" hostname=\"h\"><properties><property name=\"a\" "
     "value=\"b\"/>"
     "</properties><testcase classname=\"c\" name=\"t1\" time=\"0.1\"><failure message=\"m\" "
     "type=\"t\">body</failure><system-out>o</system-out><system-err>e</system-err></testcase>"
     "<testcase name=\"t2\"><error message=\"m\"/></testcase><testcase name=\"t3\"><skipped/>"
     "</testcase><system-out/></testsuite></testsuites>",
     true},
    {"<testsuite name=\"s\" tests=\"0\"/>", true},
    {"<testsuites><testsuite name=\"a\"></testsuite></testsuites>", false}, /* no tests= */
    {"<testsuites><testsuite name=\"a\" tests=\"-1\"></testsuite></testsuites>",
     false}, /* negative */
    {"<testsuites><testsuite name=\"a\" tests=\"1\"><testcase classname=\"c\"/></testsuite>"
     "</testsuites>",
     false}, /* testcase without name */
    {"<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"n\"><failure><x/></failure>"
     "</testcase></testsuite></testsuites>",
     false},                                                    /* an element inside failure */
    {"<testsuites><testcase name=\"n\"/></testsuites>", false}, /* testcase outside a suite */
};

Test(report_junit, the_schema_accepts_the_usual_shape_only)
{
    for (size_t i = 0; i < sizeof schema_cases / sizeof schema_cases[0]; i++) {
        int st = xmllint_run(schema_cases[i].xml, schema_cases[i].valid);
        if (schema_cases[i].valid)
            cr_expect_eq(st, 0, "case %zu should validate", i);
        else
            cr_expect_neq(st, 0, "case %zu should not validate", i);
    }
}

Test(report_junit, hostile_bytes_still_validate)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    cfc_event_result e =
        make_result("t<\"'&>\x01\xC0", hostile_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    cfc_event_result w = make_result("w\r\n\t", hostile_findings + 1, 1, 0, CFC_RULE_JSON_SYNTAX);
    cr_assert_eq(cfc_report_begin_file(r, "we<i>rd & \"x\" '\x02\xFF\xEF\xBF\xBE\r\n.ndjson"), 0);
    cr_assert_eq(cfc_report_event(r, 1, &e), 0);
    cr_assert_eq(cfc_report_event(r, 2, &w), 0);
    char *out = sink_close(&s, r);
    cr_expect_eq(xmllint_status(out), 0, "%s", out);
    cr_expect(valid_utf8(out, strlen(out)));
    cr_expect_not_null(
        strstr(out, "<testsuite name=\"we&lt;i&gt;rd &amp; &quot;x&quot; &apos;"
                    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD&#13;&#10;.ndjson\" tests=\"2\""),
        "%s", out);
    cr_expect_not_null(
        strstr(out, "name=\"line 1: t&lt;&quot;&apos;&amp;&gt;\xEF\xBF\xBD\xEF\xBF\xBD\">"));
    cr_expect_not_null(strstr(out, "name=\"line 2: w&#13;&#10;&#9;\">"));
    for (const char *p = out; *p; p++)
        cr_expect(*p == '\n' || *p == '\t' || (unsigned char)*p >= 0x20, "raw control byte 0x%02x",
                  *p);
    free(out);
}

Test(report_junit, empty_documents_validate)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    char *out = sink_close(&s, r);
    cr_expect_str_eq(out,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"cfconform\" tests=\"0\" failures=\"0\" errors=\"0\">\n"
                     "</testsuites>\n");
    cr_expect_eq(xmllint_status(out), 0);
    free(out);

    r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    cr_assert_eq(cfc_report_begin_file(r, "empty.ndjson"), 0);
    out = sink_close(&s, r); /* finish ends the open file */
    cr_expect_not_null(strstr(out, "<testsuite name=\"empty.ndjson\" tests=\"0\" failures=\"0\""));
    cr_expect_eq(xmllint_status(out), 0, "%s", out);
    free(out);
}

/* Many events go through the temporary files, not memory, and come out in
 * order with the right counts. */
Test(report_junit, many_events)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    cfc_event_result c = clean("task_unblocked");
    cfc_event_result e = make_result("task_blocked", blocked_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    const size_t n = 20000;
    for (int file = 0; file < 2; file++) {
        cr_assert_eq(cfc_report_begin_file(r, file == 0 ? "one" : "two"), 0);
        for (size_t i = 1; i <= n; i++)
            cr_assert_eq(cfc_report_event(r, i, i % 100 == 0 ? &e : &c), 0);
        /* begin_file ends the open file itself */
    }
    char *out = sink_close(&s, r);
    cr_expect_not_null(strstr(out, "tests=\"40000\" failures=\"400\""));
    cr_expect_not_null(strstr(out, "<testsuite name=\"one\" tests=\"20000\" failures=\"200\""));
    cr_expect_not_null(strstr(out, "<testsuite name=\"two\" tests=\"20000\" failures=\"200\""));
    cr_expect_eq(count_of(out, "<testcase "), 2 * n);
    cr_expect_not_null(strstr(
        out, "name=\"line 19999: task_unblocked\"/>\n"
             "    <testcase classname=\"cfconform.two\" name=\"line 20000: task_blocked\">"));
    cr_expect_eq(xmllint_status(out), 0);
    free(out);
}

Test(report_junit, freed_unfinished_writes_nothing_more)
{
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JUNIT, false, false);
    cr_assert_eq(feed_mixed(r, "a.ndjson"), 0);
    cfc_report_free(r);
    cr_assert_eq(fclose(s.f), 0);
    cr_expect_eq(s.len, 0);
    free(s.text);
}

/* ---- errors and misuse -------------------------------------------------- */

/* /dev/full accepts the open and fails every write with ENOSPC. */
static void expect_full_disk_fails(cfc_format format)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cfc_report *r = cfc_report_new(f, format, NULL);
    cr_assert_not_null(r);
    int rc = feed_mixed(r, "a.ndjson"); /* may fail already, or only at the flush */
    cr_expect_eq(cfc_report_finish(r), -1, "format %s", cfc_format_name(format));
    (void)rc;
    /* Errors are sticky. */
    cr_expect_eq(cfc_report_begin_file(r, "b"), -1);
    cr_expect_eq(cfc_report_finish(r), -1);
    cfc_report_free(r);
    fclose(f);
}

Test(report_errors, full_disk_is_an_error)
{
    expect_full_disk_fails(CFC_FORMAT_TEXT);
    expect_full_disk_fails(CFC_FORMAT_JSON);
    expect_full_disk_fails(CFC_FORMAT_JUNIT);
}

Test(report_errors, full_disk_is_seen_before_finish_when_output_is_large)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cfc_report *r = cfc_report_new(f, CFC_FORMAT_JSON, NULL);
    cr_assert_not_null(r);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    cfc_event_result e = make_result("task_blocked", blocked_findings, 2, 0, CFC_RULE_JSON_SYNTAX);
    int rc = 0;
    for (size_t i = 1; i <= 10000 && rc == 0; i++)
        rc = cfc_report_event(r, i, &e);
    cr_expect_eq(rc, -1);
    cr_expect_eq(cfc_report_event(r, 1, &e), -1);
    cr_expect_eq(cfc_report_finish(r), -1);
    cfc_report_free(r);
    fclose(f);
}

Test(report_errors, misuse_is_refused_without_crashing)
{
    cfc_event_result e = clean("t");
    cfc_report_free(NULL);
    cr_expect_null(cfc_report_new(NULL, CFC_FORMAT_TEXT, NULL));
    cr_expect_null(cfc_report_new(stdout, (cfc_format)42, NULL));
    cr_expect_eq(cfc_report_begin_file(NULL, "a"), -1);
    cr_expect_eq(cfc_report_event(NULL, 1, &e), -1);
    cr_expect_eq(cfc_report_end_file(NULL), -1);
    cr_expect_eq(cfc_report_finish(NULL), -1);

    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_JSON, false, false);
    cr_expect_eq(cfc_report_event(r, 1, &e), -1, "event outside a file");
    cr_expect_eq(cfc_report_end_file(r), -1, "no file to end");
    cr_expect_eq(cfc_report_begin_file(r, NULL), -1);
    cr_assert_eq(cfc_report_begin_file(r, "a"), 0);
    cr_expect_eq(cfc_report_event(r, 1, NULL), -1);
    cfc_event_result bad = clean("t");
    bad.n_findings = 1; /* and findings NULL */
    cr_expect_eq(cfc_report_event(r, 1, &bad), -1);
    /* Misuse is not an output error: the report carries on. */
    cr_expect_eq(cfc_report_event(r, 1, &e), 0);
    char *out = sink_close(&s, r);
    cr_expect_eq(count_lines(out), 2, "%s", out);
    free(out);

    r = sink_open(&s, CFC_FORMAT_TEXT, false, false);
    cr_assert_eq(cfc_report_finish(r), 0);
    cr_expect_eq(cfc_report_finish(r), -1, "finish twice");
    cr_expect_eq(cfc_report_begin_file(r, "a"), -1, "after finish");
    cfc_report_free(r);
    fclose(s.f);
    free(s.text);
}

Test(report_errors, format_names)
{
    cfc_format f = CFC_FORMAT_JUNIT;
    cr_expect_eq(cfc_format_parse("text", &f), 0);
    cr_expect_eq(f, CFC_FORMAT_TEXT);
    cr_expect_eq(cfc_format_parse("json", &f), 0);
    cr_expect_eq(f, CFC_FORMAT_JSON);
    cr_expect_eq(cfc_format_parse("junit", &f), 0);
    cr_expect_eq(f, CFC_FORMAT_JUNIT);
    static const char *const bad[] = {"", "TEXT", "xml", "jsonl", "text ", "junit\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = CFC_FORMAT_JSON;
        cr_expect_eq(cfc_format_parse(bad[i], &f), -1, "%s", bad[i]);
        cr_expect_eq(f, CFC_FORMAT_JSON, "output written on failure");
    }
    cr_expect_eq(cfc_format_parse(NULL, &f), -1);
    cr_expect_eq(cfc_format_parse("text", NULL), -1);
    cr_expect_str_eq(cfc_format_name(CFC_FORMAT_JUNIT), "junit");
    cr_expect_null(cfc_format_name((cfc_format)42));
}

/* ---- allocation failure ------------------------------------------------- */

static long fail_at; /* the allocation that fails; 0 = none */
static long allocs;

static void *failing_realloc(void *p, size_t size)
{
    if (++allocs == fail_at)
        return NULL;
    return realloc(p, size);
}

/* One whole report with a long message (so the buffers grow several times).
 * Returns 0, or -1 as soon as a call fails. */
static int run_once(cfc_format format, FILE *out)
{
    static char longmsg[5000];
    memset(longmsg, 'm', sizeof longmsg - 1);
    cfc_finding f = {CFC_RULE_ENUM_VALUE, CFC_SEVERITY_ERROR, "/x", 3, longmsg};
    cfc_event_result e = make_result("t", &f, 1, 0, CFC_RULE_JSON_SYNTAX);
    cfc_report *r = cfc_report_new(out, format, NULL);
    if (r == NULL)
        return -1;
    int rc = cfc_report_begin_file(r, "a.ndjson");
    if (rc == 0)
        rc = cfc_report_event(r, 1, &e);
    if (rc == 0)
        rc = feed_mixed(r, "b.ndjson") != 0 ? -1 : 0;
    if (rc == 0)
        rc = cfc_report_finish(r);
    else
        cr_expect_eq(cfc_report_finish(r), -1, "a failure must be sticky");
    cfc_report_free(r);
    return rc;
}

/* Fails allocation N for N = 1, 2, 3... until a run needs fewer: every
 * failure is reported as -1, and ASan/valgrind see no leak. */
Test(report_alloc, every_allocation_failure_is_reported)
{
    static const cfc_format formats[] = {CFC_FORMAT_TEXT, CFC_FORMAT_JSON, CFC_FORMAT_JUNIT};
    cfc__report_realloc = failing_realloc;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        for (fail_at = 1;; fail_at++) {
            FILE *out = fopen("/dev/null", "w");
            cr_assert_not_null(out);
            allocs = 0;
            int rc = run_once(formats[i], out);
            fclose(out);
            if (allocs < fail_at) {
                cr_expect_eq(rc, 0, "no failure injected, yet the run failed");
                break;
            }
            cr_expect_eq(rc, -1, "format %s: allocation %ld failed unnoticed",
                         cfc_format_name(formats[i]), fail_at);
        }
        cr_expect_gt(fail_at, 3, "the test exercised too few allocations");
    }
    cfc__report_realloc = realloc;
}

/* ---- every byte and every code point class, every format, strictly -------- */

/* The project's own strict parser (conformance/core/json.h) rejects what
 * lenient ones such as cJSON accept: raw control characters, invalid UTF-8,
 * lone surrogates, duplicate members. Each JSON Lines line must parse with
 * no diagnostic at all but the \u0000 escape, and only where `nul_ok` (a
 * type that held a NUL byte). The parser is returned for reading the DOM;
 * the DOM stays valid until the next call. */
static cfc_jparser *strict_parser;

static const cfc_jval *strict_json(const char *line, size_t len, bool nul_ok)
{
    if (strict_parser == NULL)
        strict_parser = cfc_jparser_new();
    cr_assert_not_null(strict_parser);
    cfc_jval *root = NULL;
    const cfc_jdiag *d = NULL;
    size_t nd = 0, dropped = 0;
    cr_assert_eq(cfc_jparse(strict_parser, line, len, NULL, &root, &d, &nd, &dropped), 0);
    cr_assert_eq(dropped, 0);
    for (size_t i = 0; i < nd; i++)
        cr_assert(nul_ok && d[i].code == CFC_JD_NUL_ESCAPE,
                  "strict JSON parser: %s at offset %zu of\n%.*s", d[i].message, d[i].offset,
                  (int)len, line);
    cr_assert_not_null(root, "%.*s", (int)len, line);
    cr_assert_eq(root->type, CFC_J_OBJECT, "%.*s", (int)len, line);
    return root;
}

/* Member `name` of obj, a string equal to want[0..want_len). */
static void expect_jstr(const cfc_jval *obj, const char *name, const char *want, size_t want_len,
                        const char *what)
{
    const cfc_jval *v = cfc_jobject_get(obj, name);
    cr_assert_not_null(v, "%s: no %s", what, name);
    cr_assert_eq(v->type, CFC_J_STRING, "%s: %s is not a string", what, name);
    cr_expect(v->u.str.len == want_len && memcmp(v->u.str.s, want, want_len) == 0,
              "%s: %s decodes to \"%.*s\" (%zu bytes), expected \"%.*s\" (%zu bytes)", what, name,
              (int)v->u.str.len, v->u.str.s, v->u.str.len, (int)want_len, want, want_len);
}

/* Each byte b in the middle of a file name, a type, a pointer and a message:
 * "F" b "G" and so on. NUL only in the type, the one field with a length. */
typedef struct byte_fields {
    char file[4], type[4], pointer[5], message[4];
} byte_fields;

static byte_fields fields_of_byte(int b)
{
    byte_fields f = {{'F', (char)b, 'G', 0},
                     {'T', (char)b, 'U', 0},
                     {'/', 'P', (char)b, 'Q', 0},
                     {'M', (char)b, 'N', 0}};
    return f;
}

/* Writes one event per byte 0x00-0xff, each in its own file, in `format`. */
static char *report_every_byte(cfc_format format, size_t *len)
{
    sink s;
    cfc_report *r = sink_open(&s, format, false, false);
    for (int b = 0; b < 256; b++) {
        byte_fields bf = fields_of_byte(b);
        cfc_finding f = {CFC_RULE_ENUM_VALUE, CFC_SEVERITY_ERROR, bf.pointer, 3, bf.message};
        if (b == 0) {
            bf.file[1] = '0'; /* a C string */
            f.pointer = "/P0Q";
            f.message = "M0N";
        }
        cfc_event_result e = make_result(bf.type, &f, 1, 0, CFC_RULE_JSON_SYNTAX);
        e.type_len = 3;
        cr_assert_eq(cfc_report_begin_file(r, bf.file), 0);
        cr_assert_eq(cfc_report_event(r, (size_t)b + 1, &e), 0);
        cr_assert_eq(cfc_report_end_file(r), 0);
    }
    char *out = sink_close(&s, r);
    *len = s.len;
    return out;
}

/* What a lone byte between two ASCII letters decodes to: itself below 0x80;
 * above, it is never valid UTF-8 there, so one U+FFFD. */
static size_t decoded_byte(int b, char *out)
{
    if (b < 0x80) {
        out[0] = (char)b;
        return 1;
    }
    memcpy(out, "\xEF\xBF\xBD", 3);
    return 3;
}

Test(report_json, every_byte_in_every_field_is_strict_json_and_decodes_back)
{
    size_t len;
    char *out = report_every_byte(CFC_FORMAT_JSON, &len);
    cr_assert_eq(strlen(out), len, "a raw NUL in the output");
    cr_expect(valid_utf8(out, len));
    cr_assert_eq(count_lines(out), 257);
    const char *p = out;
    for (int b = 0; b < 256; b++) {
        const char *nl = strchr(p, '\n');
        const cfc_jval *ev = strict_json(p, (size_t)(nl - p), b == 0);
        char mid[3], want[8];
        size_t n = decoded_byte(b, mid);
        char what[32];
        snprintf(what, sizeof what, "byte 0x%02x", b);
        /* "T" b "U" */
        want[0] = 'T';
        memcpy(want + 1, mid, n);
        want[n + 1] = 'U';
        expect_jstr(ev, "type", want, n + 2, what);
        const cfc_jval *findings = cfc_jobject_get(ev, "findings");
        cr_assert_not_null(findings);
        const cfc_jval *f0 = findings->u.kids.first;
        cr_assert_not_null(f0);
        if (b == 0) {
            expect_jstr(ev, "file", "F0G", 3, what);
            expect_jstr(f0, "path", "/P0Q", 4, what);
            expect_jstr(f0, "message", "M0N", 3, what);
        } else {
            want[0] = 'F', want[n + 1] = 'G';
            expect_jstr(ev, "file", want, n + 2, what);
            want[0] = 'M', want[n + 1] = 'N';
            expect_jstr(f0, "message", want, n + 2, what);
            char wp[9] = "/P";
            memcpy(wp + 2, mid, n);
            wp[n + 2] = 'Q';
            expect_jstr(f0, "path", wp, n + 3, what);
        }
        p = nl + 1;
    }
    const cfc_jval *sum = strict_json(p, strlen(p) - 1, false);
    cr_expect_not_null(cfc_jobject_get(sum, "summary"));
    free(out);
}

/* Text: every byte still gives exactly one line per finding (plus the
 * summary), with no raw control character (C0, DEL, C1) and valid UTF-8. */
static void expect_safe_text(const char *out, size_t len)
{
    cr_assert_eq(strlen(out), len, "a raw NUL in the output");
    cr_expect(valid_utf8(out, len));
    const unsigned char *s = (const unsigned char *)out;
    for (size_t i = 0; i < len; i++) {
        cr_expect(s[i] == '\n' || (s[i] >= 0x20 && s[i] != 0x7f),
                  "raw control byte 0x%02x at %zu: ...%.40s", s[i], i, out + (i > 20 ? i - 20 : 0));
        /* U+0080..U+009F is C2 80..C2 9F. */
        cr_expect(!(s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F),
                  "raw C1 control U+00%02X at %zu", s[i + 1], i);
    }
}

Test(report_text, every_byte_in_every_field_stays_one_safe_line)
{
    size_t len;
    char *out = report_every_byte(CFC_FORMAT_TEXT, &len);
    expect_safe_text(out, len);
    /* 256 finding lines, each starting with its file; then the summary. */
    const char *p = out;
    for (int b = 0; b < 256; b++) {
        cr_assert_eq(*p, 'F', "line %d: %.60s", b + 1, p);
        char want[32];
        snprintf(want, sizeof want, ":%d:4: error[enum-value] /P", b + 1);
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl);
        const char *at = strstr(p, want);
        cr_expect(at != NULL && at < nl, "line %d: %.*s", b + 1, (int)(nl - p), p);
        p = nl + 1;
    }
    cr_expect_null(strstr(p, "\nF"), "no more finding lines after the 256th");
    free(out);
}

/* The string value of an XPath expression over the file at `path`, by
 * xmllint. */
static char *xpath_string(const char *path, const char *expr)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "xmllint --xpath 'string(%s)' '%s' 2>&1", expr, path);
    char *out;
    int rc = test_run(cmd, &out);
    cr_assert_eq(rc, 0, "xmllint --xpath %s: %s", expr, out);
    size_t n = strlen(out);
    cr_assert(n > 0 && out[n - 1] == '\n', "xmllint ends its answer with a newline");
    out[n - 1] = '\0';
    return out;
}

static char *write_temp(const char *text, size_t len, char *path)
{
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(text, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
    return path;
}

Test(report_junit, every_byte_in_every_field_validates)
{
    size_t len;
    char *out = report_every_byte(CFC_FORMAT_JUNIT, &len);
    cr_assert_eq(strlen(out), len, "a raw NUL in the output");
    cr_expect(valid_utf8(out, len));
    /* XML 1.0 allows tab, LF and CR only among the C0 controls. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        cr_expect(c >= 0x20 || c == '\n' || c == '\t', "raw 0x%02x at %zu", c, i);
    }
    cr_expect_eq(xmllint_status(out), 0, "%s", out);
    cr_expect_eq(count_of(out, "<testcase "), 256);
    /* Printable ASCII comes back as it was written, through the XML parser:
     * the testsuite of byte b is the (b+1)-th. */
    char path[] = "/tmp/cfc_every_byte_XXXXXX";
    write_temp(out, len, path);
    static const int probes[] = {'"', '&', '\'', '<', '>', 'a', '~'};
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        char expr[128];
        snprintf(expr, sizeof expr, "/testsuites/testsuite[%d]/@name", probes[i] + 1);
        char *got = xpath_string(path, expr);
        char want[4] = {'F', (char)probes[i], 'G', 0};
        cr_expect_str_eq(got, want, "byte 0x%02x", probes[i]);
        free(got);
    }
    unlink(path);
    free(out);
}

/* One string of each class of code points, and what it must come back as:
 * from JSON (invalid UTF-8 becomes one U+FFFD per maximal ill-formed
 * subpart), and from XML, where C0 controls other than tab, LF and CR and
 * the noncharacters U+FFFE/U+FFFF cannot be written and become U+FFFD. */
#define FFFD "\xEF\xBF\xBD"
typedef struct cp_class {
    const char *name, *in, *json, *xml;
} cp_class;

static const cp_class cp_classes[] = {
    {"ASCII", "plain-Text_1 ~", "plain-Text_1 ~", "plain-Text_1 ~"},
    {"JSON and XML specials", "\"\\/<>&'", "\"\\/<>&'", "\"\\/<>&'"},
    {"C0 controls", "\x01\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f", "\x01\x08\x09\x0a\x0b\x0c\x0d\x1b\x1f",
     FFFD FFFD "\x09\x0a" FFFD FFFD "\x0d" FFFD FFFD},
    {"DEL", "a\x7f", "a\x7f", "a\x7f"},
    {"C1 controls (NEL, CSI)", "\xC2\x80\xC2\x85\xC2\x9B\xC2\x9F",
     "\xC2\x80\xC2\x85\xC2\x9B\xC2\x9F", "\xC2\x80\xC2\x85\xC2\x9B\xC2\x9F"},
    {"two bytes", "\xC2\xA0\xC3\xA9\xDF\xBF", "\xC2\xA0\xC3\xA9\xDF\xBF",
     "\xC2\xA0\xC3\xA9\xDF\xBF"},
    {"three bytes", "\xE0\xA0\x80\xE2\x82\xAC", "\xE0\xA0\x80\xE2\x82\xAC",
     "\xE0\xA0\x80\xE2\x82\xAC"},
    {"line and paragraph separators", "\xE2\x80\xA8\xE2\x80\xA9", "\xE2\x80\xA8\xE2\x80\xA9",
     "\xE2\x80\xA8\xE2\x80\xA9"},
    {"byte order mark", "\xEF\xBB\xBF", "\xEF\xBB\xBF", "\xEF\xBB\xBF"},
    {"private use", "\xEE\x80\x80", "\xEE\x80\x80", "\xEE\x80\x80"},
    {"noncharacters", "\xEF\xB7\x90\xEF\xBF\xBE\xEF\xBF\xBF",
     "\xEF\xB7\x90\xEF\xBF\xBE\xEF\xBF\xBF", "\xEF\xB7\x90" FFFD FFFD},
    {"replacement character", FFFD, FFFD, FFFD},
    {"four bytes", "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF",
     "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"},
    {"surrogates (CESU-8)", "\xED\xA0\x80\xED\xBF\xBF", FFFD FFFD FFFD FFFD FFFD FFFD,
     FFFD FFFD FFFD FFFD FFFD FFFD},
    {"overlong", "\xC0\x80\xE0\x80\xAF", FFFD FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD FFFD},
    {"above U+10FFFF", "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD},
    {"truncated", "\xE2\x82 \xF0\x9F\x98", FFFD " " FFFD, FFFD " " FFFD},
    {"lone continuations", "\x80\xBF", FFFD FFFD, FFFD FFFD},
    {"never valid", "\xFE\xFF\xF5", FFFD FFFD FFFD, FFFD FFFD FFFD},
};
#define N_CP_CLASSES (sizeof cp_classes / sizeof cp_classes[0])

/* One file per class, named by the class's string, holding one event whose
 * type, pointer and message are that string too. */
static char *report_cp_classes(cfc_format format, size_t *len)
{
    sink s;
    cfc_report *r = sink_open(&s, format, false, false);
    for (size_t i = 0; i < N_CP_CLASSES; i++) {
        const char *in = cp_classes[i].in;
        cfc_finding f = {CFC_RULE_ENUM_VALUE, CFC_SEVERITY_ERROR, in, 1, in};
        cfc_event_result e = make_result(in, &f, 1, 0, CFC_RULE_JSON_SYNTAX);
        cr_assert_eq(cfc_report_begin_file(r, in), 0);
        cr_assert_eq(cfc_report_event(r, i + 1, &e), 0);
        cr_assert_eq(cfc_report_end_file(r), 0);
    }
    char *out = sink_close(&s, r);
    *len = s.len;
    return out;
}

Test(report_json, every_code_point_class_is_strict_json_and_decodes_back)
{
    size_t len;
    char *out = report_cp_classes(CFC_FORMAT_JSON, &len);
    cr_expect(valid_utf8(out, len));
    const char *p = out;
    for (size_t i = 0; i < N_CP_CLASSES; i++) {
        const cp_class *c = &cp_classes[i];
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl);
        const cfc_jval *ev = strict_json(p, (size_t)(nl - p), false);
        size_t n = strlen(c->json);
        expect_jstr(ev, "file", c->json, n, c->name);
        expect_jstr(ev, "type", c->json, n, c->name);
        const cfc_jval *f0 = cfc_jobject_get(ev, "findings")->u.kids.first;
        cr_assert_not_null(f0);
        expect_jstr(f0, "path", c->json, n, c->name);
        expect_jstr(f0, "message", c->json, n, c->name);
        p = nl + 1;
    }
    strict_json(p, strlen(p) - 1, false);
    free(out);
}

Test(report_text, every_code_point_class_stays_one_safe_line)
{
    size_t len;
    char *out = report_cp_classes(CFC_FORMAT_TEXT, &len);
    expect_safe_text(out, len);
    /* One finding line per class, then the summary: a class holding a
     * newline or a line separator did not add a line break of its own. */
    const char *p = out;
    for (size_t i = 0; i < N_CP_CLASSES; i++) {
        char want[32];
        snprintf(want, sizeof want, ":%zu:2: error[enum-value] ", i + 1);
        const char *nl = strchr(p, '\n');
        cr_assert_not_null(nl, "%s", cp_classes[i].name);
        const char *at = strstr(p, want);
        cr_expect(at != NULL && at < nl, "%s: %.*s", cp_classes[i].name, (int)(nl - p), p);
        p = nl + 1;
    }
    free(out);
}

Test(report_junit, every_code_point_class_validates_and_reads_back)
{
    size_t len;
    char *out = report_cp_classes(CFC_FORMAT_JUNIT, &len);
    cr_expect(valid_utf8(out, len));
    cr_expect_eq(xmllint_status(out), 0, "%s", out);
    char path[] = "/tmp/cfc_cp_classes_XXXXXX";
    write_temp(out, len, path);
    for (size_t i = 0; i < N_CP_CLASSES; i++) {
        const cp_class *c = &cp_classes[i];
        char expr[128];
        /* Attribute values keep tab, LF and CR only as character
         * references, which XPath reads back as the characters. */
        snprintf(expr, sizeof expr, "/testsuites/testsuite[%zu]/@name", i + 1);
        char *got = xpath_string(path, expr);
        cr_expect_str_eq(got, c->xml, "%s: testsuite name", c->name);
        free(got);
        snprintf(expr, sizeof expr, "/testsuites/testsuite[%zu]/testcase/@name", i + 1);
        got = xpath_string(path, expr);
        char want[128];
        snprintf(want, sizeof want, "line %zu: %s", i + 1, c->xml);
        cr_expect_str_eq(got, want, "%s: testcase name", c->name);
        free(got);
    }
    unlink(path);
    free(out);
}

/* ---- restart (report_ext.h; the fuzz targets' JUnit document per input) --- */

/* A report restarted after a document -- finished, or left in the middle
 * of a file -- writes byte for byte what a new report writes. */
Test(report_restart, writes_what_a_new_report_writes)
{
    const cfc_format formats[] = {CFC_FORMAT_TEXT, CFC_FORMAT_JSON, CFC_FORMAT_JUNIT};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        for (int finished = 0; finished < 2; finished++) {
            char *want = report_mixed(formats[i], true, false);
            sink s;
            cfc_report *r = sink_open(&s, formats[i], true, false);
            /* A different document first: another file name, other results. */
            cfc_event_result e = make_result(NULL, syntax_findings, 1, 5, CFC_RULE_TS_FORMAT);
            cr_assert_eq(cfc_report_begin_file(r, "other & <longer> name.ndjson"), 0);
            cr_assert_eq(cfc_report_event(r, 7, &e), 0);
            if (finished)
                cr_assert_eq(cfc_report_finish(r), 0);
            cr_assert_eq(fflush(s.f), 0);
            long first = ftell(s.f);
            cr_assert_eq(cfc__report_restart(r), 0);
            cr_assert_eq(feed_mixed(r, "a.ndjson"), 0);
            char *got = sink_close(&s, r);
            cr_assert_str_eq(got + first, want, "%s, restarted %s", cfc_format_name(formats[i]),
                             finished ? "after finish" : "within a file");
            free(got);
            free(want);
        }
    }
}

Test(report_restart, refuses_a_failed_report_and_the_writer_formats)
{
    cr_assert_eq(cfc__report_restart(NULL), -1);
    sink s;
    cfc_report *r = sink_open(&s, CFC_FORMAT_SARIF, false, false);
    cr_assert_eq(cfc__report_restart(r), -1);
    free(sink_close(&s, r));
}
