/* SPDX-License-Identifier: MIT */
/* fuzz-exec's failure signatures (fuzz/exec/fuzz_exec_sig.c) on real
 * reports: what went wrong (the exception line, the sanitizer's SUMMARY)
 * and where (the innermost frame of the decoder's own code). Before, the
 * last stderr line told failures apart: "Node.js v20.20.2" for every Node
 * exception, so distinct bugs were one failure. */
#include <criterion/criterion.h>
#include <string.h>

#include "fuzz_exec_sig.h"

static fx_signature sig_of(const char *text)
{
    fx_signature s;
    fx_signature_of(text, strlen(text), &s);
    return s;
}

#define NODE_TYPE_ERROR(line)                                                                      \
    "/x/decoder.js:13\n"                                                                           \
    "  return ev.blocked_by.map((id) => Number(id));\n"                                            \
    "                       ^\n"                                                                   \
    "\n"                                                                                           \
    "TypeError: Cannot read properties of undefined (reading 'map')\n"                             \
    "    at blockers (/x/decoder.js:" line ":24)\n"                                                \
    "    at Interface.<anonymous> (/x/decoder.js:29:76)\n"                                         \
    "    at Interface.emit (node:events:524:28)\n"                                                 \
    "    at [_onLine] [as _onLine] (node:internal/readline/interface:419:12)\n"                    \
    "\n"                                                                                           \
    "Node.js v20.20.2\n"

#define NODE_RANGE_ERROR(count)                                                                    \
    "/x/decoder.js:18\n"                                                                           \
    "  return '='.repeat(ev.total - ev.completed);\n"                                              \
    "             ^\n"                                                                             \
    "\n"                                                                                           \
    "RangeError: Invalid count value: " count "\n"                                                 \
    "    at String.repeat (<anonymous>)\n"                                                         \
    "    at remaining (/x/decoder.js:18:14)\n"                                                     \
    "    at Interface.<anonymous> (/x/decoder.js:30:79)\n"                                         \
    "    at Interface.emit (node:events:524:28)\n"                                                 \
    "\n"                                                                                           \
    "Node.js v20.20.2\n"

Test(fuzz_exec_sig, node_exception_line_and_own_frame)
{
    fx_signature t = sig_of(NODE_TYPE_ERROR("13"));
    cr_expect_str_eq(t.headline, "TypeError: Cannot read properties of undefined (reading 'map')");
    cr_expect_str_eq(t.kind, "TypeError");
    cr_expect_str_eq(t.frame, "/x/decoder.js:13:24 (blockers)");
    /* String.repeat (<anonymous>) is Node's, not the decoder's. */
    fx_signature r = sig_of(NODE_RANGE_ERROR("-4"));
    cr_expect_str_eq(r.headline, "RangeError: Invalid count value: -4");
    cr_expect_str_eq(r.frame, "/x/decoder.js:18:14 (remaining)");
    cr_expect_str_neq(t.key, r.key);
    cr_expect_null(strstr(t.key, "Node.js"));
}

Test(fuzz_exec_sig, one_bug_one_key_whatever_the_input_said)
{
    /* The count in the message comes from the input: the same bug. */
    cr_expect_str_eq(sig_of(NODE_RANGE_ERROR("-4")).key, sig_of(NODE_RANGE_ERROR("-1917")).key);
    /* The same exception at another line: another bug. */
    cr_expect_str_neq(sig_of(NODE_TYPE_ERROR("13")).key, sig_of(NODE_TYPE_ERROR("41")).key);
}

#define PY_TRACE(exc, line)                                                                        \
    "Traceback (most recent call last):\n"                                                         \
    "  File \"/x/decoder.py\", line 36, in <module>\n"                                             \
    "    blockers(ev)\n"                                                                           \
    "  File \"/x/decoder.py\", line " line ", in blockers\n"                                       \
    "    ids[i] = b\n"                                                                             \
    "    ~~~^^^\n" exc "\n"

Test(fuzz_exec_sig, python_exception_line_not_traceback)
{
    fx_signature s = sig_of(PY_TRACE("IndexError: list assignment index out of range", "18"));
    cr_expect_str_eq(s.headline, "IndexError: list assignment index out of range");
    cr_expect_str_eq(s.kind, "IndexError");
    cr_expect_str_eq(s.frame, "/x/decoder.py:18 (in blockers)");
    cr_expect_str_neq(s.key, sig_of(PY_TRACE("ZeroDivisionError: division by zero", "18")).key);
    cr_expect_str_neq(s.key,
                      sig_of(PY_TRACE("IndexError: list assignment index out of range", "25")).key);
    /* A KeyError's message is the key, from the input: the same bug. */
    cr_expect_str_eq(sig_of(PY_TRACE("KeyError: 'a'", "18")).key,
                     sig_of(PY_TRACE("KeyError: 'zzz'", "18")).key);
}

Test(fuzz_exec_sig, python_innermost_own_frame_and_chained_exceptions)
{
    fx_signature s = sig_of("Traceback (most recent call last):\n"
                            "  File \"/x/dec.py\", line 9, in <module>\n"
                            "    ev = json.loads(raw)\n"
                            "KeyError: 'type'\n"
                            "\n"
                            "During handling of the above exception, another exception occurred:\n"
                            "\n"
                            "Traceback (most recent call last):\n"
                            "  File \"/x/dec.py\", line 12, in <module>\n"
                            "    ev = json.loads(raw)\n"
                            "  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n"
                            "    return _default_decoder.decode(s)\n"
                            "  File \"/usr/lib/python3.11/json/decoder.py\", line 337, in decode\n"
                            "    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n"
                            "RecursionError: maximum recursion depth exceeded\n");
    cr_expect_str_eq(s.headline, "RecursionError: maximum recursion depth exceeded");
    cr_expect_str_eq(s.frame, "/x/dec.py:12 (in <module>)");
}

#define ASAN                                                                                       \
    "=================================================================\n"                          \
    "==25493==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000014 at pc "      \
    "0x7feefa648061 bp 0x7ffcfcd34440 sp 0x7ffcfcd33bf0\n"                                         \
    "WRITE of size 10 at 0x602000000014 thread T0\n"                                               \
    "    #0 0x7feefa648060 in __interceptor_memcpy "                                               \
    "../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827\n"        \
    "    #1 0x558ac1c43274 in main /tmp/fx/a.c:3\n"                                                \
    "    #2 0x7feef9c45249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58\n"  \
    "\n"                                                                                           \
    "SUMMARY: AddressSanitizer: heap-buffer-overflow "                                             \
    "../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827 in "      \
    "__interceptor_memcpy\n"                                                                       \
    "Shadow bytes around the buggy address:\n"                                                     \
    "  0x0c047fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"                          \
    "==25493==ABORTING\n"

Test(fuzz_exec_sig, sanitizer_summary_and_first_frame_of_the_program)
{
    fx_signature s = sig_of(ASAN);
    cr_expect(strncmp(s.headline, "SUMMARY: AddressSanitizer: heap-buffer-overflow ", 48) == 0,
              "%s", s.headline);
    cr_expect_str_eq(s.kind, "heap-buffer-overflow");
    cr_expect_str_eq(s.frame, "/tmp/fx/a.c:3 (main)");
    cr_expect_null(strstr(s.key, "ABORTING"));

    fx_signature leak =
        sig_of("==7==ERROR: LeakSanitizer: detected memory leaks\n\n"
               "Direct leak of 48 byte(s) in 1 object(s) allocated from:\n"
               "    #0 0x7f in __interceptor_malloc "
               "../../../../src/libsanitizer/asan/asan_malloc_linux.cpp:69\n"
               "    #1 0x55 in decode_event /src/dec.c:41\n\n"
               "SUMMARY: AddressSanitizer: 48 byte(s) leaked in 1 allocation(s).\n");
    cr_expect_str_eq(leak.kind, "leak");
    cr_expect_str_eq(leak.frame, "/src/dec.c:41 (decode_event)");

    fx_signature ub = sig_of("dec.c:3:92: runtime error: signed integer overflow: 2147483647 + 1 "
                             "cannot be represented in type 'int'\n");
    cr_expect_str_eq(ub.kind, "runtime error");
    cr_expect_str_eq(ub.frame, "dec.c:3:92");
    cr_expect_str_eq(ub.key, sig_of("dec.c:3:92: runtime error: signed integer overflow: 5 + "
                                    "2147483647 cannot be represented in type 'int'\n")
                                 .key);
}

Test(fuzz_exec_sig, go_and_rust_panics)
{
    fx_signature g = sig_of("panic: assignment to entry in nil map\n\n"
                            "goroutine 1 [running]:\n"
                            "runtime.mapassign_faststr(0x4b8e20, 0x0, 0x4d1b2a, 0x3, 0x0)\n"
                            "\t/usr/lib/go/src/runtime/map_faststr.go:211 +0x3ea\n"
                            "main.decode({0xc000012345, 0x10})\n"
                            "\t/home/u/dec/main.go:14 +0x1d\n"
                            "main.main()\n"
                            "\t/home/u/dec/main.go:30 +0x85\n"
                            "exit status 2\n");
    cr_expect_str_eq(g.headline, "panic: assignment to entry in nil map");
    cr_expect_str_eq(g.frame, "/home/u/dec/main.go:14 (main.decode)");
    fx_signature r = sig_of("\nthread 'main' panicked at src/main.rs:5:9:\n"
                            "index out of bounds: the len is 3 but the index is 5\n"
                            "note: run with `RUST_BACKTRACE=1` environment variable to display a "
                            "backtrace\n");
    cr_expect_str_eq(r.kind, "panic");
    cr_expect_str_eq(r.frame, "src/main.rs:5:9");
    cr_expect_not_null(strstr(r.headline, "index out of bounds"), "%s", r.headline);
}

Test(fuzz_exec_sig, otherwise_the_last_line_that_says_something)
{
    fx_signature s = sig_of("decoding...\nfatal: bad type 17\n\nNode.js v20.20.2\n");
    cr_expect_str_eq(s.headline, "fatal: bad type 17");
    cr_expect_str_eq(s.key, "fatal");
    fx_signature e = sig_of("");
    cr_expect_str_eq(e.headline, "");
    cr_expect_str_eq(e.key, "");
    /* Any bytes: NULs, invalid UTF-8, no final newline. */
    static const char junk[] = "\xff\xfe\0\x01Traceback (most recent call last):\n  File \"";
    fx_signature j;
    fx_signature_of(junk, sizeof junk - 1, &j);
    for (const char *c = j.headline; *c; c++)
        cr_expect(*c >= 0x20 && *c < 0x7F);
}
