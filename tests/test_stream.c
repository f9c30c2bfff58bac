/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
/* The stream rules (cfc/stream.h): the corpus of streams replayed exactly,
 * every rule passing and failing with the line, pointer and offset of its
 * finding, S5's edge cases, S2 for every field that names an agent,
 * --from-start, memory bounds on hostile streams, allocation failure. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "failing_alloc.h"
#include "cfc/check.h"
#include "cfc/ndjson.h"
#include "cfc/stream.h"
#include "params.h"
#include "util.h"

/* ---- building events ---------------------------------------------------- */

#define TS(s) "2025-11-08T14:30:" s ".000Z"
#define EV(type, rest, ts)                                                                         \
    "{\"type\":\"" type "\",\"project_id\":1," rest "\"timestamp\":\"" ts "\"}"
#define EVP(type, p, rest, ts)                                                                     \
    "{\"type\":\"" type "\",\"project_id\":" p "," rest "\"timestamp\":\"" ts "\"}"
#define CREATED(a, ts)                                                                             \
    EV("agent_created",                                                                            \
       "\"agent_id\":\"" a                                                                         \
       "\",\"agent_type\":\"backend\",\"status\":\"idle\",\"tasks_completed\":0,",                 \
       ts)
#define RETIRED(a, ts) EV("agent_retired", "\"agent_id\":\"" a "\",\"tasks_completed\":1,", ts)
#define STATUS(a, ts) EV("agent_status_changed", "\"agent_id\":\"" a "\",\"status\":\"idle\",", ts)
#define ASSIGNED(t, a, ts) EV("task_assigned", "\"task_id\":" t ",\"agent_id\":\"" a "\",", ts)
#define TSTATUS(t, a, ts)                                                                          \
    EV("task_status_changed",                                                                      \
       "\"task_id\":" t ",\"status\":\"in_progress\",\"agent_id\":\"" a "\",", ts)
#define ACTIVITY(a, ts)                                                                            \
    EV("activity_update", "\"activity_type\":\"agent\",\"message\":\"m\",\"agent_id\":\"" a "\",", \
       ts)
#define NOTE(ts) EV("activity_update", "\"activity_type\":\"task\",\"message\":\"m\",", ts)
#define NOTEP(p, ts) EVP("activity_update", p, "\"activity_type\":\"task\",\"message\":\"m\",", ts)
#define BLOCKED(t, by, n, ts)                                                                      \
    EV("task_blocked", "\"task_id\":" t ",\"blocked_by\":[" by "],\"blocked_count\":" n ",", ts)
#define UNBLOCKED(t, ts) EV("task_unblocked", "\"task_id\":" t ",", ts)
#define UNBLOCKED_BY(t, by, ts)                                                                    \
    EV("task_unblocked", "\"task_id\":" t ",\"unblocked_by\":" by ",", ts)
#define PROGRESS(c, t, p, ts)                                                                      \
    EV("progress_update", "\"completed\":" c ",\"total\":" t ",\"percentage\":" p ",", ts)
#define ATTEMPT(t, n, m, st, ts)                                                                   \
    EV("correction_attempt",                                                                       \
       "\"task_id\":" t ",\"attempt_number\":" n ",\"max_attempts\":" m ",\"status\":\"" st "\",", \
       ts)
#define L "\n"

/* ---- running a stream ----------------------------------------------------- */

typedef struct got {
    char rules[256][40]; /* "rule-id@line" */
    size_t n;
    bool order_ok;    /* offsets never decrease within an event */
    bool pointers_ok; /* each stream finding points at its field's value */
    char why[4096];
} got;

/* Which field each stream rule points at. */
static const char *pointer_of(cfc_rule r)
{
    switch (r) {
    case CFC_RULE_AGENT_BEFORE_CREATED:
    case CFC_RULE_AGENT_AFTER_RETIRED: return "/agent_id";
    case CFC_RULE_UNBLOCKED_NOT_BLOCKED: return "/task_id";
    case CFC_RULE_UNBLOCKED_BY_NOT_BLOCKER: return "/unblocked_by";
    case CFC_RULE_PROGRESS_BACKWARDS: return "/completed";
    case CFC_RULE_ATTEMPT_SEQUENCE: return "/attempt_number";
    case CFC_RULE_TS_BACKWARDS: return "/timestamp";
    case CFC_RULE_PROJECT_MISMATCH: return "/project_id";
    default: return NULL;
    }
}

static void record(got *g, cfc_checker *c, cfc_stream *s, size_t line, const char *ev, size_t len)
{
    const cfc_event_result *r = NULL;
    cr_assert_eq(cfc_stream_check_event(s, ev, len, &r), CFC_CHECK_OK);
    (void)c;
    for (size_t i = 0; i < r->n_findings; i++) {
        const cfc_finding *f = &r->findings[i];
        const char *id = cfc_rule_get(f->rule)->id;
        if (g->n < 256)
            snprintf(g->rules[g->n++], sizeof g->rules[0], "%s@%zu", id, line);
        size_t o = strlen(g->why);
        snprintf(g->why + o, sizeof g->why - o, "\n  %zu: %s %s @%zu: %s", line, id, f->pointer,
                 f->offset, f->message);
        if (i > 0 && f->offset < r->findings[i - 1].offset)
            g->order_ok = false;
        const char *want = pointer_of(f->rule);
        if (want) {
            /* The value of "field": right after its key and colon. */
            char key[40];
            snprintf(key, sizeof key, "\"%s\":", want + 1);
            const char *at = strstr(ev, key);
            if (strcmp(f->pointer, want) != 0 || at == NULL ||
                f->offset != (size_t)(at - ev) + strlen(key))
                g->pointers_ok = false;
        }
    }
}

/* Runs `events` (NDJSON) through one stream; findings as "rule@line". */
static void run_stream(const char *events, const cfc_stream_options *o, got *g)
{
    memset(g, 0, sizeof *g);
    g->order_ok = g->pointers_ok = true;
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream *s = cfc_stream_new(c, o);
    cr_assert_not_null(s);
    size_t line = 1;
    for (const char *p = events; *p; line++) {
        size_t len = strcspn(p, "\n");
        record(g, c, s, line, p, len);
        p += len + (p[len] == '\n');
    }
    cfc_stream_free(s);
    cfc_checker_free(c);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* `want`: "rule@line" words separated by spaces, as a multiset. */
static void expect_rules(got *g, const char *want, const char *name)
{
    char w[256][40];
    size_t nw = 0;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", want);
    for (char *t = strtok(buf, " "); t && nw < 256; t = strtok(NULL, " "))
        snprintf(w[nw++], sizeof w[0], "%s", t);
    qsort(w, nw, sizeof w[0], cmp_str);
    qsort(g->rules, g->n, sizeof g->rules[0], cmp_str);
    cr_expect_eq(g->n, nw, "%s: %zu findings, expected %zu (%s):%s", name, g->n, nw, want, g->why);
    for (size_t i = 0; i < g->n && i < nw; i++)
        cr_expect_str_eq(g->rules[i], w[i], "%s:%s", name, g->why);
    cr_expect(g->order_ok, "%s: findings not in document order:%s", name, g->why);
    cr_expect(g->pointers_ok, "%s: a stream finding does not point at its field:%s", name, g->why);
}

/* ---- every rule, passing and failing ---------------------------------------- */

typedef struct stream_case {
    const char *name;
    bool from_start;
    int64_t project;
    const char *events;
    const char *want; /* "rule@line ..." */
} stream_case;

static const stream_case cases[] = {
    /* S1 */
    {"S1 status before created", true, 0, STATUS("a", TS("45")) L CREATED("a", TS("46")),
     "agent-before-created@1"},
    {"S1 assigned and retired before created, once per agent", true, 0,
     ASSIGNED("4", "a", TS("45")) L RETIRED("b", TS("46")) L STATUS("a", TS("47"))
         L CREATED("a", TS("48")) L STATUS("a", TS("49")),
     "agent-before-created@1 agent-before-created@2"},
    {"S1 created first", true, 0,
     CREATED("a", TS("45")) L STATUS("a", TS("46")) L ASSIGNED("4", "a", TS("47"))
         L RETIRED("a", TS("48")),
     ""},
    {"S1 only for the events the rule names", true, 0,
     TSTATUS("4", "a", TS("45")) L ACTIVITY("b", TS("46")), ""},
    {"S1 off without from_start", false, 0, STATUS("a", TS("45")) L RETIRED("b", TS("46")), ""},
    /* S2, for every field that names an agent */
    {"S2 agent_status_changed", false, 0, RETIRED("a", TS("45")) L STATUS("a", TS("46")),
     "agent-after-retired@2"},
    {"S2 task_assigned", false, 0, RETIRED("a", TS("45")) L ASSIGNED("4", "a", TS("46")),
     "agent-after-retired@2"},
    {"S2 task_status_changed.agent_id", false, 0,
     RETIRED("a", TS("45")) L TSTATUS("4", "a", TS("46")), "agent-after-retired@2"},
    {"S2 activity_update.agent_id", false, 0, RETIRED("a", TS("45")) L ACTIVITY("a", TS("46")),
     "agent-after-retired@2"},
    {"S2 agent_retired twice", false, 0, RETIRED("a", TS("45")) L RETIRED("a", TS("46")),
     "agent-after-retired@2"},
    {"S2 with from_start: retired after created, then named", true, 0,
     CREATED("a", TS("45")) L RETIRED("a", TS("46")) L STATUS("a", TS("47"))
         L ASSIGNED("4", "a", TS("48")),
     "agent-after-retired@3 agent-after-retired@4"},
    {"S2 another agent, or the ID created again", true, 0,
     CREATED("a", TS("45")) L CREATED("b", TS("46")) L RETIRED("a", TS("47"))
         L STATUS("b", TS("48")) L CREATED("a", TS("49")) L STATUS("a", TS("50")),
     ""},
    {"S2 per project", false, 0,
     RETIRED("a", TS("45"))
         L EVP("agent_status_changed", "2", "\"agent_id\":\"a\",\"status\":\"idle\",", TS("46")),
     ""},
    /* S3 */
    {"S3a unblocked, never blocked", true, 0, UNBLOCKED("45", TS("45")), "unblocked-not-blocked@1"},
    {"S3a another task was blocked", true, 0,
     BLOCKED("44", "42", "1", TS("45")) L UNBLOCKED_BY("45", "42", TS("46")),
     "unblocked-not-blocked@2"},
    {"S3a blocked first", true, 0,
     BLOCKED("45", "42", "1", TS("45")) L UNBLOCKED("45", TS("46")) L UNBLOCKED("45", TS("47")),
     ""},
    {"S3a off without from_start", false, 0, UNBLOCKED("45", TS("45")), ""},
    {"S3b not a blocker", false, 0,
     BLOCKED("45", "42,43", "2", TS("45")) L UNBLOCKED_BY("45", "44", TS("46")),
     "unblocked-by-not-blocker@2"},
    {"S3b the last blocked_by counts", false, 0,
     BLOCKED("45", "42,43", "2", TS("45")) L BLOCKED("45", "44", "1", TS("46"))
         L UNBLOCKED_BY("45", "42", TS("47")) L UNBLOCKED_BY("45", "44", TS("48")),
     "unblocked-by-not-blocker@3"},
    {"S3b a blocker", true, 0,
     BLOCKED("45", "42,43", "2", TS("45")) L UNBLOCKED_BY("45", "43", TS("46"))
         L UNBLOCKED_BY("45", "42", TS("47")),
     ""},
    {"S3b nothing to compare with", false, 0, UNBLOCKED_BY("45", "44", TS("45")), ""},
    /* S4 */
    {"S4 completed goes down", false, 0,
     PROGRESS("3", "12", "25", TS("45")) L PROGRESS("2", "12", "16", TS("46")),
     "progress-backwards@2"},
    {"S4 per project", false, 0,
     PROGRESS("3", "12", "25", TS("45"))
         L EVP("progress_update", "2", "\"completed\":1,\"total\":12,\"percentage\":8,", TS("46"))
             L PROGRESS("2", "12", "16", TS("47")),
     "progress-backwards@3"},
    {"S4 total changed", false, 0,
     PROGRESS("3", "12", "25", TS("45")) L PROGRESS("2", "13", "15", TS("46")), ""},
    {"S4 up or equal", true, 0,
     PROGRESS("3", "12", "25", TS("45")) L PROGRESS("3", "12", "25", TS("46"))
         L PROGRESS("4", "12", "33", TS("47")),
     ""},
    /* S5 */
    {"S5 start then outcome, then the next", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "failed", TS("46"))
         L ATTEMPT("2", "2", "3", "in_progress", TS("47"))
             L ATTEMPT("2", "2", "3", "success", TS("48")),
     ""},
    {"S5 restart after success", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "failed", TS("46"))
         L ATTEMPT("2", "2", "3", "in_progress", TS("47")) L ATTEMPT(
             "2", "2", "3", "success", TS("48")) L ATTEMPT("2", "1", "3", "in_progress", TS("49")),
     ""},
    {"S5 restart at 1 after success at 1", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "success", TS("46"))
         L ATTEMPT("2", "1", "3", "in_progress", TS("47"))
             L ATTEMPT("2", "1", "3", "success", TS("48")),
     ""},
    {"S5 restart after failed at max", false, 0,
     ATTEMPT("2", "1", "2", "in_progress", TS("45")) L ATTEMPT("2", "1", "2", "failed", TS("46"))
         L ATTEMPT("2", "2", "2", "in_progress", TS("47")) L ATTEMPT(
             "2", "2", "2", "failed", TS("48")) L ATTEMPT("2", "1", "2", "in_progress", TS("49")),
     ""},
    {"S5 restart after failed at max 1", false, 0,
     ATTEMPT("2", "1", "1", "failed", TS("45")) L ATTEMPT("2", "1", "1", "in_progress", TS("46")),
     ""},
    {"S5 no restart after failed below max", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "failed", TS("46"))
         L ATTEMPT("2", "2", "3", "in_progress", TS("47")) L ATTEMPT(
             "2", "2", "3", "failed", TS("48")) L ATTEMPT("2", "1", "3", "in_progress", TS("49")),
     "attempt-sequence@5"},
    {"S5 skipped number", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "failed", TS("46"))
         L ATTEMPT("2", "3", "3", "in_progress", TS("47")),
     "attempt-sequence@3"},
    {"S5 decrease", false, 0,
     ATTEMPT("2", "3", "5", "in_progress", TS("45"))
         L ATTEMPT("2", "2", "5", "in_progress", TS("46")),
     "attempt-sequence@2"},
    {"S5 second outcome", false, 0,
     ATTEMPT("2", "2", "3", "in_progress", TS("45")) L ATTEMPT("2", "2", "3", "failed", TS("46"))
         L ATTEMPT("2", "2", "3", "success", TS("47")),
     "attempt-sequence@3"},
    {"S5 second outcome for attempt 1 after success is not a restart", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45")) L ATTEMPT("2", "1", "3", "success", TS("46"))
         L ATTEMPT("2", "1", "3", "success", TS("47")),
     "attempt-sequence@3"},
    {"S5 started twice", false, 0,
     ATTEMPT("2", "1", "3", "in_progress", TS("45"))
         L ATTEMPT("2", "1", "3", "in_progress", TS("46")),
     "attempt-sequence@2"},
    {"S5 ended, then started again with the same number", false, 0,
     ATTEMPT("2", "2", "3", "in_progress", TS("45")) L ATTEMPT("2", "2", "3", "failed", TS("46"))
         L ATTEMPT("2", "2", "3", "in_progress", TS("47")),
     "attempt-sequence@3"},
    {"S5 per task, and a first attempt may have any number", true, 0,
     ATTEMPT("2", "2", "3", "in_progress", TS("45")) L ATTEMPT("3", "1", "3", "in_progress",
                                                               TS("46"))
         L ATTEMPT("2", "2", "3", "failed", TS("47")) L ATTEMPT("3", "1", "3", "success", TS("48")),
     ""},
    {"S5 a warning, then the sequence goes on from there", false, 0,
     ATTEMPT("2", "1", "3", "failed", TS("45")) L ATTEMPT("2", "3", "3", "failed", TS("46"))
         L ATTEMPT("2", "1", "3", "in_progress", TS("47")),
     "attempt-sequence@2"},
    /* S6 */
    {"S6 backwards", false, 0, NOTE(TS("46")) L NOTE(TS("45")), "ts-backwards@2"},
    {"S6 compared with the previous event, not the latest ever", false, 0,
     NOTE(TS("45")) L NOTE(TS("50")) L NOTE(TS("46")) L NOTE(TS("47")), "ts-backwards@3"},
    {"S6 equal is fine", true, 0, NOTE(TS("45")) L NOTE(TS("45")) L NOTE(TS("46")), ""},
    {"S6 millisecond precision", false, 0,
     NOTE("2025-11-08T14:30:45.124Z") L NOTE("2025-11-08T14:30:45.123Z"), "ts-backwards@2"},
    {"S6 across years", false, 0,
     NOTE("2026-01-01T00:00:00.000Z") L NOTE("2025-12-31T23:59:59.999Z"), "ts-backwards@2"},
    /* S7 */
    {"S7 another project", false, 1, NOTEP("1", TS("45")) L NOTEP("2", TS("46")),
     "project-mismatch@2"},
    {"S7 not the subscribed one at all", false, 5, NOTEP("1", TS("45")) L NOTEP("1", TS("46")),
     "project-mismatch@1 project-mismatch@2"},
    {"S7 the subscribed project", false, 2, NOTEP("2", TS("45")) L NOTEP("2", TS("46")), ""},
    {"S7 off when not subscribed", false, 0, NOTEP("1", TS("45")) L NOTEP("2", TS("46")), ""},
    /* broken fields get their own findings only */
    {"broken: a bad task_id is not a task", true, 0,
     EV("task_unblocked", "\"task_id\":\"45\",", TS("45")), "wrong-type@1"},
    {"broken: attempt_number above max is not an attempt", false, 0,
     ATTEMPT("2", "1", "3", "failed", TS("45")) L ATTEMPT("2", "4", "3", "in_progress", TS("46"))
         L ATTEMPT("2", "2", "3", "in_progress", TS("47")),
     "attempt-range@2"},
    {"broken: completed above total is not progress", false, 0,
     PROGRESS("2", "4", "50", TS("45")) L PROGRESS("5", "4", "100", TS("46"))
         L PROGRESS("3", "4", "75", TS("47")),
     "completed-exceeds-total@2"},
    {"broken: unblocked_by the task itself", true, 0,
     BLOCKED("45", "42", "1", TS("45")) L UNBLOCKED_BY("45", "45", TS("46")),
     "unblocked-by-self@2"},
    {"broken: a bad timestamp is not compared", false, 0,
     NOTE(TS("46")) L NOTE("2025-11-08T14:30:40.123456Z") L NOTE(TS("45")),
     "ts-fraction@2 ts-backwards@3"},
    {"broken: an agent_id with invalid UTF-8", false, 0,
     RETIRED("a\xff", TS("45")) L STATUS("a\xff", TS("46")), "utf8-invalid@1 utf8-invalid@2"},
    {"broken: a duplicate blocker still blocks", true, 0,
     BLOCKED("45", "42,42", "2", TS("45")) L UNBLOCKED_BY("45", "42", TS("46")),
     "blocked-by-duplicate@1"},
    {"broken: an empty agent_id", true, 0,
     EV("task_assigned", "\"task_id\":2,\"agent_id\":\"\",", TS("45")), "empty-string@1"},
    {"broken elsewhere: a usable agent_id is still checked", false, 0,
     RETIRED("a", TS("45"))
         L EV("agent_status_changed", "\"agent_id\":\"a\",\"status\":\"Idle\",", TS("46")),
     "agent-after-retired@2 enum-value@2"},
    {"unknown types: timestamps and projects only", false, 1,
     "{\"type\":\"heartbeat\",\"project_id\":1,\"timestamp\":\"" TS(
         "46") "\"}" L "{\"type\":\"heartbeat\",\"project_id\":2,\"timestamp\":\"" TS("45") "\"}",
     "unknown-type@1 unknown-type@2 ts-backwards@2 project-mismatch@2"},
    {"not JSON and not objects are skipped", false, 0,
     NOTE(TS("46")) L "{\"type\":" L "[1]" L NOTE(TS("47")), "json-syntax@2 not-object@3"},
};

CFC_TABLE_TEST(rules, pass_and_fail, cases)
{
    const stream_case *k = &cases[*cfc_index];
    cfc_stream_options o = {.from_start = k->from_start, .subscribed_project_id = k->project};
    got g;
    run_stream(k->events, &o, &g);
    expect_rules(&g, k->want, k->name);
}

/* Every stream rule has failing and passing cases in the table above. */
Test(rules, table_covers_every_stream_rule)
{
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        if (r->fail_example == NULL || !strchr(r->fail_example, '\n'))
            continue;
        cr_expect_not_null(pointer_of(r->rule), "%s has no pointer in this test", r->id);
        int failing = 0;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
            failing += strstr(cases[k].want, r->id) != NULL;
        cr_expect_geq(failing, 2, "%s: %d failing cases", r->id, failing);
    }
}

Test(rules, from_start_off_disables_s1_and_s3a_only)
{
    const char *events = STATUS("a", TS("45")) L UNBLOCKED("9", TS("46")) L RETIRED("a", TS("47"))
        L STATUS("a", TS("48")) L BLOCKED("8", "1", "1", TS("49"))
            L UNBLOCKED_BY("8", "2", TS("50")) L NOTE(TS("44"));
    got g;
    cfc_stream_options on = {.from_start = true};
    run_stream(events, &on, &g);
    expect_rules(&g,
                 "agent-before-created@1 unblocked-not-blocked@2 agent-after-retired@4 "
                 "unblocked-by-not-blocker@6 ts-backwards@7",
                 "from_start on");
    cfc_stream_options off = {.from_start = false};
    run_stream(events, &off, &g);
    expect_rules(&g, "agent-after-retired@4 unblocked-by-not-blocker@6 ts-backwards@7",
                 "from_start off");
}

/* ---- results, messages, configuration ---------------------------------------- */

static const cfc_event_result *feed(cfc_stream *s, const char *ev)
{
    const cfc_event_result *r = NULL;
    cr_assert_eq(cfc_stream_check_event(s, ev, strlen(ev), &r), CFC_CHECK_OK);
    return r;
}

Test(results, merged_in_document_order_with_messages)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options o = {.from_start = true, .subscribed_project_id = 1};
    cfc_stream *s = cfc_stream_new(c, &o);
    feed(s, NOTE(TS("50")));
    /* project-mismatch (offset of 2), then an unknown field, then
     * ts-backwards: one result, sorted by offset. */
    const char *ev = "{\"type\":\"activity_update\",\"project_id\":2,\"activity_type\":\"task\","
                     "\"message\":\"m\",\"extra\":1,\"timestamp\":\"" TS("49") "\"}";
    const cfc_event_result *r = feed(s, ev);
    cr_assert_eq(r->n_findings, 3);
    cr_expect_eq(r->findings[0].rule, CFC_RULE_PROJECT_MISMATCH);
    cr_expect_eq(r->findings[1].rule, CFC_RULE_UNKNOWN_FIELD);
    cr_expect_eq(r->findings[2].rule, CFC_RULE_TS_BACKWARDS);
    cr_expect_str_eq(r->findings[0].message,
                     "project_id is 2 but the connection subscribed to project 1");
    cr_expect_eq(r->findings[0].severity, CFC_SEVERITY_ERROR);
    cr_expect_str_eq(r->findings[2].message,
                     "timestamp 2025-11-08T14:30:49.000Z is earlier than the previous event's "
                     "2025-11-08T14:30:50.000Z; timestamps do not go backwards within a stream");
    cr_expect_eq(r->findings[2].severity, CFC_SEVERITY_WARNING);
    cr_expect_eq(r->errors, 1);
    cr_expect_eq(r->warnings, 2);
    cr_expect_eq(r->by_rule[CFC_RULE_TS_BACKWARDS], 1);

    r = feed(s, RETIRED("w-1", TS("51")));
    cr_expect_str_eq(r->findings[0].message,
                     "agent \"w-1\" is referenced before its agent_created, and the stream began "
                     "at the producer's start (--from-start)");
    r = feed(s, ASSIGNED("3", "w-1", TS("52")));
    cr_expect_str_eq(r->findings[0].message, "agent \"w-1\" was retired earlier in the stream "
                                             "(agent_retired); no event may name it after that");
    feed(s, BLOCKED("6", "1,2,3,4,5,6,7,8,9,10", "10", TS("53")));
    r = feed(s, UNBLOCKED_BY("6", "11", TS("54")));
    cr_expect_str_eq(r->findings[0].message,
                     "unblocked_by is 11, but task 6's last task_blocked had blocked_by [1, 2, 3, "
                     "4, 5, 6, 7, 8, ... 2 more]");
    feed(s, PROGRESS("5", "10", "50", TS("55")));
    r = feed(s, PROGRESS("4", "10", "40", TS("56")));
    cr_expect_str_eq(r->findings[0].message,
                     "completed goes back from 5 to 4 while total stays 10");
    cfc_stream_free(s);
    cfc_checker_free(c);
}

Test(results, strict_and_configuration_apply)
{
    cfc_check_options co = {.strict = true};
    cfc_checker *c = cfc_checker_new(&co);
    const char *cfg = "{\"rules\":{\"ts-backwards\":\"off\",\"project-mismatch\":\"warning\"}}";
    cfc_error err;
    cr_assert_eq(cfc_checker_configure(c, cfg, strlen(cfg), &err), CFC_CHECK_OK, "%s", err.message);
    cfc_stream_options o = {.subscribed_project_id = 1};
    cfc_stream *s = cfc_stream_new(c, &o);
    feed(s, NOTE(TS("46")));
    const cfc_event_result *r = feed(s, NOTEP("2", TS("45")));
    cr_assert_eq(r->n_findings, 1, "ts-backwards is off");
    cr_expect_eq(r->findings[0].rule, CFC_RULE_PROJECT_MISMATCH);
    cr_expect_eq(r->findings[0].severity, CFC_SEVERITY_ERROR, "--strict wins");
    feed(s, PROGRESS("2", "4", "50", TS("47")));
    r = feed(s, PROGRESS("1", "4", "25", TS("48")));
    cr_expect_eq(r->errors, 1, "a stream warning counts as an error under --strict");
    cfc_stream_free(s);
    cfc_checker_free(c);
}

Test(results, streams_are_independent_and_share_a_checker)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream *a = cfc_stream_new(c, NULL), *b = cfc_stream_new(c, NULL);
    feed(a, RETIRED("x", TS("50")));
    feed(b, NOTE(TS("40")));
    const cfc_event_result *r = feed(b, STATUS("x", TS("41")));
    cr_expect_eq(r->n_findings, 0, "b knows nothing of a");
    r = feed(a, STATUS("x", TS("51")));
    cr_expect_eq(r->by_rule[CFC_RULE_AGENT_AFTER_RETIRED], 1);
    /* The checker alone keeps no stream state. */
    r = NULL;
    const char *ev = STATUS("x", TS("10"));
    cr_assert_eq(cfc_check_event(c, ev, strlen(ev), &r), CFC_CHECK_OK);
    cr_expect_eq(r->n_findings, 0);
    cfc_stream_free(a);
    cfc_stream_free(b);
    cfc_checker_free(c);
}

Test(results, null_and_oversized)
{
    cfc_stream_free(NULL);
    cr_expect_null(cfc_stream_new(NULL, NULL));
    const cfc_event_result *r = NULL;
    cr_expect_eq(cfc_stream_check_event(NULL, "{}", 2, &r), CFC_CHECK_IO);
    cfc_stream_stats st;
    cfc_stream_get_stats(NULL, &st);
    cr_expect_eq(st.events, 0);
    cfc_stream_get_stats(NULL, NULL);
    cfc_check_options co = {.max_event_bytes = 50};
    cfc_checker *c = cfc_checker_new(&co);
    cfc_stream *s = cfc_stream_new(c, NULL);
    cr_expect_eq(cfc_stream_check_event(s, NULL, 5, &r), CFC_CHECK_IO);
    const char *big = RETIRED("a", TS("45"));
    cr_assert_eq(cfc_stream_check_event(s, big, strlen(big), &r), CFC_CHECK_OK);
    cr_expect_eq(r->by_rule[CFC_RULE_TOO_LARGE], 1);
    cr_assert_eq(cfc_stream_check_event(s, "", 0, &r), CFC_CHECK_OK);
    cr_expect_eq(r->by_rule[CFC_RULE_JSON_SYNTAX], 1);
    cfc_stream_get_stats(s, &st);
    cr_expect_eq(st.events, 2);
    cr_expect_eq(st.agents, 0, "an oversized event is not read");
    cfc_stream_free(s);
    cfc_checker_free(c);
}

/* ---- the corpus of streams ------------------------------------------------------ */

typedef struct replay {
    cfc_stream *s;
    const char *rules[512];
    size_t n;
    bool order_ok;
} replay;

static int on_line(void *ctx, size_t line, const char *bytes, size_t len)
{
    replay *rp = ctx;
    (void)line;
    cr_assert_not_null(bytes, "no corpus stream has an oversized line");
    const cfc_event_result *r = NULL;
    cr_assert_eq(cfc_stream_check_event(rp->s, bytes, len, &r), CFC_CHECK_OK);
    for (size_t i = 0; i < r->n_findings; i++) {
        if (rp->n < 512)
            rp->rules[rp->n++] = cfc_rule_get(r->findings[i].rule)->id;
        if (i > 0 && r->findings[i].offset < r->findings[i - 1].offset)
            rp->order_ok = false;
    }
    return 0;
}

static int cmp_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* corpus/streams/NAME.ndjson with NAME.expect (see corpus/streams/README.md):
 * exactly the expected rules, as a multiset. */
Test(corpus, streams_give_exactly_their_rules)
{
    DIR *d = opendir(CFC_SOURCE_DIR "/corpus/streams");
    cr_assert_not_null(d);
    int failing[CFC_RULE_COUNT] = {0}, passing[CFC_RULE_COUNT] = {0};
    int cases_seen = 0;
    bool demo = false, contract = false;
    for (struct dirent *e; (e = readdir(d));) {
        size_t nl = strlen(e->d_name);
        if (nl < 8 || strcmp(e->d_name + nl - 7, ".ndjson") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/corpus/streams/%s", CFC_SOURCE_DIR, e->d_name);
        size_t len, elen;
        char *text = test_slurp(path, &len);
        snprintf(path + strlen(path) - 7, 16, ".expect");
        char *expect = test_slurp(path, &elen);
        cfc_stream_options o = {0};
        const char *want[512];
        size_t nw = 0;
        for (char *line = strtok(expect, "\n"); line; line = strtok(NULL, "\n")) {
            long long project;
            if (strcmp(line, "# from-start") == 0) {
                o.from_start = true;
            } else if (sscanf(line, "# project %lld", &project) == 1 && project > 0) {
                o.subscribed_project_id = project;
            } else {
                const cfc_rule_info *r = cfc_rule_find(line);
                cr_assert_not_null(r, "%s: not a rule ID or an option: '%s'", e->d_name, line);
                if (nw < 512)
                    want[nw++] = line;
                failing[r->rule]++;
            }
        }
        /* A stream named after a rule with "-pass" in its name is that
         * rule's passing case. */
        for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
            const char *id = cfc_rule_get((cfc_rule)i)->id;
            size_t il = strlen(id);
            if (strncmp(e->d_name, id, il) == 0 && strncmp(e->d_name + il, "-pass", 5) == 0) {
                bool has = false;
                for (size_t k = 0; k < nw; k++)
                    has |= strcmp(want[k], id) == 0;
                cr_expect(!has, "%s expects the rule it passes", e->d_name);
                passing[i]++;
            }
        }
        demo |= strcmp(e->d_name, "demo.ndjson") == 0 && nw == 0 && o.from_start;
        contract |= strcmp(e->d_name, "contract-examples.ndjson") == 0 && nw == 0 && o.from_start;

        cfc_checker *c = cfc_checker_new(NULL);
        replay rp = {.s = cfc_stream_new(c, &o), .order_ok = true};
        cfc_framer *fr = cfc_framer_new(cfc_checker_max_event_bytes(c), on_line, &rp);
        cr_assert_eq(cfc_framer_feed(fr, text, len), 0);
        cr_assert_eq(cfc_framer_finish(fr), 0);
        cfc_framer_free(fr);
        cfc_stream_free(rp.s);
        cfc_checker_free(c);

        qsort(want, nw, sizeof *want, cmp_ptr);
        qsort(rp.rules, rp.n, sizeof *rp.rules, cmp_ptr);
        char gotlist[4096] = "";
        for (size_t i = 0, o2 = 0; i < rp.n && o2 < sizeof gotlist; i++)
            o2 += (size_t)snprintf(gotlist + o2, sizeof gotlist - o2, " %s", rp.rules[i]);
        cr_expect_eq(rp.n, nw, "%s: %zu findings, expected %zu; got:%s", e->d_name, rp.n, nw,
                     gotlist);
        for (size_t i = 0; i < rp.n && i < nw; i++)
            cr_expect_str_eq(rp.rules[i], want[i], "%s: got:%s", e->d_name, gotlist);
        cr_expect(rp.order_ok, "%s: findings out of document order", e->d_name);
        free(text);
        free(expect);
        cases_seen++;
    }
    closedir(d);
    cr_expect_geq(cases_seen, 30);
    cr_expect(demo, "demo.ndjson, clean from the start");
    cr_expect(contract, "contract-examples.ndjson, clean from the start");
    /* At least two failing streams and one passing stream per stream rule. */
    for (size_t i = 0; i < CFC_RULE_COUNT; i++) {
        const cfc_rule_info *r = cfc_rule_get((cfc_rule)i);
        if (r->fail_example == NULL || !strchr(r->fail_example, '\n'))
            continue;
        cr_expect_geq(failing[i], 2, "%s: %d failing corpus streams", r->id, failing[i]);
        cr_expect_geq(passing[i], 1, "%s: no %s-pass*.ndjson", r->id, r->id);
    }
}

/* ---- memory on hostile streams ------------------------------------------------ */

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static void expect_rss_growth_below(long before, long mib)
{
#ifdef UNDER_ASAN
    (void)before;
    (void)mib; /* ASan's shadow and quarantine make RSS meaningless here */
#else
    long grew = max_rss_kib() - before;
    cr_expect_lt(grew, mib * 1024, "RSS grew by %ld KiB", grew);
#endif
}

/* A million agents, each named once: the first 100,000 are remembered, S1 is
 * reported for each of them and then no more (a new agent cannot be told
 * from a dropped one), and a remembered agent is still exact. */
Test(memory, a_million_agents, .timeout = 280)
{
    long rss = max_rss_kib();
    clock_t t0 = clock();
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options o = {.from_start = true};
    cfc_stream *s = cfc_stream_new(c, &o);
    char ev[256];
    size_t s1 = 0;
    const cfc_event_result *r;
    for (int i = 0; i < 1000000; i++) {
        int n = snprintf(ev, sizeof ev,
                         "{\"type\":\"%s\",\"project_id\":1,\"agent_id\":\"agent-%07d\",%s"
                         "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
                         i % 2 ? "agent_retired" : "agent_status_changed", i,
                         i % 2 ? "\"tasks_completed\":0," : "\"status\":\"idle\",");
        cr_assert_eq(cfc_stream_check_event(s, ev, (size_t)n, &r), CFC_CHECK_OK);
        s1 += r->by_rule[CFC_RULE_AGENT_BEFORE_CREATED];
        cr_assert_eq(r->errors, 0, "%s", ev);
    }
    cfc_stream_stats st;
    cfc_stream_get_stats(s, &st);
    cr_expect_eq(st.events, 1000000);
    cr_expect_eq(st.agents, CFC_STREAM_DEFAULT_MAX);
    cr_expect(st.agents_full);
    /* The 100,001st agent is the first not remembered: it still gets its
     * finding, since nothing had been dropped before it. */
    cr_expect_eq(s1, CFC_STREAM_DEFAULT_MAX + 1);
    cr_expect_lt(st.bytes, (size_t)16 << 20, "the stream holds %zu bytes", st.bytes);
    const char *named = STATUS("agent-0000001", TS("46"));
    r = feed(s, named);
    cr_expect_eq(r->by_rule[CFC_RULE_AGENT_AFTER_RETIRED], 1, "agent 1 was retired");
    named = STATUS("agent-0999999", TS("47"));
    r = feed(s, named);
    cr_expect_eq(r->n_findings, 0, "agent 999999 was not remembered: nothing is claimed");
    cfc_stream_free(s);
    cfc_checker_free(c);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    cr_expect_lt(secs, 120.0, "took %.1f s", secs);
    expect_rss_growth_below(rss, 64);
}

/* A million tasks, blocked with long lists, unblocked, with correction
 * attempts and progress: bounded too. */
Test(memory, a_million_tasks, .timeout = 280)
{
    long rss = max_rss_kib();
    clock_t t0 = clock();
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options o = {.from_start = true};
    cfc_stream *s = cfc_stream_new(c, &o);
    char ev[1024];
    size_t s3a = 0, s3b = 0;
    const cfc_event_result *r;
    for (int i = 4; i < 1000004; i++) {
        int n;
        switch (i % 4) {
        case 0: /* 30 blockers: more than the 8 per task on average */
            n = snprintf(ev, sizeof ev,
                         "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":%d,"
                         "\"blocked_by\":[",
                         i);
            for (int k = 1; k <= 30; k++)
                n += snprintf(ev + n, sizeof ev - (size_t)n, "%s%d", k > 1 ? "," : "", i + k);
            n += snprintf(ev + n, sizeof ev - (size_t)n,
                          "],\"blocked_count\":30,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}");
            break;
        case 1:
            n = snprintf(ev, sizeof ev,
                         "{\"type\":\"task_unblocked\",\"project_id\":1,"
                         "\"task_id\":%d,\"unblocked_by\":%d,"
                         "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
                         i - 1, i + 1);
            break;
        case 2:
            n = snprintf(ev, sizeof ev,
                         "{\"type\":\"correction_attempt\",\"project_id\":1,"
                         "\"task_id\":%d,\"attempt_number\":1,\"max_attempts\":3,"
                         "\"status\":\"in_progress\","
                         "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
                         i);
            break;
        default:
            n = snprintf(ev, sizeof ev,
                         "{\"type\":\"progress_update\",\"project_id\":%d,"
                         "\"completed\":1,\"total\":2,\"percentage\":50,"
                         "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}",
                         i);
            break;
        }
        cr_assert_eq(cfc_stream_check_event(s, ev, (size_t)n, &r), CFC_CHECK_OK);
        cr_assert_eq(r->errors, 0, "%s", ev);
        s3a += r->by_rule[CFC_RULE_UNBLOCKED_NOT_BLOCKED];
        s3b += r->by_rule[CFC_RULE_UNBLOCKED_BY_NOT_BLOCKER];
    }
    cfc_stream_stats st;
    cfc_stream_get_stats(s, &st);
    cr_expect_eq(st.tasks, CFC_STREAM_DEFAULT_MAX);
    cr_expect(st.tasks_full);
    cr_expect(st.blockers_full);
    cr_expect_leq(st.blockers, (size_t)8 * CFC_STREAM_DEFAULT_MAX);
    cr_expect_eq(s3a, 0, "every unblocked task was blocked, or could have been dropped");
    cr_expect_eq(s3b, 0, "unblocked_by is always a blocker");
    cr_expect_lt(st.bytes, (size_t)48 << 20, "the stream holds %zu bytes", st.bytes);
    cfc_stream_free(s);
    cfc_checker_free(c);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    cr_expect_lt(secs, 120.0, "took %.1f s", secs);
    expect_rss_growth_below(rss, 96);
}

Test(memory, small_limits_stop_tracking)
{
    cfc_checker *c = cfc_checker_new(NULL);
    cfc_stream_options o = {.from_start = true, .max_agents = 2, .max_tasks = 2};
    cfc_stream *s = cfc_stream_new(c, &o);
    feed(s, CREATED("a", TS("45")));
    feed(s, RETIRED("b", TS("46"))); /* S1, remembered retired */
    const cfc_event_result *r = feed(s, STATUS("c", TS("47")));
    cr_expect_eq(r->by_rule[CFC_RULE_AGENT_BEFORE_CREATED], 1, "nothing was dropped before c");
    r = feed(s, STATUS("d", TS("47")));
    cr_expect_eq(r->n_findings, 0, "c was dropped, so d might have been: no S1 claimed");
    r = feed(s, STATUS("c", TS("47")));
    cr_expect_eq(r->n_findings, 0);
    r = feed(s, STATUS("b", TS("48")));
    cr_expect_eq(r->by_rule[CFC_RULE_AGENT_AFTER_RETIRED], 1);
    cfc_stream_stats st;
    cfc_stream_get_stats(s, &st);
    cr_expect_eq(st.agents, 2);
    cr_expect(st.agents_full);
    /* Tasks: 2 records, 16 blocked_by items in all. */
    feed(s, BLOCKED("10", "1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18", "17", TS("49")));
    r = feed(s, UNBLOCKED_BY("10", "99", TS("50")));
    cr_expect_eq(r->n_findings, 0, "blocked, but the list did not fit: not compared");
    feed(s, BLOCKED("20", "1", "1", TS("51")));
    r = feed(s, UNBLOCKED_BY("20", "2", TS("52")));
    cr_expect_eq(r->by_rule[CFC_RULE_UNBLOCKED_BY_NOT_BLOCKER], 1);
    feed(s, ATTEMPT("40", "1", "3", "failed", TS("53"))); /* no room: dropped */
    r = feed(s, UNBLOCKED("30", TS("53")));
    cr_expect_eq(r->n_findings, 0, "task 40 was dropped, so 30 might have been: no S3a claimed");
    r = feed(s, ATTEMPT("40", "3", "3", "failed", TS("53")));
    cr_expect_eq(r->n_findings, 0, "task 40 is not remembered: no S5 claimed");
    feed(s, BLOCKED("10", "5", "1", TS("54")));
    r = feed(s, UNBLOCKED_BY("10", "6", TS("55")));
    cr_expect_eq(r->by_rule[CFC_RULE_UNBLOCKED_BY_NOT_BLOCKER], 1, "a new list that fits is kept");
    cfc_stream_get_stats(s, &st);
    cr_expect_eq(st.tasks, 2);
    cr_expect_eq(st.blockers, 2);
    cr_expect(st.tasks_full);
    cr_expect(st.blockers_full);
    cfc_stream_free(s);
    cfc_checker_free(c);
}

/* ---- allocation failure ------------------------------------------------------- */

/* Enough to grow every table past its first size. */
static char *alloc_stream(size_t *n_lines)
{
    size_t cap = 1 << 20, o = 0, n = 0;
    char *text = malloc(cap);
    for (int i = 1; i <= 150; i++) {
        o += (size_t)snprintf(
            text + o, cap - o,
            "{\"type\":\"agent_created\",\"project_id\":1,\"agent_id\":\"agent-%d\","
            "\"agent_type\":\"test\",\"status\":\"idle\",\"tasks_completed\":0,"
            "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}\n",
            i);
        o += (size_t)snprintf(text + o, cap - o,
                              "{\"type\":\"task_blocked\",\"project_id\":1,\"task_id\":%d,"
                              "\"blocked_by\":[%d,%d],\"blocked_count\":2,"
                              "\"timestamp\":\"2025-11-08T14:30:45.123Z\"}\n",
                              i, i + 1, i + 2);
        o += (size_t)snprintf(text + o, cap - o,
                              "{\"type\":\"task_unblocked\",\"project_id\":1,\"task_id\":%d,"
                              "\"unblocked_by\":%d,\"timestamp\":\"2025-11-08T14:30:4%d.123Z\"}\n",
                              i, i + 3, i % 10);
        o += (size_t)snprintf(
            text + o, cap - o,
            "{\"type\":\"agent_retired\",\"project_id\":1,\"agent_id\":\"agent-%d\","
            "\"tasks_completed\":0,\"timestamp\":\"2025-11-08T14:30:45.123Z\"}\n",
            i % 7 + 1);
        n += 4;
    }
    *n_lines = n;
    return text;
}

/* For N = 1, 2, 3...: allocation N fails. Every call returns OK or NOMEM,
 * nothing leaks, and an event that failed, checked again, gives exactly what
 * it gives in a run without failure: the stream remembered nothing of it. */
Test(alloc, every_allocation_can_fail)
{
    size_t lines;
    char *text = alloc_stream(&lines);
    /* The run without failure: findings per line. */
    uint32_t *clean = calloc(lines * CFC_RULE_COUNT, sizeof *clean);
    {
        cfc_checker *c = cfc_checker_new(NULL);
        cfc_stream_options o = {.from_start = true};
        cfc_stream *s = cfc_stream_new(c, &o);
        const char *p = text;
        for (size_t i = 0; i < lines; i++) {
            size_t len = strcspn(p, "\n");
            const cfc_event_result *r;
            cr_assert_eq(cfc_stream_check_event(s, p, len, &r), CFC_CHECK_OK);
            memcpy(clean + i * CFC_RULE_COUNT, r->by_rule, sizeof r->by_rule);
            p += len + 1;
        }
        cfc_stream_free(s);
        cfc_checker_free(c);
    }
    long n;
    int failures = 0;
    for (n = 1; n < 100000; n++) {
        counter k = {.fail_at = n};
        cfc_allocator a = {c_malloc, c_realloc, c_free, &k};
        cfc_check_options co = {.alloc = &a};
        cfc_checker *c = cfc_checker_new(&co);
        cfc_stream_options o = {.from_start = true};
        cfc_stream *s = c ? cfc_stream_new(c, &o) : NULL;
        bool failed = c == NULL || s == NULL;
        const char *p = text;
        for (size_t i = 0; s && i < lines; i++) {
            size_t len = strcspn(p, "\n");
            const cfc_event_result *r = NULL;
            cfc_check_status st = cfc_stream_check_event(s, p, len, &r);
            cr_assert(st == CFC_CHECK_OK || st == CFC_CHECK_NOMEM, "status %d", (int)st);
            if (st == CFC_CHECK_NOMEM) {
                failed = true;
                cr_assert_eq(cfc_stream_check_event(s, p, len, &r), CFC_CHECK_OK,
                             "allocation %ld: the retry fails too", n);
            }
            cr_assert_eq(memcmp(r->by_rule, clean + i * CFC_RULE_COUNT, sizeof r->by_rule), 0,
                         "allocation %ld failed: line %zu gives other findings", n, i + 1);
            p += len + 1;
        }
        cfc_stream_free(s);
        cfc_checker_free(c);
        cr_assert_eq(k.live, 0, "allocation %ld failed: %ld blocks leaked", n, k.live);
        if (!failed) {
            cr_assert_lt(k.count, n, "allocation %ld failed unnoticed", n);
            break;
        }
        failures++;
    }
    cr_expect_gt(failures, 10);
    cr_expect_lt(n, 100000);
    free(clean);
    free(text);
}
