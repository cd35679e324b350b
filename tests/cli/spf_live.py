#!/usr/bin/env python3
"""Live SPF fixtures: run fixtures/spf/<NAME> through authscope-spf against the nsd that
tests/live/with-nsd started (its address in $AUTHSCOPE_TEST_RESOLVER), never a snapshot, and
compare with <NAME>.expected.json exactly as tests/cli/golden.py does.

Usage: spf_live.py BIN_DIR FIXTURES_DIR NAME [--blackhole RESULT EXIT]
With --blackhole the resolver is $AUTHSCOPE_TEST_BLACKHOLE (a port that never answers) and only
the result word and the exit status are checked.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import check, fixture_args, load_expected  # noqa: E402


def main():
    bin_dir, fixtures_dir, name = sys.argv[1:4]
    blackhole = len(sys.argv) > 4 and sys.argv[4] == "--blackhole"
    base = os.path.join(fixtures_dir, "spf", name)
    server = os.environ["AUTHSCOPE_TEST_BLACKHOLE" if blackhole else "AUTHSCOPE_TEST_RESOLVER"]
    cmd = [os.path.join(bin_dir, "authscope-spf"), "--json", "--resolver", server,
           "--dns-timeout", "1" if blackhole else "3", "--dns-retries", "0"] + fixture_args(base, fixtures_dir)
    if os.path.exists(base + ".eml"):
        cmd.append(base + ".eml")
    expected = {"result": sys.argv[5], "_exit": int(sys.argv[6])} if blackhole else load_expected(base)
    return check(cmd, expected, f"live spf/{name}" + (" (blackhole)" if blackhole else ""))


if __name__ == "__main__":
    sys.exit(main())
