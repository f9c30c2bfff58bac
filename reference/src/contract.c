/* SPDX-License-Identifier: MIT */
/*
 * The contract table. Field order inside each event is the contract's schema
 * order (R5); the three base fields open and close every event (G4).
 * Constraints that involve more than one field (current_task only while
 * working, attempt_number <= max_attempts, ...) are rules, not shapes: they
 * live in the checker's rule catalogue and the broadcasters' refusals.
 */
#include "cfc/contract.h"

#include <string.h>

static const char *const agent_types[] = {"backend", "frontend", "test", NULL};
static const char *const agent_statuses[] = {"idle", "working", "blocked", "offline", NULL};
static const char *const task_statuses[] = {"pending", "in_progress", "completed",
                                            "failed",  "blocked",     NULL};
static const char *const test_statuses[] = {"passed",  "failed",   "error",
                                            "timeout", "no_tests", NULL};
static const char *const activity_types[] = {"task", "agent", "test", "commit", NULL};
static const char *const correction_statuses[] = {"in_progress", "success", "failed", NULL};

#define REQ(n, k, d)                                                                               \
    {                                                                                              \
        .name = (n), .kind = (k), .required = true, .doc = (d)                                     \
    }
#define OPT(n, k, d)                                                                               \
    {                                                                                              \
        .name = (n), .kind = (k), .required = false, .doc = (d)                                    \
    }
#define ENUM_REQ(n, v, d)                                                                          \
    {                                                                                              \
        .name = (n), .kind = CFC_KIND_ENUM, .required = true, .values = (v), .doc = (d)            \
    }

#define F_TYPE REQ("type", CFC_KIND_TYPE, "Event type identifier")
#define F_PROJECT REQ("project_id", CFC_KIND_ID, "Project ID for routing")
#define F_TIMESTAMP REQ("timestamp", CFC_KIND_TIMESTAMP, "ISO 8601 UTC timestamp")
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const cfc_field base_fields[] = {F_TYPE, F_PROJECT, F_TIMESTAMP};

static const cfc_field f_agent_created[] = {
    F_TYPE,
    F_PROJECT,
    REQ("agent_id", CFC_KIND_IDENT, "e.g., \"backend-worker-001\""),
    ENUM_REQ("agent_type", agent_types, "\"backend\" | \"frontend\" | \"test\""),
    {.name = "status",
     .kind = CFC_KIND_ENUM,
     .required = true,
     .values = agent_statuses,
     .fixed_string = "idle",
     .doc = "Always \"idle\" on creation"},
    {.name = "tasks_completed",
     .kind = CFC_KIND_COUNT,
     .required = true,
     .has_fixed_int = true,
     .fixed_int = 0,
     .doc = "Always 0 on creation"},
    F_TIMESTAMP,
};

static const cfc_field f_agent_retired[] = {
    F_TYPE,
    F_PROJECT,
    REQ("agent_id", CFC_KIND_IDENT, NULL),
    REQ("tasks_completed", CFC_KIND_COUNT, "Total tasks completed by this agent"),
    F_TIMESTAMP,
};

static const cfc_field f_current_task[] = {
    {.name = "id", .kind = CFC_KIND_ID, .required = true, .param = "current_task_id"},
    {.name = "title", .kind = CFC_KIND_STRING, .required = true, .param = "current_task_title"},
};

static const cfc_field f_agent_status_changed[] = {
    F_TYPE,
    F_PROJECT,
    REQ("agent_id", CFC_KIND_IDENT, NULL),
    ENUM_REQ("status", agent_statuses, "\"idle\" | \"working\" | \"blocked\" | \"offline\""),
    {.name = "current_task",
     .kind = CFC_KIND_OBJECT,
     .required = false,
     .members = f_current_task,
     .n_members = N(f_current_task),
     .doc = "Optional: present if status = \"working\""},
    OPT("progress", CFC_KIND_PERCENT, "Optional: 0-100 progress percentage"),
    F_TIMESTAMP,
};

static const cfc_field f_task_assigned[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    REQ("agent_id", CFC_KIND_IDENT, NULL),
    OPT("task_title", CFC_KIND_STRING, "Optional: for display"),
    F_TIMESTAMP,
};

static const cfc_field f_task_status_changed[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    ENUM_REQ("status", task_statuses,
             "\"pending\" | \"in_progress\" | \"completed\" | \"failed\" | \"blocked\""),
    OPT("agent_id", CFC_KIND_IDENT, "Optional: agent executing the task"),
    OPT("progress", CFC_KIND_PERCENT, "Optional: 0-100 progress percentage"),
    F_TIMESTAMP,
};

static const cfc_field f_task_blocked[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    REQ("blocked_by", CFC_KIND_ID_ARRAY, "List of task IDs blocking this task"),
    {.name = "blocked_count",
     .kind = CFC_KIND_COUNT,
     .required = true,
     .count_of = "blocked_by",
     .doc = "Number of blockers (len(blocked_by))"},
    OPT("task_title", CFC_KIND_STRING, "Optional: for display"),
    F_TIMESTAMP,
};

static const cfc_field f_task_unblocked[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    OPT("unblocked_by", CFC_KIND_ID, "Optional: ID of task whose completion unblocked this one"),
    OPT("task_title", CFC_KIND_STRING, "Optional: for display"),
    F_TIMESTAMP,
};

static const cfc_field f_test_result[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    ENUM_REQ("status", test_statuses,
             "\"passed\" | \"failed\" | \"error\" | \"timeout\" | \"no_tests\""),
    REQ("passed", CFC_KIND_COUNT, NULL),
    REQ("failed", CFC_KIND_COUNT, NULL),
    REQ("errors", CFC_KIND_COUNT, NULL),
    OPT("skipped", CFC_KIND_COUNT, "Optional"),
    REQ("duration", CFC_KIND_NUMBER, "Seconds"),
    F_TIMESTAMP,
};

static const cfc_field f_activity_update[] = {
    F_TYPE,
    F_PROJECT,
    {.name = "activity_type",
     .kind = CFC_KIND_IDENT,
     .required = true,
     .values = activity_types,
     .doc = "\"task\" | \"agent\" | \"test\" | \"commit\" | etc."},
    {.name = "message",
     .kind = CFC_KIND_IDENT,
     .required = true,
     .param = "message_text",
     .doc = "Human-readable message"},
    OPT("task_id", CFC_KIND_ID, "Optional"),
    OPT("agent_id", CFC_KIND_IDENT, "Optional"),
    F_TIMESTAMP,
};

static const cfc_field f_correction_attempt[] = {
    F_TYPE,
    F_PROJECT,
    REQ("task_id", CFC_KIND_ID, NULL),
    REQ("attempt_number", CFC_KIND_ORDINAL, "1-3"),
    REQ("max_attempts", CFC_KIND_ORDINAL, "Usually 3"),
    ENUM_REQ("status", correction_statuses, "\"in_progress\" | \"success\" | \"failed\""),
    OPT("error_summary", CFC_KIND_STRING, "Optional: for failed attempts"),
    F_TIMESTAMP,
};

static const cfc_field f_progress_update[] = {
    F_TYPE,
    F_PROJECT,
    REQ("completed", CFC_KIND_COUNT, "Number of completed tasks"),
    REQ("total", CFC_KIND_COUNT, "Total number of tasks"),
    REQ("percentage", CFC_KIND_PERCENT, "0-100"),
    F_TIMESTAMP,
};

#define EV(id_, name_, section_, purpose_, fields_)                                                \
    {                                                                                              \
        .id = (id_), .name = (name_),                                                              \
        .function = (id_) == CFC_EV_AGENT_STATUS_CHANGED  ? "broadcast_agent_status"               \
                    : (id_) == CFC_EV_TASK_STATUS_CHANGED ? "broadcast_task_status"                \
                                                          : "broadcast_" name_,                    \
        .section = (section_), .purpose = (purpose_), .fields = (fields_), .n_fields = N(fields_)  \
    }

/* The Python function is broadcast_<type>, except for the two status events. */
static const cfc_event_type types[CFC_EV_COUNT] = {
    EV(CFC_EV_AGENT_CREATED, "agent_created", "Agent Lifecycle Events",
       "A new agent is instantiated and added to the pool.", f_agent_created),
    EV(CFC_EV_AGENT_RETIRED, "agent_retired", "Agent Lifecycle Events",
       "An agent is removed from the pool (retirement/cleanup).", f_agent_retired),
    EV(CFC_EV_AGENT_STATUS_CHANGED, "agent_status_changed", "Agent Lifecycle Events",
       "Agent status transitions (idle <-> working <-> blocked).", f_agent_status_changed),
    EV(CFC_EV_TASK_ASSIGNED, "task_assigned", "Task Assignment Events",
       "A task is assigned to an agent.", f_task_assigned),
    EV(CFC_EV_TASK_STATUS_CHANGED, "task_status_changed", "Task Assignment Events",
       "Task status transitions (pending -> in_progress -> completed/failed).",
       f_task_status_changed),
    EV(CFC_EV_TASK_BLOCKED, "task_blocked", "Dependency Management Events",
       "A task is blocked by dependencies and cannot proceed.", f_task_blocked),
    EV(CFC_EV_TASK_UNBLOCKED, "task_unblocked", "Dependency Management Events",
       "A task's dependencies are resolved and it can now proceed.", f_task_unblocked),
    EV(CFC_EV_TEST_RESULT, "test_result", "Additional Context Events",
       "Test execution results (used by all worker agents).", f_test_result),
    EV(CFC_EV_ACTIVITY_UPDATE, "activity_update", "Additional Context Events",
       "Human-readable activity feed entries.", f_activity_update),
    EV(CFC_EV_CORRECTION_ATTEMPT, "correction_attempt", "Additional Context Events",
       "Self-correction loop attempts (cf-43).", f_correction_attempt),
    EV(CFC_EV_PROGRESS_UPDATE, "progress_update", "Additional Context Events",
       "Overall project progress.", f_progress_update),
};

const cfc_event_type *cfc_contract_types(size_t *count)
{
    if (count)
        *count = CFC_EV_COUNT;
    return types;
}

const cfc_event_type *cfc_contract_get(cfc_event_id id)
{
    if ((unsigned)id >= CFC_EV_COUNT)
        return NULL;
    return &cfc_contract_types(NULL)[id];
}

const cfc_event_type *cfc_contract_find(const char *name, size_t len)
{
    const cfc_event_type *all = cfc_contract_types(NULL);
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < CFC_EV_COUNT; i++) {
        if (strlen(all[i].name) == len && memcmp(all[i].name, name, len) == 0)
            return &all[i];
    }
    return NULL;
}

const cfc_field *cfc_contract_field(const cfc_event_type *type, const char *name, size_t len)
{
    if (type == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < type->n_fields; i++) {
        const cfc_field *f = &type->fields[i];
        if (strlen(f->name) == len && memcmp(f->name, name, len) == 0)
            return f;
    }
    return NULL;
}

bool cfc_field_allows(const cfc_field *field, const char *value, size_t len)
{
    if (field == NULL || field->values == NULL || value == NULL)
        return false;
    for (const char *const *v = field->values; *v; v++) {
        if (strlen(*v) == len && memcmp(*v, value, len) == 0)
            return true;
    }
    return false;
}

const char *cfc_kind_name(cfc_kind kind)
{
    switch (kind) {
    case CFC_KIND_TYPE: return "type";
    case CFC_KIND_ID: return "id";
    case CFC_KIND_COUNT: return "count";
    case CFC_KIND_ORDINAL: return "ordinal";
    case CFC_KIND_PERCENT: return "percent";
    case CFC_KIND_NUMBER: return "number";
    case CFC_KIND_STRING: return "string";
    case CFC_KIND_IDENT: return "identifier";
    case CFC_KIND_ENUM: return "enum";
    case CFC_KIND_ID_ARRAY: return "id-array";
    case CFC_KIND_OBJECT: return "object";
    case CFC_KIND_TIMESTAMP: return "timestamp";
    }
    return "unknown";
}

const cfc_field *cfc_contract_base_fields(size_t *count)
{
    if (count)
        *count = N(base_fields);
    return base_fields;
}
