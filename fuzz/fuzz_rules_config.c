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
     * the default one -- checked below, input after input. */
    static cfc_checker *c;
    static size_t max_bytes;
    if (c == NULL) {
        CFC_FUZZ_ASSERT((c = cfc_checker_new(NULL)) != NULL, "cannot create a checker");
        max_bytes = cfc_checker_max_event_bytes(c);
    }
    cfc_error err;
    memset(&err, 0, sizeof err);
    cfc_check_status st = cfc_checker_configure(c, (const char *)data, size, &err);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK || st == CFC_CHECK_CONFIG, "status %d", (int)st);
    CFC_FUZZ_ASSERT(st == CFC_CHECK_OK || err.message[0] != '\0', "error without a message");
    const cfc_event_result *r;
    CFC_FUZZ_ASSERT(cfc_check_event(c, event, sizeof event - 1, &r) == CFC_CHECK_OK, "check");
    cfc_fuzz_check_result(r, sizeof event - 1);
    cfc_fuzz_write_reports(r);
    if (st != CFC_CHECK_OK) { /* unchanged: the default catalogue's verdict and limits */
        CFC_FUZZ_ASSERT(r->errors == 1 && r->warnings == 1, "a failed config changed the checker");
        CFC_FUZZ_ASSERT(cfc_checker_max_event_bytes(c) == max_bytes,
                        "a failed config changed the size limit");
    } else {
        cfc_checker_free(c);
        c = NULL;
    }
    return 0;
}
