/* SPDX-License-Identifier: MIT */
/* Background processes for the live tests: start one with its stdout on a
 * pipe, read the line it announces (a port, a URL) with a deadline, and stop
 * it for sure at the end (SIGTERM, then SIGKILL). Every process a test starts
 * goes through proc_stop, so none outlives its test. */
#ifndef CFC_TEST_PROC_H
#define CFC_TEST_PROC_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct proc {
    pid_t pid;
    int out; /* read end of its stdout */
    int status;
    bool exited;
} proc;

/* Starts argv (argv[0] a path) with stdout on a pipe and stderr to
 * `err_path` (NULL: inherited). */
static inline proc proc_start(char *const argv[], const char *err_path)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        if (err_path) {
            int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (e >= 0) {
                dup2(e, 2);
                close(e);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    return (proc){.pid = pid, .out = fds[0]};
}

/* One line of its stdout (without the newline) within timeout_ms. */
static inline void proc_read_line(proc *p, char *buf, size_t len, int timeout_ms)
{
    size_t n = 0;
    while (n + 1 < len) {
        struct pollfd pfd = {.fd = p->out, .events = POLLIN};
        cr_assert_gt(poll(&pfd, 1, timeout_ms), 0, "no line from pid %d in %d ms", (int)p->pid,
                     timeout_ms);
        char c;
        ssize_t r = read(p->out, &c, 1);
        cr_assert_eq(r, 1, "pid %d closed its stdout", (int)p->pid);
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
}

/* Everything else it writes to stdout, until it closes it (timeout_ms). */
static inline char *proc_read_rest(proc *p, int timeout_ms)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        struct pollfd pfd = {.fd = p->out, .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) <= 0)
            break;
        if (n + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(p->out, buf + n, cap - n - 1);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return buf;
}

/* Waits up to timeout_ms for it to exit; returns its exit code, or -1. */
static inline int proc_wait(proc *p, int timeout_ms)
{
    for (int waited = 0; !p->exited; waited += 10) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) {
            p->exited = true;
            break;
        }
        if (waited >= timeout_ms)
            return -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return WIFEXITED(p->status) ? WEXITSTATUS(p->status) : -1;
}

/* Stops it whatever state it is in. */
static inline void proc_stop(proc *p)
{
    if (p->pid <= 0)
        return;
    if (!p->exited) {
        kill(p->pid, SIGTERM);
        if (proc_wait(p, 2000) < 0 && !p->exited) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &p->status, 0);
            p->exited = true;
        }
    }
    if (p->out >= 0)
        close(p->out);
    p->out = -1;
    p->pid = 0;
}

#endif
