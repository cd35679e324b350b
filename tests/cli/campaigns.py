#!/usr/bin/env python3
"""authscope campaigns on samples with known groups.

Usage:
  campaigns.py BIN_DIR fixtures FIXTURES_DIR      the generated families (fixtures/campaigns/)
  campaigns.py BIN_DIR stable FIXTURES_DIR        same output for --jobs 1 and 2, ids stable across
                                                  file names and order; a bad sample is an error
                                                  line and exit 3, the others still grouped
  campaigns.py BIN_DIR report FIXTURES_DIR        report --campaign: one ARF report per campaign, the
                                                  bundles (members, one snapshot, checksums)
  campaigns.py BIN_DIR corpus MAIL_DIR            the real corpus: groups verified by reading
Exit 0 when every check holds; a corpus that is absent is reported and skipped (exit 77).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def run(bin_dir, args, expect_exit=0):
    cmd = [os.path.join(bin_dir, "authscope-campaigns"), "--json"] + args
    p = subprocess.run(cmd, capture_output=True, timeout=600, stdin=subprocess.DEVNULL)
    if p.returncode != expect_exit:
        sys.exit(f"FAIL: {' '.join(cmd)}: exit {p.returncode}, expected {expect_exit}\n{p.stderr.decode()[:2000]}")
    lines = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return lines, p.stdout, p.stderr.decode("utf-8", "replace")


def base(f):
    return os.path.basename(f)


def fixtures(bin_dir, fx):
    want = json.load(open(os.path.join(fx, "expected-groups.json")))
    zone = os.path.join(fx, "empty.zone")
    out, _, _ = run(bin_dir, ["--dns-from", zone, "--jobs", "2", "--all", os.path.join(fx, "mail")])
    problems = []
    for o in out:
        for k in ("tool", "file", "result", "id", "members", "first_seen", "last_seen", "ties", "senders",
                  "indicators", "report_to", "merges"):
            if k not in o:
                problems.append(f"{o.get('id')}: key {k} missing")
    groups = {frozenset(base(m["file"]) for m in o["members"]): o for o in out}
    for exp in want["campaigns"]:
        key = frozenset(exp["members"])
        if key not in groups:
            found = [sorted(g) for g in groups if g & key]
            problems.append(f"expected campaign {sorted(key)}, got {found}")
            continue
        o = groups[key]
        kinds = {t["kind"] for t in o["ties"]}
        for k in exp["tie_kinds"]:
            if k not in kinds:
                problems.append(f"{sorted(key)}: tie kind {k} missing (have {sorted(kinds)})")
        if len(o["merges"]) != len(key) - 1:
            problems.append(f"{sorted(key)}: {len(o['merges'])} merges for {len(key)} members")
        for m in o["merges"]:
            if not m["evidence"] or not m["kind"]:
                problems.append(f"{sorted(key)}: a merge without its evidence")
        if exp.get("replay") and not any("replay" in m["evidence"] for m in o["merges"]):
            problems.append(f"{sorted(key)}: the identical b= for different recipients is not called a replay")
        if o["first_seen"] is None or o["first_seen"] > o["last_seen"]:
            problems.append(f"{sorted(key)}: first_seen/last_seen wrong")
    for f in want["alone"]:
        g = [k for k in groups if f in k]
        if len(g) != 1 or len(g[0]) != 1:
            problems.append(f"{f} should be alone, is in {[sorted(x) for x in g]}")
    # Indicators are defanged: no live scheme or dot in a host.
    for o in out:
        for i in o["indicators"]:
            if "http://" in i or "https://" in i:
                problems.append(f"indicator not defanged: {i}")
    # Without --all, only campaigns of two or more.
    out2, _, _ = run(bin_dir, ["--dns-from", zone, "--jobs", "1", os.path.join(fx, "mail")])
    if sorted(o["id"] for o in out2) != sorted(o["id"] for o in out if len(o["members"]) > 1):
        problems.append("without --all the output is not the campaigns of two or more")
    return problems


def stable(bin_dir, fx):
    zone = os.path.join(fx, "empty.zone")
    mail = os.path.join(fx, "mail")
    problems = []
    _, a, _ = run(bin_dir, ["--dns-from", zone, "--jobs", "1", mail])
    _, b, _ = run(bin_dir, ["--dns-from", zone, "--jobs", "2", mail])
    if a != b:
        problems.append("--jobs 1 and --jobs 2 differ")
    ids = sorted(json.loads(l)["id"] for l in a.decode().splitlines())
    with tempfile.TemporaryDirectory() as tmp:
        # The same messages under other names, in another order, with a malformed sample among them.
        names = sorted(os.listdir(mail))
        for i, n in enumerate(reversed(names)):
            shutil.copy(os.path.join(mail, n), os.path.join(tmp, f"m{i:03d}.eml"))
        with open(os.path.join(tmp, "m500-bad.eml"), "wb") as f:
            f.write(b"this is not a header line\n\nbody\n")
        out, _, err = run(bin_dir, ["--dns-from", zone, "--jobs", "2", tmp], expect_exit=3)
        errs = [o for o in out if o.get("result") == "error"]
        if len(errs) != 1 or not errs[0]["file"].endswith("m500-bad.eml"):
            problems.append(f"the bad sample is not one error line: {errs}")
        if "m500-bad.eml" not in err:
            problems.append("the bad sample has no line on stderr")
        ids2 = sorted(o["id"] for o in out if o.get("result") == "campaign")
        if ids2 != ids:
            problems.append(f"ids change with file names and order: {ids} vs {ids2}")
    return problems


def report(bin_dir, fx):
    import email
    import hashlib
    zone = os.path.join(fx, "empty.zone")
    mail = os.path.join(fx, "mail")
    problems = []
    groups, _, _ = run(bin_dir, ["--dns-from", zone, mail])
    rep = os.path.join(bin_dir, "authscope-report")
    date = ["--date", "Mon, 02 Sep 2024 10:00:00 +0000"]
    p = subprocess.run([rep, "--campaign", "--json", "--dns-from", zone] + date + [mail], capture_output=True, timeout=300)
    lines = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if p.returncode != 0 or len(lines) != len(groups):
        problems.append(f"report --campaign: exit {p.returncode}, {len(lines)} reports for {len(groups)} campaigns")
    by_id = {g["id"]: g for g in groups}
    for l in lines:
        g = by_id.get(l.get("campaign"))
        if not g:
            problems.append(f"report for an unknown campaign {l.get('campaign')}")
            continue
        m = email.message_from_bytes(l["report"].encode("utf-8"))
        if m.get_content_type() != "multipart/report" or m.get_param("report-type") != "feedback-report":
            problems.append(f"{g['id']}: not an ARF report")
        human = m.get_payload()[0].get_payload(decode=True).decode("utf-8")
        for mem in g["members"][1:]:
            if mem["file"] not in human:
                problems.append(f"{g['id']}: member {mem['file']} not listed in the human-readable part")
        if g["id"] not in m["Subject"]:
            problems.append(f"{g['id']}: the subject does not name the campaign")
    with tempfile.TemporaryDirectory() as tmp:
        b = os.path.join(tmp, "bundle")
        p = subprocess.run([rep, "--campaign", "--dns-from", zone, "--bundle", b] + date + [mail], capture_output=True, timeout=300)
        if p.returncode != 0:
            problems.append(f"--bundle: exit {p.returncode}: {p.stderr.decode()[:500]}")
        for g in groups:
            d = os.path.join(b, g["id"])
            members = sorted(os.listdir(os.path.join(d, "members"))) if os.path.isdir(os.path.join(d, "members")) else []
            if len(members) != len(g["members"]):
                problems.append(f"{g['id']}: {len(members)} members in the bundle, {len(g['members'])} in the campaign")
            for f in ("report.eml", "original.eml", "dns.zone", "verdict.json", "campaign.json", "manifest.json", "SHA256SUMS"):
                if not os.path.exists(os.path.join(d, f)):
                    problems.append(f"{g['id']}: {f} missing from the bundle")
            if os.path.exists(os.path.join(d, "SHA256SUMS")):
                for line in open(os.path.join(d, "SHA256SUMS")):
                    h, name = line.rstrip("\n").split("  ", 1)
                    if hashlib.sha256(open(os.path.join(d, name), "rb").read()).hexdigest() != h:
                        problems.append(f"{g['id']}: {name} does not match SHA256SUMS")
            for mem, name in zip(g["members"], members):
                if open(mem["file"], "rb").read() != open(os.path.join(d, "members", name), "rb").read():
                    problems.append(f"{g['id']}: {name} is not {mem['file']} byte for byte")
            if members:
                x = subprocess.run([os.path.join(bin_dir, "authscope-explain"), "--json", "--dns-from",
                                    os.path.join(d, "dns.zone"), os.path.join(d, "members", members[-1])],
                                   capture_output=True, timeout=60)
                if x.returncode not in (0, 1):
                    problems.append(f"{g['id']}: explain over the bundle's snapshot exits {x.returncode}")
        # A bundle directory that holds something is never overwritten.
        p = subprocess.run([rep, "--campaign", "--dns-from", zone, "--bundle", b, mail], capture_output=True, timeout=300)
        if p.returncode != 2:
            problems.append(f"a non-empty --bundle directory: exit {p.returncode}, expected 2")
    p = subprocess.run([rep, "--campaign", "-"], input=b"From: a@b.example\n\nx\n", capture_output=True, timeout=60)
    if p.returncode != 2:
        problems.append(f"--campaign with stdin: exit {p.returncode}, expected 2")
    return problems


# Groups of the real corpus, each checked by reading the samples (see the README's campaigns section).
CORPUS_GROUPS = [
    # "Microsoft account unusual signin activity" from the look-alike access-accsecurity.com, the
    # same text with Reply-To addresses solutionteamrecognizd01..03@gmail.com.
    ("microsoft-lookalike", ["sample-881.eml", "sample-905.eml", "sample-909.eml", "sample-913.eml",
                             "sample-953.eml", "sample-1025.eml", "sample-1149.eml"]),
    # Circle (notification.circle.so) sends of the community debix-six: the Ledger "2FA must be
    # enabled" message and the "payment issue" series, one Reply-To nowtiumeasdasd@bluewin.ch.
    ("circle-debix-six", ["sample-6041.eml", "sample-6209.eml", "sample-6217.eml", "sample-6245.eml",
                          "sample-6249.eml", "sample-6253.eml"]),
]
# Pairs that must never share a campaign: different scams through one platform (GitHub
# notifications of three different accounts), and unrelated series.
CORPUS_APART = [
    ("sample-2433.eml", "sample-5873.eml"),
    ("sample-5873.eml", "sample-7373.eml"),
    ("sample-2433.eml", "sample-7373.eml"),
    ("sample-881.eml", "sample-6041.eml"),
    ("sample-3389.eml", "sample-6041.eml"),
]


def corpus(bin_dir, mail):
    if not os.path.isdir(mail):
        print(f"SKIP: the shared corpus is not at {mail} (set AUTHSCOPE_SHARED_DIR)")
        sys.exit(77)
    zone = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures", "campaigns", "empty.zone")
    out, _, _ = run(bin_dir, ["--dns-from", zone, "--jobs", "2", mail])
    where = {}
    for o in out:
        if o.get("result") != "campaign":
            continue
        for m in o["members"]:
            where[base(m["file"])] = o["id"]
    problems = []
    for name, files in CORPUS_GROUPS:
        ids = {where.get(f) for f in files}
        if len(ids) != 1 or None in ids:
            problems.append(f"{name}: not one campaign: " + ", ".join(f"{f}={where.get(f)}" for f in files))
        else:
            size = sum(1 for v in where.values() if v in ids)
            print(f"ok {name}: {len(files)} checked members in a campaign of {size}")
    for a, b in CORPUS_APART:
        if where.get(a) is not None and where.get(a) == where.get(b):
            problems.append(f"{a} and {b} are unrelated but share campaign {where.get(a)}")
    biggest = max((len(o["members"]) for o in out if o.get("result") == "campaign"), default=0)
    if biggest > 200:
        problems.append(f"a campaign of {biggest} members: something platform-wide is tying unrelated samples")
    return problems


def main():
    bin_dir, mode, path = sys.argv[1:4]
    problems = {"fixtures": fixtures, "stable": stable, "report": report, "corpus": corpus}[mode](bin_dir, path)
    for p in problems:
        print("FAIL", p)
    if not problems:
        print("ok", mode)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
