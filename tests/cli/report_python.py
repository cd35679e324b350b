#!/usr/bin/env python3
"""Checks an authscope ARF report with an independent parser (Python's email package) and
with our own reader, and checks the evidence bundle re-verifies offline.

  report_python.py BIN_DIR roundtrip|headers-redact|bundle SAMPLE ZONE WORKDIR
"""
import email
import email.policy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

FIXED_DATE = "Tue, 14 Oct 2025 12:00:00 +0000"


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(cmd, ok=(0, 1, 4)):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in ok:
        fail("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.decode(errors="replace")))
    return p.stdout


def crlf(b):
    return re.sub(rb"\r?\n", b"\r\n", b)


def unfold(v):
    return re.sub(r"\r?\n", "", v)


def all_defects(m):
    out = list(m.defects)
    for part in m.walk():
        out.extend(part.defects)
    return out


def check_report(bin_dir, report, sample_bytes, headers_only):
    m = email.message_from_bytes(report, policy=email.policy.compat32)
    if all_defects(m):
        fail("Python's email package found defects: %r" % all_defects(m))
    if m.get_content_type() != "multipart/report" or m.get_param("report-type") != "feedback-report":
        fail("not multipart/report; report-type=feedback-report: %s" % m.get("Content-Type"))
    parts = m.get_payload()
    kinds = [p.get_content_type() for p in parts]
    want = ["text/plain", "message/feedback-report", "text/rfc822-headers" if headers_only else "message/rfc822"]
    if kinds != want:
        fail("parts %r, expected %r" % (kinds, want))
    fb = parts[1].get_payload()
    fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb, policy=email.policy.compat32)
    py_fields = [(k, unfold(v).strip()) for k, v in fb.items()]
    names = [k for k, _ in py_fields]
    for req in ("Feedback-Type", "User-Agent", "Version"):
        if req not in names:
            fail("required field %s missing (RFC 5965 section 3.1)" % req)
    if dict(py_fields)["Feedback-Type"] == "auth-failure" and "Auth-Failure" not in names:
        fail("auth-failure report without Auth-Failure (RFC 6591 section 3.2)")

    path = os.path.join(os.environ["WORK"], "report.eml")
    with open(path, "wb") as f:
        f.write(report)
    ours = json.loads(run([os.path.join(bin_dir, "authscope-report"), "--read", "--json", path], ok=(0,)))
    our_fields = [(x["name"], x["value"]) for x in ours["fields"]]
    if our_fields != py_fields:
        fail("our reader and Python disagree on the fields:\n ours   %r\n python %r" % (our_fields, py_fields))
    if ours["warnings"]:
        fail("our reader warns about our own report: %r" % ours["warnings"])
    # The returned message: our reader gets it byte for byte (in its CRLF wire form);
    # Python sees the same header fields.
    orig = ours["original"]["content"].encode("utf-8", errors="surrogateescape")
    expect = crlf(sample_bytes)
    if headers_only:
        expect = expect.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    if "redact" not in os.environ.get("MODE", "") and orig != expect:
        fail("the returned message differs from the sample (%d vs %d bytes)" % (len(orig), len(expect)))
    sample = email.message_from_bytes(sample_bytes, policy=email.policy.compat32)
    if headers_only:
        returned = email.message_from_string(parts[2].get_payload(), policy=email.policy.compat32)
    else:
        returned = parts[2].get_payload()[0]
    for h in ("Subject", "Date", "Message-ID"):
        if unfold(str(sample.get(h, ""))) != unfold(str(returned.get(h, ""))):
            fail("%s differs in the returned message" % h)
    return py_fields, ours


def main():
    bin_dir, mode, sample, zone, work = sys.argv[1:6]
    os.environ["WORK"] = work
    os.environ["MODE"] = mode
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    with open(sample, "rb") as f:
        sample_bytes = f.read()
    tool = os.path.join(bin_dir, "authscope-report")
    base = [tool, "--dns-from", zone, "--date", FIXED_DATE, "--to", "abuse@brand.example"]
    if mode == "roundtrip":
        report = run(base + [sample])
        fields, _ = check_report(bin_dir, report, sample_bytes, False)
        print("ok: %d fields read back identically by Python and by authscope" % len(fields))
    elif mode == "headers-redact":
        s = email.message_from_bytes(sample_bytes, policy=email.policy.compat32)
        addrs = [a for _, a in email.utils.getaddresses([str(s.get("To", ""))]) if "@" in a]
        if not addrs:
            fail("the sample has no To address to redact")
        report = run(base + ["--headers-only", "--redact", addrs[0], sample])
        if addrs[0].lower().encode() in report.lower():
            fail("%s is still in the report" % addrs[0])
        fields, _ = check_report(bin_dir, report, sample_bytes, True)
        print("ok: headers only, %s redacted, %d fields intact" % (addrs[0], len(fields)))
    elif mode == "bundle":
        out = os.path.join(work, "bundle")
        run(base + ["--bundle", out, sample])
        files = sorted(os.listdir(out))
        if files != sorted(["report.eml", "original.eml", "dns.zone", "verdict.json", "index.html", "manifest.json", "SHA256SUMS"]):
            fail("bundle files: %r" % files)
        with open(os.path.join(out, "original.eml"), "rb") as f:
            if f.read() != sample_bytes:
                fail("original.eml is not the sample byte for byte")
        manifest = json.load(open(os.path.join(out, "manifest.json")))
        if not manifest.get("version"):
            fail("manifest without the tool version")
        for entry in manifest["files"]:
            with open(os.path.join(out, entry["name"]), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != entry["sha256"]:
                    fail("SHA-256 of %s does not match the manifest" % entry["name"])
        for line in open(os.path.join(out, "SHA256SUMS")):
            digest, name = line.split()
            with open(os.path.join(out, name), "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != digest:
                    fail("SHA256SUMS: %s" % name)
        with open(os.path.join(out, "report.eml"), "rb") as f:
            check_report(bin_dir, f.read(), sample_bytes, False)
        # index.html: explain's inert page of the original, with the files and their digests.
        with open(os.path.join(out, "index.html"), encoding="utf-8") as f:
            page = f.read()
        if not page.startswith("<!DOCTYPE html>") or "default-src 'none'" not in page or "<script" in page:
            fail("index.html is not the inert page")
        for entry in manifest["files"]:
            if entry["name"] != "index.html" and entry["sha256"] not in page:
                fail("index.html does not list %s with its SHA-256" % entry["name"])
        # A third party re-runs explain offline on the bundle and gets the same verdict.
        verdict = json.load(open(os.path.join(out, "verdict.json")))
        again = json.loads(run([os.path.join(bin_dir, "authscope-explain"), "--json", "--dns-from",
                                os.path.join(out, "dns.zone"), os.path.join(out, "original.eml")], ok=(0, 1, 4)))
        diffs = [k for k in verdict if k in again and verdict[k] != again[k]]
        missing = [k for k in verdict if k not in again]
        if diffs or missing:
            fail("re-verification differs in %r (missing %r)" % (diffs, missing))
        print("ok: bundle hashes verified; explain --dns-from gives verdict %r again" % verdict.get("verdict"))
    else:
        fail("unknown mode " + mode)


if __name__ == "__main__":
    main()
