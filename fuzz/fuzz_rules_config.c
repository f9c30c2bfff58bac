/* SPDX-License-Identifier: MIT */
/* The rules-configuration parser: any bytes are either a configuration or a
 * clear error, and a failed configuration changes nothing. */
#include <string.h>

#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char event[] =
        "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"a\",\"agent_type\":"
        "\"robot\",\"status\":\"idle\",\"tasks_completed\":0,\"x\":1,"
        "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}";
    /* One checker across inputs, made anew only after a configuration took
     * (that one changed it): a failed configuration must leave it as it
     * was, so the checker every input after a failure meets must still be
     * the default one -- checked below, input after input, by the whole
     * result (every finding's rule, severity, offset, pointer and message)
     * matching the default checker's, taken when the first checker was
     * made. */
    static cfc_checker *c;
    static size_t max_bytes;
    static uint64_t default_verdict;
    const cfc_event_result *r;
    if (c == NULL) {
        CFC_FUZZ_ASSERT((c = cfc_checker_new(NULL)) != NULL, "cannot create a checker");
        if (max_bytes == 0) {
            max_bytes = cfc_checker_max_event_bytes(c);
            CFC_FUZZ_ASSERT(cfc_check_event(c, event, sizeof event - 1, &r) == CFC_CHECK_OK,
                            "check");
            cfc_fuzz_check_result(r, sizeof event - 1);
            CFC_FUZZ_ASSERT(r->errors == 1 && r->warnings == 1, "the default verdict changed");
            default_verdict = cfc_fuzz_result_hash(r);
            cfc_fuzz_write_reports(r);
        }
    }
    cfc_error err;
    memset(&err, 0, sizeof err);
    cfc_check_status st = cfc_checker_configure(c, (const char *)data, size, &err);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK || st == CFC_CHECK_CONFIG, "status %d", (int)st);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK || err.message[0] != '\0', "error without a message");
    CFC_FUZZ_ASSERT(cfc_check_event(c, event, sizeof event - 1, &r) == CFC_CHECK_OK, "check");
    cfc_fuzz_check_result(r, sizeof event - 1);
    if (st != CFC_CHECK_OK) { /* unchanged: the default catalogue's verdict and limits */
        CFC_FUZZ_ASSERT(r->errors == 1 && r->warnings == 1 &&
                            cfc_fuzz_result_hash(r) == default_verdict,
                        "a failed config changed the checker");
        CFC_FUZZ_ASSERT(cfc_checker_max_event_bytes(c) == max_bytes,
                        "a failed config changed the size limit");
    } else {
        /* A configured verdict (severities changed, rules off) goes
         * through every report format. The default verdict that a failed
         * configuration leaves is the same result every time: its reports
         * were written once, above, and writing them again for each failed
         * input (most inputs) cost as much as the rest of the target. */
        cfc_fuzz_write_reports(r);
        cfc_checker_free(c);
        c = NULL;
    }
    return 0;
}
