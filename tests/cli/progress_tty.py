#!/usr/bin/env python3
"""The progress line (--progress / --no-progress): shown on stderr when stderr is a terminal and a
run has several samples, never on a pipe unless forced, never in stdout.

Usage: progress_tty.py BIN_DIR FIXTURES_DIR

Runs authscope-explain over the explain fixtures (replayed DNS) with stdout to a file and stderr to
a pseudo-terminal, a pipe, or /dev/null, with --jobs 1 and --jobs 2, and checks what stderr got and
that stdout is byte-identical in every case.
"""
import glob
import os
import pty
import re
import subprocess
import sys
import tempfile

LINE = re.compile(rb"authscope-explain: \d+ of \d+\+? samples, [0-9.]+/s, \d+:\d\d")


def run(cmd, stderr_kind):
    """Runs cmd; returns (stdout bytes, stderr bytes, exit status). stderr_kind: tty, pipe or null."""
    with tempfile.TemporaryFile() as out:
        if stderr_kind == "tty":
            master, slave = pty.openpty()
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=slave)
            os.close(slave)
            err = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: every holder of the slave side has closed it
                    break
                if not chunk:
                    break
                err += chunk
            os.close(master)
            rc = proc.wait(timeout=120)
        else:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.PIPE if stderr_kind == "pipe" else subprocess.DEVNULL, timeout=120)
            err, rc = proc.stderr or b"", proc.returncode
        out.seek(0)
        return out.read(), err, rc


def main():
    bin_dir, fixtures = sys.argv[1:3]
    samples = sorted(glob.glob(os.path.join(fixtures, "explain", "0[0-6]*.eml")))
    assert len(samples) >= 2, "need several explain fixtures"
    base = [os.path.join(bin_dir, "authscope-explain"), "--json", "--dns-from",
            os.path.join(fixtures, "explain", "common.zone")]
    problems = []
    reference = None
    for jobs in ("1", "2"):
        cmd = base + ["--jobs", jobs]
        cases = {
            "tty": run(cmd + samples, "tty"),
            "pipe": run(cmd + samples, "pipe"),
            "tty --no-progress": run(cmd + ["--no-progress"] + samples, "tty"),
            "pipe --progress": run(cmd + ["--progress"] + samples, "pipe"),
            "tty, one sample": run(cmd + samples[:1], "tty"),
        }
        for name, (out, err, rc) in cases.items():
            label = f"--jobs {jobs}, stderr {name}"
            if rc != cases["pipe"][2]:
                problems.append(f"{label}: exit status {rc}, without progress {cases['pipe'][2]}")
            if name != "tty, one sample":
                if reference is None:
                    reference = out
                if out != reference:
                    problems.append(f"{label}: stdout differs from the run without progress")
                if LINE.search(out):
                    problems.append(f"{label}: the progress line is in stdout")
            shown = bool(LINE.search(err))
            want = name in ("tty", "pipe --progress")
            if shown != want:
                problems.append(f"{label}: progress line {'shown' if shown else 'not shown'} on stderr: {err[:300]!r}")
        # On the terminal: redrawn in place and erased at the end (the last thing written is the
        # erasing run of spaces and a carriage return), with nothing else on stderr.
        err = cases["tty"][1]
        if not err.endswith(b"\r") or err.rstrip(b"\r ").endswith(b"\n"):
            problems.append(f"--jobs {jobs}: the line is not erased at the end: {err[-120:]!r}")
        if b"\n" in err:
            problems.append(f"--jobs {jobs}: a terminal progress line wrote a newline: {err[:300]!r}")
        last = LINE.findall(err)
        if last and not re.match(rb"authscope-explain: \d+ of \d+", last[0]):
            problems.append(f"--jobs {jobs}: unexpected line {last[0]!r}")
    # Both options at once are a usage error.
    _, err, rc = run(base + ["--progress", "--no-progress"] + samples, "pipe")
    if rc != 2:
        problems.append(f"--progress --no-progress: exit status {rc}, expected 2 ({err[:200]!r})")
    for p in problems:
        print("FAIL", p)
    if not problems:
        print(f"ok: progress on a terminal only, stdout identical ({len(samples)} samples)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
