#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_leave
short_description: Leave the cluster gracefully like C(consul leave), or remove a dead agent like C(consul force-leave)
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Asks the agent to leave (C(PUT /v1/agent/leave)) and waits until it stopped answering.
  - A leaving server first leaves the raft configuration, so the other servers keep their quorum, then the agent process
    exits (with code 0). Unlike SIGINT or SIGTERM, this works for servers too, which skip the leave on a signal.
  - An agent that does not answer is taken as already stopped or left, and nothing changes.
  - With O(node), the agent asked removes another one that is dead and cannot leave itself (HashiCorp's way to
    replace a failed server) - C(PUT /v1/agent/force-leave/<node>) for gossip and, for a server still in the raft
    configuration, C(DELETE /v1/operator/raft/peer?id=<its node ID>) (what C(consul operator raft remove-peer -id)
    calls). A node that is alive is refused (it must leave itself); one that is gone already changes nothing.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reports a change when the agent answers, and leaves nothing.
    support: full
options:
  node:
    description:
      - Node name of a dead agent to remove, instead of making the agent asked leave. Needs a leader (the raft
        configuration is changed through it) and, with ACLs, C(operator:write) and C(agent:write).
    type: str
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

- name: Remove the dead server consul-3 from gossip and from the raft configuration
  quorum.consul.consul_leave:
    node: consul-3
"""

RETURN = r"""
node:
  description: Node name of the agent that left; empty when it was already stopped.
  returned: always
  type: str
  sample: consul-1
removed_peer:
  description: With O(node), the node ID removed from the raft configuration; empty when it was not in it.
  returned: always
  type: str
  sample: 4797307c-ebf4-6f44-b997-7d2359e5f218
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
    ConsulHTTPError,
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


def _where(client, node):
    """(member status or '' when unknown, raft ID or '' when not in the raft configuration) of node."""
    status = next((member['status'] for member in client.members() if member['name'] == node), '')
    servers = client.raft_configuration().get('Servers') or []
    return status, next((server.get('ID', '') for server in servers if server.get('Node') == node), '')


def remove(client, node, check_mode, wait_timeout, started):
    """Force-leave dead node and take it out of raft; return (changed, raft ID removed)."""
    status, peer_id = _where(client, node)
    if status in ('alive', 'leaving'):
        raise ConsulError('node %s is %s as agent %s:%s sees it: an agent that runs leaves by itself (consul_leave on '
                          'its own host), it is not removed from elsewhere' % (node, status, client.host, client.port))
    changed = status == 'failed' or bool(peer_id)
    if check_mode or not changed:
        return changed, peer_id
    if status == 'failed':
        client.force_leave(node)
    if peer_id:
        try:
            client.remove_peer(peer_id)
        except ConsulHTTPError:
            # the leader removes a server that force-left from raft by itself, and may have done so just now
            if _where(client, node)[1]:
                raise
    wait_until(lambda: _where(client, node), lambda found: found[0] not in ('failed',) and not found[1],
               max(0, wait_timeout - (time.monotonic() - started)),
               describe=lambda found, waited: 'node %s is still %s (raft ID %s) %ds after its removal'
               % (node, found[0] or 'unknown', found[1] or 'none', waited))
    return True, peer_id


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(wait_timeout=dict(type='int', default=60), node=dict(type='str'))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    started = time.monotonic()
    client, node, removed = client_from_params(module.params), module.params['node'], ''
    try:
        if node:
            changed, removed = remove(client, node, module.check_mode, module.params['wait_timeout'], started)
        else:
            changed, node = leave(client, module.check_mode, module.params['wait_timeout'], started)
    except ConsulError as exc:
        module.fail_json(msg=str(exc), node=node or '', removed_peer='', duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=changed, node=node, removed_peer=removed, duration=round(time.monotonic() - started, 3))


if __name__ == '__main__':
    main()
