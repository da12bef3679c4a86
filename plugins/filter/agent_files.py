# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_files
short_description: Everything a run of the consul_cluster role writes on one host
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - An internal filter of the role C(quorum.consul.consul_cluster), documented but without a compatibility promise.
  - One call per host makes the agent configuration (C(consul.json), for the Consul version in use), the unit, the
    gossip key file for each stage of a move to encrypted gossip, the bootstrap flag, the TLS files, the owner, group
    and mode of every path, the checksums a host in sync has, and whether the copy method's binary goes out.
  - The result holds secrets (ACL tokens, the gossip key, the agent's TLS key) - keep it in a C(no_log) task.
extends_documentation_fragment:
  - quorum.consul.decisions
options:
  _input:
    description:
      - "The host's settings as the role's preflight records them: C(node), C(addr), C(version), C(datacenter),
        C(domain), C(client_addr), C(http_port), C(https_port), C(http_loopback), C(log_level), C(raft_multiplier),
        C(server_stabilization_time), C(config_dir), C(data_dir), C(user), C(install_method), C(binary_path),
        C(binary_file), C(wait_timeout), C(acl_default_policy), C(acl_down_policy) and the paths
        C(config_file), C(encrypt_file), C(flag_file), C(unit_file), C(tls_dir)."
    type: dict
    required: true
  host:
    description: The host's inventory name.
    type: str
    required: true
  preflight:
    description: The result of P(quorum.consul.cluster_preflight#filter).
    type: dict
    required: true
  probe:
    description: The host's probe record (its C(paths), as M(quorum.consul.consul_host_info) reports them).
    type: dict
    required: true
  extra:
    description: C(consul_cluster_extra_config), merged into the configuration last.
    type: dict
    default: {}
  tokens:
    description: With ACLs, this agent's C(agent) and C(recovery) tokens and the C(management) token (servers only).
    type: dict
    default: {}
  tls_files:
    description: With TLS, the texts of the CA, this agent's certificate and its key.
    type: list
    elements: str
  binary_checksum:
    description: The SHA-1 of the copy method's binary on the controller (null - any).
    type: str
  gossip_key:
    description: The gossip key the run writes.
    type: str
  encrypt_key:
    description: C(consul_cluster_encrypt_key) (empty - any key, as long as it is the same on every host).
    type: str
"""

EXAMPLES = r"""
- name: Decide once what a run writes on this host
  ansible.builtin.set_fact:
    agent_files: >-
      {{ settings | quorum.consul.agent_files(host=inventory_hostname, preflight=preflight, state=state,
                                              adoption=adoption, probe=probe, gossip_key=key) }}
  no_log: true
"""

RETURN = r"""
_value:
  description:
    - C(paths) (per path, C(owner), C(group), C(mode) and, for files known before the run, C(checksum)),
      C(layout) (C(binary), C(directories), C(files), C(sensitive_files) for M(quorum.consul.consul_agent_files)),
      C(stage_files) (for each later stage, one rolling restart each, the file it writes - C(encrypt.json) for a move
      to encrypted gossip, then C(consul.json) for a running datacenter's move to TLS or ACLs - as path and content)
      and C(problems).
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_files import agent_files as _agent_files


def agent_files(settings, host, preflight, state, adoption, probe, extra=None, tokens=None, tls_files=None,
                binary_checksum=None, gossip_key=None, encrypt_key=None):
    try:
        return _agent_files(dict(settings), str(host), dict(preflight), dict(state), dict(adoption), dict(probe),
                            # as given: a run without ACLs never renders the tokens
                            extra=dict(extra or {}), tokens=tokens or {},
                            tls_files=list(tls_files) if tls_files else None,
                            binary_checksum=binary_checksum, gossip_key=gossip_key,
                            encrypt_key=encrypt_key)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'agent_files': agent_files}
