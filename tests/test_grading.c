/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/*
 * The certification grader's FAIL paths, each alone: implementations whose
 * events all pass the checker but are wrong for the call (tests/certify/
 * grading/: a wrong value in a valid field, a valid call refused, a stale
 * or future timestamp, one event too many or too few, the right event for
 * the wrong call). Each is certified on a few cases through the Python
 * adapter; every case must get its verdict and, for a FAIL, the grader's
 * reason (conformance/certify/certify_verdict.c). Cases next to them that
 * the same module gets right must PASS, so a grader that fails everything
 * fails these tests too.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define PY_ADAPTER "python3 " CFC_SOURCE_DIR "/adapters/python/cfc_adapter.py "
#define GRADING CFC_SOURCE_DIR "/tests/certify/grading/"

static char dir[] = "/tmp/cfc-grading-XXXXXX";

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

TestSuite(grading, .init = setup, .fini = teardown, .timeout = 180);

typedef struct expect {
    const char *id;
    const char *verdict;
    const char *reason; /* a FAIL's message contains it; NULL for a PASS */
} expect;

/* Certifies `adapter` on the cases listed in `want` and checks each. */
static void certify_expect(const char *adapter, const expect *want, size_t n)
{
    char cases[512] = "";
    for (size_t i = 0; i < n; i++) {
        strcat(cases, i ? "," : "");
        strcat(cases, want[i].id);
    }
    char *cmd, *out;
    cr_assert_gt(asprintf(&cmd, CFC " certify --quiet --cases %s --adapter '%s' --report-dir %s/r",
                          cases, adapter, dir),
                 0);
    int rc = test_run(cmd, &out);
    free(cmd);
    cr_expect_eq(rc, 1, "a FAIL is exit 1:\n%s", out);
    free(out);
    char path[128];
    snprintf(path, sizeof path, "%s/r/certification.json", dir);
    char *text = test_slurp(path, NULL);
    cJSON *report = cJSON_Parse(text);
    cr_assert_not_null(report);
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(report, "cases"), *c;
    cr_expect_eq((size_t)cJSON_GetArraySize(all), n, "exactly the cases selected");
    for (size_t i = 0; i < n; i++) {
        const cJSON *found = NULL;
        cJSON_ArrayForEach(c, all)
        {
            if (strcmp(cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring, want[i].id) == 0)
                found = c;
        }
        cr_assert_not_null(found, "case %s not in the report", want[i].id);
        char *shown = cJSON_PrintUnformatted(found);
        const char *verdict = cJSON_GetObjectItemCaseSensitive(found, "verdict")->valuestring;
        cr_expect_str_eq(verdict, want[i].verdict, "case %s: %s", want[i].id, shown);
        bool reason = false;
        size_t n_messages = 0;
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(found, "messages"))
        {
            n_messages++;
            if (want[i].reason && strstr(m->valuestring, want[i].reason))
                reason = true;
        }
        if (want[i].reason)
            cr_expect(reason, "case %s: no message with \"%s\": %s", want[i].id, want[i].reason,
                      shown);
        else
            cr_expect_eq(n_messages, 0, "case %s passes without a word: %s", want[i].id, shown);
        free(shown);
    }
    cJSON_Delete(report);
    free(text);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

Test(grading, a_wrong_value_in_a_valid_field_fails)
{
    static const expect want[] = {
        {"1.2.1", "PASS", NULL}, /* asked for a backend agent: right by chance */
        {"1.2.2", "FAIL", "/agent_type is \"backend\", expected \"frontend\""},
        {"1.2.3", "FAIL", "/agent_type is \"backend\", expected \"test\""},
        {"4.1.1", "FAIL", "/task_title is \"Create API\", expected \"Create API endpoint\""},
        {"4.2.1", "PASS", NULL}, /* no title to cut */
    };
    certify_expect(PY_ADAPTER GRADING "wrong_value.py", want, N(want));
}

Test(grading, a_valid_call_refused_fails)
{
    static const expect want[] = {
        {"2.1.1", "FAIL", "sent 0 events; expected exactly one"},
        {"2.2.1", "PASS", NULL}, /* tasks_completed 0: sent */
        {"2.4.1", "PASS", NULL}, /* -1: refusing is right */
    };
    certify_expect(PY_ADAPTER GRADING "refuses_valid.py", want, N(want));
}

/* The adapter protocol's explicit refusal ("refused", as a C library's
 * CFC_REFUSED): wrong for valid arguments, right for impossible ones. */
Test(grading, an_explicit_refusal_of_a_valid_call_fails)
{
    static const expect want[] = {
        {"2.1.1", "FAIL", "refused valid arguments"},
        {"2.2.1", "FAIL", "refused valid arguments"},
        {"2.4.1", "PASS", NULL},
        {"2.4.2", "PASS", NULL},
        {"1.1.1", "PASS", NULL}, /* another broadcaster, not refused */
    };
    certify_expect("python3 " GRADING "refusing_adapter.py broadcast_agent_retired", want, N(want));
}

Test(grading, a_stale_or_future_timestamp_fails)
{
    static const expect want[] = {
        {"7.2.1", "FAIL", "ms before the call"}, /* 60 s stale */
        {"7.2.2", "FAIL", "; at most 5000 ms allowed"},
        {"2.2.1", "FAIL", "ms after the call"}, /* 60 s ahead */
        {"1.2.1", "PASS", NULL},                /* 3 s stale: within 5 s */
        {"4.2.1", "PASS", NULL},                /* 3 s ahead: within 5 s */
    };
    certify_expect(PY_ADAPTER GRADING "clock_skew.py", want, N(want));
}

Test(grading, one_event_too_many_or_too_few_fails)
{
    static const expect want[] = {
        {"5.2.1", "FAIL", "sent 2 events; expected exactly one"},
        {"5.4.1", "PASS", NULL}, /* refused: nothing sent, twice nothing */
        {"9.2.1", "FAIL", "sent 0 events; expected exactly one"},
        {"2.4.1", "FAIL", "sent 2 events; expected none, or one"},
        {"2.2.1", "PASS", NULL},
    };
    certify_expect(PY_ADAPTER GRADING "event_count.py", want, N(want));
}

Test(grading, the_right_event_for_the_wrong_call_fails)
{
    static const expect want[] = {
        {"2.2.1", "FAIL", "/type is \"agent_status_changed\", expected \"agent_retired\""},
        {"7.4.1", "FAIL", "sent a task_blocked event; expected task_unblocked"},
        {"7.2.1", "PASS", NULL},
    };
    certify_expect(PY_ADAPTER GRADING "wrong_call.py", want, N(want));
}
