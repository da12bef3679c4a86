# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_paths
short_description: The paths the role leaves on an agent's host, with owner, group, mode and checksum
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Every directory and file the role C(quorum.consul.consul_cluster) writes on a host, with its owner, group and
    mode; the files whose content is given also get its SHA-1 as C(checksum). M(quorum.consul.consul_host_info)
    reports the same attributes, so a host whose probe matches needs no install or configure.
  - Fails on a content or checksum for a path that is not one of them.
options:
  _input:
    description:
      - "Settings: C(config_dir), C(data_dir), C(user) (the agent's user and group), C(unit_file), C(config_file),
        C(encrypt_file); C(binary_path) (the copy method's binary, else null) and C(tls_dir) (with TLS, else null)
        add theirs."
    type: dict
    required: true
  contents:
    description: Per file, the text it must hold (null - any content, the same on every host).
    type: dict
    default: {}
  checksums:
    description: Per file, its SHA-1 when already known, such as the binary's (null - any).
    type: dict
    default: {}
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
               encrypt_file: /etc/consul.d/encrypt.json}
"""

RETURN = r"""
_value:
  description: Per path, C(owner), C(group), C(mode) and, for the files given a content or checksum, C(checksum).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import agent_paths as _agent_paths


def agent_paths(settings, contents=None, checksums=None):
    try:
        return _agent_paths(dict(settings), dict(contents or {}), dict(checksums or {}))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'agent_paths': agent_paths}
