/* SPDX-License-Identifier: MIT */
/*
 * Stream rules (docs/contract-rules.md section S, and T4): what one event
 * cannot show, but a sequence of events from one producer can.
 *
 *     cfc_checker *c = cfc_checker_new(NULL);
 *     cfc_stream_options o = {.from_start = true, .subscribed_project_id = 1};
 *     cfc_stream *s = cfc_stream_new(c, &o);
 *     for each event, in the order it was sent:
 *         const cfc_event_result *r;
 *         if (cfc_stream_check_event(s, bytes, len, &r) != CFC_CHECK_OK) ... out of memory ...
 *         ... r->findings: the event's own findings and the stream's, in document order ...
 *     cfc_stream_free(s);
 *     cfc_checker_free(c);
 *
 * A stream wraps a checker: each event gets every single-event check, then
 * the stream rules, and one cfc_event_result holds both kinds of finding
 * (configured severities, --strict and the per-event cap apply to both). A
 * stream finding points at the field concerned (/agent_id, /task_id,
 * /unblocked_by, /completed, /attempt_number, /timestamp, /project_id).
 *
 * The rules (IDs from rules.def):
 *   agent-before-created      S1  agent_status_changed, task_assigned or
 *                                 agent_retired names an agent before its
 *                                 agent_created. Only with from_start. Once
 *                                 per agent.
 *   agent-after-retired       S2  an event names an agent after its
 *                                 agent_retired: agent_id of
 *                                 agent_status_changed, task_assigned,
 *                                 task_status_changed, activity_update, or a
 *                                 second agent_retired. An agent_created for
 *                                 a retired ID starts a new agent of that ID.
 *   unblocked-not-blocked     S3  task_unblocked for a task with no earlier
 *                                 task_blocked. Only with from_start.
 *   unblocked-by-not-blocker  S3  unblocked_by is not in that task's last
 *                                 blocked_by.
 *   progress-backwards        S4  progress_update.completed decreases while
 *                                 total is unchanged.
 *   attempt-sequence          S5  correction_attempt.attempt_number, per task:
 *                                 repeats only from in_progress to its
 *                                 outcome, else grows by exactly 1, or
 *                                 restarts at 1 after a success or after
 *                                 failed at max_attempts. A task's first
 *                                 attempt seen may have any number.
 *   ts-backwards              S6  a timestamp earlier than the previous
 *                                 event's (equal is fine).
 *   project-mismatch          S7  project_id differs from the project the
 *                                 connection subscribed to.
 *
 * What a rule looks at: only values that passed the single-event checks
 * (present, valid for their kind, and no finding inside them, cross-field
 * ones included: an attempt_number above max_attempts, a completed above
 * total or an unblocked_by equal to task_id is not used). So a broken event
 * gets its own findings, not stream findings piled on top, and does not
 * change what the stream remembers (except that a task_blocked whose task_id
 * is usable still marks the task blocked, even if its blocked_by is broken:
 * it is then compared with nothing).
 *
 * Agents and tasks are remembered per project (on a connection carrying
 * several projects, agent "a" of project 1 and agent "a" of project 2 are
 * different agents); timestamps are compared across the whole stream.
 *
 * Memory is bounded, whatever the stream: at most max_agents agents (their
 * IDs taking at most 64 bytes each on average) and max_tasks task records (a
 * project's progress takes one record too), and at most 8 * max_tasks stored
 * blocked_by items in all. The policy when a limit is reached is to stop
 * tracking, never to evict: what is remembered stays exact, new agents or
 * tasks are not remembered, and the rules that need "never seen" (S1, S3's
 * first part) are no longer reported for something the stream cannot find,
 * since it may have been dropped. A task_blocked whose list does not fit is
 * remembered as blocked with an unknown list. cfc_stream_get_stats says when
 * any of that happened. (So the agent or task that first does not fit still
 * gets its S1 or S3 finding: until then nothing was dropped.) Lookups are hash tables (keyed with a
 * per-stream random seed, so a producer cannot choose colliding IDs), so time stays linear in the
 * stream's length.
 *
 * A stream is not thread-safe; distinct streams are independent.
 */
#ifndef CFC_STREAM_H
#define CFC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfc/check.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CFC_STREAM_DEFAULT_MAX 100000

typedef struct cfc_stream_options {
    /* The stream begins with the producer's start (cfconform --from-start):
     * S1 and the first part of S3 are checked. Off: they are not, since what
     * came before is unknown. */
    bool from_start;
    /* The project the connection subscribed to (cfconform --project N): any
     * other project_id is an error (S7). 0: not subscribed, S7 off. */
    int64_t subscribed_project_id;
    size_t max_agents; /* 0 = CFC_STREAM_DEFAULT_MAX */
    size_t max_tasks;  /* 0 = CFC_STREAM_DEFAULT_MAX */
} cfc_stream_options;

typedef struct cfc_stream cfc_stream;

/* A new stream checked with `c`, or NULL on out of memory or a NULL c. opts
 * may be NULL (all zero). The checker is borrowed, not owned: it must
 * outlive the stream, and its configuration (severities, limits) applies.
 * Several streams may share one checker in turn (each result is valid until
 * the next check on that checker), not across threads. The stream's memory
 * comes from the checker's allocator. Free with cfc_stream_free. */
cfc_stream *cfc_stream_new(cfc_checker *c, const cfc_stream_options *opts);

/* Frees the stream (not its checker). NULL is a no-op. */
void cfc_stream_free(cfc_stream *s);

/* Checks the stream's next event: `len` bytes, no NUL terminator assumed,
 * any content. On CFC_CHECK_OK, *result (owned by the checker, valid until
 * the next check on it) holds the event's single-event and stream findings,
 * in document order. On CFC_CHECK_NOMEM the stream remembers nothing of this
 * event and stays usable. CFC_CHECK_IO for a NULL s, or NULL bytes with
 * len > 0. An event too large to be read at all (cfc_check_oversized) is
 * simply not given to the stream. */
cfc_check_status cfc_stream_check_event(cfc_stream *s, const char *bytes, size_t len,
                                        const cfc_event_result **result);

typedef struct cfc_stream_stats {
    size_t events;      /* events checked, out-of-memory ones excluded */
    size_t agents;      /* agents remembered */
    size_t tasks;       /* task (and project progress) records remembered */
    size_t blockers;    /* blocked_by items remembered */
    bool agents_full;   /* an agent was not remembered: a limit was reached */
    bool tasks_full;    /* a task (or a project's progress) was not remembered */
    bool blockers_full; /* a blocked_by list was not remembered */
    size_t bytes;       /* memory the stream holds */
} cfc_stream_stats;

/* The stream's counters; all zero for a NULL s. */
void cfc_stream_get_stats(const cfc_stream *s, cfc_stream_stats *out);

/* Whether `rule` is one of the stream rules above, which need a sequence of
 * events (the catalogue's reference names an S rule: "S2", "T4, S6"). A
 * reading of independent events (cfconform check --events) applies every
 * other rule and none of these. */
bool cfc_rule_is_stream(cfc_rule rule);

#ifdef __cplusplus
}
#endif

#endif
