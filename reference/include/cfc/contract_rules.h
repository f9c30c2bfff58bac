/* SPDX-License-Identifier: MIT */
/*
 * The E rules (docs/contract-rules.md, "E. Per event type") as predicates,
 * written once, next to the contract table.
 *
 * The table (cfc/contract.h) holds what one field says about itself: kind,
 * enum values, fixed values, count_of. The rules here are the rest: a value's
 * bounds beyond its JSON kind, and every rule that relates two fields. The
 * reference broadcasters refuse arguments that break them
 * (reference/src/broadcast.c) and the checker reports events that break them
 * (conformance/core/check.c); both call these functions, so a rule cannot
 * read one way in the producer and another in the checker. The property test
 * in tests/test_reference.c still checks the two agree end to end.
 *
 * Every function is pure: no state, no allocation. Strings are (bytes, len)
 * because the checker's come from JSON and may hold NUL bytes; a NULL string
 * equals no value. Integer arguments are values their kind allows (counts and
 * IDs in 0..2^53-1), so the sums below cannot overflow.
 */
#ifndef CFC_CONTRACT_RULES_H
#define CFC_CONTRACT_RULES_H

#include "cfc/contract.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The bounds of an integer kind (id, count, ordinal, percent): false, and
 * nothing written, for other kinds. percent-range: a percent is 0..100;
 * attempt-range: an ordinal (attempt_number, max_attempts) is >= 1; G5 for
 * ids (>= 1) and counts (>= 0). The upper bound of the others is 2^53-1. */
bool cfc_kind_int_bounds(cfc_kind kind, int64_t *lo, int64_t *hi);

/* Whether v lies in its integer kind's bounds (true for non-integer kinds). */
bool cfc_kind_int_ok(cfc_kind kind, int64_t v);

/* duration-range: a duration is a finite number of seconds >= 0. */
bool cfc_e_duration_ok(double seconds);

/* fixed-value: a field the table fixes (agent_created.status, .tasks_completed)
 * has that value; true when the field fixes nothing. */
bool cfc_e_fixed_int_ok(const cfc_field *f, int64_t v);
bool cfc_e_fixed_string_ok(const cfc_field *f, const char *s, size_t len);

/* current-task-status: current_task may be present only while the agent's
 * status is "working". */
bool cfc_e_current_task_allowed(const char *status, size_t status_len);

/* progress-status (warning): task_status_changed's progress agrees with its
 * status: 100 when "completed", 0 when "pending", anything otherwise. When it
 * does not, *expected (may be NULL) gets the value the status calls for. */
bool cfc_e_progress_fits_status(const char *status, size_t status_len, int64_t progress,
                                int64_t *expected);

/* blocked-by-empty: a blocked task lists at least one blocker. */
bool cfc_e_blockers_present(size_t n_blockers);

/* blocked-by-duplicate: in an ascending array of IDs, whether sorted[i] is
 * the first repeat of its value (so a value listed three times is reported
 * once). */
bool cfc_e_sorted_id_repeats(const int64_t *sorted, size_t i);

/* blocked-by-self, unblocked-by-self: a task neither blocks nor unblocks
 * itself. */
bool cfc_e_blocker_is_self(int64_t task_id, int64_t blocker);

/* blocked-count: a count_of field (task_blocked.blocked_count) equals the
 * length of the array it counts (blocked_by). */
bool cfc_e_count_matches(int64_t count, size_t array_len);

/* test-passed-failures (error): status "passed" with failed + errors > 0. */
bool cfc_e_test_passed_with_failures(const char *status, size_t status_len, int64_t failed,
                                     int64_t errors);

/* test-failed-no-failures (warning): status "failed" with failed + errors == 0. */
bool cfc_e_test_failed_without_failures(const char *status, size_t status_len, int64_t failed,
                                        int64_t errors);

/* test-no-tests-counts (warning): status "no_tests" with passed + failed +
 * errors > 0. */
bool cfc_e_test_no_tests_with_counts(const char *status, size_t status_len, int64_t passed,
                                     int64_t failed, int64_t errors);

/* attempt-range: attempt_number <= max_attempts. */
bool cfc_e_attempt_within(int64_t attempt_number, int64_t max_attempts);

/* summary-not-failed (warning): only a "failed" attempt carries error_summary. */
bool cfc_e_summary_allowed(const char *status, size_t status_len);

/* completed-exceeds-total: completed <= total. */
bool cfc_e_completed_within_total(int64_t completed, int64_t total);

/* percentage-mismatch: the two readings of completed*100/total the contract
 * allows, floor and round half up; both 0 when total is 0. Assumes
 * 0 <= completed <= total <= 2^53-1 (completed * 200 stays inside int64). */
void cfc_e_percentage_readings(int64_t completed, int64_t total, int64_t *floor_pct,
                               int64_t *round_pct);

/* percentage-mismatch: percentage is one of those readings (same assumption). */
bool cfc_e_percentage_ok(int64_t completed, int64_t total, int64_t percentage);

#ifdef __cplusplus
}
#endif

#endif
