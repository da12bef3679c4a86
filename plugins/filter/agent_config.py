# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: agent_config
short_description: Render a Consul agent's configuration for the Consul version in use
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The configuration the role C(quorum.consul.consul_cluster) writes to C(consul.json).
  - With TLS, servers verify incoming RPC, every agent verifies outgoing RPC and the server's hostname
    (C(server.<datacenter>.<domain>)), and the API is HTTPS only. Consul 1.12 and later get the C(tls) stanza,
    earlier versions the top-level C(ca_file), C(cert_file), C(key_file) and C(verify_*) keys.
  - With ACLs, the agent's own token is in C(acl.tokens.agent); a management token chosen by the user goes to servers
    as C(acl.tokens.master) (before 1.11) or C(acl.tokens.initial_management).
options:
  _input:
    description:
      - "Settings: C(version), C(datacenter), C(domain), C(node_name), C(server), C(data_dir), C(bind_addr),
        C(client_addr), C(http_port), C(https_port), C(log_level), C(raft_multiplier),
        C(server_stabilization_time), C(retry_join),
        C(tls) (C(ca_file), C(cert_file), C(key_file)) or null, C(tls_stage) (C(1) to C(3), the end state),
        C(http_loopback) (with TLS, plain HTTP kept on C(127.0.0.1)), C(acl) (C(default_policy), C(down_policy),
        C(agent_token), C(management_token)) or null, C(acl_stage) (C(1) the default policy C(allow), C(3) the
        one asked for), C(extra) (merged last, recursively)."
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the agent configuration (it may hold tokens)
  ansible.builtin.copy:
    content: "{{ settings | quorum.consul.agent_config | to_nice_json }}"
    dest: /etc/consul.d/consul.json
    mode: "0640"
  no_log: true
"""

RETURN = r"""
_value:
  description: The agent configuration.
  type: dict
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import agent_config as render


def agent_config(settings):
    return render(dict(settings))


class FilterModule(object):
    def filters(self):
        return {'agent_config': agent_config}
