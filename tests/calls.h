/* SPDX-License-Identifier: MIT */
/* One valid call of every broadcaster with every optional argument given,
 * and one with every optional argument absent: shared by the tests that
 * must cover "every broadcaster" (failing manager, allocation failure). */
#ifndef CFC_TEST_CALLS_H
#define CFC_TEST_CALLS_H

#include "cfc/reference.h"

typedef cfc_status (*call_fn)(const cfc_manager *m);

static inline cfc_status full_agent_created(const cfc_manager *m)
{
    return cfc_broadcast_agent_created(m, 1, "backend-worker-001", "backend", 0);
}
static inline cfc_status full_agent_retired(const cfc_manager *m)
{
    return cfc_broadcast_agent_retired(m, 1, "backend-worker-001", 5);
}
static inline cfc_status full_agent_status(const cfc_manager *m)
{
    return cfc_broadcast_agent_status(m, 1, "backend-worker-001", "working", &(int64_t){42},
                                      "Create API endpoint", &(int64_t){50});
}
static inline cfc_status full_task_assigned(const cfc_manager *m)
{
    return cfc_broadcast_task_assigned(m, 1, 42, "backend-worker-001", "Create API endpoint");
}
static inline cfc_status full_task_status(const cfc_manager *m)
{
    return cfc_broadcast_task_status(m, 1, 42, "in_progress", "backend-worker-001", &(int64_t){25});
}
static inline cfc_status full_task_blocked(const cfc_manager *m)
{
    static const int64_t by[] = {42, 43, 44};
    return cfc_broadcast_task_blocked(m, 1, 45, by, 3, "Create user dashboard component");
}
static inline cfc_status full_task_unblocked(const cfc_manager *m)
{
    return cfc_broadcast_task_unblocked(m, 1, 45, &(int64_t){42}, "Create user dashboard");
}
static inline cfc_status full_test_result(const cfc_manager *m)
{
    return cfc_broadcast_test_result(m, 1, 42, "failed", 10, 2, 1, 3, 12.5);
}
static inline cfc_status full_activity_update(const cfc_manager *m)
{
    return cfc_broadcast_activity_update(m, 1, "task", "backend-worker-001", "Started task 42",
                                         &(int64_t){42});
}
static inline cfc_status full_correction_attempt(const cfc_manager *m)
{
    return cfc_broadcast_correction_attempt(m, 1, 42, 2, 3, "failed", "TypeError: x is None");
}
static inline cfc_status full_progress_update(const cfc_manager *m)
{
    return cfc_broadcast_progress_update(m, 1, 3, 8, &(int64_t){38});
}

static inline cfc_status bare_agent_status(const cfc_manager *m)
{
    return cfc_broadcast_agent_status(m, 1, "backend-worker-001", "idle", NULL, NULL, NULL);
}
static inline cfc_status bare_task_assigned(const cfc_manager *m)
{
    return cfc_broadcast_task_assigned(m, 1, 42, "backend-worker-001", NULL);
}
static inline cfc_status bare_task_status(const cfc_manager *m)
{
    return cfc_broadcast_task_status(m, 1, 42, "pending", NULL, NULL);
}
static inline cfc_status bare_task_blocked(const cfc_manager *m)
{
    static const int64_t by[] = {42};
    return cfc_broadcast_task_blocked(m, 1, 45, by, 1, NULL);
}
static inline cfc_status bare_task_unblocked(const cfc_manager *m)
{
    return cfc_broadcast_task_unblocked(m, 1, 45, NULL, NULL);
}
static inline cfc_status bare_activity_update(const cfc_manager *m)
{
    return cfc_broadcast_activity_update(m, 1, "commit", NULL, "Committed abc123", NULL);
}
static inline cfc_status bare_correction_attempt(const cfc_manager *m)
{
    return cfc_broadcast_correction_attempt(m, 1, 42, 1, 3, "in_progress", NULL);
}
static inline cfc_status bare_progress_update(const cfc_manager *m)
{
    return cfc_broadcast_progress_update(m, 1, 1, 3, NULL);
}

typedef struct named_call {
    const char *type;
    call_fn call;
} named_call;

/* Every broadcaster, all optionals given, then all absent. */
static const named_call all_calls[] = {
    {"agent_created", full_agent_created},       {"agent_retired", full_agent_retired},
    {"agent_status_changed", full_agent_status}, {"task_assigned", full_task_assigned},
    {"task_status_changed", full_task_status},   {"task_blocked", full_task_blocked},
    {"task_unblocked", full_task_unblocked},     {"test_result", full_test_result},
    {"activity_update", full_activity_update},   {"correction_attempt", full_correction_attempt},
    {"progress_update", full_progress_update},   {"agent_status_changed", bare_agent_status},
    {"task_assigned", bare_task_assigned},       {"task_status_changed", bare_task_status},
    {"task_blocked", bare_task_blocked},         {"task_unblocked", bare_task_unblocked},
    {"activity_update", bare_activity_update},   {"correction_attempt", bare_correction_attempt},
    {"progress_update", bare_progress_update},
};
#define N_ALL_CALLS (sizeof all_calls / sizeof all_calls[0])

#endif
