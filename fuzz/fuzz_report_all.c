/* SPDX-License-Identifier: MIT */
/* The report writers' heavy path: arbitrary bytes as one event, checked
 * with the default limits (up to 200 findings kept), then written in every
 * report format fuzz/support.c keeps (text with colour, JSON Lines, a whole
 * JUnit document). Writing up to 200 findings three times costs ten times
 * the check, so fuzz_report covers the common path fast (one format per
 * input, at most 8 findings kept) and this target keeps the whole load:
 * many findings in every format at once. */
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
    cfc_fuzz_write_reports(r);
    return 0;
}
