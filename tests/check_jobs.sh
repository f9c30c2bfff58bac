#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cfconform check --jobs N` gives the bytes and exit code of one job on the
# inputs that exercise how the threads split the input (conformance/cli/
# check_jobs.c reads blocks of 64 KiB, cut after their last newline): lines
# straddling blocks, a line longer than a block but within the limit, lines
# over the limit longer than a block (counted, never kept; with CRLF; at the
# end without newline), blank and CRLF lines, stream findings after block
# boundaries, and stdin through a pipe that pauses. check_identity.sh covers
# the corpus and generated files; this covers the boundaries.
#
#   tests/check_jobs.sh CFCONFORM
set -euo pipefail
cfc=$(realpath "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
export LC_ALL=C
py=/usr/bin/python3

"$cfc" generate --stream --count 4000 --seed 5 > stream.ndjson
"$cfc" generate --count 3000 --seed 9 --mix 0.3 > mixed.ndjson

# edges.ndjson: the stream, with inserted after every few hundred lines one
# of the awkward lines, so that they fall at every place in a block.
"$py" - stream.ndjson mixed.ndjson > edges.ndjson << 'EOF'
import json, sys
stream = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
mixed = open(sys.argv[2], "rb").read().split(b"\n")[:-1]
ev = json.loads(stream[5])
ev["extra_note"] = "x" * 300000            # longer than a block, within 1 MiB
long_ok = json.dumps(ev).encode()
awkward = [
    long_ok,
    b"",                                   # blank
    b" \t ",                               # blank
    b"{" + b"\"a\":1," * 400000 + b"\"b\":2}",  # over 1 MiB, longer than a block
    b"y" * (3 << 20) + b"\r",              # over the limit, CRLF
    b" " * (2 << 20),                      # over the limit, only spaces
    b"x" * ((1 << 20) + 1),                # one past the limit
    b"x" * (1 << 20),                      # exactly the limit
    stream[40] + b"\r",                    # CRLF
    stream[3],                             # out of order: stream findings
    b"\r",
]
out = []
k = 0
for i, line in enumerate(stream):
    out.append(line)
    if i % 97 == 0:
        out.append(mixed[i % len(mixed)])
    if i % 331 == 7:
        out.append(awkward[k % len(awkward)])
        k += 1
sys.stdout.buffer.write(b"\n".join(out) + b"\n")
EOF
# The same without a final newline, and ending in a line over the limit.
head -c -1 edges.ndjson > no-newline.ndjson
{ cat stream.ndjson; head -c $((3 << 20)) /dev/zero | tr '\0' z; } > big-last.ndjson
{ cat stream.ndjson; head -c $((3 << 20)) /dev/zero | tr '\0' z; printf '\r'; } > big-last-cr.ndjson
# A line over the limit first; and lines ending exactly at 64 KiB and 256 KiB.
{ head -c $((2 << 20)) /dev/zero | tr '\0' q; printf '\n'; cat mixed.ndjson; } > big-first.ndjson
"$py" - > exact.ndjson << 'EOF'
import sys
line = b'{"type":"progress_update","project_id":1,"completed":1,"total":2,"percentage":50,"timestamp":"2025-11-08T14:30:49.714Z"'
for size in (64 << 10, 256 << 10):
    pad = size - len(line) - 2  # each line exactly `size` bytes with "}\n"
    sys.stdout.buffer.write((line + b"," + b'"p":"' + b"p" * (pad - 7) + b'"}\n') * 3)
EOF
# Many small events to a block, and among them events the stream has a
# finding for (progress going back), events with findings of their own and
# a line that is not an object: a block's clean events, whose reports the
# threads render, are written in runs broken by the events reported here.
"$py" - > small.ndjson << 'EOF'
import sys
out = []
for i in range(24000):
    done = i % 100 if i % 7 else 0
    out.append(b'{"type":"progress_update","project_id":1,"completed":%d,"total":100,'
               b'"percentage":%d,"timestamp":"2025-11-08T14:30:49.714Z"}' % (done, done))
    if i % 1013 == 0:
        out.append(b'[1]')
    if i % 577 == 0:
        out.append(b'{"type":"progress_update","project_id":1}')
sys.stdout.buffer.write(b"\n".join(out) + b"\n")
EOF
: > empty.ndjson
printf '\n\n \r\n' > blank.ndjson

fail=0
compare() { # NAME, then the arguments after `check`; stdin from $stdin_from
  local name=$1
  shift
  local rc1=0
  "$cfc" check --jobs 1 "$@" < "${stdin_from:-/dev/null}" > out1 2> /dev/null || rc1=$?
  if [ ! -s out1 ] && [ "$name" != empty ] && [[ "$*" != *--quiet* ]]; then
    echo "FAIL: $name: one job printed nothing (the test checks nothing)"
    fail=1
  fi
  for j in 2 3; do
    local rcj=0
    "$cfc" check --jobs "$j" "$@" < "${stdin_from:-/dev/null}" > outj 2> /dev/null || rcj=$?
    if ! cmp -s out1 outj || [ "$rc1" != "$rcj" ]; then
      echo "FAIL: $name: --jobs $j differs from one job (exit $rcj vs $rc1)"
      diff <(head -c 20000 out1) <(head -c 20000 outj) | head -10 || true
      fail=1
    fi
  done
}

for f in edges no-newline big-last big-last-cr big-first exact empty blank small; do
  for fmt in text json junit; do
    compare "$f-$fmt" --format "$fmt" "$f.ndjson"
  done
done
compare edges-quiet --quiet edges.ndjson
compare edges-strict --format json --strict --from-start --project 1 edges.ndjson
compare edges-events --events --format json edges.ndjson
compare edges-small-limit --format json --max-event-bytes 300 edges.ndjson
compare edges-big-limit --format json --max-event-bytes 5000000 edges.ndjson
compare several-files --format json edges.ndjson big-first.ndjson empty.ndjson exact.ndjson
stdin_from=edges.ndjson compare stdin-file --format json -
compare small-quiet-json --quiet --format json small.ndjson
compare small-events-junit --events --format junit small.ndjson
compare several-files-junit --format junit small.ndjson big-first.ndjson edges.ndjson

# With a --report file beside stdout, the events are reported one by one
# (no rendering on the threads): both reports are still one job's.
for j in 1 2; do
  "$cfc" check --jobs "$j" --format json --report junit=report$j.xml small.ndjson \
    > "stdout$j" 2> /dev/null || true
done
cmp -s stdout1 stdout2 && cmp -s report1.xml report2.xml ||
  { echo "FAIL: --report beside stdout differs with 2 jobs"; fail=1; }
grep -q '<testcase' report1.xml || { echo "FAIL: the --report file has no testcase"; fail=1; }

# Through a pipe, fast and with pauses (a live producer): the threads read
# what is there, and deliver what they hold when the input pauses.
for j in 1 2; do
  rc=0
  cat edges.ndjson | "$cfc" check --jobs "$j" --format json - > "pipe$j" 2> /dev/null || rc=$?
  echo "$rc" >> "pipe$j"
  rc=0
  "$py" -c '
import sys, time
lines = open("mixed.ndjson", "rb").read().split(b"\n")
for i, line in enumerate(lines[:300]):
    sys.stdout.buffer.write(line + b"\n")
    if i % 50 == 0:
        sys.stdout.flush()
        time.sleep(0.05)
' | "$cfc" check --jobs "$j" --format json - > "slow$j" 2> /dev/null || rc=$?
  echo "$rc" >> "slow$j"
done
cmp -s pipe1 pipe2 || { echo "FAIL: a pipe read by 2 jobs differs from one job"; fail=1; }
cmp -s slow1 slow2 || { echo "FAIL: a pausing pipe read by 2 jobs differs from one job"; fail=1; }
[ "$(wc -l < slow1)" -gt 250 ] || { echo "FAIL: the pausing pipe's events were not checked"; fail=1; }

[ "$fail" = 0 ] && echo "check --jobs: identical to one job on every boundary case"
exit "$fail"
