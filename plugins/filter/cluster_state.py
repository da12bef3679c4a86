# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cluster_state
short_description: Decide what a Consul datacenter is and what each host must do, from one probe per host
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The detect decision of the role C(quorum.consul.consul_cluster), made once per run.
  - The datacenter exists when any server has raft state (C(raft.db) and, if the agent runs, a non-empty log) or
    any agent sees a leader; then no host gets the bootstrap flag. Otherwise Node A gets it, unless some server
    has not been probed (outside the play, or in a later C(serial) batch), which is refused.
  - The datacenter's leader is the one most agents follow; a tie is refused. A server that leads or follows
    another leader, or is alone in its raft configuration while other servers have raft state, is a stray
    (bootstrapped by accident); it is refused unless O(recover_stray).
options:
  _input:
    description:
      - "Per host of the batch: C(files) (basenames found in the data and configuration directories, among
        C(raft.db), C(bootstrap.json), C(encrypt.json)) and C(agent) (the result of
        M(quorum.consul.consul_peers_info), or an empty or failed result when the agent did not answer)."
    type: dict
    required: true
  servers:
    description: Hosts of the servers group.
    type: list
    elements: str
    required: true
  batch:
    description: Hosts probed in this run (C(ansible_play_batch)).
    type: list
    elements: str
    required: true
  play_hosts:
    description: Every host of the play, all batches (C(ansible_play_hosts)).
    type: list
    elements: str
    required: true
  bootstrap_host:
    description: Node A.
    type: str
    required: true
  recover_stray:
    description: Whether strays are to be wiped and rejoined instead of refused.
    type: bool
    default: false
  bootstrap_mode:
    description:
      - V(manual) - Node A gets the bootstrap flag in a new datacenter, and a server whose agent runs in bootstrap mode
        carries a flag to take off.
      - V(expect) - no server gets the flag (every server starts with C(bootstrap_expect)).
    type: str
    default: manual
  servers_group:
    description: Name of the servers group, for the messages.
    type: str
    default: consul_servers
  data_dir:
    description: The data directory, for the by-hand fix in a refusal.
    type: str
    default: /opt/consul
  flag_path:
    description: The file that holds the bootstrap flag, for the by-hand fix in a refusal.
    type: str
    default: /etc/consul.d/bootstrap.json
  key_file:
    description: The gossip key file, whose checksum in each probe's C(paths) tells whether every agent has the same.
    type: str
  user:
    description: The agents' user, the group of the gossip key file.
    type: str
    default: consul
"""

EXAMPLES = r"""
- name: Decide once what kind of datacenter this is
  ansible.builtin.set_fact:
    state: >-
      {{ {'s1': {'files': [], 'agent': {}}, 's2': {'files': [], 'agent': {}}}
         | quorum.consul.cluster_state(servers=['s1', 's2'], batch=['s1', 's2'], play_hosts=['s1', 's2'],
                                       bootstrap_host='s1') }}
  run_once: true
  # state.bootstrapped == false, state.join_host == 's1', state.hosts.s1.write_flag == true
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    bootstrapped:
      description: Whether the datacenter already exists.
      type: bool
    leader:
      description: The datacenter's leader (raft address), or empty.
      type: str
    leader_host:
      description: The host of the batch that leads the datacenter, or empty.
      type: str
    raft_hosts:
      description: Servers with raft state.
      type: list
      elements: str
    members:
      description: Servers that follow the datacenter's leader.
      type: list
      elements: str
    strays:
      description: Servers that run a cluster of their own.
      type: list
      elements: str
    join_host:
      description: The server that joins the others - Node A on a new datacenter, else a member of it.
      type: str
    api_host:
      description: The host whose agent takes the datacenter-wide calls (ACLs) - the join host, else the first server.
      type: str
    api_host_ready:
      description: Whether that agent answers and sees a leader.
      type: bool
    leader_pending:
      description:
        - Whether that agent answers without a leader while an election is under way that raft finishes by itself (the
          servers with raft state whose agents answer are most of the voters of their raft configuration), so a call
          through it can wait for the leader. False when C(api_host_ready) is true.
      type: bool
    key_holder:
      description: A host that has the gossip key already (probed, else a server outside the batch), or empty.
      type: str
    key_shared:
      description: Every server is in the batch and every host of it has the same O(key_file), owned as the role leaves it.
      type: bool
    problems:
      description: Reasons to stop before any change.
      type: list
      elements: str
    hosts:
      description:
        - Per host of the batch - C(server), C(running), C(stray), C(remove_flag) (the bootstrap flag, and for a
          stray its raft and serf state, must go), C(write_flag) (Node A of a new datacenter), C(flagged) (the
          flag is or will be on; it comes off through the one-at-a-time restart).
      type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import cluster_state as decide


def cluster_state(probes, servers, batch, play_hosts, bootstrap_host, recover_stray=False, servers_group='consul_servers',
                  data_dir='/opt/consul', flag_path='/etc/consul.d/bootstrap.json', key_file=None,
                  user='consul', bootstrap_mode='manual'):
    return decide(dict(probes), list(servers), list(batch), list(play_hosts), bootstrap_host, recover_stray=recover_stray,
                  servers_group=servers_group, data_dir=data_dir, flag_path=flag_path, key_file=key_file,
                  user=user, bootstrap_mode=bootstrap_mode)


class FilterModule(object):
    def filters(self):
        return {'cluster_state': cluster_state}
