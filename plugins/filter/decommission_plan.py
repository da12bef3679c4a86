# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: decommission_plan
short_description: Decide how the Consul agents named in consul_cluster_decommission leave, never below quorum
version_added: 0.3.0
author:
  - quorum.consul contributors (@quorum)
description:
  - An agent that runs leaves gracefully on its own host (an inventory host outside the role's groups); a dead one is
    force-left and, if it is a server, removed from the raft configuration by its ID; a name the datacenter no longer
    knows is gone already.
  - Refuses the whole list, with why, when a name is still the node of a host in the servers or clients group, when a
    running agent has no host in the inventory, when no agent sees a leader, or when a server's leave would leave fewer
    running voters than a quorum.
  - The role's internal decision (README, "Filters"); documented, without a compatibility promise.
options:
  _input:
    description: The node names (C(consul_cluster_decommission)).
    type: list
    elements: str
    required: true
  view:
    description: What an agent of the datacenter answered (M(quorum.consul.consul_peers_info) - C(leader), C(members),
      C(servers)), empty when none answered.
    type: dict
    required: true
  nodes:
    description: Node name of each host of the servers and clients groups (C(nodes) of the cluster_preflight filter).
    type: dict
    required: true
  hostvars:
    description: C(hostvars), to find the inventory host of a running agent by its C(consul_cluster_node_name) or name.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide how the decommissioned agents leave
  ansible.builtin.set_fact:
    plan: "{{ ['consul-3'] | quorum.consul.decommission_plan(view=peers_info, nodes=preflight.nodes, hostvars=hostvars) }}"
"""

RETURN = r"""
_value:
  description: The plan.
  type: dict
  contains:
    leave:
      description: Agents that run and leave gracefully on their own host, servers first (C(node), C(host), C(server)).
      type: list
      elements: dict
    remove:
      description: Dead agents, force-left and removed from raft (C(node), C(server)).
      type: list
      elements: dict
    gone:
      description: Names the datacenter no longer has (left, or never known).
      type: list
      elements: str
    problems:
      description: Why nothing may be done; empty when the plan is safe.
      type: list
      elements: str
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._decommission import decommission_plan as decide, inventory_nodes


def decommission_plan(names, view, nodes, hostvars=None):
    return decide(names, dict(view or {}), dict(nodes), inventory_nodes(hostvars or {}))


class FilterModule(object):
    def filters(self):
        return {'decommission_plan': decommission_plan}
