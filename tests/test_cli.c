/* SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700
/* cfconform as a user runs it: exit codes, formats, stdin, files, CRLF,
 * oversized lines, the JSON Lines shape, JUnit against its schema. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define GOOD                                                                                       \
    "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":5,\"timestamp\":\"2025-11-08T14:"   \
    "30:45.123Z\"}"
#define BAD                                                                                        \
    "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43],\"blocked_" \
    "count\":3,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}"
#define WARN "{\"type\":\"heartbeat\",\"project_id\":1,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}"

static char dir[] = "/tmp/cfc-cli-XXXXXX";

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

TestSuite(cli, .init = setup, .fini = teardown);

static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[8][256];
    static int k;
    char *p = path[k++ % 8];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(content, 1, len, f), len);
    fclose(f);
    return p;
}

static int runf(char **out, const char *fmt, const char *a, const char *b)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, fmt, a, b);
    return test_run(cmd, out);
}

Test(cli, exit_codes)
{
    const char *good = write_file("good.ndjson", GOOD "\n" GOOD "\n", strlen(GOOD) * 2 + 2);
    const char *bad = write_file("bad.ndjson", GOOD "\n" BAD "\n", strlen(GOOD BAD) + 2);
    const char *warn = write_file("warn.ndjson", WARN "\n", strlen(WARN) + 1);
    cr_expect_eq(runf(NULL, CFC " check %s%s >/dev/null", good, ""), 0);
    cr_expect_eq(runf(NULL, CFC " check %s%s >/dev/null", bad, ""), 1);
    cr_expect_eq(runf(NULL, CFC " check %s%s >/dev/null", warn, ""), 0, "warnings alone pass");
    cr_expect_eq(runf(NULL, CFC " check --strict %s%s >/dev/null", warn, ""), 1);
    cr_expect_eq(runf(NULL, CFC " check --fail-on warning %s%s >/dev/null", warn, ""), 1);
    cr_expect_eq(runf(NULL, CFC " check %s %s >/dev/null", good, bad), 1, "multiple files");
    cr_expect_eq(runf(NULL, CFC " check %s/missing.ndjson%s >/dev/null 2>&1", dir, ""), 2);
    cr_expect_eq(runf(NULL, CFC " check --format yaml %s%s >/dev/null 2>&1", good, ""), 2);
    cr_expect_eq(runf(NULL, CFC " check --bogus %s%s >/dev/null 2>&1", good, ""), 2);
    cr_expect_eq(runf(NULL, CFC " check %s%s >/dev/full 2>/dev/null", good, ""), 2,
                 "a write error on stdout is exit 2");
    cr_expect_eq(runf(NULL, CFC " frobnicate%s%s 2>/dev/null", "", ""), 2);
    cr_expect_eq(test_run(CFC " --help >/dev/null", NULL), 0);
    cr_expect_eq(test_run(CFC " check --help >/dev/null", NULL), 0);
}

Test(cli, help_documents_exit_codes_and_options)
{
    char *out;
    cr_assert_eq(test_run(CFC " --help", &out), 0);
    cr_expect_not_null(strstr(out, "exit codes: 0 no errors, 1 errors found"));
    cr_expect_not_null(strstr(out, "--max-event-bytes"));
    cr_expect_not_null(strstr(out, "--fail-on"));
    free(out);
}

Test(cli, text_format_lines)
{
    const char *bad = write_file("bad.ndjson", GOOD "\r\n\r\n" BAD "\r\n", strlen(GOOD BAD) + 6);
    char *out;
    cr_assert_eq(runf(&out, CFC " check --color never %s%s", bad, ""), 1);
    char want[512];
    snprintf(want, sizeof want,
             "%s:3:89: error[blocked-count] /blocked_count: blocked_count is 3 but blocked_by has "
             "2 items\n",
             bad);
    cr_expect_eq(strncmp(out, want, strlen(want)), 0, "got:\n%s", out);
    cr_expect_null(strstr(out, "\x1b["), "no colour when not asked");
    free(out);
    cr_assert_eq(runf(&out, CFC " check --color always %s%s", bad, ""), 1);
    cr_expect_not_null(strstr(out, "\x1b["));
    free(out);
    cr_assert_eq(runf(&out, "NO_COLOR=1 " CFC " check %s%s", bad, ""), 1);
    cr_expect_null(strstr(out, "\x1b["));
    free(out);
}

Test(cli, stdin_and_dash)
{
    char *out;
    cr_assert_eq(test_run("printf '%s\\n' '" BAD "' | " CFC " check --format json", &out), 1);
    cr_expect_not_null(strstr(out, "\"file\":\"<stdin>\""), "%s", out);
    free(out);
    cr_assert_eq(test_run("printf '%s' '" GOOD "' | " CFC " check - --quiet", &out), 0,
                 "a last line without newline counts");
    cr_expect_not_null(strstr(out, "1 event"), "%s", out);
    free(out);
}

Test(cli, json_lines_shape)
{
    const char *f =
        write_file("mix.ndjson", GOOD "\n" BAD "\n" WARN "\n[1]\n", strlen(GOOD BAD WARN) + 7);
    char *out;
    cr_assert_eq(runf(&out, CFC " check --format json %s%s", f, ""), 1);
    cJSON *lines[8];
    int n = 0;
    for (char *l = strtok(out, "\n"); l && n < 8; l = strtok(NULL, "\n")) {
        lines[n] = cJSON_Parse(l);
        cr_assert_not_null(lines[n], "not JSON: %s", l);
        n++;
    }
    cr_assert_eq(n, 5, "4 events + summary");
    /* {"file","line","type","ok","findings":[{"rule","severity","path","offset","message"}]} */
    cJSON *bad = lines[1];
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(bad, "file")->valuestring, f);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(bad, "line")->valueint, 2);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(bad, "type")->valuestring, "task_blocked");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(bad, "ok")));
    cJSON *fd = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(bad, "findings"), 0);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(fd, "rule")->valuestring, "blocked-count");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(fd, "severity")->valuestring, "error");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(fd, "path")->valuestring, "/blocked_count");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(fd, "offset")->valueint, 88);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(fd, "message")->valuestring,
                     "blocked_count is 3 but blocked_by has 2 items");
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lines[0], "ok")));
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(lines[0], "findings")), 0);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lines[2], "ok")), "warnings only");
    cr_expect(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(lines[3], "type")));
    cJSON *sum = cJSON_GetObjectItemCaseSensitive(lines[4], "summary");
    cr_assert_not_null(sum);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "events")->valueint, 4);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "ok")->valueint, 2);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "errors")->valueint, 2);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "warnings")->valueint, 1);
    cJSON *by = cJSON_GetObjectItemCaseSensitive(sum, "by_rule");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(by, "blocked-count")->valueint, 1);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(by, "not-object")->valueint, 1);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(by, "unknown-type")->valueint, 1);
    for (int i = 0; i < n; i++)
        cJSON_Delete(lines[i]);
    free(out);
}

Test(cli, junit_validates_against_schema)
{
    const char *a = write_file("a.ndjson", GOOD "\n" BAD "\n", strlen(GOOD BAD) + 2);
    const char *b = write_file("b&<.ndjson", WARN "\n\xC0\xAF\x01\n", strlen(WARN) + 4);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, CFC " check --format junit '%s' '%s' > %s/out.xml", a, b, dir);
    cr_expect_eq(test_run(cmd, NULL), 1);
    snprintf(cmd, sizeof cmd,
             "xmllint --noout --schema " CFC_SOURCE_DIR "/tests/junit.xsd %s/out.xml 2>&1", dir);
    char *out;
    cr_expect_eq(test_run(cmd, &out), 0, "xmllint: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "cat %s/out.xml", dir);
    test_run(cmd, &out);
    cr_expect_not_null(strstr(out, "name=\"line 2: task_blocked\""), "%s", out);
    cr_expect_not_null(strstr(out, "<testsuites"), "%s", out);
    cr_expect_eq(strstr(out, "<testsuite ") != strrchr(out, '<'), 1);
    free(out);
}

Test(cli, oversized_line_then_resync)
{
    size_t big = 3000;
    char *content = malloc(big + 2 * sizeof(GOOD) + 4);
    size_t n = 0;
    memcpy(content, GOOD "\n", strlen(GOOD) + 1);
    n += strlen(GOOD) + 1;
    memset(content + n, 'x', big);
    n += big;
    content[n++] = '\n';
    memcpy(content + n, GOOD "\n", strlen(GOOD) + 1);
    n += strlen(GOOD) + 1;
    const char *f = write_file("big.ndjson", content, n);
    free(content);
    char *out;
    cr_assert_eq(runf(&out, CFC " check --max-event-bytes 1000 --format json %s%s", f, ""), 1);
    cr_expect_not_null(strstr(out, "\"line\":2,\"type\":null,\"ok\":false"), "%s", out);
    cr_expect_not_null(strstr(out, "too-large"), "%s", out);
    cr_expect_not_null(strstr(out, "\"line\":3,\"type\":\"task_unblocked\",\"ok\":true"), "%s",
                       out);
    free(out);
}

Test(cli, binary_garbage_keeps_going)
{
    const char junk[] = "\x00\xff\xfe{{{\n" GOOD "\n\x1b[31m\n";
    const char *f = write_file("junk.ndjson", junk, sizeof junk - 1);
    char *out;
    cr_assert_eq(runf(&out, CFC " check --format json %s%s", f, ""), 1);
    cr_expect_not_null(strstr(out, "\"events\":3"), "%s", out);
    cr_expect_not_null(strstr(out, "\"ok\":1"), "%s", out);
    free(out);
}

Test(cli, config_file)
{
    const char *warn = write_file("w.ndjson", WARN "\n", strlen(WARN) + 1);
    const char *cfg_text = "{\"rules\":{\"unknown-type\":\"error\"}}";
    const char *cfg = write_file("c.json", cfg_text, strlen(cfg_text));
    const char *bad_cfg = write_file("bad.json", "{\"rulez\":{}}", 12);
    cr_expect_eq(runf(NULL, CFC " check --config %s %s >/dev/null", cfg, warn), 1);
    char *out;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, CFC " check --config %s %s 2>&1 >/dev/null", bad_cfg, warn);
    cr_expect_eq(test_run(cmd, &out), 2);
    cr_expect_not_null(strstr(out, "unknown key"), "%s", out);
    free(out);
}

Test(cli, rules_and_explain)
{
    char *out;
    cr_assert_eq(test_run(CFC " rules", &out), 0);
    cr_expect_not_null(strstr(out, "blocked-count"));
    free(out);
    cr_assert_eq(test_run(CFC " rules --format json", &out), 0);
    cJSON *j = cJSON_Parse(out);
    cr_assert(cJSON_IsArray(j), "%s", out);
    cr_expect_gt(cJSON_GetArraySize(j), 40);
    cJSON_Delete(j);
    free(out);
    cr_assert_eq(test_run(CFC " explain ts-fraction", &out), 0);
    cr_expect_not_null(strstr(out, "T1, T3"), "%s", out);
    cr_expect_not_null(strstr(out, "-> error[ts-fraction] /timestamp: timestamp \""), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFC " explain no-such-rule 2>/dev/null", NULL), 2);
}

Test(cli, demo_output_conforms)
{
    char *out;
    cr_assert_eq(test_run(CFC_BINARY_DIR "/cfc-demo --fixed-clock | " CFC
                                         " check --from-start --strict",
                          &out),
                 0, "%s", out);
    cr_expect_not_null(strstr(out, "all 233 events conform"), "%s", out);
    free(out);
}

/* Stream rules: on by default, each file its own stream; --from-start and
 * --project add S1, S3's first part and S7; explain runs a stream example. */
#define RETIRE_A                                                                                   \
    "{\"type\":\"agent_retired\",\"project_id\":1,\"agent_id\":\"a\",\"tasks_completed\":0,"       \
    "\"timestamp\":\"2025-11-08T14:30:46.000Z\"}"
#define STATUS_A                                                                                   \
    "{\"type\":\"agent_status_changed\",\"project_id\":1,\"agent_id\":\"a\",\"status\":\"idle\","  \
    "\"timestamp\":\"2025-11-08T14:30:47.000Z\"}"
Test(cli, stream_rules_per_file)
{
    const char *one =
        write_file("one.ndjson", RETIRE_A "\n" STATUS_A "\n", strlen(RETIRE_A STATUS_A) + 2);
    const char *two = write_file("two.ndjson", STATUS_A "\n", strlen(STATUS_A) + 1);
    char *out;
    cr_assert_eq(runf(&out, CFC " check --color never %s %s", one, two), 1);
    char want[512];
    int col = (int)(strstr(STATUS_A, "\"agent_id\":") - STATUS_A) + 12;
    snprintf(want, sizeof want,
             "%s:2:%d: error[agent-after-retired] /agent_id: agent \"a\" was "
             "retired earlier in the stream",
             one, col);
    cr_expect_not_null(strstr(out, want), "%s", out);
    cr_expect_null(strstr(out, "two.ndjson:1"), "a new stream per file: %s", out);
    cr_expect_null(strstr(out, "agent-before-created"), "S1 needs --from-start: %s", out);
    free(out);
    cr_assert_eq(runf(&out, CFC " check --from-start --color never %s%s", two, ""), 0);
    snprintf(want, sizeof want, "two.ndjson:1:%d: warning[agent-before-created] /agent_id", col);
    cr_expect_not_null(strstr(out, want), "%s", out);
    free(out);
    cr_expect_eq(runf(NULL, CFC " check --project 1 %s%s >/dev/null", two, ""), 0);
    cr_expect_eq(runf(NULL, CFC " check --project=2 %s%s >/dev/null", two, ""), 1);
    cr_expect_eq(runf(NULL, CFC " check --project 0 %s%s >/dev/null 2>&1", two, ""), 2);
    cr_expect_eq(runf(NULL, CFC " check --project 9007199254740992 %s%s >/dev/null 2>&1", two, ""),
                 2);
    cr_expect_eq(runf(NULL, CFC " check --from-start=yes %s%s >/dev/null 2>&1", two, ""), 2);
    cr_assert_eq(test_run(CFC " check --help", &out), 0);
    cr_expect_not_null(strstr(out, "--from-start"), "%s", out);
    cr_expect_not_null(strstr(out, "--project N"), "%s", out);
    free(out);
    cr_assert_eq(test_run(CFC " explain ts-backwards", &out), 0);
    cr_expect_not_null(strstr(out, "-> line 2: warning[ts-backwards] /timestamp: timestamp "
                                   "2025-11-08T14:30:45.123Z is earlier"),
                       "%s", out);
    free(out);
}
