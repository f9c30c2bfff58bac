/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
/* The edges of cfconform (issue 11): limits that must not wrap, size and
 * count options with one parser and documented caps, CRLF at the limit,
 * unreadable inputs among several, write errors on stdout, empty input. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfc/ndjson.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define GOOD                                                                                       \
    "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":5,\"timestamp\":\"2025-11-08T14:"   \
    "30:45.123Z\"}"

typedef struct seen {
    size_t lines, oversized, last_len;
    char last[256];
} seen;

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    (void)line;
    seen *s = ctx;
    s->lines++;
    s->last_len = len;
    if (bytes == NULL) {
        s->oversized++;
    } else {
        size_t n = len < sizeof s->last - 1 ? len : sizeof s->last - 1;
        memcpy(s->last, bytes, n);
        s->last[n] = '\0';
    }
    return 0;
}

/* max_line + 1 wrapped to 0: a realloc of 0 bytes, then a heap overflow
 * (ASan) or a double free (release) on a last line without a newline. */
Test(framer, a_limit_of_size_max_does_not_wrap)
{
    seen s = {0};
    cfc_framer *f = cfc_framer_new(SIZE_MAX, on_line, &s);
    cr_assert_not_null(f);
    cr_assert_eq(cfc_framer_feed(f, "{\"a\":", 5), 0);
    cr_assert_eq(cfc_framer_feed(f, "1}", 2), 0);
    cr_assert_eq(cfc_framer_finish(f), 0);
    cr_expect_eq(s.lines, 1);
    cr_expect_eq(s.oversized, 0);
    cr_expect_str_eq(s.last, "{\"a\":1}");
    cfc_framer_free(f);
}

static int feed(cfc_framer *f, const char *s)
{
    return cfc_framer_feed(f, s, strlen(s));
}

/* A reset framer frames the next input as a new one would: from line 1,
 * with nothing of the last input's unfinished or oversized line, under its
 * new limit (fuzz_ndjson_stream resets its framers for every input). */
Test(framer, a_reset_framer_starts_a_new_input)
{
    seen s = {0};
    cfc_framer *f = cfc_framer_new(8, on_line, &s);
    cr_assert_not_null(f);
    /* Left unfinished: an oversized line, then a line still held. */
    cr_assert_eq(feed(f, "{\"a\":123456}\r\n{\"b\""), 0);
    cr_assert_eq(s.lines, 1);
    cr_assert_eq(s.oversized, 1);
    cfc_framer_reset(f, 4);
    cr_expect_eq(cfc_framer_lines(f), 0);
    cr_assert_eq(feed(f, "{}\r"), 0);
    cr_assert_eq(feed(f, "\n[1]"), 0);
    cr_assert_eq(cfc_framer_finish(f), 0);
    cr_expect_eq(s.lines, 3);
    cr_expect_eq(s.oversized, 1);
    cr_expect_str_eq(s.last, "[1]");
    cr_expect_eq(cfc_framer_lines(f), 2);
    /* Over the new limit (4 bytes, and one more for a CR): an overflow the
     * last input left unfinished must not carry over into the next. */
    cr_assert_eq(feed(f, "123456"), 0);
    cfc_framer_reset(f, 4);
    cr_assert_eq(feed(f, "ab\n"), 0);
    cr_expect_eq(s.lines, 4);
    cr_expect_eq(s.oversized, 1);
    cr_expect_str_eq(s.last, "ab");
    cfc_framer_free(f);
}

/* The CR of a CRLF is not part of the event: exactly the limit passes with
 * CRLF as with LF, in one chunk or byte by byte; one byte more does not. */
Test(framer, an_event_of_exactly_the_limit_with_crlf_fits)
{
    const char *ev = "{\"a\":12}"; /* 8 bytes */
    const char *inputs[] = {"{\"a\":12}\r\n", "{\"a\":12}\n", "{\"a\":12}\r"};
    for (size_t k = 0; k < 3; k++) {
        for (int bytewise = 0; bytewise < 2; bytewise++) {
            seen s = {0};
            cfc_framer *f = cfc_framer_new(8, on_line, &s);
            cr_assert_not_null(f);
            const char *in = inputs[k];
            if (bytewise) {
                for (size_t i = 0; in[i]; i++)
                    cr_assert_eq(cfc_framer_feed(f, in + i, 1), 0);
            } else {
                /* Twice: once on the no-copy path, once after a partial line. */
                cr_assert_eq(cfc_framer_feed(f, in, strlen(in)), 0);
            }
            cr_assert_eq(cfc_framer_finish(f), 0);
            cr_expect_eq(s.lines, 1, "input %zu bytewise %d", k, bytewise);
            cr_expect_eq(s.oversized, 0, "input %zu bytewise %d", k, bytewise);
            cr_expect_str_eq(s.last, ev);
            cfc_framer_free(f);
        }
    }
    /* 9 bytes and a CRLF: too large, and its length is the event's. */
    for (int bytewise = 0; bytewise < 2; bytewise++) {
        seen s = {0};
        cfc_framer *f = cfc_framer_new(8, on_line, &s);
        const char *in = "{\"a\":123}\r\n{}\n";
        if (bytewise) {
            for (size_t i = 0; in[i]; i++)
                cr_assert_eq(cfc_framer_feed(f, in + i, 1), 0);
        } else {
            cr_assert_eq(cfc_framer_feed(f, in, strlen(in)), 0);
        }
        cr_assert_eq(cfc_framer_finish(f), 0);
        cr_expect_eq(s.oversized, 1);
        cr_expect_eq(s.lines, 2);
        cfc_framer_free(f);
        f = cfc_framer_new(8, on_line, &s);
        s = (seen){0};
        const char *big = "{\"a\":123}\r\n";
        for (size_t i = 0; big[i]; i++)
            cr_assert_eq(cfc_framer_feed(f, big + i, 1), 0);
        cr_expect_eq(s.oversized, 1);
        cr_expect_eq(s.last_len, 9, "the CR counted: %zu", s.last_len);
        cfc_framer_free(f);
    }
}

Test(check, crlf_at_the_limit_is_not_too_large)
{
    char *out;
    size_t n = strlen(GOOD);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "printf '%%s\\r\\n' '%s' | " CFC " check --max-event-bytes %zu", GOOD,
             n);
    cr_expect_eq(test_run(cmd, &out), 0, "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "printf '%%s\\r\\n' '%s' | " CFC " check --max-event-bytes %zu", GOOD,
             n - 1);
    cr_expect_eq(test_run(cmd, &out), 1, "%s", out);
    cr_expect_not_null(strstr(out, "too-large"), "%s", out);
    free(out);
}

/* Every size and count option, of every subcommand: the one parser, a
 * documented cap, an error that names the option. */
Test(options, sizes_and_counts_have_caps_and_name_the_option)
{
    static const struct {
        const char *cmd;
        const char *option;
    } cases[] = {
        {"check --max-event-bytes 18446744073709551615", "--max-event-bytes"},
        {"check --max-event-bytes 67108865", "--max-event-bytes"},
        {"check --max-event-bytes -1", "--max-event-bytes"},
        {"check --max-event-bytes ' 5'", "--max-event-bytes"},
        {"check --max-event-bytes 0", "--max-event-bytes"},
        {"check --max-depth 10001", "--max-depth"},
        {"check --project 9007199254740992", "--project"},
        {"watch --count 0 ws://x/", "--count"},
        {"watch --max-event-bytes 99999999999 ws://x/", "--max-event-bytes"},
        {"generate --max-event-bytes 18446744073709551615", "--max-event-bytes"},
        {"generate --max-depth 10001", "--max-depth"},
        {"generate --count -1", "--count"},
        {"certify --adapter true --timeout 3600001", "--timeout"},
        {"fuzz-exec --runs 0 -- true", "--runs"},
        {"fuzz-exec --max-len 67108865 -- true", "--max-len"},
        {"fuzz-exec --timeout 1e3 -- true", "--timeout"},
        {"fuzz-exec --rss-limit-mb 99999999999 -- true", "--rss-limit-mb"},
        {"fuzz-exec --max-failures 65 -- true", "--max-failures"},
        {"fuzz-exec --mix 1.5 -- true", "--mix"},
        {"fuzz-exec --max-time -3 -- true", "--max-time"},
        {"fuzz-exec --ok-exit 256 -- true", "--ok-exit"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char cmd[512], *out;
        snprintf(cmd, sizeof cmd, CFC " %s </dev/null 2>&1", cases[i].cmd);
        cr_expect_eq(test_run(cmd, &out), 2, "%s: %s", cases[i].cmd, out);
        cr_expect_not_null(strstr(out, cases[i].option), "%s: %s", cases[i].cmd, out);
        free(out);
    }
    /* The caps themselves are accepted. */
    char *out;
    cr_expect_eq(test_run("printf '%s\\n' '" GOOD "' | " CFC
                          " check --max-event-bytes 67108864 --max-depth 10000",
                          &out),
                 0, "%s", out);
    free(out);
}

/* generate --rule too-large with a huge limit grew to 7.7 GB: capped now,
 * and at the cap one event is the cap plus a little. */
Test(options, generate_too_large_is_bounded_by_the_cap)
{
    char *out;
    cr_expect_eq(test_run(CFC
                          " generate --rule too-large --count 1 --max-event-bytes 67108864 | wc -c",
                          &out),
                 0);
    long n = atol(out);
    cr_expect_gt(n, 67108864L, "%ld", n);
    cr_expect_lt(n, 67108864L + 4096, "%ld", n);
    free(out);
}

/* Runs `sh -c CMD` with stdout and stderr to separate strings. */
static int run_split(const char *cmd, char **out, char **err)
{
    char full[4096];
    char errf[] = "/tmp/cfc-edges-err-XXXXXX";
    int fd = mkstemp(errf);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(full, sizeof full, "( %s ) 2>%s", cmd, errf);
    int rc = test_run(full, out);
    *err = test_slurp(errf, NULL);
    unlink(errf);
    return rc;
}

static char tmpdir[] = "/tmp/cfc-edges-XXXXXX";

static void mk_tmpdir(void)
{
    cr_assert_not_null(mkdtemp(tmpdir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "printf '%%s\\n' '%s' > %s/good.ndjson", GOOD, tmpdir);
    cr_assert_eq(system(cmd), 0);
}

static void rm_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(io, .init = mk_tmpdir, .fini = rm_tmpdir);

/* A missing input among several: said, the others checked, exit 2 at the
 * end; in JUnit an error testcase, not a green "0 tests". */
Test(io, an_unreadable_input_does_not_stop_the_others)
{
    char cmd[1024], *out, *err;
    snprintf(cmd, sizeof cmd, CFC " check %s/missing.ndjson %s/good.ndjson", tmpdir, tmpdir);
    cr_expect_eq(run_split(cmd, &out, &err), 2, "%s", out);
    cr_expect_not_null(strstr(err, "missing.ndjson"), "%s", err);
    cr_expect_not_null(strstr(out, "the 1 event conforms"), "%s", out);
    cr_expect_not_null(strstr(out, "1 input could not be read"), "%s", out);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, CFC " check --format json %s/good.ndjson %s/missing.ndjson", tmpdir,
             tmpdir);
    cr_expect_eq(run_split(cmd, &out, &err), 2, "%s", out);
    cr_expect_not_null(strstr(out, "\"events\":1"), "%s", out);
    cr_expect_not_null(strstr(out, "\"unreadable\":1"), "%s", out);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd,
             CFC " check --format junit %s/missing.ndjson %s/good.ndjson > %s/r.xml; echo $?; "
                 "xmllint --noout --schema " CFC_SOURCE_DIR "/tests/junit.xsd %s/r.xml 2>&1",
             tmpdir, tmpdir, tmpdir, tmpdir);
    cr_expect_eq(run_split(cmd, &out, &err), 0, "%s", out);
    cr_expect_eq(atoi(out), 2, "%s", out);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "%s/r.xml", tmpdir);
    char *xml = test_slurp(cmd, NULL);
    cr_expect_not_null(strstr(xml, "<testsuites name=\"cfconform\" tests=\"2\" failures=\"0\" "
                                   "errors=\"1\">"),
                       "%s", xml);
    cr_expect_not_null(strstr(xml, "<error message=\"cannot read: No such file or directory\""),
                       "%s", xml);
    free(xml);
}

/* A write error on stdout is said, not only exit 2 in silence. */
Test(io, write_errors_on_stdout_are_said)
{
    static const char *cmds[] = {
        CFC " check %s/good.ndjson > /dev/full", CFC " rules > /dev/full",
        CFC " rules --format json > /dev/full",  CFC " explain blocked-count > /dev/full",
        CFC " watch --help > /dev/full",         CFC " generate --count 10 > /dev/full",
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char cmd[1024], *out, *err;
        snprintf(cmd, sizeof cmd, cmds[i], tmpdir);
        cr_expect_eq(run_split(cmd, &out, &err), 2, "%s", cmd);
        cr_expect_not_null(strstr(err, "cannot write to stdout: No space left on device"), "%s: %s",
                           cmd, err);
        free(out);
        free(err);
    }
    /* A closed pipe with SIGPIPE ignored (as under some CI runners and
     * Python's subprocess): EPIPE, said. */
    char cmd[1024], *out, *err;
    snprintf(cmd, sizeof cmd,
             CFC " generate --invalid --count 3000 > %s/bad.ndjson && "
                 "(trap '' PIPE; " CFC " check %s/bad.ndjson; echo rc=$? >&2) | true",
             tmpdir, tmpdir);
    run_split(cmd, &out, &err);
    cr_expect_not_null(strstr(err, "cannot write to stdout: Broken pipe"), "%s", err);
    cr_expect_not_null(strstr(err, "rc=2"), "%s", err);
    free(out);
    free(err);
}

/* Empty input: a warning, and --min-events to fail a gate on it. */
Test(io, empty_input_warns_and_min_events_fails_it)
{
    char cmd[1024], *out, *err;
    cr_expect_eq(run_split(CFC " check < /dev/null", &out, &err), 0);
    cr_expect_not_null(strstr(err, "warning: no events"), "%s", err);
    free(out);
    free(err);
    cr_expect_eq(run_split(CFC " check --min-events 1 < /dev/null", &out, &err), 1);
    cr_expect_not_null(strstr(err, "fewer than --min-events 1"), "%s", err);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, CFC " check --min-events 1 %s/good.ndjson", tmpdir);
    cr_expect_eq(run_split(cmd, &out, &err), 0, "%s", err);
    cr_expect_eq(err[0], '\0', "%s", err);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, CFC " check --min-events 2 %s/good.ndjson", tmpdir);
    cr_expect_eq(run_split(cmd, &out, &err), 1, "%s", err);
    free(out);
    free(err);
    cr_expect_eq(run_split(CFC " check --min-events x < /dev/null", &out, &err), 2);
    cr_expect_not_null(strstr(err, "--min-events"), "%s", err);
    free(out);
    free(err);
}
