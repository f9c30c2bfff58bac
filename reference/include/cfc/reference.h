/* SPDX-License-Identifier: MIT */
/*
 * The reference broadcasters: one C function per event type of the
 * CodeFRAME WebSocket event contract (docs/websocket-event-contracts.md),
 * with the contract's Python parameters in the same order (R1).
 *
 * Each function builds one event, compact and in schema order (R5), and hands
 * its exact bytes to the connection manager's broadcast callback. The
 * contract's "never raise" becomes: every failure is a status code plus one
 * ERROR line through the manager's logger; nothing aborts, nothing leaks, and
 * nothing half-built is ever sent (R2). Arguments that would produce a
 * non-conforming event -- or one the checker would warn about -- are refused
 * with CFC_REFUSED and nothing is sent (R3).
 *
 * Optional parameters (Python `Optional[...] = None`) are pointers: NULL means
 * absent and the field is omitted, never written as null. A compound literal
 * keeps call sites short: `&(int64_t){50}`.
 *
 * Memory: every allocation goes through cJSON's hooks (cJSON_InitHooks), so a
 * test can fail the Nth one. The text given to the callback is owned by the
 * broadcaster and valid only during the call.
 *
 * Thread safety: the functions keep no state of their own; a manager may be
 * shared if its callbacks are thread-safe.
 */
#ifndef CFC_REFERENCE_H
#define CFC_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

#include "cfc/contract.h"
#include "cfc/timestamp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: the values are stable (they appear in logs and adapters). */
#define CFC_STATUS_MAP(XX)                                                                         \
    XX(OK, 0, "success")                                                                           \
    XX(REFUSED, 1, "refused: the arguments would produce a non-conforming event")                  \
    XX(NOMEM, 2, "out of memory")                                                                  \
    XX(BROADCAST, 3, "the connection manager failed to broadcast")                                 \
    XX(CLOCK, 4, "the clock failed or is outside years 0001-9999")                                 \
    XX(INVALID, 5, "invalid call: no manager or no broadcast callback")

typedef enum cfc_status {
#define CFC__XX(name, value, text) CFC_##name = (value),
    CFC_STATUS_MAP(CFC__XX)
#undef CFC__XX
} cfc_status;

/* "OK", "REFUSED", ... (static string). */
const char *cfc_status_name(cfc_status status);
/* A one-line description (static string). */
const char *cfc_status_text(cfc_status status);

typedef enum cfc_log_level {
    CFC_LOG_DEBUG = 10,
    CFC_LOG_INFO = 20,
    CFC_LOG_WARNING = 30,
    CFC_LOG_ERROR = 40
} cfc_log_level;

/* Sends one event. `json` is `len` bytes of compact JSON (also NUL-terminated),
 * owned by the caller and valid only during the call. Return 0 on success,
 * anything else on failure (the broadcaster then logs and returns
 * CFC_BROADCAST). */
typedef int (*cfc_broadcast_fn)(void *ctx, int64_t project_id, const char *json, size_t len);

/* Receives one log line (no trailing newline), valid only during the call. */
typedef void (*cfc_log_fn)(void *ctx, cfc_log_level level, const char *message);

/* Writes the current time as milliseconds since 1970-01-01T00:00:00Z (may be
 * negative) and returns 0, or returns non-zero on failure. */
typedef int (*cfc_clock_fn)(void *ctx, int64_t *unix_ms);

/* The connection manager: how events leave, where logs go, what time it is. */
typedef struct cfc_manager {
    cfc_broadcast_fn broadcast;
    void *broadcast_ctx;
    cfc_log_fn log; /* NULL: cfc_log_stderr */
    void *log_ctx;
    cfc_clock_fn clock; /* NULL: cfc_clock_realtime (R6) */
    void *clock_ctx;
} cfc_manager;

/* The default logger: WARNING and ERROR lines to stderr as
 * "ERROR cfc.broadcast: <message>"; DEBUG and INFO are dropped. */
void cfc_log_stderr(void *ctx, cfc_log_level level, const char *message);

/* The default clock: CLOCK_REALTIME, truncated to the millisecond. */
int cfc_clock_realtime(void *ctx, int64_t *unix_ms);

/* A fixed clock: ctx points to an int64_t holding the instant in ms. */
int cfc_clock_fixed(void *ctx, int64_t *unix_ms);

/* ---- The 11 broadcasters (contract order) ---------------------------- */

/* agent_created: status is always "idle"; tasks_completed must be 0. */
cfc_status cfc_broadcast_agent_created(const cfc_manager *manager, int64_t project_id,
                                       const char *agent_id, const char *agent_type,
                                       int64_t tasks_completed);

cfc_status cfc_broadcast_agent_retired(const cfc_manager *manager, int64_t project_id,
                                       const char *agent_id, int64_t tasks_completed);

/* agent_status_changed. current_task is sent when current_task_id is given;
 * it then needs a title and status "working". */
cfc_status cfc_broadcast_agent_status(const cfc_manager *manager, int64_t project_id,
                                      const char *agent_id, const char *status,
                                      const int64_t *current_task_id,
                                      const char *current_task_title, const int64_t *progress);

cfc_status cfc_broadcast_task_assigned(const cfc_manager *manager, int64_t project_id,
                                       int64_t task_id, const char *agent_id,
                                       const char *task_title);

/* task_status_changed. Refused as well: "completed" with progress != 100 and
 * "pending" with progress > 0 (the checker warns about both). */
cfc_status cfc_broadcast_task_status(const cfc_manager *manager, int64_t project_id,
                                     int64_t task_id, const char *status, const char *agent_id,
                                     const int64_t *progress);

/* task_blocked: blocked_count is len(blocked_by). blocked_by must be non-empty,
 * without duplicates, and must not contain task_id. */
cfc_status cfc_broadcast_task_blocked(const cfc_manager *manager, int64_t project_id,
                                      int64_t task_id, const int64_t *blocked_by,
                                      size_t blocked_by_len, const char *task_title);

cfc_status cfc_broadcast_task_unblocked(const cfc_manager *manager, int64_t project_id,
                                        int64_t task_id, const int64_t *unblocked_by,
                                        const char *task_title);

/* test_result. The Python signature has skipped: int = 0 (not Optional), so
 * skipped is always sent. duration must be finite and >= 0. */
cfc_status cfc_broadcast_test_result(const cfc_manager *manager, int64_t project_id,
                                     int64_t task_id, const char *status, int64_t passed,
                                     int64_t failed, int64_t errors, int64_t skipped,
                                     double duration);

/* activity_update. The signature requires agent_id but the schema makes it
 * optional: NULL omits it. message_text is sent as "message". */
cfc_status cfc_broadcast_activity_update(const cfc_manager *manager, int64_t project_id,
                                         const char *activity_type, const char *agent_id,
                                         const char *message_text, const int64_t *task_id);

cfc_status cfc_broadcast_correction_attempt(const cfc_manager *manager, int64_t project_id,
                                            int64_t task_id, int64_t attempt_number,
                                            int64_t max_attempts, const char *status,
                                            const char *error_summary);

/* progress_update. percentage NULL: floor(completed * 100 / total), 0 when
 * total is 0 (R4). A given percentage must be that floor or the rounded value. */
cfc_status cfc_broadcast_progress_update(const cfc_manager *manager, int64_t project_id,
                                         int64_t completed, int64_t total,
                                         const int64_t *percentage);

/* R4 on its own: floor(completed * 100 / total), 0 when total <= 0. */
int64_t cfc_progress_percentage(int64_t completed, int64_t total);

#ifdef __cplusplus
}
#endif

#endif
