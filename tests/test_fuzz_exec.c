/* SPDX-License-Identifier: MIT */
/* cfconform fuzz-exec against small decoders written for the tests, in C
 * and in Python (tests/fuzz_exec/): the correct ones run clean; the buggy
 * ones -- a crash on a specific rule violation, a hang, unbounded memory --
 * are found, minimised, reported and saved with a replay script. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define CFCONFORM CFC_BINARY_DIR "/cfconform"
#define DECODERS CFC_BINARY_DIR "/tests/fuzz_exec_decoder_"
#define PY CFC_SOURCE_DIR "/tests/fuzz_exec/decoder_"
#define OUT CFC_BINARY_DIR "/test_fuzz_exec_out"

/* Runs fuzz-exec with OUT/<name> as its output directory. */
static int fuzz_exec(const char *name, const char *args, char **out)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "rm -rf %s/%s && mkdir -p %s && " CFCONFORM " fuzz-exec --quiet --out %s/%s %s 2>&1",
             OUT, name, OUT, OUT, name, args);
    return test_run(cmd, out);
}

static char *minimised(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/failure-1.ndjson", OUT, name);
    return test_slurp(path, len);
}

/* The reproducer's script replays the failure. */
static int replay_status(const char *name)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "sh %s/%s/failure-1.sh >/dev/null 2>&1", OUT, name);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(fuzz_exec, correct_c_decoder_runs_clean)
{
    char *out;
    int rc = fuzz_exec("c_ok", "--runs 3000 -- " DECODERS "ok", &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "3000 runs"), "%s", out);
    cr_expect_not_null(strstr(out, "execs/s"), "%s", out);
    cr_expect_not_null(strstr(out, "0 failures"), "%s", out);
    free(out);
}

Test(fuzz_exec, c_crash_on_missing_agent_id_is_found_and_minimised)
{
    char *out;
    int rc = fuzz_exec("c_crash", "--runs 3000 --seed 2 -- " DECODERS "crash", &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "signal 11 (SIGSEGV)"), "%s", out);
    cr_expect_not_null(strstr(out, "missing-field"), "%s", out);
    cr_expect_not_null(strstr(out, "replay:"), "%s", out);
    size_t len;
    char *ev = minimised("c_crash", &len);
    /* An agent event, and no string agent_id in it: the violation. */
    cr_expect_not_null(strstr(ev, "\"type\":\"agent_"), "%s", ev);
    cr_expect_null(strstr(ev, "\"agent_id\":\""), "%s", ev);
    cr_expect_lt(len, 60, "not minimised: %s", ev);
    char path[512];
    size_t orig_len;
    snprintf(path, sizeof path, "%s/c_crash/failure-1.original.ndjson", OUT);
    free(test_slurp(path, &orig_len));
    cr_expect_lt(len, orig_len);
    cr_expect_eq(replay_status("c_crash"), 128 + 11); /* sh reports the signal */
    free(ev);
    free(out);
}

Test(fuzz_exec, c_crash_one_process_per_input)
{
    char *out;
    int rc = fuzz_exec("c_per_input", "--per-input --runs 300 --seed 2 -- " DECODERS "crash", &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "one process per input"), "%s", out);
    cr_expect_not_null(strstr(out, "SIGSEGV"), "%s", out);
    free(out);
}

Test(fuzz_exec, correct_python_decoder_runs_clean)
{
    char *out;
    int rc = fuzz_exec("py_ok", "--runs 3000 -- python3 " PY "ok.py", &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "0 failures"), "%s", out);
    free(out);
}

Test(fuzz_exec, python_crash_on_blocked_count_is_found_and_minimised)
{
    char *out;
    int rc =
        fuzz_exec("py_crash",
                  "--runs 3000 --max-time 40 --minimize-runs 150 -- python3 " PY "crash.py", &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "exit 1 [IndexError]"), "%s", out);
    /* The exception line, not the traceback's first line. */
    cr_expect_not_null(strstr(out, "error: IndexError: list assignment index out of range"), "%s",
                       out);
    cr_expect_null(strstr(out, "Traceback (most recent"), "%s", out);
    cr_expect_not_null(strstr(out, "blocked-count"), "%s", out);
    size_t len;
    char *ev = minimised("py_crash", &len);
    cr_expect_not_null(strstr(ev, "\"blocked_count\""), "%s", ev);
    cr_expect_not_null(strstr(ev, "\"blocked_by\""), "%s", ev);
    cr_expect_lt(len, 200, "not minimised: %s", ev);
    cr_expect_eq(replay_status("py_crash"), 1);
    free(ev);
    free(out);
}

/* The failure of `out` whose summary holds `error` (its exception line):
 * its number, 0 if none. */
static int failure_with(const char *out, const char *error)
{
    const char *e = strstr(out, error);
    if (e == NULL)
        return 0;
    int n = 0;
    for (const char *f = strstr(out, "\nfailure "); f && f < e; f = strstr(f + 1, "\nfailure "))
        n = atoi(f + 9);
    return n;
}

/* Two bugs in one decoder are two failures, each with its exception line
 * and its frame. Before, failures were told apart by the last stderr line:
 * "Node.js v20.x" for both of Node's, so the RangeError was never reported
 * beside the TypeError; and the summary showed "Traceback (most recent call
 * last):" for Python's. */
static void two_bugs(const char *name, const char *args, const char *bug1, const char *where1,
                     const char *bug2, const char *where2)
{
    char *out;
    int rc = fuzz_exec(name, args, &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "2 failures"), "%s", out);
    int a = failure_with(out, bug1), b = failure_with(out, bug2);
    cr_expect_gt(a, 0, "no failure says '%s':\n%s", bug1, out);
    cr_expect_gt(b, 0, "no failure says '%s':\n%s", bug2, out);
    cr_expect_neq(a, b, "%s", out);
    cr_expect_not_null(strstr(out, where1), "%s", out);
    cr_expect_not_null(strstr(out, where2), "%s", out);
    cr_expect_null(strstr(out, "Node.js v"), "%s", out);
    cr_expect_null(strstr(out, "Traceback (most recent"), "%s", out);
    free(out);
}

Test(fuzz_exec, two_node_bugs_are_two_failures)
{
    if (!test_have_tool("node"))
        test_missing_tool("node is not installed (Debian package nodejs; ./scripts/setup)");
    two_bugs("node_two_bugs",
             "--runs 1000 --max-time 150 --minimize-runs 60 -- node " CFC_SOURCE_DIR
             "/tests/fuzz_exec/decoder_two_bugs.js",
             "error: TypeError: Cannot read properties of undefined (reading 'map')",
             "decoder_two_bugs.js:13:24 (blockers)", "error: RangeError: Invalid count value: -",
             "decoder_two_bugs.js:18:14 (remaining)");
}

Test(fuzz_exec, two_python_bugs_are_two_failures)
{
    two_bugs("py_two_bugs",
             "--runs 1500 --max-time 150 --minimize-runs 60 -- /usr/bin/python3 " PY "two_bugs.py",
             "error: IndexError: list assignment index out of range",
             "decoder_two_bugs.py:18 (in blockers)",
             "error: ZeroDivisionError: integer division or modulo by zero",
             "decoder_two_bugs.py:26 (in eta)");
}

Test(fuzz_exec, a_hang_is_found)
{
    char *out;
    int rc = fuzz_exec("py_hang",
                       "--runs 3000 --max-time 40 --timeout 300 -- python3 " PY "hang.py", &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "hang (no answer within 300 ms)"), "%s", out);
    size_t len;
    char *ev = minimised("py_hang", &len);
    cr_expect_not_null(strstr(ev, "progress_update"), "%s", ev);
    cr_expect_not_null(strstr(ev, "\"percentage\""), "%s", ev);
    free(ev);
    free(out);
}

/* A decoder that takes longer to start than --timeout (an interpreter on a
 * loaded machine) is not a hang: before the fix each new process timed out
 * on its first input, was confirmed as "not a hang", restarted, and timed
 * out again -- a few runs in the whole --max-time, and a real hang never
 * reached. */
Test(fuzz_exec, a_slow_start_is_not_a_hang)
{
    char *out;
    int rc = fuzz_exec(
        "slow_start",
        "--runs 200 --max-time 60 --timeout 300 -- sh -c 'sleep 1; exec " DECODERS "ok'", &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "200 runs"), "%s", out);
    free(out);
    rc = fuzz_exec(
        "slow_start_per_input",
        "--per-input --runs 10 --max-time 60 --timeout 300 -- sh -c 'sleep 0.5; exec " DECODERS
        "ok'",
        &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "10 runs"), "%s", out);
    free(out);
}

Test(fuzz_exec, unbounded_memory_is_found)
{
    char *out;
    int rc = fuzz_exec("c_memory", "--runs 3000 --rss-limit-mb 64 -- " DECODERS "memory", &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "memory ("), "%s", out);
    size_t len;
    char *ev = minimised("c_memory", &len);
    cr_expect_not_null(strstr(ev, "\"total\""), "%s", ev);
    free(ev);
    free(out);
}

Test(fuzz_exec, exit_statuses_and_the_crash_pattern)
{
    char *out;
    /* Exit 1 for every input is a failure, unless --ok-exit allows it. */
    cr_expect_eq(fuzz_exec("exit1",
                           "--per-input --runs 20 --minimize-runs 5 -- sh -c 'cat "
                           ">/dev/null; exit 3'",
                           &out),
                 1, "%s", out);
    cr_expect_not_null(strstr(out, "exit 3"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("exit1ok",
                           "--per-input --runs 20 --ok-exit 0,3 -- sh -c 'cat "
                           ">/dev/null; exit 3'",
                           &out),
                 0, "%s", out);
    free(out);
    /* A report on stderr with exit 0 is a failure too. */
    cr_expect_eq(fuzz_exec("pattern",
                           "--per-input --runs 20 --minimize-runs 5 -- sh -c 'cat "
                           ">/dev/null; echo \"panic: nil map\" >&2'",
                           &out),
                 1, "%s", out);
    cr_expect_not_null(strstr(out, "crash pattern on stderr"), "%s", out);
    cr_expect_not_null(strstr(out, "panic: nil map"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("nopattern",
                           "--per-input --runs 20 --crash-pattern '' -- sh -c 'cat "
                           ">/dev/null; echo \"panic: nil map\" >&2'",
                           &out),
                 0, "%s", out);
    free(out);
}

Test(fuzz_exec, could_not_run)
{
    char *out;
    cr_expect_eq(fuzz_exec("none", "--runs 5", &out), 2, "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("missing", "--runs 5 -- /nonexistent/decoder", &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "cannot run /nonexistent/decoder"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("bad", "--bogus -- true", &out), 2, "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("badre", "--crash-pattern '(' -- true", &out), 2, "%s", out);
    free(out);
    cr_expect_eq(test_run(CFCONFORM " fuzz-exec --help", &out), 0);
    cr_expect_not_null(strstr(out, "--per-input"));
    free(out);
    /* An output directory that cannot be made is trouble, not a finding. */
    cr_expect_eq(test_run(CFCONFORM " fuzz-exec --quiet --runs 300 --out /proc/nope -- " DECODERS
                                    "crash 2>&1",
                          &out),
                 2, "%s", out);
    free(out);
}

/* Processes of ours whose command line holds `tag` (the test's own). */
static int left_behind(const char *tag)
{
    char cmd[256], *out;
    /* [s]leep: the pattern does not match the pgrep/sh running it. */
    snprintf(cmd, sizeof cmd, "sleep 0.3; ps -eo args | grep -c '[s]leep %s'", tag);
    test_run(cmd, &out);
    int n = atoi(out);
    free(out);
    return n;
}

/* A target that forks sleepers (one of them leaving the group by setsid)
 * and exits by itself: before, its group was never killed -- 100 orphans
 * after 100 runs. */
Test(fuzz_exec, nothing_the_target_started_is_left)
{
    char tag[32], args[512], *out;
    snprintf(tag, sizeof tag, "%d.5", 6000 + (int)(getpid() % 3000));
    snprintf(args, sizeof args,
             "--per-input --runs 10 -- sh -c 'sleep %s & (setsid sleep %s &); cat >/dev/null'", tag,
             tag);
    cr_expect_eq(fuzz_exec("forks_per_input", args, &out), 0, "%s", out);
    free(out);
    cr_expect_eq(left_behind(tag), 0);
    snprintf(args, sizeof args,
             "--runs 50 -- sh -c '(setsid sleep %s &); while read l; do echo ok; done'", tag);
    cr_expect_eq(fuzz_exec("forks_streaming", args, &out), 0, "%s", out);
    free(out);
    cr_expect_eq(left_behind(tag), 0);
}

/* Memory is the whole group's: a forked child allocating is seen. */
Test(fuzz_exec, a_forked_child_s_memory_counts)
{
    char *out;
    int rc = fuzz_exec("forked_memory",
                       "--per-input --runs 3 --minimize-runs 0 --rss-limit-mb 100 -- sh -c "
                       "'/usr/bin/python3 -c \"import time; x = bytearray(300 << 20); "
                       "x[::4096] = b\\\"1\\\" * len(x[::4096]); time.sleep(3)\" & cat "
                       ">/dev/null; wait'",
                       &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "memory ("), "%s", out);
    free(out);
}
