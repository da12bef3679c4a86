# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: config_summary
short_description: The top-level keys Consul configuration files set, without their secrets
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Reads Consul agent configuration files, JSON or HCL, and returns for each the names of its top-level keys and the
    values of the few that decide whether a datacenter can be taken over (C(bootstrap), C(bootstrap_expect),
    C(data_dir), C(node_name), C(datacenter)).
  - No other value is returned - such a file may hold a gossip key or ACL tokens.
  - HCL is read as far as its top level goes - keys, blocks, lists and scalars - which is all Consul's agent
    configuration uses there.
options:
  _input:
    description:
      - The results of a loop of M(ansible.builtin.slurp) over the files. A name ending in C(.json) is read as JSON,
        any other as HCL.
      - The role's own files (C(consul.json), C(encrypt.json), C(bootstrap.json)) are left out.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Read the configuration files
  ansible.builtin.slurp:
    src: "{{ item }}"
  loop: [/etc/consul.d/consul.hcl, /etc/consul.d/server.hcl]
  register: slurped
  no_log: true

- name: Summarise them
  ansible.builtin.set_fact:
    summaries: "{{ slurped.results | quorum.consul.config_summary }}"
"""

RETURN = r"""
_value:
  description: One summary per file.
  type: list
  elements: dict
  contains:
    path:
      description: The path given.
      type: str
    keys:
      description: The top-level keys, sorted.
      type: list
      elements: str
    values:
      description: The scalar values of C(bootstrap), C(bootstrap_expect), C(data_dir), C(node_name), C(datacenter) where set.
      type: dict
    error:
      description: Why the file could not be read; empty when it could.
      type: str
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._adopt import config_summaries


def config_summary(slurped):
    return config_summaries(list(slurped))


class FilterModule(object):
    def filters(self):
        return {'config_summary': config_summary}
