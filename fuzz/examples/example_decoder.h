/* SPDX-License-Identifier: MIT */
/*
 * example_decoder.h -- a dashboard's event decoder, the way a user of the
 * contract might write one with cJSON. It is the example that
 * fuzz_example_decoder.c fuzzes with the contract-aware mutator, and it has
 * a PLANTED BUG (see example_decoder.c): do not copy it.
 */
#ifndef EXAMPLE_DECODER_H
#define EXAMPLE_DECODER_H

typedef enum dash_kind {
    DASH_TASK_BLOCKED,
    DASH_TASK_STATUS,
    DASH_AGENT_STATUS,
    DASH_PROGRESS,
    DASH_OTHER
} dash_kind;

typedef struct dash_event {
    dash_kind kind;
    long long project_id;
    char timestamp[25];
    long long task_id;
    long long *blocked_by; /* task_blocked: malloc'd */
    int n_blocked;
    char status[16];
    char agent_id[64];
    int progress; /* -1 when absent */
    long long current_task_id;
    long long completed, total;
} dash_event;

/* 0 and *ev filled (free with dash_event_clear), or -1: rejected. */
int dash_decode(const char *json, dash_event *ev);
void dash_event_clear(dash_event *ev);

#endif
