#!/usr/bin/env python3
"""dmarc, explain and report rest on one authentication pipeline: for one fixture message they must
agree on the DMARC result, the From and policy domains, and the SPF and DKIM results.

Usage: agree.py BIN_DIR EML [ZONE]

Runs authscope-dmarc, authscope-explain and authscope-report (--json, --dns-from ZONE when given) and
compares dmarc's keys with explain's `authentication` object and with the Authentication-Results
field of the report authscope writes.
"""
import json
import os
import re
import subprocess
import sys


def run(bin_dir, tool, args):
    p = subprocess.run([os.path.join(bin_dir, "authscope-" + tool), "--json"] + args, capture_output=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    lines = [l for l in p.stdout.decode("utf-8", "replace").splitlines() if l.strip()]
    if p.returncode < 0 or len(lines) != 1:
        sys.exit(f"FAIL: {tool} exit {p.returncode}, {len(lines)} lines: {p.stderr.decode('utf-8', 'replace')[:500]}")
    return json.loads(lines[0])


def main():
    bin_dir, eml = sys.argv[1], sys.argv[2]
    dns = ["--dns-from", sys.argv[3]] if len(sys.argv) > 3 else []
    d = run(bin_dir, "dmarc", dns + ["--no-report-check", eml])
    e = run(bin_dir, "explain", dns + [eml])["authentication"]
    r = run(bin_dir, "report", dns + ["--to", "abuse@example.net", "--date", "Tue, 14 Oct 2025 12:00:00 +0000", eml])
    ar = next((f["value"] for f in r["fields"] if f["name"] == "Authentication-Results"), "")
    problems = []

    def same(what, *values):
        if len(set(json.dumps(v) for v in values)) != 1:
            problems.append(f"{what} differs: " + " | ".join(json.dumps(v) for v in values))

    same("dmarc result", d["result"], e["dmarc"]["result"], r["result"])
    same("from domain", d["from_domain"] or "", e["dmarc"]["from_domain"] or "")
    same("policy domain", d["policy_domain"], e["dmarc"]["policy_domain"])
    same("spf result", (d["spf"] or {}).get("result", "none"), e["spf"]["result"])
    same("spf domain", (d["spf"] or {}).get("domain", ""), e["spf"]["domain"])
    same("dkim results", [(k["d"].lower(), k["result"]) for k in d["dkim"]],
         [(k["d"], k["result"]) for k in e["dkim"] if k["d"]])
    # The report's Authentication-Results: the same results, written by the same writer.
    m = re.search(r"\bdmarc=(\w+)", ar)
    same("report dmarc=", m.group(1) if m else "none" if not d["from_domain"] else None, d["result"])
    m = re.search(r"\bspf=(\w+)", ar)
    same("report spf=", m.group(1) if m else "none", (d["spf"] or {}).get("result", "none"))
    same("report dkim=", re.findall(r"\bdkim=(\w+)", ar), [k["result"] for k in e["dkim"]])
    if problems:
        for p in problems:
            print("MISMATCH", p)
        return 1
    print("ok", os.path.basename(eml), d["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
