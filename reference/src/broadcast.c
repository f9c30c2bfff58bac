/* SPDX-License-Identifier: MIT */
/*
 * The reference encoder and the 11 broadcasters.
 *
 * A broadcaster only says which argument goes to which wire field; the event
 * table (contract.c) decides field order, kinds, ranges, enums and fixed
 * values, and one generic encoder checks and builds every event from it.
 * What the table cannot say (rules across fields) each broadcaster checks
 * itself, before anything is built.
 *
 * This is the only code that builds cJSON trees. Integers never go through
 * cJSON's number printer, which is lossy above 10^15 (R7): they are printed
 * here as plain digits and added as raw JSON.
 */
#include "cfc/reference.h"
#include "cfc/contract_rules.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define MAX_FIELDS 16
#define REASON_CAP 256

/* One argument, in the slot of its field in the table. */
typedef struct arg {
    bool present;
    int64_t i;
    double d;
    const char *s;
    const int64_t *ids;
    size_t n_ids;
    const struct arg *members; /* CFC_KIND_OBJECT: one per member field */
} arg;

/* An event being assembled: the first refusal reason wins. */
typedef struct event {
    const cfc_manager *manager;
    const cfc_event_type *type;
    arg args[MAX_FIELDS];
    bool refused;
    bool nomem; /* a check itself ran out of memory */
    char reason[REASON_CAP];
} event;

static void log_line(const cfc_manager *m, cfc_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void log_line(const cfc_manager *m, cfc_log_level level, const char *fmt, ...)
{
    /* A stack buffer: logging must work when allocation does not. */
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (m != NULL && m->log != NULL)
        m->log(m->log_ctx, level, line);
    else
        cfc_log_stderr(NULL, level, line);
}

static void refuse(event *ev, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void refuse(event *ev, const char *fmt, ...)
{
    if (ev->refused)
        return;
    ev->refused = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ev->reason, sizeof ev->reason, fmt, ap);
    va_end(ap);
}

/* A caller's string, shortened and made printable for a log line: the
 * string may be huge or not UTF-8 at all. */
static const char *shown(char *buf, size_t cap, const char *s)
{
    if (s == NULL)
        return "NULL";
    size_t o = 0;
    buf[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 6 < cap; p++) {
        if (*p >= 0x20 && *p < 0x7F && *p != '"' && *p != '\\')
            buf[o++] = (char)*p;
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", *p);
        if (o > 40 && p[1]) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static size_t slot(const event *ev, const char *name)
{
    for (size_t i = 0; i < ev->type->n_fields; i++) {
        if (strcmp(ev->type->fields[i].name, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

static arg *field_arg(event *ev, const char *name)
{
    size_t i = slot(ev, name);
    /* Only reachable through a typo in this file; refuse rather than crash. */
    if (i == SIZE_MAX) {
        refuse(ev, "internal error: no field %s in %s", name, ev->type->name);
        return NULL;
    }
    return &ev->args[i];
}

static void ev_begin(event *ev, const cfc_manager *m, cfc_event_id id, int64_t project_id)
{
    memset(ev, 0, sizeof *ev);
    ev->manager = m;
    ev->type = cfc_contract_get(id);
    arg *a = field_arg(ev, "project_id");
    a->present = true;
    a->i = project_id;
}

static void ev_int(event *ev, const char *name, int64_t v)
{
    arg *a = field_arg(ev, name);
    if (a) {
        a->present = true;
        a->i = v;
    }
}

static void ev_opt_int(event *ev, const char *name, const int64_t *v)
{
    if (v)
        ev_int(ev, name, *v);
}

/* NULL means absent: a refusal later if the field is required. */
static void ev_str(event *ev, const char *name, const char *s)
{
    arg *a = field_arg(ev, name);
    if (a && s) {
        a->present = true;
        a->s = s;
    }
}

static void ev_num(event *ev, const char *name, double d)
{
    arg *a = field_arg(ev, name);
    if (a) {
        a->present = true;
        a->d = d;
    }
}

static void ev_ids(event *ev, const char *name, const int64_t *ids, size_t n)
{
    arg *a = field_arg(ev, name);
    if (a) {
        a->present = true;
        a->ids = ids;
        a->n_ids = n;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Index of a duplicated ID (its second occurrence's value is reported), or
 * -1; -2 when the check could not allocate. Sorting a copy keeps hostile
 * lengths from being quadratic. */
static int find_duplicate(const int64_t *ids, size_t n, int64_t *dup)
{
    if (n <= 32) {
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                if (ids[i] == ids[j]) {
                    *dup = ids[i];
                    return 1;
                }
            }
        }
        return 0;
    }
    int64_t *copy = cJSON_malloc(n * sizeof *copy);
    if (copy == NULL)
        return -2;
    memcpy(copy, ids, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, cmp_i64);
    int found = 0;
    for (size_t i = 1; i < n && !found; i++) {
        if (cfc_e_sorted_id_repeats(copy, i)) {
            *dup = copy[i];
            found = 1;
        }
    }
    cJSON_free(copy);
    return found;
}

static void check_int(event *ev, const char *what, cfc_kind kind, int64_t v)
{
    int64_t lo = 0, hi = 0;
    if (cfc_kind_int_bounds(kind, &lo, &hi) && !cfc_kind_int_ok(kind, v))
        refuse(ev, "%s is %" PRId64 "; %s %s must be in %" PRId64 "..%" PRId64, what, v,
               strchr("aeiou", cfc_kind_name(kind)[0]) ? "an" : "a", cfc_kind_name(kind), lo, hi);
}

static void check_string(event *ev, const char *what, const char *s, bool non_empty)
{
    size_t len = strlen(s);
    size_t bad = cfc__utf8_invalid_at((const unsigned char *)s, len);
    if (bad != len)
        refuse(ev, "%s is not valid UTF-8 (byte 0x%02X at offset %zu)", what, (unsigned char)s[bad],
               bad);
    else if (non_empty && len == 0)
        refuse(ev, "%s is empty; the contract requires a non-empty string", what);
}

/* Field-level checks, all from the table. */
static void check_fields(event *ev, const cfc_field *fields, size_t n, const arg *args)
{
    char q[64];
    for (size_t i = 0; i < n && !ev->refused; i++) {
        const cfc_field *f = &fields[i];
        const arg *a = &args[i];
        const char *what = f->param ? f->param : f->name;
        if (f->kind == CFC_KIND_TYPE || f->kind == CFC_KIND_TIMESTAMP || f->count_of)
            continue; /* filled in by the encoder */
        if (!a->present) {
            if (f->required)
                refuse(ev, "%s is required (got NULL)", what);
            continue;
        }
        switch (f->kind) {
        case CFC_KIND_ID:
        case CFC_KIND_COUNT:
        case CFC_KIND_ORDINAL:
        case CFC_KIND_PERCENT:
            check_int(ev, what, f->kind, a->i);
            if (!cfc_e_fixed_int_ok(f, a->i))
                refuse(ev, "%s is %" PRId64 "; the contract fixes it at %" PRId64, what, a->i,
                       f->fixed_int);
            break;
        case CFC_KIND_NUMBER:
            if (!cfc_e_duration_ok(a->d))
                refuse(ev, "%s is %g; it must be a finite number >= 0", what, a->d);
            break;
        case CFC_KIND_STRING:
        case CFC_KIND_IDENT: check_string(ev, what, a->s, f->kind == CFC_KIND_IDENT); break;
        case CFC_KIND_ENUM:
            if (!cfc_field_allows(f, a->s, strlen(a->s))) {
                char allowed[160] = "";
                for (const char *const *v = f->values; *v; v++) {
                    strncat(allowed, *v, sizeof allowed - strlen(allowed) - 1);
                    if (v[1])
                        strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
                }
                refuse(ev, "%s %s is not one of: %s", what, shown(q, sizeof q, a->s), allowed);
            } else if (!cfc_e_fixed_string_ok(f, a->s, strlen(a->s))) {
                refuse(ev, "%s is \"%s\"; the contract fixes it at \"%s\"", what, a->s,
                       f->fixed_string);
            }
            break;
        case CFC_KIND_ID_ARRAY: {
            if (!cfc_e_blockers_present(a->n_ids) || a->ids == NULL) {
                refuse(ev, "%s is empty; the contract requires at least one ID", what);
                break;
            }
            for (size_t k = 0; k < a->n_ids && !ev->refused; k++) {
                if (a->ids[k] < 1 || a->ids[k] > CFC_MAX_SAFE_INTEGER)
                    refuse(ev, "%s[%zu] is %" PRId64 "; an id must be in 1..%" PRId64, what, k,
                           a->ids[k], CFC_MAX_SAFE_INTEGER);
            }
            int64_t dup = 0;
            int r = ev->refused ? 0 : find_duplicate(a->ids, a->n_ids, &dup);
            if (r == -2)
                ev->nomem = true;
            else if (r == 1)
                refuse(ev, "%s lists task %" PRId64 " twice", what, dup);
            break;
        }
        case CFC_KIND_OBJECT: check_fields(ev, f->members, f->n_members, a->members); break;
        case CFC_KIND_TYPE:
        case CFC_KIND_TIMESTAMP: break;
        }
    }
}

/* Python repr of a float: the shortest digits that read back as the same
 * double; positional between 1e-4 and 1e16, else an exponent; ".0" on
 * integral values (0.0, 300.0). */
static void format_double(char *buf, size_t cap, double d)
{
    if (d == 0)
        d = 0; /* -0.0 -> 0.0 */
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(buf, cap, "%.*e", prec - 1, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    snprintf(buf, cap, "%.*e", prec - 1, d);
    const char *e = strchr(buf, 'e');
    int exp10 = e ? atoi(e + 1) : 0;
    if (exp10 >= -4 && exp10 < 16) {
        int decimals = prec - 1 - exp10;
        snprintf(buf, cap, "%.*f", decimals > 0 ? decimals : 0, d);
    }
    /* A producer may have called setlocale(); JSON wants '.'. */
    for (char *p = buf; *p; p++) {
        if (*p == ',')
            *p = '.';
    }
    if (strpbrk(buf, ".e") == NULL)
        strncat(buf, ".0", cap - strlen(buf) - 1);
}

static cJSON *raw_int(int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, v);
    return cJSON_CreateRaw(buf);
}

/* Adds `item` to `obj` under the static name, or frees it: cJSON leaves a
 * failed item with the caller. */
static bool add(cJSON *obj, const char *name, cJSON *item)
{
    if (item == NULL)
        return false;
    if (!cJSON_AddItemToObjectCS(obj, name, item)) {
        cJSON_Delete(item);
        return false;
    }
    return true;
}

static cJSON *build(const event *ev, const cfc_field *fields, size_t n, const arg *args,
                    const char *timestamp);

static cJSON *build_value(const event *ev, const cfc_field *f, const arg *a, const arg *args,
                          const cfc_field *fields, size_t n, const char *timestamp)
{
    switch (f->kind) {
    case CFC_KIND_TYPE: return cJSON_CreateString(ev->type->name);
    case CFC_KIND_TIMESTAMP: return cJSON_CreateString(timestamp);
    case CFC_KIND_ID:
    case CFC_KIND_COUNT:
    case CFC_KIND_ORDINAL:
    case CFC_KIND_PERCENT:
        if (f->count_of) {
            for (size_t k = 0; k < n; k++) {
                if (strcmp(fields[k].name, f->count_of) == 0)
                    return raw_int((int64_t)args[k].n_ids);
            }
            return NULL;
        }
        return raw_int(a->i);
    case CFC_KIND_NUMBER: {
        char buf[40];
        format_double(buf, sizeof buf, a->d);
        return cJSON_CreateRaw(buf);
    }
    case CFC_KIND_STRING:
    case CFC_KIND_IDENT:
    case CFC_KIND_ENUM: return cJSON_CreateString(a->s);
    case CFC_KIND_ID_ARRAY: {
        cJSON *arr = cJSON_CreateArray();
        for (size_t k = 0; arr && k < a->n_ids; k++) {
            cJSON *item = raw_int(a->ids[k]);
            if (item == NULL || !cJSON_AddItemToArray(arr, item)) {
                cJSON_Delete(item);
                cJSON_Delete(arr);
                return NULL;
            }
        }
        return arr;
    }
    case CFC_KIND_OBJECT: return build(ev, f->members, f->n_members, a->members, timestamp);
    }
    return NULL;
}

static cJSON *build(const event *ev, const cfc_field *fields, size_t n, const arg *args,
                    const char *timestamp)
{
    cJSON *obj = cJSON_CreateObject();
    if (obj == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const cfc_field *f = &fields[i];
        bool derived = f->kind == CFC_KIND_TYPE || f->kind == CFC_KIND_TIMESTAMP || f->count_of;
        if (!derived && !args[i].present)
            continue; /* absent, never null (G6) */
        if (!add(obj, f->name, build_value(ev, f, &args[i], args, fields, n, timestamp))) {
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

static cfc_status ev_send(event *ev)
{
    const cfc_manager *m = ev->manager;
    const char *name = ev->type->name;
    if (m == NULL || m->broadcast == NULL) {
        log_line(m, CFC_LOG_ERROR, "Failed to broadcast %s: no connection manager", name);
        return CFC_INVALID;
    }
    if (!ev->refused)
        check_fields(ev, ev->type->fields, ev->type->n_fields, ev->args);
    if (ev->nomem) {
        log_line(m, CFC_LOG_ERROR, "Failed to broadcast %s: out of memory", name);
        return CFC_NOMEM;
    }
    if (ev->refused) {
        log_line(m, CFC_LOG_ERROR, "Refused to broadcast %s: %s", name, ev->reason);
        return CFC_REFUSED;
    }

    int64_t now = 0;
    char timestamp[25];
    cfc_clock_fn clock = m->clock ? m->clock : cfc_clock_realtime;
    if (clock(m->clock_ctx, &now) != 0 || cfc_timestamp_format(now, timestamp) != 0) {
        log_line(m, CFC_LOG_ERROR, "Failed to broadcast %s: the clock failed or is out of range",
                 name);
        return CFC_CLOCK;
    }

    cJSON *root = build(ev, ev->type->fields, ev->type->n_fields, ev->args, timestamp);
    char *text = root ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (text == NULL) {
        log_line(m, CFC_LOG_ERROR, "Failed to broadcast %s: out of memory", name);
        return CFC_NOMEM;
    }
    size_t len = strlen(text);
    int rc = m->broadcast(m->broadcast_ctx, ev->args[1].i, text, len);
    cJSON_free(text);
    if (rc != 0) {
        log_line(m, CFC_LOG_ERROR, "Failed to broadcast %s: the manager returned %d", name, rc);
        return CFC_BROADCAST;
    }
    log_line(m, CFC_LOG_DEBUG, "Broadcast %s to project %" PRId64 " (%zu bytes)", name,
             ev->args[1].i, len);
    return CFC_OK;
}

/* A string argument as the (bytes, len) the E-rule predicates take; NULL
 * (absent) equals no value. */
#define SV(str) (str), ((str) ? strlen(str) : 0)

int64_t cfc_progress_percentage(int64_t completed, int64_t total)
{
    if (total <= 0 || completed <= 0)
        return 0;
    if (completed <= total && total <= CFC_MAX_SAFE_INTEGER) {
        int64_t floor_pct, round_pct;
        cfc_e_percentage_readings(completed, total, &floor_pct, &round_pct);
        return floor_pct;
    }
    /* Inputs the broadcaster refuses (completed > total, or beyond 2^53-1)
     * stay defined anyway. */
    if (completed > INT64_MAX / 100)
        return completed >= total ? 100 : 99;
    return completed * 100 / total;
}

/* ---- The broadcasters --------------------------------------------------- */

cfc_status cfc_broadcast_agent_created(const cfc_manager *manager, int64_t project_id,
                                       const char *agent_id, const char *agent_type,
                                       int64_t tasks_completed)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_AGENT_CREATED, project_id);
    ev_str(&ev, "agent_id", agent_id);
    ev_str(&ev, "agent_type", agent_type);
    ev_str(&ev, "status", "idle");
    ev_int(&ev, "tasks_completed", tasks_completed);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_agent_retired(const cfc_manager *manager, int64_t project_id,
                                       const char *agent_id, int64_t tasks_completed)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_AGENT_RETIRED, project_id);
    ev_str(&ev, "agent_id", agent_id);
    ev_int(&ev, "tasks_completed", tasks_completed);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_agent_status(const cfc_manager *manager, int64_t project_id,
                                      const char *agent_id, const char *status,
                                      const int64_t *current_task_id,
                                      const char *current_task_title, const int64_t *progress)
{
    event ev;
    arg task[2] = {
        {.present = current_task_id != NULL, .i = current_task_id ? *current_task_id : 0},
        {.present = current_task_title != NULL, .s = current_task_title}};
    ev_begin(&ev, manager, CFC_EV_AGENT_STATUS_CHANGED, project_id);
    ev_str(&ev, "agent_id", agent_id);
    ev_str(&ev, "status", status);
    if (current_task_id || current_task_title) {
        arg *a = field_arg(&ev, "current_task");
        if (a) {
            a->present = true;
            a->members = task;
        }
        if (current_task_id == NULL)
            refuse(&ev, "current_task_title is given without current_task_id");
        else if (status != NULL && !cfc_e_current_task_allowed(SV(status)))
            refuse(&ev,
                   "current_task is only sent while status is \"working\" (status is \"%.32s\")",
                   status);
    }
    ev_opt_int(&ev, "progress", progress);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_task_assigned(const cfc_manager *manager, int64_t project_id,
                                       int64_t task_id, const char *agent_id,
                                       const char *task_title)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_TASK_ASSIGNED, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_str(&ev, "agent_id", agent_id);
    ev_str(&ev, "task_title", task_title);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_task_status(const cfc_manager *manager, int64_t project_id,
                                     int64_t task_id, const char *status, const char *agent_id,
                                     const int64_t *progress)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_TASK_STATUS_CHANGED, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_str(&ev, "status", status);
    ev_str(&ev, "agent_id", agent_id);
    ev_opt_int(&ev, "progress", progress);
    int64_t want;
    if (progress && !cfc_e_progress_fits_status(SV(status), *progress, &want))
        refuse(&ev, "progress is %" PRId64 " but status is \"%s\" (expected %" PRId64 " or absent)",
               *progress, status, want);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_task_blocked(const cfc_manager *manager, int64_t project_id,
                                      int64_t task_id, const int64_t *blocked_by,
                                      size_t blocked_by_len, const char *task_title)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_TASK_BLOCKED, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_ids(&ev, "blocked_by", blocked_by, blocked_by_len);
    ev_str(&ev, "task_title", task_title);
    for (size_t i = 0; blocked_by && i < blocked_by_len; i++) {
        if (cfc_e_blocker_is_self(task_id, blocked_by[i]))
            refuse(&ev, "blocked_by[%zu] is the task itself (%" PRId64 ")", i, task_id);
    }
    return ev_send(&ev);
}

cfc_status cfc_broadcast_task_unblocked(const cfc_manager *manager, int64_t project_id,
                                        int64_t task_id, const int64_t *unblocked_by,
                                        const char *task_title)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_TASK_UNBLOCKED, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_opt_int(&ev, "unblocked_by", unblocked_by);
    ev_str(&ev, "task_title", task_title);
    if (unblocked_by && cfc_e_blocker_is_self(task_id, *unblocked_by))
        refuse(&ev, "unblocked_by is the task itself (%" PRId64 ")", task_id);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_test_result(const cfc_manager *manager, int64_t project_id,
                                     int64_t task_id, const char *status, int64_t passed,
                                     int64_t failed, int64_t errors, int64_t skipped,
                                     double duration)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_TEST_RESULT, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_str(&ev, "status", status);
    ev_int(&ev, "passed", passed);
    ev_int(&ev, "failed", failed);
    ev_int(&ev, "errors", errors);
    ev_int(&ev, "skipped", skipped);
    ev_num(&ev, "duration", duration);
    /* Sums of counts already known to be in 0..2^53-1 cannot overflow. */
    bool counts_ok = passed >= 0 && failed >= 0 && errors >= 0 && passed <= CFC_MAX_SAFE_INTEGER &&
                     failed <= CFC_MAX_SAFE_INTEGER && errors <= CFC_MAX_SAFE_INTEGER;
    if (counts_ok && cfc_e_test_passed_with_failures(SV(status), failed, errors))
        refuse(&ev, "status is \"passed\" but failed + errors is %" PRId64, failed + errors);
    if (counts_ok && cfc_e_test_failed_without_failures(SV(status), failed, errors))
        refuse(&ev, "status is \"failed\" but failed + errors is 0");
    if (counts_ok && cfc_e_test_no_tests_with_counts(SV(status), passed, failed, errors))
        refuse(&ev, "status is \"no_tests\" but passed + failed + errors is %" PRId64,
               passed + failed + errors);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_activity_update(const cfc_manager *manager, int64_t project_id,
                                         const char *activity_type, const char *agent_id,
                                         const char *message_text, const int64_t *task_id)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_ACTIVITY_UPDATE, project_id);
    ev_str(&ev, "activity_type", activity_type);
    ev_str(&ev, "agent_id", agent_id);
    ev_str(&ev, "message", message_text);
    ev_opt_int(&ev, "task_id", task_id);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_correction_attempt(const cfc_manager *manager, int64_t project_id,
                                            int64_t task_id, int64_t attempt_number,
                                            int64_t max_attempts, const char *status,
                                            const char *error_summary)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_CORRECTION_ATTEMPT, project_id);
    ev_int(&ev, "task_id", task_id);
    ev_int(&ev, "attempt_number", attempt_number);
    ev_int(&ev, "max_attempts", max_attempts);
    ev_str(&ev, "status", status);
    ev_str(&ev, "error_summary", error_summary);
    if (!cfc_e_attempt_within(attempt_number, max_attempts))
        refuse(&ev, "attempt_number %" PRId64 " is greater than max_attempts %" PRId64,
               attempt_number, max_attempts);
    if (error_summary && status && !cfc_e_summary_allowed(SV(status)))
        refuse(&ev,
               "error_summary is given but status is \"%.32s\" (only failed attempts have one)",
               status);
    return ev_send(&ev);
}

cfc_status cfc_broadcast_progress_update(const cfc_manager *manager, int64_t project_id,
                                         int64_t completed, int64_t total,
                                         const int64_t *percentage)
{
    event ev;
    ev_begin(&ev, manager, CFC_EV_PROGRESS_UPDATE, project_id);
    ev_int(&ev, "completed", completed);
    ev_int(&ev, "total", total);
    bool in_range = completed >= 0 && total >= 0 && total <= CFC_MAX_SAFE_INTEGER;
    if (in_range && !cfc_e_completed_within_total(completed, total))
        refuse(&ev, "completed (%" PRId64 ") is greater than total (%" PRId64 ")", completed,
               total);
    int64_t floor_pct = cfc_progress_percentage(completed, total);
    if (percentage == NULL) {
        ev_int(&ev, "percentage", floor_pct);
    } else {
        ev_int(&ev, "percentage", *percentage);
        /* Floor or round half up (the same readings the checker accepts);
         * completed > total was refused above. */
        int64_t lo = 0, round_pct = 0;
        if (in_range && completed <= total)
            cfc_e_percentage_readings(completed, total, &lo, &round_pct);
        if (in_range && completed <= total && !cfc_e_percentage_ok(completed, total, *percentage))
            refuse(&ev,
                   "percentage is %" PRId64 " but %" PRId64 "/%" PRId64 " gives %" PRId64
                   " (floor) or %" PRId64 " (rounded)",
                   *percentage, completed, total, lo, round_pct);
    }
    return ev_send(&ev);
}
