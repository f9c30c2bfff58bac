/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
/*
 * The limits of G12 at their exact boundaries: an event of exactly the
 * maximum size is checked, one byte more is too-large; nesting of exactly
 * the maximum depth is fine, one level more is too-deep. Each boundary is
 * tested where it is enforced: the library (cfc_check_event), NDJSON
 * framing (cfc_framer, which `check` reads files with), WebSocket message
 * assembly (cfc_wsmsg, which `watch` uses), and the two commands end to end.
 * A `>` turned into `>=` (or the reverse) anywhere fails one of them.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/check.h"
#include "cfc/ndjson.h"
#include "proc.h"
#include "util.h"
#include "ws_frames.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define MISBEHAVE CFC_SOURCE_DIR "/tests/ws_misbehave.py"
#define MIB ((size_t)1 << 20)

/* The event tests/ws_misbehave.py sends as GOOD (its "good2" scenario sends
 * it twice): the watch tests set the limit from its length. */
static const char ws_good[] = "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":5,"
                              "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}";

static char dir[] = "/tmp/cfc-limits-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(limits, .init = setup, .fini = teardown, .timeout = 120);

/* A conforming task_assigned event of exactly `len` bytes (its title is the
 * padding). Free it. */
static char *event_of_size(size_t len)
{
    static const char head[] = "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":42,"
                               "\"agent_id\":\"backend-worker-001\",\"timestamp\":"
                               "\"2025-11-08T14:30:45.123Z\",\"task_title\":\"";
    static const char tail[] = "\"}";
    size_t fixed = sizeof head - 1 + sizeof tail - 1;
    cr_assert_geq(len, fixed);
    char *e = malloc(len + 1);
    cr_assert_not_null(e);
    memcpy(e, head, sizeof head - 1);
    memset(e + sizeof head - 1, 'x', len - fixed);
    memcpy(e + len - (sizeof tail - 1), tail, sizeof tail - 1);
    e[len] = '\0';
    return e;
}

/* A conforming event whose unknown field "deep" makes the whole event
 * `depth` levels deep (the event object is level 1). Free it. */
static char *event_of_depth(unsigned depth)
{
    cr_assert_geq(depth, 2);
    size_t n = depth - 1; /* arrays inside the event object */
    char *e = malloc(256 + 2 * n);
    int k = snprintf(e, 256,
                     "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":5,\"timestamp\":"
                     "\"2025-11-08T14:30:45.123Z\",\"deep\":");
    memset(e + k, '[', n);
    memset(e + k + n, ']', n);
    strcpy(e + k + 2 * n, "}");
    return e;
}

static size_t count_rule(const cfc_event_result *r, cfc_rule rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += r->findings[i].rule == rule;
    return n;
}

/* Checks `e` and returns the result (valid until the checker's next call). */
static const cfc_event_result *check(cfc_checker *c, const char *e, size_t len)
{
    const cfc_event_result *r = NULL;
    cr_assert_eq(cfc_check_event(c, e, len, &r), CFC_CHECK_OK);
    cr_assert_not_null(r);
    return r;
}

/* At the limit: checked and conforming. One over: too-large, not checked. */
static void expect_size_boundary(cfc_checker *c, size_t limit)
{
    cr_assert_eq(cfc_checker_max_event_bytes(c), limit);
    char *e = event_of_size(limit);
    const cfc_event_result *r = check(c, e, limit);
    cr_expect_eq(r->n_findings, 0, "an event of exactly %zu bytes: %zu findings, first %s", limit,
                 r->n_findings, r->n_findings ? r->findings[0].message : "");
    cr_expect_eq(r->errors, 0);
    /* The same bytes, one more (the title one x longer). */
    free(e);
    e = event_of_size(limit + 1);
    r = check(c, e, limit + 1);
    cr_expect_eq(r->n_findings, 1, "%zu bytes over a limit of %zu", limit + 1, limit);
    cr_expect_eq(count_rule(r, CFC_RULE_TOO_LARGE), 1);
    cr_expect_eq(r->errors, 1);
    free(e);
}

Test(limits, library_event_size_default_is_exactly_one_mib)
{
    cfc_checker *c = cfc_checker_new(NULL);
    expect_size_boundary(c, MIB);
    cfc_checker_free(c);
}

Test(limits, library_event_size_set_three_ways)
{
    cfc_check_options o = {.max_event_bytes = 300};
    cfc_checker *c = cfc_checker_new(&o);
    expect_size_boundary(c, 300);
    cfc_checker_set_limits(c, 257, 0);
    expect_size_boundary(c, 257);
    static const char config[] = "{\"limits\":{\"max_event_bytes\":4000}}";
    cfc_error err;
    cr_assert_eq(cfc_checker_configure(c, config, sizeof config - 1, &err), CFC_CHECK_OK);
    expect_size_boundary(c, 4000);
    cfc_checker_free(c);
}

/* Depth `limit` is fine; limit + 1 is too-deep (and only that error). */
static void expect_depth_boundary(cfc_checker *c, unsigned limit)
{
    char *e = event_of_depth(limit);
    const cfc_event_result *r = check(c, e, strlen(e));
    cr_expect_eq(count_rule(r, CFC_RULE_TOO_DEEP), 0, "depth %u with a limit of %u", limit, limit);
    cr_expect_eq(r->errors, 0, "depth %u: %s", limit, r->n_findings ? r->findings[0].message : "");
    free(e);
    e = event_of_depth(limit + 1);
    r = check(c, e, strlen(e));
    cr_expect_eq(count_rule(r, CFC_RULE_TOO_DEEP), 1, "depth %u with a limit of %u", limit + 1,
                 limit);
    cr_expect_geq(r->errors, 1);
    free(e);
}

Test(limits, library_depth_64_is_fine_and_65_is_too_deep)
{
    cfc_checker *c = cfc_checker_new(NULL);
    expect_depth_boundary(c, 64);
    cfc_checker_free(c);
}

Test(limits, library_depth_set_by_option_and_setter)
{
    cfc_check_options o = {.max_depth = 10};
    cfc_checker *c = cfc_checker_new(&o);
    expect_depth_boundary(c, 10);
    cfc_checker_set_limits(c, 0, 3);
    expect_depth_boundary(c, 3);
    cfc_checker_free(c);
}

/* ---- NDJSON framing --------------------------------------------------------- */

typedef struct lines {
    size_t n, kept, oversized, len[8];
} lines;

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    (void)line;
    lines *l = ctx;
    if (l->n < 8)
        l->len[l->n] = len;
    l->n++;
    if (bytes)
        l->kept++;
    else
        l->oversized++;
    return 0;
}

/* Lines of limit and limit + 1 bytes, whole and byte by byte. */
Test(limits, framer_keeps_a_line_of_exactly_the_limit)
{
    const size_t limit = 100;
    char in[512];
    memset(in, 'a', sizeof in);
    in[limit] = '\n';                 /* line 1: exactly the limit */
    in[limit + 1 + limit + 1] = '\n'; /* line 2: one over */
    size_t total = 2 * limit + 3;
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        lines l = {0};
        cfc_framer *f = cfc_framer_new(limit, on_line, &l);
        cr_assert_not_null(f);
        if (bytewise) {
            for (size_t i = 0; i < total; i++)
                cr_assert_eq(cfc_framer_feed(f, in + i, 1), 0);
        } else {
            cr_assert_eq(cfc_framer_feed(f, in, total), 0);
        }
        cr_assert_eq(cfc_framer_finish(f), 0);
        cfc_framer_free(f);
        cr_expect_eq(l.n, 2, "bytewise %d", bytewise);
        cr_expect_eq(l.kept, 1, "bytewise %d: a line of exactly %zu bytes is kept", bytewise,
                     limit);
        cr_expect_eq(l.oversized, 1, "bytewise %d", bytewise);
        cr_expect_eq(l.len[0], limit);
        cr_expect_eq(l.len[1], limit + 1);
    }
    /* A last line without newline, the same. */
    memset(in, 'a', sizeof in);
    for (size_t extra = 0; extra < 2; extra++) {
        lines l = {0};
        cfc_framer *f = cfc_framer_new(limit, on_line, &l);
        cr_assert_eq(cfc_framer_feed(f, in, limit + extra), 0);
        cr_assert_eq(cfc_framer_finish(f), 0);
        cfc_framer_free(f);
        cr_expect_eq(l.n, 1);
        cr_expect_eq(l.kept, 1 - extra, "an unterminated last line of %zu bytes", limit + extra);
        cr_expect_eq(l.len[0], limit + extra);
    }
}

/* ---- WebSocket message assembly --------------------------------------------- */

typedef struct msgs {
    size_t text, oversized, len;
} msgs;

static int on_msg(void *ctx, cfc_wsmsg_kind kind, const char *bytes, size_t len,
                  const cfc_event_result *res)
{
    msgs *m = ctx;
    m->len = len;
    if (kind == CFC_WSMSG_TEXT) {
        cr_expect_not_null(bytes);
        cr_expect_eq(count_rule(res, CFC_RULE_TOO_LARGE), 0);
        m->text++;
    } else if (kind == CFC_WSMSG_OVERSIZED) {
        cr_expect_null(bytes);
        cr_expect_eq(count_rule(res, CFC_RULE_TOO_LARGE), 1);
        m->oversized++;
    }
    return 0;
}

/* A message of limit bytes is checked, limit + 1 is oversized: in one
 * frame, and in fragments whose sizes straddle the limit. */
Test(limits, websocket_message_of_exactly_the_limit_is_checked)
{
    const size_t limit = 300;
    cfc_check_options o = {.max_event_bytes = limit};
    cfc_checker *c = cfc_checker_new(&o);
    for (size_t extra = 0; extra < 2; extra++) {
        char *e = event_of_size(limit + extra);
        for (size_t chunk = 1; chunk <= limit + extra; chunk = chunk * 3 + 1) {
            msgs m = {0};
            cfc_wsmsg *a = cfc_wsmsg_new(c, on_msg, &m);
            cr_assert_not_null(a);
            size_t len = limit + extra;
            for (size_t at = 0; at < len; at += chunk) {
                size_t n = len - at < chunk ? len - at : chunk;
                cr_assert_eq(cfc_wsmsg_feed(a, e + at, n, at + n == len, false), 0);
            }
            cr_assert_eq(cfc_wsmsg_end(a), 0);
            cfc_wsmsg_free(a);
            cr_expect_eq(m.text, extra == 0, "%zu bytes in chunks of %zu", len, chunk);
            cr_expect_eq(m.oversized, extra == 1, "%zu bytes in chunks of %zu", len, chunk);
            cr_expect_eq(m.len, len);
        }
        free(e);
    }
    cfc_checker_free(c);
}

/* ---- the commands ----------------------------------------------------------- */

static void write_file(const char *path, const char *a, const char *b)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fputs(a, f);
    fputs(b, f);
    cr_assert_eq(fclose(f), 0);
}

/* `cfconform check` on a file of one event of `len` bytes with the given
 * limit (NULL: the default); returns the exit status, *out its stdout. */
static int check_file(size_t len, const char *limit, char **out)
{
    char *e = event_of_size(len);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/e%zu.ndjson", dir, len);
    write_file(path, e, "\n");
    free(e);
    snprintf(cmd, sizeof cmd, CFC " check --format json %s%s %s", limit ? "--max-event-bytes " : "",
             limit ? limit : "", path);
    return test_run(cmd, out);
}

Test(limits, check_command_at_and_one_byte_over_the_limit)
{
    char *out;
    cr_expect_eq(check_file(MIB, NULL, &out), 0, "%.300s", out);
    cr_expect_not_null(strstr(out, "\"ok\":true"), "%.300s", out);
    free(out);
    cr_expect_eq(check_file(MIB + 1, NULL, &out), 1, "%.300s", out);
    cr_expect_not_null(strstr(out, "\"rule\":\"too-large\""), "%.300s", out);
    free(out);
    cr_expect_eq(check_file(500, "500", &out), 0, "%.300s", out);
    cr_expect_null(strstr(out, "too-large"), "%.300s", out);
    free(out);
    cr_expect_eq(check_file(501, "500", &out), 1, "%.300s", out);
    cr_expect_not_null(strstr(out, "the event is 501 bytes, over the maximum event size of 500"),
                       "%.600s", out);
    free(out);
}

Test(limits, check_command_depth_64_and_65)
{
    for (unsigned depth = 64; depth <= 65; depth++) {
        char *e = event_of_depth(depth);
        char path[128], cmd[512];
        snprintf(path, sizeof path, "%s/d%u.ndjson", dir, depth);
        write_file(path, e, "\n");
        free(e);
        snprintf(cmd, sizeof cmd, CFC " check --format json %s", path);
        char *out;
        int rc = test_run(cmd, &out);
        cr_expect_eq(rc, depth == 64 ? 0 : 1, "depth %u: %s", depth, out);
        cr_expect_eq(strstr(out, "\"rule\":\"too-deep\"") != NULL, depth == 65, "depth %u: %s",
                     depth, out);
        free(out);
    }
}

/* `cfconform watch` against a server sending two copies of one event, with
 * the limit at its size and one byte under it. */
static int watch_good2(size_t limit, char **out)
{
    char *argv[] = {"/usr/bin/env", "python3", MISBEHAVE, "good2", NULL};
    proc srv = proc_start(argv, NULL);
    char port[32];
    proc_read_line(&srv, port, sizeof port, 10000);
    char url[96], lim[32], err_path[128];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/events", atoi(port));
    snprintf(lim, sizeof lim, "%zu", limit);
    snprintf(err_path, sizeof err_path, "%s/watch.err", dir);
    char *wargv[] = {CFC, "watch",      url,  "--format", "json", "--max-event-bytes",
                     lim, "--duration", "20", NULL};
    proc w = proc_start(wargv, err_path);
    *out = proc_read_rest(&w, 30000);
    int rc = proc_wait(&w, 5000);
    proc_stop(&w);
    proc_stop(&srv);
    return rc;
}

Test(limits, watch_command_at_and_one_byte_over_the_limit)
{
    const size_t n = sizeof ws_good - 1;
    char *out;
    int rc = watch_good2(n, &out);
    cr_expect_eq(rc, 0, "limit %zu: %s", n, out);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":2,\"ok\":2,\"errors\":0"), "%s", out);
    cr_expect_null(strstr(out, "too-large"), "%s", out);
    free(out);
    rc = watch_good2(n - 1, &out);
    cr_expect_eq(rc, 1, "limit %zu: %s", n - 1, out);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":2,\"ok\":0,\"errors\":2"), "%s", out);
    char want[128];
    snprintf(want, sizeof want, "the event is %zu bytes, over the maximum event size of %zu", n,
             n - 1);
    cr_expect_not_null(strstr(out, want), "%s", out);
    free(out);
}

/* The configuration file's limits are range-checked at their boundaries:
 * max_depth 1..10000, max_event_bytes >= 1. */
Test(limits, configured_limits_are_range_checked_at_the_boundaries)
{
    static const struct {
        const char *config;
        bool ok;
    } cases[] = {
        {"{\"limits\":{\"max_depth\":1}}", true},
        {"{\"limits\":{\"max_depth\":10000}}", true},
        {"{\"limits\":{\"max_depth\":0}}", false},
        {"{\"limits\":{\"max_depth\":10001}}", false},
        {"{\"limits\":{\"max_event_bytes\":1}}", true},
        {"{\"limits\":{\"max_event_bytes\":0}}", false},
        {"{\"limits\":{\"max_event_bytes\":-1}}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cfc_checker *c = cfc_checker_new(NULL);
        cfc_error err;
        cfc_check_status st =
            cfc_checker_configure(c, cases[i].config, strlen(cases[i].config), &err);
        cr_expect_eq(st, cases[i].ok ? CFC_CHECK_OK : CFC_CHECK_CONFIG, "%s", cases[i].config);
        cfc_checker_free(c);
    }
    /* And they take effect: depth 10000 configured, 10000 is fine. */
    cfc_checker *c = cfc_checker_new(NULL);
    static const char config[] = "{\"limits\":{\"max_depth\":10000}}";
    cfc_error err;
    cr_assert_eq(cfc_checker_configure(c, config, sizeof config - 1, &err), CFC_CHECK_OK);
    expect_depth_boundary(c, 10000);
    cfc_checker_free(c);
}
