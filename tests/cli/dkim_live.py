#!/usr/bin/env python3
"""Live DKIM fixtures: run fixtures/dkim/<NAME>.eml through authscope-dkim against the nsd that
tests/live/with-nsd started (its address in $AUTHSCOPE_TEST_RESOLVER), never a snapshot, and
compare with <NAME>.expected.json with tests/cli/golden.py's subset comparison.

Usage: dkim_live.py BIN_DIR FIXTURES_DIR NAME [--blackhole]
With --blackhole the resolver is $AUTHSCOPE_TEST_BLACKHOLE (a port that never answers, a 1 s
time-out, no retry): every key query times out, so the result must be temperror/dns-temperror
with exit status 4, whatever the fixture's own expectation.
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
    base = os.path.join(fixtures_dir, "dkim", name)
    args = []
    if os.path.exists(base + ".args"):
        with open(base + ".args", encoding="utf-8") as f:
            args = shlex.split(f.read().strip().replace("{fixtures}", fixtures_dir))
    server = os.environ["AUTHSCOPE_TEST_BLACKHOLE" if blackhole else "AUTHSCOPE_TEST_RESOLVER"]
    cmd = [os.path.join(bin_dir, "authscope-dkim"), "--json", "--resolver", server,
           "--dns-timeout", "1" if blackhole else "3", "--dns-retries", "0"] + args + [base + ".eml"]
    if blackhole:
        expected = {"_exit": 4, "result": "temperror", "reason": {"code": "dns-temperror"},
                    "signatures": [{"result": "temperror", "reason": {"code": "dns-temperror"}, "key_dns": "timeout"}]}
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
        try:
            problems += subset(expected, json.loads(lines[0]))
        except json.JSONDecodeError as e:
            problems.append(f"output is not JSON: {e}")
    if problems:
        print("command:", " ".join(shlex.quote(c) for c in cmd))
        print("stdout:", out[:4000])
        print("stderr:", proc.stderr.decode("utf-8", "replace")[:2000])
        for p in problems:
            print("MISMATCH", p)
        return 1
    print(f"ok live dkim/{name}" + (" (blackhole)" if blackhole else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
