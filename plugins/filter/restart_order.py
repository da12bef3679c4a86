# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: restart_order
short_description: Order Consul servers for a rolling restart, followers first and the leader last
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Keeps the given order, but puts every server that reports itself leader at the end, so the leader restarts
    last and the datacenter elects only once.
options:
  _input:
    description: The servers to restart.
    type: list
    elements: str
    required: true
  health:
    description: Per host, the result of M(quorum.consul.consul_peers_info) from the health check before the restarts.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Followers first, the leader last
  ansible.builtin.set_fact:
    order: "{{ ['s1', 's2', 's3'] | quorum.consul.restart_order({'s1': {'raft': {'state': 'Leader'}}}) }}"
  # order == ['s2', 's3', 's1']
"""

RETURN = r"""
_value:
  description: The servers in restart order.
  type: list
  elements: str
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import restart_order as decide


def restart_order(hosts, health):
    return decide(list(hosts), dict(health))


class FilterModule(object):
    def filters(self):
        return {'restart_order': restart_order}
