# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which agents consul_cluster_decommission takes out, and how, never below quorum. Standard library only.

HashiCorp's way: an agent that runs leaves gracefully (consul leave, on its own host); a dead one is force-left and,
when it is a server, removed from the raft configuration by its ID (consul operator raft remove-peer -id), through
the leader, one at a time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

RECOVER = 'playbooks/recover_outage.yml'


def quorum(voters):
    """How many voters of a raft configuration of this size must agree."""
    return voters // 2 + 1


def inventory_nodes(hostvars):
    """{node name: inventory host} for every host of the inventory, its node name as consul_cluster_node_name (set in
    the inventory) or its inventory name gives it."""
    found = {}
    for host in hostvars:
        node = (hostvars[host] or {}).get('consul_cluster_node_name') or host
        found.setdefault(str(node), host)
    return found


def decommission_plan(names, view, nodes, known=None):
    """names: consul_cluster_decommission; view: what an agent of the datacenter answered (consul_peers_info: leader,
    members, servers), {} when none answered; nodes: {host: node name} of the servers and clients groups (preflight);
    known: {node name: inventory host} of the whole inventory (inventory_nodes), where a running agent can leave.

    Returns leave ([{node, host, server}]: agents that run, left gracefully on their own host, servers first),
    remove ([{node, server}]: dead agents, force-left and out of raft), gone (names not in the datacenter any more) and
    problems (a refusal of the whole list: nothing is done when one is found).
    """
    problems = []
    if not isinstance(names, (list, tuple)) or not all(isinstance(name, str) and name for name in names):
        return dict(leave=[], remove=[], gone=[], problems=[
            'consul_cluster_decommission must be a list of node names, got %r' % (names,)])
    names = list(dict.fromkeys(names))
    in_groups = dict((node, host) for host, node in nodes.items())
    for name in names:
        if name in in_groups:
            problems.append('consul_cluster_decommission lists %s, the node of host %s, which is still in the servers or '
                            'clients group: an agent the inventory keeps cannot leave. Take %s out of its group and '
                            're-run.' % (name, in_groups[name], in_groups[name]))
    names = [name for name in names if name not in in_groups]
    members = dict((member.get('name'), member) for member in view.get('members') or ())
    raft = dict((server.get('node'), server) for server in view.get('servers') or ())
    leave, remove, gone = [], [], []
    for name in names:
        status = (members.get(name) or {}).get('status', '')
        server = name in raft or (members.get(name) or {}).get('role') == 'server'
        if status in ('alive', 'leaving'):
            host = (known or {}).get(name)
            if not host:
                problems.append(
                    'consul_cluster_decommission: node %s is alive, and an agent that runs leaves gracefully on its own '
                    'host: list that host in the inventory (outside the servers and clients groups, with '
                    'consul_cluster_node_name %s if its name differs), or stop its agent for good first and it is '
                    'force-left.' % (name, name))
            leave.append(dict(node=name, host=host or '', server=server))
        elif status == 'failed' or name in raft:
            remove.append(dict(node=name, server=server))
        else:
            gone.append(name)
    if names and not (view.get('leader') and view.get('members')):
        problems.append(
            'consul_cluster_decommission needs a datacenter with a leader, and no agent of the play sees one (%s): '
            'for a datacenter that lost its quorum for good, run %s with the surviving servers first.'
            % (view.get('msg') or 'no answer', RECOVER))
    problems.extend(_quorum_problems(raft, members, leave, remove))
    leave.sort(key=lambda item: not item['server'])
    return dict(leave=leave, remove=remove, gone=gone, problems=problems)


def _quorum_problems(raft, members, leave, remove):
    """Dead servers go first (that only shrinks the configuration); then each running server's leave must leave a
    quorum of the smaller configuration alive."""
    voters = set(node for node, server in raft.items() if server.get('voter'))
    alive = set(node for node in voters if (members.get(node) or {}).get('status') == 'alive')
    voters -= set(item['node'] for item in remove)
    for item in leave:
        if item['node'] not in voters:
            continue
        if len(alive) - 1 < quorum(len(voters) - 1) or len(voters) == 1:
            return ['consul_cluster_decommission: the leave of server %s would leave %d of %d voters running (%s), '
                    'below a quorum of %d: the datacenter would stop. Decommission fewer servers at once, or add their '
                    'replacements first (a run with the new servers in the group, then this one).'
                    % (item['node'], len(alive) - 1, len(voters) - 1, ', '.join(sorted(alive - {item['node']})) or 'none',
                       quorum(len(voters) - 1))]
        voters.discard(item['node'])
        alive.discard(item['node'])
    return []
