# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_paths
short_description: Every path the consul_cluster role may write on a host, with owner, group and mode
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - An internal filter of the role C(quorum.consul.consul_cluster), documented but without a compatibility promise.
  - Every directory and file the role may write on a host, with the owner, group and mode it gives them, the TLS
    files included whether or not the run uses TLS (the probe looks before the run decided). What the role compares
    them with is P(quorum.consul.agent_files#filter)'s C(paths).
options:
  _input:
    description:
      - "Settings: C(config_dir), C(data_dir), C(user) (the agent's user and group), C(unit_file), C(config_file),
        C(encrypt_file), C(tls_dir), C(install_method) and C(binary_path) (the copy method's binary is one of them)."
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Probe the paths the role writes
  quorum.consul.consul_host_info:
    config_dir: /etc/consul.d
    data_dir: /opt/consul
    paths: "{{ settings | quorum.consul.agent_paths | list }}"
  vars:
    settings: {config_dir: /etc/consul.d, data_dir: /opt/consul, user: consul,
               unit_file: /etc/systemd/system/consul.service, config_file: /etc/consul.d/consul.json,
               encrypt_file: /etc/consul.d/encrypt.json, tls_dir: /etc/consul.d/tls, install_method: copy,
               binary_path: /usr/local/bin/consul}
"""

RETURN = r"""
_value:
  description: Per path, C(owner), C(group) and C(mode).
  type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_files import role_paths


def agent_paths(settings):
    return role_paths(dict(settings))


class FilterModule(object):
    def filters(self):
        return {'agent_paths': agent_paths}
