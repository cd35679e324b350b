#!/usr/bin/env python3
"""`authscope explain --json --trust-ar auto` over the real corpus (issue 11's done-when).

Usage: corpus_trust.py BIN_DIR CORPUS_MAIL_DIR EMPTY_ZONE WORK_DIR

Asserts: one JSON line per sample; no sample dies by a signal or an internal error; at least 99% are
judged on a receiver's recorded results (authentication.source "authentication-results:HOST") and
name the receiver (authentication.receiver.name); the same messages as one mbox give the same lines
apart from "file". DNS comes from an empty snapshot (every name NXDOMAIN): nothing reaches the
network, the answers are the same every time, and authscope's own re-check (--dns-from implies
--recheck) runs over every sample too.
Exits 77 (skipped) when the corpus is absent.
"""
import json
import os
import subprocess
import sys


def run(bin_dir, zone, inputs):
    cmd = [os.path.join(bin_dir, "authscope-explain"), "--json", "--trust-ar", "auto", "--jobs", "2",
           "--dns-from", zone] + inputs
    p = subprocess.run(cmd, capture_output=True, timeout=110, stdin=subprocess.DEVNULL)
    if p.returncode < 0 or p.returncode > 4:
        sys.exit(f"FAIL: exit status {p.returncode}: {p.stderr.decode('utf-8', 'replace')[:2000]}")
    err = p.stderr.decode("utf-8", "replace")
    if "internal error" in err or "signal" in err:
        sys.exit("FAIL: " + err[:2000])
    return [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]


def main():
    bin_dir, mail_dir, zone, work = sys.argv[1:5]
    if not os.path.isdir(mail_dir):
        print(f"SKIP: no corpus at {mail_dir} (set AUTHSCOPE_SHARED_DIR)")
        return 77
    files = sorted(f for f in os.listdir(mail_dir) if f.endswith(".eml"))
    lines = run(bin_dir, zone, [mail_dir])
    if len(lines) != len(files):
        sys.exit(f"FAIL: {len(lines)} JSON lines for {len(files)} samples")
    judged = [l for l in lines if l["authentication"]["source"].startswith("authentication-results:")
              and l["authentication"].get("receiver", {}).get("name")]
    rate = len(judged) / len(lines)
    per = {}
    for l in judged:
        k = l["authentication"]["receiver"]["name"]
        per[k] = per.get(k, 0) + 1
    print(f"{len(judged)} of {len(lines)} samples ({rate:.2%}) judged on a receiver's recorded results: {per}")
    if rate < 0.99:
        sys.exit("FAIL: fewer than 99% judged on a receiver's results")
    # The same messages as one mbox, in the order the folder gave them.
    os.makedirs(work, exist_ok=True)
    mbox = os.path.join(work, "corpus.mbox")
    with open(mbox, "wb") as out:
        for l in lines:
            with open(l["file"], "rb") as f:
                data = f.read()
            eol = b"\r\n" if b"\r\n" in data[:2000] else b"\n"
            # mboxrd (RFC 4155): a line starting with ">*From " gains one '>'; the message bytes stay as they are.
            parts = data.split(b"\n")
            body = b"\n".join((b">" + x if x.lstrip(b">").startswith(b"From ") else x) for x in parts)
            if not body.endswith(b"\n"):
                body += eol
            out.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970" + eol + body + eol)
    again = run(bin_dir, zone, [mbox])
    if len(again) != len(lines):
        sys.exit(f"FAIL: the mbox gave {len(again)} lines for {len(lines)} messages")
    differ = 0
    for a, b in zip(lines, again):
        a, b = dict(a), dict(b)
        fa, fb = a.pop("file"), b.pop("file")
        if a != b:
            differ += 1
            if differ <= 3:
                print("DIFFERS:", fa, fb)
                for k in a:
                    if a.get(k) != b.get(k):
                        print("  ", k, json.dumps(a.get(k))[:300], "|", json.dumps(b.get(k))[:300])
    if differ:
        sys.exit(f"FAIL: {differ} samples differ between the folder and the mbox")
    print("ok: the mbox gives the same lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
