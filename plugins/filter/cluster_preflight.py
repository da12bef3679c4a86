# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: cluster_preflight
short_description: Check a Consul inventory before any change
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The preflight decision of the role C(quorum.consul.consul_cluster) - no servers, a bootstrap host that is not a
    server, a single server, duplicate node names, servers without an address, bind addresses that are not the
    host's, install methods without what they need, unsafe values (node names and datacenters outside Consul's
    characters, a user name or paths the systemd unit would misread, keys of C(consul_cluster_extra_config) that
    would override what the role secures) - and the addresses of the servers.
  - Problems of the whole inventory are reported once, on the first host of the play; every message names a host
    and the variable to change.
options:
  _input:
    description:
      - "Per host of the play: C(node), C(addr) (the bind address), C(addresses) (every address of the host),
        C(install_method), C(binary_src), C(binary_file) (the file it names on the controller), C(binary_path), C(package_repo) (whether the role sets up an apt
        repository), C(pkg_mgr) (the host's package manager), C(datacenter), C(user), C(config_dir), C(data_dir)
        and C(extra_keys) (the key paths of C(consul_cluster_extra_config), such as C(ports.http), a key whose value
        is not a mapping alone; never the values, which may be secrets)."
      - A field a record does not carry is not checked.
    type: dict
    required: true
  servers:
    description: Hosts of the servers group, in inventory order.
    type: list
    elements: str
    required: true
  clients:
    description: Hosts of the clients group; a host in both groups is a server.
    type: list
    elements: str
    default: []
  play_hosts:
    description: Hosts of the play (C(ansible_play_batch)); the first one reports problems of the whole inventory.
    type: list
    elements: str
    required: true
  bootstrap_host:
    description: Node A, the only server that may ever start with C(bootstrap = true).
    type: str
    required: true
  allow_single_server:
    description: Accept a datacenter of one server.
    type: bool
    default: false
  bootstrap_mode:
    description:
      - C(consul_cluster_bootstrap_mode) - V(manual) (Node A with C(bootstrap = true), the guide's procedure) or
        V(expect) (every server with C(bootstrap_expect)); anything else is a problem. Returned as given.
    type: str
    default: manual
  servers_group:
    description: Name of the servers group, for the messages.
    type: str
    default: consul_servers
  clients_group:
    description: Name of the clients group, for the messages.
    type: str
    default: consul_clients
  tls:
    description:
      - C(consul_cluster_tls_enabled) - V(true), V(false) or unset (null, the default). Unset is on for a new
        datacenter and what a running datacenter runs (the C(security) each host's record carries - what the
        configuration the role wrote there turns on - and C(running), raft state or an agent that answered).
      - A value that would turn TLS on or off on a running datacenter is a problem.
    type: raw
  acl:
    description: C(consul_cluster_acl_enabled), as O(tls).
    type: raw
  version:
    description: C(consul_cluster_version); a release line HashiCorp no longer supports is a warning.
    type: str
    default: ''
  datacenter:
    description: The datacenter's name, for the messages.
    type: str
    default: dc1
  hostvars:
    description:
      - C(hostvars), read for servers and clients outside the play (a run limited with C(--limit)) -
        C(consul_cluster_node_name), C(consul_cluster_bind_addr) and the gathered C(default_ipv4) address - and for a
        host of the play whose record lacks them, C(extra_keys) (from C(consul_cluster_extra_config)) and C(running)
        (from the role's probe, C(__consul_cluster_probe_result)).
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Decide once whether the inventory is fit for a datacenter
  ansible.builtin.set_fact:
    checked: >-
      {{ {'s1': {'node': 's1', 'addr': '10.0.0.1', 'addresses': ['10.0.0.1'], 'install_method': 'none'}}
         | quorum.consul.cluster_preflight(servers=['s1'], play_hosts=['s1'], bootstrap_host='s1') }}
  run_once: true
  # checked.problems == {'s1': ['a single server (s1) loses data when it fails; add servers or set
  #                             consul_cluster_allow_single_server: true']}
"""

RETURN = r"""
_value:
  description: The decision.
  type: dict
  contains:
    problems:
      description: Messages per host of the play; empty when everything is fine.
      type: dict
    warnings:
      description: Messages that do not stop the play (an even number of servers).
      type: list
      elements: str
    roles:
      description: V(server) or V(client) for every host of both groups.
      type: dict
    server_addrs:
      description: The bind address of every server, in the order of O(servers).
      type: list
      elements: str
    play_servers:
      description: Servers of the play.
      type: list
      elements: str
    play_clients:
      description: Clients of the play.
      type: list
      elements: str
    tls:
      description: Whether this run makes the datacenter run TLS.
      type: bool
    acl:
      description: Whether this run makes the datacenter run ACLs.
      type: bool
    security:
      description: C(tls), C(acl), C(running) (a datacenter runs already) and C(line), what the summary says of them.
      type: dict
    bootstrap_mode:
      description: The O(bootstrap_mode) this run bootstraps a new datacenter with.
      type: str
    asks_source:
      description: A host of the play installs from an archive or a package, whose source every run asks.
      type: bool
"""

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import extra_key_paths, preflight, probe_running


def _outside(hostvars, host):
    """node and addr of a host outside the play, as its inventory and gathered facts give them."""
    try:
        hv = hostvars[host]
    except KeyError:
        return dict(node=host, addr='')
    facts = hv.get('ansible_facts') or {}
    return dict(node=hv.get('consul_cluster_node_name') or host,
                addr=hv.get('consul_cluster_bind_addr') or (facts.get('default_ipv4') or {}).get('address') or '')


def cluster_preflight(records, servers, play_hosts, bootstrap_host, clients=None, allow_single_server=False,
                      servers_group='consul_servers', clients_group='consul_clients', hostvars=None, tls=None, acl=None,
                      version='', datacenter='dc1', bootstrap_mode='manual'):
    hosts = dict((host, dict(record)) for host, record in records.items())
    for host, record in hosts.items():
        # what the role's record leaves to this filter: the key paths of consul_cluster_extra_config (never its values)
        # and whether a datacenter runs on the host (its probe)
        found = (hostvars or {}).get(host) or {}
        if 'extra_keys' not in record and 'consul_cluster_extra_config' in found:
            record['extra_keys'] = extra_key_paths(found['consul_cluster_extra_config'])
        if 'running' not in record and '__consul_cluster_probe_result' in found:
            record['running'] = probe_running(found['__consul_cluster_probe_result'])
    for host in list(servers) + list(clients or []):
        if host not in hosts:
            hosts[host] = _outside(hostvars or {}, host)
    return preflight(hosts, list(servers), list(clients or []), list(play_hosts), bootstrap_host,
                     allow_single_server=allow_single_server, servers_group=servers_group, clients_group=clients_group,
                     tls=tls, acl=acl, version=version, datacenter=datacenter, bootstrap_mode=bootstrap_mode)


class FilterModule(object):
    def filters(self):
        return {'cluster_preflight': cluster_preflight}
