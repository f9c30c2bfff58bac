/* SPDX-License-Identifier: MIT */
/*
 * For tests/test_certify_edges.c: the peak RSS of one command.
 *
 *     peak_rss OUT COMMAND [ARGS...]
 *
 * Runs COMMAND (stdin, stdout and stderr inherited), waits for it with
 * wait4 and writes its peak RSS in KiB to the file OUT; exits with its exit
 * code (or 128+N when killed by signal N).
 *
 * Why a program of its own: Linux carries a process's peak RSS across
 * exec, and a child starts with its parent's pages. A command forked
 * straight from a test (under ASan, a hundred MiB) would report the
 * test's memory; forked from this small program, it reports its own (and
 * that of the children it reaped, which wait4 includes).
 */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: peak_rss OUT COMMAND [ARGS...]\n", stderr);
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0)
        return 2;
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return 2;
    FILE *f = fopen(argv[1], "w");
    if (f == NULL || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0)
        return 2;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
