/* SPDX-License-Identifier: MIT */
/*
 * The E rules' predicates (cfc/contract_rules.h) against the words of
 * docs/contract-rules.md, section E. That the broadcasters and the checker
 * apply them alike is tests/test_reference.c's property test; this file
 * checks the predicates themselves, at their boundaries.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "cfc/contract_rules.h"

#define S(lit) (lit), strlen(lit)

Test(contract_rules, percentage_readings_are_floor_and_round_half_up)
{
    /* The examples the rules document gives. */
    int64_t lo, hi;
    cfc_e_percentage_readings(1, 8, &lo, &hi);
    cr_expect_eq(lo, 12);
    cr_expect_eq(hi, 13);
    cfc_e_percentage_readings(2, 3, &lo, &hi);
    cr_expect_eq(lo, 66);
    cr_expect_eq(hi, 67);
    cfc_e_percentage_readings(0, 0, &lo, &hi);
    cr_expect(lo == 0 && hi == 0);
    cr_expect(cfc_e_percentage_ok(0, 0, 0));
    cr_expect_not(cfc_e_percentage_ok(0, 0, 100));
    /* Every fraction up to 200ths, against a definition by search rather
     * than by the formula: floor is the largest p with p*t <= 100c, round
     * the p nearest 100c/t, halves going up. */
    for (int64_t t = 1; t <= 200; t++) {
        for (int64_t c = 0; c <= t; c++) {
            cfc_e_percentage_readings(c, t, &lo, &hi);
            int64_t f = 0;
            while ((f + 1) * t <= 100 * c)
                f++;
            int64_t r = 0;
            while (!(200 * c >= (2 * r - 1) * t && 200 * c < (2 * r + 1) * t))
                r++;
            cr_assert_eq(lo, f, "%lld/%lld", (long long)c, (long long)t);
            cr_assert_eq(hi, r, "%lld/%lld", (long long)c, (long long)t);
            for (int64_t p = 0; p <= 100; p++)
                cr_assert_eq(cfc_e_percentage_ok(c, t, p), p == f || p == r);
        }
    }
    /* The largest inputs stay inside int64. */
    cfc_e_percentage_readings(CFC_MAX_SAFE_INTEGER, CFC_MAX_SAFE_INTEGER, &lo, &hi);
    cr_expect(lo == 100 && hi == 100);
}

Test(contract_rules, kind_bounds)
{
    cr_expect(cfc_kind_int_ok(CFC_KIND_PERCENT, 0));
    cr_expect(cfc_kind_int_ok(CFC_KIND_PERCENT, 100));
    cr_expect_not(cfc_kind_int_ok(CFC_KIND_PERCENT, 101));
    cr_expect_not(cfc_kind_int_ok(CFC_KIND_PERCENT, -1));
    cr_expect_not(cfc_kind_int_ok(CFC_KIND_ORDINAL, 0));
    cr_expect_not(cfc_kind_int_ok(CFC_KIND_ID, 0));
    cr_expect(cfc_kind_int_ok(CFC_KIND_COUNT, 0));
    cr_expect(cfc_kind_int_ok(CFC_KIND_ID, CFC_MAX_SAFE_INTEGER));
    cr_expect_not(cfc_kind_int_ok(CFC_KIND_COUNT, CFC_MAX_SAFE_INTEGER + 1));
    int64_t lo = 7, hi = 7;
    cr_expect_not(cfc_kind_int_bounds(CFC_KIND_STRING, &lo, &hi));
    cr_expect(lo == 7 && hi == 7, "nothing written for a non-integer kind");
    cr_expect(cfc_kind_int_ok(CFC_KIND_STRING, -5));
}

Test(contract_rules, status_rules)
{
    int64_t want = -1;
    cr_expect(cfc_e_current_task_allowed(S("working")));
    cr_expect_not(cfc_e_current_task_allowed(S("idle")));
    cr_expect_not(cfc_e_current_task_allowed(S("Working")));
    cr_expect_not(cfc_e_current_task_allowed(NULL, 0));
    /* Length counts: "working" followed by a NUL byte is not "working". */
    cr_expect_not(cfc_e_current_task_allowed("working\0", 8));

    cr_expect(cfc_e_progress_fits_status(S("completed"), 100, &want));
    cr_expect_not(cfc_e_progress_fits_status(S("completed"), 99, &want));
    cr_expect_eq(want, 100);
    cr_expect(cfc_e_progress_fits_status(S("pending"), 0, NULL));
    cr_expect_not(cfc_e_progress_fits_status(S("pending"), 1, &want));
    cr_expect_eq(want, 0);
    cr_expect(cfc_e_progress_fits_status(S("in_progress"), 37, NULL));

    cr_expect(cfc_e_summary_allowed(S("failed")));
    cr_expect_not(cfc_e_summary_allowed(S("success")));
}

Test(contract_rules, test_result_counts)
{
    cr_expect(cfc_e_test_passed_with_failures(S("passed"), 0, 1));
    cr_expect(cfc_e_test_passed_with_failures(S("passed"), 1, 0));
    cr_expect_not(cfc_e_test_passed_with_failures(S("passed"), 0, 0));
    cr_expect_not(cfc_e_test_passed_with_failures(S("failed"), 3, 0));
    cr_expect(cfc_e_test_failed_without_failures(S("failed"), 0, 0));
    cr_expect_not(cfc_e_test_failed_without_failures(S("failed"), 0, 1));
    cr_expect(cfc_e_test_no_tests_with_counts(S("no_tests"), 1, 0, 0));
    cr_expect_not(cfc_e_test_no_tests_with_counts(S("no_tests"), 0, 0, 0));
    cr_expect_not(cfc_e_test_no_tests_with_counts(S("error"), 5, 5, 5));
}

Test(contract_rules, blockers_counts_and_ranges)
{
    cr_expect(cfc_e_count_matches(2, 2));
    cr_expect_not(cfc_e_count_matches(3, 2));
    cr_expect_not(cfc_e_count_matches(-1, (size_t)-1));
    cr_expect_not(cfc_e_blockers_present(0));
    cr_expect(cfc_e_blocker_is_self(4, 4));
    cr_expect_not(cfc_e_blocker_is_self(4, 5));
    /* 7 three times and 9 twice: each reported once, at its first repeat. */
    const int64_t sorted[] = {1, 7, 7, 7, 9, 9};
    bool rep[6];
    for (size_t i = 0; i < 6; i++)
        rep[i] = cfc_e_sorted_id_repeats(sorted, i);
    cr_expect(!rep[0] && !rep[1] && rep[2] && !rep[3] && !rep[4] && rep[5]);
    cr_expect(cfc_e_attempt_within(3, 3));
    cr_expect_not(cfc_e_attempt_within(4, 3));
    cr_expect(cfc_e_completed_within_total(5, 5));
    cr_expect_not(cfc_e_completed_within_total(6, 5));
    cr_expect(cfc_e_duration_ok(0.0));
    cr_expect_not(cfc_e_duration_ok(-0.001));
    cr_expect_not(cfc_e_duration_ok(INFINITY));
    cr_expect_not(cfc_e_duration_ok(NAN));
}

Test(contract_rules, fixed_values_come_from_the_table)
{
    const cfc_event_type *t = cfc_contract_get(CFC_EV_AGENT_CREATED);
    const cfc_field *status = cfc_contract_field(t, S("status"));
    const cfc_field *done = cfc_contract_field(t, S("tasks_completed"));
    const cfc_field *agent = cfc_contract_field(t, S("agent_id"));
    cr_assert(status && done && agent);
    cr_expect(cfc_e_fixed_string_ok(status, S("idle")));
    cr_expect_not(cfc_e_fixed_string_ok(status, S("working")));
    cr_expect(cfc_e_fixed_int_ok(done, 0));
    cr_expect_not(cfc_e_fixed_int_ok(done, 1));
    cr_expect(cfc_e_fixed_string_ok(agent, S("anything")), "a field that fixes nothing");
}
