# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Outage recovery of a datacenter that lost its quorum for good, as one pure function.

HashiCorp's "Outage recovery" procedure: with a majority of the servers gone for good, stop every surviving
server, write the same raft/peers.json on each (raft protocol 3: one entry per survivor with its node ID and
raft address, every one a voter), start them; Consul reads the file, makes it the raft configuration and
deletes it. This module decides whether that is safe from one probe per host and each survivor's node ID,
what the file holds, and which servers the datacenter drops. Standard library only, linear in the hosts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

NODE_ID = re.compile(r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z')
# A line of serf's snapshot (serf/local.snapshot) that names a member: "alive: <name> <address>:<port>".
SNAPSHOT_ALIVE = re.compile(r'alive: (\S+) (\S+)\s*\Z')
SNAPSHOT_GONE = re.compile(r'not-alive: (\S+)\s*\Z')


def _ip(address):
    """The IP address of 'ip:port' or '[ipv6]:port' (the address alone when there is no port)."""
    address = address or ''
    if address.startswith('['):
        return address[1:].split(']', 1)[0]
    return address.rsplit(':', 1)[0] if address.count(':') == 1 else address


def raft_address(addr, port):
    """'ip:port' as raft names a server ('[ip]:port' for IPv6)."""
    return '[%s]:%d' % (addr, int(port)) if ':' in addr else '%s:%d' % (addr, int(port))


def snapshot_members(text):
    """{node name: gossip address} of the members serf's local.snapshot knew last ('' for a member it saw go)."""
    members = {}
    for line in (text or '').splitlines():
        alive = SNAPSHOT_ALIVE.match(line)
        gone = SNAPSHOT_GONE.match(line)
        if alive:
            members[alive.group(1)] = alive.group(2)
        elif gone:
            members.setdefault(gone.group(1), '')
    return members


def _leader_problems(probes, play_hosts):
    """One message per agent of the play that reports a leader: the datacenter still has a quorum."""
    found = []
    for host in play_hosts:
        agent = (probes.get(host) or {}).get('agent') or {}
        if agent.get('leader'):
            found.append('host %s (node %s) sees the leader %s' % (host, agent.get('node') or host, agent['leader']))
    if not found:
        return []
    return ['The datacenter has a leader: %s. Outage recovery (raft/peers.json) is only for a datacenter that lost its '
            'quorum for good; with a leader, replace dead servers with a normal run of the role (playbooks/bootstrap.yml '
            'with the new servers in the servers group and the dead ones in consul_cluster_decommission). Nothing was '
            'changed.'
            % '; '.join(found)]


def _survivor_problems(host, probe, node_id, addr, data_dir, servers_group):
    """What keeps one survivor out of a peers.json, each message naming the host, the file or variable and what
    was expected."""
    found = []
    owners = probe.get('owners') or {}
    raft_db = data_dir.rstrip('/') + '/raft/raft.db'
    id_file = data_dir.rstrip('/') + '/node-id'
    if raft_db not in owners:
        found.append('host %s of %s has no raft state (%s is missing): a survivor must be a server of the datacenter '
                     'that lost its quorum, with its data directory (consul_cluster_data_dir %s) intact; take the host '
                     'out of the group' % (host, servers_group, raft_db, data_dir))
    if id_file not in owners or node_id is None:
        found.append('host %s of %s has no node ID (%s is missing): expected the file a Consul server writes on its '
                     'first start' % (host, servers_group, id_file))
    elif not NODE_ID.match(node_id.strip()):
        found.append('host %s: %s holds %r, expected a node ID (a UUID such as 4797307c-ebf4-6f44-b997-7d2359e5f218)'
                     % (host, id_file, node_id.strip()[:64]))
    if not addr:
        found.append('host %s: no raft address, expected consul_cluster_bind_addr or a default IPv4 address' % host)
    agent = probe.get('agent') or {}
    if agent.get('node') and not agent.get('server', True):
        found.append('host %s of %s runs a client agent (node %s), expected a server'
                     % (host, servers_group, agent['node']))
    return found


def outage_plan(probes, survivors, play_hosts, node_ids, addrs, nodes, clients=(), raft_port=8300,
                data_dir='/opt/consul', servers_group='consul_servers', snapshots=None):
    """Whether to recover, the peers.json every survivor gets, and what the datacenter drops.

    probes: {host: probe record (probe_records: owners, unit, agent)} for every host of the play; survivors: the
    servers group (the servers that are left); play_hosts: every host of the play; node_ids: {survivor: the text of
    its <data_dir>/node-id, None when unread}; addrs: {host: bind address}; nodes: {host: node name} for the
    inventory; clients: the clients group; raft_port: the servers' raft port; snapshots: {survivor: the text of its
    serf/local.snapshot}, read where the agent did not answer (optional).

    Refused (problems, before any change): no survivor; a survivor outside the play; any agent of the play that sees
    a leader (the datacenter has a quorum); a survivor without raft state or node ID, or a client agent; two survivors
    with the same node ID or address.

    Returns problems, warnings, peers (the peers.json entries in the order of the group), content (the file's text),
    running (survivors whose agent runs now and is stopped first), dropped (node names of the servers the survivors
    knew that are not survivors), dropped_addrs (their raft addresses where known), known_from (where the survivors'
    knowledge came from) and lines (what the run does, for the log).
    """
    probes = probes or {}
    node_ids = node_ids or {}
    snapshots = snapshots or {}
    play = set(play_hosts)
    problems, warnings = [], []
    group = "group '%s' (consul_cluster_servers_group)" % servers_group

    if not survivors:
        problems.append('no survivors: %s has no hosts; list the servers that are left of the datacenter' % group)
    outside = [host for host in survivors if host not in play]
    if outside:
        problems.append('survivors %s of %s are not in the play (--limit, or unreachable): every survivor must get '
                        'the same raft/peers.json in the same run' % (', '.join(outside), group))
    problems.extend(_leader_problems(probes, play_hosts))

    peers, by_id, by_addr = [], {}, {}
    for host in survivors:
        if host not in play:
            continue
        addr = addrs.get(host) or ''
        node_id = node_ids.get(host)
        found = _survivor_problems(host, probes.get(host) or {}, node_id, addr, data_dir, servers_group)
        problems.extend(found)
        if found:
            continue
        entry = dict(id=node_id.strip().lower(), address=raft_address(addr, raft_port), non_voter=False)
        by_id.setdefault(entry['id'], []).append(host)
        by_addr.setdefault(entry['address'], []).append(host)
        peers.append(entry)
    problems.extend('hosts %s share the node ID %s: a node-id file copied between hosts; each server needs its own'
                    % (', '.join(hosts), node_id) for node_id, hosts in by_id.items() if len(hosts) > 1)
    problems.extend('hosts %s share the raft address %s (consul_cluster_bind_addr)' % (', '.join(hosts), address)
                    for address, hosts in by_addr.items() if len(hosts) > 1)

    dropped = _dropped(probes, survivors, play, addrs, nodes, clients, raft_port, snapshots)
    running = [host for host in survivors if host in play and _running(probes.get(host) or {})]
    if survivors and len(survivors) % 2 == 0:
        warnings.append('WARNING: %d survivors tolerate %d failed server(s) until the datacenter grows back; add '
                        'servers (an odd number in all, 3 or 5) with a normal run of the role'
                        % (len(survivors), (len(survivors) - 1) // 2))
    content = json.dumps(peers, indent=2, sort_keys=True) + '\n'
    written = ', '.join('%s %s' % (p['address'], p['id']) for p in peers)
    lines = ['write %s/raft/peers.json on %s: %s' % (data_dir.rstrip('/'), ', '.join(survivors), written),
             'stop first: %s' % (', '.join(running) or 'none (no survivor runs)'),
             'drop: %s (from %s)' % (', '.join(dropped['nodes']) or 'none known', dropped['known_from'] or 'nothing')]
    return dict(problems=problems, warnings=warnings, peers=peers, content=content, running=running,
                dropped=dropped['nodes'], dropped_addrs=dropped['addrs'], known_from=dropped['known_from'],
                lines=lines)


def _running(probe):
    """Whether a survivor's agent runs: its unit is active or its agent answered."""
    return (probe.get('unit') or {}).get('active') in ('active', 'activating', 'reloading') or bool(
        (probe.get('agent') or {}).get('node'))


def _dropped(probes, survivors, play, addrs, nodes, clients, raft_port, snapshots):
    """The servers the survivors knew that are not survivors.

    Sources, best first: the raft configuration each running survivor loaded from its raft/ data (its answer to
    /v1/status/peers needs no leader), named through the gossip members it knows (a server's gossip and raft
    addresses share the IP); the gossip members that are servers; serf's snapshot of a survivor that does not run,
    which names members but not their role (the inventory's clients are left out).
    """
    own_nodes = set(nodes.get(host) or host for host in survivors)
    own_addrs = set(raft_address(addrs[host], raft_port) for host in survivors if addrs.get(host))
    client_nodes = set(nodes.get(host) or host for host in clients if host not in survivors)
    names, raft_addrs, sources = [], [], []

    def add(name):
        if name and name not in own_nodes and name not in names:
            names.append(name)

    for host in survivors:
        if host not in play:
            continue
        agent = (probes.get(host) or {}).get('agent') or {}
        members = agent.get('members') or []
        if agent.get('node'):
            by_ip = dict((_ip(m.get('address')), m.get('name')) for m in members if m.get('role') == 'server')
            peers = [p for p in agent.get('peers') or [] if p not in own_addrs]
            if agent.get('peers'):
                sources.append('the raft configuration of %s' % host)
            for address in peers:
                if address not in raft_addrs:
                    raft_addrs.append(address)
                add(by_ip.get(_ip(address)) or address)
            if members:
                sources.append('the gossip members %s knows' % host)
            for member in members:
                # a server that left gracefully is out of the raft configuration already
                if member.get('role') == 'server' and member.get('status') != 'left':
                    add(member.get('name'))
        elif snapshots.get(host):
            sources.append("serf's snapshot of %s" % host)
            for name in snapshot_members(snapshots[host]):
                if name not in client_nodes:
                    add(name)
    return dict(nodes=names, addrs=raft_addrs, known_from=', '.join(sources))
