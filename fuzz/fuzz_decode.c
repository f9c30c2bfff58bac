/* SPDX-License-Identifier: MIT */
/* Arbitrary bytes through the typed decoder. Its status agrees with the
 * checker's findings (whose reports fuzz_report writes); a decoded event that checked clean is one
 * the reference can send, and encode(decode(x)) is canonical: it checks clean, decodes back to the
 * same value (decode(encode(args)) == args) and encodes to itself. */
#include <stdlib.h>
#include <string.h>

#include "cfc/decode.h"
#include "support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_checker *checker;
    if (checker == NULL && (checker = cfc_checker_new(NULL)) == NULL)
        cfc_fuzz_fail("cannot create a checker");
    cfc_event *ev = NULL;
    const cfc_event_result *r = NULL;
    cfc_decode_status s = cfc_event_decode(checker, (const char *)data, size, &ev, &r);
    CFC_FUZZ_ASSERT(s != CFC_DECODE_NOMEM && s != CFC_DECODE_BAD_ARG && r, "status %s",
                    cfc_decode_status_name(s));
    cfc_fuzz_check_result(r, size);
    cfc_decode_status want = r->type && r->type_len && !cfc_contract_find(r->type, r->type_len)
                                 ? CFC_DECODE_UNKNOWN_TYPE
                             : r->errors ? CFC_DECODE_INVALID
                                         : CFC_DECODE_OK;
    CFC_FUZZ_ASSERT(s == want, "decoded %s, the checker's result says %s",
                    cfc_decode_status_name(s), cfc_decode_status_name(want));
    CFC_FUZZ_ASSERT((ev != NULL) == (s == CFC_DECODE_OK), "an event with status %s",
                    cfc_decode_status_name(s));
    if (ev == NULL)
        return 0;
    bool clean = r->n_findings == 0 && r->n_dropped == 0;

    char *y = NULL;
    size_t n = 0;
    cfc_status es = cfc_event_encode(ev, &y, &n);
    CFC_FUZZ_ASSERT(es == CFC_OK || (!clean && es == CFC_REFUSED),
                    "the reference cannot send a conforming event: %s", cfc_status_name(es));
    if (es == CFC_OK) {
        cfc_event *back = NULL;
        CFC_FUZZ_ASSERT(cfc_event_decode(checker, y, n, &back, &r) == CFC_DECODE_OK &&
                            r->n_findings == 0,
                        "the canonical form %s does not check clean", y);
        if (ev->type == CFC_EV_TEST_RESULT && !ev->u.test_result.has_skipped) {
            CFC_FUZZ_ASSERT(back->u.test_result.has_skipped && back->u.test_result.skipped == 0,
                            "skipped");
            back->u.test_result.has_skipped = false;
        }
        CFC_FUZZ_ASSERT(cfc_event_equal(ev, back), "decode(encode(x)) != x for %s", y);
        if (ev->type == CFC_EV_TEST_RESULT)
            back->u.test_result.has_skipped = true;
        char *z = NULL;
        size_t zn = 0;
        CFC_FUZZ_ASSERT(cfc_event_encode(back, &z, &zn) == CFC_OK && zn == n &&
                            memcmp(y, z, n) == 0,
                        "not a fixed point: %s", y);
        free(z);
        cfc_event_free(back);
    }
    free(y);
    cfc_event_free(ev);
    return 0;
}
