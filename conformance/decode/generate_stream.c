/* SPDX-License-Identifier: MIT */
/* Coherent streams (generate_internal.h): --stream. */
#include "generate_internal.h"

/* ---- the stream ------------------------------------------------------------ */

static stream_task *stream_task_new(cfc_generator *g)
{
    if (g->n_tasks == STREAM_TASKS) /* forget the oldest: tasks finish */
        memmove(&g->tasks[0], &g->tasks[1], (STREAM_TASKS - 1) * sizeof g->tasks[0]);
    else
        g->n_tasks++;
    stream_task *t = &g->tasks[g->n_tasks - 1];
    memset(t, 0, sizeof *t);
    t->id = g->next_task++;
    t->attempt_status = -1;
    return t;
}

static stream_task *stream_task_any(cfc_generator *g)
{
    if (g->n_tasks == 0 || chance(g, 1, 6))
        return stream_task_new(g);
    return &g->tasks[below(g, g->n_tasks)];
}

static cfc_text agent_text(cfc_generator *g, size_t i)
{
    (void)g;
    cfc_text t = {g->agents[i], strlen(g->agents[i])};
    return t;
}

/* One event of a coherent multi-agent project: the valid event of a type,
 * then the fields the stream rules look at set from the simulation. */
void cfc__gen_stream_event(cfc_generator *g)
{
    g->now_ms += chance(g, 1, 8) ? 0 : (int64_t)below(g, 5000);
    cfc_event_id type;
    if (g->n_agents < 2 || (g->n_agents < STREAM_AGENTS && chance(g, 1, 12)))
        type = CFC_EV_AGENT_CREATED;
    else if (g->n_agents > 3 && chance(g, 1, 30))
        type = CFC_EV_AGENT_RETIRED;
    else {
        static const cfc_event_id others[] = {
            CFC_EV_AGENT_STATUS_CHANGED, CFC_EV_TASK_ASSIGNED,      CFC_EV_TASK_STATUS_CHANGED,
            CFC_EV_TASK_BLOCKED,         CFC_EV_TASK_UNBLOCKED,     CFC_EV_TEST_RESULT,
            CFC_EV_ACTIVITY_UPDATE,      CFC_EV_CORRECTION_ATTEMPT, CFC_EV_PROGRESS_UPDATE};
        type = PICK(g, others);
    }
    cfc__gen_make_valid(g, type, false);
    cfc_event *ev = &g->ev;
    ev->project_id = g->project;
    ev->timestamp_ms = g->now_ms;
    size_t agent = below(g, g->n_agents ? g->n_agents : 1);
    switch (type) {
    case CFC_EV_AGENT_CREATED: {
        size_t no = g->next_agent++;
        snprintf(g->agents[g->n_agents], sizeof g->agents[0],
                 chance(g, 1, 5) ? "ag\xC3\xA9nt-%03zu" : "worker-%03zu", no);
        ev->u.agent_created.agent_id = agent_text(g, g->n_agents);
        g->n_agents++;
        break;
    }
    case CFC_EV_AGENT_RETIRED: {
        /* The retired agent's ID moves into the string arena: the event
         * still needs it after the pool forgets the agent. */
        size_t len = strlen(g->agents[agent]);
        char *copy = g->strs + g->strs_used;
        memcpy(copy, g->agents[agent], len + 1);
        g->strs_used += len + 1;
        ev->u.agent_retired.agent_id = (cfc_text){copy, len};
        memmove(&g->agents[agent], &g->agents[agent + 1],
                (g->n_agents - agent - 1) * sizeof g->agents[0]);
        g->n_agents--;
        break;
    }
    case CFC_EV_AGENT_STATUS_CHANGED:
        ev->u.agent_status_changed.agent_id = agent_text(g, agent);
        break;
    case CFC_EV_TASK_ASSIGNED:
        ev->u.task_assigned.agent_id = agent_text(g, agent);
        ev->u.task_assigned.task_id = stream_task_any(g)->id;
        break;
    case CFC_EV_TASK_STATUS_CHANGED:
        ev->u.task_status_changed.agent_id = agent_text(g, agent);
        ev->u.task_status_changed.task_id = stream_task_any(g)->id;
        break;
    case CFC_EV_ACTIVITY_UPDATE: ev->u.activity_update.agent_id = agent_text(g, agent); break;
    case CFC_EV_TASK_BLOCKED: {
        stream_task *t = stream_task_new(g);
        cfc_task_blocked *a = &ev->u.task_blocked;
        a->task_id = t->id;
        size_t n = a->blocked_by.len < 8 ? a->blocked_by.len : 8;
        a->blocked_by.len = cfc__gen_gen_ids(g, t->id, n);
        a->blocked_count = (int64_t)a->blocked_by.len;
        memcpy(t->blockers, a->blocked_by.items, a->blocked_by.len * sizeof t->blockers[0]);
        t->n_blockers = a->blocked_by.len;
        t->blocked = true;
        break;
    }
    case CFC_EV_TASK_UNBLOCKED: {
        stream_task *t = NULL;
        for (size_t i = 0; i < g->n_tasks && t == NULL; i++) {
            if (g->tasks[i].blocked)
                t = &g->tasks[i];
        }
        if (t == NULL) { /* nothing is blocked: block something instead */
            t = stream_task_new(g);
            cfc__gen_make_valid(g, CFC_EV_TASK_BLOCKED, false);
            ev->project_id = g->project;
            ev->timestamp_ms = g->now_ms;
            cfc_task_blocked *a = &ev->u.task_blocked;
            a->task_id = t->id;
            a->blocked_by.len = cfc__gen_gen_ids(g, t->id, 1 + below(g, 4));
            a->blocked_count = (int64_t)a->blocked_by.len;
            memcpy(t->blockers, a->blocked_by.items, a->blocked_by.len * sizeof t->blockers[0]);
            t->n_blockers = a->blocked_by.len;
            t->blocked = true;
            break;
        }
        cfc_task_unblocked *a = &ev->u.task_unblocked;
        a->task_id = t->id;
        a->has_unblocked_by = t->n_blockers > 0 && chance(g, 3, 4);
        if (a->has_unblocked_by)
            a->unblocked_by = t->blockers[below(g, t->n_blockers)];
        t->blocked = false;
        break;
    }
    case CFC_EV_TEST_RESULT: ev->u.test_result.task_id = stream_task_any(g)->id; break;
    case CFC_EV_CORRECTION_ATTEMPT: {
        stream_task *t = stream_task_any(g);
        cfc_correction_attempt *a = &ev->u.correction_attempt;
        a->task_id = t->id;
        if (t->attempt_status < 0 || t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS ||
            (t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_FAILED &&
             t->attempt == t->max_attempts)) {
            t->max_attempts = 1 + (int64_t)below(g, 5);
            t->attempt = 1;
            a->status = CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS;
        } else if (t->attempt_status == CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS) {
            a->status = chance(g, 1, 2) ? CFC_CORRECTION_ATTEMPT_STATUS_SUCCESS
                                        : CFC_CORRECTION_ATTEMPT_STATUS_FAILED;
        } else { /* failed below max: the next attempt */
            t->attempt++;
            a->status = CFC_CORRECTION_ATTEMPT_STATUS_IN_PROGRESS;
        }
        a->attempt_number = t->attempt;
        a->max_attempts = t->max_attempts;
        t->attempt_status = (int)a->status;
        if (a->status != CFC_CORRECTION_ATTEMPT_STATUS_FAILED)
            a->has_error_summary = false;
        break;
    }
    case CFC_EV_PROGRESS_UPDATE: {
        cfc_progress_update *a = &ev->u.progress_update;
        if (g->total == 0 || chance(g, 1, 10))
            g->total += 1 + (int64_t)below(g, 5);
        if (g->done < g->total && chance(g, 1, 2))
            g->done++;
        a->completed = g->done;
        a->total = g->total;
        a->percentage = chance(g, 1, 2) ? a->completed * 100 / a->total
                                        : (a->completed * 200 + a->total) / (2 * a->total);
        break;
    }
    default: break;
    }
}
