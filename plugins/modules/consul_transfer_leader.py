#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_transfer_leader
short_description: Hand the raft leadership to another server, like C(consul operator raft transfer-leader)
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - When the server asked leads, calls C(POST /v1/operator/raft/transfer-leader) and waits until another server leads.
    Restarting a leader after that costs the datacenter no election, where stopping it would leave the followers
    without a leader until raft's heartbeat timeout runs out and they elect one.
  - A server that does not lead, or a client, changes nothing.
  - The endpoint exists from Consul 1.15 on. A leader that runs an earlier release (the last server of an upgrade to
    1.15, say) changes nothing either, and the module warns that its restart will cost an election.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reports a change when the server asked leads, and hands nothing over.
    support: full
options:
  wait_timeout:
    description:
      - Seconds to wait for another server to lead.
    type: int
    default: 60
notes:
  - With ACLs, the token needs C(operator:write).
seealso:
  - module: quorum.consul.consul_peers_info
  - name: consul operator raft transfer-leader
    description: HashiCorp's command this module does the same as.
    link: https://developer.hashicorp.com/consul/commands/operator/raft#transfer-leader
"""

EXAMPLES = r"""
- name: Hand the leadership over before the leader restarts
  quorum.consul.consul_transfer_leader:
    wait_timeout: 30
"""

RETURN = r"""
leader:
  description: The raft address of the leader when the call ended (another server's after a transfer).
  returned: always
  type: str
  sample: 10.0.0.12:8300
duration:
  description: Seconds this call took, the wait included.
  returned: always
  type: float
  sample: 0.4
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    ConsulHTTPError,
    client_from_params,
    connection_argument_spec,
    raft_stats,
)
from ansible_collections.quorum.consul.plugins.module_utils._wait import wait_until

PATH = 'operator/raft/transfer-leader'


def leads(client):
    return raft_stats(client.agent_self()).get('state') == 'Leader'


def transfer(module, client, wait_timeout):
    """Hand the leadership over when this server leads; return (changed, the leader afterwards)."""
    if not leads(client):
        return False, client.leader()
    if module.check_mode:
        return True, client.leader()
    try:
        client.request('POST', PATH)
    except ConsulHTTPError as exc:
        if exc.status not in (404, 405):
            raise
        module.warn('%s:%s leads and has no %s endpoint (%s; Consul 1.15 and later have it): when it stops, the other '
                    'servers elect a leader once its heartbeats are missed' % (client.host, client.port, PATH, exc.status))
        return False, client.leader()
    wait_until(lambda: (leads(client), client.leader()), lambda seen: not seen[0] and seen[1], wait_timeout,
               describe=lambda seen, waited: '%s:%s still leads, or no other server does, %ds after the transfer'
               % (client.host, client.port, waited))
    return True, client.leader()


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(wait_timeout=dict(type='int', default=60))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    started = time.monotonic()
    client, leader = client_from_params(module.params), ''
    try:
        changed, leader = transfer(module, client, module.params['wait_timeout'])
    except ConsulError as exc:
        module.fail_json(msg=str(exc), leader=leader, duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=changed, leader=leader, duration=round(time.monotonic() - started, 3))


if __name__ == '__main__':
    main()
