#!/usr/bin/env python3
"""explain --format html in a real browser: headless chromium renders the page of each explain
fixture to a PNG, and its DOM (--dump-dom) must hold the highlights and nothing active or remote.

Usage: html_browser.py BIN_DIR FIXTURES_DIR OUT_DIR

Each fixture is run as golden.py runs it (its .args, its zone or common.zone), with --format html.
Chromium gets no network (--host-resolver-rules maps every name to nothing) and writes a net log;
the log must show no request other than the page's own file. Exits 77 (skipped) where chromium is
not installed.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import fixture_command  # noqa: E402

BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"]


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def page_for(bin_dir, fixtures, base, out_dir):
    """Writes the fixture's page; returns its path."""
    cmd = fixture_command(bin_dir, fixtures, "explain", base, ["--format", "html"])
    proc = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    if proc.returncode not in (0, 1, 4) or not proc.stdout.startswith(b"<!DOCTYPE html>"):
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}: {proc.stderr[:300]!r}")
    path = os.path.join(out_dir, os.path.basename(base) + ".html")
    with open(path, "wb") as f:
        f.write(proc.stdout)
    return path


def check_dom(name, dom, expected):
    """Problems in the rendered DOM of one fixture's page."""
    problems = []
    if re.search(r"<script\b", dom, re.I):
        problems.append("a script element")
    for tag in re.findall(r"<[a-zA-Z][^>]*>", dom):
        for attr, value in re.findall(r'\s([a-zA-Z-]+)="([^"]*)"', tag):
            a = attr.lower()
            if a.startswith("on") or a in ("src", "srcset", "action", "formaction", "background", "poster", "data", "style"):
                problems.append(f"attribute {a} in {tag[:120]}")
            if a == "href" and not value.startswith("#"):
                problems.append(f"a link out of the page: {tag[:120]}")
            if re.search(r"(https?|ftp|javascript|data):", value, re.I) and a not in ("title", "content"):
                problems.append(f"a reference in {a}: {tag[:120]}")
    for bad in ("<iframe", "<img", "<object", "<embed", "<link", "<base", "url(", "@import"):
        if bad in dom.lower():
            problems.append(f"{bad} in the DOM")
    ids = set(re.findall(r'\sid="([^"]*)"', dom))
    for target in re.findall(r'href="#([^"]*)"', dom):
        if target not in ids:
            problems.append(f"a link to a missing anchor #{target}")
    if 'class="verdict v-' + expected.get("verdict", "") not in dom:
        problems.append(f"the verdict {expected.get('verdict')} is not shown first")
    ids_expected = [f.get("id") for f in expected.get("findings", []) if isinstance(f, dict)]
    for fid in expected.get("finding_ids", ids_expected):
        if f'<span class="fid">{fid}</span>' not in dom:
            problems.append(f"finding {fid} is not on the page")
    if "customer-text-payload" in expected.get("finding_ids", ids_expected):
        # The customer-set text is marked in place and linked to its finding.
        if not re.search(r'<mark class="field"[^>]*><a class="ref" href="#s[0-9a-f]{8}-f\d+">', dom):
            problems.append("no customer-set field highlighted and linked to its finding")
    if expected.get("indicators", {}).get("urls") or expected.get("indicators", {}).get("phones"):
        if not re.search(r'<mark class="ind[^"]*"', dom):
            problems.append("no indicator highlighted in the message")
    return [f"{name}: {p}" for p in problems]


def requests_made(netlog_path, page):
    """URLs other than the page itself that the page asked for, from the net log. A request the
    page makes is keyed to the page's site (the cache key "..._dk_file:// file:// URL") or names
    it as initiator; the browser's own background requests (updates, accounts) are keyed to no
    site and have no initiator ("not an origin"), and are not the page's doing."""
    try:
        with open(netlog_path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return ["(no net log was written)"]
    out = set(u for u in re.findall(r'"key":"[^"]*_dk_file:// file:// ([^"]*)"', text) if not u.startswith("file:"))
    for params in re.findall(r'"params":\{([^{}]*)\}', text):
        url = re.search(r'"url":"([^"]*)"', params)
        init = re.search(r'"initiator":"([^"]*)"', params)
        if not url or url.group(1).startswith(("file://", "about:", "data:")):
            continue
        if init and init.group(1) != "not an origin":
            out.add(url.group(1))
    return sorted(out)


def main():
    bin_dir, fixtures, out_dir = sys.argv[1:4]
    exe = browser()
    if not exe:
        print("SKIPPED: chromium is not installed (scripts/setup installs it); the browser test did not run")
        return 77
    os.makedirs(out_dir, exist_ok=True)
    problems = []
    cases = sorted(glob.glob(os.path.join(fixtures, "explain", "*.expected.json")))
    for exp in cases:
        base = exp[: -len(".expected.json")]
        name = os.path.basename(base)
        with open(exp, encoding="utf-8") as f:
            expected = json.load(f)
        page = page_for(bin_dir, fixtures, base, out_dir)
        url = "file://" + os.path.abspath(page)
        png = os.path.join(out_dir, name + ".png")
        netlog = os.path.join(out_dir, name + ".netlog.json")
        profile = os.path.join(out_dir, "profile")
        for p in (png, netlog):
            if os.path.exists(p):
                os.remove(p)
        common = [exe] + BROWSER_FLAGS + [f"--user-data-dir={profile}"]
        subprocess.run(common + [f"--screenshot={png}", "--window-size=1200,2000", f"--log-net-log={netlog}", url],
                       capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
        with open(png, "rb") if os.path.exists(png) else open(os.devnull, "rb") as f:
            head = f.read(8)
        if head != b"\x89PNG\r\n\x1a\n" or os.path.getsize(png) < 10000:
            problems.append(f"{name}: chromium wrote no screenshot")
        for u in requests_made(netlog, page):
            problems.append(f"{name}: the page made a request for {u}")
        dom = subprocess.run(common + ["--dump-dom", url], capture_output=True, timeout=120,
                             stdin=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
        if "<article" not in dom:
            problems.append(f"{name}: --dump-dom gave no page")
        else:
            problems += check_dom(name, dom, expected)
    for p in problems:
        print("FAIL", p)
    if not problems:
        print(f"ok: {len(cases)} explain pages rendered by chromium, inert, highlights in place")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
