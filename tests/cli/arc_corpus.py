#!/usr/bin/env python3
"""authscope arc over the real phishing corpus (../shared/corpora/phishing-pot): every sample gives
one JSON line, none is refused or kills its worker, every line has a cv and a hop per instance, and
the DNS is a snapshot with no records (so every key is absent: this checks the reading of real ARC
sets, structure and canonicalisation paths, not their signatures, which need the keys of the day).

Usage: arc_corpus.py BIN_DIR CORPUS_DIR WORK_DIR
"""
import json
import os
import subprocess
import sys


def main():
    bin_dir, corpus, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    zone = os.path.join(work, "empty.zone")
    with open(zone, "w") as f:
        f.write("; no records: every key is NXDOMAIN\n")
    n = len([x for x in os.listdir(corpus) if x.endswith(".eml")])
    proc = subprocess.run([os.path.join(bin_dir, "authscope-arc"), "--json", "--jobs", "2", "--dns-from", zone, corpus],
                          capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    lines = proc.stdout.decode("utf-8", "replace").splitlines()
    problems = []
    if proc.returncode not in (0, 1):
        problems.append("exit status %d (want 0 or 1)" % proc.returncode)
    if proc.stderr:
        problems.append("stderr: " + proc.stderr.decode("utf-8", "replace")[:500])
    if len(lines) != n:
        problems.append("%d JSON lines for %d samples" % (len(lines), n))
    with_arc = 0
    for line in lines:
        j = json.loads(line)
        if j.get("cv") not in ("none", "pass", "fail") or "reason" not in j:
            problems.append("%s: no cv/reason" % j.get("file"))
            continue
        if j["cv"] != "none":
            with_arc += 1
            if [h["i"] for h in j["hops"]] != list(range(1, len(j["hops"]) + 1)):
                problems.append("%s: hops are not 1..N" % j["file"])
    print("%d samples, %d with ARC sets" % (len(lines), with_arc))
    for p in problems[:20]:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
