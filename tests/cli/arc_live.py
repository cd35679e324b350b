#!/usr/bin/env python3
"""Live ARC fixtures: fixtures/arc/<NAME>.eml through authscope-arc against the nsd that
tests/live/with-nsd started ($AUTHSCOPE_TEST_RESOLVER), never a snapshot; then the same with
--dns-record FILE, and that recorded snapshot replayed with --dns-from FILE: all three must match
<NAME>.expected.json (tests/cli/golden.py's subset comparison), so keys come through the one DNS
layer live, recorded and replayed alike.

Usage: arc_live.py BIN_DIR FIXTURES_DIR WORK_DIR NAME [--blackhole]
With --blackhole every key query goes to a port that never answers: result temperror, cv=fail,
exit status 4.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import check, load_expected  # noqa: E402


def main():
    bin_dir, fixtures_dir, work, name = sys.argv[1:5]
    blackhole = len(sys.argv) > 5 and sys.argv[5] == "--blackhole"
    os.makedirs(work, exist_ok=True)
    base = os.path.join(fixtures_dir, "arc", name)
    tool = os.path.join(bin_dir, "authscope-arc")
    if blackhole:
        cmd = [tool, "--json", "--resolver", os.environ["AUTHSCOPE_TEST_BLACKHOLE"], "--dns-timeout", "1",
               "--dns-retries", "0", base + ".eml"]
        expected = {"_exit": 4, "result": "temperror", "cv": "fail", "reason": {"code": "dns-temperror"}}
        return check(cmd, expected, f"live arc/{name} (blackhole)")
    live = [tool, "--json", "--resolver", os.environ["AUTHSCOPE_TEST_RESOLVER"], "--dns-timeout", "3", "--dns-retries", "0"]
    expected = load_expected(base)
    snapshot = os.path.join(work, name + ".recorded.zone")
    if os.path.exists(snapshot):
        os.remove(snapshot)
    status = check(live + [base + ".eml"], expected, f"live arc/{name}")
    status |= check(live + ["--dns-record", snapshot, base + ".eml"], expected, f"live arc/{name} --dns-record")
    status |= check([tool, "--json", "--dns-from", snapshot, base + ".eml"], expected, f"arc/{name} replayed from the recording")
    return status


if __name__ == "__main__":
    sys.exit(main())
