/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as one event, checked, then written in every report
 * format fuzz/support.c keeps (text with colour, JSON Lines, a whole JUnit
 * document): any result must go through each of them. This was part of
 * fuzz_check_event, where writing up to 200 findings three times cost
 * several times the check itself; here it has a target of its own. */
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
