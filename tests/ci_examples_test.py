#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Runs the commands of docs/ci.md's GitHub Actions and GitLab CI examples,
as written, against the demo producer: once conforming (every step passes,
the reports validate), once with a broken event appended (the check step
fails with exit 1 and the reports still say why).

    ci_examples_test.py SOURCE_DIR BUILD_DIR

Steps that install cfconform are skipped: the build's cfconform is first on
PATH instead. ./emit-events is the demo producer (cfc-demo --fixed-clock).
Standard library only."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

src, build = sys.argv[1], sys.argv[2]
doc = open(os.path.join(src, "docs", "ci.md"), encoding="utf-8").read()
BROKEN = '{"type":"task_blocked","project_id":1,"task_id":7,"blocked_by":[3],"blocked_count":2,"timestamp":"2025-01-01T00:00:00.000Z"}'


def example(name):
    m = re.search(r"<!-- ci-example: %s -->\s*```yaml\n(.*?)```" % name, doc, re.S)
    assert m, f"docs/ci.md has no '{name}' example"
    return m.group(1).splitlines()


def github_steps(lines):
    """(name, command, always) for each step with a run: key."""
    steps, i, name = [], 0, None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*- (?:name|uses): (.*)", line)
        if m:
            name = m.group(1)
        m = re.match(r"(\s*)run: (.*)", line)
        if m:
            indent, rest = len(m.group(1)), m.group(2)
            if rest.strip() == "|":
                body = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    body.append(lines[i])
                    i += 1
                width = min(len(b) - len(b.lstrip()) for b in body if b.strip())
                steps.append([name, "\n".join(b[width:] for b in body), False])
                continue
            steps.append([name, rest, False])
        i += 1
    # A step runs after a failure when its own lines say `if: always()`.
    for s in steps:
        block = "\n".join(lines)
        part = block.split(f"- name: {s[0]}", 1)[-1].split("\n      - ", 1)[0]
        s[2] = "if: always()" in part
    return [tuple(s) for s in steps if not s[0].startswith("Install")]


def gitlab_steps(lines):
    out, in_script = [], False
    for line in lines:
        if re.match(r"\s*script:\s*$", line):
            in_script = True
            continue
        if in_script:
            m = re.match(r"\s*- (.*)", line)
            if not m:
                break
            out.append(("script", m.group(1), False))
    return out


def run(steps, broken, want_fail_step):
    tmp = tempfile.mkdtemp(prefix="cfc-ci-")
    try:
        producer = os.path.join(tmp, "emit-events")
        with open(producer, "w") as f:
            f.write("#!/bin/sh\n%s --fixed-clock\n" % os.path.join(build, "cfc-demo"))
            if broken:
                f.write("echo '%s'\n" % BROKEN)
        os.chmod(producer, 0o755)
        env = dict(os.environ, PATH=build + os.pathsep + os.environ["PATH"],
                   GITHUB_STEP_SUMMARY=os.path.join(tmp, "summary.md"))
        failed = False
        for name, cmd, always in steps:
            if failed and not always:
                continue
            rc = subprocess.run(["bash", "-eo", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                stdout=subprocess.DEVNULL).returncode
            print(f"  step {name!r}: exit {rc}")
            if name == want_fail_step or (want_fail_step and cmd.startswith(want_fail_step)):
                assert rc == (1 if broken else 0), f"{name}: exit {rc}"
            else:
                assert rc == 0, f"step {name!r} failed ({rc}): {cmd}"
            failed = failed or rc != 0
        return tmp
    except BaseException:
        shutil.rmtree(tmp)
        raise


def check_reports(tmp, broken, files):
    if "cfconform.sarif" in files:
        r = subprocess.run(["node", os.path.join(src, "tests", "js", "validate_sarif.cjs"),
                            os.path.join(src, "tools", "npm"), os.path.join(tmp, "cfconform.sarif")])
        assert r.returncode == 0, "the SARIF report does not validate"
        results = json.load(open(os.path.join(tmp, "cfconform.sarif")))["runs"][0]["results"]
        assert (len(results) > 0) == broken, f"{len(results)} SARIF results"
    if "cfconform.xml" in files:
        r = subprocess.run(["xmllint", "--noout", "--schema", os.path.join(src, "tests", "junit.xsd"),
                            os.path.join(tmp, "cfconform.xml")], stderr=subprocess.DEVNULL)
        assert r.returncode == 0, "the JUnit report does not validate"
    if "cfconform.jsonl" in files:
        last = open(os.path.join(tmp, "cfconform.jsonl")).read().splitlines()[-1]
        assert (json.loads(last)["summary"]["errors"] > 0) == broken
    summary = os.path.join(tmp, "summary.md" if "summary.md" in files else "cfconform.md")
    head = open(summary).readline()
    want = r"### cfconform: 1 of \d+ events have errors" if broken else r"### cfconform: all \d+ events conform"
    assert re.match(want, head), f"summary heading: {head!r}"


gh = github_steps(example("github"))
assert [s[0] for s in gh] == ["Record the producer's events", "Check them", "Job summary"], gh
gl = gitlab_steps(example("gitlab"))
assert len(gl) == 2 and gl[1][1].startswith("cfconform check"), gl
for broken in (False, True):
    print(f"github ({'broken' if broken else 'conforming'}):")
    tmp = run(gh, broken, "Check them")
    check_reports(tmp, broken, ["cfconform.sarif", "cfconform.xml", "summary.md"])
    shutil.rmtree(tmp)
    print(f"gitlab ({'broken' if broken else 'conforming'}):")
    tmp = run(gl, broken, "cfconform check")
    check_reports(tmp, broken, ["cfconform.xml", "cfconform.jsonl", "cfconform.md"])
    shutil.rmtree(tmp)
print("ci examples: ok")
