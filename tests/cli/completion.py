#!/usr/bin/env python3
"""Shell completion: every tool (tools/<name>/main.cpp) and every option of every tool completes.

Usage: completion.py SOURCE_DIR BIN_DIR COMPLETION_FILE

The tools come from the source tree and their options from each built tool's --help, independently
of the generator (which reads --list-options); bash then completes `authscope TOOL --`,
`authscope-TOOL --`, the tool names and the words of --format, with the file sourced.
"""
import os
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def help_options(exe):
    """The options a tool's --help lists (the indented lines of its option table)."""
    out = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=30, check=True).stdout
    opts = set()
    for line in out.splitlines():
        m = re.match(r"\s+(-.*?)(\s{2,}|$)", line)
        if m:
            opts.update(OPTION.findall(m.group(1)))
    return opts


def complete(comp_file, words, cword):
    """COMPREPLY from bash for the command line `words`, completing word `cword`."""
    fn = "_authscope" if words[0] == "authscope" else "_authscope_direct"
    arr = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    script = (f"source '{comp_file}'; COMP_WORDS=({arr}); COMP_CWORD={cword}; {fn}; "
              "printf '%s\\n' \"${COMPREPLY[@]}\"")
    out = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True,
                         timeout=30, cwd="/")
    if out.returncode != 0:
        raise RuntimeError(f"bash failed: {out.stderr}")
    return set(l for l in out.stdout.splitlines() if l)


def main():
    src, bin_dir, comp_file = sys.argv[1:4]
    tools = sorted(d for d in os.listdir(os.path.join(src, "tools"))
                   if d != "authscope" and os.path.isfile(os.path.join(src, "tools", d, "main.cpp")))
    problems = []
    got = complete(comp_file, ["authscope", ""], 1)
    for t in tools:
        if t not in got:
            problems.append(f"authscope <TAB> does not offer the tool {t}")
    count = 0
    for t in tools:
        exe = os.path.join(bin_dir, "authscope-" + t)
        opts = help_options(exe)
        if not {"--help", "--format", "--dns-from", "--progress", "--no-progress"} <= opts:
            problems.append(f"{t}: --help lists unexpectedly few options: {sorted(opts)}")
        via_front = complete(comp_file, ["authscope", t, "--"], 2) | complete(comp_file, ["authscope", t, "-"], 2)
        direct = complete(comp_file, ["authscope-" + t, "-"], 1)
        for o in sorted(opts):
            count += 1
            if o not in via_front:
                problems.append(f"authscope {t} <TAB>: {o} is not offered")
            if o not in direct:
                problems.append(f"authscope-{t} <TAB>: {o} is not offered")
        formats = complete(comp_file, ["authscope", t, "--format", ""], 3)
        want = {"text", "json", "ar"} | ({"html"} if t == "explain" else set())
        if not want <= formats:
            problems.append(f"authscope {t} --format <TAB>: {sorted(formats)}, expected {sorted(want)}")
        eq = complete(comp_file, ["authscope", t, "--format", "=", "j"], 4)
        if eq != {"json"}:
            problems.append(f"authscope {t} --format=j<TAB>: {sorted(eq)}")
    for p in problems:
        print("FAIL", p)
    if not problems:
        print(f"ok: {len(tools)} tools and {count} options complete")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
