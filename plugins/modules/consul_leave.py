#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_leave
short_description: Gracefully leave the cluster with the local Consul agent, like C(consul leave)
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Asks the agent to leave (C(PUT /v1/agent/leave)) and waits until it stopped answering.
  - A leaving server first leaves the raft configuration, so the other servers keep their quorum, then the agent process
    exits (with code 0). Unlike SIGINT or SIGTERM, this works for servers too, which skip the leave on a signal.
  - An agent that does not answer is taken as already stopped or left, and nothing changes.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reports a change when the agent answers, and leaves nothing.
    support: full
options:
  wait_timeout:
    description:
      - Seconds to wait for the leave and for the agent to stop answering. A server's leave takes about 15 seconds.
    type: int
    default: 60
notes:
  - After the leave the agent process has exited. A service manager that restarts it on a clean exit brings it back
    alone; it does not rejoin unless C(retry_join) or C(rejoin_after_leave) say so.
seealso:
  - module: quorum.consul.consul_join
  - module: quorum.consul.consul_peers_info
"""

EXAMPLES = r"""
- name: Take the bootstrap server out of the cluster before removing its flag
  quorum.consul.consul_leave:
    host: "{{ ansible_host }}"
"""

RETURN = r"""
node:
  description: Node name of the agent that left; empty when it was already stopped.
  returned: always
  type: str
  sample: consul-1
duration:
  description: Seconds this call took, the wait included.
  returned: always
  type: float
  sample: 14.2
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulConnectionError,
    ConsulError,
    client_from_params,
    connection_argument_spec,
)
from ansible_collections.quorum.consul.plugins.module_utils._wait import wait_until


def leave(client, check_mode, wait_timeout, started):
    """Leave and wait for the agent to go; return (changed, node name)."""
    try:
        node = client.agent_self().get('Config', {}).get('NodeName', '')
    except ConsulConnectionError:
        return False, ''
    if check_mode:
        return True, node
    try:
        client.leave(timeout=wait_timeout)
    except ConsulConnectionError:
        # the agent may shut down before its answer reaches us; the wait below tells whether it went
        pass
    wait_until(client.reachable, lambda up: not up, max(0, wait_timeout - (time.monotonic() - started)),
               describe=lambda up, waited: 'agent %s (%s:%s) still answers %ds after the leave'
               % (node, client.host, client.port, waited))
    return True, node


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(wait_timeout=dict(type='int', default=60))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    started = time.monotonic()
    try:
        changed, node = leave(client_from_params(module.params), module.check_mode, module.params['wait_timeout'],
                              started)
    except ConsulError as exc:
        module.fail_json(msg=str(exc), node='', duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=changed, node=node, duration=round(time.monotonic() - started, 3))


if __name__ == '__main__':
    main()
