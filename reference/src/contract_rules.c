/* SPDX-License-Identifier: MIT */
/*
 * The E rules' predicates (cfc/contract_rules.h). Each is the whole rule as
 * docs/contract-rules.md states it; callers decide what a break means (the
 * broadcasters refuse, the checker reports a finding of the rule's ID).
 */
#include "cfc/contract_rules.h"

#include <math.h>
#include <string.h>

static bool equals(const char *s, size_t len, const char *value)
{
    return s != NULL && strlen(value) == len && memcmp(s, value, len) == 0;
}

bool cfc_kind_int_bounds(cfc_kind kind, int64_t *lo, int64_t *hi)
{
    switch (kind) {
    case CFC_KIND_ID:
    case CFC_KIND_ORDINAL:
        *lo = 1;
        *hi = CFC_MAX_SAFE_INTEGER;
        return true;
    case CFC_KIND_COUNT:
        *lo = 0;
        *hi = CFC_MAX_SAFE_INTEGER;
        return true;
    case CFC_KIND_PERCENT:
        *lo = 0;
        *hi = 100;
        return true;
    default: return false;
    }
}

bool cfc_kind_int_ok(cfc_kind kind, int64_t v)
{
    int64_t lo, hi;
    return !cfc_kind_int_bounds(kind, &lo, &hi) || (v >= lo && v <= hi);
}

bool cfc_e_duration_ok(double seconds)
{
    return isfinite(seconds) && seconds >= 0;
}

bool cfc_e_fixed_int_ok(const cfc_field *f, int64_t v)
{
    return !f->has_fixed_int || v == f->fixed_int;
}

bool cfc_e_fixed_string_ok(const cfc_field *f, const char *s, size_t len)
{
    return f->fixed_string == NULL || equals(s, len, f->fixed_string);
}

bool cfc_e_current_task_allowed(const char *status, size_t status_len)
{
    return equals(status, status_len, "working");
}

bool cfc_e_progress_fits_status(const char *status, size_t status_len, int64_t progress,
                                int64_t *expected)
{
    int64_t want;
    if (equals(status, status_len, "completed") && progress != 100)
        want = 100;
    else if (equals(status, status_len, "pending") && progress > 0)
        want = 0;
    else
        return true;
    if (expected)
        *expected = want;
    return false;
}

bool cfc_e_blockers_present(size_t n_blockers)
{
    return n_blockers > 0;
}

bool cfc_e_sorted_id_repeats(const int64_t *sorted, size_t i)
{
    return i > 0 && sorted[i] == sorted[i - 1] && (i < 2 || sorted[i - 2] != sorted[i]);
}

bool cfc_e_blocker_is_self(int64_t task_id, int64_t blocker)
{
    return task_id == blocker;
}

bool cfc_e_count_matches(int64_t count, size_t array_len)
{
    return count >= 0 && (uint64_t)count == (uint64_t)array_len;
}

bool cfc_e_test_passed_with_failures(const char *status, size_t status_len, int64_t failed,
                                     int64_t errors)
{
    return equals(status, status_len, "passed") && failed + errors > 0;
}

bool cfc_e_test_failed_without_failures(const char *status, size_t status_len, int64_t failed,
                                        int64_t errors)
{
    return equals(status, status_len, "failed") && failed + errors == 0;
}

bool cfc_e_test_no_tests_with_counts(const char *status, size_t status_len, int64_t passed,
                                     int64_t failed, int64_t errors)
{
    return equals(status, status_len, "no_tests") && passed + failed + errors > 0;
}

bool cfc_e_attempt_within(int64_t attempt_number, int64_t max_attempts)
{
    return attempt_number <= max_attempts;
}

bool cfc_e_summary_allowed(const char *status, size_t status_len)
{
    return equals(status, status_len, "failed");
}

bool cfc_e_completed_within_total(int64_t completed, int64_t total)
{
    return completed <= total;
}

void cfc_e_percentage_readings(int64_t completed, int64_t total, int64_t *floor_pct,
                               int64_t *round_pct)
{
    if (total <= 0) {
        *floor_pct = *round_pct = 0;
        return;
    }
    *floor_pct = completed * 100 / total;
    *round_pct = (completed * 200 + total) / (2 * total);
}

bool cfc_e_percentage_ok(int64_t completed, int64_t total, int64_t percentage)
{
    int64_t lo, hi;
    cfc_e_percentage_readings(completed, total, &lo, &hi);
    return percentage == lo || percentage == hi;
}
