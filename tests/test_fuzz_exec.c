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
#define PY_DIR CFC_SOURCE_DIR "/tests/fuzz_exec/"
#define PY PY_DIR "decoder_"
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
    char *ev = test_slurp(path, len);
    /* A missing reproducer fails the test with its path (not a crash of the
     * test on a NULL string). */
    cr_assert_not_null(ev, "no reproducer at %s", path);
    return ev;
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
    /* --out was made at the start, and removed: nothing went in. */
    cr_expect_neq(access(OUT "/c_ok", F_OK), 0);
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

/* Fails on task_* events only: the control run's conforming agent_created
 * passes (a command failing on that could not run, see below). */
#define ON_TASK(what) "sh -c 'case \"$(cat)\" in *task_*) " what ";; esac'"

Test(fuzz_exec, exit_statuses_and_the_crash_pattern)
{
    char *out;
    /* Exit 3 is a failure, unless --ok-exit allows it. */
    cr_expect_eq(
        fuzz_exec("exit3", "--per-input --runs 20 --minimize-runs 5 -- " ON_TASK("exit 3"), &out),
        1, "%s", out);
    cr_expect_not_null(strstr(out, "exit 3"), "%s", out);
    free(out);
    cr_expect_eq(
        fuzz_exec("exit3ok", "--per-input --runs 20 --ok-exit 0,3 -- " ON_TASK("exit 3"), &out), 0,
        "%s", out);
    free(out);
    /* A report on stderr with exit 0 is a failure too. */
    cr_expect_eq(fuzz_exec("pattern",
                           "--per-input --runs 20 --minimize-runs 5 -- " ON_TASK(
                               "echo \"panic: nil map\" >&2"),
                           &out),
                 1, "%s", out);
    cr_expect_not_null(strstr(out, "crash pattern on stderr"), "%s", out);
    cr_expect_not_null(strstr(out, "panic: nil map"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("nopattern",
                           "--per-input --runs 20 --crash-pattern '' -- " ON_TASK(
                               "echo \"panic: nil map\" >&2"),
                           &out),
                 0, "%s", out);
    free(out);
}

Test(fuzz_exec, usage_errors)
{
    char *out;
    cr_expect_eq(fuzz_exec("none", "--runs 5", &out), 2, "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("bad", "--bogus -- true", &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--bogus"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("badre", "--crash-pattern '(' -- true", &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--crash-pattern"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("badruns", "--runs many -- true", &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--runs"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("badmix", "--mix 2 -- true", &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "--mix"), "%s", out);
    free(out);
    cr_expect_eq(test_run(CFCONFORM " fuzz-exec --help", &out), 0);
    cr_expect_not_null(strstr(out, "--per-input"));
    free(out);
}

/* An --out that cannot be written is an error at the start, naming the
 * option and why -- before, it surfaced at the first failure, after the
 * fuzzing, as "cannot create". */
Test(fuzz_exec, unwritable_out_is_an_error_at_the_start)
{
    char *out, cmd[1024];
    test_run("mkdir -p " OUT " && : > " OUT "/a_file", NULL);
    const char *dirs[] = {"/proc/nope", OUT "/a_file", OUT "/a_file/sub"};
    const char *why[] = {"cannot create it: No such file or directory",
                         "cannot write in it: Not a directory",
                         "cannot create it: Not a directory"};
    for (size_t i = 0; i < 3; i++) {
        /* The crashing decoder would fail within 300 runs: it must not run. */
        snprintf(cmd, sizeof cmd,
                 CFCONFORM " fuzz-exec --quiet --runs 3000 --out %s -- " DECODERS "crash 2>&1",
                 dirs[i]);
        cr_expect_eq(test_run(cmd, &out), 2, "%s", out);
        cr_expect_not_null(strstr(out, "--out"), "%s", out);
        cr_expect_not_null(strstr(out, why[i]), "%s", out);
        cr_expect_null(strstr(out, "runs in"), "it ran: %s", out);
        free(out);
    }
}

/* A command that cannot run is exit 2 "could not run" with the reason, not
 * a found bug: not found, not executable, the shell's 127 and 126, a
 * failure on the conforming event given before fuzzing (a failure on every
 * input), and a streaming decoder that never answers. Before, the last three
 * were "failures found" (exit 1) with reproducers of a conforming event, or
 * (never answering) every input a "slow start" and exit 0. */
Test(fuzz_exec, could_not_run)
{
    test_run("mkdir -p " OUT " && printf '#!/bin/sh\\necho ok\\n' > " OUT
             "/not_executable && chmod 644 " OUT "/not_executable",
             NULL);
    static const struct {
        const char *args, *why;
    } cases[] = {
        {"-- /nonexistent/decoder",
         "could not run /nonexistent/decoder: No such file or directory"},
        {"-- " OUT "/not_executable", "could not run " OUT "/not_executable: Permission denied"},
        {"-- sh -c 'no-such-command-cfc'", "exit 127 (a command was not found)"},
        {"-- sh -c /etc/passwd", "exit 126 (a command was found but could not be executed)"},
        {"--per-input -- sh -c 'cat >/dev/null; exit 3'", "fails on a conforming event"},
        {"-- sh -c 'read l; exit 1'", "fails on a conforming event, before any fuzzing: exit 1"},
        {"-- sh -c 'cat >/dev/null'", "wrote nothing on stdout for a conforming event"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32], args[512], *out;
        snprintf(name, sizeof name, "cannot_%zu", i);
        snprintf(args, sizeof args, "--runs 50 %s", cases[i].args);
        cr_expect_eq(fuzz_exec(name, args, &out), 2, "%s: %s", cases[i].args, out);
        cr_expect_not_null(strstr(out, "could not run"), "%s: %s", cases[i].args, out);
        cr_expect_not_null(strstr(out, cases[i].why), "%s: %s", cases[i].args, out);
        cr_expect_null(strstr(out, "failure 1"), "%s: %s", cases[i].args, out);
        free(out);
    }
}

/* Warnings on stderr, with the fix: a decoder that reads nothing of its
 * stdin (it passes every input, testing nothing); one that buffers its
 * answers (every input would wait out --timeout: before, 5 runs in 32 s and
 * "0 failures"). The buffering one is then fuzzed one process per input. */
Test(fuzz_exec, warnings_for_a_decoder_that_reads_nothing_or_buffers)
{
    char *out;
    cr_expect_eq(fuzz_exec("reads_nothing", "--per-input --runs 10 -- sh -c 'echo ok'", &out), 0,
                 "%s", out);
    cr_expect_not_null(strstr(out, "warning: fuzz-exec: sh -c echo ok read nothing of its stdin"),
                       "%s", out);
    cr_expect_not_null(strstr(out, "sys.stdin"), "%s", out);
    free(out);
    cr_expect_eq(fuzz_exec("reads", "--per-input --runs 10 -- sh -c 'cat >/dev/null'", &out), 0,
                 "%s", out);
    cr_expect_null(strstr(out, "warning"), "%s", out);
    free(out);

    int rc = fuzz_exec("buffers",
                       "--runs 40 --max-time 120 --timeout 500 -- env -u PYTHONUNBUFFERED "
                       "/usr/bin/python3 " PY "buffered.py",
                       &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_not_null(strstr(out, "it buffers its stdout"), "%s", out);
    cr_expect_not_null(strstr(out, "flush=True"), "%s", out);
    cr_expect_not_null(strstr(out, "python3 -u"), "%s", out);
    cr_expect_not_null(strstr(out, "40 runs"), "%s", out);
    cr_expect_not_null(strstr(out, "one process per input"), "%s", out);
    free(out);
    /* The same decoder, flushing (python3 -u): no warning, streaming. */
    rc = fuzz_exec("flushes", "--runs 40 --timeout 500 -- /usr/bin/python3 -u " PY "buffered.py",
                   &out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect_null(strstr(out, "warning"), "%s", out);
    cr_expect_not_null(strstr(out, "streaming"), "%s", out);
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
    int rc =
        fuzz_exec("forked_memory",
                  "--per-input --runs 30 --minimize-runs 0 --max-failures 1 --rss-limit-mb 100 "
                  "-- sh " PY_DIR "forked_memory.sh",
                  &out);
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "memory ("), "%s", out);
    free(out);
}

/* ---- minimal reproducers ---------------------------------------------------------------- */

/* The deepest nesting of a document (outside strings). */
static int depth_of(const char *s)
{
    int d = 0, best = 0;
    bool in_str = false;
    for (; *s; s++) {
        if (in_str) {
            if (*s == '\\' && s[1])
                s++;
            else if (*s == '"')
                in_str = false;
        } else if (*s == '"') {
            in_str = true;
        } else if (*s == '{' || *s == '[') {
            best = ++d > best ? d : best;
        } else if (*s == '}' || *s == ']') {
            d--;
        }
    }
    return best;
}

static char *saved(const char *name, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", OUT, name, file);
    return test_slurp(path, NULL);
}

/* The decoder fails beyond depth 20; generated too-deep events are 65
 * deep. Before, depth was never reduced: the reproducer kept all 65. */
Test(fuzz_exec, minimising_reduces_nesting_depth)
{
    char *out;
    int rc = fuzz_exec(
        "deep", "--runs 3000 --max-time 120 --max-failures 1 -- /usr/bin/python3 " PY "deep.py",
        &out);
    cr_assert_eq(rc, 1, "%s", out);
    char *orig = saved("deep", "failure-1.original.ndjson"),
         *min = saved("deep", "failure-1.ndjson");
    cr_expect_geq(depth_of(orig), 40, "%s", orig);
    cr_expect_leq(depth_of(min), 22, "not reduced: %s", min);
    cr_expect_gt(depth_of(min), 20, "%s", min);
    free(orig);
    free(min);
    free(out);
}

/* The decoder fails on a task_blocked with blocked_count above 49; the
 * generated event that failed spelt its type with \u escapes. Before, the
 * reproducer kept them ("task_blo\u0063ked"). */
Test(fuzz_exec, minimising_turns_escapes_into_characters)
{
    char *out;
    int rc = fuzz_exec(
        "escapes",
        "--runs 3000 --max-time 120 --max-failures 1 -- /usr/bin/python3 " PY "escapes.py", &out);
    cr_assert_eq(rc, 1, "%s", out);
    char *orig = saved("escapes", "failure-1.original.ndjson");
    char *min = saved("escapes", "failure-1.ndjson");
    cr_expect_not_null(strstr(orig, "\\u"), "nothing to unescape: %s", orig);
    cr_expect_null(strstr(min, "\\u"), "escapes kept: %s", min);
    cr_expect_not_null(strstr(min, "\"type\":\"task_blocked\""), "%s", min);
    cr_expect_not_null(strstr(min, "\"blocked_count\":"), "%s", min);
    free(orig);
    free(min);
    free(out);
}

static size_t lines_in(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* The decoder fails on the second agent_retired it sees: two lines of the
 * stream. Before, every input since the process started was saved (18
 * lines where 2 do). */
Test(fuzz_exec, minimising_drops_lines_of_a_stream)
{
    char *out;
    int rc = fuzz_exec(
        "stateful",
        "--runs 3000 --max-time 120 --max-failures 1 -- /usr/bin/python3 " PY "stateful.py", &out);
    cr_assert_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "error: KeyError: "), "%s", out);
    cr_expect_not_null(strstr(out, "-> 2 lines"), "%s", out);
    char *orig = saved("stateful", "failure-1.original.ndjson");
    char *min = saved("stateful", "failure-1.ndjson");
    cr_expect_gt(lines_in(orig), 2, "%s", orig);
    cr_expect_eq(lines_in(min), 2, "%s", min);
    char *second = strchr(min, '\n');
    cr_expect_not_null(strstr(min, "agent_retired"), "%s", min);
    cr_expect(second && strstr(second, "agent_retired"), "%s", min);
    cr_expect_eq(replay_status("stateful"), 1);
    free(orig);
    free(min);
    free(out);
}
