# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Controller-side cost of the role's decisions (plugins/plugin_utils/_cluster.py) as the inventory grows.

Synthetic inputs in the shapes consul_peers_info returns: 5 servers with raft state following one leader,
the rest clients, every agent running; every server's health result lists every member. Prints one table:
milliseconds per decision (best of several runs), the total, microseconds per host, and the total's ratio
to the row before divided by the growth of the inventory (1.0 = linear).
    python3 scripts/benchmark_decisions.py [SIZES...]      (default 10 100 1000 5000)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, '.cache', 'collections'))  # scripts/setup.sh links the repo there

from ansible_collections.quorum.consul.plugins.plugin_utils import _cluster  # noqa: E402

SERVERS = 5
LEADER = '10.0.0.1:8300'


def inventory(size):
    hosts = ['host%05d' % i for i in range(size)]
    servers, clients = hosts[:SERVERS], hosts[SERVERS:]
    addr = dict((h, '10.%d.%d.%d' % (i // 65536, i // 256 % 256, i % 256 + 1)) for i, h in enumerate(hosts))
    members = [dict(name=h, address=addr[h], status='alive', role='server' if h in servers else 'client') for h in hosts]
    raft_servers = [dict(node=h, id=h, address=addr[h] + ':8300', leader=h == servers[0], voter=True) for h in servers]

    def agent(host):
        server = host in servers
        raft = dict(state='Leader' if host == servers[0] else 'Follower', last_log_index=1000 + (host == servers[0]),
                    commit_index=1000, applied_index=1000, num_peers=SERVERS - 1) if server else {}
        return dict(leader=LEADER, peers=[s['address'] for s in raft_servers], servers=raft_servers if server else [],
                    voters=SERVERS, raft=raft, bootstrap=False, server=server, node=host, datacenter='dc1',
                    members=members if server else [], autopilot=None)

    records = dict((h, dict(node=h, addr=addr[h], addresses=[addr[h], '127.0.0.1'], install_method='archive',
                            binary_src='', binary_path='/usr/local/bin/consul')) for h in hosts)
    health = dict((h, agent(h)) for h in hosts)
    probes = dict((h, dict(files=['raft.db', 'encrypt.json'] if h in servers else ['encrypt.json'], agent=health[h]))
                  for h in hosts)
    return hosts, servers, clients, records, probes, health


def best(runs, call):
    times = []
    for dummy in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times) * 1000.0


def main(sizes):
    columns = ['preflight', 'cluster_state', 'restart_plan', 'restart_order', 'health_summary']
    print('The role\'s decisions on synthetic inventories (%d servers, the rest clients), milliseconds, best of 5'
          % SERVERS)
    print('%7s ' % 'hosts' + ' '.join('%14s' % c for c in columns) + ' %10s %9s %8s' % ('total ms', 'us/host', 'growth'))
    previous = None
    for size in sizes:
        hosts, servers, clients, records, probes, health = inventory(size)
        state = _cluster.cluster_state(probes, servers, hosts, hosts, servers[0])
        plan = _cluster.restart_plan(state, dict((h, True) for h in hosts))
        calls = [
            lambda: _cluster.preflight(records, servers, clients, hosts, servers[0]),
            lambda: _cluster.cluster_state(probes, servers, hosts, hosts, servers[0]),
            lambda: _cluster.restart_plan(state, dict((h, True) for h in hosts)),
            lambda: _cluster.restart_order(plan['restart'], dict((h, health[h]) for h in servers)),
            lambda: _cluster.health_summary(health, servers, clients, hosts, records),
        ]
        ms = [best(5, call) for call in calls]
        total = sum(ms)
        # growth: how much more each host cost than in the row before (1.0 = linear, 10.0 = quadratic at 10x)
        growth = '' if previous is None else '%.2f' % ((total / previous[1]) / (size / previous[0]))
        print('%7d ' % size + ' '.join('%14.2f' % m for m in ms) + ' %10.2f %9.2f %8s' % (total, total * 1000.0 / size, growth))
        previous = (size, total)


if __name__ == '__main__':
    main([int(arg) for arg in sys.argv[1:]] or [10, 100, 1000, 5000])
