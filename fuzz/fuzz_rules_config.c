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
    /* A fresh checker for every input: a configuration that took changes
     * it. (Keeping one across failed configurations measured no faster.) */
    cfc_checker *c = cfc_checker_new(NULL);
    CFC_FUZZ_ASSERT(c != NULL, "cannot create a checker");
    size_t max_bytes = cfc_checker_max_event_bytes(c);
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
    }
    cfc_checker_free(c);
    return 0;
}
