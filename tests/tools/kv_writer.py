#!/usr/bin/env python
"""Write KV keys continuously through one Consul agent, then prove none was lost.

Standard library only, so it runs on a test host next to a client agent.
Start it in the background, do the disruptive thing, then create the stop
file; it stops writing, reads every key back (waiting for a leader) and
prints one JSON line with the counts and the longest leaderless gap.
"""

import argparse
import json
import os
import signal
import ssl
import sys
import time
import urllib.error
import urllib.request


CA = []
CONTEXT = []
# --addr given more than once: the agent's APIs in order of preference (HTTP, then HTTPS for a datacenter that moves
# to TLS); a request the current one does not answer goes to the others, and the one that answers stays current.
ADDRS = []
# --token-file: read before every request, so that the writer follows a datacenter that turns ACLs on (no file yet:
# no token, which ACLs with the default policy allow still let through).
TOKEN_FILE = []


def _open(addr, method, path, data, timeout):
    req = urllib.request.Request(addr + path, data=data, method=method)
    if TOKEN_FILE and os.path.exists(TOKEN_FILE[0]):
        with open(TOKEN_FILE[0]) as token:
            req.add_header("X-Consul-Token", token.read().strip())
    context = None
    if addr.startswith("https:"):
        # made at the first HTTPS request: the CA file may come with the move to TLS
        if not CONTEXT:
            CONTEXT.append(ssl.create_default_context(cafile=CA[0] if CA else None))
        context = CONTEXT[0]
    with urllib.request.urlopen(req, timeout=timeout, context=context) as resp:
        return resp.status, resp.read()


def request(addr, method, path, data=None, timeout=2.0):
    if len(ADDRS) < 2:
        return _open(addr, method, path, data, timeout)
    try:
        return _open(ADDRS[0], method, path, data, timeout)
    except urllib.error.HTTPError:
        raise
    except (OSError, urllib.error.URLError) as first:
        for other in ADDRS[1:]:
            try:
                answer = _open(other, method, path, data, timeout)
            except urllib.error.HTTPError:
                raise
            except (OSError, urllib.error.URLError):
                continue
            ADDRS.remove(other)
            ADDRS.insert(0, other)
            return answer
        raise first


def leader(addr):
    try:
        status, body = request(addr, "GET", "/v1/status/leader", timeout=1.0)
        return status == 200 and json.loads(body) != ""
    except (OSError, ValueError, urllib.error.URLError):
        return False


def read_back(addr, prefix, deadline):
    """Return the set of keys under prefix, from a consistent read."""
    last_error = None
    while time.monotonic() < deadline:
        try:
            _status, body = request(addr, "GET", "/v1/kv/%s/?keys&consistent" % prefix, timeout=5.0)
            return set(json.loads(body))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return set()
            last_error = exc
        except (OSError, ValueError) as exc:
            last_error = exc
        time.sleep(0.2)
    raise SystemExit("could not read keys back: %s" % last_error)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addr", action="append", help="the agent's API (default http://127.0.0.1:8500); more than "
                        "once: the others are tried when the current one does not answer")
    parser.add_argument("--ca", help="CA file for an https --addr")
    parser.add_argument("--token-file", help="an ACL token to send, read before every request (absent: none)")
    parser.add_argument("--prefix", default="quorum-writer")
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--out", help="also write the JSON result to this file")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="hard bound on the writing phase")
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    CA.extend([args.ca] if args.ca else [])
    TOKEN_FILE.extend([args.token_file] if args.token_file else [])
    ADDRS.extend(args.addr or ["http://127.0.0.1:8500"])
    args.addr = ADDRS[0]

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    attempted, acked, failed = 0, [], 0
    gap_start, longest_gap = None, 0.0
    started = last_ack = time.monotonic()
    # A write that Consul holds during an election succeeds late instead of failing: the longest
    # time between two acknowledged writes shows that stall, which leader polls alone would miss.
    longest_stall = 0.0
    while not stop and not os.path.exists(args.stop_file) and time.monotonic() - started < args.max_seconds:
        key = "%s/%08d" % (args.prefix, attempted)
        attempted += 1
        try:
            status, body = request(args.addr, "PUT", "/v1/kv/" + key, data=key.encode())
            ok = status == 200 and body.strip() == b"true"
        except (OSError, urllib.error.URLError):
            ok = False
        now = time.monotonic()
        if ok:
            acked.append(key)
            longest_stall = max(longest_stall, now - last_ack)
            last_ack = now
        else:
            failed += 1
        if ok or leader(args.addr):
            if gap_start is not None:
                longest_gap = max(longest_gap, now - gap_start)
                gap_start = None
        elif gap_start is None:
            gap_start = now
        time.sleep(args.interval)
    if gap_start is not None:
        longest_gap = max(longest_gap, time.monotonic() - gap_start)

    stored = read_back(args.addr, args.prefix, time.monotonic() + 120)
    lost = sorted(set(acked) - stored)
    result = {
        "attempted": attempted,
        "acknowledged": len(acked),
        "failed": failed,
        "lost": len(lost),
        "lost_keys": lost[:20],
        "longest_leaderless_s": round(longest_gap, 2),
        "longest_write_stall_s": round(longest_stall, 2),
        "seconds": round(time.monotonic() - started, 1),
    }
    line = json.dumps(result, sort_keys=True)
    if args.out:
        with open(args.out, "w") as out:
            out.write(line + "\n")
    print(line)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
