/* SPDX-License-Identifier: MIT */
/*
 * Internal to certification: the catalogue's parsed expectations, the
 * adapter protocol (requests out, replies in), adapter processes, grading.
 *
 *   certify_catalogue.c  the case catalogue (cfc/certify.h)
 *   certify_protocol.c   protocol lines: build requests, parse replies (fuzzed)
 *   certify_adapter.c    child processes: spawn, timed line I/O, kill, reap
 *   certify_verdict.c    grading one case's replies against its expectations
 *   certify_session.c    an adapter session: start, restart, lose, stop; the stop
 *                        flag and the run's deadline (producer and consumer runs)
 *   certify_run.c        the run: play each case through the session, collect
 *   certify_report.c     JSON, JUnit, Markdown, badge, HTML
 */
#ifndef CFC_CERTIFY_INTERNAL_H
#define CFC_CERTIFY_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "certify_buf.h"
#include "cfc/certify.h"
#include "json.h"

/* The parsed expectation of one step; the values live in the catalogue's
 * parser (valid as long as the catalogue). Any of them may be NULL. */
struct cfc__expect {
    const cfc_jval *fields; /* object: wire name -> exact value */
    const cfc_jval *absent; /* array of wire names that must not be present */
    const cfc_jval *one_of; /* object: wire name -> array of acceptable values */
    const cfc_jval *maybe;  /* object: wire name -> value it must have if present */
    const char *src;        /* the catalogue's text (numbers are copied from it) */
};

/* ---- protocol ------------------------------------------------------------- */

/* The longest protocol line read from an adapter (a reply with many events). */
#define CFC__PROTO_MAX_LINE ((size_t)16 << 20)
/* Most items of "sent" / "logs" one reply may carry. */
#define CFC__PROTO_MAX_ITEMS 4096

/* What the adapter said to "start". Owned strings (the allocator's). */
typedef struct cfc__hello {
    char *name, *language, *version;
    char **broadcasters;
    size_t n_broadcasters;
} cfc__hello;

void cfc__hello_free(const cfc_allocator *a, cfc__hello *h);
void cfc__reply_free(const cfc_allocator *a, cfc_cert_reply *r);

/* What a case may still keep of its replies' output (the report bound,
 * CFC_CERT_KEEP_BYTES): bytes, and items (texts, log lines, misuse, error,
 * status), so that thousands of empty texts are bounded too. */
#define CFC__KEEP_ITEMS 256
typedef struct cfc__keep {
    size_t bytes, items;
} cfc__keep;

/* Keeps the first of a graded reply's output within *left (error, status,
 * misuse, sent, logs, in that order), frees the rest and shrinks what it
 * cut; sets cut / received_* / kept_bytes, and takes what it kept from
 * *left. Never fails: a shrinking realloc that fails keeps the block. */
void cfc__reply_keep(const cfc_allocator *a, cfc_cert_reply *r, cfc__keep *left);

/* Request lines, each one JSON object and a '\n'. */
void cfc__proto_start(cfc__buf *b);
void cfc__proto_call(cfc__buf *b, uint64_t seq, const cfc_cert_step *step);
void cfc__proto_stop(cfc__buf *b);

typedef enum cfc__proto_rc {
    CFC__PROTO_OK = 0,
    CFC__PROTO_ADAPTER_ERROR = 1, /* {"op":"error"}: the adapter could not make this call */
    CFC__PROTO_INVALID = -1,      /* not valid protocol: invalid JSON, bad shape, wrong seq */
    CFC__PROTO_NOMEM = -2
} cfc__proto_rc;

/* Parses the adapter's answer to "start". On CFC__PROTO_OK *out is filled
 * (free with cfc__hello_free); otherwise *out is zeroed and why (cap bytes)
 * says what is wrong. `p` is a parser to reuse. */
cfc__proto_rc cfc__proto_parse_hello(cfc_jparser *p, const cfc_allocator *a, const char *line,
                                     size_t len, cfc__hello *out, char *why, size_t cap);

/* Parses the answer to call `seq`. CFC__PROTO_OK: *out holds outcome, sent
 * texts (base64 items decoded), logs, status, error (free with
 * cfc__reply_free; called_ms/elapsed_ms are left 0). CFC__PROTO_ADAPTER_ERROR:
 * *out has only error set. Otherwise *out is zeroed and why says what is
 * wrong (out of sequence, invalid JSON, ...). */
cfc__proto_rc cfc__proto_parse_reply(cfc_jparser *p, const cfc_allocator *a, const char *line,
                                     size_t len, uint64_t seq, cfc_cert_reply *out, char *why,
                                     size_t cap);

/* The same, from a line in a buffer that is freed as soon as the parser
 * has its copy when its capacity is above release_above (a 16 MiB line is
 * then held once, not twice, while the reply is copied out). */
cfc__proto_rc cfc__proto_parse_reply_buf(cfc_jparser *p, const cfc_allocator *a, cfc__buf *line,
                                         size_t release_above, uint64_t seq, cfc_cert_reply *out,
                                         char *why, size_t cap);

/* Writes a reply as the adapter would (texts that are not valid UTF-8 as
 * base64 items), without the newline; for tests and the fuzz target's
 * round trip. */
void cfc__proto_write_reply(cfc__buf *b, uint64_t seq, const cfc_cert_reply *r);

/* The sent / logs / status / error part of a reply as JSON members (for
 * the JSON report): "outcome":...,"sent":[...],"logs":[...]. */
void cfc__buf_reply_members(cfc__buf *b, const cfc_cert_reply *r);

/* ---- adapter processes --------------------------------------------------- */

typedef struct cfc__proc {
    pid_t pid;        /* 0: not running */
    int in_fd;        /* its stdin: our end of a socketpair (send with MSG_NOSIGNAL) */
    int out_fd;       /* its stdout: a pipe */
    int err_fd;       /* its stderr: a pipe, kept as a short tail */
    cfc__buf pending; /* stdout bytes read but not yet returned as lines */
    char err_tail[1024];
    size_t err_len;
    int wait_status; /* after reaping */
    bool reaped;
    /* Set (non-zero) by a signal handler: every wait gives up within
     * 100 ms with -5. NULL: never. Set by the caller after spawning. */
    const volatile sig_atomic_t *stop;
    /* Our children before this adapter started: any other child found
     * when it ends is a descendant of it that outlived it (re-parented to
     * us, a subreaper), killed with it. */
    pid_t before[64];
    size_t n_before;
} cfc__proc;

/* Splits a command into words: blanks separate, '...' and "..." quote,
 * backslash escapes (outside single quotes). No expansion. *argv is
 * NULL-terminated; free with cfc__argv_free. -1 on a syntax error (why),
 * -2 on out of memory. */
int cfc__argv_split(const cfc_allocator *a, const char *cmd, char ***argv, char *why, size_t cap);
void cfc__argv_free(const cfc_allocator *a, char **argv);

/* Starts argv[0] (PATH search) in a new process group. 0, or -1 with why. */
int cfc__proc_spawn(cfc__proc *p, const cfc_allocator *a, char *const argv[], char *why,
                    size_t cap);
/* Writes all of `len` bytes before the monotonic deadline (ms). 0, -1 the
 * adapter is gone or closed its stdin, -2 timeout, -5 stopped (p->stop). */
int cfc__proc_write(cfc__proc *p, const char *bytes, size_t len, int64_t deadline_ms);
/* Reads one line (without its '\n', a '\r' before it kept) into *line
 * (replacing its contents). 0, -1 end of output (the adapter exited or
 * closed stdout: an adapter that exited while a descendant still holds its
 * stdout has ended too), -2 timeout, -3 longer than max, -4 out of memory,
 * -5 stopped (p->stop). */
int cfc__proc_read_line(cfc__proc *p, cfc__buf *line, size_t max, int64_t deadline_ms);
/* Frees the buffer of output not yet read when it is empty and bigger than
 * `keep` bytes (after a huge line: memory is not held for the next). */
void cfc__proc_shrink(cfc__proc *p, size_t keep);
/* Ends the adapter: closes its stdin, lets it exit for grace_ms, then kills
 * its process group and every descendant that left the group (setsid) and
 * was re-parented to us; reaps them all. Safe on a stopped process. */
void cfc__proc_end(cfc__proc *p, unsigned grace_ms);
/* "exited with status 3", "killed by signal 11 (Segmentation fault)", "still
 * running" into buf; then ": " and the stderr tail, if any. */
void cfc__proc_describe(const cfc__proc *p, char *buf, size_t cap);

/* Monotonic and wall clocks in ms. */
int64_t cfc__now_mono_ms(void);
int64_t cfc__now_real_ms(void);

/* ---- an adapter session (certify_session.c) ---------------------------------- */

/* After this many failed starts in a row, a run stops trying (every case
 * left is ERROR at once): a broken adapter cannot make a run take hours. */
#define CFC__MAX_FAILED_STARTS 3

typedef struct cfc__session cfc__session;

/* Reads the role's hello from s->line after a start: 0, -1 (why: not a
 * valid hello), -2 out of memory. */
typedef int (*cfc__hello_fn)(void *ctx, cfc__session *s, char *why, size_t cap);

/* The adapter of one run, whichever role it plays: its process (restarted
 * after anything that makes its state unknown), the lines exchanged with
 * it, and the two ways a run ends early: a stop flag set by a signal
 * handler, and the run's deadline (every exchange is cut at it). Ending it
 * kills its process group and every descendant re-parented to us (the
 * subreaper: certify_adapter.c). */
struct cfc__session {
    const cfc_allocator *a;
    char **argv;
    cfc__proc proc;
    bool running;
    cfc_jparser *parser; /* for the adapter's lines (renewed after a huge one) */
    cfc_jalloc ja;       /* the parser's allocator (a's) */
    cfc__buf line;       /* the last line read */
    cfc__buf req;        /* the request to send (cfc__session_exchange) */
    cfc__buf start;      /* the role's start request, sent at every start */
    uint64_t seq;
    unsigned call_timeout, start_timeout;
    int failed_starts;
    size_t starts;
    const volatile sig_atomic_t *stop; /* NULL: never */
    int64_t run_deadline;              /* monotonic ms; INT64_MAX: none */
    bool stopped, deadline_hit;        /* why the run ended early, if it did */
    cfc__hello_fn hello;
    void *hello_ctx;
};

/* Splits the command, makes the parser. 0, -1 (why: the command does not
 * parse), -2 out of memory (why). Timeouts of 0: 10000 and 15000 ms;
 * deadline_ms 0: none. The caller then fills s->start and sets s->hello. */
int cfc__session_init(cfc__session *s, const cfc_allocator *a, const char *command,
                      unsigned call_timeout_ms, unsigned start_timeout_ms,
                      const volatile sig_atomic_t *stop, unsigned deadline_ms, char *why,
                      size_t cap);
/* Ends the adapter (politely: {"op":"stop"} and a grace period) and frees
 * everything. Safe on a session init failed or never started. */
void cfc__session_free(cfc__session *s, bool polite);
/* Whether the run must end now (the stop flag is set or the deadline has
 * passed); sets stopped / deadline_hit. Asked before each case. */
bool cfc__session_ends(cfc__session *s);
/* Starts the adapter: spawn, send s->start, read its answer, s->hello.
 * 0, -1 (why), -2 out of memory. A start cut by the stop flag or the
 * deadline is -1 with stopped / deadline_hit set. */
int cfc__session_start(cfc__session *s, char *why, size_t cap);
/* Restarts the adapter if it is not running: 0, -1 (why: the restart
 * failed, or CFC__MAX_FAILED_STARTS failed in a row, then not tried), -2. */
int cfc__session_ensure(cfc__session *s, char *why, size_t cap);
/* Sends s->req and reads the answer line into s->line within the call
 * timeout (cut at the run's deadline): 0, or cfc__proc_read_line's codes
 * -1 to -4, with -5: the run ends (stop flag or deadline; the adapter is
 * killed). A request that could not be sent sets *send_failed and is -1
 * (gone) or -2 (not reading). */
int cfc__session_exchange(cfc__session *s, bool *send_failed);
/* Ends the adapter: politely ({"op":"stop"}, 2 s to exit) or killed now. */
void cfc__session_stop(cfc__session *s, bool polite);
/* Ends the adapter after grace_ms (0: killed now; after the end of its
 * output, a moment lets the report say how it really ended) and writes
 * "WHAT; exited with status 3: <its stderr tail>" into why. */
void cfc__session_lost(cfc__session *s, char *why, size_t cap, const char *what, unsigned grace_ms);
/* After a huge line (line_len) has been parsed and copied out: frees the
 * line, the unread output and the parser's copy, so that a flooding
 * adapter costs one line's worth of memory at a time. false: out of memory. */
bool cfc__session_release_big(cfc__session *s, size_t line_len);
/* A run's failure: err (NULL: none) gets st and the message (fmt with its
 * one string argument); returns st. */
cfc_certify_status cfc__run_fail(cfc_certify_error *err, cfc_certify_status st, const char *fmt,
                                 const char *arg);
/* PASS in percent of the cases run, rounded down (rule C4: NON-STRICT is
 * counted apart), for both roles. */
unsigned cfc__run_score(size_t pass, size_t n_results);
/* A run stopped before the adapter said hello names the implementation
 * "(not started)": false on out of memory. */
bool cfc__session_unnamed(const cfc_allocator *a, char **name, char **language, char **version);
/* How long the adapter gets after the end of its output to exit by itself. */
#define CFC__EOF_GRACE_MS 1000

/* ---- what the reports of both roles share (certify_report.c) ----------------- */

/* A JSON string, or null for NULL. */
void cfc__report_jstr(cfc__buf *b, const char *s);
/* Text escaped for HTML (invalid UTF-8 as U+FFFD). */
void cfc__report_html(cfc__buf *b, const char *s);
/* Text in a Markdown table cell: no line breaks, pipes, HTML or emphasis;
 * cut with an ellipsis at about max bytes. */
void cfc__report_md(cfc__buf *b, const char *s, size_t max);
/* The run's start as an RFC 3339 UTC timestamp (the epoch if it has none). */
void cfc__report_started(int64_t started_ms, char out[25]);
/* An HTML report's page: the head up to its title (TITLE NAME VERSION; the
 * caller may add to it), then cfc__report_html_style closes the title and
 * opens the style sheet with the rules both pages share and `own`; the
 * caller adds any others, then "</style>\n</head>\n<body>\n". */
void cfc__report_html_head(cfc__buf *b, const char *title, const char *name, const char *version);
void cfc__report_html_style(cfc__buf *b, const char *own);
/* The verdict badge's class: "partial interrupted", "partial",
 * "certified", "not-certified". */
const char *cfc__report_verdict_class(bool stopped, bool partial, bool certified);

/* A run that ended before its last case, as every report says it. */
typedef struct cfc__stop_mark {
    bool stopped, deadline; /* deadline: --deadline passed; else a signal */
    int stop_signal;
    size_t n_results, n_selected;
    uint32_t elapsed_ms;
} cfc__stop_mark;

/* "Interrupted by SIGINT after 3 of 37 cases", "Stopped at the run's
 * deadline after 3 of 37 cases" (plain ASCII: no format escapes it). */
void cfc__report_stopped_text(cfc__buf *b, const cfc__stop_mark *m, bool capital);
/* The JSON members "interrupted":BOOL,"stopped":{reason, signal, cases_run,
 * cases_selected, says} or null. */
void cfc__report_stopped_json(cfc__buf *b, const cfc__stop_mark *m);
/* For a stopped run, a JUnit testsuite `suite` of one error testcase, "the
 * run" (a CI reporter shows it red, never "3 tests passed"); nothing
 * otherwise. The totals of <testsuites> count it (+1 test, +1 error). */
void cfc__report_junit_stopped(cfc__buf *b, const cfc__stop_mark *m, const char *suite);

/* ---- grading ----------------------------------------------------------------- */

/* Accumulates one case's verdict, messages and diff while it is graded. */
typedef struct cfc__grade {
    const cfc_allocator *alloc;
    cfc_verdict verdict;
    char **messages;
    size_t n_messages, cap_messages;
    char **diff;
    size_t n_diff, cap_diff;
    bool nomem;
    const char *prefix; /* "step 3: " for scenarios, or "" */
    /* Past CFC_CERT_KEEP_FINDINGS: counted, said by cfc__grade_finish. */
    size_t dropped_messages, dropped_diff;
} cfc__grade;

void cfc__grade_init(cfc__grade *g, const cfc_allocator *a);
/* Raises the verdict to at least v (PASS < NON-STRICT < FAIL) and records
 * why: every finding whole, up to CFC_CERT_KEEP_FINDINGS per case, then
 * only one of a rule not kept yet (the others are counted). */
void cfc__grade_note(cfc__grade *g, cfc_verdict v, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void cfc__grade_diff(cfc__grade *g, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Says how many findings and diff lines were not kept, if any. */
void cfc__grade_finish(cfc__grade *g);
void cfc__grade_free(cfc__grade *g);

/* One case's events, checked one at a time (single-event rules), or as a
 * stream (scenarios: the stream rules too). */
typedef struct cfc__events cfc__events;
cfc__events *cfc__events_new(const cfc_allocator *a, const cfc_cert_case *c);
void cfc__events_free(cfc__events *e);
/* Starts the case's events again as if made anew by cfc__events_new (a
 * scenario's stream from its start), keeping the checker and the parser
 * with their buffers: the adapter-protocol fuzz target grades every input
 * against the same cases. Returns false on out of memory (then the events
 * must only be freed). */
bool cfc__events_restart(cfc__events *e, const cfc_cert_case *c);

/* Grades one step's reply (its outcome was not NONE or UNIMPLEMENTED).
 * Returns false on out of memory. */
bool cfc__grade_step(cfc__grade *g, cfc__events *ev, const cfc_cert_step *step,
                     const cfc_cert_reply *reply, int64_t tolerance_ms);

#endif
