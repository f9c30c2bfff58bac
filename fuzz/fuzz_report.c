/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes as one event, checked, then written in one report format
 * (text with colour, JSON Lines or a whole JUnit document): any result must
 * go through each of them.
 *
 * The format is the input's length modulo 3, so the fuzzer reaches every
 * format with any event by adding a byte of white space; the checker keeps
 * at most 8 findings (the rest are counted as dropped, which the reports
 * say in a line of their own). Each finding is written by the same code
 * whatever its number, so the first 8 reach every path of a writer; writing
 * up to 200 findings in all three formats, as fuzz_report_all does for
 * every input, costs ten times the check, and that target keeps that heavy
 * path covered. */
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_checker *checker;
    if (checker == NULL) {
        cfc_check_options o = {.max_findings = 8};
        CFC_FUZZ_ASSERT((checker = cfc_checker_new(&o)) != NULL, "cannot create a checker");
    }
    const cfc_event_result *r = NULL;
    CFC_FUZZ_ASSERT(cfc_check_event(checker, (const char *)data, size, &r) == CFC_CHECK_OK,
                    "check failed");
    cfc_fuzz_check_result(r, size);
    CFC_FUZZ_ASSERT(r->n_findings <= 8, "%zu findings kept, at most 8 asked", r->n_findings);
    cfc_fuzz_write_report(r, (cfc_fuzz_format)(size % 3));
    return 0;
}
