#!/usr/bin/env python3
"""--dns-record with worker processes: an mbox of DKIM fixtures checked against the nsd that
tests/live/with-nsd started ($AUTHSCOPE_TEST_RESOLVER) with --jobs 1 and with --jobs 3 must give
the same results and byte-identical snapshots (workers send back the answers they used; the
parent records them in input order), and replaying the --jobs 3 snapshot must give the same
results again, offline.

Usage: record_jobs_live.py BIN_DIR FIXTURES_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

NAMES = ["001-pass-rsa2048", "002-pass-ed25519", "010-body-hash-mismatch", "020-key-not-found",
         "004-pass-two-signatures", "024-from-not-signed", "011-signature-mismatch"]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True)
    # evaluated_at is the clock at run time, and a DNS answer's "detail" says where it came from
    # (the server, or the snapshot): everything else must match exactly.
    out = re.sub(rb'"evaluated_at":\d+', b"", p.stdout)
    return p.returncode, re.sub(rb',"detail":"[^"]*"', b"", out), p.stderr


def snapshot(path):
    with open(path, "rb") as f:  # the first lines carry the time of writing
        return [l for l in f.read().splitlines() if not l.startswith(b"; Written ")]


def main():
    bin_dir, fixtures = sys.argv[1:3]
    tool = os.path.join(bin_dir, "authscope-dkim")
    server = os.environ["AUTHSCOPE_TEST_RESOLVER"]
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        mbox = os.path.join(d, "corpus.mbox")
        with open(mbox, "wb") as out:
            for round_ in range(3):  # the same names asked many times, by different workers
                for n in NAMES:
                    with open(os.path.join(fixtures, "dkim", n + ".eml"), "rb") as f:
                        out.write(b"From fixture@example.com Mon Jan  1 00:00:00 2024\n" + f.read().replace(b"\r\n", b"\n") + b"\n")
        results = {}
        for jobs in ("1", "3"):
            zone = os.path.join(d, f"jobs{jobs}.zone")
            results[jobs] = run([tool, "--json", "--jobs", jobs, "--now", "1790000000", "--resolver", server,
                                 "--dns-timeout", "3", "--dns-retries", "0", "--dns-record", zone, mbox])
        replay = run([tool, "--json", "--jobs", "3", "--now", "1790000000", "--dns-from",
                      os.path.join(d, "jobs3.zone"), mbox])
        lines = results["1"][1].splitlines()
        if len(lines) != 3 * len(NAMES):
            print(f"FAIL: {len(lines)} result lines, not {3 * len(NAMES)}:\n{results['1'][2].decode()}")
            failed += 1
        if results["1"][:2] != results["3"][:2]:
            print("FAIL: --jobs 3 results differ from --jobs 1")
            failed += 1
        if replay[:2] != results["1"][:2]:
            print("FAIL: replaying the --jobs 3 snapshot gives other results")
            failed += 1
        s1, s3 = snapshot(os.path.join(d, "jobs1.zone")), snapshot(os.path.join(d, "jobs3.zone"))
        if s1 != s3:
            print("FAIL: the snapshots differ:\n" + b"\n".join(s1).decode() + "\n---\n" + b"\n".join(s3).decode())
            failed += 1
        names = [l for l in s3 if l and not l.startswith(b";")]
        if not any(b"s2048._domainkey.example.com." in l for l in names) or not any(b"NXDOMAIN" in l for l in s3):
            print("FAIL: the snapshot lacks the key or the NXDOMAIN answer:\n" + b"\n".join(s3).decode())
            failed += 1
    print("live record --jobs: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
