#!/usr/bin/env python3
"""Live SPF fixtures: run fixtures/spf/<NAME> through authscope-spf against the nsd that
tests/live/with-nsd started (its address in $AUTHSCOPE_TEST_RESOLVER), never a snapshot, and
compare with <NAME>.expected.json exactly as tests/cli/golden.py does.

Usage: spf_live.py BIN_DIR FIXTURES_DIR NAME [--blackhole RESULT EXIT]
With --blackhole the resolver is $AUTHSCOPE_TEST_BLACKHOLE (a port that never answers) and only
the result word and the exit status are checked.
"""
import json
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import subset  # noqa: E402


def main():
    bin_dir, fixtures_dir, name = sys.argv[1:4]
    blackhole = len(sys.argv) > 4 and sys.argv[4] == "--blackhole"
    base = os.path.join(fixtures_dir, "spf", name)
    args = []
    if os.path.exists(base + ".args"):
        with open(base + ".args", encoding="utf-8") as f:
            args = shlex.split(f.read().strip().replace("{fixtures}", fixtures_dir))
    server = os.environ["AUTHSCOPE_TEST_BLACKHOLE" if blackhole else "AUTHSCOPE_TEST_RESOLVER"]
    cmd = [os.path.join(bin_dir, "authscope-spf"), "--json", "--resolver", server,
           "--dns-timeout", "1" if blackhole else "3", "--dns-retries", "0"] + args
    if os.path.exists(base + ".eml"):
        cmd.append(base + ".eml")
    if blackhole:
        expected = {"result": sys.argv[5], "_exit": int(sys.argv[6])}
    else:
        with open(base + ".expected.json", encoding="utf-8") as f:
            expected = json.load(f)
    want_exit = expected.pop("_exit", None)
    proc = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "replace")
    problems = []
    if want_exit is not None and proc.returncode != want_exit:
        problems.append(f"exit status {proc.returncode}, expected {want_exit}")
    lines = [l for l in out.splitlines() if l.strip()]
    if len(lines) != 1:
        problems.append(f"expected one JSON line, got {len(lines)}")
    else:
        problems += subset(expected, json.loads(lines[0]))
    if problems:
        print("command:", " ".join(shlex.quote(c) for c in cmd))
        print("stdout:", out[:4000])
        print("stderr:", proc.stderr.decode("utf-8", "replace")[:2000])
        for p in problems:
            print("MISMATCH", p)
        return 1
    print(f"ok live spf/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
