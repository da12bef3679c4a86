# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: leader_index
short_description: The raft log index a Consul server must reach to count as caught up
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The highest C(raft.last_log_index) among results of M(quorum.consul.consul_peers_info) - the leader's, when
    the leader is among them. The leader's index keeps moving, so "caught up" means reaching the index it had
    when the check began.
  - Results without raft statistics (skipped checks, clients) count as 0.
options:
  _input:
    description: Results of M(quorum.consul.consul_peers_info).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Wait until this server reached the leader's index of the earlier check
  quorum.consul.consul_peers_info:
    min_last_log_index: "{{ [{'raft': {'last_log_index': 52}}, {'raft': {'last_log_index': 50}}] | quorum.consul.leader_index }}"
"""

RETURN = r"""
_value:
  description: The highest index, 0 when there is none.
  type: int
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import leader_index as decide


def leader_index(results):
    return decide(list(results))


class FilterModule(object):
    def filters(self):
        return {'leader_index': leader_index}
