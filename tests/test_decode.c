/* SPDX-License-Identifier: MIT */
/* The typed decoder: typed values, statuses, the checker's own findings,
 * round trips through the reference encoder (decode(encode(args)) == args,
 * encode(decode(x)) canonical), configuration, allocation failure. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failing_alloc.h"
#include "capture.h"
#include "cfc/decode.h"
#include "cfc/generate.h"
#include "cfc/reference.h"
#include "util.h"

static cfc_decode_status decode_str(cfc_checker *c, const char *s, cfc_event **ev,
                                    const cfc_event_result **r)
{
    return cfc_event_decode(c, s, strlen(s), ev, r);
}

#define TS "\"timestamp\":\"2025-11-08T14:30:45.123Z\""
#define TS_MS INT64_C(1762612245123)

Test(decode, typed_values_of_the_contract_example)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev;
    const cfc_event_result *r;
    const char *s = "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":45,\"blocked_by\":[42,"
                    "43],\"blocked_count\":2,\"task_title\":\"Create user dashboard\"," TS "}";
    cr_assert_eq(decode_str(c, s, &ev, &r), CFC_DECODE_OK);
    cr_assert_eq(r->n_findings, 0);
    cr_assert_eq(ev->type, CFC_EV_TASK_BLOCKED);
    cr_expect_eq(ev->project_id, 1);
    cr_expect_eq(ev->timestamp_ms, TS_MS);
    const cfc_task_blocked *b = &ev->u.task_blocked;
    cr_expect_eq(b->task_id, 45);
    cr_assert_eq(b->blocked_by.len, 2);
    cr_expect_eq(b->blocked_by.items[0], 42);
    cr_expect_eq(b->blocked_by.items[1], 43);
    cr_expect_eq(b->blocked_count, 2);
    cr_expect(b->has_task_title);
    cr_expect_str_eq(b->task_title.s, "Create user dashboard");
    cr_expect_eq(b->task_title.len, strlen("Create user dashboard"));
    cfc_event_free(ev);
    cfc_checker_free(c);
}

Test(decode, optional_fields_nested_objects_enums_numbers)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev;
    cr_assert_eq(decode_str(c,
                            "{\"type\":\"agent_status_changed\",\"project_id\":7,\"agent_id\":\"a"
                            "\\u00e9\",\"status\":\"working\",\"current_task\":{\"title\":\"T\","
                            "\"id\":42}," TS "}",
                            &ev, NULL),
                 CFC_DECODE_OK);
    const cfc_agent_status_changed *a = &ev->u.agent_status_changed;
    cr_expect_str_eq(a->agent_id.s, "a\xC3\xA9");
    cr_expect_eq(a->status, CFC_AGENT_STATUS_CHANGED_STATUS_WORKING);
    cr_expect(a->has_current_task);
    cr_expect_eq(a->current_task.id, 42);
    cr_expect_str_eq(a->current_task.title.s, "T");
    cr_expect_not(a->has_progress);
    cfc_event_free(ev);

    cr_assert_eq(decode_str(c,
                            "{\"type\":\"test_result\",\"project_id\":1,\"task_id\":2,\"status\":"
                            "\"no_tests\",\"passed\":0,\"failed\":0,\"errors\":0,\"duration\":15e-"
                            "1," TS "}",
                            &ev, NULL),
                 CFC_DECODE_OK);
    cr_expect_eq(ev->u.test_result.status, CFC_TEST_RESULT_STATUS_NO_TESTS);
    cr_expect_not(ev->u.test_result.has_skipped);
    cr_expect(ev->u.test_result.duration == 1.5);
    cr_expect_str_eq(cfc_event_enum_string(CFC_EV_TEST_RESULT, "status", ev->u.test_result.status),
                     "no_tests");
    cfc_event_free(ev);
    cfc_checker_free(c);
}

Test(decode, nul_escape_is_a_warning_and_kept_with_its_length)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev;
    const cfc_event_result *r;
    cr_assert_eq(
        decode_str(c,
                   "{\"type\":\"task_assigned\",\"project_id\":1,\"task_id\":2,\"agent_id\":"
                   "\"a\",\"task_title\":\"a\\u0000b\"," TS "}",
                   &ev, &r),
        CFC_DECODE_OK);
    cr_expect_eq(r->warnings, 1);
    cr_expect_eq(r->by_rule[CFC_RULE_NUL_ESCAPE], 1);
    cr_expect_eq(ev->u.task_assigned.task_title.len, 3);
    cr_expect_eq(memcmp(ev->u.task_assigned.task_title.s, "a\0b", 4), 0);
    /* The reference takes C strings: it cannot send this value. */
    char *json = NULL;
    size_t len = 0;
    cr_expect_eq(cfc_event_encode(ev, &json, &len), CFC_REFUSED);
    cr_expect_null(json);
    cfc_event_free(ev);
    cfc_checker_free(c);
}

Test(decode, statuses)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev = (cfc_event *)1;
    const cfc_event_result *r;
    cr_expect_eq(decode_str(c, "{\"type\":\"heartbeat\",\"project_id\":1," TS "}", &ev, &r),
                 CFC_DECODE_UNKNOWN_TYPE);
    cr_expect_null(ev);
    cr_expect_eq(r->by_rule[CFC_RULE_UNKNOWN_TYPE], 1);
    cr_expect_eq(decode_str(c, "[1]", &ev, &r), CFC_DECODE_INVALID);
    cr_expect_eq(r->by_rule[CFC_RULE_NOT_OBJECT], 1);
    cr_expect_eq(decode_str(c, "{\"type\":1}", &ev, &r), CFC_DECODE_INVALID);
    cr_expect_eq(decode_str(c, "{\"type\":\"\",\"project_id\":1," TS "}", &ev, &r),
                 CFC_DECODE_INVALID);
    cr_expect_eq(decode_str(c, "{", &ev, &r), CFC_DECODE_INVALID);
    cr_expect_eq(r->by_rule[CFC_RULE_JSON_SYNTAX], 1);
    cr_expect_eq(cfc_event_decode(NULL, "{}", 2, &ev, &r), CFC_DECODE_BAD_ARG);
    cr_expect_null(r);
    cr_expect_eq(cfc_event_decode(c, NULL, 3, &ev, &r), CFC_DECODE_BAD_ARG);
    /* Only checking: no event wanted. */
    cr_expect_eq(
        cfc_event_decode(c, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":1," TS "}",
                         strlen("{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":"
                                "1," TS "}"),
                         NULL, NULL),
        CFC_DECODE_OK);
    cfc_event_free(NULL);
    cr_expect_str_eq(cfc_decode_status_name(CFC_DECODE_UNTYPED), "untyped");
    cfc_checker_free(c);
}

Test(decode, strict_checker_makes_warnings_invalid)
{
    cfc_check_options o = {.strict = true};
    cfc_checker *c = cfc_checker_new(&o);
    cfc_event *ev;
    cr_expect_eq(
        decode_str(c, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":1,\"x\":1," TS "}",
                   &ev, NULL),
        CFC_DECODE_INVALID);
    cr_expect_null(ev);
    cfc_checker_free(c);
}

Test(decode, a_configuration_the_typed_form_cannot_hold_is_untyped)
{
    cfc_checker *c = cfc_checker_new(NULL);
    const char *conf = "{\"rules\":{\"wrong-type\":\"off\",\"id-range\":\"off\"},"
                       "\"enums\":{\"task_status_changed.status\":[\"done\"]}}";
    cr_assert_eq(cfc_checker_configure(c, conf, strlen(conf), NULL), CFC_CHECK_OK);
    cfc_event *ev;
    const cfc_event_result *r;
    cr_expect_eq(
        decode_str(c, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":\"45\"," TS "}",
                   &ev, &r),
        CFC_DECODE_UNTYPED);
    cr_expect_eq(r->n_findings, 0);
    cr_expect_eq(decode_str(c,
                            "{\"type\":\"task_status_changed\",\"project_id\":1,\"task_id\":4,"
                            "\"status\":\"done\"," TS "}",
                            &ev, &r),
                 CFC_DECODE_UNTYPED);
    /* A rule switched off whose value still fits: typed as sent. */
    cr_expect_eq(decode_str(c,
                            "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":0," TS "}",
                            &ev, &r),
                 CFC_DECODE_OK);
    cr_expect_eq(ev->u.task_unblocked.task_id, 0);
    cfc_event_free(ev);
    cfc_checker_free(c);
}

/* The decoder reports exactly what the checker reports, finding by finding,
 * and decodes exactly when there is no error: over the whole corpus. */
static void corpus_dir(const char *dir, int *cases)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    cfc_checker *dc = cfc_checker_new(NULL), *cc = cfc_checker_new(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = test_slurp(path, &len);
        cfc_event *ev;
        const cfc_event_result *dr, *cr;
        cfc_decode_status s = cfc_event_decode(dc, text, len, &ev, &dr);
        cr_assert_eq(cfc_check_event(cc, text, len, &cr), CFC_CHECK_OK);
        cr_assert_eq(dr->n_findings, cr->n_findings, "%s", e->d_name);
        for (size_t i = 0; i < cr->n_findings; i++) {
            cr_expect_eq(dr->findings[i].rule, cr->findings[i].rule, "%s", e->d_name);
            cr_expect_eq(dr->findings[i].offset, cr->findings[i].offset, "%s", e->d_name);
            cr_expect_str_eq(dr->findings[i].message, cr->findings[i].message, "%s", e->d_name);
        }
        bool unknown = cr->by_rule[CFC_RULE_UNKNOWN_TYPE] > 0;
        cfc_decode_status want = unknown          ? CFC_DECODE_UNKNOWN_TYPE
                                 : cr->errors > 0 ? CFC_DECODE_INVALID
                                                  : CFC_DECODE_OK;
        cr_expect_eq(s, want, "%s: %s, expected %s", e->d_name, cfc_decode_status_name(s),
                     cfc_decode_status_name(want));
        cr_expect_eq(ev != NULL, s == CFC_DECODE_OK, "%s", e->d_name);
        cfc_event_free(ev);
        free(text);
        (*cases)++;
    }
    closedir(d);
    cfc_checker_free(dc);
    cfc_checker_free(cc);
}

Test(decode, same_findings_as_the_checker_over_the_corpus)
{
    int cases = 0;
    corpus_dir(CFC_SOURCE_DIR "/corpus/valid", &cases);
    corpus_dir(CFC_SOURCE_DIR "/corpus/invalid", &cases);
    cr_expect_geq(cases, 150);
}

/* encode(decode(x)) for a conforming x: clean, a fixed point, and holding
 * the same values (an absent skipped comes back as 0, see decode.h). */
static void expect_canonical(cfc_checker *c, const char *x, size_t len, const cfc_event *expected,
                             const char *what)
{
    cfc_event *ev = NULL, *back = NULL, *again = NULL;
    const cfc_event_result *r;
    cr_assert_eq(cfc_event_decode(c, x, len, &ev, &r), CFC_DECODE_OK, "%s: %.*s", what, (int)len,
                 x);
    if (expected)
        cr_assert(cfc_event_equal(ev, expected), "%s: decoded value differs: %.*s", what, (int)len,
                  x);
    char *y, *z;
    size_t ylen, zlen;
    cr_assert_eq(cfc_event_encode(ev, &y, &ylen), CFC_OK, "%s: cannot encode %.*s", what, (int)len,
                 x);
    cr_assert_eq(cfc_event_decode(c, y, ylen, &back, &r), CFC_DECODE_OK, "%s", y);
    cr_assert_eq(r->n_findings, 0, "%s: canonical form has findings: %s", what, y);
    if (ev->type == CFC_EV_TEST_RESULT && !ev->u.test_result.has_skipped) {
        cr_assert(back->u.test_result.has_skipped && back->u.test_result.skipped == 0);
        back->u.test_result.has_skipped = false;
    }
    cr_assert(cfc_event_equal(ev, back), "%s: %s decodes to another value", what, y);
    cfc_event_free(back);
    cr_assert_eq(cfc_event_decode(c, y, ylen, &again, NULL), CFC_DECODE_OK);
    cr_assert_eq(cfc_event_encode(again, &z, &zlen), CFC_OK);
    cr_assert(zlen == ylen && memcmp(y, z, ylen) == 0, "%s: not a fixed point:\n%s\n%s", what, y,
              z);
    free(y);
    free(z);
    cfc_event_free(again);
    cfc_event_free(ev);
}

Test(decode, canonical_form_of_the_valid_corpus)
{
    DIR *d = opendir(CFC_SOURCE_DIR "/corpus/valid");
    cr_assert_not_null(d);
    cfc_checker *c = cfc_checker_new(NULL);
    for (struct dirent *e; (e = readdir(d));) {
        if (!strstr(e->d_name, ".json"))
            continue;
        char path[600];
        snprintf(path, sizeof path, "%s/corpus/valid/%s", CFC_SOURCE_DIR, e->d_name);
        size_t len;
        char *text = test_slurp(path, &len);
        expect_canonical(c, text, len, NULL, e->d_name);
        free(text);
    }
    closedir(d);
    cfc_checker_free(c);
}

Test(decode, canonical_form_is_compact_in_schema_order)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev;
    const char *x = "{ \"timestamp\" : \"2025-11-08T14:30:45.123Z\",\t\"task_title\":\"caf\\u00e9 "
                    "\\/ \\ud83d\\ude00\", \"unblocked_by\" : 42 , \"type\":\"task_unblocked\", "
                    "\"task_id\":45, \"project_id\":1 }";
    cr_assert_eq(decode_str(c, x, &ev, NULL), CFC_DECODE_OK);
    char *y;
    size_t n;
    cr_assert_eq(cfc_event_encode(ev, &y, &n), CFC_OK);
    cr_expect_str_eq(y, "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":45,"
                        "\"unblocked_by\":42,\"task_title\":\"caf\xC3\xA9 / \xF0\x9F\x98\x80\"," TS
                        "}");
    cr_expect_eq(n, strlen(y));
    free(y);
    cfc_event_free(ev);

    /* skipped: the reference always sends it. */
    cr_assert_eq(
        decode_str(c,
                   "{\"type\":\"test_result\",\"project_id\":1,\"task_id\":2,\"status\":"
                   "\"passed\",\"passed\":3,\"failed\":0,\"errors\":0,\"duration\":1.50," TS "}",
                   &ev, NULL),
        CFC_DECODE_OK);
    cr_assert_eq(cfc_event_encode(ev, &y, &n), CFC_OK);
    cr_expect_str_eq(y, "{\"type\":\"test_result\",\"project_id\":1,\"task_id\":2,\"status\":"
                        "\"passed\",\"passed\":3,\"failed\":0,\"errors\":0,\"skipped\":0,"
                        "\"duration\":1.5," TS "}");
    free(y);
    cfc_event_free(ev);
    cfc_checker_free(c);
}

/* decode(encode(args)) == args, for arguments the reference sends: every
 * valid value the generator makes (its whole space: every type, enum value,
 * optional combination and boundary) is encoded by the reference broadcaster
 * and must decode back to itself; and encode(decode(x)) is canonical for
 * the generator's text x, whatever its key order, whitespace and escapes. */
Test(decode, round_trips_over_20000_generated_events)
{
    cfc_gen_options o = {.seed = 11};
    cfc_generator *g = cfc_generator_new(&o);
    cfc_checker *c = cfc_checker_new(NULL);
    for (int i = 0; i < 20000; i++) {
        cfc_gen_event e;
        cr_assert_eq(cfc_generator_next(g, &e), 0);
        char *json;
        size_t len;
        cr_assert_eq(cfc_event_encode(e.typed, &json, &len), CFC_OK, "cannot encode %.*s",
                     (int)e.len, e.text);
        cfc_event *back;
        cr_assert_eq(cfc_event_decode(c, json, len, &back, NULL), CFC_DECODE_OK, "%s", json);
        if (e.typed->type == CFC_EV_TEST_RESULT && !e.typed->u.test_result.has_skipped)
            back->u.test_result.has_skipped = false;
        cr_assert(cfc_event_equal(back, e.typed), "decode(encode(args)) != args: %s", json);
        cfc_event_free(back);
        free(json);
        expect_canonical(c, e.text, e.len, e.typed, "generated");
    }
    cfc_checker_free(c);
    cfc_generator_free(g);
}

/* The same through the broadcasters' own signatures: what a producer
 * calls, captured, decoded, compared field by field. */
Test(decode, broadcaster_arguments_come_back)
{
    capture cap;
    capture_init(&cap);
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_event *ev;
    static const int64_t by[] = {42, 43, INT64_C(9007199254740991)};
    cr_assert_eq(cfc_broadcast_task_blocked(&cap.m, 3, 45, by, 3, "\xE6\x97\xA5 \"q\"\n"), CFC_OK);
    cr_assert_eq(cfc_event_decode(c, cap.last, cap.last_len, &ev, NULL), CFC_DECODE_OK);
    cr_expect_eq(ev->project_id, 3);
    cr_expect_eq(ev->timestamp_ms, cap.now_ms);
    cr_expect_eq(ev->u.task_blocked.blocked_by.len, 3);
    cr_expect_eq(ev->u.task_blocked.blocked_by.items[2], INT64_C(9007199254740991));
    cr_expect_str_eq(ev->u.task_blocked.task_title.s, "\xE6\x97\xA5 \"q\"\n");
    cfc_event_free(ev);

    cr_assert_eq(cfc_broadcast_progress_update(&cap.m, 1, 1, 3, NULL), CFC_OK);
    cr_assert_eq(cfc_event_decode(c, cap.last, cap.last_len, &ev, NULL), CFC_DECODE_OK);
    cr_expect_eq(ev->u.progress_update.percentage, 33);
    cfc_event_free(ev);

    cr_assert_eq(cfc_broadcast_activity_update(&cap.m, 1, "commit", NULL, "m", NULL), CFC_OK);
    cr_assert_eq(cfc_event_decode(c, cap.last, cap.last_len, &ev, NULL), CFC_DECODE_OK);
    cr_expect_not(ev->u.activity_update.has_agent_id);
    cr_expect_not(ev->u.activity_update.has_task_id);
    cr_expect_str_eq(ev->u.activity_update.message.s, "m");
    cfc_event_free(ev);
    cfc_checker_free(c);
}

Test(encode, refuses_what_the_reference_would_not_send)
{
    char *json = NULL;
    size_t len = 0;
    cfc_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = CFC_EV_AGENT_CREATED;
    ev.project_id = 1;
    ev.timestamp_ms = TS_MS;
    ev.u.agent_created.agent_id = (cfc_text){(char *)"a", 1};
    ev.u.agent_created.agent_type = CFC_AGENT_CREATED_AGENT_TYPE_TEST;
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_OK);
    cr_expect_str_eq(json,
                     "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"a\","
                     "\"agent_type\":\"test\",\"status\":\"idle\",\"tasks_completed\":0," TS "}");
    free(json);
    json = NULL;

    ev.u.agent_created.status = CFC_AGENT_CREATED_STATUS_WORKING; /* fixed at idle */
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_REFUSED);
    ev.u.agent_created.status = CFC_AGENT_CREATED_STATUS_IDLE;
    ev.u.agent_created.agent_type = (cfc_agent_created_agent_type)7;
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_REFUSED);
    ev.u.agent_created.agent_type = CFC_AGENT_CREATED_AGENT_TYPE_TEST;
    ev.u.agent_created.agent_id = (cfc_text){(char *)"a\0b", 3};
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_REFUSED);
    ev.u.agent_created.agent_id = (cfc_text){(char *)"", 0}; /* the reference refuses it */
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_REFUSED);
    ev.u.agent_created.agent_id = (cfc_text){(char *)"a", 1};
    ev.timestamp_ms = CFC_TIMESTAMP_MAX_MS + 1;
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_CLOCK);
    cr_expect_null(json);

    memset(&ev, 0, sizeof ev);
    ev.type = CFC_EV_TASK_BLOCKED;
    ev.project_id = 1;
    ev.timestamp_ms = TS_MS;
    int64_t ids[] = {1, 2};
    ev.u.task_blocked.task_id = 3;
    ev.u.task_blocked.blocked_by = (cfc_id_array){ids, 2};
    ev.u.task_blocked.blocked_count = 3; /* the reference derives it: 2 */
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_REFUSED);
    ev.u.task_blocked.blocked_count = 2;
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_OK);
    free(json);

    ev.type = CFC_EV_COUNT;
    cr_expect_eq(cfc_event_encode(&ev, &json, &len), CFC_INVALID);
    cr_expect_eq(cfc_event_encode(NULL, &json, &len), CFC_INVALID);
}

Test(equal, absent_optional_values_are_ignored)
{
    cfc_event a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.type = b.type = CFC_EV_TASK_UNBLOCKED;
    a.u.task_unblocked.unblocked_by = 5;
    cr_expect(cfc_event_equal(&a, &b));
    a.u.task_unblocked.has_unblocked_by = true;
    cr_expect_not(cfc_event_equal(&a, &b));
    b.u.task_unblocked.has_unblocked_by = true;
    b.u.task_unblocked.unblocked_by = 5;
    cr_expect(cfc_event_equal(&a, &b));
    b.project_id = 2;
    cr_expect_not(cfc_event_equal(&a, &b));
    cr_expect(cfc_event_equal(NULL, NULL));
    cr_expect_not(cfc_event_equal(&a, NULL));
    cr_expect_null(cfc_event_enum_string(CFC_EV_TEST_RESULT, "status", 5));
    cr_expect_null(cfc_event_enum_string(CFC_EV_TEST_RESULT, "passed", 0));
}

/* ---- allocation failure: fail the Nth allocation until none fires ---- */

Test(decode, allocation_failure_at_every_point)
{
    const char *s = "{\"type\":\"agent_status_changed\",\"project_id\":7,\"agent_id\":\"a\","
                    "\"status\":\"working\",\"current_task\":{\"id\":42,\"title\":\"T\"}," TS "}";
    bool completed = false;
    for (long n = 1; n < 1000 && !completed; n++) {
        counter k = {n, 0, 0};
        cfc_allocator a = {c_malloc, c_realloc, c_free, &k};
        cfc_check_options o = {.alloc = &a};
        cfc_checker *c = cfc_checker_new(&o);
        if (c) {
            cfc_event *ev = NULL;
            cfc_decode_status st = decode_str(c, s, &ev, NULL);
            cr_assert(st == CFC_DECODE_OK || st == CFC_DECODE_NOMEM, "%s",
                      cfc_decode_status_name(st));
            cr_assert_eq(ev != NULL, st == CFC_DECODE_OK);
            if (st == CFC_DECODE_OK) {
                cr_expect_str_eq(ev->u.agent_status_changed.current_task.title.s, "T");
                completed = k.count < n; /* nothing failed */
            }
            cfc_event_free(ev);
            cfc_checker_free(c);
        }
        cr_assert_eq(k.live, 0, "leak with allocation %ld failing", n);
    }
    cr_expect(completed);
}

/* Strings are equal only with the same length: a prefix is another value. */
Test(equal, a_string_prefix_is_not_equal)
{
    cfc_event a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.type = b.type = CFC_EV_AGENT_RETIRED;
    a.u.agent_retired.agent_id = (cfc_text){"worker", 6};
    b.u.agent_retired.agent_id = (cfc_text){"worker-2", 8};
    cr_expect_not(cfc_event_equal(&a, &b));
    cr_expect_not(cfc_event_equal(&b, &a));
    b.u.agent_retired.agent_id.len = 6;
    cr_expect(cfc_event_equal(&a, &b));
}

/* A required field missing, with missing-field switched off: the typed
 * form cannot hold the event, so it is untyped, never typed with a zero. */
Test(decode, a_missing_required_field_switched_off_is_untyped)
{
    cfc_checker *c = cfc_checker_new(NULL);
    const char *conf = "{\"rules\":{\"missing-field\":\"off\"}}";
    cr_assert_eq(cfc_checker_configure(c, conf, strlen(conf), NULL), CFC_CHECK_OK);
    cfc_event *ev = NULL;
    const cfc_event_result *r;
    cr_expect_eq(decode_str(c, "{\"type\":\"task_unblocked\",\"project_id\":1," TS "}", &ev, &r),
                 CFC_DECODE_UNTYPED);
    cr_expect_eq(r->n_findings, 0);
    cr_expect_null(ev);
    cfc_checker_free(c);
}
