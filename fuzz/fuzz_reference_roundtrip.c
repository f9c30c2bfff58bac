/* SPDX-License-Identifier: MIT */
/* The fuzzer picks a broadcaster and its arguments. The broadcaster either
 * refuses (and nothing was sent) or sends an event that the checker passes
 * with zero findings and that decodes back to the same arguments. Any
 * finding is a bug in one of the two. */
#include <string.h>

#include "json.h"
#include "support.h"

static const char *const agent_types[] = {"backend", "frontend", "test", NULL};
static const char *const statuses[] = {"idle",        "working",   "blocked", "offline", "pending",
                                       "in_progress", "completed", "failed",  "passed",  "error",
                                       "timeout",     "no_tests",  "success", NULL};
static const char *const words[] = {"backend-worker-001",  "task", "commit", "Create API",
                                    "caf\xC3\xA9 \"q\"\n", NULL};

static const cfc_jval *root;

static void expect_int(const char *name, int64_t v)
{
    const cfc_jval *j = cfc_jobject_get(root, name);
    CFC_FUZZ_ASSERT(j && j->type == CFC_J_NUMBER && (j->u.num.flags & CFC_JNUM_INT64) &&
                        !(j->u.num.flags & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)) &&
                        j->u.num.i == v,
                    "%s is not %lld", name, (long long)v);
}

static void expect_opt_int(const char *name, const int64_t *v)
{
    if (v)
        expect_int(name, *v);
    else
        CFC_FUZZ_ASSERT(cfc_jobject_get(root, name) == NULL, "%s sent though absent", name);
}

static void expect_str_in(const cfc_jval *obj, const char *name, const char *s)
{
    const cfc_jval *j = cfc_jobject_get(obj, name);
    if (s == NULL) {
        CFC_FUZZ_ASSERT(j == NULL, "%s sent though absent", name);
        return;
    }
    CFC_FUZZ_ASSERT(j && j->type == CFC_J_STRING && j->u.str.len == strlen(s) &&
                        memcmp(j->u.str.s, s, j->u.str.len) == 0,
                    "%s does not read back as \"%s\"", name, s);
}

static void expect_str(const char *name, const char *s)
{
    expect_str_in(root, name, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static cfc_checker *checker;
    static cfc_jparser *parser;
    if (checker == NULL)
        checker = cfc_checker_new(NULL);
    if (parser == NULL)
        parser = cfc_jparser_new();
    CFC_FUZZ_ASSERT(checker && parser, "setup failed");

    cfc_fuzz_reader in;
    cfc_fuzz_reader_init(&in, data, size);
    cfc_fuzz_capture cap;
    cfc_fuzz_capture_init(&cap);
    if (cfc_fuzz_bool(&in))
        cap.now_ms = cfc_fuzz_i64(&in);
    const int which = cfc_fuzz_u8(&in) % 11;
    const int64_t project = cfc_fuzz_i64(&in), task = cfc_fuzz_i64(&in);
    const int64_t n1 = cfc_fuzz_i64(&in), n2 = cfc_fuzz_i64(&in), n3 = cfc_fuzz_i64(&in);
    const char *agent = cfc_fuzz_string(&in, words);
    const char *status = cfc_fuzz_string(&in, statuses);
    const char *text = cfc_fuzz_string(&in, words);
    const bool has1 = cfc_fuzz_bool(&in), has2 = cfc_fuzz_bool(&in);
    const int64_t *o1 = has1 ? &n1 : NULL, *o2 = has2 ? &n2 : NULL;
    int64_t ids[8];
    size_t n_ids = cfc_fuzz_u8(&in) % 9;
    for (size_t i = 0; i < n_ids; i++)
        ids[i] = cfc_fuzz_i64(&in);
    const double duration = cfc_fuzz_double(&in);

    cfc_status s = CFC_OK;
    switch (which) {
    case 0:
        s = cfc_broadcast_agent_created(&cap.m, project, agent, cfc_fuzz_string(&in, agent_types),
                                        n1);
        break;
    case 1: s = cfc_broadcast_agent_retired(&cap.m, project, agent, n1); break;
    case 2: s = cfc_broadcast_agent_status(&cap.m, project, agent, status, o1, text, o2); break;
    case 3: s = cfc_broadcast_task_assigned(&cap.m, project, task, agent, text); break;
    case 4: s = cfc_broadcast_task_status(&cap.m, project, task, status, agent, o1); break;
    case 5: s = cfc_broadcast_task_blocked(&cap.m, project, task, ids, n_ids, text); break;
    case 6: s = cfc_broadcast_task_unblocked(&cap.m, project, task, o1, text); break;
    case 7:
        s = cfc_broadcast_test_result(&cap.m, project, task, status, n1, n2, n3, task, duration);
        break;
    case 8: s = cfc_broadcast_activity_update(&cap.m, project, text, agent, status, o1); break;
    case 9:
        s = cfc_broadcast_correction_attempt(&cap.m, project, task, n1, n2, status, text);
        break;
    default: s = cfc_broadcast_progress_update(&cap.m, project, n1, n2, o1); break;
    }

    if (s != CFC_OK) {
        CFC_FUZZ_ASSERT(s == CFC_REFUSED || s == CFC_CLOCK, "status %s", cfc_status_name(s));
        CFC_FUZZ_ASSERT(cap.sends == 0, "sent although %s", cfc_status_name(s));
        cfc_fuzz_capture_free(&cap);
        return 0;
    }
    CFC_FUZZ_ASSERT(cap.sends == 1, "%d sends", cap.sends);

    const cfc_event_result *r;
    CFC_FUZZ_ASSERT(cfc_check_event(checker, cap.last, cap.last_len, &r) == CFC_CHECK_OK, "check");
    if (r->n_findings + r->n_dropped > 0)
        cfc_fuzz_fail("the reference sent %s and the checker found %s: %s", cap.last,
                      cfc_rule_get(r->findings[0].rule)->id, r->findings[0].message);

    CFC_FUZZ_ASSERT(cfc_jparse(parser, cap.last, cap.last_len, NULL, (cfc_jval **)&root, NULL, NULL,
                               NULL) == 0 &&
                        root,
                    "cannot parse %s", cap.last);
    const cfc_event_type *t = cfc_contract_get((cfc_event_id)which);
    expect_str("type", t->name);
    expect_int("project_id", project);
    char ts[25];
    CFC_FUZZ_ASSERT(cfc_timestamp_format(cap.now_ms, ts) == 0, "timestamp");
    expect_str("timestamp", ts);
    switch (which) {
    case 0:
        expect_str("agent_id", agent);
        expect_int("tasks_completed", 0);
        expect_str("status", "idle");
        break;
    case 1:
        expect_str("agent_id", agent);
        expect_int("tasks_completed", n1);
        break;
    case 2: {
        expect_str("agent_id", agent);
        expect_str("status", status);
        expect_opt_int("progress", o2);
        const cfc_jval *ct = cfc_jobject_get(root, "current_task");
        CFC_FUZZ_ASSERT((ct != NULL) == has1, "current_task presence");
        if (ct) {
            const cfc_jval *id = cfc_jobject_get(ct, "id");
            CFC_FUZZ_ASSERT(id && id->u.num.i == n1, "current_task.id");
            expect_str_in(ct, "title", text);
        }
        break;
    }
    case 3:
        expect_int("task_id", task);
        expect_str("agent_id", agent);
        expect_str("task_title", text);
        break;
    case 4:
        expect_int("task_id", task);
        expect_str("status", status);
        expect_str("agent_id", agent);
        expect_opt_int("progress", o1);
        break;
    case 5: {
        expect_int("task_id", task);
        expect_int("blocked_count", (int64_t)n_ids);
        expect_str("task_title", text);
        const cfc_jval *arr = cfc_jobject_get(root, "blocked_by");
        CFC_FUZZ_ASSERT(arr && arr->type == CFC_J_ARRAY && arr->u.kids.count == n_ids,
                        "blocked_by");
        size_t i = 0;
        for (const cfc_jval *v = arr->u.kids.first; v; v = v->next, i++)
            CFC_FUZZ_ASSERT(v->u.num.i == ids[i], "blocked_by[%zu]", i);
        break;
    }
    case 6:
        expect_int("task_id", task);
        expect_opt_int("unblocked_by", o1);
        expect_str("task_title", text);
        break;
    case 7: {
        expect_int("task_id", task);
        expect_str("status", status);
        expect_int("passed", n1);
        expect_int("failed", n2);
        expect_int("errors", n3);
        expect_int("skipped", task);
        const cfc_jval *d = cfc_jobject_get(root, "duration");
        CFC_FUZZ_ASSERT(d && d->type == CFC_J_NUMBER && d->u.num.d == duration,
                        "duration %.17g does not read back", duration);
        break;
    }
    case 8:
        expect_str("activity_type", text);
        expect_str("agent_id", agent);
        expect_str("message", status);
        expect_opt_int("task_id", o1);
        break;
    case 9:
        expect_int("task_id", task);
        expect_int("attempt_number", n1);
        expect_int("max_attempts", n2);
        expect_str("status", status);
        expect_str("error_summary", text);
        break;
    default:
        expect_int("completed", n1);
        expect_int("total", n2);
        expect_int("percentage", o1 ? *o1 : cfc_progress_percentage(n1, n2));
        break;
    }
    cfc_fuzz_capture_free(&cap);
    return 0;
}
