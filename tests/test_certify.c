/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* Certification (cfc/certify.h, cfconform certify): the catalogue, the
 * adapter protocol reader, adapter processes that crash, hang or lie, the
 * verdicts of the three shipped implementations (reference: all PASS; the
 * correct Python module: all PASS; the buggy one: exactly buggy_expected),
 * every report format (the HTML one rendered in headless Chromium), exit
 * codes, and allocation failure. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "certify_internal.h"
#include "cfc/certify.h"
#include "certify/bad_args.h"
#include "params.h"
#include "cert_test.h"

#define CATALOGUE CFC_SOURCE_DIR "/corpus/certification/catalogue.json"
#define REFERENCE_ADAPTER CFC_BINARY_DIR "/adapters/cfc-adapter-reference"
#define PY_ADAPTER "python3 " CFC_SOURCE_DIR "/adapters/python/cfc_adapter.py "
#define GOOD_MODULE CFC_SOURCE_DIR "/tests/certify/good_broadcasts.py"
#define BUGGY_MODULE CFC_SOURCE_DIR "/tests/certify/buggy_broadcasts.py"
#define MISBEHAVE "python3 " CFC_SOURCE_DIR "/tests/certify/misbehave_adapter.py"

TestSuite(certify, .init = cert_test_setup, .fini = cert_test_teardown);

static cfc_catalogue *load_catalogue(void)
{
    size_t len;
    char *text = test_slurp(CATALOGUE, &len);
    cfc_catalogue *cat = NULL;
    cfc_certify_error err;
    cfc_certify_status st = cfc_catalogue_load(text, len, NULL, &cat, &err);
    cr_assert_eq(st, CFC_CERTIFY_OK, "catalogue: %s", err.message);
    free(text);
    return cat;
}

static const cfc_case_result *result_of(const cfc_certification *cert, const char *id)
{
    for (size_t i = 0; i < cert->n_results; i++) {
        if (strcmp(cert->results[i].c->id, id) == 0)
            return &cert->results[i];
    }
    return NULL;
}

/* ---- the catalogue -------------------------------------------------------- */

Test(certify, catalogue_covers_the_contract)
{
    cfc_catalogue *cat = load_catalogue();
    cr_expect_geq(cfc_catalogue_count(cat), 150, "at least 150 cases");
    cr_expect_str_eq(cfc_catalogue_version(cat), "2.0.0");
    cr_expect_eq(strlen(cfc_catalogue_sha256(cat)), 64);

    /* The hash is SHA-256 of the file's bytes, as sha256sum computes it. */
    char *out;
    cr_assert_eq(test_run("sha256sum " CATALOGUE, &out), 0);
    cr_expect_eq(strncmp(out, cfc_catalogue_sha256(cat), 64), 0, "%s vs %s", out,
                 cfc_catalogue_sha256(cat));
    free(out);

    /* Every broadcaster, its contract example, its failing manager, and every
     * enum value in some call. */
    size_t n_types;
    const cfc_event_type *types = cfc_contract_types(&n_types);
    for (size_t t = 0; t < n_types; t++) {
        bool called = false, example = false, fault = false, refused = false;
        for (size_t i = 0; i < cfc_catalogue_count(cat); i++) {
            const cfc_cert_case *c = cfc_catalogue_case(cat, i);
            for (size_t s = 0; s < c->n_steps; s++) {
                if (c->steps[s].type != &types[t])
                    continue;
                called = true;
                fault |= c->steps[s].fault != CFC_FAULT_NONE;
                refused |= c->steps[s].expect == CFC_EXPECT_REFUSE_OR_CONFORM;
            }
            example |= c->steps[0].type == &types[t] && strstr(c->reference, "Example") != NULL;
        }
        cr_expect(called && fault && refused, "%s: calls %d, fault %d, refusals %d", types[t].name,
                  called, fault, refused);
        /* The contract has examples for the seven events of its first three sections. */
        if (t <= CFC_EV_TASK_UNBLOCKED)
            cr_expect(example, "%s: the contract's example is not a case", types[t].name);
        for (size_t f = 0; f < types[t].n_fields; f++) {
            const cfc_field *fd = &types[t].fields[f];
            if (fd->kind != CFC_KIND_ENUM || fd->fixed_string)
                continue;
            for (const char *const *v = fd->values; *v; v++) {
                char needle[96];
                snprintf(needle, sizeof needle, "\"%s\":\"%s\"", fd->param ? fd->param : fd->name,
                         *v);
                bool found = false;
                for (size_t i = 0; i < cfc_catalogue_count(cat) && !found; i++) {
                    const cfc_cert_case *c = cfc_catalogue_case(cat, i);
                    for (size_t s = 0; s < c->n_steps && !found; s++)
                        found = c->steps[s].type == &types[t] && strstr(c->steps[s].args, needle);
                }
                cr_expect(found, "%s: no case calls it with %s", types[t].name, needle);
            }
        }
    }
    /* Scenarios exist and carry the stream options. */
    size_t scenarios = 0;
    for (size_t i = 0; i < cfc_catalogue_count(cat); i++)
        scenarios += cfc_catalogue_case(cat, i)->scenario;
    cr_expect_geq(scenarios, 8);
    cfc_catalogue_free(cat);
}

/* A catalogue that is wrong in one way, and what the error says. */
static const struct bad_catalogue {
    const char *text;
    const char *message;
} bad_catalogues[] = {
    {"[]", "must be a JSON object"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[]}",
     "\"cases\" must be a non-empty array"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_nothing\",\"args\":{}},\"expect\":{\"kind\":\"refuse-"
     "or-conform\"}}]}",
     "no broadcaster \"broadcast_nothing\""},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{\"agentid\":\"a\"}},"
     "\"expect\":{\"kind\":\"refuse-or-conform\"}}]}",
     "has no parameter \"agentid\""},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.01\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"refuse-or-conform\"}}]}",
     "an ID is numbers joined by dots"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"2.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"refuse-or-conform\"}}]}",
     "no section \"2\""},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"refuse-or-conform\"}},"
     "{\"id\":\"1.1\",\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"refuse-or-conform\"}}]}",
     "the ID is used twice"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{},\"fault\":\"fail\"},"
     "\"expect\":{\"kind\":\"event\",\"fields\":{}}}]}",
     "a fault goes with expect.kind no-raise"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"event\",\"fields\":{\"agentid\":\"a\"}}}]}",
     "names \"agentid\", not a field of agent_retired"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{\"kind\":"
     "\"event\",\"field\":{}}}]}",
     "unknown member \"field\""},
    {"{\"version\":\"1\",\"version\":\"2\",\"sections\":[],\"cases\":[]}", "duplicate"},
    {"{\"version\":\"1\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":[{\"id\":\"1.1\","
     "\"description\":\"d\",\"ref\":\"r\","
     "\"steps\":[{\"call\":{\"broadcaster\":\"broadcast_agent_retired\",\"args\":{}},\"expect\":{"
     "\"kind\":\"refuse-or-conform\"}}],"
     "\"stream\":{\"project_id\":0}}]}",
     "stream.project_id must be an integer >= 1"},
};

CFC_TABLE_TEST(certify, catalogue_rejects, bad_catalogues)
{
    const struct bad_catalogue *b = &bad_catalogues[*cfc_index];
    cfc_catalogue *cat = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_catalogue_load(b->text, strlen(b->text), NULL, &cat, &err),
                 CFC_CERTIFY_CATALOGUE, "accepted: %s", b->text);
    cr_expect_null(cat);
    cr_expect_not_null(strstr(err.message, b->message), "message: %s (wanted %s)", err.message,
                       b->message);
}

static const struct selection {
    const char *id, *pattern;
    bool selected;
} selections[] = {
    {"2.3.1", NULL, true},      {"2.3.1", "", true},        {"2.3.1", "2.3.1", true},
    {"2.3.1", "2.3", true},     {"2.3.1", "2", true},       {"2.3.1", "2.*", true},
    {"2.3.1", "3,2.3.1", true}, {"2.3.1", "2.4", false},    {"2.3.1", "23", false},
    {"12.1.1", "1", false},     {"12.1.1", "1*", true},     {"2.3.1", "*.3.*", true},
    {"10.4.2", "10.4.?", true}, {"2.3.1", "2.3.10", false},
};

CFC_TABLE_TEST(certify, case_selection, selections)
{
    const struct selection *s = &selections[*cfc_index];
    cr_expect_eq(cfc_case_selected(s->id, s->pattern), s->selected, "%s with %s", s->id,
                 s->pattern ? s->pattern : "NULL");
}

/* ---- building blocks -------------------------------------------------------- */

/* C3: the catalogue's group .6 is exactly what the contract table generates
 * (tests/certify/bad_args.c): every argument of every broadcaster, None
 * where its field is required, and wrong types for its kind. */
Test(certify, catalogue_has_every_bad_argument_generated_from_the_contract)
{
    cfc_catalogue *cat = load_catalogue();
    cfc__buf gen;
    cfc__buf_init(&gen, NULL);
    size_t n = 0;
    char why[256] = "";
    cr_assert_eq(cfc_test_bad_args(cat, &gen, &n, why, sizeof why), 0, "%s", why);
    cfc__buf_add(&gen, "", 1);
    cr_assert(cfc__buf_ok(&gen));
    char *text = test_slurp(CATALOGUE, NULL);
    size_t missing = 0;
    for (char *line = gen.data, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        *end = '\0';
        if (strstr(text, line) == NULL && missing++ < 5)
            cr_expect_fail("not in the catalogue (regenerate with cfc-gen-bad-args):\n%s", line);
    }
    cr_expect_eq(missing, 0);
    /* ... and nothing else is in group .6. */
    size_t in_group = 0;
    for (size_t i = 0; i < cfc_catalogue_count(cat); i++) {
        const cfc_cert_case *c = cfc_catalogue_case(cat, i);
        const char *dot = strchr(c->id, '.');
        in_group += !c->scenario && dot && strncmp(dot, ".6.", 3) == 0; /* 12: scenarios */
    }
    cr_expect_eq(in_group, n, "group .6 has %zu cases, the generator %zu", in_group, n);
    cr_expect_geq(n, 200);
    /* Every argument kind is covered: a sample of each. */
    static const char *const wants[] = {
        "\"project_id\": null",
        "\"task_id\": \"1\"",
        "\"blocked_by\": [42.5]",
        "\"duration\": {\"nonfinite\": \"NaN\"}",
        "\"duration\": {\"nonfinite\": \"-Infinity\"}",
        "\"agent_type\": [\"x\"]",
        "\"current_task_id\": 1.5",
        "\"message_text\": 42",
        "\"percentage\": true",
    };
    for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++)
        cr_expect_not_null(strstr(text, wants[i]), "no case with %s", wants[i]);
    free(text);
    cfc__buf_free(&gen);
    cfc_catalogue_free(cat);
}

/* Findings a certification report shows: the received value first, then
 * what was expected; one number when floor and rounding agree. */
Test(certify, finding_messages_put_the_received_value_first)
{
    cfc_checker *c = cfc_checker_new(NULL);
    static const struct {
        const char *event, *message;
    } cases[] = {
        {"{\"type\":\"progress_update\",\"project_id\":1,\"completed\":5,\"total\":10,"
         "\"percentage\":40,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
         "percentage is 40 but 5/10 is 50"},
        {"{\"type\":\"progress_update\",\"project_id\":1,\"completed\":2,\"total\":3,"
         "\"percentage\":40,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
         "percentage is 40 but 2/3 is 66 or 67 (floor or rounded)"},
        {"{\"type\":\"agent_retired\",\"project_id\":1,\"agent_id\":\"a\","
         "\"tasks_completed\":0,\"timestamp\":\"2025-11-08T14:30:45.123456+00:00\"}",
         "timestamp \"2025-11-08T14:30:45.123456+00:00\" has 6 fractional digits (Python "
         "isoformat?); expected exactly 3, in the form 2025-11-08T14:30:45.123Z"},
        {"{\"type\":\"agent_retired\",\"project_id\":1,\"agent_id\":\"a\","
         "\"tasks_completed\":0,\"timestamp\":\"2025-11-08T14:30:45Z\"}",
         "timestamp \"2025-11-08T14:30:45Z\" has no fractional seconds; expected exactly 3 "
         "digits, in the form 2025-11-08T14:30:45.123Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cfc_event_result *r = NULL;
        cr_assert_eq(cfc_check_event(c, cases[i].event, strlen(cases[i].event), &r), CFC_CHECK_OK);
        bool found = false;
        for (size_t f = 0; f < r->n_findings; f++)
            found |= strcmp(r->findings[f].message, cases[i].message) == 0;
        cr_expect(found, "no finding \"%s\" (first: %s)", cases[i].message,
                  r->n_findings ? r->findings[0].message : "none");
    }
    cfc_checker_free(c);
}

Test(certify, sha256_known_answers)
{
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[65];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        cfc__sha256_hex(v[i].in, strlen(v[i].in), hex);
        cr_expect_str_eq(hex, v[i].hex);
    }
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    cfc__sha256_hex(million, 1000000, hex);
    cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

Test(certify, base64_round_trip_and_rejects)
{
    unsigned char bytes[256], out[260];
    for (int i = 0; i < 256; i++)
        bytes[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n < 10; n++) {
        cfc__buf b;
        cfc__buf_init(&b, NULL);
        cfc__buf_base64(&b, bytes, n * 25);
        long got = cfc__base64_decode(b.data ? b.data : "", b.len, out);
        cr_expect_eq(got, (long)(n * 25));
        cr_expect(memcmp(out, bytes, n * 25) == 0);
        cfc__buf_free(&b);
    }
    static const char *const bad[] = {
        "A", "AB=C", "A===", "AB\n=", "AB==AB==", "AR==", "ABC", "AB*="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_expect_eq(cfc__base64_decode(bad[i], strlen(bad[i]), out), -1, "%s", bad[i]);
}

static const struct split_case {
    const char *cmd;
    int rc;
    const char *words[5];
} splits[] = {
    {"a b  c", 0, {"a", "b", "c"}},
    {"python3 'my dir/adapter.py' \"x y\"", 0, {"python3", "my dir/adapter.py", "x y"}},
    {"a\\ b 'it''s' \"q\\\"\"", 0, {"a b", "its", "q\""}},
    {"  ", -1, {0}},
    {"a 'b", -1, {0}},
    {"a \"b", -1, {0}},
};

CFC_TABLE_TEST(certify, command_split, splits)
{
    const struct split_case *s = &splits[*cfc_index];
    char **argv = NULL, why[128] = "";
    int rc = cfc__argv_split(NULL, s->cmd, &argv, why, sizeof why);
    cr_assert_eq(rc, s->rc, "%s: %s", s->cmd, why);
    if (rc != 0)
        return;
    size_t n = 0;
    for (; argv[n]; n++)
        cr_expect_str_eq(argv[n], s->words[n]);
    cr_expect_null(s->words[n]);
    cfc__argv_free(NULL, argv);
}

/* Protocol lines as an adapter may write them, and what the reader makes
 * of them (answers to call 7). */
static const struct reply_case {
    const char *line;
    cfc__proto_rc rc;
    cfc_outcome outcome;
    size_t n_sent;
    const char *why; /* in the message when rc is INVALID */
} replies[] = {
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[\"{}\"],\"logs\":[]}",
     CFC__PROTO_OK, CFC_OUTCOME_RETURNED, 1, NULL},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"refused\",\"sent\":[],\"status\":\"REFUSED\"}",
     CFC__PROTO_OK, CFC_OUTCOME_REFUSED, 0, NULL},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"raised\",\"sent\":[],\"error\":\"ValueError: "
     "x\",\"future\":1}",
     CFC__PROTO_OK, CFC_OUTCOME_RAISED, 0, NULL},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"unimplemented\"}", CFC__PROTO_OK,
     CFC_OUTCOME_UNIMPLEMENTED, 0, NULL},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[{\"base64\":\"gP8=\"},"
     "\"a\\u0000b\"]}",
     CFC__PROTO_OK, CFC_OUTCOME_RETURNED, 2, NULL},
    {"{\"op\":\"error\",\"seq\":7,\"message\":\"cannot convert\"}", CFC__PROTO_ADAPTER_ERROR,
     CFC_OUTCOME_NONE, 0, NULL},
    {"{\"op\":\"result\",\"seq\":8,\"outcome\":\"returned\",\"sent\":[]}", CFC__PROTO_INVALID, 0, 0,
     "out of sequence"},
    {"{\"op\":\"result\",\"outcome\":\"returned\",\"sent\":[]}", CFC__PROTO_INVALID, 0, 0,
     "\"seq\""},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"fine\",\"sent\":[]}", CFC__PROTO_INVALID, 0, 0,
     "\"outcome\""},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\"}", CFC__PROTO_INVALID, 0, 0,
     "\"sent\" is missing"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[1]}", CFC__PROTO_INVALID, 0,
     0, "sent[0]"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[{\"base64\":\"gP8\"}]}",
     CFC__PROTO_INVALID, 0, 0, "base64"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[\"\\ud800\"]}",
     CFC__PROTO_INVALID, 0, 0, "invalid JSON"},
    {"{\"op\":\"result\",\"seq\":7,\"seq\":7,\"outcome\":\"returned\",\"sent\":[]}",
     CFC__PROTO_INVALID, 0, 0, "invalid JSON"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[]} x", CFC__PROTO_INVALID, 0,
     0, "invalid JSON"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[],\"logs\":[{\"level\":"
     "\"ERROR\"}]}",
     CFC__PROTO_INVALID, 0, 0, "\"message\""},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[],\"misuse\":[1]}",
     CFC__PROTO_INVALID, 0, 0, "misuse[0]"},
    {"{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[],\"misuse\":\"x\"}",
     CFC__PROTO_INVALID, 0, 0, "\"misuse\" must be an array"},
    {"[1]", CFC__PROTO_INVALID, 0, 0, "one JSON object"},
    {"{\"op\":\"hello\",\"seq\":7}", CFC__PROTO_INVALID, 0, 0, "expected {\"op\":\"result\""},
    {"", CFC__PROTO_INVALID, 0, 0, "invalid JSON"},
};

CFC_TABLE_TEST(certify, protocol_replies, replies)
{
    const struct reply_case *c = &replies[*cfc_index];
    cfc_jparser *p = cfc_jparser_new();
    cfc_cert_reply r;
    char why[256] = "";
    cfc__proto_rc rc =
        cfc__proto_parse_reply(p, NULL, c->line, strlen(c->line), 7, &r, why, sizeof why);
    cr_assert_eq(rc, c->rc, "%s -> %d (%s)", c->line, rc, why);
    if (rc == CFC__PROTO_OK) {
        cr_expect_eq(r.outcome, c->outcome);
        cr_expect_eq(r.n_sent, c->n_sent);
    }
    if (c->why)
        cr_expect_not_null(strstr(why, c->why), "%s: %s", c->line, why);
    if (*cfc_index == 4) { /* base64 bytes and an escaped NUL arrive exactly */
        cr_expect(r.sent[0].len == 2 && memcmp(r.sent[0].bytes, "\x80\xff", 2) == 0);
        cr_expect(r.sent[1].len == 3 && memcmp(r.sent[1].bytes, "a\0b", 3) == 0);
    }
    cfc__reply_free(NULL, &r);
    cfc_jparser_free(p);
}

Test(certify, protocol_misuse_round_trips)
{
    /* C1: the manager's wrong calls, as the adapter words them, survive the
     * protocol reader and writer (the JSON report shows them). */
    const char *line =
        "{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[],\"logs\":[],"
        "\"misuse\":[\"broadcast() got an unexpected keyword argument "
        "'project_id'\",\"x\"]}";
    cfc_jparser *p = cfc_jparser_new();
    cfc_cert_reply r;
    char why[256] = "";
    cr_assert_eq(cfc__proto_parse_reply(p, NULL, line, strlen(line), 7, &r, why, sizeof why),
                 CFC__PROTO_OK, "%s", why);
    cr_assert_eq(r.n_misuse, 2);
    cr_expect_str_eq(r.misuse[0], "broadcast() got an unexpected keyword argument 'project_id'");
    cfc__buf b;
    cfc__buf_init(&b, NULL);
    cfc__proto_write_reply(&b, 7, &r);
    cr_assert(cfc__buf_ok(&b));
    cfc__buf_add(&b, "", 1);
    cr_expect_str_eq(b.data, line);
    cfc__buf_free(&b);
    cfc__reply_free(NULL, &r);
    cfc_jparser_free(p);
}

/* The grade of a task_blocked event stamped `ts`, sent for a scenario's
 * only step (refuse-or-conform). */
static cfc_verdict grade_blocked_at(cfc__events *ev, const cfc_cert_case *k, const char *ts)
{
    char line[512];
    snprintf(line, sizeof line,
             "{\"op\":\"result\",\"seq\":7,\"outcome\":\"returned\",\"sent\":[\"{\\\"type\\\":"
             "\\\"task_blocked\\\",\\\"project_id\\\":1,\\\"task_id\\\":45,\\\"blocked_by\\\":[42],"
             "\\\"blocked_count\\\":1,\\\"timestamp\\\":\\\"%s\\\"}\"],\"logs\":[]}",
             ts);
    cfc_jparser *p = cfc_jparser_new();
    cfc_cert_reply r;
    char why[256] = "";
    cr_assert_eq(cfc__proto_parse_reply(p, NULL, line, strlen(line), 7, &r, why, sizeof why),
                 CFC__PROTO_OK, "%s", why);
    cfc__grade g;
    cfc__grade_init(&g, NULL);
    cr_assert(cfc__grade_step(&g, ev, &k->steps[0], &r, 5000));
    cfc_verdict v = g.verdict;
    cfc__grade_free(&g);
    cfc__reply_free(NULL, &r);
    cfc_jparser_free(p);
    return v;
}

Test(certify, restarted_events_are_a_new_stream)
{
    /* cfc__events_restart (the adapter-protocol fuzz target's way to grade
     * every input against the same cases) must start the scenario's stream
     * anew: an event stamped before the last one sent is S6 in one stream
     * and fine in a new one. */
    static const char text[] =
        "{\"version\":\"t\",\"sections\":[{\"id\":\"1\",\"title\":\"t\"}],\"cases\":["
        "{\"id\":\"1.1\",\"description\":\"d\",\"ref\":\"r\",\"stream\":{\"from_start\":true,"
        "\"project_id\":1},\"steps\":[{\"call\":{\"broadcaster\":\"broadcast_task_blocked\","
        "\"args\":{\"project_id\":1,\"task_id\":45,\"blocked_by\":[42]}},"
        "\"expect\":{\"kind\":\"refuse-or-conform\"}}]}]}";
    cfc_catalogue *cat;
    cfc_certify_error err;
    cr_assert_eq(cfc_catalogue_load(text, sizeof text - 1, NULL, &cat, &err), CFC_CERTIFY_OK, "%s",
                 err.message);
    const cfc_cert_case *k = cfc_catalogue_case(cat, 0);
    cfc__events *ev = cfc__events_new(NULL, k);
    cr_assert_not_null(ev);
    cr_expect_eq(grade_blocked_at(ev, k, "2026-11-25T21:27:14.231Z"), CFC_VERDICT_PASS);
    cr_expect_neq(grade_blocked_at(ev, k, "2026-11-25T21:27:13.000Z"), CFC_VERDICT_PASS,
                  "a timestamp going back in one stream passed: the test shows nothing");
    cr_assert(cfc__events_restart(ev, k));
    cr_expect_eq(grade_blocked_at(ev, k, "2026-11-25T21:27:14.231Z"), CFC_VERDICT_PASS);
    cr_assert(cfc__events_restart(ev, k));
    cr_expect_eq(grade_blocked_at(ev, k, "2026-11-25T21:27:13.000Z"), CFC_VERDICT_PASS,
                 "the restarted stream remembered the last input's timestamp");
    cfc__events_free(ev);
    cfc_catalogue_free(cat);
}

Test(certify, protocol_hello)
{
    cfc_jparser *p = cfc_jparser_new();
    cfc__hello h;
    char why[256];
    const char *ok =
        "{\"op\":\"hello\",\"protocol\":1,\"implementation\":{\"name\":\"n\",\"language\":\"Go\","
        "\"version\":\"2\"},\"broadcasters\":[\"broadcast_agent_created\"]}";
    cr_assert_eq(cfc__proto_parse_hello(p, NULL, ok, strlen(ok), &h, why, sizeof why),
                 CFC__PROTO_OK, "%s", why);
    cr_expect_str_eq(h.language, "Go");
    cr_expect_eq(h.n_broadcasters, 1);
    cfc__hello_free(NULL, &h);
    const char *v2 =
        "{\"op\":\"hello\",\"protocol\":2,\"implementation\":{\"name\":\"n\",\"language\":\"Go\","
        "\"version\":\"2\"},\"broadcasters\":[]}";
    cr_expect_eq(cfc__proto_parse_hello(p, NULL, v2, strlen(v2), &h, why, sizeof why),
                 CFC__PROTO_INVALID);
    cr_expect_not_null(strstr(why, "speaks protocol 2"), "%s", why);
    cfc_jparser_free(p);
}

/* ---- the shipped implementations -------------------------------------------------- */

Test(certify, reference_adapter_certifies_at_100_percent)
{
    cfc_catalogue *cat = load_catalogue();
    cfc_certify_options o = {.adapter_command = REFERENCE_ADAPTER};
    cfc_certification *cert = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_certify_run(cat, &o, &cert, &err), CFC_CERTIFY_OK, "%s", err.message);
    for (size_t i = 0; i < cert->n_results; i++) {
        const cfc_case_result *r = &cert->results[i];
        cr_expect_eq(r->verdict, CFC_VERDICT_PASS, "%s: %s: %s", r->c->id,
                     cfc_verdict_name(r->verdict), r->n_messages ? r->messages[0] : "");
    }
    cr_expect_eq(cert->n_results, cfc_catalogue_count(cat));
    cr_expect_eq(cert->counts[CFC_VERDICT_PASS], cfc_catalogue_count(cat));
    cr_expect(cert->certified);
    cr_expect_eq(cfc_certification_score(cert), 100);
    cr_expect_eq(cert->adapter_starts, 1);
    cr_expect_str_eq(cert->impl_name, "cfc-reference");
    cr_expect_eq(cert->n_broadcasters, CFC_EV_COUNT);
    cfc_certification_free(cert);
    cfc_catalogue_free(cat);
    expect_no_children();
}

Test(certify, good_python_module_certifies_at_100_percent)
{
    char *out;
    int rc = runf(&out, CFC " certify --adapter '" PY_ADAPTER GOOD_MODULE "' --report-dir %s/good",
                  cert_dir);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "NON-STRICT 0  FAIL 0  UNIMPLEMENTED 0  ERROR 0"), "%s", out);
    cr_expect_not_null(strstr(out, "certified: 100%"), "%s", out);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/good/badge.json", cert_dir);
    char *badge = test_slurp(path, NULL);
    cJSON *b = cJSON_Parse(badge);
    cr_assert_not_null(b);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(b, "color")->valuestring, "brightgreen");
    cJSON_Delete(b);
    free(badge);
}

/* The buggy module's expected verdicts, every case not listed must PASS.
 * Each failure is explained by one of its four bugs (see the module). */
static const struct expected_verdict {
    const char *id;
    cfc_verdict verdict;
} buggy_expected[] = {
    /* BUG 4: task_assigned lets a RuntimeError from the manager escape
     * (a ConnectionError, 4.5.1, is caught). */
    {"4.5.2", CFC_VERDICT_FAIL},
    /* BUG 3: task_blocked without blocked_count: every event it sends,
     * also the one it tries to send to a failing manager. Its refusals
     * (6.4.x) are right. */
    {"6.1.1", CFC_VERDICT_FAIL},
    {"6.2.1", CFC_VERDICT_FAIL},
    {"6.2.2", CFC_VERDICT_FAIL},
    {"6.2.3", CFC_VERDICT_FAIL},
    {"6.2.4", CFC_VERDICT_FAIL},
    {"6.3.1", CFC_VERDICT_FAIL},
    {"6.3.2", CFC_VERDICT_FAIL},
    {"6.3.3", CFC_VERDICT_FAIL},
    {"6.3.4", CFC_VERDICT_FAIL},
    {"6.5.1", CFC_VERDICT_FAIL},
    {"6.5.2", CFC_VERDICT_FAIL},
    /* BUG 1: test_result with isoformat() timestamps. */
    {"8.1.1", CFC_VERDICT_FAIL},
    {"8.2.1", CFC_VERDICT_FAIL},
    {"8.2.2", CFC_VERDICT_FAIL},
    {"8.2.3", CFC_VERDICT_FAIL},
    {"8.2.4", CFC_VERDICT_FAIL},
    {"8.2.5", CFC_VERDICT_FAIL},
    {"8.2.6", CFC_VERDICT_FAIL},
    {"8.2.7", CFC_VERDICT_FAIL},
    {"8.2.8", CFC_VERDICT_FAIL},
    {"8.3.1", CFC_VERDICT_FAIL},
    {"8.3.2", CFC_VERDICT_FAIL},
    {"8.3.3", CFC_VERDICT_FAIL},
    {"8.3.4", CFC_VERDICT_FAIL},
    {"8.3.5", CFC_VERDICT_FAIL},
    {"8.5.1", CFC_VERDICT_FAIL},
    {"8.5.2", CFC_VERDICT_FAIL},
    /* BUG 2: a float percentage whenever it is computed (not for 0 of 0,
     * where the code has an integer 0; not when the caller gives one). */
    {"11.1.1", CFC_VERDICT_FAIL},
    {"11.2.2", CFC_VERDICT_FAIL},
    {"11.2.3", CFC_VERDICT_FAIL},
    {"11.2.4", CFC_VERDICT_FAIL},
    {"11.2.5", CFC_VERDICT_FAIL},
    {"11.2.6", CFC_VERDICT_FAIL},
    {"11.2.11", CFC_VERDICT_FAIL},
    {"11.3.1", CFC_VERDICT_FAIL},
    {"11.3.2", CFC_VERDICT_FAIL},
    {"11.3.3", CFC_VERDICT_FAIL},
    {"11.3.4", CFC_VERDICT_FAIL},
    {"11.3.5", CFC_VERDICT_FAIL},
    {"11.5.1", CFC_VERDICT_FAIL},
    {"11.5.2", CFC_VERDICT_FAIL},
    /* percentage None (null): computed, so a float (bug 2). */
    {"11.6.19", CFC_VERDICT_FAIL},
    /* Scenarios with a task_blocked (bug 3), a test_result (bug 1) or a
     * computed percentage (bug 2). */
    {"12.2.1", CFC_VERDICT_FAIL},
    {"12.2.2", CFC_VERDICT_FAIL},
    {"12.2.3", CFC_VERDICT_FAIL},
    {"12.4.1", CFC_VERDICT_FAIL},
    {"12.5.1", CFC_VERDICT_FAIL},
    {"12.6.1", CFC_VERDICT_FAIL},
};

Test(certify, buggy_python_module_fails_exactly_the_expected_cases)
{
    char *out;
    int rc = runf(
        &out, CFC " certify --quiet --adapter '" PY_ADAPTER BUGGY_MODULE "' --report-dir %s/buggy",
        cert_dir);
    cr_expect_eq(rc, 1, "not certified: exit 1\n%s", out);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/buggy/certification.json", cert_dir);
    char *text = test_slurp(path, NULL);
    cJSON *report = cJSON_Parse(text);
    cr_assert_not_null(report, "the JSON report parses");
    const cJSON *cases = cJSON_GetObjectItemCaseSensitive(report, "cases"), *c;
    size_t n = 0, failed = 0;
    cJSON_ArrayForEach(c, cases)
    {
        const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
        const char *verdict = cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring;
        const char *want = "PASS";
        for (size_t i = 0; i < sizeof buggy_expected / sizeof buggy_expected[0]; i++) {
            if (strcmp(buggy_expected[i].id, id) == 0)
                want = cfc_verdict_name(buggy_expected[i].verdict);
        }
        cr_expect_str_eq(verdict, want, "case %s", id);
        failed += strcmp(verdict, "FAIL") == 0;
        n++;
    }
    cr_expect_eq(failed, sizeof buggy_expected / sizeof buggy_expected[0]);
    cr_expect_geq(n, 150);
    /* A FAIL carries expected vs received and the diff. */
    cJSON_ArrayForEach(c, cases)
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring, "11.1.1") != 0)
            continue;
        cr_expect(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(c, "expected")));
        const cJSON *received =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c, "received"), 0);
        cr_expect_not_null(strstr(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(received, "sent"), 0)->valuestring,
            "\"percentage\":50.0"));
        char *diff = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(c, "diff"));
        cr_expect_not_null(strstr(diff, "\"- percentage: 50\",\"+ percentage: 50.0\""), "%s", diff);
        free(diff);
    }
    cJSON_Delete(report);
    free(text);
}

/* The JSON report of a CLI run, parsed (the caller frees it). */
static cJSON *json_report_of(const char *sub)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s/certification.json", cert_dir, sub);
    char *text = test_slurp(path, NULL);
    cJSON *report = cJSON_Parse(text);
    free(text);
    cr_assert_not_null(report, "the JSON report %s parses", path);
    return report;
}

static const cJSON *report_case(const cJSON *report, const char *id)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "cases"))
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring, id) == 0)
            return c;
    }
    cr_assert_fail("no case %s in the report", id);
    return NULL;
}

static bool case_says(const cJSON *c, const char *text)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "messages"))
    {
        if (strstr(m->valuestring, text))
            return true;
    }
    return false;
}

#define PROJECT_ID_MODULE CFC_SOURCE_DIR "/tests/certify/project_id_broadcasts.py"
#define RAISING_MODULE CFC_SOURCE_DIR "/tests/certify/raising_broadcasts.py"

Test(certify, broadcast_with_project_id_is_not_certified_and_says_why)
{
    /* C1: the good module, calling broadcast(message, project_id=...). */
    char *out;
    int rc = runf(&out,
                  CFC " certify --quiet --adapter '" PY_ADAPTER PROJECT_ID_MODULE
                      "' --report-dir %s/pid",
                  cert_dir);
    cr_expect_eq(rc, 1, "not certified: exit 1\n%s", out);
    cr_expect_not_null(strstr(out, "not certified"), "%s", out);
    free(out);
    cJSON *report = json_report_of("pid");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(report, "certified")));
    /* Every case that sends an event fails, naming what was passed; a
     * refusal (nothing sent, the manager never called) still passes. */
    const char *reason = "broadcast() got an unexpected keyword argument 'project_id'";
    static const char *const sends[] = {"1.1.1", "4.2.1", "6.1.1", "8.5.1", "11.1.1"};
    for (size_t i = 0; i < sizeof sends / sizeof sends[0]; i++) {
        const cJSON *c = report_case(report, sends[i]);
        cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring, "FAIL", "%s",
                         sends[i]);
        cr_expect(case_says(c, reason), "%s names project_id", sends[i]);
        cr_expect(case_says(c, "rule C1"), "%s names the rule", sends[i]);
    }
    const cJSON *refusal = report_case(report, "6.4.1");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(refusal, "verdict")->valuestring, "PASS");
    cJSON_Delete(report);
}

Test(certify, raising_module_is_not_certified)
{
    /* C2: raising on bad arguments, or when the manager fails, is FAIL. */
    char *out;
    int rc =
        runf(&out,
             CFC " certify --quiet --adapter '" PY_ADAPTER RAISING_MODULE "' --report-dir %s/raise",
             cert_dir);
    cr_expect_eq(rc, 1, "not certified: exit 1\n%s", out);
    free(out);
    cJSON *report = json_report_of("raise");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(report, "certified")));
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(
                     cJSON_GetObjectItemCaseSensitive(report, "summary"), "NON-STRICT")
                     ->valueint,
                 0);
    static const struct {
        const char *id, *verdict, *says;
    } want[] = {
        {"6.4.1", "FAIL", "raised instead of refusing quietly (rule C2"},
        {"11.4.1", "FAIL", "ValueError"},
        {"6.5.1", "FAIL", "raised when the manager's broadcast failed"},
        {"6.5.2", "FAIL", "raised when the manager's broadcast failed"},
        {"6.1.1", "PASS", NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const cJSON *c = report_case(report, want[i].id);
        cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring,
                         want[i].verdict, "%s", want[i].id);
        if (want[i].says)
            cr_expect(case_says(c, want[i].says), "%s says %s", want[i].id, want[i].says);
    }
    cJSON_Delete(report);
}

/* ---- the Python adapter: dotted names, metadata, import errors ------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

Test(certify, python_adapter_loads_a_package_module_by_dotted_name)
{
    /* A package with a relative import, installed metadata beside it. */
    char path[512], *out;
    cr_assert_eq(runf(&out, "mkdir -p %s/src/acme/sub %s/src/acme_broadcasts-3.2.1.dist-info",
                      cert_dir, cert_dir),
                 0);
    free(out);
    snprintf(path, sizeof path, "%s/src/acme/__init__.py", cert_dir);
    write_file(path, "");
    snprintf(path, sizeof path, "%s/src/acme/sub/__init__.py", cert_dir);
    write_file(path, "");
    snprintf(path, sizeof path, "%s/src/acme/impl.py", cert_dir);
    write_file(path, "import importlib.util\n"
                     "_s = importlib.util.spec_from_file_location('g', '" GOOD_MODULE "')\n"
                     "good = importlib.util.module_from_spec(_s)\n"
                     "_s.loader.exec_module(good)\n");
    snprintf(path, sizeof path, "%s/src/acme/sub/broadcasts.py", cert_dir);
    write_file(path, "from ..impl import good\nbroadcast_agent_created = "
                     "good.broadcast_agent_created\n");
    snprintf(path, sizeof path, "%s/src/acme_broadcasts-3.2.1.dist-info/METADATA", cert_dir);
    write_file(path, "Metadata-Version: 2.1\nName: acme-broadcasts\nVersion: 3.2.1\n");
    snprintf(path, sizeof path, "%s/src/acme_broadcasts-3.2.1.dist-info/top_level.txt", cert_dir);
    write_file(path, "acme\n");
    int rc = runf(&out,
                  CFC " certify --adapter '" PY_ADAPTER
                      "acme.sub.broadcasts --path %s/src' --cases 1.1.1,2.1.1",
                  cert_dir);
    cr_expect_eq(rc, 3, "partial, nothing failed: %s", out);
    cr_expect_not_null(strstr(out, "acme-broadcasts 3.2.1 (Python "), "%s", out);
    cr_expect_not_null(strstr(out, "PASS 1  NON-STRICT 0  FAIL 0  UNIMPLEMENTED 1"), "%s", out);
    free(out);
    /* A module that cannot be imported: exit 2, with the reason and the
     * adapter's own exit status (not "killed by signal 9"). */
    rc = runf(&out, CFC " certify --adapter '" PY_ADAPTER "acme.nothere --path %s/src' 2>&1",
              cert_dir);
    cr_expect_eq(rc, 2, "%s", out);
    cr_expect_not_null(strstr(out, "exited with status 2"), "%s", out);
    cr_expect_not_null(strstr(out, "cannot import acme.nothere: ModuleNotFoundError"), "%s", out);
    free(out);
}

/* ---- the Node.js adapter ---------------------------------------------------------------- */

#define NODE_ADAPTER "node " CFC_SOURCE_DIR "/adapters/node/cfc_adapter.js "
#define NODE_GOOD CFC_SOURCE_DIR "/tests/certify/good_broadcasts.cjs"
#define NODE_BUGGY CFC_SOURCE_DIR "/tests/certify/buggy_broadcasts.mjs"

Test(certify, good_node_module_certifies_at_100_percent)
{
    need("node", "nodejs");
    char *out;
    int rc = runf(
        &out, CFC " certify --quiet --adapter '" NODE_ADAPTER NODE_GOOD "' --report-dir %s/node",
        cert_dir);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "PASS 468  NON-STRICT 0  FAIL 0  UNIMPLEMENTED 0  ERROR 0"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "(JavaScript (Node.js "), "%s", out);
    free(out);
    cJSON *report = json_report_of("node");
    const cJSON *impl = cJSON_GetObjectItemCaseSensitive(report, "implementation");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(impl, "version")->valuestring, "1.0.0");
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(impl, "broadcasters")),
                 CFC_EV_COUNT, "camelCase names are found");
    cJSON_Delete(report);
}

/* The buggy JS module's FAILs, each explained by one of its three bugs;
 * every other case must PASS. */
static const char *const node_buggy_expected[] = {
    /* BUG 3: task_assigned leaves the failing manager's rejection unhandled. */
    "4.5.1", "4.5.2",
    /* BUG 2: task_blocked without blocked_count, whenever it sends (6.6.4
     * and 6.6.10: 2.0 is the integer 2 in JavaScript, so it sends). */
    "6.1.1", "6.2.1", "6.2.2", "6.2.3", "6.2.4", "6.3.1", "6.3.2", "6.3.3", "6.3.4", "6.5.1",
    "6.5.2", "6.6.4", "6.6.10",
    /* BUG 1: test_result timestamps without milliseconds. */
    "8.1.1", "8.2.1", "8.2.2", "8.2.3", "8.2.4", "8.2.5", "8.2.6", "8.2.7", "8.2.8", "8.3.1",
    "8.3.2", "8.3.3", "8.3.4", "8.3.5", "8.5.1", "8.5.2", "8.6.4", "8.6.10", "8.6.19", "8.6.36",
    /* Scenarios with a task_blocked (bug 2) or a test_result (bug 1). */
    "12.2.1", "12.2.2", "12.2.3", "12.5.1", "12.6.1"};

Test(certify, buggy_node_module_fails_exactly_the_expected_cases)
{
    need("node", "nodejs");
    char *out;
    int rc =
        runf(&out,
             CFC " certify --quiet --adapter '" NODE_ADAPTER NODE_BUGGY "' --report-dir %s/nodebug",
             cert_dir);
    cr_expect_eq(rc, 1, "%s", out);
    free(out);
    cJSON *report = json_report_of("nodebug");
    const cJSON *c;
    size_t n = 0, failed = 0;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "cases"))
    {
        const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
        const char *verdict = cJSON_GetObjectItemCaseSensitive(c, "verdict")->valuestring;
        const char *want = "PASS";
        for (size_t i = 0; i < sizeof node_buggy_expected / sizeof node_buggy_expected[0]; i++) {
            if (strcmp(node_buggy_expected[i], id) == 0)
                want = "FAIL";
        }
        cr_expect_str_eq(verdict, want, "case %s", id);
        failed += strcmp(verdict, "FAIL") == 0;
        n++;
    }
    cr_expect_eq(failed, sizeof node_buggy_expected / sizeof node_buggy_expected[0]);
    cr_expect_eq(n, 468);
    cr_expect(case_says(report_case(report, "4.5.2"), "unhandled promise rejection"));
    cr_expect(case_says(report_case(report, "8.1.1"), "ts-fraction"));
    cJSON_Delete(report);
}

Test(certify, node_adapter_manager_is_the_contracts)
{
    /* C1 in JavaScript: broadcast(message, projectId) and send_json(message)
     * are misuse; the module is loaded by package name with --path; a module
     * that cannot be imported is exit 2 with the reason. */
    need("node", "nodejs");
    char path[256];
    snprintf(path, sizeof path, "%s/pkg/node_modules/wrong-calls", cert_dir);
    char *out;
    cr_assert_eq(runf(&out, "mkdir -p %s", path), 0);
    free(out);
    char file[300];
    snprintf(file, sizeof file, "%s/index.js", path);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs("// SPDX-License-Identifier: MIT\n"
          "const good = require('" NODE_GOOD "');\n"
          "const extra = (m) => ({ broadcast: (msg) => m.broadcast(msg, msg.project_id) });\n"
          "module.exports = { ...good,\n"
          "  broadcastTaskBlocked: (m, projectId, taskId, blockedBy, taskTitle = null) =>\n"
          "    good.broadcastTaskBlocked(extra(m), projectId, taskId, blockedBy, taskTitle),\n"
          "  async broadcastAgentRetired(m, project_id, agent_id, tasks_completed = 0) {\n"
          "    try { await m.send_json({ type: 'agent_retired' }); } catch (e) {}\n"
          "  },\n"
          "};\n",
          f);
    fclose(f);
    snprintf(file, sizeof file, "%s/package.json", path);
    f = fopen(file, "w");
    cr_assert_not_null(f);
    fputs("{\"name\": \"wrong-calls\", \"version\": \"3.1.4\", \"main\": \"index.js\"}\n", f);
    fclose(f);
    int rc = runf(&out,
                  "cd / && " CFC " certify --quiet --adapter '" NODE_ADAPTER
                  "wrong-calls --path %s/pkg' --cases 6.1.1,2.1.1,1.1.1 --report-dir %s/wc",
                  cert_dir, cert_dir);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "wrong-calls 3.1.4"), "name and version from package.json: %s",
                       out);
    free(out);
    cJSON *report = json_report_of("wc");
    cr_expect(case_says(report_case(report, "6.1.1"),
                        "broadcast() takes exactly one argument (message), but was called with 2"));
    cr_expect(case_says(report_case(report, "2.1.1"), "no method 'send_json'"));
    cr_expect_str_eq(
        cJSON_GetObjectItemCaseSensitive(report_case(report, "1.1.1"), "verdict")->valuestring,
        "PASS");
    cJSON_Delete(report);
    rc = runf(&out, CFC " certify --adapter '" NODE_ADAPTER "%s/none.mjs' 2>&1", cert_dir);
    cr_expect_eq(rc, 2, "%s", out);
    cr_expect_not_null(strstr(out, "cannot import"), "%s", out);
    free(out);
}

/* ---- the reference adapter reads integers exactly ----------------------------------- */

Test(certify, reference_adapter_reads_integers_exactly)
{
    /* 2^53+1 arrives as itself (not as 2^53 through a double), and 1e3 is
     * not the integer 1000: a type refusal, as C would not compile it. */
    char *out;
    int rc = runf(&out, "printf '%%s\\n' '{\"op\":\"call\",\"seq\":1,\"broadcaster\":"
                        "\"broadcast_task_assigned\",\"args\":{\"project_id\":1,\"task_id\":"
                        "9007199254740993,\"agent_id\":\"a\"}}' '{\"op\":\"call\",\"seq\":2,"
                        "\"broadcaster\":\"broadcast_task_assigned\",\"args\":{\"project_id\":1,"
                        "\"task_id\":1e3,\"agent_id\":\"a\"}}' | " REFERENCE_ADAPTER);
    cr_assert_eq(rc, 0, "%s", out);
    char *second = strchr(out, '\n');
    cr_assert_not_null(second, "%s", out);
    *second++ = '\0';
    cr_expect_not_null(strstr(out, "\"outcome\":\"refused\""), "%s", out);
    cr_expect_not_null(strstr(out, "9007199254740993"), "the exact value is in the log: %s", out);
    cr_expect_null(strstr(out, "9007199254740992"), "%s", out);
    cr_expect_not_null(strstr(out, "; an id must be in 1..9007199254740991"), "%s", out);
    cr_expect_not_null(strstr(second, "\"outcome\":\"refused\""), "%s", second);
    cr_expect_not_null(strstr(second, "\"status\":\"TYPE\""), "%s", second);
    cr_expect_not_null(strstr(second, "argument task_id"), "%s", second);
    cr_expect_not_null(strstr(second, "exponent"), "%s", second);
    free(out);
}

/* ---- adapters that misbehave ------------------------------------------------------ */

Test(certify, misbehaving_adapter_gives_error_verdicts_restarts_and_leaves_no_child)
{
    cfc_catalogue *cat = load_catalogue();
    cfc_certify_options o = {
        .adapter_command =
            MISBEHAVE " broadcast_agent_retired=crash broadcast_agent_status=hang "
                      "broadcast_task_assigned=garbage broadcast_task_status=wrongseq "
                      "broadcast_task_blocked=error broadcast_task_unblocked=noisy "
                      "broadcast_activity_update=segv broadcast_correction_attempt=close "
                      "broadcast_progress_update=unimpl --hide broadcast_test_result",
        .cases = "1.1.1,2.1.1,3.1.1,4.1.1,5.1.1,6.1.1,7.1.1,8.1.1,9.1.1,10.1.1,11.1.1,1.2.1",
        .call_timeout_ms = 400,
    };
    cfc_certification *cert = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_certify_run(cat, &o, &cert, &err), CFC_CERTIFY_OK, "%s", err.message);
    static const struct {
        const char *id;
        cfc_verdict v;
        const char *why;
    } want[] = {
        {"1.1.1", CFC_VERDICT_PASS, NULL},
        {"2.1.1", CFC_VERDICT_ERROR, "exited with status 3"},
        {"3.1.1", CFC_VERDICT_ERROR, "no answer within 400 ms"},
        {"4.1.1", CFC_VERDICT_ERROR, "invalid JSON"},
        {"5.1.1", CFC_VERDICT_ERROR, "out of sequence"},
        {"6.1.1", CFC_VERDICT_ERROR, "could not make the call"},
        {"7.1.1", CFC_VERDICT_PASS, NULL}, /* 256 kB on stderr first: drained, no deadlock */
        {"8.1.1", CFC_VERDICT_UNIMPLEMENTED, "does not implement broadcast_test_result"},
        {"9.1.1", CFC_VERDICT_ERROR, "signal 11"},
        {"10.1.1", CFC_VERDICT_ERROR, "closed its output"},
        {"11.1.1", CFC_VERDICT_UNIMPLEMENTED, "answered unimplemented"},
        {"1.2.1", CFC_VERDICT_PASS, NULL}, /* certification goes on after all that */
    };
    cr_expect_eq(cert->n_results, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const cfc_case_result *r = result_of(cert, want[i].id);
        cr_assert_not_null(r, "%s", want[i].id);
        cr_expect_eq(r->verdict, want[i].v, "%s: %s (%s)", want[i].id, cfc_verdict_name(r->verdict),
                     r->n_messages ? r->messages[0] : "");
        if (want[i].why)
            cr_expect(r->n_messages && strstr(r->messages[0], want[i].why), "%s: %s", want[i].id,
                      r->n_messages ? r->messages[0] : "(none)");
    }
    /* crash, hang, garbage, wrong seq, segv and close each cost a restart;
     * an {"op":"error"} answer does not. */
    cr_expect_eq(cert->adapter_starts, 7);
    cr_expect_not(cert->certified);
    cfc_certification_free(cert);
    cfc_catalogue_free(cat);
    expect_no_children();
}

/* A scenario's events are checked as one stream: timestamps that go back
 * (each one within the tolerance on its own) make it NON-STRICT (S6, a
 * warning), while the same broadcaster alone passes. */
Test(certify, scenarios_apply_the_stream_rules)
{
    cfc_catalogue *cat = load_catalogue();
    cfc_certify_options o = {.adapter_command = MISBEHAVE " --backwards-clock",
                             .cases = "3.2.1,12.3.1"};
    cfc_certification *cert = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_certify_run(cat, &o, &cert, &err), CFC_CERTIFY_OK, "%s", err.message);
    const cfc_case_result *single = result_of(cert, "3.2.1"), *scenario = result_of(cert, "12.3.1");
    cr_assert(single && scenario);
    cr_expect_eq(single->verdict, CFC_VERDICT_PASS, "%s",
                 single->n_messages ? single->messages[0] : "");
    cr_expect_eq(scenario->verdict, CFC_VERDICT_NON_STRICT);
    cr_expect_eq(scenario->n_messages, 3, "steps 2, 3 and 4 go back");
    cr_expect(scenario->n_messages &&
                  strstr(scenario->messages[0], "step 2: warning[ts-backwards]"),
              "%s", scenario->n_messages ? scenario->messages[0] : "");
    cr_expect(cert->partial, "two cases of the catalogue");
    cr_expect_not(cert->certified, "a subset never certifies (C4)");
    cr_expect_eq(cert->counts[CFC_VERDICT_NON_STRICT], 1);
    cr_expect_eq(cfc_certification_score(cert), 50, "NON-STRICT is not counted as PASS");
    cfc_certification_free(cert);
    cfc_catalogue_free(cat);
}

Test(certify, adapter_that_cannot_start_is_exit_2)
{
    char *out;
    cr_expect_eq(runf(&out, CFC " certify --adapter %s/no-such-adapter 2>&1", cert_dir), 2);
    cr_expect_not_null(strstr(out, "cannot start"), "%s", out);
    free(out);
    cr_expect_eq(
        runf(&out, CFC " certify --timeout 2000 --adapter '" MISBEHAVE " --on-start crash' 2>&1"),
        2);
    cr_expect_not_null(strstr(out, "no answer to start"), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --adapter '" MISBEHAVE " --on-start garbage' 2>&1"), 2);
    cr_expect_not_null(strstr(out, "invalid answer to start"), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --adapter '" PY_ADAPTER "%s/missing.py' 2>&1", cert_dir),
                 2);
    free(out);

    cfc_catalogue *cat = load_catalogue();
    cfc_certify_options o = {.adapter_command = MISBEHAVE " --on-start hang",
                             .start_timeout_ms = 300};
    cfc_certification *cert = NULL;
    cfc_certify_error err;
    cr_expect_eq(cfc_certify_run(cat, &o, &cert, &err), CFC_CERTIFY_ADAPTER);
    cr_expect_null(cert);
    cr_expect_not_null(strstr(err.message, "within 300 ms"), "%s", err.message);
    cfc_catalogue_free(cat);
    expect_no_children();
}

Test(certify, cli_usage)
{
    char *out;
    cr_expect_eq(test_run(CFC " certify --help", &out), 0);
    cr_expect_not_null(strstr(out, "exit codes: 0 certified"));
    cr_expect_not_null(strstr(out, "--report-dir"));
    free(out);
    cr_expect_eq(test_run(CFC " certify 2>/dev/null", NULL), 2, "no --adapter");
    cr_expect_eq(
        test_run(CFC " certify --adapter " REFERENCE_ADAPTER " --cases 99 2>/dev/null", NULL), 2,
        "a pattern that selects nothing");
    cr_expect_eq(test_run(CFC " certify --adapter " REFERENCE_ADAPTER " --bogus 2>/dev/null", NULL),
                 2);
    cr_expect_eq(test_run(CFC " certify --adapter " REFERENCE_ADAPTER
                              " --catalogue /nonexistent 2>/dev/null",
                          NULL),
                 2);
    cr_expect_eq(test_run(CFC " certify --adapter \"'unterminated\" 2>/dev/null", NULL), 2);
    cr_expect_eq(test_run(CFC " certify --adapter " REFERENCE_ADAPTER
                              " --cases 6.2 >/dev/full 2>/dev/null",
                          NULL),
                 2, "a write error on stdout");
    cr_expect_eq(test_run(CFC " certify --adapter " REFERENCE_ADAPTER " --cases 6.2,7.1.1", &out),
                 3, "a subset without FAIL is exit 3, partial");
    cr_expect_not_null(strstr(out, "5 cases"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFC " --help", &out), 0);
    cr_expect_not_null(strstr(out, "cfconform certify"));
    free(out);
}

/* ---- reports ------------------------------------------------------------------------ */

/* Runs the buggy module (all verdict kinds but UNIMPLEMENTED and ERROR) and
 * the misbehaving adapter (those two), writing reports into cert_dir/NAME. */
static void reports_of(const char *name, const char *adapter, const char *cases)
{
    char *out;
    int rc = runf(
        &out, CFC " certify --quiet --timeout 400 --adapter '%s' --cases '%s' --report-dir %s/%s",
        adapter, cases, cert_dir, name);
    cr_assert_eq(rc, 1, "%s", out);
    free(out);
}

Test(certify, reports_json_junit_markdown_badge)
{
    reports_of("r", MISBEHAVE " broadcast_agent_retired=crash broadcast_task_assigned=unimpl",
               "1.1,2.1,4.1,11.1,11.2");
    char path[256];
    snprintf(path, sizeof path, "%s/r/certification.json", cert_dir);
    char *text = test_slurp(path, NULL);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "schema")->valuestring,
                     "cfconform-certification-report");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "schema_version")->valueint,
                 CFC_CERT_REPORT_SCHEMA);
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(j, "catalogue");
    cr_expect_eq(strlen(cJSON_GetObjectItemCaseSensitive(cat, "sha256")->valuestring), 64);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cat, "version")->valuestring, "2.0.0");
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(j, "summary");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "ERROR")->valueint, 1);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "UNIMPLEMENTED")->valueint, 1);
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "certified")));
    cJSON_Delete(j);
    free(text);

    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "xmllint --noout --schema " CFC_SOURCE_DIR
             "/tests/junit.xsd %s/r/certification.xml 2>&1",
             cert_dir);
    char *out;
    cr_expect_eq(test_run(cmd, &out), 0, "xmllint: %s", out);
    free(out);
    snprintf(path, sizeof path, "%s/r/certification.xml", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "<error message="));
    cr_expect_not_null(strstr(text, "<skipped message="));
    cr_expect_not_null(strstr(text, "name=\"catalogue.sha256\""));
    free(text);

    snprintf(path, sizeof path, "%s/r/certification.md", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "**Partial ("), "%s", text);
    cr_expect_not_null(strstr(text, "| ERROR | 1 |"));
    cr_expect_not_null(strstr(text, "| 2.1.1 | ERROR |"), "%s", text);
    cr_expect_not_null(strstr(text, "sha256 `"));
    free(text);

    snprintf(path, sizeof path, "%s/r/badge.json", cert_dir);
    text = test_slurp(path, NULL);
    j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "schemaVersion")->valueint, 1);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "label")->valuestring, "conformance");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "color")->valuestring, "red");
    const char *msg = cJSON_GetObjectItemCaseSensitive(j, "message")->valuestring;
    cr_expect_not_null(strstr(msg, "partial ("), "a subset: %s", msg);
    cJSON_Delete(j);
    free(text);
}

Test(certify, subset_is_partial_everywhere_never_certified)
{
    /* C4: a --cases run is "partial (N of M cases)" in every report, the
     * badge included, and exit 3 (not 0) when nothing failed. */
    cfc_catalogue *cat = load_catalogue();
    char total[32];
    snprintf(total, sizeof total, "%zu", cfc_catalogue_count(cat));
    cfc_catalogue_free(cat);
    char *out;
    int rc = runf(&out,
                  CFC " certify --adapter " REFERENCE_ADAPTER " --cases 1.1.1,6.1.1"
                      " --report-dir %s/part",
                  cert_dir);
    cr_expect_eq(rc, 3, "%s", out);
    char want[128];
    snprintf(want, sizeof want,
             "partial (2 of %s cases), not a certification: 100%% (2/2 PASS, 0 "
             "NON-STRICT)",
             total);
    cr_expect_not_null(strstr(out, want), "%s", out);
    cr_expect_null(strstr(out, "certified:"), "%s", out);
    free(out);
    snprintf(want, sizeof want, "partial (2 of %s cases)", total);
    char path[256];
    snprintf(path, sizeof path, "%s/part/badge.json", cert_dir);
    char *text = test_slurp(path, NULL);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "message")->valuestring, want);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "color")->valuestring, "lightgrey");
    cJSON_Delete(j);
    free(text);
    j = json_report_of("part");
    cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "certified")));
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "partial")));
    cJSON_Delete(j);
    snprintf(want, sizeof want, "**Partial (2 of %s cases)**", total);
    snprintf(path, sizeof path, "%s/part/certification.md", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, want), "%s", text);
    cr_expect_null(strstr(text, "Certified"), "%s", text);
    free(text);
    snprintf(want, sizeof want, "class=\"verdict partial\">Partial (2 of %s cases)</span>", total);
    snprintf(path, sizeof path, "%s/part/certification.html", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, want));
    cr_expect_null(strstr(text, ">Certified<"));
    free(text);
    /* A subset with a FAIL is exit 1 and a red badge. */
    rc = runf(&out,
              CFC " certify --quiet --adapter '" PY_ADAPTER BUGGY_MODULE
                  "' --cases 6.1.1 --report-dir %s/partfail",
              cert_dir);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, ", 1 case, "), "%s", out);
    free(out);
    snprintf(path, sizeof path, "%s/partfail/badge.json", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "\"color\":\"red\""), "%s", text);
    cr_expect_not_null(strstr(text, "partial (1 of "), "%s", text);
    free(text);
}

/* Text, Markdown and JUnit: every finding of a case, and the per-rule
 * summary (rule, cases not passed, first case). */
Test(certify, every_finding_and_the_rule_summary_in_text_markdown_junit)
{
    char *out;
    int rc = runf(&out,
                  CFC " certify --adapter '" PY_ADAPTER BUGGY_MODULE
                      "' --cases '8.1.1,8.2.1,11.1.1,12.6.1' --report-dir %s/all 2>/dev/null",
                  cert_dir);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_null(strstr(out, "more)"), "no finding is left out:\n%s", out);
    /* 12.6.1's findings, each on its own line. */
    cr_expect_not_null(strstr(out, "\n  12.6.1    FAIL          step 3: error[int-form]"), "%s",
                       out);
    cr_expect_not_null(strstr(out, "\n                          step 4: error[missing-field]"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "\n                          step 8: error[ts-zone]"), "%s",
                       out);
    cr_expect_not_null(strstr(out, "by rule (cases not passed, first case):\n"), "%s", out);
    cr_expect_not_null(strstr(out, "\n  ts-fraction                      3  8.1.1\n"), "%s", out);
    cr_expect_not_null(strstr(out, "\n  int-form                         2  11.1.1\n"), "%s", out);
    cr_expect_not_null(strstr(out, "\n  missing-field                    1  12.6.1\n"), "%s", out);
    free(out);

    char path[256];
    snprintf(path, sizeof path, "%s/all/certification.md", cert_dir);
    char *text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "### By rule"), "%s", text);
    cr_expect_not_null(strstr(text, "| ts-fraction | 3 | 8.1.1 |"), "%s", text);
    cr_expect_not_null(strstr(text, "| expected values | 2 | 11.1.1 |"), "%s", text);
    /* 12.6.1's row has every finding, the last one too. */
    const char *row = strstr(text, "| 12.6.1 | FAIL |");
    cr_assert_not_null(row, "%s", text);
    const char *eol = strchr(row, '\n');
    cr_expect(eol && strstr(row, "step 10: /percentage is 50.0, expected 50") < eol &&
                  strstr(row, "step 10: /percentage is 50.0, expected 50") != NULL,
              "%.*s", (int)(eol ? eol - row : 80), row);
    free(text);

    snprintf(path, sizeof path, "%s/all/certification.xml", cert_dir);
    text = test_slurp(path, NULL);
    const char *junit = strstr(text, "name=\"8.1.1 ");
    cr_assert_not_null(junit);
    const char *failure = strstr(junit, "<failure message=\"");
    cr_assert_not_null(failure);
    const char *end = strstr(failure, "\" type=");
    const char *zone = strstr(failure, "; error[ts-zone]");
    cr_expect(zone && zone < end, "every finding in the message attribute: %.300s", failure);
    free(text);
}

Test(certify, progress_lines_when_not_on_a_terminal)
{
    char *out;
    int rc = runf(&out, CFC " certify --adapter " REFERENCE_ADAPTER
                            " --cases 1.1,2.1 --progress-every 0 2>&1 >/dev/null");
    cr_expect_eq(rc, 3, "%s", out);
    cr_expect_not_null(strstr(out, "certify: 0 of 3 cases (0%), running 1.1.1\n"), "%s", out);
    cr_expect_not_null(strstr(out, "certify: 2 of 3 cases (66%), running 2.1.1, about "), "%s",
                       out);
    cr_expect_null(strstr(out, "\033["), "no terminal codes in a log: %s", out);
    free(out);
    /* The default: a line every 5 s, so a fast run prints none; --quiet
     * never does. */
    rc = runf(&out, CFC " certify --adapter " REFERENCE_ADAPTER " --cases 1.1 2>&1 >/dev/null");
    cr_expect_eq(rc, 3);
    cr_expect_null(strstr(out, "running 1.1.2"), "%s", out);
    free(out);
    rc = runf(&out, CFC " certify --quiet --progress-every 0 --adapter " REFERENCE_ADAPTER
                        " --cases 1.1 2>&1 >/dev/null");
    cr_expect_eq(rc, 3);
    cr_expect_null(strstr(out, "certify: "), "%s", out);
    free(out);
}

Test(certify, progress_is_live_on_a_terminal_and_erased_at_the_end)
{
    if (test_run("command -v script >/dev/null 2>&1", NULL) != 0)
        cr_skip_test("script (util-linux) is not installed: no terminal to test with");
    /* script(1) gives the run a terminal; its output is what the screen got. */
    char *out;
    int rc = runf(&out, "script -qfec \"" CFC " certify --adapter " REFERENCE_ADAPTER
                        " --cases 1.1,2.1\" /dev/null");
    cr_expect_eq(rc, 3, "%s", out);
    cr_expect_not_null(strstr(out, "\r\033[K[0/3]   0%  1.1.1"), "%s", out);
    cr_expect_not_null(strstr(out, "\r\033[K[2/3]  66%  2.1.1     about "), "%s", out);
    /* Erased before the summary. */
    cr_expect_not_null(strstr(out, "\r\033[Kcfc-reference "), "%s", out);
    free(out);
}

/* What the page must show once Chromium has laid it out: every case a
 * visible cell, one colour per verdict, the legend, the details, the hash.
 * The report has no script; this page loads it in a frame and measures. */
static const char html_check_page[] =
    "<!DOCTYPE html><html><body><iframe id=\"f\" src=\"certification.html\" width=\"1200\" "
    "height=\"900\"></iframe>\n"
    "<script>\n"
    "window.addEventListener('load', function () {\n"
    "  var out = [], colours = {};\n"
    "  try {\n"
    "    var d = document.getElementById('f').contentDocument;\n"
    "    var cells = d.querySelectorAll('#matrix a.cell'), visible = 0;\n"
    "    for (var i = 0; i < cells.length; i++) {\n"
    "      var r = cells[i].getBoundingClientRect(), v = cells[i].getAttribute('data-verdict');\n"
    "      if (r.width > 10 && r.height > 10) visible++;\n"
    "      var c = getComputedStyle(cells[i]).backgroundColor;\n"
    "      colours[v] = colours[v] && colours[v] !== c ? 'MIXED' : c;\n"
    "    }\n"
    "    out.push('cells=' + cells.length, 'visible=' + visible);\n"
    "    for (var k in colours) out.push('colour ' + k + '=' + colours[k]);\n"
    "    out.push('legend=' + d.querySelectorAll('ul.legend li .cell').length);\n"
    "    out.push('details=' + d.querySelectorAll('details.case').length);\n"
    "    out.push('open=' + d.querySelectorAll('details.case[open]').length);\n"
    "    out.push('diff=' + d.querySelectorAll('pre.diff span.del').length);\n"
    "    out.push('catalogue=' + d.getElementById('catalogue').textContent);\n"
    "    var pass = d.getElementById('case-1.1.1');\n"
    "    out.push('pass_open=' + pass.open);\n"
    "    out.push('pass_received=' + (pass.textContent.indexOf('\"type\":\"agent_created\"') >= "
    "0));\n"
    "    var shown = function (sel) { var n = 0, l = d.querySelectorAll(sel);\n"
    "      for (var i = 0; i < l.length; i++) if (l[i].getClientRects().length) n++; return n; };\n"
    "    d.getElementById('fv-fail').checked = true;\n"
    "    out.push('fail_shown=' + shown('details.case'), 'fail_cells=' + shown('#matrix "
    "a.cell'));\n"
    "    d.getElementById('fv-all').checked = true;\n"
    "    var r = d.querySelector('input[data-rule=\"ts-fraction\"]');\n"
    "    r.checked = true;\n"
    "    out.push('rule_shown=' + shown('details.case'));\n"
    "    out.push('rule_count=' + "
    "d.querySelector('td.rule-count[data-rule=\"ts-fraction\"]').textContent);\n"
    "    d.getElementById('fr-all').checked = true;\n"
    "    out.push('all_shown=' + shown('details.case'));\n"
    "  } catch (e) { out.push('exception=' + e); }\n"
    "  var pre = document.createElement('pre'); pre.id = 'result';\n"
    "  pre.textContent = '\\n' + out.join('\\n') + '\\n';\n"
    "  document.body.appendChild(pre);\n"
    "});\n"
    "</script></body></html>\n";

Test(certify, html_report_renders_the_matrix_in_chromium, .timeout = 240)
{
    need("chromium", "chromium");
    char *out;
    int rc =
        runf(&out, CFC " certify --quiet --adapter '" PY_ADAPTER BUGGY_MODULE "' --report-dir %s/h",
             cert_dir);
    cr_assert_eq(rc, 1, "%s", out);
    free(out);
    char path[256], *res;
    snprintf(path, sizeof path, "%s/h", cert_dir);
    char *dom = render_in_chromium(path, html_check_page, &res);
    cr_expect_null(strstr(res, "exception="), "%s", res);
    cr_expect_not_null(strstr(res, "\ncells=468\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nvisible=468\n"), "every cell is laid out with a size:\n%s",
                       res);
    cr_expect_not_null(strstr(res, "\ncolour PASS=rgb(46, 125, 50)\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\ncolour FAIL=rgb(198, 40, 40)\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nlegend=5\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\ndetails=468\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nopen=49\n"), "the 49 failures are open:\n%s", res);
    cr_expect_null(strstr(res, "\ndiff=0\n"), "%s", res);
    cr_expect_not_null(strstr(res, "catalogue=version 2.0.0, sha256 "), "%s", res);
    /* Passing cases collapsed, with what they received. */
    cr_expect_not_null(strstr(res, "\npass_open=false\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\npass_received=true\n"), "%s", res);
    /* The filters: by verdict (the 49 FAILs, in the list and the matrix),
     * by rule (as many as the per-rule summary says), and back to all. */
    cr_expect_not_null(strstr(res, "\nfail_shown=49\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nfail_cells=49\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nrule_shown=18\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nrule_count=18\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nall_shown=468\n"), "%s", res);
    free(dom);
}

/* ---- allocation failure ------------------------------------------------------------------- */

typedef struct failing {
    long countdown; /* allocations left before failing; < 0: never fail */
    long live;
    bool failed;
} failing;

static void *f_malloc(void *ctx, size_t n)
{
    failing *f = ctx;
    if (f->countdown == 0) {
        f->failed = true;
        return NULL;
    }
    if (f->countdown > 0)
        f->countdown--;
    void *p = malloc(n);
    f->live += p != NULL;
    return p;
}

static void *f_realloc(void *ctx, void *p, size_t n)
{
    failing *f = ctx;
    if (f->countdown == 0) {
        f->failed = true;
        return NULL;
    }
    if (f->countdown > 0)
        f->countdown--;
    void *q = realloc(p, n);
    f->live += p == NULL && q != NULL;
    return q;
}

static void f_free(void *ctx, void *p)
{
    failing *f = ctx;
    f->live -= p != NULL;
    free(p);
}

Test(certify, allocation_failure_is_a_status_and_leaks_nothing)
{
    size_t len;
    char *text = test_slurp(CATALOGUE, &len);
    /* A slice of the catalogue: its header and the first sections. */
    char *cut = strstr(text, "\n  {\"id\": \"3.1.1\"");
    cr_assert_not_null(cut);
    strcpy(cut - 1, "\n ]\n}\n");
    len = strlen(text);
    failing f = {0};
    cfc_allocator a = {f_malloc, f_realloc, f_free, &f};
    long n;
    for (n = 0;; n++) {
        f = (failing){.countdown = n};
        cfc_catalogue *cat = NULL;
        cfc_certify_error err;
        cfc_certify_status st = cfc_catalogue_load(text, len, &a, &cat, &err);
        if (st == CFC_CERTIFY_OK) {
            cr_expect_not(f.failed);
            cfc_catalogue_free(cat);
            cr_expect_eq(f.live, 0);
            break;
        }
        cr_assert_eq(st, CFC_CERTIFY_NOMEM, "after %ld allocations: %s", n, err.message);
        cr_expect_null(cat);
        cr_assert_eq(f.live, 0, "leak after failing allocation %ld", n);
    }
    cr_expect_gt(n, 10, "the sweep went through the loader (%ld allocations)", n);
    free(text);

    const char *line =
        "{\"op\":\"result\",\"seq\":3,\"outcome\":\"raised\",\"sent\":[\"{\\\"a\\\":1}\",{"
        "\"base64\":\"gP8=\"}],"
        "\"logs\":[{\"level\":\"ERROR\",\"message\":\"m\"}],\"status\":\"s\",\"error\":\"e\"}";
    for (n = 0;; n++) {
        f = (failing){.countdown = -1};
        cfc_jalloc ja = {f_malloc, f_realloc, f_free, &f};
        cfc_jparser *p = cfc_jparser_new_with_alloc(&ja);
        cr_assert_not_null(p);
        f.countdown = n;
        cfc_cert_reply r;
        char why[128];
        cfc__proto_rc rc =
            cfc__proto_parse_reply(p, &a, line, strlen(line), 3, &r, why, sizeof why);
        cfc__reply_free(&a, &r);
        cfc_jparser_free(p);
        cr_assert_eq(f.live, 0, "leak after failing allocation %ld", n);
        if (rc == CFC__PROTO_OK)
            break;
        cr_assert_eq(rc, CFC__PROTO_NOMEM, "after %ld allocations: %s", n, why);
    }
    cr_expect_gt(n, 5);

    /* Report writers: a real certification, written with failing memory. */
    cfc_catalogue *cat = load_catalogue();
    cfc_certify_options o = {.adapter_command = REFERENCE_ADAPTER " x", .cases = "6.1.1,12.2.1"};
    cfc_certification *cert = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_certify_run(cat, &o, &cert, &err), CFC_CERTIFY_OK, "%s", err.message);
    for (int fmt = CFC_CERT_JSON; fmt <= CFC_CERT_HTML; fmt++) {
        for (n = 0;; n++) {
            f = (failing){.countdown = n};
            cert->alloc = &a;
            FILE *sink = fopen("/dev/null", "w");
            int rc = cfc_certification_write(cert, (cfc_cert_format)fmt, sink);
            fclose(sink);
            cert->alloc = NULL;
            cr_assert_eq(f.live, 0);
            if (rc == 0)
                break;
            cr_assert(f.failed, "format %d failed without an allocation failure", fmt);
        }
    }
    cfc_certification_free(cert);
    cfc_catalogue_free(cat);
}

/* ---- the report bound (issue 11) ------------------------------------------------ */

static char *dup_s(const char *s)
{
    char *d = strdup(s);
    cr_assert_not_null(d);
    return d;
}

/* A reply keeps the first of its output, in order (error, status, misuse,
 * sent, logs), cut at a character boundary, and says how much there was. */
Test(certify, a_reply_is_cut_to_the_bound_at_a_character_boundary)
{
    cfc_cert_reply r;
    memset(&r, 0, sizeof r);
    r.error = dup_s("boom");
    r.n_sent = 3;
    r.sent = calloc(3, sizeof *r.sent);
    r.sent[0] = (cfc_cert_text){dup_s("0123456789"), 10};
    char e100[201] = "";
    for (int i = 0; i < 100; i++)
        strcat(e100, "\xc3\xa9"); /* é */
    r.sent[1] = (cfc_cert_text){dup_s(e100), 200};
    r.sent[2] = (cfc_cert_text){dup_s("x"), 1};
    r.n_logs = 1;
    r.logs = calloc(1, sizeof *r.logs);
    r.logs[0] = (cfc_cert_log){dup_s("ERROR"), dup_s("lost")};
    /* 4 + 10 bytes, then 3 of "éé...": cut back to the whole é. */
    cfc__keep left = {17, CFC__KEEP_ITEMS};
    cfc__reply_keep(NULL, &r, &left);
    cr_expect(r.cut);
    cr_expect_str_eq(r.error, "boom");
    cr_assert_eq(r.n_sent, 2);
    cr_expect_eq(r.sent[1].len, 2);
    cr_expect_eq(memcmp(r.sent[1].bytes, "\xc3\xa9", 3), 0); /* and its NUL */
    cr_expect_eq(r.n_logs, 0);
    cr_expect_null(r.logs);
    cr_expect_eq(r.received_sent, 3);
    cr_expect_eq(r.received_logs, 1);
    cr_expect_eq(r.received_bytes, 4 + 10 + 200 + 1 + 5 + 4);
    cr_expect_eq(r.kept_bytes, 16);
    cr_expect_eq(left.bytes, 0);
    cfc__reply_free(NULL, &r);

    /* Within the bound nothing changes; items are bounded too. */
    memset(&r, 0, sizeof r);
    r.n_sent = 3;
    r.sent = calloc(3, sizeof *r.sent);
    for (int i = 0; i < 3; i++)
        r.sent[i] = (cfc_cert_text){dup_s(""), 0};
    left = (cfc__keep){1000, 3};
    cfc__reply_keep(NULL, &r, &left);
    cr_expect_not(r.cut);
    cr_expect_eq(r.n_sent, 3);
    cr_expect_eq(left.items, 0);
    cr_expect_eq(left.bytes, 1000);
    cfc__reply_free(NULL, &r);
    memset(&r, 0, sizeof r);
    r.n_sent = 2;
    r.sent = calloc(2, sizeof *r.sent);
    for (int i = 0; i < 2; i++)
        r.sent[i] = (cfc_cert_text){dup_s(""), 0};
    cfc__reply_keep(NULL, &r, &left); /* no item left */
    cr_expect(r.cut);
    cr_expect_eq(r.n_sent, 0);
    cr_expect_eq(r.received_sent, 2);
    cfc__reply_free(NULL, &r);
}

/* Findings are kept whole, at most CFC_CERT_KEEP_FINDINGS per case, and past
 * it one of every rule not among them yet (the per-rule summary stays
 * exact); the rest, and diff lines past as many, are counted. */
Test(certify, findings_past_the_bound_are_counted_and_every_rule_kept)
{
    cfc__grade g;
    cfc__grade_init(&g, NULL);
    for (int i = 0; i < CFC_CERT_KEEP_FINDINGS + 50; i++) {
        cfc__grade_note(&g, CFC_VERDICT_FAIL, "event %d: error[ts-zone] /timestamp: zone", i + 1);
        cfc__grade_diff(&g, "+ x: %d", i);
    }
    cfc__grade_note(&g, CFC_VERDICT_FAIL, "event 999: error[missing-field] /x: missing");
    cfc__grade_note(&g, CFC_VERDICT_FAIL, "event 999: error[missing-field] /y: missing");
    cfc__grade_finish(&g);
    cr_assert_eq(g.n_messages, CFC_CERT_KEEP_FINDINGS + 2);
    cr_expect_str_eq(g.messages[CFC_CERT_KEEP_FINDINGS],
                     "event 999: error[missing-field] /x: missing");
    cr_expect_not_null(strstr(g.messages[CFC_CERT_KEEP_FINDINGS + 1], "51 more findings not shown"),
                       "%s", g.messages[CFC_CERT_KEEP_FINDINGS + 1]);
    cr_assert_eq(g.n_diff, CFC_CERT_KEEP_FINDINGS + 1);
    cr_expect_str_eq(g.diff[CFC_CERT_KEEP_FINDINGS], "  ... 50 more lines not shown");
    cr_expect_eq(g.verdict, CFC_VERDICT_FAIL);
    cfc__grade_free(&g);
}
