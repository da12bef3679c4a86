# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: outage_peers
short_description: Decide a Consul outage recovery - whether it is safe, the raft/peers.json of the survivors, who is dropped
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The decision of the entry point C(recover_outage) of the role C(quorum.consul.consul_cluster), made once per run
    from one probe per host and each survivor's node ID (HashiCorp's outage recovery with C(peers.json)).
  - Refused, with the host, the file or variable and what was expected - no survivor; a survivor outside the play;
    any agent of the play that sees a leader (the datacenter has a quorum, nothing is to be recovered); a survivor
    without raft state (C(<data_dir>/raft/raft.db)), without a node ID (C(<data_dir>/node-id)) or running a client
    agent; two survivors with the same node ID or raft address.
  - "The file is raft protocol 3's - one entry per survivor, in the order of the servers group:
    C({\"id\": <node ID>, \"address\": <bind address>:<raft port>, \"non_voter\": false})."
  - The dropped servers are those the survivors knew and that are not survivors - the raft configuration a running
    survivor loaded (C(/v1/status/peers) needs no leader), named through its gossip members; else the members serf's
    snapshot of a stopped survivor names (not the inventory's clients).
options:
  _input:
    description:
      - Per host of the play, its probe as M(quorum.consul.consul_host_info) returns it through
        C(quorum.consul.probe_records) (C(owners), C(unit), C(agent)).
    type: dict
    required: true
  survivors:
    description: The servers group - the servers that are left.
    type: list
    elements: str
    required: true
  play_hosts:
    description: Every host of the play.
    type: list
    elements: str
    required: true
  node_ids:
    description: Per survivor, the text of its C(<data_dir>/node-id); null or absent when it was not read.
    type: dict
    required: true
  addrs:
    description: Per host, its bind address (the C(addrs) of C(quorum.consul.cluster_preflight)).
    type: dict
    required: true
  nodes:
    description: Per host of the inventory, its node name (the C(nodes) of C(quorum.consul.cluster_preflight)).
    type: dict
    required: true
  clients:
    description: The clients group (left out of the members a serf snapshot names).
    type: list
    elements: str
    default: []
  raft_port:
    description: The servers' raft port (C(ports.server)).
    type: int
    default: 8300
  data_dir:
    description: The agents' data directory, for the checks and the messages.
    type: str
    default: /opt/consul
  servers_group:
    description: Name of the servers group, for the messages.
    type: str
    default: consul_servers
  snapshots:
    description: Per survivor whose agent did not answer, the text of its C(<data_dir>/serf/local.snapshot).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide once whether and how to recover
  ansible.builtin.set_fact:
    plan: >-
      {{ {'s1': {'owners': {'/opt/consul/raft/raft.db': 'consul', '/opt/consul/node-id': 'consul'}, 'agent': {}}}
         | quorum.consul.outage_peers(survivors=['s1'], play_hosts=['s1'],
                                      node_ids={'s1': '4797307c-ebf4-6f44-b997-7d2359e5f218'},
                                      addrs={'s1': '10.0.0.1'}, nodes={'s1': 's1'}) }}
  run_once: true
  # plan.problems == [], plan.peers == [{'id': '4797307c-ebf4-6f44-b997-7d2359e5f218', 'address': '10.0.0.1:8300',
  #                                     'non_voter': false}]
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    problems:
      description: Reasons to stop before any change, each naming the host and what was expected.
      type: list
      elements: str
    warnings:
      description: A weak but valid recovery (an even number of survivors).
      type: list
      elements: str
    peers:
      description: The entries of C(raft/peers.json), in the order of the servers group.
      type: list
      elements: dict
    content:
      description: The text of C(raft/peers.json), the same on every survivor.
      type: str
    running:
      description: Survivors whose agent runs now (stopped before the file is written).
      type: list
      elements: str
    dropped:
      description: Node names (a raft address where no name is known) of the servers the survivors knew that are not survivors.
      type: list
      elements: str
    dropped_addrs:
      description: Raft addresses of the dropped servers in the survivors' raft configuration.
      type: list
      elements: str
    known_from:
      description: Where the dropped servers were read from, empty when nowhere.
      type: str
    lines:
      description: What the recovery does, for the log.
      type: list
      elements: str
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._outage import outage_plan as decide


def outage_peers(probes, survivors, play_hosts, node_ids, addrs, nodes, clients=(), raft_port=8300,
                 data_dir='/opt/consul', servers_group='consul_servers', snapshots=None):
    return decide(dict(probes), list(survivors), list(play_hosts), dict(node_ids or {}), dict(addrs), dict(nodes),
                  clients=list(clients or []), raft_port=int(raft_port), data_dir=data_dir, servers_group=servers_group,
                  snapshots=dict(snapshots or {}))


class FilterModule(object):
    def filters(self):
        return {'outage_peers': outage_peers}
