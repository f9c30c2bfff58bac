/* SPDX-License-Identifier: MIT */
/* The checker: corpus replay, the catalogue's own examples, the reference's
 * output across its argument space, messages, configuration, limits and
 * NDJSON framing. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cfc/check.h"
#include "cfc/ndjson.h"
#include "cfc/reference.h"
#include "cfc/stream.h"
#include "util.h"

static const cfc_event_result *check(cfc_checker *c, const char *s, size_t len)
{
    const cfc_event_result *r = NULL;
    cr_assert_eq(cfc_check_event(c, s, len, &r), CFC_CHECK_OK);
    return r;
}

static const cfc_event_result *check_str(cfc_checker *c, const char *s)
{
    return check(c, s, strlen(s));
}

static size_t count_rule(const cfc_event_result *r, cfc_rule rule)
{
    return r->by_rule[rule];
}

static void dump(const cfc_event_result *r, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < r->n_findings && o < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "\n  %s %s @%zu: %s",
                              cfc_rule_get(r->findings[i].rule)->id, r->findings[i].pointer,
                              r->findings[i].offset, r->findings[i].message);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

Test(corpus, valid_cases_have_no_findings)
{
    DIR *d = opendir(CFC_SOURCE_DIR "/corpus/valid");
    cr_assert_not_null(d);
    cfc_checker *c = cfc_checker_new(NULL);
    int cases = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[512], why[4096];
        snprintf(path, sizeof path, "%s/corpus/valid/%s", CFC_SOURCE_DIR, e->d_name);
        size_t len;
        char *text = test_slurp(path, &len);
        const cfc_event_result *r = check(c, text, len);
        dump(r, why, sizeof why);
        cr_expect_eq(r->n_findings, 0, "%s:%s", e->d_name, why);
        free(text);
        cases++;
    }
    closedir(d);
    cfc_checker_free(c);
    cr_expect_geq(cases, 40);
}

/* Exactly the expected rules, no more, no fewer (as a multiset). */
Test(corpus, invalid_cases_give_exactly_their_rules)
{
    DIR *d = opendir(CFC_SOURCE_DIR "/corpus/invalid");
    cr_assert_not_null(d);
    cfc_checker *c = cfc_checker_new(NULL);
    int per_rule[CFC_RULE_COUNT] = {0};
    int cases = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t nl = strlen(e->d_name);
        if (nl < 6 || strcmp(e->d_name + nl - 5, ".json") != 0)
            continue;
        char path[512], why[4096];
        snprintf(path, sizeof path, "%s/corpus/invalid/%s", CFC_SOURCE_DIR, e->d_name);
        size_t len, elen;
        char *text = test_slurp(path, &len);
        snprintf(path + strlen(path) - 5, 16, ".expect");
        char *expect = test_slurp(path, &elen);
        const char *want[64];
        size_t nw = 0;
        for (char *line = strtok(expect, "\n"); line && nw < 64; line = strtok(NULL, "\n")) {
            cr_assert_not_null(cfc_rule_find(line), "%s: unknown rule %s", e->d_name, line);
            want[nw++] = line;
            per_rule[cfc_rule_find(line)->rule]++;
        }
        const cfc_event_result *r = check(c, text, len);
        const char *got[64];
        size_t ng = 0;
        for (size_t i = 0; i < r->n_findings && ng < 64; i++)
            got[ng++] = cfc_rule_get(r->findings[i].rule)->id;
        dump(r, why, sizeof why);
        qsort(want, nw, sizeof *want, cmp_str);
        qsort(got, ng, sizeof *got, cmp_str);
        cr_expect_eq(ng, nw, "%s: %zu findings, expected %zu:%s", e->d_name, ng, nw, why);
        for (size_t i = 0; i < ng && i < nw; i++)
            cr_expect_str_eq(got[i], want[i], "%s:%s", e->d_name, why);
        /* Document order: offsets never decrease. */
        for (size_t i = 1; i < r->n_findings; i++)
            cr_expect_geq(r->findings[i].offset, r->findings[i - 1].offset, "%s", e->d_name);
        free(text);
        free(expect);
        cases++;
    }
    closedir(d);
    cfc_checker_free(c);
    cr_expect_geq(cases, 100);
    /* At least two failing cases per rule; too-large needs a > 1 MiB file
     * and is covered by limits_too_large and the CLI tests instead. */
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        /* Stream rules (multi-line examples) have corpus/streams/, replayed
         * by tests/test_stream.c. */
        const char *fail = cfc_rule_get((cfc_rule)i)->fail_example;
        /* text-frame (a binary or cut-off WebSocket message) and
         * ws-protocol (a fault of the connection) cannot be a file:
         * tests/test_ws_frames.c, test_ws_scan.c and test_watch.c cover them. */
        if (i != CFC_RULE_TOO_LARGE && i != CFC_RULE_TEXT_FRAME && i != CFC_RULE_WS_PROTOCOL &&
            !(fail && strchr(fail, '\n')))
            cr_expect_geq(per_rule[i], 2, "rule %s has %d failing corpus cases",
                          cfc_rule_get((cfc_rule)i)->id, per_rule[i]);
    }
}

Test(catalogue, ids_are_stable_shape_and_unique)
{
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        cr_expect_eq(r->rule, (cfc_rule)i);
        cr_expect_eq(cfc_rule_find(r->id), r, "%s", r->id);
        cr_expect_gt(strlen(r->summary), 10);
        cr_expect_gt(strlen(r->reference), 1);
        for (const char *p = r->id; *p; p++)
            cr_expect((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-', "%s",
                      r->id);
    }
    cr_expect_null(cfc_rule_find("Blocked-Count"));
    cr_expect_str_eq(cfc_rule_get(CFC_RULE_BLOCKED_COUNT)->id, "blocked-count");
}

/* A stream rule's example: its lines through one stream, from the start,
 * subscribed to project 1 (rules.def). All findings, and those of `rule`. */
static void check_stream_example(const char *ex, cfc_rule rule, size_t *all, size_t *of_rule,
                                 char *why, size_t cap)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options o = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = cfc_stream_new(c, &o);
    *all = *of_rule = 0;
    why[0] = '\0';
    for (size_t line = 1; *ex; line++) {
        size_t len = strcspn(ex, "\n"), o2 = strlen(why);
        const cfc_event_result *r = NULL;
        cr_assert_eq(cfc_stream_check_event(s, ex, len, &r), CFC_CHECK_OK);
        *all += r->n_findings;
        *of_rule += count_rule(r, rule);
        snprintf(why + o2, cap - o2, "\n line %zu:", line);
        o2 = strlen(why);
        dump(r, why + o2, cap - o2);
        ex += len + (ex[len] == '\n');
    }
    cfc_stream_free(s);
    cfc_checker_free(c);
}

Test(catalogue, examples_pass_and_fail)
{
    cfc_checker *c = cfc_checker_new(NULL);
    char why[4096];
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *info = cfc_rule_get((cfc_rule)i);
        if (strchr(info->pass_example, '\n')) {
            size_t all, of_rule;
            check_stream_example(info->pass_example, info->rule, &all, &of_rule, why, sizeof why);
            cr_expect_eq(all, 0, "%s pass example:%s", info->id, why);
            cr_assert_not_null(info->fail_example, "%s: a stream rule has a fail example",
                               info->id);
            cr_assert(strchr(info->fail_example, '\n'), "%s: its fail example is a stream",
                      info->id);
            check_stream_example(info->fail_example, info->rule, &all, &of_rule, why, sizeof why);
            cr_expect_gt(of_rule, 0, "%s fail example:%s", info->id, why);
            continue;
        }
        const cfc_event_result *r = check_str(c, info->pass_example);
        dump(r, why, sizeof why);
        cr_expect_eq(r->n_findings, 0, "%s pass example:%s", info->id, why);
        if (info->fail_example == NULL)
            continue;
        r = check_str(c, info->fail_example);
        dump(r, why, sizeof why);
        cr_expect_gt(count_rule(r, info->rule), 0, "%s fail example:%s", info->id, why);
    }
    cfc_checker_free(c);
}

/* Every event the reference can send checks clean: each broadcaster across
 * its enums, optional arguments and boundary values. */
static void expect_clean(cfc_checker *c, capture *cap, cfc_status s)
{
    if (s != CFC_OK)
        return;
    char why[4096];
    const cfc_event_result *r = check(c, cap->last, cap->last_len);
    dump(r, why, sizeof why);
    cr_expect_eq(r->n_findings, 0, "%s:%s", cap->last, why);
}

Test(property, reference_output_checks_clean)
{
    cfc_checker *c = cfc_checker_new(NULL);
    capture cap;
    capture_init(&cap);
    const int64_t ids[] = {1, 2, 42, 1000000000000000, CFC_MAX_SAFE_INTEGER};
    const int64_t counts[] = {0, 1, 7, CFC_MAX_SAFE_INTEGER};
    const int64_t pcts[] = {0, 1, 50, 99, 100};
    const int64_t instants[] = {CFC_TIMESTAMP_MIN_MS, 0, 1709164800000, CFC_TIMESTAMP_MAX_MS};
    const char *titles[] = {NULL, "", "Create API",
                            "caf\xC3\xA9 \"q\" \\ \n\t\x01 \xF0\x9F\x98\x80"};
    const char *agent_types[] = {"backend", "frontend", "test"};
    const char *agent_st[] = {"idle", "working", "blocked", "offline"};
    const char *task_st[] = {"pending", "in_progress", "completed", "failed", "blocked"};
    const char *test_st[] = {"passed", "failed", "error", "timeout", "no_tests"};
    const char *corr_st[] = {"in_progress", "success", "failed"};
    const char *acts[] = {"task", "agent", "test", "commit", "deploy"};
    const double durations[] = {0.0, 0.001, 1.5, 300.0, 1e-7, 1e300};
    int sent = 0;
#define N(a) (sizeof(a) / sizeof((a)[0]))
#define TRY(call)                                                                                  \
    do {                                                                                           \
        cfc_status s_ = (call);                                                                    \
        cr_expect(s_ == CFC_OK || s_ == CFC_REFUSED, "status %d", (int)s_);                        \
        sent += s_ == CFC_OK;                                                                      \
        expect_clean(c, &cap, s_);                                                                 \
    } while (0)
    for (size_t k = 0; k < N(instants); k++) {
        cap.now_ms = instants[k];
        for (size_t i = 0; i < N(ids); i++) {
            int64_t id = ids[i];
            for (size_t a = 0; a < N(agent_types); a++)
                TRY(cfc_broadcast_agent_created(&cap.m, id, "agent-1", agent_types[a], 0));
            for (size_t n = 0; n < N(counts); n++)
                TRY(cfc_broadcast_agent_retired(&cap.m, id, "agent-1", counts[n]));
            for (size_t st = 0; st < N(agent_st); st++) {
                for (size_t t = 0; t < N(titles); t++)
                    for (size_t p = 0; p < N(pcts); p++) {
                        TRY(cfc_broadcast_agent_status(&cap.m, 1, "a", agent_st[st], &id, titles[t],
                                                       &pcts[p]));
                        TRY(cfc_broadcast_agent_status(&cap.m, id, "a", agent_st[st], NULL, NULL,
                                                       p ? &pcts[p] : NULL));
                    }
            }
            for (size_t t = 0; t < N(titles); t++)
                TRY(cfc_broadcast_task_assigned(&cap.m, 1, id, "a", titles[t]));
            for (size_t st = 0; st < N(task_st); st++)
                for (size_t p = 0; p < N(pcts); p++) {
                    TRY(cfc_broadcast_task_status(&cap.m, id, id, task_st[st], "w", &pcts[p]));
                    TRY(cfc_broadcast_task_status(&cap.m, 1, id, task_st[st], NULL, NULL));
                }
            const int64_t by[] = {id == 1 ? 2 : 1, 3, CFC_MAX_SAFE_INTEGER - 1};
            for (size_t n = 1; n <= 3; n++)
                for (size_t t = 0; t < N(titles); t++)
                    TRY(cfc_broadcast_task_blocked(&cap.m, 1, id, by, n, titles[t]));
            TRY(cfc_broadcast_task_unblocked(&cap.m, 1, id, NULL, NULL));
            TRY(cfc_broadcast_task_unblocked(&cap.m, 1, id, &by[0], "t"));
            for (size_t st = 0; st < N(test_st); st++)
                for (size_t n = 0; n < N(counts); n++)
                    for (size_t du = 0; du < N(durations); du++) {
                        TRY(cfc_broadcast_test_result(&cap.m, 1, id, test_st[st], counts[n], 0, 0,
                                                      counts[n], durations[du]));
                        TRY(cfc_broadcast_test_result(&cap.m, 1, id, test_st[st], 0, counts[n], 1,
                                                      0, durations[du]));
                    }
            for (size_t ac = 0; ac < N(acts); ac++) {
                TRY(cfc_broadcast_activity_update(&cap.m, 1, acts[ac], "a", "m", &id));
                TRY(cfc_broadcast_activity_update(&cap.m, id, acts[ac], NULL, "m", NULL));
            }
            for (size_t st = 0; st < N(corr_st); st++)
                for (int64_t an = 1; an <= 4; an++) {
                    TRY(cfc_broadcast_correction_attempt(&cap.m, 1, id, an, 3, corr_st[st], NULL));
                    TRY(cfc_broadcast_correction_attempt(&cap.m, 1, id, an, 3, corr_st[st], "e"));
                }
        }
        for (int64_t total = 0; total <= 9; total++)
            for (int64_t done = 0; done <= total; done++) {
                TRY(cfc_broadcast_progress_update(&cap.m, 1, done, total, NULL));
                for (int64_t p = 0; p <= 100; p += 11)
                    TRY(cfc_broadcast_progress_update(&cap.m, 1, done, total, &p));
            }
    }
    cfc_checker_free(c);
    cr_expect_gt(sent, 5000, "only %d events were sent", sent);
}

static const cfc_finding *first_of(const cfc_event_result *r, cfc_rule rule)
{
    for (size_t i = 0; i < r->n_findings; i++) {
        if (r->findings[i].rule == rule)
            return &r->findings[i];
    }
    cr_assert_fail("no %s finding", cfc_rule_get(rule)->id);
    return NULL;
}

Test(messages, say_expected_and_found)
{
    cfc_checker *c = cfc_checker_new(NULL);
    const char *ev =
        "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43],"
        "\"blocked_count\":3,\"timestamp\":\"2025-11-08T14:30:45.123456Z\"}";
    const cfc_event_result *r = check_str(c, ev);
    cr_assert_eq(r->n_findings, 2);
    const cfc_finding *f = first_of(r, CFC_RULE_BLOCKED_COUNT);
    cr_expect_str_eq(f->message, "blocked_count is 3 but blocked_by has 2 items");
    cr_expect_str_eq(f->pointer, "/blocked_count");
    cr_expect_eq(f->offset, (size_t)(strstr(ev, "3,\"timestamp") - ev));
    cr_expect_eq(f->severity, CFC_SEVERITY_ERROR);
    f = first_of(r, CFC_RULE_TS_FRACTION);
    cr_expect_str_eq(f->message,
                     "timestamp \"2025-11-08T14:30:45.123456Z\" has 6 fractional digits (Python "
                     "isoformat?); expected exactly 3, in the form 2025-11-08T14:30:45.123Z");
    cr_expect_str_eq(f->pointer, "/timestamp");
    cr_expect_str_eq(r->type, "task_blocked");
    cr_expect_eq(r->errors, 2);

    r = check_str(c, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":\"45\","
                     "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_str_eq(first_of(r, CFC_RULE_WRONG_TYPE)->message,
                     "task_id must be an integer, found the string \"45\"");
    r = check_str(c, "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"a\","
                     "\"agent_type\":\"Backend\",\"status\":\"idle\",\"tasks_completed\":0,"
                     "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_str_eq(first_of(r, CFC_RULE_ENUM_VALUE)->message,
                     "agent_type is \"Backend\"; expected one of: backend, frontend, test (values "
                     "are case-sensitive)");
    cfc_checker_free(c);
}

Test(pointers, nested_escaped_and_indexed)
{
    cfc_checker *c = cfc_checker_new(NULL);
    const cfc_event_result *r = check_str(
        c, "{\"type\":\"agent_status_changed\",\"project_id\":1,\"agent_id\":\"a\",\"status\":"
           "\"working\",\"current_task\":{\"id\":\"4\",\"title\":\"t\"},\"a/b~c\":1,"
           "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(r->n_findings, 2);
    cr_expect_str_eq(r->findings[0].pointer, "/current_task/id");
    cr_expect_str_eq(r->findings[1].pointer, "/a~1b~0c");
    r = check_str(c, "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":9,\"blocked_by\":"
                     "[1,2,-3],\"blocked_count\":3,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_assert_eq(r->n_findings, 1);
    cr_expect_str_eq(r->findings[0].pointer, "/blocked_by/2");
    cfc_checker_free(c);
}

Test(config, disable_change_extend)
{
    cfc_checker *c = cfc_checker_new(NULL);
    const char *robot = "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"a\","
                        "\"agent_type\":\"robot\",\"status\":\"idle\",\"tasks_completed\":0,"
                        "\"extra\":1,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}";
    const cfc_event_result *r = check_str(c, robot);
    cr_expect_eq(r->errors, 1);
    cr_expect_eq(r->warnings, 1);
    const char *cfg = "{\"rules\":{\"unknown-field\":\"off\",\"nul-escape\":\"error\"},"
                      "\"enums\":{\"agent_created.agent_type\":[\"robot\",\"human\"]}}";
    cfc_error err = {0};
    cr_assert_eq(cfc_checker_configure(c, cfg, strlen(cfg), &err), CFC_CHECK_OK, "%s", err.message);
    r = check_str(c, robot);
    cr_expect_eq(r->n_findings, 0);
    r = check_str(c, "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":"
                     "\"a\\u0000\",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(r->errors, 1, "nul-escape raised to error");
    cfg = "{\"rules\":{\"blocked-count\":\"warning\"}}";
    cr_assert_eq(cfc_checker_configure(c, cfg, strlen(cfg), &err), CFC_CHECK_OK);
    r = check_str(c, "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":9,\"blocked_by\":"
                     "[1],\"blocked_count\":3,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(r->errors, 0);
    cr_expect_eq(r->warnings, 1);
    cfc_checker_free(c);
}

Test(config, errors_leave_the_checker_unchanged)
{
    const char *bad[] = {
        "{\"rule\":{}}",
        "{\"rules\":{\"no-such-rule\":\"off\"}}",
        "{\"rules\":{\"blocked-count\":\"fatal\"}}",
        "{\"rules\":{\"blocked-count\":\"off\"},\"rules\":{}}",
        "{\"enums\":{\"agent_created.agent_id\":[\"x\"]}}",
        "{\"enums\":{\"agent_type\":[\"x\"]}}",
        "{\"enums\":{\"agent_created.agent_type\":\"robot\"}}",
        "{\"enums\":{\"agent_created.agent_type\":[\"\"]}}",
        "{\"limits\":{\"max_depth\":0}}",
        "{\"limits\":{\"timeout\":3}}",
        "[]",
        "{\"rules\":{}",
        "",
    };
    cfc_checker *c = cfc_checker_new(NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfc_error err = {0};
        cr_expect_eq(cfc_checker_configure(c, bad[i], strlen(bad[i]), &err), CFC_CHECK_CONFIG, "%s",
                     bad[i]);
        cr_expect_gt(strlen(err.message), 5, "%s", bad[i]);
    }
    const cfc_event_result *r = check_str(c, "{\"type\":\"task_blocked\",\"project_id\":1,"
                                             "\"task_id\":9,\"blocked_by\":[1],\"blocked_count\":"
                                             "3,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(r->errors, 1);
    cfc_checker_free(c);
}

Test(limits, too_large_and_too_deep)
{
    cfc_check_options o = {.max_event_bytes = 100};
    cfc_checker *c = cfc_checker_new(&o);
    char big[200];
    memset(big, ' ', sizeof big);
    const cfc_event_result *r = check(c, big, sizeof big);
    cr_expect_eq(r->n_findings, 1);
    cr_expect_eq(r->findings[0].rule, CFC_RULE_TOO_LARGE);
    cfc_checker_free(c);

    c = cfc_checker_new(NULL);
    char deep[400];
    for (int depth = 63; depth <= 64; depth++) {
        /* the event object is depth 1, so `depth` arrays reach depth+1 */
        int n = snprintf(deep, sizeof deep,
                         "{\"type\":\"x\",\"project_id\":1,\"timestamp\":"
                         "\"2025-11-08T14:30:45.123Z\",\"a\":");
        for (int i = 0; i < depth; i++)
            deep[n++] = '[';
        for (int i = 0; i < depth; i++)
            deep[n++] = ']';
        deep[n++] = '}';
        r = check(c, deep, (size_t)n);
        cr_expect_eq(count_rule(r, CFC_RULE_TOO_DEEP), depth == 64 ? 1 : 0, "depth %d", depth + 1);
    }
    cfc_checker_free(c);
}

Test(limits, findings_are_capped_but_counted)
{
    cfc_check_options o = {.max_findings = 10};
    cfc_checker *c = cfc_checker_new(&o);
    char *ev = malloc(100000);
    int n = sprintf(ev, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":2");
    for (int i = 0; i < 1000; i++)
        n += sprintf(ev + n, ",\"x%d\":1", i);
    n += sprintf(ev + n, ",\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    const cfc_event_result *r = check(c, ev, (size_t)n);
    cr_expect_eq(r->n_findings, 10);
    cr_expect_eq(r->n_dropped, 990);
    cr_expect_eq(r->by_rule[CFC_RULE_UNKNOWN_FIELD], 1000);
    cr_expect_eq(r->warnings, 1000);
    free(ev);
    cfc_checker_free(c);
}

Test(strict, warnings_become_errors)
{
    cfc_check_options o = {.strict = true};
    cfc_checker *c = cfc_checker_new(&o);
    const cfc_event_result *r = check_str(
        c, "{\"type\":\"heartbeat\",\"project_id\":1,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
    cr_expect_eq(r->errors, 1);
    cr_expect_eq(r->findings[0].severity, CFC_SEVERITY_ERROR);
    cfc_checker_free(c);
}

Test(hostile, garbage_is_findings_not_crashes)
{
    cfc_checker *c = cfc_checker_new(NULL);
    unsigned char junk[4096];
    unsigned x = 12345;
    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < sizeof junk; i++) {
            x = x * 1103515245u + 12345u;
            junk[i] = (unsigned char)(x >> 16);
        }
        const cfc_event_result *r = check(c, (const char *)junk, (size_t)(x % sizeof junk));
        cr_expect_gt(r->errors, 0);
    }
    const cfc_event_result *r = check(c, NULL, 0);
    cr_expect_eq(r->findings[0].rule, CFC_RULE_JSON_SYNTAX);
    cfc_checker_free(c);
}

/* ---- framing ----------------------------------------------------------- */

typedef struct lines {
    char text[64][256];
    size_t line[64];
    size_t len[64];
    int n;
} lines;

static int collect(void *ctx, size_t line, const char *bytes, size_t len)
{
    lines *l = ctx;
    if (l->n < 64) {
        snprintf(l->text[l->n], 256, "%.*s", bytes ? (int)len : 0, bytes ? bytes : "");
        l->line[l->n] = line;
        l->len[l->n] = bytes ? len : SIZE_MAX - len;
        l->n++;
    }
    return 0;
}

static void frame(const char *in, size_t len, size_t chunk, size_t max, lines *out)
{
    memset(out, 0, sizeof *out);
    cfc_framer *f = cfc_framer_new(max, collect, out);
    for (size_t i = 0; i < len; i += chunk)
        cr_assert_eq(cfc_framer_feed(f, in + i, len - i < chunk ? len - i : chunk), 0);
    cr_assert_eq(cfc_framer_finish(f), 0);
    cfc_framer_free(f);
}

Test(framing, crlf_blank_last_line_and_oversize)
{
    const char in[] = "{\"a\":1}\r\n\n  \r\n{\"b\":2}\n0123456789ABCDEF\n{\"c\":3}";
    lines one;
    frame(in, sizeof in - 1, sizeof in, 12, &one);
    cr_assert_eq(one.n, 4);
    cr_expect_str_eq(one.text[0], "{\"a\":1}");
    cr_expect_eq(one.line[0], 1);
    cr_expect_str_eq(one.text[1], "{\"b\":2}");
    cr_expect_eq(one.line[1], 4);
    cr_expect_eq(one.len[2], SIZE_MAX - 16, "oversized line reported with its length");
    cr_expect_eq(one.line[2], 5);
    cr_expect_str_eq(one.text[3], "{\"c\":3}");
    cr_expect_eq(one.line[3], 6);
    /* Any chunking gives the same lines. */
    for (size_t chunk = 1; chunk < sizeof in; chunk++) {
        lines l;
        frame(in, sizeof in - 1, chunk, 12, &l);
        cr_assert_eq(l.n, one.n, "chunk %zu", chunk);
        for (int i = 0; i < l.n; i++) {
            cr_expect_str_eq(l.text[i], one.text[i], "chunk %zu", chunk);
            cr_expect_eq(l.line[i], one.line[i]);
            cr_expect_eq(l.len[i], one.len[i], "chunk %zu line %d", chunk, i);
        }
    }
}

Test(limits, parser_findings_counted_beyond_the_cap)
{
    cfc_checker *c = cfc_checker_new(NULL);
    size_t cap = 1 << 20;
    char *ev = malloc(cap);
    /* 1000 duplicates of one key under a 5,000-byte member name: counted
     * exactly, stored up to the cap, pointers cut short. */
    int n = sprintf(ev, "{\"type\":\"heartbeat\",\"project_id\":1,\"timestamp\":"
                        "\"2025-11-08T14:30:45.123Z\",\"");
    memset(ev + n, 'k', 5000);
    n += 5000;
    n += sprintf(ev + n, "\":{");
    for (int i = 0; i < 1000; i++)
        n += sprintf(ev + n, "%s\"d\":%d", i ? "," : "", i);
    n += sprintf(ev + n, "}}");
    const cfc_event_result *r = check(c, ev, (size_t)n);
    cr_expect_eq(r->by_rule[CFC_RULE_DUPLICATE_KEY], 999);
    cr_expect_eq(r->errors, 999);
    cr_expect_eq(r->n_findings + r->n_dropped, 1000, "999 duplicates + unknown-type");
    cr_expect_leq(r->n_findings, 200);
    for (size_t i = 0; i < r->n_findings; i++)
        cr_expect_leq(strlen(r->findings[i].pointer), 1030);
    free(ev);
    cfc_checker_free(c);
}
