/* SPDX-License-Identifier: MIT */
/*
 * Internal to cfconform fuzz-exec: running a decoder under test as a child
 * process and watching it. One decoder process at a time; POSIX only.
 *
 * The child gets the inputs on stdin. Its stdout is read line by line (in
 * streaming mode, one line answers one input), its stderr is kept (the last
 * 64 KiB) for the crash pattern, and its resident memory is sampled while
 * we wait. It runs in its own process group, so a wrapper script and its
 * children are killed together.
 */
#ifndef CFC_FUZZ_EXEC_PROC_H
#define CFC_FUZZ_EXEC_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fuzz_exec_sig.h"

#define FX_STDERR_KEEP 65536

typedef enum fx_outcome {
    FX_OK,      /* answered (streaming) or exited 0 (per input) */
    FX_EXITED,  /* exited with a status not allowed (or at all, while streaming) */
    FX_SIGNAL,  /* killed by a signal */
    FX_TIMEOUT, /* no answer or no exit within the timeout: a hang */
    FX_MEMORY,  /* resident memory above the limit */
    FX_PATTERN, /* the crash pattern appeared on stderr */
    FX_ERROR    /* could not run it at all (fx->error says why) */
} fx_outcome;

typedef struct fx_result {
    fx_outcome outcome;
    int code;         /* exit status (FX_EXITED) or signal (FX_SIGNAL) */
    size_t rss_kib;   /* the largest resident size seen */
    char match[160];  /* the stderr line the crash pattern matched, if any */
    fx_signature sig; /* what stderr says went wrong, and where (fuzz_exec_sig.h): tells
                         failures apart; read from what it wrote for this input */
} fx_result;

typedef struct fx_proc {
    char *const *argv;
    pid_t pid;
    pid_t pgid; /* its process group: killed after every run, even when it exited by itself */
    int64_t last_group_scan_ms;
    int64_t group_scan_every_ms; /* 50, or 4x what the last scan took */
    int64_t started_ms;          /* when it was started (CLOCK_MONOTONIC) */
    int64_t first_answer_ms;     /* how long its first answer took; -1 before */
    int in, out, err;            /* our ends of its stdin, stdout, stderr; -1 when closed */
    int in_reader;               /* fx_probe: our copy of its stdin's read end; else -1 */
    size_t stdin_written;        /* bytes written to its stdin so far */
    char line[4096];             /* a partial stdout line */
    size_t line_len;
    size_t lines; /* stdout lines read so far */
    char stderr_buf[FX_STDERR_KEEP];
    size_t stderr_len;  /* bytes kept (the tail) */
    size_t stderr_seen; /* how much of stderr_buf the pattern has looked at */
    size_t stderr_mark; /* where the current input's stderr starts (streaming) */
    char error[256];
} fx_proc;

typedef struct fx_limits {
    int timeout_ms;
    /* Added to timeout_ms while a process has not answered yet (streaming)
     * or for its whole run (per input): an interpreter's start-up (seconds
     * for Python or Node on a loaded machine) is not a hang. */
    int startup_ms;
    size_t rss_limit_kib;
    const bool *ok_exit;  /* 256 entries: which exit statuses are fine */
    const void *pattern;  /* a compiled regex_t, or NULL */
    bool keep_on_timeout; /* a timeout leaves the process running (fuzz-exec's preflight) */
} fx_limits;

/* Starts argv[0] (searched in PATH). Returns 0, or -1 with p->error set
 * (the command does not exist, cannot be executed, out of resources). */
int fx_start(fx_proc *p, char *const *argv);

/* Streaming: writes one input and a newline, then waits for one line on
 * stdout. Anything else is a failure, and the process is then gone. */
fx_result fx_send(fx_proc *p, const fx_limits *lim, const uint8_t *data, size_t len);

/* Closes stdin and waits for the exit: a non-allowed status, a signal, the
 * pattern, memory or a hang at the end are failures too. */
fx_result fx_finish(fx_proc *p, const fx_limits *lim);

/* One process for one input: start, write it, close stdin, wait. */
fx_result fx_run_once(char *const *argv, const fx_limits *lim, const uint8_t *data, size_t len,
                      char *error, size_t error_cap);

/* What a probe saw besides the result. */
typedef struct fx_probe_info {
    int64_t ms;    /* from the start to the exit */
    size_t lines;  /* lines it wrote on stdout */
    size_t sent;   /* bytes written to its stdin (the input and a newline) */
    size_t unread; /* of those, bytes it never read */
} fx_probe_info;

/* fx_run_once, telling also how long it took, whether it answered, and
 * whether it read its input at all (a decoder that reads a file named in
 * its arguments, or nothing, passes every input and tests nothing). */
fx_result fx_probe(char *const *argv, const fx_limits *lim, const uint8_t *data, size_t len,
                   fx_probe_info *info, char *error, size_t error_cap);

/* Kills the process group and reaps it. Safe on a stopped process. */
void fx_kill(fx_proc *p);

/* A short description: "signal 11 (SIGSEGV)", "exit 1", "hang (no answer
 * within 2000 ms)", ... */
void fx_describe(const fx_result *r, int timeout_ms, char *out, size_t cap);

/* Whether two failures are the same kind (minimising keeps the kind). */
bool fx_same_failure(const fx_result *a, const fx_result *b);

#endif
