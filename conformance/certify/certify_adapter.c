/* SPDX-License-Identifier: MIT */
/*
 * Adapter child processes.
 *
 * The adapter is started with posix_spawnp (no shell: the command is split
 * into words here) in a process group of its own, so that killing it also
 * kills whatever it started. Its stdin is one end of a Unix socketpair: we
 * write with send(MSG_NOSIGNAL), so an adapter that died never raises
 * SIGPIPE in the certifier, whatever the process's signal dispositions
 * are. Its stdout and stderr are pipes; stderr is drained all the time (an
 * adapter blocked on a full stderr pipe would look hung) and its last
 * kilobyte kept for error messages.
 *
 * Every process started is reaped by cfc__proc_end, which every path
 * reaches: a clean stop closes stdin and waits a moment, anything else
 * sends SIGKILL to the group first. A descendant can leave the group
 * (setsid: a daemon): so the certifier makes itself a child subreaper
 * (Linux), orphaned descendants are re-parented to it, and cfc__proc_end
 * kills and reaps every child of ours that was not there before the adapter
 * started.
 */
#define _GNU_SOURCE /* pipe2, MSG_NOSIGNAL, SOCK_CLOEXEC */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <stdlib.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "certify_internal.h"

extern char **environ;

int64_t cfc__now_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cfc__now_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the command line ------------------------------------------------------ */

void cfc__argv_free(const cfc_allocator *a, char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        cfc__cfree(a, argv[i]);
    cfc__cfree(a, argv);
}

int cfc__argv_split(const cfc_allocator *a, const char *cmd, char ***out, char *why, size_t cap)
{
    size_t len = strlen(cmd);
    /* At most len / 2 + 1 words; each word at most len bytes. */
    size_t max_words = len / 2 + 2;
    char **argv = cfc__cmalloc(a, max_words * sizeof *argv);
    char *word = cfc__cmalloc(a, len + 1);
    if (argv == NULL || word == NULL) {
        cfc__cfree(a, argv);
        cfc__cfree(a, word);
        return -2;
    }
    size_t n = 0;
    const char *p = cmd;
    int rc = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        if (*p == '\0')
            break;
        size_t w = 0;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && rc == 0) {
            if (*p == '\'') {
                const char *end = strchr(p + 1, '\'');
                if (end == NULL) {
                    snprintf(why, cap, "unterminated ' in the adapter command");
                    rc = -1;
                    break;
                }
                memcpy(word + w, p + 1, (size_t)(end - p - 1));
                w += (size_t)(end - p - 1);
                p = end + 1;
            } else if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                        p++;
                    word[w++] = *p++;
                }
                if (*p != '"') {
                    snprintf(why, cap, "unterminated \" in the adapter command");
                    rc = -1;
                    break;
                }
                p++;
            } else if (*p == '\\' && p[1]) {
                word[w++] = p[1];
                p += 2;
            } else {
                word[w++] = *p++;
            }
        }
        if (rc != 0)
            break;
        argv[n] = cfc__cstrndup(a, word, w);
        if (argv[n] == NULL) {
            rc = -2;
            break;
        }
        n++;
    }
    argv[n] = NULL;
    cfc__cfree(a, word);
    if (rc == 0 && n == 0) {
        snprintf(why, cap, "the adapter command is empty");
        rc = -1;
    }
    if (rc != 0) {
        cfc__argv_free(a, argv);
        return rc;
    }
    *out = argv;
    return 0;
}

static bool reap(cfc__proc *p, bool block);

/* ---- descendants ----------------------------------------------------------- */

/* Our children, from /proc (Linux): up to cap of them into out. */
static size_t our_children(pid_t *out, size_t cap)
{
    size_t n = 0;
    DIR *d = opendir("/proc");
    if (d == NULL)
        return 0;
    pid_t self = getpid();
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < cap) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        /* "pid (comm) state ppid ...": comm may hold anything, so from the
         * last ')'. */
        char *close_paren = strrchr(buf, ')');
        char state;
        int ppid;
        if (close_paren && sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == self)
            out[n++] = (pid_t)atoi(e->d_name);
    }
    closedir(d);
    return n;
}

static bool listed(const pid_t *pids, size_t n, pid_t pid)
{
    for (size_t i = 0; i < n; i++) {
        if (pids[i] == pid)
            return true;
    }
    return false;
}

/* Kills and reaps the children that were not there before the adapter
 * started: its descendants that escaped the group kill, re-parented to us.
 * Each one killed may leave children of its own, re-parented in turn: look
 * again until none is left (bounded). */
static void kill_escaped(const cfc__proc *p)
{
    for (int round = 0; round < 50; round++) {
        pid_t now[256];
        size_t n = our_children(now, 256), killed = 0;
        for (size_t i = 0; i < n; i++) {
            if (listed(p->before, p->n_before, now[i]))
                continue;
            kill(-now[i], SIGKILL); /* a setsid() daemon leads a group of its own */
            kill(now[i], SIGKILL);
            while (waitpid(now[i], NULL, 0) < 0 && errno == EINTR)
                ;
            killed++;
        }
        if (killed == 0 && round > 0)
            return;
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
}

/* ---- spawning ------------------------------------------------------------- */

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

int cfc__proc_spawn(cfc__proc *p, const cfc_allocator *a, char *const argv[], char *why, size_t cap)
{
    memset(p, 0, sizeof *p);
    p->in_fd = p->out_fd = p->err_fd = -1;
    cfc__buf_init(&p->pending, a);
#ifdef PR_SET_CHILD_SUBREAPER
    /* Orphaned descendants of the adapter become our children, not init's:
     * cfc__proc_end can find and kill them (process-wide, and harmless for
     * a process that reaps what it starts). */
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
    p->n_before = our_children(p->before, sizeof p->before / sizeof p->before[0]);
    int sv[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
        pipe2(err, O_CLOEXEC) != 0) {
        snprintf(why, cap, "cannot create pipes: %s", strerror(errno));
        for (int i = 0; i < 2; i++) {
            close_fd(&sv[i]);
            close_fd(&out[i]);
            close_fd(&err[i]);
        }
        return -1;
    }
    /* The child's stdin only reads: shutting down our reading side and its
     * writing side makes the socket behave like a pipe. */
    shutdown(sv[0], SHUT_RD);
    shutdown(sv[1], SHUT_WR);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0 && (rc = posix_spawnattr_init(&attr)) != 0)
        posix_spawn_file_actions_destroy(&fa);
    if (rc == 0) {
        sigset_t none, defaults;
        sigemptyset(&none);
        sigemptyset(&defaults);
        /* The adapter gets default dispositions for the signals a caller
         * may have ignored (SIGPIPE, SIGINT) and no blocked signals. */
        sigaddset(&defaults, SIGPIPE);
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGCHLD);
        (void)(posix_spawn_file_actions_adddup2(&fa, sv[1], 0) ||
               posix_spawn_file_actions_adddup2(&fa, out[1], 1) ||
               posix_spawn_file_actions_adddup2(&fa, err[1], 2) ||
               posix_spawnattr_setpgroup(&attr, 0) || posix_spawnattr_setsigmask(&attr, &none) ||
               posix_spawnattr_setsigdefault(&attr, &defaults) ||
               posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                   POSIX_SPAWN_SETSIGDEF));
        pid_t pid;
        rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (rc == 0)
            p->pid = pid;
    }
    close_fd(&sv[1]);
    close_fd(&out[1]);
    close_fd(&err[1]);
    if (rc != 0) {
        snprintf(why, cap, "cannot start '%s': %s", argv[0], strerror(rc));
        close_fd(&sv[0]);
        close_fd(&out[0]);
        close_fd(&err[0]);
        return -1;
    }
    p->in_fd = sv[0];
    p->out_fd = out[0];
    p->err_fd = err[0];
    fcntl(p->in_fd, F_SETFL, fcntl(p->in_fd, F_GETFL) | O_NONBLOCK);
    fcntl(p->out_fd, F_SETFL, fcntl(p->out_fd, F_GETFL) | O_NONBLOCK);
    fcntl(p->err_fd, F_SETFL, fcntl(p->err_fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

/* ---- I/O ------------------------------------------------------------------ */

static void keep_stderr(cfc__proc *p, const char *bytes, size_t n)
{
    size_t cap = sizeof p->err_tail - 1;
    if (n >= cap) {
        memcpy(p->err_tail, bytes + n - cap, cap);
        p->err_len = cap;
    } else {
        if (p->err_len + n > cap) {
            size_t drop = p->err_len + n - cap;
            memmove(p->err_tail, p->err_tail + drop, p->err_len - drop);
            p->err_len -= drop;
        }
        memcpy(p->err_tail + p->err_len, bytes, n);
        p->err_len += n;
    }
    p->err_tail[p->err_len] = '\0';
}

/* Reads what is available on stderr (and, when `out` is set, stdout into
 * p->pending). Returns -1 when stdout reached its end, -4 on out of memory. */
static int drain(cfc__proc *p, bool out_ready, bool err_ready, size_t max)
{
    char chunk[65536];
    if (err_ready && p->err_fd >= 0) {
        ssize_t n = read(p->err_fd, chunk, sizeof chunk);
        if (n > 0)
            keep_stderr(p, chunk, (size_t)n);
        else if (n == 0 || (errno != EAGAIN && errno != EINTR))
            close_fd(&p->err_fd);
    }
    if (out_ready && p->out_fd >= 0) {
        ssize_t n = read(p->out_fd, chunk, sizeof chunk);
        if (n > 0) {
            /* Never buffer far beyond the line limit: the caller reports an
             * overlong line as soon as it can. */
            if (p->pending.len <= max + 1)
                cfc__buf_add(&p->pending, chunk, (size_t)n);
            if (!cfc__buf_ok(&p->pending))
                return -4;
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            close_fd(&p->out_fd);
            return -1;
        }
    }
    return 0;
}

static int wait_io(cfc__proc *p, bool want_write, int64_t deadline_ms, bool *out_ready,
                   bool *err_ready, bool *can_write)
{
    struct pollfd fds[3];
    int n = 0, iw = -1, io = -1, ie = -1;
    if (want_write && p->in_fd >= 0) {
        fds[n] = (struct pollfd){.fd = p->in_fd, .events = POLLOUT};
        iw = n++;
    }
    if (p->out_fd >= 0) {
        fds[n] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
        io = n++;
    }
    if (p->err_fd >= 0) {
        fds[n] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
        ie = n++;
    }
    int64_t left = deadline_ms - cfc__now_mono_ms();
    if (p->stop && *p->stop)
        return -5;
    if (left <= 0)
        return -2;
    /* Short slices: a stop request, or the adapter's exit while a
     * descendant holds its stdout open, is noticed within 100 ms. */
    int r = poll(fds, (nfds_t)n, left > 100 ? 100 : (int)left);
    if (r < 0 && errno != EINTR)
        return -1;
    if (p->stop && *p->stop)
        return -5;
    *out_ready = io >= 0 && r > 0 && fds[io].revents;
    *err_ready = ie >= 0 && r > 0 && fds[ie].revents;
    *can_write = iw >= 0 && r > 0 && fds[iw].revents;
    return 0;
}

int cfc__proc_write(cfc__proc *p, const char *bytes, size_t len, int64_t deadline_ms)
{
    size_t done = 0;
    while (done < len) {
        if (p->in_fd < 0)
            return -1;
        ssize_t n = send(p->in_fd, bytes + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1; /* EPIPE, ECONNRESET: the adapter is gone */
        bool o, e, w;
        int wr = wait_io(p, true, deadline_ms, &o, &e, &w);
        if (wr != 0)
            return wr == -5 ? -5 : -2;
        /* Keep its output flowing while we wait, so neither side blocks. */
        if (drain(p, o, e, CFC__PROTO_MAX_LINE) == -4)
            return -1;
    }
    return 0;
}

int cfc__proc_read_line(cfc__proc *p, cfc__buf *line, size_t max, int64_t deadline_ms)
{
    for (;;) {
        char *nl = p->pending.len ? memchr(p->pending.data, '\n', p->pending.len) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - p->pending.data);
            if (n > max)
                return -3;
            if (n + 1 == p->pending.len && line->alloc == p->pending.alloc && !line->failed) {
                /* The whole of pending is the line: hand over its buffer
                 * instead of copying it (a reply may be 16 MiB). */
                cfc__buf t = *line;
                *line = p->pending;
                p->pending = t;
                p->pending.len = 0;
                if (p->pending.data)
                    p->pending.data[0] = '\0';
                line->len = n;
                line->data[n] = '\0';
                return 0;
            }
            line->len = 0;
            cfc__buf_add(line, p->pending.data, n);
            if (!cfc__buf_ok(line))
                return -4;
            memmove(p->pending.data, nl + 1, p->pending.len - n - 1);
            p->pending.len -= n + 1;
            return 0;
        }
        if (p->pending.len > max)
            return -3;
        if (p->out_fd < 0)
            return -1;
        bool o, e, w;
        int wr = wait_io(p, false, deadline_ms, &o, &e, &w);
        if (wr != 0)
            return wr == -5 ? -5 : -2;
        int r = drain(p, o, e, max);
        if (r == -4)
            return -4;
        if (r == -1 && !(p->pending.len && memchr(p->pending.data, '\n', p->pending.len)))
            return -1;
        /* It exited, and nothing more came: a descendant that holds its
         * stdout open must not make us wait for the timeout. */
        if (!o && p->pid > 0 && reap(p, false))
            return -1;
    }
}

void cfc__proc_shrink(cfc__proc *p, size_t keep)
{
    if (p->pending.len == 0 && p->pending.cap > keep)
        cfc__buf_free(&p->pending);
}

/* ---- ending ---------------------------------------------------------------- */

static bool reap(cfc__proc *p, bool block)
{
    if (p->pid <= 0 || p->reaped)
        return true;
    for (;;) {
        int st;
        pid_t r = waitpid(p->pid, &st, block ? 0 : WNOHANG);
        if (r == p->pid) {
            p->wait_status = st;
            p->reaped = true;
            return true;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) { /* ECHILD: someone else reaped it; nothing left to do */
            p->reaped = true;
            p->wait_status = -1;
            return true;
        }
        return false;
    }
}

void cfc__proc_end(cfc__proc *p, unsigned grace_ms)
{
    if (p->pid <= 0) {
        close_fd(&p->in_fd);
        close_fd(&p->out_fd);
        close_fd(&p->err_fd);
        cfc__buf_free(&p->pending);
        return;
    }
    close_fd(&p->in_fd); /* EOF on its stdin: a polite adapter exits now */
    int64_t deadline = cfc__now_mono_ms() + grace_ms;
    while (!reap(p, false) && cfc__now_mono_ms() < deadline) {
        /* Drain its output meanwhile (it may be blocked writing). */
        bool o, e, w;
        if (wait_io(p, false, cfc__now_mono_ms() + 10, &o, &e, &w) == 0)
            (void)drain(p, o, e, CFC__PROTO_MAX_LINE);
        if (p->out_fd < 0 && p->err_fd < 0) {
            struct timespec ts = {0, 5 * 1000000};
            nanosleep(&ts, NULL);
        }
    }
    /* Whatever it started goes too: the group is its own, and what left
     * the group was re-parented to us. */
    kill(-p->pid, SIGKILL);
    if (!p->reaped) {
        kill(p->pid, SIGKILL);
        reap(p, true);
    }
    kill_escaped(p);
    /* Keep the last words on stderr for the report. */
    if (p->err_fd >= 0) {
        bool o, e, w;
        for (int i = 0; i < 8 && p->err_fd >= 0; i++) {
            if (wait_io(p, false, cfc__now_mono_ms() + 20, &o, &e, &w) != 0 || !e)
                break;
            (void)drain(p, false, e, CFC__PROTO_MAX_LINE);
        }
    }
    close_fd(&p->out_fd);
    close_fd(&p->err_fd);
    cfc__buf_free(&p->pending);
    p->pid = 0; /* reaped: never signal that pid again */
}

void cfc__proc_describe(const cfc__proc *p, char *buf, size_t cap)
{
    int n;
    if (!p->reaped || p->wait_status == -1)
        n = snprintf(buf, cap, "the adapter stopped answering");
    else if (WIFEXITED(p->wait_status))
        n = snprintf(buf, cap, "the adapter exited with status %d", WEXITSTATUS(p->wait_status));
    else if (WIFSIGNALED(p->wait_status))
        n = snprintf(buf, cap, "the adapter was killed by signal %d (%s)", WTERMSIG(p->wait_status),
                     strsignal(WTERMSIG(p->wait_status)));
    else
        n = snprintf(buf, cap, "the adapter ended");
    if (n < 0 || (size_t)n >= cap || p->err_len == 0)
        return;
    /* The last non-empty line of its stderr says the most. */
    const char *t = p->err_tail;
    size_t len = p->err_len;
    while (len && (t[len - 1] == '\n' || t[len - 1] == '\r'))
        len--;
    size_t start = len;
    while (start && t[start - 1] != '\n')
        start--;
    /* At most 200 bytes of it, cut at a UTF-8 character boundary. */
    if (len - start > 200) {
        start = len - 200;
        while (start < len && ((unsigned char)t[start] & 0xC0) == 0x80)
            start++;
        if (len > start)
            snprintf(buf + n, cap - (size_t)n, "; its stderr ends: ...%.*s", (int)(len - start),
                     t + start);
        return;
    }
    if (len > start)
        snprintf(buf + n, cap - (size_t)n, "; its stderr ends: %.*s", (int)(len - start),
                 t + start);
}
