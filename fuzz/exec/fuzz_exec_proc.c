/* SPDX-License-Identifier: MIT */
/*
 * Running a decoder under test (fuzz_exec_proc.h): fork and exec with three
 * pipes, non-blocking I/O under poll, deadlines from a monotonic clock,
 * resident memory of its whole process group (and of descendants that left
 * it) from /proc while it runs, and from wait4's ru_maxrss when it has
 * exited. After every run its group is killed, and fuzz-exec being a child
 * subreaper (Linux), descendants that left the group (setsid) are
 * re-parented to it and killed too: a target that forks leaves nothing.
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "fuzz_exec_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* keep_reader: the parent keeps a copy of the read end of the child's
 * stdin (p->in_reader), so that what the child left unread can be counted
 * after it has exited (fx_probe). */
static int start(fx_proc *p, char *const *argv, bool keep_reader)
{
    memset(p, 0, sizeof *p);
    p->argv = argv;
    p->in = p->out = p->err = p->in_reader = -1;
    p->pid = -1;
    p->pgid = -1;
    p->started_ms = now_ms();
    /* The group's memory is read from all of /proc (slow: ~75 ms on a busy
     * machine): not before the process has run 50 ms. A quicker one is
     * measured by its own /proc entry and wait4. */
    p->last_group_scan_ms = p->started_ms;
    p->group_scan_every_ms = 50;
#ifdef PR_SET_CHILD_SUBREAPER
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    p->first_answer_ms = -1;
    int in[2], out[2], err[2], ex[2];
    if (cloexec_pipe(in) != 0) {
        snprintf(p->error, sizeof p->error, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    if (cloexec_pipe(out) != 0) {
        close(in[0]), close(in[1]);
        snprintf(p->error, sizeof p->error, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    if (cloexec_pipe(err) != 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        snprintf(p->error, sizeof p->error, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    if (cloexec_pipe(ex) != 0) {
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        snprintf(p->error, sizeof p->error, "cannot make a pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(p->error, sizeof p->error, "cannot fork: %s", strerror(errno));
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(err[0]), close(err[1]);
        close(ex[0]), close(ex[1]);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t w = write(ex[1], &e, sizeof e);
        (void)w;
        _exit(127);
    }
    setpgid(pid, pid); /* as the child does: whichever runs first */
    close(out[1]);
    close(err[1]);
    close(ex[1]);
    int e = 0;
    ssize_t r;
    do
        r = read(ex[0], &e, sizeof e);
    while (r < 0 && errno == EINTR);
    close(ex[0]);
    p->pid = pid;
    p->pgid = pid;
    p->in = in[1];
    p->out = out[0];
    p->err = err[0];
    if (r == (ssize_t)sizeof e) {
        snprintf(p->error, sizeof p->error, "%s: %s", argv[0], strerror(e));
        close(in[0]);
        fx_kill(p);
        return -1;
    }
    if (keep_reader)
        p->in_reader = in[0];
    else
        close(in[0]);
    fcntl(p->in, F_SETFL, O_NONBLOCK);
    fcntl(p->out, F_SETFL, O_NONBLOCK);
    fcntl(p->err, F_SETFL, O_NONBLOCK);
    return 0;
}

/* The processes of the target's group, and our other children (the
 * target's descendants that left the group and were re-parented to us --
 * fuzz-exec starts no other process): their resident memory in KiB,
 * summed; each one killed and reaped if `kill_them`. */
int fx_start(fx_proc *p, char *const *argv)
{
    return start(p, argv, false);
}

static size_t group_scan(pid_t pgid, bool kill_them)
{
    size_t kib = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    pid_t self = getpid();
    long page = sysconf(_SC_PAGESIZE);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[1024];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        /* "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt
         * majflt cmajflt utime stime cutime cstime priority nice threads
         * itrealvalue starttime vsize rss": comm may hold anything. */
        const char *q = strrchr(buf, ')');
        char state;
        int ppid, pgrp;
        unsigned long long skip, rss = 0;
        if (q == NULL || sscanf(q + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
            continue;
        if (pgrp != pgid && ppid != self)
            continue;
        int field = 0;
        for (const char *c = q + 1; *c; c++) {
            if (*c == ' ' && ++field == 22) {
                if (sscanf(c, " %llu", &rss) != 1)
                    rss = 0;
                break;
            }
        }
        (void)skip;
        if (page > 0)
            kib += (size_t)(rss * (unsigned long long)page / 1024);
        if (kill_them) {
            pid_t pid = (pid_t)atoi(e->d_name);
            kill(-pid, SIGKILL); /* a setsid() descendant leads a group of its own */
            kill(pid, SIGKILL);
            if (ppid == self)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                    ;
        }
    }
    closedir(d);
    return kib;
}

/* Whether no process is left in the group and we have no child left (all
 * our children are targets or their re-parented descendants): cheap
 * checks, reaping exited children on the way. */
static bool nothing_left(pid_t pgid)
{
    if (kill(-pgid, 0) == 0 || errno != ESRCH)
        return false;
    for (;;) {
        pid_t w = waitpid(-1, NULL, WNOHANG);
        if (w > 0)
            continue;
        return w < 0 && errno == ECHILD;
    }
}

void fx_kill(fx_proc *p)
{
    close_fd(&p->in_reader);
    close_fd(&p->in);
    close_fd(&p->out);
    close_fd(&p->err);
    if (p->pid > 0) {
        kill(-p->pid, SIGKILL);
        kill(p->pid, SIGKILL);
        while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    p->pid = -1;
    /* Whatever it started goes too, even when it exited by itself: its
     * group, then descendants re-parented to us, until none is left (each
     * killed one may leave children of its own). */
    if (p->pgid > 0) {
        kill(-p->pgid, SIGKILL);
        for (int round = 0; round < 20; round++) {
            if (nothing_left(p->pgid))
                break; /* the common case, without reading all of /proc (~8 runs/s per input) */
            (void)group_scan(p->pgid, true);
            struct timespec ts = {0, 2 * 1000000};
            nanosleep(&ts, NULL);
            if (group_scan(p->pgid, false) == 0 && round > 0)
                break;
        }
    }
    p->pgid = -1;
}

/* The peak resident size of a process (VmHWM: it keeps the high-water
 * mark, so memory taken and freed between two looks is seen -- sampling the
 * current size missed a decoder that takes 500 MiB for one input and
 * answers), in KiB; 0 if it is gone. */
static size_t rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    unsigned long hwm = 0, rss = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmHWM:", 6) == 0)
            hwm = strtoul(line + 6, NULL, 10);
        else if (strncmp(line, "VmRSS:", 6) == 0)
            rss = strtoul(line + 6, NULL, 10);
    }
    fclose(f);
    return hwm > rss ? hwm : rss;
}

static void keep_stderr(fx_proc *p, const char *buf, size_t n)
{
    if (n >= FX_STDERR_KEEP) {
        buf += n - FX_STDERR_KEEP;
        n = FX_STDERR_KEEP;
    }
    if (p->stderr_len + n > FX_STDERR_KEEP) {
        size_t drop = p->stderr_len + n - FX_STDERR_KEEP;
        memmove(p->stderr_buf, p->stderr_buf + drop, p->stderr_len - drop);
        p->stderr_len -= drop;
        p->stderr_seen = p->stderr_seen > drop ? p->stderr_seen - drop : 0;
        p->stderr_mark = p->stderr_mark > drop ? p->stderr_mark - drop : 0;
    }
    memcpy(p->stderr_buf + p->stderr_len, buf, n);
    p->stderr_len += n;
}

/* Reads whatever stdout and stderr have; counts complete stdout lines. */
static void drain(fx_proc *p)
{
    char buf[8192];
    for (int fd_i = 0; fd_i < 2; fd_i++) {
        int *fd = fd_i ? &p->err : &p->out;
        for (;;) {
            if (*fd < 0)
                break;
            ssize_t n = read(*fd, buf, sizeof buf);
            if (n > 0) {
                if (fd_i) {
                    keep_stderr(p, buf, (size_t)n);
                } else {
                    for (ssize_t i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            p->lines++;
                            p->line_len = 0;
                        } else if (p->line_len + 1 < sizeof p->line) {
                            p->line[p->line_len++] = buf[i];
                        }
                    }
                }
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK))
                close_fd(fd);
            break;
        }
    }
}

/* Whether the pattern matches stderr written since the last look; the
 * matching line goes to r->match. */
static bool pattern_seen(fx_proc *p, const fx_limits *lim, fx_result *r)
{
    if (lim->pattern == NULL || p->stderr_seen >= p->stderr_len)
        return false;
    /* Look at whole lines only: a line still being written waits. */
    size_t end = p->stderr_len;
    while (end > p->stderr_seen && p->stderr_buf[end - 1] != '\n')
        end--;
    if (end == p->stderr_seen && p->err >= 0)
        return false;
    if (end == p->stderr_seen)
        end = p->stderr_len;
    bool found = false;
    for (size_t at = p->stderr_seen; at < end && !found;) {
        size_t nl = at;
        while (nl < end && p->stderr_buf[nl] != '\n')
            nl++;
        char line[512];
        size_t len = nl - at < sizeof line - 1 ? nl - at : sizeof line - 1;
        memcpy(line, p->stderr_buf + at, len);
        line[len] = '\0';
        for (size_t i = 0; i < len; i++) {
            if (line[i] == '\0')
                line[i] = ' ';
        }
        if (regexec((const regex_t *)lim->pattern, line, 0, NULL, 0) == 0) {
            size_t m = len < sizeof r->match - 1 ? len : sizeof r->match - 1;
            memcpy(r->match, line, m);
            r->match[m] = '\0';
            found = true;
        }
        at = nl + 1;
    }
    p->stderr_seen = end;
    return found;
}

/* What the stderr written for the current input says (fuzz_exec_sig.h). */
static void signature(const fx_proc *p, fx_signature *out)
{
    fx_signature_of(p->stderr_buf + p->stderr_mark, p->stderr_len - p->stderr_mark, out);
}

/* Has it exited? Then classify. */
static bool reaped(fx_proc *p, const fx_limits *lim, fx_result *r)
{
    int st;
    struct rusage ru;
    pid_t w = wait4(p->pid, &st, WNOHANG, &ru);
    if (w != p->pid)
        return false;
    p->pid = -1;
    drain(p);
    size_t peak = (size_t)ru.ru_maxrss;
    if (peak > r->rss_kib)
        r->rss_kib = peak;
    bool matched = pattern_seen(p, lim, r);
    if (WIFSIGNALED(st)) {
        r->outcome = FX_SIGNAL;
        r->code = WTERMSIG(st);
    } else if (lim->rss_limit_kib && r->rss_kib > lim->rss_limit_kib) {
        r->outcome = FX_MEMORY;
    } else if (WIFEXITED(st) && !lim->ok_exit[WEXITSTATUS(st) & 0xFF]) {
        r->outcome = FX_EXITED;
        r->code = WEXITSTATUS(st);
    } else if (matched) {
        r->outcome = FX_PATTERN;
    } else {
        r->outcome = FX_OK;
        r->code = WIFEXITED(st) ? WEXITSTATUS(st) : 0;
    }
    signature(p, &r->sig);
    return true;
}

/* Waits until `done` says so, the process exits, the deadline passes or
 * memory runs over; writing `data` meanwhile if there is some. */
typedef bool (*fx_done)(const fx_proc *p, size_t goal);

static bool got_lines(const fx_proc *p, size_t goal)
{
    return p->lines >= goal;
}

static fx_result wait_for(fx_proc *p, const fx_limits *lim, const uint8_t *data, size_t len,
                          fx_done done, size_t goal, bool close_after_write)
{
    fx_result r;
    memset(&r, 0, sizeof r);
    int64_t deadline = now_ms() + lim->timeout_ms + (p->lines == 0 ? lim->startup_ms : 0);
    size_t written = 0;
    bool newline = false;
    for (;;) {
        if (p->in >= 0 && (written < len || !newline)) {
            const void *src = written < len ? (const void *)(data + written) : (const void *)"\n";
            size_t n = written < len ? len - written : 1;
            ssize_t w = write(p->in, src, n);
            if (w > 0) {
                p->stdin_written += (size_t)w;
                if (written < len)
                    written += (size_t)w;
                else
                    newline = true;
            } else if (w < 0 && errno != EAGAIN && errno != EINTR && errno != EWOULDBLOCK) {
                close_fd(&p->in); /* EPIPE: it stopped reading; its exit will say why */
            }
        }
        if (close_after_write && newline)
            close_fd(&p->in);
        drain(p);
        if (done && done(p, goal) && (written == len && newline)) {
            /* Answered: stderr written before the answer counts too, and
             * the memory it took for this input. */
            size_t peak = lim->rss_limit_kib ? rss_kib(p->pid) : 0;
            if (peak > r.rss_kib)
                r.rss_kib = peak;
            if (lim->rss_limit_kib && peak > lim->rss_limit_kib) {
                r.outcome = FX_MEMORY;
                fx_kill(p);
                return r;
            }
            if (pattern_seen(p, lim, &r)) {
                r.outcome = FX_PATTERN;
                signature(p, &r.sig);
            }
            if (p->first_answer_ms < 0)
                p->first_answer_ms = now_ms() - p->started_ms;
            return r;
        }
        if (p->pid > 0 && reaped(p, lim, &r)) {
            if (done && r.outcome == FX_OK) /* streaming: exiting is a failure */
                r.outcome = FX_EXITED;
            return r;
        }
        if (p->pid > 0 && lim->rss_limit_kib) {
            size_t kib = rss_kib(p->pid);
            /* The whole group, every 50 ms: a forked child's memory counts. */
            if (now_ms() - p->last_group_scan_ms >= p->group_scan_every_ms) {
                /* A scan reads all of /proc: tens of ms on a busy machine
                 * (more under ASan). Spaced to 4x its cost, it takes a
                 * fifth of the time at most; back to back, it was all of
                 * it (7 inputs/s streaming). */
                int64_t t0 = now_ms();
                size_t g = group_scan(p->pgid, false);
                p->last_group_scan_ms = now_ms();
                int64_t every = 4 * (p->last_group_scan_ms - t0);
                p->group_scan_every_ms = every > 50 ? every : 50;
                if (g > kib)
                    kib = g;
            }
            if (kib > r.rss_kib)
                r.rss_kib = kib;
            if (kib > lim->rss_limit_kib) {
                r.outcome = FX_MEMORY;
                fx_kill(p);
                return r;
            }
        }
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            r.outcome = FX_TIMEOUT;
            if (!lim->keep_on_timeout)
                fx_kill(p);
            return r;
        }
        struct pollfd fds[3];
        nfds_t n = 0;
        if (p->out >= 0)
            fds[n++] = (struct pollfd){.fd = p->out, .events = POLLIN};
        if (p->err >= 0)
            fds[n++] = (struct pollfd){.fd = p->err, .events = POLLIN};
        if (p->in >= 0 && (written < len || !newline))
            fds[n++] = (struct pollfd){.fd = p->in, .events = POLLOUT};
        /* Short slices: memory is sampled and exits are noticed meanwhile. */
        poll(fds, n, (int)(left < 10 ? left : 10));
    }
}

fx_result fx_send(fx_proc *p, const fx_limits *lim, const uint8_t *data, size_t len)
{
    p->stderr_mark = p->stderr_len; /* what it writes from here on is about this input */
    return wait_for(p, lim, data, len, got_lines, p->lines + 1, false);
}

fx_result fx_finish(fx_proc *p, const fx_limits *lim)
{
    close_fd(&p->in);
    fx_result r = wait_for(p, lim, NULL, 0, NULL, 0, true);
    fx_kill(p);
    return r;
}

fx_result fx_run_once(char *const *argv, const fx_limits *lim, const uint8_t *data, size_t len,
                      char *error, size_t error_cap)
{
    fx_proc *p = malloc(sizeof *p);
    fx_result r;
    memset(&r, 0, sizeof r);
    if (p == NULL) {
        r.outcome = FX_ERROR;
        snprintf(error, error_cap, "out of memory");
        return r;
    }
    if (fx_start(p, argv) != 0) {
        r.outcome = FX_ERROR;
        snprintf(error, error_cap, "%s", p->error);
        free(p);
        return r;
    }
    r = wait_for(p, lim, data, len, NULL, 0, true);
    fx_kill(p);
    free(p);
    return r;
}

fx_result fx_probe(char *const *argv, const fx_limits *lim, const uint8_t *data, size_t len,
                   fx_probe_info *info, char *error, size_t error_cap)
{
    fx_proc *p = malloc(sizeof *p);
    fx_result r;
    memset(&r, 0, sizeof r);
    memset(info, 0, sizeof *info);
    if (p == NULL) {
        r.outcome = FX_ERROR;
        snprintf(error, error_cap, "out of memory");
        return r;
    }
    if (start(p, argv, true) != 0) {
        r.outcome = FX_ERROR;
        snprintf(error, error_cap, "%s", p->error);
        free(p);
        return r;
    }
    r = wait_for(p, lim, data, len, NULL, 0, true);
    info->ms = now_ms() - p->started_ms;
    info->lines = p->lines + (p->line_len > 0); /* an answer without its newline counts */
    /* Bytes still in the pipe: what it never read (it has exited, or been
     * killed; we hold the last read end). */
    int unread = 0;
    if (p->in_reader >= 0 && ioctl(p->in_reader, FIONREAD, &unread) == 0 && unread > 0)
        info->unread = (size_t)unread;
    info->sent = p->stdin_written; /* it may exit before the newline is written */
    fx_kill(p);
    free(p);
    return r;
}

void fx_describe(const fx_result *r, int timeout_ms, char *out, size_t cap)
{
    switch (r->outcome) {
    case FX_OK: snprintf(out, cap, "no failure"); return;
    case FX_EXITED: snprintf(out, cap, "exit %d", r->code); return;
    case FX_SIGNAL: {
        const char *name = r->code == SIGSEGV   ? "SIGSEGV"
                           : r->code == SIGABRT ? "SIGABRT"
                           : r->code == SIGBUS  ? "SIGBUS"
                           : r->code == SIGFPE  ? "SIGFPE"
                           : r->code == SIGILL  ? "SIGILL"
                           : r->code == SIGKILL ? "SIGKILL"
                                                : "signal";
        snprintf(out, cap, "signal %d (%s)", r->code, name);
        return;
    }
    case FX_TIMEOUT: snprintf(out, cap, "hang (no answer within %d ms)", timeout_ms); return;
    case FX_MEMORY: snprintf(out, cap, "memory (%zu MiB resident)", r->rss_kib / 1024); return;
    case FX_PATTERN: snprintf(out, cap, "crash pattern on stderr"); return;
    case FX_ERROR: snprintf(out, cap, "could not run"); return;
    }
    snprintf(out, cap, "?");
}

bool fx_same_failure(const fx_result *a, const fx_result *b)
{
    if (a->outcome != b->outcome)
        return false;
    /* The same exit status or signal is not enough: Node exits 1 on every
     * uncaught exception. What stderr says went wrong, and where, is. */
    if (a->outcome == FX_EXITED || a->outcome == FX_SIGNAL)
        return a->code == b->code && strcmp(a->sig.key, b->sig.key) == 0;
    if (a->outcome == FX_PATTERN)
        return strcmp(a->sig.key, b->sig.key) == 0;
    return true;
}
