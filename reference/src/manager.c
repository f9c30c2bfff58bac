/* SPDX-License-Identifier: MIT */
/* The manager's defaults (logger, clock) and the status names. */
#define _POSIX_C_SOURCE 200809L
#include "cfc/reference.h"

#include <stdio.h>
#include <time.h>

const char *cfc_status_name(cfc_status status)
{
    switch (status) {
#define CFC__XX(name, value, text)                                                                 \
    case CFC_##name: return #name;
        CFC_STATUS_MAP(CFC__XX)
#undef CFC__XX
    }
    return "UNKNOWN";
}

const char *cfc_status_text(cfc_status status)
{
    switch (status) {
#define CFC__XX(name, value, text)                                                                 \
    case CFC_##name: return text;
        CFC_STATUS_MAP(CFC__XX)
#undef CFC__XX
    }
    return "unknown status";
}

void cfc_log_stderr(void *ctx, cfc_log_level level, const char *message)
{
    (void)ctx;
    if (level < CFC_LOG_WARNING)
        return;
    fprintf(stderr, "%s cfc.broadcast: %s\n", level >= CFC_LOG_ERROR ? "ERROR" : "WARNING",
            message);
}

int cfc_clock_realtime(void *ctx, int64_t *unix_ms)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return -1;
    *unix_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return 0;
}

int cfc_clock_fixed(void *ctx, int64_t *unix_ms)
{
    if (ctx == NULL)
        return -1;
    *unix_ms = *(const int64_t *)ctx;
    return 0;
}
