# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: probe_records
short_description: The probe of every host as the consul_cluster role's decisions read it
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - An internal filter of the role C(quorum.consul.consul_cluster), documented but without a compatibility promise.
  - Turns each host's M(quorum.consul.consul_host_info) result into the record P(quorum.consul.cluster_state#filter),
    P(quorum.consul.cluster_adoption#filter), P(quorum.consul.host_sync#filter) and
    P(quorum.consul.agent_files#filter) read, in one call for the play.
options:
  _input:
    description: Per host, the result of M(quorum.consul.consul_host_info).
    type: dict
    required: true
  views:
    description:
      - Per host, the result of M(quorum.consul.consul_peers_info) when the agents were asked again with the run's
        scheme and tokens; it replaces what the agent answered the probe. Null - the probe's answer.
    type: dict
"""

EXAMPLES = r"""
- name: Decide once, from every host's probe
  ansible.builtin.set_fact:
    probes: "{{ dict(ansible_play_batch | zip(ansible_play_batch | map('extract', hostvars, 'probe'))) | quorum.consul.probe_records }}"
  run_once: true
"""

RETURN = r"""
_value:
  description:
    - Per host, C(files) (basenames in the configuration and data directories), C(owners) (the data directory's
      entries and their owners), C(config), C(unit), C(paths) and C(agent).
  type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import probe_records as _probe_records


def probe_records(results, views=None):
    return _probe_records(dict(results), dict(views) if views is not None else None)


class FilterModule(object):
    def filters(self):
        return {'probe_records': probe_records}
