# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: restart_plan
short_description: Decide which Consul servers restart one at a time and how the other agents start
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - A server of a running datacenter never restarts in place - it goes through the one-at-a-time path when its
    bootstrap flag must come off, or when its binary, unit, configuration or key changed under a running agent.
  - Every other agent starts (new) or restarts in place (running, and something changed).
options:
  _input:
    description: The result of P(quorum.consul.cluster_state#filter).
    type: dict
    required: true
  changed:
    description: Per host of the batch, whether its binary, unit, configuration or gossip key changed in this run.
    type: dict
    required: true
  later:
    description:
      - A later restart in the same run (a stage of the gossip encryption rollout) - every agent runs by then, and
        the bootstrap flags are off.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Decide once which servers restart one at a time
  ansible.builtin.set_fact:
    plan: "{{ state | quorum.consul.restart_plan(changed={'s1': true, 's2': false}) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    restart:
      description: Servers that restart one at a time (in batch order; P(quorum.consul.restart_order#filter) sorts).
      type: list
      elements: str
    flagged:
      description: Servers whose bootstrap flag comes off in that restart.
      type: list
      elements: str
    start_state:
      description: Per host, V(started) or V(restarted) (in place).
      type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import restart_plan as decide


def restart_plan(state, changed, later=False):
    return decide(state, dict(changed), later=bool(later))


class FilterModule(object):
    def filters(self):
        return {'restart_plan': restart_plan}
