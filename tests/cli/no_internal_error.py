#!/usr/bin/env python3
"""Every tool over every fixture message and the real-mail corpus: no bug may show.

Usage: no_internal_error.py BIN_DIR SOURCE_DIR SHARED_DIR TOOL [STRIDE]

Runs BIN_DIR/authscope-TOOL --json --jobs 2 --dns-from tests/unit/data/empty.zone (offline: every
name is NXDOMAIN) over every fixtures/**/*.eml, tests/cli/data/hostile/*.eml and, when it is
present, every STRIDE-th file of SHARED_DIR/corpora/phishing-pot/mail (STRIDE 1: all of them).
TOOL "report-read" is `authscope-report --read`. Asserts: the exit status is 0-4 (never above 4,
never a signal), stderr never says "internal error" (an exception reached the runner: a bug), and
stdout has exactly one JSON object per sample, each naming its file.
"""
import glob
import json
import os
import subprocess
import sys
import time


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__)
    bin_dir, src, shared, tool = sys.argv[1:5]
    stride = int(sys.argv[5]) if len(sys.argv) == 6 else 1
    files = sorted(glob.glob(os.path.join(src, "fixtures", "**", "*.eml"), recursive=True))
    files += sorted(glob.glob(os.path.join(src, "tests", "cli", "data", "hostile", "*.eml")))
    corpus = os.path.join(shared, "corpora", "phishing-pot", "mail")
    if os.path.isdir(corpus):
        names = sorted(n for n in os.listdir(corpus) if os.path.isfile(os.path.join(corpus, n)))
        files += [os.path.join(corpus, n) for n in names[::stride]]
    else:
        print("note: %s is absent: the real-mail corpus part is skipped (fixtures only)" % corpus)
    exe, extra = ("authscope-report", ["--read"]) if tool == "report-read" else ("authscope-" + tool, [])
    cmd = [os.path.join(bin_dir, exe), "--json", "--jobs", "2",
           "--dns-from", os.path.join(src, "tests", "unit", "data", "empty.zone")] + extra + files
    start = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
    took = time.monotonic() - start
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    problems = []
    if proc.returncode < 0:
        problems.append("killed by signal %d" % -proc.returncode)
    elif proc.returncode > 4:
        problems.append("exit status %d (the contract allows 0-4)" % proc.returncode)
    bugs = [l for l in err.splitlines() if "internal error" in l]
    problems += ["stderr: " + l for l in bugs[:20]]
    seen = {}
    lines = out.splitlines()
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append("stdout line %d is not JSON (%s): %s" % (n, e, line[:200]))
            continue
        if not isinstance(obj, dict) or "file" not in obj or "result" not in obj:
            problems.append("stdout line %d lacks file/result: %s" % (n, line[:200]))
            continue
        seen[obj["file"]] = seen.get(obj["file"], 0) + 1
    for f in files:
        if seen.get(f, 0) != 1:
            problems.append("%s: %d JSON lines, expected exactly one" % (f, seen.get(f, 0)))
    extra_files = sorted(set(seen) - set(files))
    problems += ["unexpected JSON line for %s" % f for f in extra_files[:20]]
    print("%s: %d samples, %d JSON lines, exit status %d, %.1f s" % (tool, len(files), len(lines),
                                                                    proc.returncode, took))
    if problems:
        for p in problems[:60]:
            print("PROBLEM", p)
        if len(problems) > 60:
            print("... and %d more" % (len(problems) - 60))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
