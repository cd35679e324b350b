#!/usr/bin/env python3
"""Live DKIM fixtures: run fixtures/dkim/<NAME>.eml through authscope-dkim against the nsd that
tests/live/with-nsd started (its address in $AUTHSCOPE_TEST_RESOLVER), never a snapshot, and
compare with <NAME>.expected.json with tests/cli/golden.py's subset comparison.

Usage: dkim_live.py BIN_DIR FIXTURES_DIR NAME [--blackhole]
With --blackhole the resolver is $AUTHSCOPE_TEST_BLACKHOLE (a port that never answers, a 1 s
time-out, no retry): every key query times out, so the result must be temperror/dns-temperror
with exit status 4, whatever the fixture's own expectation.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import check, fixture_args, load_expected  # noqa: E402


def main():
    bin_dir, fixtures_dir, name = sys.argv[1:4]
    blackhole = len(sys.argv) > 4 and sys.argv[4] == "--blackhole"
    base = os.path.join(fixtures_dir, "dkim", name)
    server = os.environ["AUTHSCOPE_TEST_BLACKHOLE" if blackhole else "AUTHSCOPE_TEST_RESOLVER"]
    cmd = [os.path.join(bin_dir, "authscope-dkim"), "--json", "--resolver", server,
           "--dns-timeout", "1" if blackhole else "3", "--dns-retries", "0"] + fixture_args(base, fixtures_dir)
    cmd.append(base + ".eml")
    expected = {"_exit": 4, "result": "temperror", "reason": {"code": "dns-temperror"},
                "signatures": [{"result": "temperror", "reason": {"code": "dns-temperror"}, "key_dns": "timeout"}]} if blackhole else load_expected(base)
    return check(cmd, expected, f"live dkim/{name}" + (" (blackhole)" if blackhole else ""))


if __name__ == "__main__":
    sys.exit(main())
