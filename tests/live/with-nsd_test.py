#!/usr/bin/env python3
"""Tests for tests/live/with-nsd: substitution, environment, exit status, blackhole, clean-up.

Usage: with-nsd_test.py PATH/TO/with-nsd ZONEFILE
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile

HARNESS, ZONE = sys.argv[1], sys.argv[2]
failures = []

# The command run under the harness: checks what it was given, queries nsd and the blackhole,
# prints the resolver, and exits 7.
PROBE = r'''
import os, socket, struct, sys
res, hole = sys.argv[1], sys.argv[2]
assert res == os.environ["AUTHSCOPE_TEST_RESOLVER"], (res, os.environ)
assert hole == os.environ["AUTHSCOPE_TEST_BLACKHOLE"], (hole, os.environ)
assert res.startswith("127.0.0.1@") and hole.startswith("127.0.0.1@") and res != hole
def ask(target, name, timeout):
    q = struct.pack(">HHHHHH", 4242, 0, 1, 0, 0, 0)
    q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0" + struct.pack(">HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(timeout)
    s.sendto(q, ("127.0.0.1", int(target.split("@")[1])))
    try:
        return s.recvfrom(4096)[0]
    except socket.timeout:
        return None
r = ask(res, "host.live.test", 2)
assert r is not None and r[3] & 0x0f == 0 and struct.unpack(">H", r[6:8])[0] == 1, r
r = ask(res, "missing.live.test", 2)
assert r is not None and r[3] & 0x0f == 3, r
assert ask(hole, "host.live.test", 0.3) is None
print(res)
sys.exit(7)
'''


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


p = subprocess.run([sys.executable, HARNESS, "--blackhole", ZONE, "--", sys.executable, "-c", PROBE,
                    "{resolver}", "{blackhole}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=40)
check(p.returncode == 7, "exit status passes through (got %d, stderr %s)" % (p.returncode, p.stderr))
resolver = p.stdout.decode().strip()
if resolver.startswith("127.0.0.1@"):
    # nsd is stopped afterwards: nothing answers on its port any more.
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    s.sendto(struct.pack(">HHHHHH", 1, 0, 1, 0, 0, 0) + b"\0" + struct.pack(">HH", 6, 1),
             ("127.0.0.1", int(resolver.split("@")[1])))
    try:
        s.recvfrom(512)
        answered = True
    except OSError:
        answered = False
    check(not answered, "nsd is stopped after the command")

p = subprocess.run([sys.executable, HARNESS, ZONE, "--", "true"], timeout=40)
check(p.returncode == 0, "status 0 passes through")
p = subprocess.run([sys.executable, HARNESS, ZONE], stderr=subprocess.PIPE, timeout=40)
check(p.returncode == 2, "missing -- COMMAND is a usage error")
with tempfile.NamedTemporaryFile("w", suffix=".zone", delete=False) as f:
    f.write("bad.test. A 999.1.1.1\n")
try:
    p = subprocess.run([sys.executable, HARNESS, f.name, "--", "true"], stderr=subprocess.PIPE, timeout=40)
    check(p.returncode == 125, "a malformed zone stops the harness (got %d)" % p.returncode)
finally:
    os.unlink(f.name)
p = subprocess.run([sys.executable, HARNESS, ZONE + ".missing", "--", "true"], stderr=subprocess.PIPE, timeout=40)
check(p.returncode == 125 and b"no such zone file" in p.stderr, "a missing zone file is reported")

sys.exit(1 if failures else 0)
