/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* Consumer certification (cfc/consumer.h, cfconform certify --consumer): the
 * generated catalogue (deterministic, hashed, every case checked by the
 * checker, the contract covered), the reference decoder and the correct
 * Node and Python consumers (every case PASS), the drifted ones (exactly
 * their five faults), adapters that hang, die or lie, the reports (the HTML
 * one rendered in headless Chromium) and the exit codes.
 *
 * No test has a Criterion .timeout: the runner leaks an allocation under
 * ASan for each timed test run in parallel. CTest's TIMEOUT (600 s) bounds
 * the file; the harness's own timeouts bound each adapter. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cfc/consumer.h"
#include "cert_test.h"

#define SAMPLES CFC_SOURCE_DIR "/corpus/consumer/samples.json"
#define REFERENCE CFC_BINARY_DIR "/adapters/cfc-consumer-reference"
#define NODE "node " CFC_SOURCE_DIR "/adapters/node/cfc_consumer_adapter.js "
#define PY "python3 " CFC_SOURCE_DIR "/adapters/python/cfc_consumer_adapter.py "
#define TC CFC_SOURCE_DIR "/tests/consumer/"
#define MISBEHAVE "python3 " TC "misbehave_consumer.py "

/* An expectation checked in a loop over hundreds of cases: reported only
 * when it fails (hundreds of passing assertions make Criterion's runner leak
 * under ASan when tests run in parallel). */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            cr_expect(0, __VA_ARGS__);                                                             \
    } while (0)

TestSuite(consumer, .init = cert_test_setup, .fini = cert_test_teardown);

static cfc_consume_catalogue *catalogue(void)
{
    size_t len;
    char *text = test_slurp(SAMPLES, &len);
    cfc_consume_catalogue *cat = NULL;
    cfc_certify_error err;
    cfc_certify_status st = cfc_consume_catalogue_new(text, len, NULL, &cat, &err);
    free(text);
    cr_assert_eq(st, CFC_CERTIFY_OK, "catalogue: %s", err.message);
    return cat;
}

static cfc_consume_certification *certify(const cfc_consume_catalogue *cat, const char *adapter,
                                          const char *cases, unsigned timeout_ms)
{
    cfc_consume_options o = {
        .adapter_command = adapter, .cases = cases, .call_timeout_ms = timeout_ms};
    cfc_consume_certification *cert = NULL;
    cfc_certify_error err;
    cfc_certify_status st = cfc_consume_run(cat, &o, &cert, &err);
    cr_assert_eq(st, CFC_CERTIFY_OK, "%s: %s", adapter, err.message);
    expect_no_children();
    return cert;
}

static const cfc_consume_result *result_of(const cfc_consume_certification *c, const char *id)
{
    for (size_t i = 0; i < c->n_results; i++)
        if (strcmp(c->results[i].c->id, id) == 0)
            return &c->results[i];
    cr_assert_fail("no result for case %s", id);
    return NULL;
}

/* ---- the catalogue --------------------------------------------------------- */

Test(consumer, catalogue_is_generated_checked_and_covers_the_contract)
{
    cfc_consume_catalogue *cat = catalogue();
    cfc_consume_catalogue *again = catalogue();
    size_t n = cfc_consume_catalogue_count(cat);
    cr_expect_gt(n, 600, "%zu cases", n);
    cr_expect_eq(n, cfc_consume_catalogue_count(again));
    cr_expect_str_eq(cfc_consume_catalogue_sha256(cat), cfc_consume_catalogue_sha256(again),
                     "the same samples give the same catalogue");
    cr_expect_eq(strlen(cfc_consume_catalogue_sha256(cat)), 64);
    cr_expect_str_eq(cfc_consume_catalogue_version(cat), "1.1");
    cfc_consume_catalogue_free(again);

    /* Every event is what it claims: the checker rejects exactly those to reject. */
    cfc_checker *ck = cfc_checker_new(NULL);
    cr_assert_not_null(ck);
    size_t per_section[7] = {0};
    bool enum_seen[CFC_EV_COUNT][16][8] = {{{false}}};
    bool opt_with[CFC_EV_COUNT][16] = {{false}}, opt_without[CFC_EV_COUNT][16] = {{false}};
    bool null_case[CFC_EV_COUNT][24] = {{false}};
    bool retired_rejected = false;
    for (size_t i = 0; i < n; i++) {
        const cfc_consume_case *c = cfc_consume_catalogue_case(cat, i);
        per_section[c->section[0] - '0']++;
        cr_assert_gt(c->n_events, 0);
        for (size_t e = 0; e < c->n_events; e++) {
            const cfc_consume_event *ev = &c->events[e];
            const cfc_event_result *r;
            cr_assert_eq(cfc_check_event(ck, ev->bytes, ev->len, &r), CFC_CHECK_OK);
            if (c->n_events == 1)
                CHECK((r->errors > 0) == (ev->expect == CFC_EXPECT_REJECT), "case %s: %s", c->id,
                      c->description);
            else if (ev->expect == CFC_EXPECT_REJECT)
                retired_rejected |= strcmp(ev->rule, "agent-after-retired") == 0;
            if (ev->expect == CFC_EXPECT_SURVIVE)
                CHECK(cfc_contract_find(r->type, r->type_len) == NULL, "case %s", c->id);
            if (ev->expect != CFC_EXPECT_READ)
                continue;
            const cfc_event_type *t = cfc_contract_find(r->type, r->type_len);
            cr_assert_not_null(t, "case %s", c->id);
            cJSON *j = cJSON_ParseWithLength(ev->bytes, ev->len);
            cr_assert_not_null(j, "case %s", c->id);
            for (size_t f = 0; f < t->n_fields && f < 16; f++) {
                const cfc_field *fd = &t->fields[f];
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, fd->name);
                if (!fd->required)
                    (v ? opt_with : opt_without)[t->id][f] = true;
                for (size_t k = 0; fd->values && k < 8 && fd->values[k]; k++)
                    if (cJSON_IsString(v) && strcmp(v->valuestring, fd->values[k]) == 0)
                        enum_seen[t->id][f][k] = true;
            }
            cJSON_Delete(j);
        }
        if (c->type && c->section[0] == '5' && strstr(c->description, " is null")) {
            size_t nf;
            const cfc_consume_field *fs = cfc_consume_fields(c->type->id, &nf);
            for (size_t k = 0; k < nf; k++) {
                char want[128];
                snprintf(want, sizeof want, ": %s is null", fs[k].path);
                if (strstr(c->description, want))
                    null_case[c->type->id][k] = true;
            }
        }
    }
    cfc_checker_free(ck);
    for (int s = 1; s <= 6; s++)
        cr_expect_gt(per_section[s], 0, "section %d is empty", s);
    cr_expect(retired_rejected, "a stream case rejects an event for a retired agent");
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        for (size_t f = 0; f < types[t].n_fields; f++) {
            const cfc_field *fd = &types[t].fields[f];
            if (!fd->required) {
                cr_expect(opt_with[t][f], "%s.%s is never present", types[t].name, fd->name);
                cr_expect(opt_without[t][f], "%s.%s is never absent", types[t].name, fd->name);
            }
            for (size_t k = 0; fd->values && fd->values[k] && !fd->fixed_string; k++)
                cr_expect(enum_seen[t][f][k], "%s.%s = %s is never sent", types[t].name, fd->name,
                          fd->values[k]);
        }
        size_t nf;
        cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++)
            cr_expect(null_case[t][k], "%s: no case sends field %zu as null", types[t].name, k);
    }
    cfc_consume_catalogue_free(cat);
}

Test(consumer, catalogue_hash_follows_the_samples_and_bad_samples_are_refused)
{
    size_t len;
    char *text = test_slurp(SAMPLES, &len);
    char *seed = strstr(text, "\"seed\": 7");
    cr_assert_not_null(seed);
    seed[8] = '8';
    cfc_consume_catalogue *other = NULL;
    cfc_certify_error err;
    cr_assert_eq(cfc_consume_catalogue_new(text, len, NULL, &other, &err), CFC_CERTIFY_OK, "%s",
                 err.message);
    cfc_consume_catalogue *cat = catalogue();
    cr_expect_str_neq(cfc_consume_catalogue_sha256(cat), cfc_consume_catalogue_sha256(other));
    cfc_consume_catalogue_free(other);
    cfc_consume_catalogue_free(cat);
    free(text);

    static const char *const bad[] = {"", "[]", "{\"version\":\"1\"}",
                                      "{\"version\":\"1\",\"seed\":0}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfc_consume_catalogue *c = NULL;
        cr_expect_eq(cfc_consume_catalogue_new(bad[i], strlen(bad[i]), NULL, &c, &err),
                     CFC_CERTIFY_CATALOGUE, "%s", bad[i]);
        cr_expect_null(c);
        cr_expect_neq(err.message[0], '\0');
    }
    char *out;
    cr_expect_eq(runf(&out, CFC " certify --consumer --write-catalogue %s/cat.json", cert_dir), 0);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/cat.json", cert_dir);
    char *dump = test_slurp(path, NULL);
    cJSON *j = cJSON_Parse(dump);
    cr_assert_not_null(j);
    cr_expect_gt(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "cases")), 600);
    cJSON_Delete(j);
    free(dump);
}

/* ---- the reference and the correct consumers: every case PASS ---------------- */

static void expect_all_pass(const char *adapter)
{
    cfc_consume_catalogue *cat = catalogue();
    cfc_consume_certification *cert = certify(cat, adapter, NULL, 0);
    cr_expect_eq(cert->n_results, cfc_consume_catalogue_count(cat));
    for (size_t i = 0; i < cert->n_results; i++) {
        const cfc_consume_result *r = &cert->results[i];
        CHECK(r->verdict == CFC_CONSUME_PASS, "%s: case %s %s: %s", adapter, r->c->id,
              cfc_consume_verdict_name(r->verdict), r->n_messages ? r->messages[0] : "");
    }
    cr_expect(cert->certified);
    cr_expect_eq(cert->adapter_starts, 1);
    cr_expect_eq(cfc_consume_score(cert), 100);
    cfc_consume_certification_free(cert);
    cfc_consume_catalogue_free(cat);
}

Test(consumer, reference_decoder_passes_every_case)
{
    expect_all_pass(REFERENCE);
    char *out;
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter %s", REFERENCE), 0);
    cr_expect_not_null(strstr(out, "certified: 100%"), "%s", out);
    free(out);
}

Test(consumer, good_node_consumer_passes_every_case)
{
    need("node", "nodejs");
    expect_all_pass(NODE TC "good_consumer.js");
}

Test(consumer, good_python_consumer_passes_every_case)
{
    expect_all_pass(PY TC "good_consumer.py");
}

/* ---- the drifted consumers: exactly their five faults ------------------------- */

static bool base_field(const char *path)
{
    return strcmp(path, "type") == 0 || strcmp(path, "project_id") == 0 ||
           strcmp(path, "timestamp") == 0;
}

/* What the drift does to a field of a type: the only cells allowed to be
 * (and that must be) not read exactly. */
static const char *drift(const char *type, const char *path)
{
    if (strcmp(path, "agent_id") == 0)
        return "dropped"; /* read from `agent` */
    if (strcmp(type, "agent_created") == 0 && strcmp(path, "agent_type") == 0)
        return "misread"; /* one default */
    if (strcmp(type, "progress_update") == 0 &&
        (strcmp(path, "completed") == 0 || strcmp(path, "total") == 0))
        return "misread"; /* completed_tasks / total_tasks, 0 */
    if ((strcmp(type, "test_result") == 0 || strcmp(type, "correction_attempt") == 0) &&
        !base_field(path))
        return "dropped";
    return "read";
}

static void expect_drift(const char *adapter)
{
    cfc_consume_catalogue *cat = catalogue();
    cfc_consume_certification *cert = certify(cat, adapter, NULL, 0);
    cr_expect_not(cert->certified);
    cr_expect_eq(cert->counts[CFC_CONSUME_NON_STRICT], 0, "it validates like the good one");
    cr_expect_eq(cert->counts[CFC_CONSUME_ERROR], 0);
    /* The matrix: exactly the drifted cells. */
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        size_t nf;
        const cfc_consume_field *fs = cfc_consume_fields(types[t].id, &nf);
        for (size_t k = 0; k < nf; k++) {
            const cfc_consume_matrix_row *row = &cert->matrix[t][k];
            const char *want = drift(types[t].name, fs[k].path);
            const char *got = row->counts[CFC_READ_DROPPED]   ? "dropped"
                              : row->counts[CFC_READ_MISREAD] ? "misread"
                                                              : "read";
            CHECK(strcmp(got, want) == 0, "%s: %s.%s is %s, the drift makes it %s", adapter,
                  types[t].name, fs[k].path, got, want);
            cr_expect_gt(row->counts[CFC_READ_EXACT] + row->counts[CFC_READ_MISREAD] +
                             row->counts[CFC_READ_DROPPED],
                         0, "%s.%s is never sent", types[t].name, fs[k].path);
        }
    }
    /* Every case: CRASH exactly where progress is null; otherwise only the
     * drifted fields are not read exactly. */
    size_t crashes = 0;
    for (size_t i = 0; i < cert->n_results; i++) {
        const cfc_consume_result *r = &cert->results[i];
        bool null_progress = strstr(r->c->description, ": progress is null") != NULL;
        if (null_progress) {
            crashes++;
            CHECK(r->verdict == CFC_CONSUME_CRASH, "case %s", r->c->id);
            CHECK(r->n_messages && strstr(r->messages[0], "raised"), "case %s", r->c->id);
            continue;
        }
        CHECK(r->verdict != CFC_CONSUME_CRASH, "case %s: %s", r->c->id,
              r->n_messages ? r->messages[0] : "");
        for (size_t f = 0; f < r->n_fields; f++) {
            const cfc_consume_field_result *fr = &r->fields[f];
            const char *type = r->c->type ? r->c->type->name : NULL;
            if (type == NULL) { /* a stream: the event's own type */
                cJSON *j = cJSON_ParseWithLength(r->c->events[fr->event].bytes,
                                                 r->c->events[fr->event].len);
                type = j ? cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring : "";
                const char *want = drift(type, fr->path);
                CHECK(strcmp(want, "read") != 0, "case %s: %s", r->c->id, fr->path);
                cJSON_Delete(j);
                continue;
            }
            const char *want = drift(type, fr->path);
            CHECK(strcmp(fr->read == CFC_READ_DROPPED ? "dropped" : "misread", want) == 0,
                  "case %s: %s.%s", r->c->id, type, fr->path);
        }
        if (r->verdict == CFC_CONSUME_MISREAD || r->verdict == CFC_CONSUME_DROPPED)
            CHECK(r->n_fields > 0, "case %s", r->c->id);
    }
    cr_expect_eq(crashes, 2, "two cases send progress: null");
    cr_expect_eq(cert->counts[CFC_CONSUME_CRASH], 2);
    /* A misread shows what was sent and what was read. */
    const cfc_consume_result *r = result_of(cert, "1.1.2"); /* agent_type=frontend */
    bool seen = false;
    for (size_t f = 0; f < r->n_fields; f++)
        if (strcmp(r->fields[f].path, "agent_type") == 0) {
            cr_expect_str_eq(r->fields[f].sent, "\"frontend\"");
            cr_expect_str_eq(r->fields[f].got, "\"worker\"");
            seen = true;
        }
    cr_expect(seen);
    cfc_consume_certification_free(cert);
    cfc_consume_catalogue_free(cat);
}

Test(consumer, drifted_node_consumer_shows_exactly_its_faults)
{
    need("node", "nodejs");
    expect_drift(NODE TC "drifted_consumer.js");
}

Test(consumer, drifted_python_consumer_shows_exactly_its_faults)
{
    expect_drift(PY TC "drifted_consumer.py");
}

/* ---- adapters that hang, die or lie --------------------------------------------- */

Test(consumer, misbehaving_adapters_crash_or_error_and_are_restarted)
{
    cfc_consume_catalogue *cat = catalogue();
    static const struct {
        const char *mode;
        cfc_consume_verdict verdict;
        size_t starts;
        const char *why;
    } modes[] = {
        {"hang", CFC_CONSUME_CRASH, 2, "hangs"},   {"exit", CFC_CONSUME_CRASH, 2, "exited"},
        {"raise", CFC_CONSUME_CRASH, 1, "raised"}, {"garbage", CFC_CONSUME_ERROR, 2, "invalid"},
        {"seq", CFC_CONSUME_ERROR, 2, "sequence"}, {"error", CFC_CONSUME_ERROR, 1, "convert"},
    };
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, MISBEHAVE "%s", modes[m].mode);
        /* 1.1.1-3 and 1.2.1: the third misbehaves, the fourth is fine again. */
        cfc_consume_certification *cert = certify(cat, cmd, "1.1,1.2", 600);
        cr_assert_eq(cert->n_results, 4);
        cr_expect_eq(cert->results[2].verdict, modes[m].verdict, "%s: %s", modes[m].mode,
                     cfc_consume_verdict_name(cert->results[2].verdict));
        cr_expect(cert->results[2].n_messages && strstr(cert->results[2].messages[0], modes[m].why),
                  "%s: %s", modes[m].mode,
                  cert->results[2].n_messages ? cert->results[2].messages[0] : "");
        cr_expect_eq(cert->results[3].verdict, CFC_CONSUME_PASS, "%s: the next case",
                     modes[m].mode);
        cr_expect_eq(cert->adapter_starts, modes[m].starts, "%s", modes[m].mode);
        cr_expect_not(cert->certified);
        cfc_consume_certification_free(cert);
    }
    cfc_consume_catalogue_free(cat);
}

Test(consumer, exit_codes_and_usage)
{
    char *out;
    cr_expect_eq(runf(&out, CFC " certify --consumer 2>&1"), 2);
    cr_expect_not_null(strstr(out, "--adapter"), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter '" MISBEHAVE "nohello' 2>&1"), 2);
    cr_expect_not_null(strstr(out, "role"), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter %s/nonexistent 2>&1", cert_dir), 2);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter %s --cases 99.* 2>&1", REFERENCE),
                 2);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter %s --bogus 2>&1", REFERENCE), 2);
    free(out);
    cr_expect_eq(
        runf(&out, CFC " certify --consumer --adapter '" MISBEHAVE "raise 1' --cases 1.2 2>&1"), 1);
    cr_expect_not_null(strstr(out, "CRASH 1"), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --adapter %s --cases 1.*", REFERENCE), 3,
                 "a clean subset is partial");
    cr_expect_not_null(strstr(out, "partial (81 of "), "%s", out);
    free(out);
    cr_expect_eq(runf(&out, CFC " certify --consumer --help"), 0);
    cr_expect_not_null(strstr(out, "MISREAD"), "%s", out);
    free(out);
    expect_no_children();
}

/* ---- reports ----------------------------------------------------------------------- */

static void drifted_reports(const char *name)
{
    char *out;
    int rc = runf(&out,
                  CFC " certify --consumer --quiet --adapter '" PY TC
                      "drifted_consumer.py' --report-dir %s/%s",
                  cert_dir, name);
    cr_assert_eq(rc, 1, "%s", out);
    free(out);
}

Test(consumer, reports_json_junit_markdown_badge)
{
    drifted_reports("r");
    char path[256];
    snprintf(path, sizeof path, "%s/r/certification.json", cert_dir);
    char *text = test_slurp(path, NULL);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "schema")->valuestring,
                     "cfconform-consumer-certification-report");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(j, "schema_version")->valueint,
                 CFC_CONSUME_REPORT_SCHEMA);
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(j, "catalogue");
    cr_expect_eq(strlen(cJSON_GetObjectItemCaseSensitive(cat, "sha256")->valuestring), 64);
    const cJSON *sum = cJSON_GetObjectItemCaseSensitive(j, "summary");
    cr_expect_eq(cJSON_GetObjectItemCaseSensitive(sum, "CRASH")->valueint, 2);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "matrix");
    const cJSON *cell = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(m, "agent_created"), "agent_type");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cell, "state")->valuestring, "misread");
    cell = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "task_blocked"),
                                            "blocked_by");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(cell, "state")->valuestring, "read");
    cJSON_Delete(j);
    free(text);

    char *out;
    cr_expect_eq(runf(&out,
                      "xmllint --noout --schema " CFC_SOURCE_DIR
                      "/tests/junit.xsd %s/r/certification.xml 2>&1",
                      cert_dir),
                 0, "xmllint: %s", out);
    free(out);
    snprintf(path, sizeof path, "%s/r/certification.xml", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "<error type=\"CRASH\""));
    cr_expect_not_null(strstr(text, "<failure type=\"MISREAD\""));
    cr_expect_not_null(strstr(text, "<failure type=\"DROPPED\""));
    free(text);

    snprintf(path, sizeof path, "%s/r/certification.md", cert_dir);
    text = test_slurp(path, NULL);
    cr_expect_not_null(strstr(text, "**Not certified**"));
    cr_expect_not_null(strstr(text, "| agent_created | agent\\_type | 0 |"), "%s", text);
    cr_expect_not_null(strstr(text, "| CRASH | 2 |"));
    free(text);

    snprintf(path, sizeof path, "%s/r/badge.json", cert_dir);
    text = test_slurp(path, NULL);
    j = cJSON_Parse(text);
    cr_assert_not_null(j);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(j, "color")->valuestring, "red");
    cr_expect_eq(cJSON_GetArraySize(j), 4, "shields.io accepts no other member");
    cJSON_Delete(j);
    free(text);
}

/* The page must show, once Chromium has laid it out, every field of every
 * event type as a visible cell coloured by its state, the case matrix, the
 * details of the cases not passed. The report has no script: this page
 * loads it in a frame and measures. */
static const char html_check_page[] =
    "<!DOCTYPE html><html><body><iframe id=\"f\" src=\"certification.html\" width=\"1280\" "
    "height=\"900\"></iframe>\n<script>\n"
    "window.addEventListener('load', function () {\n"
    "  var out = [], colours = {}, states = {};\n"
    "  try {\n"
    "    var d = document.getElementById('f').contentDocument;\n"
    "    var rows = d.querySelectorAll('#field-matrix tr');\n"
    "    var cells = d.querySelectorAll('#field-matrix .field'), visible = 0;\n"
    "    for (var i = 0; i < cells.length; i++) {\n"
    "      var r = cells[i].getBoundingClientRect(), s = cells[i].getAttribute('data-state');\n"
    "      if (r.width > 10 && r.height > 10) visible++;\n"
    "      var c = getComputedStyle(cells[i]).backgroundColor;\n"
    "      colours[s] = colours[s] && colours[s] !== c ? 'MIXED' : c;\n"
    "      states[s] = (states[s] || 0) + 1;\n"
    "    }\n"
    "    out.push('rows=' + rows.length, 'fields=' + cells.length, 'visible=' + visible);\n"
    "    for (var k in colours) out.push('colour ' + k + '=' + colours[k]);\n"
    "    for (var k in states) out.push('state ' + k + '=' + states[k]);\n"
    "    out.push('cases=' + d.querySelectorAll('#case-matrix a.cell').length);\n"
    "    out.push('open=' + d.querySelectorAll('details.case[open]').length);\n"
    "    out.push('legend=' + d.querySelectorAll('#field-legend .field').length);\n"
    "  } catch (e) { out.push('exception=' + e); }\n"
    "  var pre = document.createElement('pre'); pre.id = 'result';\n"
    "  pre.textContent = '\\n' + out.join('\\n') + '\\n';\n"
    "  document.body.appendChild(pre);\n"
    "});\n"
    "</script></body></html>\n";

Test(consumer, html_report_renders_the_field_matrix_in_chromium)
{
    need("chromium", "chromium");
    drifted_reports("h");
    char path[256], *res;
    snprintf(path, sizeof path, "%s/h", cert_dir);
    char *out = render_in_chromium(path, html_check_page, &res);
    size_t fields = 0;
    size_t nt;
    const cfc_event_type *types = cfc_contract_types(&nt);
    for (size_t t = 0; t < nt; t++) {
        size_t nf;
        cfc_consume_fields(types[t].id, &nf);
        fields += nf;
    }
    char want[64];
    cr_expect_null(strstr(res, "exception="), "%s", res);
    cr_expect_not_null(strstr(res, "\nrows=11\n"), "%s", res);
    snprintf(want, sizeof want, "\nfields=%zu\n", fields);
    cr_expect_not_null(strstr(res, want), "%s", res);
    snprintf(want, sizeof want, "\nvisible=%zu\n", fields);
    cr_expect_not_null(strstr(res, want), "every field cell is laid out:\n%s", res);
    cr_expect_not_null(strstr(res, "\ncolour read=rgb(46, 125, 50)\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\ncolour misread=rgb(198, 40, 40)\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\ncolour dropped=rgb(230, 81, 0)\n"), "%s", res);
    /* misread: agent_type, completed, total; dropped: 6 agent_id, 7 test_result and 5
     * correction_attempt fields */
    cr_expect_not_null(strstr(res, "\nstate misread=3\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nstate dropped=18\n"), "%s", res);
    cr_expect_not_null(strstr(res, "\nlegend=4\n"), "%s", res);
    free(out);
}

/* ---- the fuzz phase ---------------------------------------------------------------- */

Test(consumer, fuzz_phase_finds_crashes_and_minimises_them)
{
    char *out;
    int rc = runf(&out,
                  CFC " certify --consumer --cases 1.2 --fuzz 10 --adapter '" PY TC
                      "null_crash_consumer.py' --report-dir %s/f 2>&1",
                  cert_dir);
    cr_assert_eq(rc, 1, "a crash found by fuzzing is not certified:\n%s", out);
    cr_expect_not_null(strstr(out, "fuzz: "), "%s", out);
    free(out);
    char path[256];
    snprintf(path, sizeof path, "%s/f/certification.json", cert_dir);
    char *text = test_slurp(path, NULL);
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j);
    const cJSON *fz = cJSON_GetObjectItemCaseSensitive(j, "fuzz");
    cr_assert(cJSON_IsObject(fz), "the report has the fuzz phase");
    cr_expect_gt(cJSON_GetObjectItemCaseSensitive(fz, "inputs")->valueint, 10);
    const cJSON *crash = NULL, *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(fz, "crashes"))
    {
        if (strstr(cJSON_GetObjectItemCaseSensitive(c, "error")->valuestring, "AttributeError"))
            crash = c;
    }
    cr_assert_not_null(crash, "the null crash is found:\n%s", text);
    const char *repro = cJSON_GetObjectItemCaseSensitive(crash, "reproducer")->valuestring;
    cr_expect(strstr(repro, "null") && strlen(repro) <= 12, "minimised to a null: %s", repro);
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(crash, "minimised")));
    const char *id = cJSON_GetObjectItemCaseSensitive(crash, "id")->valuestring;
    snprintf(path, sizeof path, "%s/f/fuzz-%s.json", cert_dir, id);
    char *file = test_slurp(path, NULL);
    cr_expect_str_eq(file, repro, "the reproducer file holds exactly its bytes");
    free(file);
    cr_expect_geq(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "summary"), "CRASH")
            ->valueint,
        1);
    cJSON_Delete(j);
    free(text);

    /* The correct consumer survives the same inputs. */
    rc = runf(&out, CFC " certify --consumer --cases 1.2 --fuzz 3 --adapter '" PY TC
                        "good_consumer.py' 2>&1");
    cr_expect_eq(rc, 3, "partial and clean:\n%s", out);
    cr_expect_not_null(strstr(out, " 0 crashes"), "%s", out);
    free(out);
    expect_no_children();
}
