/* SPDX-License-Identifier: MIT */
/* The reference broadcasters: the contract's examples byte for byte,
 * optional fields, refusals (R3), failures (R2), percentages (R4), exact
 * integers (R7). */
#include <criterion/criterion.h>
#include "params.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls.h"
#include "capture.h"
#include "cfc/reference.h"
#include "util.h"

/* Compact form of a pretty-printed JSON text: drop whitespace outside
 * strings. The contract's examples use no escapes inside strings. */
static void compact(const char *in, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    int in_string = 0;
    for (size_t i = 0; i < len && o + 1 < cap; i++) {
        char c = in[i];
        if (c == '"' && (i == 0 || in[i - 1] != '\\'))
            in_string = !in_string;
        if (!in_string && (c == ' ' || c == '\n' || c == '\t' || c == '\r'))
            continue;
        out[o++] = c;
    }
    out[o] = '\0';
}

/* The broadcaster call that should reproduce each of the contract's examples. */
static cfc_status call_for_example(const char *type, const cfc_manager *m)
{
    if (strcmp(type, "agent_created") == 0)
        return cfc_broadcast_agent_created(m, 1, "backend-worker-001", "backend", 0);
    if (strcmp(type, "agent_retired") == 0)
        return cfc_broadcast_agent_retired(m, 1, "backend-worker-001", 5);
    if (strcmp(type, "agent_status_changed") == 0)
        return cfc_broadcast_agent_status(m, 1, "backend-worker-001", "working", &(int64_t){42},
                                          "Create API endpoint for user registration",
                                          &(int64_t){50});
    if (strcmp(type, "task_assigned") == 0)
        return cfc_broadcast_task_assigned(m, 1, 42, "backend-worker-001", "Create API endpoint");
    if (strcmp(type, "task_status_changed") == 0)
        return cfc_broadcast_task_status(m, 1, 42, "in_progress", "backend-worker-001",
                                         &(int64_t){25});
    if (strcmp(type, "task_blocked") == 0)
        return cfc_broadcast_task_blocked(m, 1, 45, (const int64_t[]){42, 43}, 2,
                                          "Create user dashboard component");
    if (strcmp(type, "task_unblocked") == 0)
        return cfc_broadcast_task_unblocked(m, 1, 45, &(int64_t){42},
                                            "Create user dashboard component");
    cr_assert_fail("no call for example of %s", type);
    return CFC_INVALID;
}

Test(reference, contract_examples_byte_for_byte)
{
    char *doc = test_slurp(CFC_SOURCE_DIR "/docs/websocket-event-contracts.md", NULL);
    int examples = 0;
    for (char *p = strstr(doc, "```json\n"); p; p = strstr(p, "```json\n")) {
        p += 8;
        char *end = strstr(p, "```");
        char expected[2048];
        compact(p, (size_t)(end - p), expected, sizeof expected);
        p = end;

        char type[64], ts[32];
        cr_assert_eq(sscanf(strstr(expected, "\"type\":"), "\"type\":\"%63[^\"]", type), 1);
        cr_assert_eq(sscanf(strstr(expected, "\"timestamp\":"), "\"timestamp\":\"%31[^\"]", ts), 1);

        capture c;
        capture_init(&c);
        cr_assert_eq(cfc_timestamp_parse(ts, strlen(ts), &c.now_ms), 0);
        cr_assert_eq(call_for_example(type, &c.m), CFC_OK, "%s: %s", type, c.log);
        cr_expect_eq(c.sends, 1);
        cr_expect_str_eq(c.last, expected, "%s differs from the contract's example", type);
        cr_expect_eq(c.last_len, strlen(expected));
        examples++;
    }
    free(doc);
    cr_expect_eq(examples, 7, "the contract has 7 JSON examples, found %d", examples);
}

/* Optional arguments absent: the field is omitted, never null. */
typedef struct optional_case {
    call_fn full;
    call_fn bare;
    const char *fields[3];
} optional_case;

static const optional_case optional_cases[] = {
    {full_agent_status, bare_agent_status, {"\"current_task\"", "\"progress\"", NULL}},
    {full_task_assigned, bare_task_assigned, {"\"task_title\"", NULL}},
    {full_task_status, bare_task_status, {"\"agent_id\"", "\"progress\"", NULL}},
    {full_task_blocked, bare_task_blocked, {"\"task_title\"", NULL}},
    {full_task_unblocked, bare_task_unblocked, {"\"unblocked_by\"", "\"task_title\"", NULL}},
    {full_activity_update, bare_activity_update, {"\"task_id\"", "\"agent_id\"", NULL}},
    {full_correction_attempt, bare_correction_attempt, {"\"error_summary\"", NULL}},
};

CFC_TABLE_TEST(reference, optional_fields_present_and_absent, optional_cases)
{
    const optional_case *oc = &optional_cases[*cfc_index];
    capture c;
    capture_init(&c);
    cr_assert_eq(oc->full(&c.m), CFC_OK, "%s", c.log);
    for (int i = 0; oc->fields[i]; i++)
        cr_expect_not_null(strstr(c.last, oc->fields[i]), "%s missing from %s", oc->fields[i],
                           c.last);
    cr_assert_eq(oc->bare(&c.m), CFC_OK, "%s", c.log);
    for (int i = 0; oc->fields[i]; i++)
        cr_expect_null(strstr(c.last, oc->fields[i]), "%s present in %s", oc->fields[i], c.last);
    cr_expect_null(strstr(c.last, "null"), "%s", c.last);
    cr_expect_eq(c.errors, 0);
}

Test(reference, optional_fields_exact_text)
{
    capture c;
    capture_init(&c);
    cr_assert_eq(bare_task_unblocked(&c.m), CFC_OK);
    cr_expect_str_eq(c.last, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":45,"
                             "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(full_test_result(&c.m), CFC_OK);
    cr_expect_str_eq(c.last, "{\"type\":\"test_result\",\"project_id\":1,\"task_id\":42,"
                             "\"status\":\"failed\",\"passed\":10,\"failed\":2,\"errors\":1,"
                             "\"skipped\":3,\"duration\":12.5,"
                             "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(full_activity_update(&c.m), CFC_OK);
    cr_expect_str_eq(c.last, "{\"type\":\"activity_update\",\"project_id\":1,"
                             "\"activity_type\":\"task\",\"message\":\"Started task 42\","
                             "\"task_id\":42,\"agent_id\":\"backend-worker-001\","
                             "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(full_correction_attempt(&c.m), CFC_OK);
    cr_expect_str_eq(c.last, "{\"type\":\"correction_attempt\",\"project_id\":1,\"task_id\":42,"
                             "\"attempt_number\":2,\"max_attempts\":3,\"status\":\"failed\","
                             "\"error_summary\":\"TypeError: x is None\","
                             "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(full_progress_update(&c.m), CFC_OK);
    cr_expect_str_eq(c.last, "{\"type\":\"progress_update\",\"project_id\":1,\"completed\":3,"
                             "\"total\":8,\"percentage\":38,"
                             "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(c.project_id, 1);
}

/* R3: refused, a distinct status, one ERROR line naming the argument,
 * nothing sent. */
typedef struct refusal {
    const char *what; /* appears in the log line */
    cfc_status (*call)(const cfc_manager *m);
} refusal;

#define R(name, what, body)                                                                        \
    static cfc_status name(const cfc_manager *m)                                                   \
    {                                                                                              \
        return body;                                                                               \
    }
R(r_project0, "project_id", cfc_broadcast_agent_retired(m, 0, "a", 1))
R(r_project_big, "project_id", cfc_broadcast_agent_retired(m, 9007199254740992, "a", 1))
R(r_agent_null, "agent_id", cfc_broadcast_agent_created(m, 1, NULL, "backend", 0))
R(r_agent_empty, "agent_id", cfc_broadcast_agent_created(m, 1, "", "backend", 0))
R(r_agent_utf8, "agent_id", cfc_broadcast_agent_created(m, 1, "w\xC0\xAF", "backend", 0))
R(r_agent_type, "agent_type", cfc_broadcast_agent_created(m, 1, "a", "robot", 0))
R(r_agent_type_case, "agent_type", cfc_broadcast_agent_created(m, 1, "a", "Backend", 0))
R(r_created_tasks, "tasks_completed", cfc_broadcast_agent_created(m, 1, "a", "test", 3))
R(r_retired_neg, "tasks_completed", cfc_broadcast_agent_retired(m, 1, "a", -1))
R(r_status, "status", cfc_broadcast_agent_status(m, 1, "a", "sleeping", NULL, NULL, NULL))
R(r_status_null, "status", cfc_broadcast_agent_status(m, 1, "a", NULL, NULL, NULL, NULL))
R(r_current_idle, "current_task",
  cfc_broadcast_agent_status(m, 1, "a", "idle", &(int64_t){4}, "t", NULL))
R(r_current_no_title, "current_task_title",
  cfc_broadcast_agent_status(m, 1, "a", "working", &(int64_t){4}, NULL, NULL))
R(r_title_no_id, "current_task_id",
  cfc_broadcast_agent_status(m, 1, "a", "working", NULL, "t", NULL))
R(r_current_id0, "current_task_id",
  cfc_broadcast_agent_status(m, 1, "a", "working", &(int64_t){0}, "t", NULL))
R(r_agent_progress, "progress",
  cfc_broadcast_agent_status(m, 1, "a", "working", NULL, NULL, &(int64_t){150}))
R(r_agent_progress_neg, "progress",
  cfc_broadcast_agent_status(m, 1, "a", "working", NULL, NULL, &(int64_t){-1}))
R(r_assigned_task0, "task_id", cfc_broadcast_task_assigned(m, 1, 0, "a", NULL))
R(r_assigned_agent, "agent_id", cfc_broadcast_task_assigned(m, 1, 5, NULL, NULL))
R(r_title_utf8, "task_title", cfc_broadcast_task_assigned(m, 1, 5, "a", "\xED\xA0\x80"))
R(r_task_status, "status", cfc_broadcast_task_status(m, 1, 5, "done", NULL, NULL))
R(r_task_agent_empty, "agent_id", cfc_broadcast_task_status(m, 1, 5, "pending", "", NULL))
R(r_completed_50, "progress", cfc_broadcast_task_status(m, 1, 5, "completed", NULL, &(int64_t){50}))
R(r_pending_10, "progress", cfc_broadcast_task_status(m, 1, 5, "pending", NULL, &(int64_t){10}))
R(r_blocked_empty, "blocked_by", cfc_broadcast_task_blocked(m, 1, 5, (const int64_t[]){1}, 0, NULL))
R(r_blocked_null, "blocked_by", cfc_broadcast_task_blocked(m, 1, 5, NULL, 2, NULL))
R(r_blocked_self, "blocked_by",
  cfc_broadcast_task_blocked(m, 1, 5, (const int64_t[]){4, 5}, 2, NULL))
R(r_blocked_dup, "blocked_by",
  cfc_broadcast_task_blocked(m, 1, 5, (const int64_t[]){4, 4}, 2, NULL))
R(r_blocked_zero, "blocked_by",
  cfc_broadcast_task_blocked(m, 1, 5, (const int64_t[]){4, 0}, 2, NULL))
R(r_unblocked_self, "unblocked_by", cfc_broadcast_task_unblocked(m, 1, 5, &(int64_t){5}, NULL))
R(r_unblocked_zero, "unblocked_by", cfc_broadcast_task_unblocked(m, 1, 5, &(int64_t){0}, NULL))
R(r_test_status, "status", cfc_broadcast_test_result(m, 1, 5, "PASSED", 1, 0, 0, 0, 1.0))
R(r_test_passed_fail, "failed", cfc_broadcast_test_result(m, 1, 5, "passed", 1, 1, 0, 0, 1.0))
R(r_test_failed_none, "failed", cfc_broadcast_test_result(m, 1, 5, "failed", 3, 0, 0, 0, 1.0))
R(r_test_no_tests, "no_tests", cfc_broadcast_test_result(m, 1, 5, "no_tests", 3, 0, 0, 0, 1.0))
R(r_test_neg, "errors", cfc_broadcast_test_result(m, 1, 5, "error", 0, 0, -2, 0, 1.0))
R(r_test_skipped, "skipped", cfc_broadcast_test_result(m, 1, 5, "passed", 1, 0, 0, -1, 1.0))
R(r_duration_neg, "duration", cfc_broadcast_test_result(m, 1, 5, "passed", 1, 0, 0, 0, -0.5))
R(r_duration_nan, "duration", cfc_broadcast_test_result(m, 1, 5, "passed", 1, 0, 0, 0, NAN))
R(r_duration_inf, "duration", cfc_broadcast_test_result(m, 1, 5, "passed", 1, 0, 0, 0, INFINITY))
R(r_activity_empty, "message_text", cfc_broadcast_activity_update(m, 1, "task", NULL, "", NULL))
R(r_activity_null, "message_text", cfc_broadcast_activity_update(m, 1, "task", NULL, NULL, NULL))
R(r_activity_type, "activity_type", cfc_broadcast_activity_update(m, 1, "", NULL, "x", NULL))
R(r_activity_agent, "agent_id", cfc_broadcast_activity_update(m, 1, "task", "", "x", NULL))
R(r_activity_task, "task_id",
  cfc_broadcast_activity_update(m, 1, "task", NULL, "x", &(int64_t){-7}))
R(r_attempt0, "attempt_number", cfc_broadcast_correction_attempt(m, 1, 5, 0, 3, "failed", NULL))
R(r_attempt_over, "max_attempts", cfc_broadcast_correction_attempt(m, 1, 5, 4, 3, "failed", NULL))
R(r_max0, "max_attempts", cfc_broadcast_correction_attempt(m, 1, 5, 1, 0, "failed", NULL))
R(r_corr_status, "status", cfc_broadcast_correction_attempt(m, 1, 5, 1, 3, "done", NULL))
R(r_summary_success, "error_summary",
  cfc_broadcast_correction_attempt(m, 1, 5, 1, 3, "success", "boom"))
R(r_progress_over, "completed", cfc_broadcast_progress_update(m, 1, 5, 4, NULL))
R(r_progress_neg, "total", cfc_broadcast_progress_update(m, 1, 0, -4, NULL))
R(r_pct_150, "percentage", cfc_broadcast_progress_update(m, 1, 1, 1, &(int64_t){150}))
R(r_pct_wrong, "percentage", cfc_broadcast_progress_update(m, 1, 1, 3, &(int64_t){50}))
R(r_pct_zero_total, "percentage", cfc_broadcast_progress_update(m, 1, 0, 0, &(int64_t){100}))

static const refusal refusals[] = {
    {"project_id", r_project0},
    {"project_id", r_project_big},
    {"agent_id", r_agent_null},
    {"agent_id", r_agent_empty},
    {"agent_id", r_agent_utf8},
    {"agent_type", r_agent_type},
    {"agent_type", r_agent_type_case},
    {"tasks_completed", r_created_tasks},
    {"tasks_completed", r_retired_neg},
    {"status", r_status},
    {"status", r_status_null},
    {"current_task", r_current_idle},
    {"current_task_title", r_current_no_title},
    {"current_task_id", r_title_no_id},
    {"current_task_id", r_current_id0},
    {"progress", r_agent_progress},
    {"progress", r_agent_progress_neg},
    {"task_id", r_assigned_task0},
    {"agent_id", r_assigned_agent},
    {"task_title", r_title_utf8},
    {"status", r_task_status},
    {"agent_id", r_task_agent_empty},
    {"progress", r_completed_50},
    {"progress", r_pending_10},
    {"blocked_by", r_blocked_empty},
    {"blocked_by", r_blocked_null},
    {"blocked_by", r_blocked_self},
    {"blocked_by", r_blocked_dup},
    {"blocked_by", r_blocked_zero},
    {"unblocked_by", r_unblocked_self},
    {"unblocked_by", r_unblocked_zero},
    {"status", r_test_status},
    {"failed", r_test_passed_fail},
    {"failed", r_test_failed_none},
    {"no_tests", r_test_no_tests},
    {"errors", r_test_neg},
    {"skipped", r_test_skipped},
    {"duration", r_duration_neg},
    {"duration", r_duration_nan},
    {"duration", r_duration_inf},
    {"message_text", r_activity_empty},
    {"message_text", r_activity_null},
    {"activity_type", r_activity_type},
    {"agent_id", r_activity_agent},
    {"task_id", r_activity_task},
    {"attempt_number", r_attempt0},
    {"max_attempts", r_attempt_over},
    {"max_attempts", r_max0},
    {"status", r_corr_status},
    {"error_summary", r_summary_success},
    {"completed", r_progress_over},
    {"total", r_progress_neg},
    {"percentage", r_pct_150},
    {"percentage", r_pct_wrong},
    {"percentage", r_pct_zero_total},
};

CFC_TABLE_TEST(reference, refusals, refusals)
{
    const refusal *r = &refusals[*cfc_index];
    capture c;
    capture_init(&c);
    cr_expect_eq(r->call(&c.m), CFC_REFUSED);
    cr_expect_eq(c.sends, 0, "nothing may be sent; got %s", c.last);
    cr_expect_eq(c.errors, 1);
    cr_expect_not_null(strstr(c.log, r->what), "log line does not name %s: %s", r->what, c.log);
    cr_expect_not_null(strstr(c.log, "Refused to broadcast"), "%s", c.log);
}

Test(reference, refusal_messages_are_bounded_and_printable)
{
    capture c;
    capture_init(&c);
    char huge[5000];
    memset(huge, 'x', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    huge[3] = '\n';
    cr_expect_eq(cfc_broadcast_agent_created(&c.m, 1, "a", huge, 0), CFC_REFUSED);
    cr_expect_lt(strlen(c.log), 300);
    cr_expect_null(strchr(c.log, '\n'));
    cr_expect_not_null(strstr(c.log, "backend, frontend, test"), "%s", c.log);
}

/* R2: a failing manager gets the status back and one ERROR line. */
Test(reference, failing_manager_every_broadcaster)
{
    for (size_t i = 0; i < N_ALL_CALLS; i++) {
        capture c;
        capture_init(&c);
        c.fail_with = -1;
        cr_expect_eq(all_calls[i].call(&c.m), CFC_BROADCAST, "%s", all_calls[i].type);
        cr_expect_eq(c.sends, 1);
        cr_expect_eq(c.errors, 1);
        cr_expect_not_null(strstr(c.log, "Failed to broadcast"), "%s", c.log);
        cr_expect_not_null(strstr(c.log, all_calls[i].type), "%s", c.log);
    }
}

Test(reference, every_broadcaster_succeeds_and_logs_debug)
{
    for (size_t i = 0; i < N_ALL_CALLS; i++) {
        capture c;
        capture_init(&c);
        cr_expect_eq(all_calls[i].call(&c.m), CFC_OK, "%s: %s", all_calls[i].type, c.log);
        cr_expect_eq(c.sends, 1);
        cr_expect_eq(c.errors, 0);
        cr_expect_eq(c.debugs, 1);
        char want[80];
        snprintf(want, sizeof want, "{\"type\":\"%s\",\"project_id\":1,", all_calls[i].type);
        cr_expect_eq(strncmp(c.last, want, strlen(want)), 0, "%s", c.last);
        cr_expect_not_null(strstr(c.last, ",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}"));
    }
}

Test(reference, no_manager_is_an_error_not_a_crash)
{
    cfc_manager empty = {0};
    cr_expect_eq(full_task_assigned(NULL), CFC_INVALID);
    cr_expect_eq(full_task_assigned(&empty), CFC_INVALID);
}

static int broken_clock(void *ctx, int64_t *ms)
{
    (void)ctx;
    (void)ms;
    return -1;
}

Test(reference, clock_failure_and_out_of_range)
{
    capture c;
    capture_init(&c);
    c.m.clock = broken_clock;
    cr_expect_eq(full_agent_retired(&c.m), CFC_CLOCK);
    cr_expect_eq(c.sends, 0);
    cr_expect_eq(c.errors, 1);
    capture_init(&c);
    c.now_ms = CFC_TIMESTAMP_MAX_MS + 1;
    cr_expect_eq(full_agent_retired(&c.m), CFC_CLOCK);
    cr_expect_eq(c.sends, 0);
}

Test(reference, default_clock_is_now_in_utc)
{
    capture c;
    capture_init(&c);
    c.m.clock = NULL;
    int64_t before, after, sent;
    cfc_clock_realtime(NULL, &before);
    cr_assert_eq(full_agent_retired(&c.m), CFC_OK);
    cfc_clock_realtime(NULL, &after);
    const char *ts = strstr(c.last, "\"timestamp\":\"") + 13;
    cr_assert_eq(cfc_timestamp_parse(ts, 24, &sent), 0, "%s", c.last);
    cr_expect(before <= sent && sent <= after);
}

/* R4 */
Test(reference, percentage_computed)
{
    struct {
        int64_t completed, total, pct;
    } cases[] = {{0, 0, 0},       {1, 3, 33}, {2, 3, 66}, {199, 200, 99},
                 {200, 200, 100}, {0, 5, 0},  {1, 8, 12}, {9007199254740990, 9007199254740991, 99}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        capture c;
        capture_init(&c);
        cr_expect_eq(cfc_progress_percentage(cases[i].completed, cases[i].total), cases[i].pct);
        cr_assert_eq(
            cfc_broadcast_progress_update(&c.m, 1, cases[i].completed, cases[i].total, NULL),
            CFC_OK, "%s", c.log);
        char want[40];
        snprintf(want, sizeof want, "\"percentage\":%lld,", (long long)cases[i].pct);
        cr_expect_not_null(strstr(c.last, want), "%s", c.last);
    }
}

Test(reference, given_percentage_floor_or_round)
{
    capture c;
    capture_init(&c);
    cr_expect_eq(cfc_broadcast_progress_update(&c.m, 1, 2, 3, &(int64_t){66}), CFC_OK);
    cr_expect_eq(cfc_broadcast_progress_update(&c.m, 1, 2, 3, &(int64_t){67}), CFC_OK);
    cr_expect_eq(cfc_broadcast_progress_update(&c.m, 1, 1, 8, &(int64_t){13}), CFC_OK);
    cr_expect_eq(cfc_broadcast_progress_update(&c.m, 1, 1, 8, &(int64_t){14}), CFC_REFUSED);
    cr_expect_eq(cfc_broadcast_progress_update(&c.m, 1, 0, 0, &(int64_t){0}), CFC_OK);
}

/* R7: integers as plain digits, exactly, up to 2^53 - 1. */
Test(reference, exact_integers)
{
    capture c;
    capture_init(&c);
    const int64_t max = CFC_MAX_SAFE_INTEGER;
    cr_assert_eq(cfc_broadcast_task_blocked(&c.m, max, max - 1,
                                            (const int64_t[]){max, 1000000000000000}, 2, NULL),
                 CFC_OK, "%s", c.log);
    cr_expect_str_eq(c.last, "{\"type\":\"task_blocked\",\"project_id\":9007199254740991,"
                             "\"task_id\":9007199254740990,"
                             "\"blocked_by\":[9007199254740991,1000000000000000],"
                             "\"blocked_count\":2,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(c.project_id, max);
    cr_expect_eq(cfc_broadcast_task_assigned(&c.m, 1, max + 1, "a", NULL), CFC_REFUSED);
}

Test(reference, large_blocked_by_duplicate_found)
{
    capture c;
    capture_init(&c);
    int64_t ids[1000];
    for (int i = 0; i < 1000; i++)
        ids[i] = 1000 - i;
    cr_expect_eq(cfc_broadcast_task_blocked(&c.m, 1, 5000, ids, 1000, NULL), CFC_OK, "%s", c.log);
    ids[999] = 500;
    cr_expect_eq(cfc_broadcast_task_blocked(&c.m, 1, 5000, ids, 1000, NULL), CFC_REFUSED);
    cr_expect_not_null(strstr(c.log, "500 twice"), "%s", c.log);
}

Test(reference, durations_like_python_repr)
{
    struct {
        double d;
        const char *text;
    } cases[] = {{0.0, "0.0"},       {-0.0, "0.0"},
                 {1.5, "1.5"},       {0.1, "0.1"},
                 {300.0, "300.0"},   {1e-7, "1e-07"},
                 {12.345, "12.345"}, {2.0 / 3, "0.6666666666666666"},
                 {1e16, "1e+16"},    {123456.789, "123456.789"},
                 {0.0001, "0.0001"}, {1e22, "1e+22"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        capture c;
        capture_init(&c);
        cr_assert_eq(cfc_broadcast_test_result(&c.m, 1, 5, "passed", 1, 0, 0, 0, cases[i].d),
                     CFC_OK);
        char want[60];
        snprintf(want, sizeof want, "\"duration\":%s,", cases[i].text);
        cr_expect_not_null(strstr(c.last, want), "want %s in %s", want, c.last);
    }
}

Test(reference, strings_are_escaped_and_utf8_kept)
{
    capture c;
    capture_init(&c);
    cr_assert_eq(cfc_broadcast_task_assigned(
                     &c.m, 1, 5, "a", "q\"b\\s/\n\t\x01 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"),
                 CFC_OK, "%s", c.log);
    cr_expect_not_null(
        strstr(c.last,
               "\"task_title\":\"q\\\"b\\\\s/\\n\\t\\u0001 \xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""),
        "%s", c.last);
}

Test(reference, status_names)
{
    cr_expect_str_eq(cfc_status_name(CFC_REFUSED), "REFUSED");
    cr_expect_str_eq(cfc_status_name(CFC_OK), "OK");
    cr_expect_str_eq(cfc_status_name((cfc_status)99), "UNKNOWN");
    cr_expect_str_eq(cfc_status_text(CFC_NOMEM), "out of memory");
    cr_expect_neq(CFC_REFUSED, CFC_BROADCAST);
}
