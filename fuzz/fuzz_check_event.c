/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as one event through the whole check path: strict parse,
 * rules, and what must hold of any result. The report formats get the same
 * inputs in fuzz_report. */
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_checker *checker;
    if (checker == NULL && (checker = cfc_checker_new(NULL)) == NULL)
        cfc_fuzz_fail("cannot create a checker");
    const cfc_event_result *r = NULL;
    CFC_FUZZ_ASSERT(cfc_check_event(checker, (const char *)data, size, &r) == CFC_CHECK_OK,
                    "check failed");
    cfc_fuzz_check_result(r, size);
    return 0;
}
