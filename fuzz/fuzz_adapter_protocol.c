/* SPDX-License-Identifier: MIT */
/* The adapter-protocol reader: any bytes an adapter may write, as the answer
 * to a call and as the answer to start. Either a well-formed reply (every
 * text exactly its length, NUL-terminated; that writes back and reads back
 * to the same reply) or a clear error; then the reply is graded against a
 * step like a real one (the checker over every sent text). */
#include <string.h>

#include "certify_internal.h"
#include "support.h"

static const char catalogue[] =
    "{\"version\":\"fuzz\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":["
    "{\"id\":\"1.1\",\"description\":\"d\",\"ref\":\"r\",\"call\":{\"broadcaster\":\"broadcast_"
    "task_blocked\","
    "\"args\":{\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43]}},\"expect\":{\"kind\":"
    "\"event\","
    "\"fields\":{\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,43],\"blocked_count\":2},"
    "\"absent\":[\"task_title\"],\"one_of\":{\"project_id\":[1,2]},\"maybe\":{\"task_title\":\"x\"}"
    "}},"
    "{\"id\":\"1.2\",\"description\":\"d\",\"ref\":\"r\",\"stream\":{\"from_start\":true,\"project_"
    "id\":1},"
    "\"steps\":[{\"call\":{\"broadcaster\":\"broadcast_task_blocked\",\"args\":{\"project_id\":1,"
    "\"task_id\":45,\"blocked_by\":[]}},\"expect\":{\"kind\":\"refuse-or-conform\"}},"
    "{\"call\":{\"broadcaster\":\"broadcast_task_blocked\",\"args\":{\"project_id\":1,\"task_id\":"
    "45,"
    "\"blocked_by\":[42]},\"fault\":\"raise\"},\"expect\":{\"kind\":\"no-raise\"}}]}]}";

static void same_text(const char *a, const char *b)
{
    CFC_FUZZ_ASSERT((a == NULL) == (b == NULL) && (a == NULL || strcmp(a, b) == 0),
                    "a string changed in the round trip");
}

static void well_formed(const cfc_cert_reply *r)
{
    CFC_FUZZ_ASSERT(r->outcome != CFC_OUTCOME_NONE, "a parsed reply without an outcome");
    for (size_t i = 0; i < r->n_sent; i++)
        CFC_FUZZ_ASSERT(r->sent[i].bytes && r->sent[i].bytes[r->sent[i].len] == '\0', "sent[%zu]",
                        i);
    for (size_t i = 0; i < r->n_logs; i++)
        CFC_FUZZ_ASSERT(r->logs[i].level && r->logs[i].message, "logs[%zu]", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_catalogue *cat;
    if (cat == NULL) {
        cfc_certify_error err;
        CFC_FUZZ_ASSERT(cfc_catalogue_load(catalogue, sizeof catalogue - 1, NULL, &cat, &err) ==
                            CFC_CERTIFY_OK,
                        "the target's catalogue: %s", err.message);
    }
    /* One parser for the run: it keeps its arena between documents, as the
     * certification run's does between an adapter's lines. */
    static cfc_jparser *p;
    if (p == NULL)
        CFC_FUZZ_ASSERT((p = cfc_jparser_new()) != NULL, "cannot create a parser");
    const char *line = (const char *)data;
    char why[256] = "";

    cfc_cert_reply r;
    cfc__proto_rc rc = cfc__proto_parse_reply(p, NULL, line, size, 7, &r, why, sizeof why);
    CFC_FUZZ_ASSERT(rc == CFC__PROTO_OK || rc == CFC__PROTO_ADAPTER_ERROR ||
                        rc == CFC__PROTO_INVALID,
                    "status %d", (int)rc);
    CFC_FUZZ_ASSERT(rc != CFC__PROTO_INVALID || why[0] != '\0', "an invalid line without a reason");
    CFC_FUZZ_ASSERT(rc != CFC__PROTO_ADAPTER_ERROR || r.error != NULL,
                    "an error answer without its message");
    if (rc == CFC__PROTO_OK) {
        well_formed(&r);
        /* Written back as an adapter would, it reads back the same. */
        cfc__buf b;
        cfc__buf_init(&b, NULL);
        cfc__proto_write_reply(&b, 7, &r);
        CFC_FUZZ_ASSERT(cfc__buf_ok(&b), "out of memory");
        cfc_cert_reply again;
        CFC_FUZZ_ASSERT(cfc__proto_parse_reply(p, NULL, b.data, b.len, 7, &again, why,
                                               sizeof why) == CFC__PROTO_OK,
                        "a written reply does not read back: %s", why);
        CFC_FUZZ_ASSERT(again.outcome == r.outcome && again.n_sent == r.n_sent &&
                            again.n_logs == r.n_logs,
                        "the round trip changed the reply");
        for (size_t i = 0; i < r.n_sent; i++)
            CFC_FUZZ_ASSERT(again.sent[i].len == r.sent[i].len &&
                                memcmp(again.sent[i].bytes, r.sent[i].bytes, r.sent[i].len) == 0,
                            "sent[%zu] changed in the round trip", i);
        for (size_t i = 0; i < r.n_logs; i++) {
            same_text(again.logs[i].level, r.logs[i].level);
            same_text(again.logs[i].message, r.logs[i].message);
        }
        same_text(again.status, r.status);
        same_text(again.error, r.error);
        cfc__reply_free(NULL, &again);
        cfc__buf_free(&b);

        /* Graded against every step of the target's catalogue. Each case's
         * events (a checker, a parser, a scenario's stream) are made once
         * for the run and started again for every input, as
         * cfc__events_new would make them: making a checker and a parser
         * for each case of each input, and faulting in their fresh
         * buffers, cost more than the grading itself. */
        static cfc__events *events[4];
        CFC_FUZZ_ASSERT(cfc_catalogue_count(cat) <= sizeof events / sizeof events[0],
                        "more cases than events");
        for (size_t c = 0; c < cfc_catalogue_count(cat); c++) {
            const cfc_cert_case *k = cfc_catalogue_case(cat, c);
            if (events[c] == NULL)
                CFC_FUZZ_ASSERT((events[c] = cfc__events_new(NULL, k)) != NULL, "out of memory");
            else
                CFC_FUZZ_ASSERT(cfc__events_restart(events[c], k), "out of memory");
            for (size_t s = 0; s < k->n_steps; s++) {
                cfc__grade g;
                cfc__grade_init(&g, NULL);
                CFC_FUZZ_ASSERT(cfc__grade_step(&g, events[c], &k->steps[s], &r, 5000),
                                "grading ran out of memory");
                CFC_FUZZ_ASSERT(g.verdict == CFC_VERDICT_PASS || g.n_messages > 0,
                                "a verdict without a reason");
                CFC_FUZZ_ASSERT(g.verdict <= CFC_VERDICT_FAIL, "grading gave verdict %d",
                                (int)g.verdict);
                cfc__grade_free(&g);
            }
        }
    }
    cfc__reply_free(NULL, &r);

    cfc__hello h;
    rc = cfc__proto_parse_hello(p, NULL, line, size, &h, why, sizeof why);
    CFC_FUZZ_ASSERT(rc == CFC__PROTO_OK || rc == CFC__PROTO_INVALID, "hello status %d", (int)rc);
    if (rc == CFC__PROTO_OK) {
        CFC_FUZZ_ASSERT(h.name && h.language && h.version, "a hello without its implementation");
        for (size_t i = 0; i < h.n_broadcasters; i++)
            CFC_FUZZ_ASSERT(h.broadcasters[i] != NULL, "broadcasters[%zu]", i);
    }
    cfc__hello_free(NULL, &h);
    return 0;
}
