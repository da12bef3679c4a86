# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_layout
short_description: The arguments of consul_agent_files for an agent's directories and files
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Gives each directory and file its owner, group and mode from one table of paths (the table the role's probe
    checks them against), each file its content and options such as C(validate) or C(backup).
  - Fails on a path the table does not have or a file without content.
options:
  _input:
    description: C(directories), C(files) and C(sensitive_files), each a list of paths in the order to write them.
    type: dict
    required: true
  paths:
    description: Per path, its C(owner), C(group) and C(mode) (other keys, such as C(checksum), are left out).
    type: dict
    required: true
  contents:
    description: Per file, its content.
    type: dict
    required: true
  extra:
    description: Per file, more options of M(quorum.consul.consul_agent_files) (C(validate), C(backup)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Write the agent's files in one call
  quorum.consul.consul_agent_files: >-
    {{ {'directories': ['/etc/consul.d'], 'files': ['/etc/consul.d/consul.json'], 'sensitive_files': []}
       | quorum.consul.agent_layout(paths, contents={'/etc/consul.d/consul.json': config | to_nice_json}) }}
"""

RETURN = r"""
_value:
  description: C(directories), C(files) and C(sensitive_files) as M(quorum.consul.consul_agent_files) takes them.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import agent_layout as _agent_layout


def agent_layout(kinds, paths, contents, extra=None):
    try:
        return _agent_layout(dict(kinds), dict(paths), dict(contents), dict(extra or {}))
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'agent_layout': agent_layout}
