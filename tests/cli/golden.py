#!/usr/bin/env python3
"""Golden CLI fixtures: run one fixture through a built tool and compare with its expected JSON.

Usage: golden.py BIN_DIR FIXTURES_DIR TOOL NAME

For fixtures/<tool>/<name>.eml (or an args-only case, <name>.args without .eml) it runs
  BIN_DIR/authscope-<tool> --json --dns-from Z [ARGS] [<name>.eml]
where Z is <name>.zone if present, else common.zone in the same folder (no --dns-from when neither
exists or when ARGS already name a DNS source); ARGS come from <name>.args (one line, shell-split,
{fixtures} expands to the fixtures folder). The output must match <name>.expected.json: every key in
the expected object must be present with an equal value (objects compared as subsets, recursively;
arrays element by element with the same length); "_exit" is the expected exit status. For explain
and report, --brands FIXTURES_DIR/brands (the fictional test brands) is added unless ARGS name
--brands or --no-default-brands.
"""
import json
import os
import shlex
import subprocess
import sys


def subset(expected, actual, path="$"):
    """Returns a list of differences where `expected` is not contained in `actual`."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {json.dumps(actual)[:200]}"]
        out = []
        for k, v in expected.items():
            if k not in actual:
                out.append(f"{path}.{k}: missing")
            else:
                out += subset(v, actual[k], f"{path}.{k}")
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected a list of {len(expected)}, got {json.dumps(actual)[:300]}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += subset(e, a, f"{path}[{i}]")
        return out
    if expected != actual:
        return [f"{path}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


def fixture_args(base, fixtures_dir):
    """The fixture's extra arguments from <base>.args ({fixtures} expands), or none."""
    if not os.path.exists(base + ".args"):
        return []
    with open(base + ".args", encoding="utf-8") as f:
        return shlex.split(f.read().strip().replace("{fixtures}", fixtures_dir))


def fixture_command(bin_dir, fixtures_dir, tool, base, fmt):
    """The command that runs fixture `base` (path without extension) through authscope-TOOL with
    the output options `fmt`: its .args, its own or the folder's common.zone unless the args name a
    DNS source, the fictional test brands for explain and report, then the .eml."""
    folder = os.path.dirname(base)
    args = fixture_args(base, fixtures_dir)
    cmd = [os.path.join(bin_dir, "authscope-" + tool)] + list(fmt)
    if not any(a in ("--dns-from", "--dns-record", "--resolver") or a.startswith("--dns-from=") for a in args):
        for z in (base + ".zone", os.path.join(folder, "common.zone")):
            if os.path.exists(z):
                cmd += ["--dns-from", z]
                break
    cmd += args
    # explain and report judge brands: the fictional ones of the fixtures are test profiles
    # (fixtures/brands), added to the shipped set unless the fixture chooses its own.
    if tool in ("explain", "report") and not any(a in ("--brands", "--no-default-brands") for a in args):
        cmd += ["--brands", os.path.join(fixtures_dir, "brands")]
    if os.path.exists(base + ".eml"):
        cmd.append(base + ".eml")
    return cmd


def check(cmd, expected, label):
    """Runs cmd, compares its one JSON line with `expected` (a subset; "_exit" the exit status),
    prints the outcome and returns 0 when it matches, else 1."""
    expected = dict(expected)
    want_exit = expected.pop("_exit", None)
    proc = subprocess.run(cmd, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode("utf-8", "replace")
    problems = []
    if want_exit is not None and proc.returncode != want_exit:
        problems.append(f"exit status {proc.returncode}, expected {want_exit}")
    lines = [l for l in out.splitlines() if l.strip()]
    if len(lines) != 1:
        problems.append(f"expected one JSON line, got {len(lines)}")
    else:
        try:
            problems += subset(expected, json.loads(lines[0]))
        except json.JSONDecodeError as e:
            problems.append(f"output is not JSON: {e}")
    if problems:
        print("command:", " ".join(shlex.quote(c) for c in cmd))
        print("stdout:", out[:4000])
        print("stderr:", proc.stderr.decode("utf-8", "replace")[:2000])
        for p in problems:
            print("MISMATCH", p)
        return 1
    print("ok", label)
    return 0


def load_expected(base):
    with open(base + ".expected.json", encoding="utf-8") as f:
        return json.load(f)


def main():
    bin_dir, fixtures_dir, tool, name = sys.argv[1:5]
    folder = os.path.join(fixtures_dir, tool)
    base = os.path.join(folder, name)
    cmd = fixture_command(bin_dir, fixtures_dir, tool, base, ["--json"])
    return check(cmd, load_expected(base), f"{tool}/{name}")


if __name__ == "__main__":
    sys.exit(main())
