/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
/* certify's process hygiene (issue 11): an adapter's daemons (setsid) do
 * not outlive a case, a descendant holding the adapter's stdout does not
 * cost a timeout, an adapter that exits is reported as exiting, SIGINT /
 * SIGTERM stop the run with reports, --deadline bounds it. Every test ends
 * by asserting that no process it caused is left. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define CFC CFC_BINARY_DIR "/cfconform"
#define DAEMON CFC_SOURCE_DIR "/tests/certify_edges/daemon.sh"
#define MISBEHAVE CFC_SOURCE_DIR "/tests/certify/misbehave_adapter.py"

/* A tag unique to this test process: the daemons sleep that many seconds,
 * and the adapter gets it as an argument it ignores. */
static char tag[32];

static void make_tag(void)
{
    snprintf(tag, sizeof tag, "%d.%d", 5000 + (int)(getpid() % 4000), (int)(time(NULL) % 1000));
}

/* Processes (other than us) whose command line holds the tag. */
static int tagged(void)
{
    int n = 0;
    DIR *d = opendir("/proc");
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
            continue;
        char path[300], buf[4096];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        for (size_t i = 0; i < got; i++)
            buf[i] = buf[i] ? buf[i] : ' ';
        buf[got] = '\0';
        /* not a zombie: a stat state of Z has no cmdline anyway */
        if (got && strstr(buf, tag))
            n++;
    }
    closedir(d);
    return n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Waits up to 3 s for the tagged processes to be gone (a killed process
 * takes a moment to disappear from /proc). */
static int tagged_after(void)
{
    int n = tagged();
    for (int i = 0; i < 30 && n > 0; i++) {
        usleep(100 * 1000);
        n = tagged();
    }
    return n;
}

TestSuite(certify_edges, .init = make_tag, .timeout = 240);

/* An adapter that crashes on every case, each start leaving a daemon that
 * holds its stdout: before, one daemon per case was left behind and each
 * case waited the whole --timeout for EOF, then said "killed by signal 9". */
Test(certify_edges, daemons_die_with_their_adapter_and_an_exit_is_an_exit)
{
    char cmd[2048], *out;
    snprintf(cmd, sizeof cmd,
             CFC " certify --timeout 60000 --cases '1.1.*,1.2.*' --adapter '" DAEMON
                 " %s python3 " MISBEHAVE " broadcast_agent_created=crash edges%s=' 2>&1",
             tag, tag);
    double t0 = now_s();
    int rc = test_run(cmd, &out);
    double took = now_s() - t0;
    cr_expect_eq(rc, 1, "%s", out);
    cr_expect_not_null(strstr(out, "exited with status 3"), "%s", out);
    cr_expect_null(strstr(out, "signal 9"), "%s", out);
    cr_expect_null(strstr(out, "no answer within"), "%s", out);
    cr_expect_lt(took, 60.0, "a descendant holding stdout cost a timeout: %.1f s", took);
    cr_expect_eq(tagged_after(), 0, "processes left behind");
    free(out);
}

static proc start_certify(const char *extra, const char *report_dir)
{
    static char adapter[1024];
    snprintf(adapter, sizeof adapter,
             DAEMON " %s python3 " MISBEHAVE " broadcast_agent_retired=hang edges%s=", tag, tag);
    char *argv[] = {CFC,           "certify",   "--timeout", "60000",        "--cases",
                    "1.1.*,2.*",   "--adapter", adapter,     "--report-dir", (char *)report_dir,
                    (char *)extra, NULL};
    if (extra == NULL)
        argv[10] = NULL;
    return proc_start(argv, "/dev/null");
}

/* Waits until the adapter has started (its daemon and itself are there). */
static void wait_started(void)
{
    /* The wrapper, its daemon and the Python adapter. */
    for (int i = 0; i < 300 && tagged() < 3; i++)
        usleep(100 * 1000);
    cr_assert_geq(tagged(), 3, "the adapter did not start");
    sleep(3); /* its start-up, and the cases before the hanging one */
}

static void stops_on(int sig, int code)
{
    char dir[] = "/tmp/cfc-certify-edges-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    proc p = start_certify(NULL, dir);
    wait_started();
    double t0 = now_s();
    kill(p.pid, sig);
    int rc = proc_wait(&p, 20000);
    double took = now_s() - t0;
    cr_expect_eq(rc, code, "exit %d", rc);
    cr_expect_lt(took, 5.0, "%.1f s to stop", took);
    char *rest = proc_read_rest(&p, 1000);
    cr_expect_not_null(strstr(rest, "stopped ("), "%s", rest);
    free(rest);
    proc_stop(&p);
    char path[256];
    snprintf(path, sizeof path, "%s/certification.json", dir);
    struct stat st;
    cr_expect_eq(stat(path, &st), 0, "no report after the signal");
    char *json = test_slurp(path, NULL);
    cr_expect_not_null(strstr(json, "\"partial\""), "%s", json);
    free(json);
    cr_expect_eq(tagged_after(), 0, "processes left behind");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(certify_edges, sigint_stops_the_adapter_and_writes_the_reports)
{
    stops_on(SIGINT, 130);
}

Test(certify_edges, sigterm_stops_the_adapter_and_writes_the_reports)
{
    stops_on(SIGTERM, 143);
}

Test(certify_edges, a_deadline_bounds_the_run)
{
    char dir[] = "/tmp/cfc-certify-edges-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    double t0 = now_s();
    proc p = start_certify("--deadline=8", dir);
    int rc = proc_wait(&p, 60000);
    double took = now_s() - t0;
    cr_expect_eq(rc, 4, "exit %d", rc);
    cr_expect_lt(took, 15.0, "%.1f s", took);
    char *rest = proc_read_rest(&p, 1000);
    cr_expect_not_null(strstr(rest, "--deadline passed"), "%s", rest);
    free(rest);
    proc_stop(&p);
    cr_expect_eq(tagged_after(), 0, "processes left behind");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

/* A full disk (here: a file size limit, EFBIG) leaves the previous report
 * in place, never a truncated one, and no temporary file. */
Test(certify_edges, reports_are_complete_or_not_written)
{
    char dir[] = "/tmp/cfc-certify-edges-XXXXXX", cmd[2048], *out;
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "printf '{\"previous\":true}\\n' > %s/certification.json", dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "trap '' XFSZ; ulimit -f 1; " CFC " certify --cases 1.1.1 --adapter " CFC_BINARY_DIR
             "/adapters/cfc-adapter-reference --report-dir %s 2>&1",
             dir);
    cr_expect_eq(test_run(cmd, &out), 2, "%s", out);
    cr_expect_not_null(strstr(out, "cannot write"), "%s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "%s/certification.json", dir);
    char *json = test_slurp(cmd, NULL);
    cr_expect_str_eq(json, "{\"previous\":true}\n");
    free(json);
    snprintf(cmd, sizeof cmd, "ls -A %s | grep -c '^\\.'", dir);
    cr_expect_eq(test_run(cmd, &out), 1, "temporary files left: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}
