/* SPDX-License-Identifier: MIT */
/*
 * example_decoder.c -- a dashboard's decoder for CodeFRAME events, written
 * the way many are: cJSON, a switch on "type", checks on the fields it
 * uses. It is careful about most things (types, enums, string lengths,
 * percentages) and has one PLANTED, realistic bug, for the fuzzing example
 * and its test to find:
 *
 *   task_blocked sizes its array from blocked_count and then copies every
 *   item of blocked_by -- trusting the producer that blocked_count is
 *   len(blocked_by). An event where it is not (the contract's rule
 *   blocked-count) writes past the end of the array: a heap overflow that
 *   AddressSanitizer reports.
 */
#include "example_decoder.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static const cJSON *field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}

static int get_int(const cJSON *obj, const char *name, long long lo, long long hi, long long *out)
{
    const cJSON *v = field(obj, name);
    if (!cJSON_IsNumber(v) || v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return -1;
    *out = (long long)v->valuedouble;
    return 0;
}

static int get_string(const cJSON *obj, const char *name, char *out, size_t cap)
{
    const cJSON *v = field(obj, name);
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= cap)
        return -1;
    strcpy(out, v->valuestring);
    return 0;
}

static int one_of(const char *s, const char *const *values)
{
    for (; *values; values++) {
        if (strcmp(s, *values) == 0)
            return 0;
    }
    return -1;
}

static int task_blocked(const cJSON *root, dash_event *ev)
{
    long long count;
    const cJSON *by = field(root, "blocked_by");
    if (get_int(root, "task_id", 1, 1e15, &ev->task_id) != 0 ||
        get_int(root, "blocked_count", 0, 1000, &count) != 0 || !cJSON_IsArray(by))
        return -1;
    ev->blocked_by = malloc((size_t)count * sizeof *ev->blocked_by + 1);
    if (ev->blocked_by == NULL)
        return -1;
    /* THE PLANTED BUG: the array was sized from blocked_count, but every
     * item of blocked_by is copied. */
    int i = 0;
    for (const cJSON *item = by->child; item; item = item->next) {
        if (!cJSON_IsNumber(item) || item->valuedouble < 1 || item->valuedouble > 1e15)
            return -1;
        ev->blocked_by[i++] = (long long)item->valuedouble;
    }
    ev->n_blocked = i;
    return 0;
}

static int task_status(const cJSON *root, dash_event *ev)
{
    static const char *const statuses[] = {"pending", "in_progress", "completed",
                                           "failed",  "blocked",     NULL};
    long long progress = -1;
    if (get_int(root, "task_id", 1, 1e15, &ev->task_id) != 0 ||
        get_string(root, "status", ev->status, sizeof ev->status) != 0 ||
        one_of(ev->status, statuses) != 0)
        return -1;
    if (field(root, "progress") && get_int(root, "progress", 0, 100, &progress) != 0)
        return -1;
    ev->progress = (int)progress;
    return 0;
}

static int agent_status(const cJSON *root, dash_event *ev)
{
    static const char *const statuses[] = {"idle", "working", "blocked", "offline", NULL};
    if (get_string(root, "agent_id", ev->agent_id, sizeof ev->agent_id) != 0 ||
        get_string(root, "status", ev->status, sizeof ev->status) != 0 ||
        one_of(ev->status, statuses) != 0)
        return -1;
    const cJSON *task = field(root, "current_task");
    if (task && (!cJSON_IsObject(task) || get_int(task, "id", 1, 1e15, &ev->current_task_id) != 0))
        return -1;
    return 0;
}

static int progress(const cJSON *root, dash_event *ev)
{
    long long pct;
    if (get_int(root, "completed", 0, 1e15, &ev->completed) != 0 ||
        get_int(root, "total", 0, 1e15, &ev->total) != 0 ||
        get_int(root, "percentage", 0, 100, &pct) != 0 || ev->completed > ev->total)
        return -1;
    ev->progress = (int)pct;
    return 0;
}

int dash_decode(const char *json, dash_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->progress = -1;
    cJSON *root = cJSON_Parse(json);
    char type[32];
    int rc = -1;
    if (cJSON_IsObject(root) && get_string(root, "type", type, sizeof type) == 0 &&
        get_int(root, "project_id", 1, 1e15, &ev->project_id) == 0 &&
        get_string(root, "timestamp", ev->timestamp, sizeof ev->timestamp) == 0) {
        if (strcmp(type, "task_blocked") == 0) {
            ev->kind = DASH_TASK_BLOCKED;
            rc = task_blocked(root, ev);
        } else if (strcmp(type, "task_status_changed") == 0) {
            ev->kind = DASH_TASK_STATUS;
            rc = task_status(root, ev);
        } else if (strcmp(type, "agent_status_changed") == 0) {
            ev->kind = DASH_AGENT_STATUS;
            rc = agent_status(root, ev);
        } else if (strcmp(type, "progress_update") == 0) {
            ev->kind = DASH_PROGRESS;
            rc = progress(root, ev);
        } else {
            ev->kind = DASH_OTHER;
            rc = 0;
        }
    }
    cJSON_Delete(root);
    if (rc != 0)
        dash_event_clear(ev);
    return rc;
}

void dash_event_clear(dash_event *ev)
{
    free(ev->blocked_by);
    ev->blocked_by = NULL;
    ev->n_blocked = 0;
}
