#!/usr/bin/env python
"""Record when a datacenter has a leader, and compare its longest time without one with its servers' restarts.

Standard library only. Two commands:

  sample   on every server, next to its agent: every --interval seconds, one line "<unix time> <1|0>" in --out, 1
           when the agent names itself as the leader (/v1/status/leader is its own server address). A server counts
           only for itself: a follower keeps naming a dead leader until its heartbeat times out, a leader that stopped
           names nobody. Runs until SIGTERM.
  report   on the controller: merges every server's samples (the datacenter has a leader while some server's last
           sample says it leads) and reads every server's consul unit journal (journalctl -o short-unix) for its
           restarts (from systemd's "Stopping" to its "Started": Type=notify, the agent has joined again). Prints one
           JSON line: the longest time without a leader, when it was, the longest single-server restart, and how many
           times without a leader began outside any server's restart (none is caused by anything but a restart).
"""

import argparse
import glob
import http.client
import json
import os
import signal
import ssl
import sys
import time
import urllib.error
import urllib.request


def _get(addrs, path, ca):
    """The first answer of the agent's APIs in order (plain HTTP, then HTTPS once a move to TLS closed it)."""
    for addr in addrs:
        try:
            context = ssl.create_default_context(cafile=ca) if addr.startswith("https:") and os.path.exists(ca) else None
            if addr.startswith("https:") and context is None:
                continue
            with urllib.request.urlopen(addr + path, timeout=0.5, context=context) as resp:
                return json.loads(resp.read())
        except (OSError, ValueError, urllib.error.URLError, http.client.HTTPException):
            continue
    return None


def sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    me = None
    with open(args.out, "a") as out:
        while not stop:
            if me is None:
                self_info = _get(args.addr, "/v1/agent/self", args.ca) or {}
                # the raft address this server names itself by ("tcp://10.0.0.1:8300" in DebugConfig)
                me = (self_info.get("DebugConfig") or {}).get("RPCAdvertiseAddr", "").replace("tcp://", "") or None
            leader = _get(args.addr, "/v1/status/leader", args.ca)
            out.write("%.3f %d\n" % (time.time(), int(bool(me) and leader == me)))
            out.flush()
            time.sleep(args.interval)


def restarts(path):
    """The consul unit's restarts in one journal: [(stopping, started)] in unix seconds."""
    found, stopping = [], None
    with open(path) as journal:
        for line in journal:
            if " systemd[1]: " not in line:
                continue
            moment = float(line.split()[0])
            if " Stopping " in line:
                stopping = moment
            elif " Started " in line and stopping is not None:
                found.append((stopping, moment))
                stopping = None
    return found


def leaderless(paths, since=None):
    """The windows in which no server said it leads, from the merged samples: [(start, seconds)]."""
    events = []
    for path in paths:
        with open(path) as samples:
            for line in samples:
                moment, _sep, leads = line.strip().partition(" ")
                if moment and (since is None or float(moment) >= since):
                    events.append((float(moment), path, leads == "1"))
    state, start, windows = {}, None, []
    for moment, path, leads in sorted(events):
        state[path] = leads
        if any(state.values()):
            if start is not None:
                windows.append((start, round(moment - start, 2)))
                start = None
        elif start is None and len(state) == len(paths):
            start = moment
    if start is not None:
        windows.append((start, round(events[-1][0] - start, 2)))
    return windows


def report(args):
    samples = sorted(glob.glob(os.path.join(args.dir, "leader-*.samples")))
    journals = sorted(glob.glob(os.path.join(args.dir, "restarts-*.journal")))
    if len(samples) != args.servers or len(journals) != args.servers:
        raise SystemExit("%s holds %d samples and %d journals, not one of each for %d servers"
                         % (args.dir, len(samples), len(journals), args.servers))
    # a server that recorded nothing would keep every window from opening
    empty = [path for path in samples if not os.path.getsize(path)]
    if empty:
        raise SystemExit("no samples in %s" % ", ".join(empty))
    since = min(float(open(path).readline().split()[0]) for path in samples)
    windows = leaderless(samples, since)
    timed = [(os.path.basename(path)[len("restarts-"):-len(".journal")], stopping, round(started - stopping, 2))
             for path in journals for stopping, started in restarts(path) if stopping >= since]
    longest = max(windows, key=lambda w: w[1]) if windows else (None, 0.0)
    # a window a restart explains begins while that server is down (a sample's interval of slack either side)
    slack = 0.5
    unexplained = [start for start, _seconds in windows
                   if not any(stopping - slack <= start <= stopping + seconds + slack for _host, stopping, seconds in timed)]
    slowest = max(timed, key=lambda r: r[2]) if timed else (None, None, 0.0)
    result = dict(
        longest_leaderless_s=longest[1], longest_leaderless_at=longest[0], leaderless_windows=len(windows),
        longest_restart_s=slowest[2], longest_restart_host=slowest[0], restarts=len(timed),
        unexplained_windows=len(unexplained),
        samples=sum(1 for path in samples for _line in open(path)))
    print(json.dumps(result, sort_keys=True))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("sample")
    one.add_argument("--addr", action="append", help="the agent's APIs in order (default http://127.0.0.1:8500)")
    one.add_argument("--ca", default="", help="CA file for an https --addr (used once it exists)")
    one.add_argument("--out", required=True)
    one.add_argument("--interval", type=float, default=0.1)
    merged = commands.add_parser("report")
    merged.add_argument("dir", help="holds leader-<host>.samples and restarts-<host>.journal of every server")
    merged.add_argument("--servers", type=int, required=True, help="how many servers the datacenter has")
    args = parser.parse_args()
    if args.command == "sample":
        args.addr = args.addr or ["http://127.0.0.1:8500"]
        return sample(args)
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
