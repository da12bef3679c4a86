# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_tokens
short_description: Derive the ACL token IDs of Consul agents from one secret seed
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Each node's accessor ID and secret are derived (HMAC-SHA256) from a seed kept on the controller, so every run
    finds the same tokens and an agent's configuration can carry its secret before the agent first starts.
  - The result holds secrets - use it only in tasks with C(no_log).
options:
  _input:
    description: The seed, at least 32 characters.
    type: str
    required: true
  nodes:
    description: Node names.
    type: list
    elements: str
    required: true
  kind:
    description:
      - V(agent) - the token each agent uses (C(acl.tokens.agent)), made through the API with its accessor ID.
      - V(recovery) - each agent's recovery token (C(acl.tokens.agent_master), C(agent_recovery) from Consul 1.11),
        which lives only in the agent's configuration.
    type: str
    default: agent
    choices: [agent, recovery]
"""

EXAMPLES = r"""
- name: Make sure every agent's token exists
  quorum.consul.consul_agent_tokens:
    datacenter: dc1
    tokens: "{{ seed | quorum.consul.agent_tokens(['consul-a', 'consul-b']) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: One C(node), C(accessor_id) (kind V(agent) only) and C(secret_id) per node.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import agent_tokens as derive


def agent_tokens(seed, nodes, kind='agent'):
    try:
        return derive(str(seed), list(nodes), kind=kind)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'agent_tokens': agent_tokens}
