#!/usr/bin/env python
"""Watch a rolling upgrade of Consul servers, and check afterwards that it went one server at a time.

Standard library only.

sample (on a test host next to a client agent, until SIGTERM): every --interval seconds, ask
  /v1/operator/autopilot/health through the agent and append one JSON line to --out: the time, and
  per server its name, whether autopilot counts it healthy, a voter, alive in serf, the leader.
  A request without an answer (no leader while the leader restarts) is a line without servers.
check (on the controller): reads those lines and the servers' consul.service journals of the run
  (journalctl --output short-unix, one file per server, named after the server) and prints one JSON
  summary. It exits 1 unless every server restarted exactly once; no restart began before the previous
  one had ended and the sampler had seen every server healthy again (the role's health gate); a
  majority of the servers was an alive voter in every answered sample; and the leader restarted last.
"""

import argparse
import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request

# systemd's own lines about the unit: "Stopping consul.service - Consul agent (server)...", "Started ...".
JOURNAL_LINE = re.compile(r'^(?P<time>\d+\.\d+) \S+ systemd\[1\]: (?P<event>Stopping|Started) consul\.service\b')


def health(addr, timeout):
    req = urllib.request.Request(addr + '/v1/operator/autopilot/health')
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
    except urllib.error.HTTPError as exc:
        # 429: autopilot answers, but counts some server unhealthy.
        if exc.code != 429:
            return None
        body = exc.read()
    except (OSError, ValueError):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def sample(args):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    with open(args.out, 'a', encoding='utf-8') as out:
        while not stop:
            now = time.time()
            answer = health(args.addr, args.interval * 5)
            servers = [dict(name=s.get('Name'), healthy=bool(s.get('Healthy')), voter=bool(s.get('Voter')),
                            alive=s.get('SerfStatus') == 'alive', leader=bool(s.get('Leader')))
                       for s in (answer or {}).get('Servers') or []]
            out.write(json.dumps(dict(time=now, servers=servers)) + '\n')
            out.flush()
            time.sleep(max(0.0, args.interval - (time.time() - now)))


def restarts(path):
    """[(stop time, start time)] of the consul.service restarts in one server's journal."""
    found, stopping = [], None
    with open(path, encoding='utf-8') as journal:
        for line in journal:
            match = JOURNAL_LINE.match(line)
            if not match:
                continue
            when = float(match.group('time'))
            if match.group('event') == 'Stopping':
                stopping = when
            elif stopping is not None:
                found.append((stopping, when))
                stopping = None
    return found


def check(args):
    with open(args.samples, encoding='utf-8') as lines:
        samples = [json.loads(line) for line in lines if line.strip()]
    servers = sorted(os.path.basename(path) for path in args.journals)
    quorum = len(servers) // 2 + 1
    windows = dict((os.path.basename(path), restarts(path)) for path in args.journals)
    answered = [s for s in samples if len(s['servers']) == len(servers)]

    def healthy_times(start, end):
        return [s['time'] for s in answered if start < s['time'] < end and all(srv['healthy'] for srv in s['servers'])]

    def all_healthy(start, end):
        return bool(healthy_times(start, end))

    problems = []
    for server, found in sorted(windows.items()):
        if len(found) != 1:
            problems.append('%s restarted %d times, not once' % (server, len(found)))
    order = sorted((dict(stopped=found[0][0], started=found[0][1], server=server)
                    for server, found in windows.items() if found), key=lambda restart: restart['stopped'])
    if order and not all_healthy(0, order[0]['stopped']):
        problems.append('no sample with every server healthy before the first restart')
    for done, following in zip(order, order[1:]):
        if following['stopped'] < done['started']:
            problems.append('%s stopped before %s had started again' % (following['server'], done['server']))
        elif not all_healthy(done['started'], following['stopped']):
            problems.append('%s stopped before the sampler saw %s and the others healthy again'
                            % (following['server'], done['server']))

    alive_voters = [sum(1 for srv in s['servers'] if srv['alive'] and srv['voter']) for s in answered]
    if not answered:
        problems.append('no answered sample')
    elif min(alive_voters) < quorum:
        problems.append('a sample shows %d alive voters, fewer than a quorum of %d' % (min(alive_voters), quorum))

    leader_before = [srv['name'] for s in answered if order and s['time'] < order[0]['stopped'] for srv in s['servers']
                     if srv['leader']][-1:]
    if order and leader_before != [order[-1]['server']]:
        problems.append('the leader before the upgrade (%s) did not restart last (%s)'
                        % (', '.join(leader_before) or 'none seen', order[-1]['server']))

    gaps, last = [0.0], None
    for s in samples:
        if len(s['servers']) == len(servers):
            if last is not None:
                gaps.append(s['time'] - last)
            last = s['time']
    summary = dict(
        servers=servers,
        restart_order=[restart['server'] for restart in order],
        # from a server's stop until the sampler saw every server healthy again
        seconds_out=[round(healthy_times(restart['started'], float('inf'))[0] - restart['stopped'], 1)
                     if healthy_times(restart['started'], float('inf')) else None for restart in order],
        samples=len(samples),
        answered=len(answered),
        min_alive_voters=min(alive_voters) if alive_voters else 0,
        max_unhealthy=max([sum(1 for srv in s['servers'] if not srv['healthy']) for s in answered] or [0]),
        longest_unanswered_seconds=round(max(gaps), 2),
        problems=problems,
    )
    print(json.dumps(summary))
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    sampler = commands.add_parser('sample')
    sampler.add_argument('--addr', default='http://127.0.0.1:8500')
    sampler.add_argument('--out', required=True)
    sampler.add_argument('--interval', type=float, default=0.2)
    checker = commands.add_parser('check')
    checker.add_argument('--samples', required=True)
    checker.add_argument('journals', nargs='+', help="one file per server, named after the server's node name")
    args = parser.parse_args()
    if args.command == 'sample':
        sample(args)
        return 0
    return check(args)


if __name__ == '__main__':
    sys.exit(main())
