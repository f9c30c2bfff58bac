/* SPDX-License-Identifier: MIT */
/*
 * A realistic project for the demo producer: six agents (two of each type)
 * work through twelve tasks whose dependencies block and unblock them. One
 * task fails its tests and recovers through the self-correction loop; one
 * exhausts its attempts, fails, and is handed to another agent. Every event
 * type and every enum value of the contract appears.
 *
 * The scenario is data (the task table) driven by plain code; every event
 * comes from a call to a reference broadcaster, and the stream it produces
 * also satisfies the stream rules (S1-S7) read from the producer's start.
 */
#include "scenario.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define N_TASKS 12
#define MAX_DEPS 3

typedef enum outcome {
    PASS,        /* tests pass first time */
    NO_TESTS,    /* nothing to test (design work) */
    FIX_ONCE,    /* tests fail, the first correction attempt fixes it */
    ERROR_FIX,   /* tests error out, two attempts to fix */
    TIMEOUT_FIX, /* tests time out, one attempt fixes */
    GIVE_UP      /* every attempt fails: task failed, reassigned, then passes */
} outcome;

typedef struct task {
    int64_t id;
    const char *title;
    const char *kind; /* the agent_type that takes it */
    int64_t deps[MAX_DEPS];
    size_t n_deps;
    outcome outcome;
} task;

static const task tasks[N_TASKS] = {
    {1, "Set up database schema", "backend", {0}, 0, PASS},
    {2, "Create user model", "backend", {1}, 1, PASS},
    {3, "Create API endpoint for user registration", "backend", {2}, 1, FIX_ONCE},
    {4, "Create login endpoint", "backend", {2}, 1, ERROR_FIX},
    {5, "Design component library", "frontend", {0}, 0, NO_TESTS},
    {6, "Create user dashboard component", "frontend", {3, 5}, 2, PASS},
    {7, "Create registration form", "frontend", {3, 5}, 2, GIVE_UP},
    {8, "Write API integration tests", "test", {3, 4}, 2, TIMEOUT_FIX},
    {9, "Write dashboard UI tests", "test", {6}, 1, PASS},
    {10,
     "Add password reset flow (with \"magic\" links \xe2\x80\x94 \xc3\xa9t\xc3\xa9)",
     "backend",
     {4},
     1,
     PASS},
    {11, "Add settings page", "frontend", {6, 10}, 2, PASS},
    {12, "End-to-end test suite", "test", {7, 8, 9}, 3, PASS},
};

#define N_AGENTS 6
static const struct {
    const char *id;
    const char *type;
} agents[N_AGENTS] = {
    {"backend-worker-001", "backend"},   {"backend-worker-002", "backend"},
    {"frontend-worker-001", "frontend"}, {"frontend-worker-002", "frontend"},
    {"test-worker-001", "test"},         {"test-worker-002", "test"},
};

#define MAX_ATTEMPTS 3

typedef struct state {
    const cfc_manager *m;
    int64_t project;
    bool done[N_TASKS];
    int64_t agent_tasks[N_AGENTS];
    int64_t completed;
    cfc_status status; /* first failure */
} state;

/* Every broadcaster call goes through OK: the first failure is kept, and
 * once there is one no further broadcaster is called (the scenario stops
 * there: a producer whose connection went away, or a stop signal, does not
 * go on logging a refusal per remaining event). */
static bool ok(state *st, cfc_status s)
{
    if (s != CFC_OK && st->status == CFC_OK)
        st->status = s;
    return st->status == CFC_OK;
}
#define OK(st, call) ((void)((st)->status == CFC_OK && ok((st), (call))))

static bool ready(const state *st, const task *t)
{
    for (size_t i = 0; i < t->n_deps; i++) {
        if (!st->done[t->deps[i] - 1])
            return false;
    }
    return true;
}

static void activity(state *st, const char *kind, const char *agent, const int64_t *task_id,
                     const char *fmt, const char *arg)
{
    char text[200];
    snprintf(text, sizeof text, fmt, arg);
    OK(st, cfc_broadcast_activity_update(st->m, st->project, kind, agent, text, task_id));
}

/* One test run: counts derived from the task so the output is stable. */
static void test_run(state *st, const task *t, const char *status)
{
    int64_t passed = 4 + t->id * 3 % 9, failed = 0, errors = 0, skipped = t->id % 3;
    double duration = 1.25 + (double)t->id * 0.5;
    if (strcmp(status, "failed") == 0)
        failed = 1 + t->id % 2;
    else if (strcmp(status, "error") == 0)
        errors = 1;
    else if (strcmp(status, "timeout") == 0)
        duration = 300.0;
    else if (strcmp(status, "no_tests") == 0)
        passed = skipped = 0, duration = 0.0;
    OK(st, cfc_broadcast_test_result(st->m, st->project, t->id, status, passed, failed, errors,
                                     skipped, duration));
    if (strcmp(status, "passed") != 0 && strcmp(status, "no_tests") != 0)
        activity(st, "test", NULL, &t->id, "Tests %s; starting self-correction", status);
}

/* The self-correction loop: each attempt is announced (in_progress) and then
 * reported (success or failed), with the same attempt number (S5). Returns
 * whether an attempt succeeded. */
static bool correct(state *st, const task *t, int failing_attempts)
{
    for (int64_t n = 1; n <= MAX_ATTEMPTS; n++) {
        OK(st, cfc_broadcast_correction_attempt(st->m, st->project, t->id, n, MAX_ATTEMPTS,
                                                "in_progress", NULL));
        if (n <= failing_attempts) {
            OK(st,
               cfc_broadcast_correction_attempt(st->m, st->project, t->id, n, MAX_ATTEMPTS,
                                                "failed", "AssertionError: expected 201, got 500"));
        } else {
            OK(st, cfc_broadcast_correction_attempt(st->m, st->project, t->id, n, MAX_ATTEMPTS,
                                                    "success", NULL));
            return true;
        }
    }
    return false;
}

/* One agent works one task. Returns whether the task completed. */
static bool work(state *st, size_t agent, const task *t, bool retry)
{
    const char *aid = agents[agent].id;
    const int64_t p0 = 0, p50 = 50, p100 = 100;
    OK(st, cfc_broadcast_task_assigned(st->m, st->project, t->id, aid, t->title));
    OK(st, cfc_broadcast_agent_status(st->m, st->project, aid, "working", &t->id, t->title, &p0));
    OK(st, cfc_broadcast_task_status(st->m, st->project, t->id, "in_progress", aid, &p0));
    OK(st, cfc_broadcast_task_status(st->m, st->project, t->id, "in_progress", aid, &p50));
    OK(st, cfc_broadcast_agent_status(st->m, st->project, aid, "working", &t->id, t->title, &p50));

    outcome o = retry ? PASS : t->outcome;
    bool fixed = true;
    switch (o) {
    case PASS: test_run(st, t, "passed"); break;
    case NO_TESTS: test_run(st, t, "no_tests"); break;
    case FIX_ONCE:
        test_run(st, t, "failed");
        fixed = correct(st, t, 0);
        break;
    case ERROR_FIX:
        test_run(st, t, "error");
        fixed = correct(st, t, 1);
        break;
    case TIMEOUT_FIX:
        test_run(st, t, "timeout");
        fixed = correct(st, t, 0);
        break;
    case GIVE_UP:
        test_run(st, t, "failed");
        fixed = correct(st, t, MAX_ATTEMPTS);
        break;
    }
    if (fixed && o != PASS && o != NO_TESTS)
        test_run(st, t, "passed");

    if (!fixed) {
        OK(st, cfc_broadcast_task_status(st->m, st->project, t->id, "failed", aid, NULL));
        OK(st, cfc_broadcast_agent_status(st->m, st->project, aid, "blocked", NULL, NULL, NULL));
        activity(st, "task", aid, &t->id, "Giving up on \"%s\" after 3 attempts; reassigning",
                 t->title);
        OK(st, cfc_broadcast_agent_status(st->m, st->project, aid, "idle", NULL, NULL, NULL));
        return false;
    }
    OK(st, cfc_broadcast_task_status(st->m, st->project, t->id, "completed", aid, &p100));
    OK(st, cfc_broadcast_agent_status(st->m, st->project, aid, "idle", NULL, NULL, &p100));
    activity(st, "commit", aid, &t->id, "Committed: %s", t->title);
    st->agent_tasks[agent]++;
    return true;
}

static size_t agent_for(const task *t, int nth)
{
    for (size_t a = 0; a < N_AGENTS; a++) {
        if (strcmp(agents[a].type, t->kind) == 0 && nth-- == 0)
            return a;
    }
    return 0;
}

static void complete(state *st, const task *t)
{
    st->done[t->id - 1] = true;
    st->completed++;
    /* Dependents whose last blocker this was can proceed now. */
    for (size_t i = 0; i < N_TASKS; i++) {
        const task *d = &tasks[i];
        bool depends = false;
        for (size_t k = 0; k < d->n_deps; k++)
            depends |= d->deps[k] == t->id;
        if (depends && !st->done[i] && ready(st, d)) {
            OK(st, cfc_broadcast_task_unblocked(st->m, st->project, d->id, &t->id, d->title));
            OK(st, cfc_broadcast_task_status(st->m, st->project, d->id, "pending", NULL, NULL));
        }
    }
    OK(st, cfc_broadcast_progress_update(st->m, st->project, st->completed, N_TASKS, NULL));
}

cfc_status cfc_demo_play(const cfc_manager *manager, int64_t project_id)
{
    state st = {.m = manager, .project = project_id, .status = CFC_OK};

    activity(&st, "agent", NULL, NULL, "Project %s started", "demo");
    for (size_t a = 0; a < N_AGENTS; a++) {
        OK(&st, cfc_broadcast_agent_created(manager, project_id, agents[a].id, agents[a].type, 0));
        activity(&st, "agent", agents[a].id, NULL, "Agent %s joined the pool", agents[a].id);
    }
    OK(&st, cfc_broadcast_progress_update(manager, project_id, 0, N_TASKS, NULL));

    for (size_t i = 0; i < N_TASKS; i++) {
        const task *t = &tasks[i];
        if (t->n_deps > 0) {
            OK(&st, cfc_broadcast_task_blocked(manager, project_id, t->id, t->deps, t->n_deps,
                                               t->title));
            OK(&st, cfc_broadcast_task_status(manager, project_id, t->id, "blocked", NULL, NULL));
        } else {
            const int64_t p0 = 0;
            OK(&st, cfc_broadcast_task_status(manager, project_id, t->id, "pending", NULL, &p0));
        }
        activity(&st, "task", NULL, &t->id, "Task added: %s", t->title);
    }

    /* Rounds: every ready task goes to the first agent of its type; a task
     * that fails goes to the second agent in the next round. */
    int attempts[N_TASKS] = {0};
    while (st.completed < N_TASKS && st.status == CFC_OK) {
        bool progressed = false;
        for (size_t i = 0; i < N_TASKS && st.status == CFC_OK; i++) {
            const task *t = &tasks[i];
            if (st.done[i] || !ready(&st, t))
                continue;
            size_t agent = agent_for(t, attempts[i] % 2);
            if (work(&st, agent, t, attempts[i] > 0))
                complete(&st, t);
            attempts[i]++;
            progressed = true;
        }
        if (!progressed)
            break; /* a dependency cycle in the table: stop rather than spin */
    }

    const int64_t all = 100;
    OK(&st, cfc_broadcast_progress_update(manager, project_id, st.completed, N_TASKS, &all));
    for (size_t a = 0; a < N_AGENTS; a++) {
        OK(&st, cfc_broadcast_agent_status(manager, project_id, agents[a].id, "offline", NULL, NULL,
                                           NULL));
        OK(&st, cfc_broadcast_agent_retired(manager, project_id, agents[a].id, st.agent_tasks[a]));
    }
    activity(&st, "agent", NULL, NULL, "Project %s finished", "demo");
    return st.status;
}
