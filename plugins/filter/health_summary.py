# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: health_summary
short_description: Summarise a Consul datacenter and list what is wrong with it
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - One line per server (node, address, leader or follower, voter, last log index, bootstrap mode) and per client
    member (name, address, status), from the leader's view, else any server's, else (a play of clients only) a
    client's.
  - Problems - not exactly one server reporting itself leader (when every server is in the play), servers
    following different leaders, a server still in bootstrap mode, a client of the play that is not an alive member.
options:
  _input:
    description: Per host of the play, the result of M(quorum.consul.consul_peers_info) (or of a skipped task).
    type: dict
    required: true
  servers:
    description: Hosts of the servers group.
    type: list
    elements: str
    required: true
  clients:
    description: Hosts of the clients group.
    type: list
    elements: str
    required: true
  play_hosts:
    description: Hosts of the play.
    type: list
    elements: str
    required: true
  records:
    description: Per host of the play, C(node) (node name) and C(addr) (bind address).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check and show the datacenter
  ansible.builtin.assert:
    that: summary.problems | length == 0
    success_msg: "{{ summary.lines }}"
    fail_msg: "{{ summary.problems + summary.lines }}"
  vars:
    summary: "{{ health | quorum.consul.health_summary(servers=servers, clients=clients, play_hosts=hosts, records=records) }}"
"""

RETURN = r"""
_value:
  description: The summary.
  type: dict
  contains:
    lines:
      description: One line per server and per client member.
      type: list
      elements: str
    problems:
      description: What is wrong; empty for a healthy datacenter.
      type: list
      elements: str
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import health_summary as decide


def health_summary(health, servers, clients, play_hosts, records):
    return decide(dict(health), list(servers), list(clients), list(play_hosts), dict(records))


class FilterModule(object):
    def filters(self):
        return {'health_summary': health_summary}
