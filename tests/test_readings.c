/* SPDX-License-Identifier: MIT */
/*
 * The two readings (issue 18): `check` reads each input as one stream by
 * default and each line alone with --events, and `generate | check` gives,
 * for every generator mode, exactly the findings its labels promise plus,
 * read as one stream, exactly the stream findings its independent events
 * draw. Every report format says which reading was used, and the summary
 * suggests --events when an input looks like independent events.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/check.h"
#include "cfc/stream.h"
#include "params.h"
#include "util.h"

#define CFCONFORM CFC_BINARY_DIR "/cfconform"

typedef struct extra {
    const char *rule;
    double count;
} extra;

/* Seed 5, 1000 events. The stream findings are those of this seed: events
 * made independently (an agent retired in one sample reappears in another,
 * timestamps are random) break stream rules when read as one stream. */
static const struct reading_case {
    const char *mode;
    bool events;
    int exit_code;
    const char *suggest; /* "true" / "false": the summary's suggest_events */
    extra stream_findings[4];
} cases[] = {
    {"--valid", true, 0, "false", {{0}}},
    {"--valid",
     false,
     1,
     "true",
     {{"agent-after-retired", 8}, {"attempt-sequence", 1}, {"ts-backwards", 498}}},
    {"--stream", true, 0, "false", {{0}}},
    {"--stream", false, 0, "false", {{0}}},
    {"--invalid", true, 1, "false", {{0}}},
    /* Stream findings are a minority here: no suggestion. */
    {"--invalid", false, 1, "false", {{"ts-backwards", 381}}},
    {"--mix 0.3", true, 1, "false", {{0}}},
    {"--mix 0.3", false, 1, "true", {{"agent-after-retired", 6}, {"ts-backwards", 466}}},
};

CFC_TABLE_TEST(readings, generate_piped_to_check_gives_exactly_the_expected_findings, cases)
{
    const struct reading_case *c = &cases[*cfc_index];
    char labels[256], cmd[1024];
    snprintf(labels, sizeof labels, CFC_BINARY_DIR "/test_readings_labels_%zu.txt", *cfc_index);
    snprintf(cmd, sizeof cmd,
             CFCONFORM " generate --count 1000 --seed 5 %s --labels %s 2>/dev/null | " CFCONFORM
                       " check %s --format json - > %s.json",
             c->mode, labels, c->events ? "--events" : "", labels);
    int rc = system(cmd);
    cr_assert(WIFEXITED(rc));
    cr_expect_eq(WEXITSTATUS(rc), c->exit_code, "%s %s", c->mode, c->events ? "--events" : "");

    /* What the findings must be: each event's line shows only the rule of
     * its label (a valid event none), as many times as the event breaks it;
     * stream findings aside, which number exactly this case's. */
    char path[300];
    snprintf(path, sizeof path, "%s.json", labels);
    char *out = test_slurp(path, NULL);
    char *l = test_slurp(labels, NULL);
    double want_stream[CFC_RULE_COUNT] = {0};
    for (const extra *e = c->stream_findings; e->rule; e++) {
        const cfc_rule_info *info = cfc_rule_find(e->rule);
        cr_assert(info && cfc_rule_is_stream(info->rule));
        want_stream[info->rule] = e->count;
    }
    double got_stream[CFC_RULE_COUNT] = {0};
    char *save_l = NULL, *save_o = NULL;
    char *label = strtok_r(l, "\n", &save_l);
    char *line = strtok_r(out, "\n", &save_o);
    size_t events = 0;
    for (; label && line;
         label = strtok_r(NULL, "\n", &save_l), line = strtok_r(NULL, "\n", &save_o), events++) {
        cJSON *ev = cJSON_Parse(line);
        cr_assert_not_null(ev, "%s", line);
        const cJSON *fs = cJSON_GetObjectItemCaseSensitive(ev, "findings");
        size_t own = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, fs)
        {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "rule"));
            const cfc_rule_info *info = cfc_rule_find(id);
            cr_assert_not_null(info, "%s", line);
            if (cfc_rule_is_stream(info->rule) && strcmp(label, id) != 0) {
                cr_expect_not(c->events, "--events gave stream finding %s", id);
                got_stream[info->rule]++;
                continue;
            }
            cr_expect_str_eq(id, label, "event %zu: %s", events + 1, line);
            own++;
        }
        cr_expect_eq(own > 0, strcmp(label, "valid") != 0, "event %zu (%s): %s", events + 1, label,
                     line);
        cJSON_Delete(ev);
    }
    cr_expect_eq(events, 1000);
    cr_assert_not_null(line, "the summary follows the events");
    cJSON *j = cJSON_Parse(line);
    cr_assert_not_null(j, "%s", line);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(j, "summary");
    const cJSON *reading = cJSON_GetObjectItemCaseSensitive(sum, "reading");
    cr_expect_str_eq(cJSON_GetStringValue(reading), c->events ? "events" : "stream");
    const cJSON *suggest = cJSON_GetObjectItemCaseSensitive(sum, "suggest_events");
    cr_expect_eq(cJSON_IsTrue(suggest), strcmp(c->suggest, "true") == 0, "%s", line);
    for (size_t r = 0; r < CFC_RULE_COUNT; r++)
        cr_expect_eq(got_stream[r], want_stream[r], "%s %s: %s found %g times, expected %g",
                     c->mode, c->events ? "--events" : "", cfc_rule_get((cfc_rule)r)->id,
                     got_stream[r], want_stream[r]);
    free(l);
    cJSON_Delete(j);
    free(out);
}

Test(readings, text_and_junit_say_which_reading_and_text_suggests_events)
{
    char *out;
    cr_expect_eq(test_run(CFCONFORM " generate --count 200 --seed 2 2>/dev/null | " CFCONFORM
                                    " check --color never -",
                          &out),
                 1);
    cr_expect_not_null(strstr(out, "read as:        one stream per input"), "%s", out);
    cr_expect_not_null(strstr(out, "hint: <stdin> looks like independent events"), "%s", out);
    cr_expect_not_null(strstr(out, "check with 'cfconform check --events'"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFCONFORM " generate --count 200 --seed 2 2>/dev/null | " CFCONFORM
                                    " check --events -",
                          &out),
                 0);
    cr_expect_str_eq(out, "all 200 events conform (read as independent events)\n");
    free(out);
    /* A real stream draws no hint, even with a stream finding. */
    cr_expect_eq(
        test_run(CFCONFORM " generate --stream --count 200 --seed 2 | " CFCONFORM " check -", &out),
        0);
    cr_expect_str_eq(out, "all 200 events conform (read as one stream per input)\n");
    free(out);
    cr_expect_eq(test_run(CFCONFORM " generate --count 20 --seed 2 2>/dev/null | " CFCONFORM
                                    " check --events --format junit -",
                          &out),
                 0);
    cr_expect_not_null(strstr(out, "<property name=\"reading\" value=\"events\"/>"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFCONFORM " generate --count 200 --seed 2 2>/dev/null | " CFCONFORM
                                    " check --format junit -",
                          &out),
                 1);
    cr_expect_not_null(strstr(out, "<property name=\"reading\" value=\"stream\"/>"), "%s", out);
    cr_expect_not_null(strstr(out, "<property name=\"suggest_events\" value=\"true\"/>"), "%s",
                       out);
    free(out);
}

Test(readings, stream_options_do_not_combine_with_events)
{
    char *err;
    cr_expect_eq(test_run(CFCONFORM " check --events --from-start /dev/null 2>&1", &err), 2);
    cr_expect_not_null(strstr(err, "--events"), "%s", err);
    free(err);
    cr_expect_eq(test_run(CFCONFORM " check --events --project 1 /dev/null 2>&1", &err), 2);
    cr_expect_not_null(strstr(err, "--events"), "%s", err);
    free(err);
    cr_expect_eq(test_run(CFCONFORM " watch --events --project 1 ws://127.0.0.1:1/ 2>&1", &err), 2);
    free(err);
}

Test(readings, generate_says_its_events_are_independent)
{
    char *err;
    cr_expect_eq(test_run(CFCONFORM " generate --count 1 2>&1 >/dev/null", &err), 0);
    cr_expect_not_null(strstr(err, "independent events"), "%s", err);
    cr_expect_not_null(strstr(err, "check --events"), "%s", err);
    free(err);
    cr_expect_eq(test_run(CFCONFORM " generate --stream --count 1 2>&1 >/dev/null", &err), 0);
    cr_expect_str_eq(err, "", "a stream is a stream: nothing to say");
    free(err);
    char *help;
    cr_expect_eq(test_run(CFCONFORM " generate --help", &help), 0);
    cr_expect_not_null(strstr(help, "independent events"), "%s", help);
    cr_expect_not_null(strstr(help, "'cfconform check --events'"), "%s", help);
    free(help);
    cr_expect_eq(test_run(CFCONFORM " check --help", &help), 0);
    cr_expect_not_null(strstr(help, "--events"), "%s", help);
    free(help);
}

Test(readings, stream_rules_are_the_catalogue_s_rules)
{
    size_t n = 0;
    for (size_t r = 0; r < CFC_RULE_COUNT; r++) {
        const cfc_rule_info *info = cfc_rule_get((cfc_rule)r);
        bool s = cfc_rule_is_stream((cfc_rule)r);
        n += s;
        /* ts-backwards is T4 and S6; every other stream rule is S only. */
        cr_expect_eq(s, info->reference[0] == 'S' || strcmp(info->id, "ts-backwards") == 0, "%s",
                     info->id);
    }
    cr_expect_eq(n, 8, "S1-S7 give eight rules");
}

Test(readings, watch_events_reads_each_message_alone_and_says_so)
{
    /* The reference server plays its scenario (233 events) and closes. */
    char *out;
    int rc = test_run("d=$(mktemp -d); " CFC_BINARY_DIR
                      "/cfc-demo serve --port 0 --fixed-clock > \"$d/url\" 2>/dev/null & srv=$!; "
                      "for i in $(seq 100); do [ -s \"$d/url\" ] && break; sleep 0.1; done; "
                      "timeout 60 " CFCONFORM " watch --events --duration 30 --format json "
                      "\"$(head -n 1 \"$d/url\")\" > \"$d/out\" 2>/dev/null; rc=$?; "
                      "tail -n 1 \"$d/out\"; kill $srv 2>/dev/null; rm -rf \"$d\"; exit $rc",
                      &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "{\"summary\":{\"events\":233,\"ok\":233,\"errors\":0,"), "%s",
                       out);
    cr_expect_not_null(strstr(out, "\"reading\":\"events\""), "%s", out);
    free(out);
}
