# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: host_sync
short_description: Decide which hosts already are what a run of the role would make them
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Per host, the reasons it differs from what the role would leave there - a file (binary, unit, configuration,
    gossip key, certificates) with another checksum, owner, group or mode, a unit that is not active and enabled
    as the role's user, data owned by another user, an agent that does not run under its node name or does not see
    every server alive, a bootstrap flag to write or remove, files to move aside in a takeover, a datacenter not yet
    bootstrapped.
  - A host without reasons needs no install, configuration, start or join, so a re-run on a healthy datacenter
    skips them and only checks its health.
extends_documentation_fragment:
  - quorum.consul.decisions
options:
  _input:
    description: Per host, the probe (M(quorum.consul.consul_host_info)'s C(paths), C(unit), C(agent), and C(owners)
      its C(data_files)).
    type: dict
    required: true
  desired:
    description: Per host, per path, the C(checksum) (SHA-1; null for "any, but the same on every host"),
      C(owner), C(group) and C(mode) the role would give it.
    type: dict
    required: true
  user:
    description: The user the agents run as.
    type: str
    required: true
  nodes:
    description: Per host, its node name.
    type: dict
    required: true
  servers:
    description: The servers of the inventory.
    type: list
    elements: str
    required: true
  addrs:
    description: Per host, its gossip address (for C(rejoin_addrs)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide once which hosts need nothing
  ansible.builtin.set_fact:
    sync: >-
      {{ probes | quorum.consul.host_sync(desired=desired, state=state, adoption=adoption, user='consul',
                                          nodes=nodes, servers=groups['consul_servers']) }}
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - C(hosts) (per host, the list of reasons; empty when it is in sync), C(all) (every host in sync) and
      C(rejoin_addrs) (what a server joins after its restart).
  type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import host_sync as _host_sync


def host_sync(probes, desired, state, adoption, user, nodes, servers, addrs=None):
    return _host_sync(dict(probes), dict(desired), dict(state), dict(adoption), str(user), dict(nodes), list(servers),
                      dict(addrs or {}))


class FilterModule(object):
    def filters(self):
        return {'host_sync': host_sync}
