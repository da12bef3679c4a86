#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_join
short_description: Join a Consul agent to other agents, like C(consul join)
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Makes the local Consul agent join the gossip pool of the given addresses (C(PUT /v1/agent/join/<address>)).
  - Addresses whose agents are already alive members (matched by gossip address, resolved host name or node name) are
    skipped, so a second run changes nothing. The members are read again after the first join (which brings the
    whole member list of the agent it reached), and addresses alive by then are skipped too, so joining many agents
    that also join by themselves (C(retry_join)) costs few joins.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reports in RV(joined) what would be joined, and joins nothing.
    support: full
options:
  addresses:
    description:
      - Addresses to join - C(ip), C(ip:port), host names or node names of other agents.
      - The join is symmetric, any agent of the cluster to join will do.
    type: list
    elements: str
    required: true
  wan:
    description:
      - Join the WAN pool of servers in other datacenters instead of the LAN pool.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to keep retrying addresses whose join failed with a connection error or a 5xx answer, for example
        the C(i/o timeout) of the first dial to a host whose network has just come up. Retries are sub-second, inside
        this one call.
      - The same time bounds the wait for the local agent itself to answer, so the module can follow the start of
        the agent directly.
      - When time runs out the module fails naming each address still failing and its last error.
      - V(0) tries each address once. A 4xx answer such as an ACL denial ends the call at once.
    type: int
    default: 10
notes:
  - After a leave an agent does not rejoin by itself unless C(retry_join) or C(rejoin_after_leave) say so; call this
    module again.
seealso:
  - module: quorum.consul.consul_peers_info
  - module: quorum.consul.consul_leave
"""

EXAMPLES = r"""
- name: Join the other servers to the bootstrap server
  quorum.consul.consul_join:
    addresses:
      - 10.0.0.1

- name: Join a server to the WAN pool of another datacenter
  quorum.consul.consul_join:
    addresses: [10.1.0.1, 10.1.0.2]
    wan: true

- name: Join a host that has just started, retrying its first dials for up to a minute
  quorum.consul.consul_join:
    addresses: [10.0.0.4]
    wait_timeout: 60
"""

RETURN = r"""
joined:
  description: Addresses joined by this call; in check mode, the addresses that would be joined.
  returned: always
  type: list
  elements: str
  sample: [10.0.0.2]
already_members:
  description: Addresses skipped because their agents are already alive members.
  returned: always
  type: list
  elements: str
  sample: [10.0.0.3]
failed_addresses:
  description:
    - Addresses that could not be joined, with the last error of each.
    - Not named C(failed), which Ansible reserves for the task's status.
  returned: always
  type: dict
  sample: {10.0.0.9: "PUT http://127.0.0.1:8500/v1/agent/join/10.0.0.9 failed: 500 1 error occurred: ..."}
"""

import socket

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    client_from_params,
    connection_argument_spec,
    split_host_port,
)
from ansible_collections.quorum.consul.plugins.module_utils._wait import WaitTimeout, is_transient, wait_until


def resolve(host):
    """IP addresses a host name stands for; empty when it does not resolve (it may be a node name)."""
    try:
        return set(info[4][0] for info in socket.getaddrinfo(host, None))
    except (socket.error, UnicodeError):
        return set()


def is_alive_member(address, members):
    host, port = split_host_port(address)
    ips = set([host]) | resolve(host)
    for member in members:
        if member['status'] != 'alive':
            continue
        if member['name'] in (address, host):
            return True
        if member['address'] in ips and port in (None, member['port']):
            return True
    return False


def join_pending(client, pending, wan, result):
    """One attempt at every address still pending; returns the ones that failed, each with its error.

    Joined addresses leave the list and go into the result at once, so a later failure keeps them. A join
    exchanges the whole member list with the agent it reached, so after the first one the members are read again:
    agents that joined by themselves meanwhile (retry_join) are skipped, and joining many clients costs a few
    joins, not one per client.
    """
    failed = {}
    for address in list(pending):
        if address not in pending:
            continue
        try:
            client.join(address, wan=wan)
        except ConsulError as exc:
            if not is_transient(exc):
                result['failed_addresses'][address] = str(exc)
                raise
            failed[address] = str(exc)
            continue
        pending.remove(address)
        result['joined'].append(address)
        if len(result['joined']) == 1 and pending:
            try:
                members = client.members(wan=wan)
            except ConsulError:
                # only a shortcut: the remaining addresses are joined as they are
                members = []
            for other in [other for other in pending if is_alive_member(other, members)]:
                pending.remove(other)
                failed.pop(other, None)
                result['already_members'].append(other)
    return failed


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        addresses=dict(type='list', elements='str', required=True),
        wan=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=10),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    wan = module.params['wan']
    result = dict(changed=False, joined=[], already_members=[], failed_addresses={})
    error = None
    try:
        client = client_from_params(module.params)
        try:
            # an agent started a moment ago opens its API after its gossip listeners
            members = wait_until(lambda: client.members(wan=wan), lambda _members: True, module.params['wait_timeout'])
        except WaitTimeout as exc:
            raise exc.last_error
        pending = []
        for address in module.params['addresses']:
            if is_alive_member(address, members):
                result['already_members'].append(address)
            else:
                pending.append(address)
        if module.check_mode:
            result['joined'] = pending
        elif pending:
            try:
                wait_until(lambda: join_pending(client, pending, wan, result), lambda failed: not failed,
                           module.params['wait_timeout'])
            except WaitTimeout as exc:
                result['failed_addresses'] = exc.last
                error = 'agent %s:%s could not join %s in %ds: %s' % (
                    client.host, client.port, ', '.join(exc.last), round(exc.elapsed),
                    '; '.join('%s: %s' % item for item in exc.last.items()))
    except ConsulError as exc:
        error = str(exc)
    # joins that went through before a failure still changed the cluster
    result['changed'] = bool(result['joined'])
    if error:
        module.fail_json(msg=error, **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
