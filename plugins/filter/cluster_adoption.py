# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cluster_adoption
short_description: Decide whether the role may take over Consul agents it did not set up, and how
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - A host is the role's when its configuration directory holds the role's C(consul.json) and its agent, if it
    runs, runs as the role's user. A host that is not, but
    runs an agent or holds raft state, belongs to a datacenter set up another way (by hand, as HashiCorp's
    manual-bootstrap guide does). Such a datacenter is refused, with every finding per host, unless O(adopt) is set.
  - Always refused, even when adopting - an agent that answers outside the unit C(consul.service); a running agent
    or a foreign file whose data directory, datacenter or node name differs from what the role would use; gossip
    encrypted with a key the role does not know; a file to be moved aside that also sets keys the role does not
    manage (they would be lost; carry them in C(consul_cluster_extra_config)); a move to gossip encryption while an
    alive member of the datacenter is not in the play.
  - Foreign configuration files that set a key the role sets, or C(bootstrap)/C(bootstrap_expect), and drop-ins of
    the unit, are to be moved aside. Files that cannot be read as configuration are too.
  - Gossip moves from plaintext to encryption in HashiCorp's stages, one rolling restart each
    (U(https://developer.hashicorp.com/consul/tutorials/security/gossip-encryption-secure)).
options:
  _input:
    description: Per host, C(files) (names found in the data and configuration directories), C(agent)
      (M(quorum.consul.consul_peers_info)'s result), C(unit) (C(path), C(user), C(active) its C(ActiveState), C(dropins)), C(owners)
      (path in the data directory to its owner) and C(config) (P(quorum.consul.config_summary#filter) of each file
      in the configuration directory that is not the role's).
    type: dict
    required: true
  nodes:
    description: Per host, the node name the role gives it.
    type: dict
    required: true
  role_keys:
    description:
      - Per host, the top-level keys the role's C(consul.json) sets there (P(quorum.consul.cluster_preflight#filter)'s
        C(role_keys)), or one list for every host.
    type: raw
    required: true
  user:
    description: The user the agents run as.
    type: str
    required: true
  data_dir:
    description: The data directory the role uses.
    type: str
    required: true
  datacenter:
    description: The datacenter the role configures.
    type: str
    required: true
  adopt:
    description: Whether to take over a datacenter the role did not set up.
    type: bool
    default: false
  key_known:
    description: Whether the role knows the datacenter's gossip key (a variable, or an encrypt.json on a host).
    type: bool
    default: false
  unit_file:
    description: The path of the role's unit file; a foreign unit there is kept as a backup when replaced.
    type: str
    default: /etc/systemd/system/consul.service
  tls:
    description: Whether this run makes the datacenter run TLS (a running plaintext datacenter moves to it in stages).
    type: bool
    default: false
  acl:
    description: Whether this run makes the datacenter run ACLs (a running datacenter without them moves to them in
      stages).
    type: bool
    default: false
  acl_policy:
    description: The default policy the ACLs end with (C(consul_cluster_acl_default_policy)).
    type: str
    default: deny
  acl_off_on_disk:
    description: The role's configuration on the hosts runs no ACLs while this run turns them on (cluster_preflight's
      C(security.moving_to_acl)); with no agent running, that makes C(acl_enabling).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Decide once whether the datacenter can be taken over
  ansible.builtin.set_fact:
    adoption: >-
      {{ probes | quorum.consul.cluster_adoption(nodes=nodes, role_keys=['datacenter', 'server'], user='consul',
         data_dir='/opt/consul', datacenter='dc1', adopt=true) }}
  run_once: true
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    problems:
      description: Refusals; the role goes on only when this is empty.
      type: list
      elements: str
    warnings:
      description: Files moved aside on hosts the role set up or that are new.
      type: list
      elements: str
    foreign:
      description: Hosts that run an agent or hold raft state without the role's configuration.
      type: list
      elements: str
    hosts:
      description: Per host - C(findings), C(move_aside) (paths), C(unit_backup), C(stage) (gossip encryption stage
        of its running agent, 0 plaintext to 3 encrypted), C(behind) (its agent runs an earlier gossip, TLS or ACL stage
        than the first one this run writes).
      type: dict
    gossip:
      description: The settings of C(encrypt.json) to walk through, one rolling restart each; the last is the final one.
      type: list
      elements: dict
    tls:
      description:
        - The TLS stages this run walks through, one rolling restart each - C(1) certificates and HTTPS next to HTTP,
          C(2) outgoing RPC verified, C(3) incoming RPC verified and plain HTTP closed (the end state). C([3]) when
          there is no move (every running agent has the end state, or nothing runs).
      type: list
      elements: int
    tls_moving:
      description: While a move to TLS is under way, the TLS stage each running agent runs (per host); else empty.
      type: dict
    tls_served:
      description: False while some running agent serves no HTTPS yet (before a move's first stage); the role then
        calls the agents over HTTP.
      type: bool
    acl:
      description:
        - The ACL stages this run walks through, one rolling restart each - C(1) ACLs on with the default policy
          C(allow) and every agent's token, C(3) the default policy asked for (the end state). C([1, 3]) for a running
          datacenter without ACLs, C([3]) when there is no move or the policy asked for is C(allow).
      type: list
      elements: int
    acl_moving:
      description: While a move to ACLs is under way, the ACL stage each running agent runs (C(0) none) per host; else
        empty.
      type: dict
    acl_enabling:
      description: Some running agent runs no ACLs yet (or, with none running, the hosts' files say none); the
        management token is made on the controller first, and the agents' tokens once every server runs ACLs.
      type: bool
"""

from collections.abc import Mapping

from ansible_collections.quorum.consul.plugins.plugin_utils._adopt import adoption


def cluster_adoption(probes, nodes, role_keys, user, data_dir, datacenter, adopt=False, key_known=False,
                     unit_file='/etc/systemd/system/consul.service', tls=False, acl=False, acl_policy='deny',
                     acl_off_on_disk=False):
    keys = dict(role_keys) if isinstance(role_keys, Mapping) else list(role_keys)
    return adoption(dict(probes), dict(nodes), keys, str(user), str(data_dir), str(datacenter),
                    adopt=bool(adopt), key_known=bool(key_known), unit_file=str(unit_file), tls=bool(tls),
                    acl=bool(acl), acl_policy=str(acl_policy), acl_off_on_disk=bool(acl_off_on_disk))


class FilterModule(object):
    def filters(self):
        return {'cluster_adoption': cluster_adoption}
