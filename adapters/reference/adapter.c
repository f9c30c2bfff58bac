/* SPDX-License-Identifier: MIT */
/*
 * cfc-adapter-reference: the reference broadcasters (cfc/reference.h) behind
 * the adapter protocol (docs/adapter-protocol.md), so `cfconform certify`
 * can certify them like any third-party implementation:
 *
 *     cfconform certify --adapter build/adapters/cfc-adapter-reference
 *
 * It is also the example of an adapter in C: read a line, parse it, call the
 * broadcaster with a capturing connection manager, answer one line. It uses
 * the library only through its public header, cJSON for the protocol, and
 * the checker's strict parser (json.h) to read the arguments exactly.
 *
 * Arguments arrive with the contract's Python parameter names. What Python
 * gets from its defaults (tasks_completed = 0, passed = 0, duration = 0.0,
 * ...) is applied here; an Optional argument that is absent or null is a
 * NULL pointer. A fault makes the manager's broadcast callback return -1,
 * which is how a C connection manager fails. The status code becomes the
 * outcome: CFC_REFUSED is "refused", every other status "returned" (a C
 * function cannot raise), with the status name in "status". Arguments are
 * read exactly (see "arguments" below).
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfc/reference.h"
#include "json.h"

#ifndef CFC_VERSION
#define CFC_VERSION "0"
#endif

/* ---- the capturing manager -------------------------------------------------- */

typedef struct capture {
    cJSON *sent; /* array of strings: the exact texts */
    cJSON *logs; /* array of {"level","message"} */
    bool fail;
} capture;

static int capture_broadcast(void *ctx, int64_t project_id, const char *json, size_t len)
{
    (void)project_id;
    capture *c = ctx;
    /* The reference never sends a NUL or invalid UTF-8 (it refuses such
     * strings), so a JSON string carries the text exactly. */
    cJSON *s = strlen(json) == len ? cJSON_CreateString(json) : NULL;
    if (s == NULL || !cJSON_AddItemToArray(c->sent, s)) {
        cJSON_Delete(s);
        return -1;
    }
    return c->fail ? -1 : 0;
}

static void capture_log(void *ctx, cfc_log_level level, const char *message)
{
    capture *c = ctx;
    const char *name = level >= CFC_LOG_ERROR     ? "ERROR"
                       : level >= CFC_LOG_WARNING ? "WARNING"
                       : level >= CFC_LOG_INFO    ? "INFO"
                                                  : "DEBUG";
    cJSON *line = cJSON_CreateObject();
    if (line == NULL || !cJSON_AddStringToObject(line, "level", name) ||
        !cJSON_AddStringToObject(line, "message", message) || !cJSON_AddItemToArray(c->logs, line))
        cJSON_Delete(line);
}

/* ---- arguments ------------------------------------------------------------------- */

/* The arguments are read with the checker's own parser (json.h), not
 * cJSON: cJSON keeps numbers as doubles, so 2^53+1 would arrive as 2^53 and
 * `1e3` as the integer 1000. Here an integer argument is a JSON number
 * written as plain digits that fits int64_t, read exactly.
 *
 * An argument of a JSON type C cannot pass to the parameter (a string for
 * an int64_t, 1.5 or 1e3 for an int64_t, a list for a const char *) would
 * not compile in C: the adapter answers "refused" with status "TYPE" and
 * says which argument (docs/adapter-protocol.md, "Bad arguments"). A null
 * for a required pointer argument is passed as NULL: the library must
 * refuse it. A non-finite number ({"nonfinite":"NaN"}) is passed as such. */
typedef struct args {
    const cfc_jval *obj;
    char type_error[200]; /* the first argument C cannot take */
} args;

static const cfc_jval *arg(const args *a, const char *name)
{
    const cfc_jval *v = cfc_jobject_get(a->obj, name);
    return v == NULL || v->type == CFC_J_NULL ? NULL : v;
}

static void type_error(args *a, const char *name, const char *want, const cfc_jval *v)
{
    if (a->type_error[0])
        return;
    const char *got = cfc_jtype_name(v->type);
    if (v->type == CFC_J_NUMBER)
        got = v->u.num.flags & (CFC_JNUM_FRACTION | CFC_JNUM_EXPONENT)
                  ? "a number with a fraction or an exponent"
                  : "an integer outside int64_t";
    snprintf(a->type_error, sizeof a->type_error,
             "argument %s: C cannot pass %s as %s (the call would not compile)", name, got, want);
}

static bool to_int(args *a, const char *name, const cfc_jval *v, int64_t *out)
{
    if (v->type != CFC_J_NUMBER || !(v->u.num.flags & CFC_JNUM_INT64)) {
        type_error(a, name, "int64_t", v);
        return false;
    }
    *out = v->u.num.i;
    return true;
}

/* An int parameter with a Python default: absent gives the default. A null
 * for it has no C spelling (int64_t has no None): a type refusal. */
static int64_t int_arg(args *a, const char *name, int64_t dflt)
{
    const cfc_jval *v = cfc_jobject_get(a->obj, name);
    int64_t x = dflt;
    if (v && v->type == CFC_J_NULL) {
        type_error(a, name, "int64_t", v);
        return x;
    }
    if (v)
        to_int(a, name, v, &x);
    return x;
}

/* An Optional[int]: NULL when absent or null, else a pointer to *slot. */
static const int64_t *opt_int_arg(args *a, const char *name, int64_t *slot)
{
    const cfc_jval *v = arg(a, name);
    if (v == NULL || !to_int(a, name, v, slot))
        return NULL;
    return slot;
}

/* A float: a JSON number, or the protocol's {"nonfinite":"NaN"|"Infinity"|
 * "-Infinity"}. */
static double num_arg(args *a, const char *name, double dflt)
{
    const cfc_jval *v = cfc_jobject_get(a->obj, name);
    if (v == NULL)
        return dflt;
    if (v->type == CFC_J_NUMBER)
        return v->u.num.d;
    const cfc_jval *nf =
        v->type == CFC_J_OBJECT && v->u.kids.count == 1 ? cfc_jobject_get(v, "nonfinite") : NULL;
    if (nf && nf->type == CFC_J_STRING) {
        if (strcmp(nf->u.str.s, "NaN") == 0)
            return NAN;
        if (strcmp(nf->u.str.s, "Infinity") == 0)
            return INFINITY;
        if (strcmp(nf->u.str.s, "-Infinity") == 0)
            return -INFINITY;
    }
    type_error(a, name, "double", v);
    return dflt;
}

/* A str (NULL when absent or null: the reference then refuses or omits).
 * A string holding a NUL cannot be a C string: a type refusal. */
static const char *str_arg(args *a, const char *name)
{
    const cfc_jval *v = arg(a, name);
    if (v == NULL)
        return NULL;
    if (v->type != CFC_J_STRING || strlen(v->u.str.s) != v->u.str.len) {
        type_error(a, name, "a NUL-terminated const char *", v);
        return NULL;
    }
    return v->u.str.s;
}

/* A List[int] as a malloc'd array (NULL, 0 when absent or null). */
static int64_t *ids_arg(args *a, const char *name, size_t *n, bool *nomem)
{
    const cfc_jval *v = arg(a, name);
    *n = 0;
    if (v == NULL)
        return NULL;
    if (v->type != CFC_J_ARRAY) {
        type_error(a, name, "const int64_t *", v);
        return NULL;
    }
    int64_t *ids = malloc((v->u.kids.count ? v->u.kids.count : 1) * sizeof *ids);
    if (ids == NULL) {
        *nomem = true;
        return NULL;
    }
    for (const cfc_jval *item = v->u.kids.first; item; item = item->next) {
        if (!to_int(a, name, item, &ids[*n]))
            break;
        (*n)++;
    }
    return ids;
}

/* ---- calls ------------------------------------------------------------------------- */

/* Calls the broadcaster; false when it does not exist. */
static bool dispatch(const char *fn, args *a, const cfc_manager *m, cfc_status *st)
{
    int64_t s1, s2, s3;
    int64_t project = int_arg(a, "project_id", 0);
    if (strcmp(fn, "broadcast_agent_created") == 0) {
        const char *agent_id = str_arg(a, "agent_id"), *agent_type = str_arg(a, "agent_type");
        int64_t done = int_arg(a, "tasks_completed", 0);
        if (!a->type_error[0])
            *st = cfc_broadcast_agent_created(m, project, agent_id, agent_type, done);
    } else if (strcmp(fn, "broadcast_agent_retired") == 0) {
        const char *agent_id = str_arg(a, "agent_id");
        int64_t done = int_arg(a, "tasks_completed", 0);
        if (!a->type_error[0])
            *st = cfc_broadcast_agent_retired(m, project, agent_id, done);
    } else if (strcmp(fn, "broadcast_agent_status") == 0) {
        const char *agent_id = str_arg(a, "agent_id"), *status = str_arg(a, "status");
        const int64_t *task = opt_int_arg(a, "current_task_id", &s1);
        const char *title = str_arg(a, "current_task_title");
        const int64_t *progress = opt_int_arg(a, "progress", &s2);
        if (!a->type_error[0])
            *st = cfc_broadcast_agent_status(m, project, agent_id, status, task, title, progress);
    } else if (strcmp(fn, "broadcast_task_assigned") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        const char *agent_id = str_arg(a, "agent_id"), *title = str_arg(a, "task_title");
        if (!a->type_error[0])
            *st = cfc_broadcast_task_assigned(m, project, task, agent_id, title);
    } else if (strcmp(fn, "broadcast_task_status") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        const char *status = str_arg(a, "status"), *agent_id = str_arg(a, "agent_id");
        const int64_t *progress = opt_int_arg(a, "progress", &s1);
        if (!a->type_error[0])
            *st = cfc_broadcast_task_status(m, project, task, status, agent_id, progress);
    } else if (strcmp(fn, "broadcast_task_blocked") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        size_t n;
        bool nomem = false;
        int64_t *ids = ids_arg(a, "blocked_by", &n, &nomem);
        const char *title = str_arg(a, "task_title");
        if (nomem)
            *st = CFC_NOMEM;
        else if (!a->type_error[0])
            *st = cfc_broadcast_task_blocked(m, project, task, ids, n, title);
        free(ids);
    } else if (strcmp(fn, "broadcast_task_unblocked") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        const int64_t *by = opt_int_arg(a, "unblocked_by", &s1);
        const char *title = str_arg(a, "task_title");
        if (!a->type_error[0])
            *st = cfc_broadcast_task_unblocked(m, project, task, by, title);
    } else if (strcmp(fn, "broadcast_test_result") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        const char *status = str_arg(a, "status");
        s1 = int_arg(a, "passed", 0);
        s2 = int_arg(a, "failed", 0);
        s3 = int_arg(a, "errors", 0);
        int64_t skipped = int_arg(a, "skipped", 0);
        double duration = num_arg(a, "duration", 0.0);
        if (!a->type_error[0])
            *st =
                cfc_broadcast_test_result(m, project, task, status, s1, s2, s3, skipped, duration);
    } else if (strcmp(fn, "broadcast_activity_update") == 0) {
        const char *type = str_arg(a, "activity_type"), *agent_id = str_arg(a, "agent_id");
        const char *text = str_arg(a, "message_text");
        const int64_t *task = opt_int_arg(a, "task_id", &s1);
        if (!a->type_error[0])
            *st = cfc_broadcast_activity_update(m, project, type, agent_id, text, task);
    } else if (strcmp(fn, "broadcast_correction_attempt") == 0) {
        int64_t task = int_arg(a, "task_id", 0);
        s1 = int_arg(a, "attempt_number", 0);
        s2 = int_arg(a, "max_attempts", 0);
        const char *status = str_arg(a, "status"), *summary = str_arg(a, "error_summary");
        if (!a->type_error[0])
            *st = cfc_broadcast_correction_attempt(m, project, task, s1, s2, status, summary);
    } else if (strcmp(fn, "broadcast_progress_update") == 0) {
        s1 = int_arg(a, "completed", 0);
        s2 = int_arg(a, "total", 0);
        const int64_t *pct = opt_int_arg(a, "percentage", &s3);
        if (!a->type_error[0])
            *st = cfc_broadcast_progress_update(m, project, s1, s2, pct);
    } else {
        return false;
    }
    return true;
}

/* ---- the protocol ------------------------------------------------------------------ */

static int answer(cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (text == NULL)
        return -1;
    int rc = puts(text) == EOF || fflush(stdout) != 0 ? -1 : 0;
    cJSON_free(text);
    return rc;
}

/* {"op":"error","seq":N,"message":...} */
static int answer_error(double seq, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || !cJSON_AddStringToObject(o, "op", "error") ||
        !cJSON_AddNumberToObject(o, "seq", seq) ||
        !cJSON_AddStringToObject(o, "message", message)) {
        cJSON_Delete(o);
        return -1;
    }
    return answer(o);
}

static int hello(void)
{
    size_t n;
    const cfc_event_type *all = cfc_contract_types(&n);
    cJSON *o = cJSON_CreateObject();
    cJSON *impl = cJSON_AddObjectToObject(o, "implementation");
    cJSON *list = cJSON_AddArrayToObject(o, "broadcasters");
    if (!cJSON_AddStringToObject(o, "op", "hello") || !cJSON_AddNumberToObject(o, "protocol", 1) ||
        impl == NULL || list == NULL || !cJSON_AddStringToObject(impl, "name", "cfc-reference") ||
        !cJSON_AddStringToObject(impl, "language", "C") ||
        !cJSON_AddStringToObject(impl, "version", CFC_VERSION)) {
        cJSON_Delete(o);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(all[i].function);
        if (s == NULL || !cJSON_AddItemToArray(list, s)) {
            cJSON_Delete(s);
            cJSON_Delete(o);
            return -1;
        }
    }
    return answer(o);
}

/* `line` is the request again, for the exact parser (see "arguments"). */
static int call(const cJSON *req, cfc_jparser *p, const char *line, size_t len)
{
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(req, "seq");
    const cJSON *fn = cJSON_GetObjectItemCaseSensitive(req, "broadcaster");
    const cJSON *fault = cJSON_GetObjectItemCaseSensitive(req, "fault");
    if (!cJSON_IsNumber(seq))
        return answer_error(0, "call without a seq");
    cfc_jval *root = NULL;
    if (cfc_jparse(p, line, len, NULL, &root, NULL, NULL, NULL) != 0)
        return answer_error(seq->valuedouble, "out of memory");
    const cfc_jval *obj = root ? cfc_jobject_get(root, "args") : NULL;
    if (!cJSON_IsString(fn) || obj == NULL || obj->type != CFC_J_OBJECT)
        return answer_error(seq->valuedouble, "call needs a broadcaster and args");

    capture cap = {
        .sent = cJSON_CreateArray(), .logs = cJSON_CreateArray(), .fail = cJSON_IsString(fault)};
    cfc_manager m = {
        .broadcast = capture_broadcast, .broadcast_ctx = &cap, .log = capture_log, .log_ctx = &cap};
    args a = {.obj = obj};
    cfc_status st = CFC_OK;
    bool known = cap.sent && cap.logs && dispatch(fn->valuestring, &a, &m, &st);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL || cap.sent == NULL || cap.logs == NULL) {
        cJSON_Delete(cap.sent);
        cJSON_Delete(cap.logs);
        cJSON_Delete(o);
        return answer_error(seq->valuedouble, "out of memory");
    }
    bool typed = known && a.type_error[0];
    const char *outcome = !known                       ? "unimplemented"
                          : typed || st == CFC_REFUSED ? "refused"
                                                       : "returned";
    bool ok = cJSON_AddStringToObject(o, "op", "result") &&
              cJSON_AddNumberToObject(o, "seq", seq->valuedouble) &&
              cJSON_AddStringToObject(o, "outcome", outcome);
    if (ok && known)
        ok = cJSON_AddStringToObject(o, "status", typed ? "TYPE" : cfc_status_name(st)) != NULL;
    if (ok && typed)
        ok = cJSON_AddStringToObject(o, "error", a.type_error) != NULL;
    if (ok && cJSON_AddItemToObject(o, "sent", cap.sent))
        cap.sent = NULL;
    else
        ok = false;
    if (ok && cJSON_AddItemToObject(o, "logs", cap.logs))
        cap.logs = NULL;
    else
        ok = false;
    cJSON_Delete(cap.sent);
    cJSON_Delete(cap.logs);
    if (!ok) {
        cJSON_Delete(o);
        return answer_error(seq->valuedouble, "out of memory");
    }
    return answer(o);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    cfc_jparser *p = cfc_jparser_new();
    if (p == NULL)
        return 1;
    while ((n = getline(&line, &cap, stdin)) > 0) {
        const char *end = NULL;
        cJSON *req = cJSON_ParseWithLengthOpts(line, (size_t)n, &end, 0);
        int rc = 0;
        const cJSON *op = req ? cJSON_GetObjectItemCaseSensitive(req, "op") : NULL;
        if (!cJSON_IsString(op))
            rc = answer_error(0, "not a protocol request");
        else if (strcmp(op->valuestring, "start") == 0)
            rc = hello();
        else if (strcmp(op->valuestring, "call") == 0)
            rc = call(req, p, line, (size_t)n);
        else if (strcmp(op->valuestring, "stop") == 0) {
            cJSON_Delete(req);
            break;
        } else
            rc = answer_error(0, "unknown op");
        cJSON_Delete(req);
        if (rc != 0)
            break;
    }
    free(line);
    cfc_jparser_free(p);
    return 0;
}
