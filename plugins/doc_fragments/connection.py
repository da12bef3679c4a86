# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options of every module; the argument spec is _api.connection_argument_spec()
    DOCUMENTATION = r"""
options:
  host:
    description:
      - Address of the Consul agent's HTTP API, as seen from the managed node.
      - If not set, the host of E(CONSUL_HTTP_ADDR) is used, else V(127.0.0.1).
      - When set, E(CONSUL_HTTP_ADDR) is ignored, its port and scheme too.
    type: str
  port:
    description:
      - Port of the Consul agent's HTTP API.
      - If not set, the port of E(CONSUL_HTTP_ADDR) is used (when O(host) is not set), else V(8500).
    type: int
  scheme:
    description:
      - Protocol of the Consul agent's HTTP API.
      - If not set, the scheme of E(CONSUL_HTTP_ADDR) is used (when O(host) is not set), else V(http).
    type: str
    choices: [http, https]
  validate_certs:
    description:
      - Whether to verify the agent's TLS certificate when O(scheme=https).
      - If not set, E(CONSUL_HTTP_SSL_VERIFY) is used when present.
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle that signed the agent's certificate.
      - If not set, E(CONSUL_CACERT) is used when present.
    type: path
  client_cert:
    description:
      - Client certificate for agents that verify incoming HTTPS connections.
      - If not set, E(CONSUL_CLIENT_CERT) is used when present.
    type: path
  client_key:
    description:
      - Private key of O(client_cert).
      - If not set, E(CONSUL_CLIENT_KEY) is used when present.
    type: path
  token:
    description:
      - ACL token, sent as the C(X-Consul-Token) header. Never logged.
      - If not set, E(CONSUL_HTTP_TOKEN) is used when present.
    type: str
  agent_token:
    description:
      - ACL token for the agent's own endpoints (C(/v1/agent/...)) instead of O(token), for example the agent recovery
        token (C(acl.tokens.agent_master), C(agent_recovery) from Consul 1.11), which the agent accepts even while no
        server can validate tokens - a server that just left and restarted, or a client before its first join.
        Never logged.
    type: str
  timeout:
    description:
      - Seconds to wait for one HTTP request to the agent.
    type: float
    default: 10
notes:
  - E(CONSUL_HTTP_ADDR) takes the forms C(host), C(host:port) or C(scheme://host:port), as for the C(consul) command.
    Environment variables are read on the managed node.
"""

    # Shared attributes; the action group lets users set the connection once in module_defaults
    ATTRIBUTES = r"""
options: {}
attributes:
  diff_mode:
    description: No module of this collection shows a diff.
    support: none
  action_group:
    description: Use C(group/quorum.consul.consul) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - quorum.consul.consul
"""
