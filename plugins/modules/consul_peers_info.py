#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_peers_info
short_description: Read the raft peers, leader and health of a Consul cluster from one agent
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Reports what one Consul agent knows about its cluster - the raft leader, the raft peers and voters, its own raft
    statistics, gossip members, autopilot health and whether the agent runs in bootstrap mode.
  - Can wait, inside this one call and with sub-second polling, until a leader exists, enough servers are voters, this
    agent's raft log reached an index or caught up with the leader's, and the cluster tolerates enough failed servers.
    Connection errors and "No cluster leader" answers are retried until O(wait_timeout).
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Only reads; runs the same in check mode.
    support: full
options:
  client_raft_view:
    description:
      - On a client agent, also ask for the peers, the raft configuration and autopilot's health (the servers answer
        them through it).
      - V(false) leaves them out on a client, as a probe of many clients should; with ACLs a client's own token may
        not read them, and each refused request is an error line in the client's journal.
    type: bool
    default: true
  wait_for_leader:
    description:
      - Wait until the cluster has a leader.
    type: bool
    default: false
  min_voters:
    description:
      - Wait until the raft configuration holds at least this many voters.
      - Joined servers of raft protocol 3 are non-voters until autopilot promotes them, so count voters, not peers.
    type: int
  min_last_log_index:
    description:
      - Wait until this agent's C(raft.last_log_index) reached this index, for example the leader's index at the time
        a restarted server came back.
    type: int
  min_failure_tolerance:
    description:
      - Wait until the cluster survives this many failed servers (RV(failure_tolerance)), for example V(1) before
        restarting a server of three.
      - Autopilot refreshes server health every 2 s (C(ConsulServerHealthInterval)), so a server restarted a moment
        ago may still count as unhealthy; this waits that out inside the one call.
    type: int
  caught_up:
    description:
      - Wait until this server's raft log reached the index autopilot last saw on the leader (C(LastIndex) of the
        leader in C(/v1/operator/autopilot/health), at most one health refresh old), the check HashiCorp's manual
        bootstrapping guide makes by hand with C(consul info) on the leader and on each follower.
      - Only for a server; a client keeps no raft log and never meets it.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait for the conditions above before failing with what was last seen.
    type: int
    default: 60
notes:
  - Without a leader, O(ignore:servers) is empty and O(ignore:autopilot) is null, because those endpoints need one.
seealso:
  - module: quorum.consul.consul_join
  - module: quorum.consul.consul_leave
"""

EXAMPLES = r"""
- name: Wait until all three servers are voters
  quorum.consul.consul_peers_info:
    min_voters: 3
    wait_timeout: 120
  register: cluster

- name: Check that the cluster tolerates one failure before restarting a server
  quorum.consul.consul_peers_info:
    wait_for_leader: true
    min_failure_tolerance: 1

- name: Verify replication on every server - all voters, each caught up with the leader
  quorum.consul.consul_peers_info:
    min_voters: 3
    caught_up: true
    wait_timeout: 120

- name: Wait until a restarted follower caught up with an index read earlier from the leader
  quorum.consul.consul_peers_info:
    host: "{{ ansible_host }}"
    min_last_log_index: "{{ leader_info.raft.last_log_index }}"

- name: Read the cluster of an ACL-enabled agent over HTTPS
  quorum.consul.consul_peers_info:
    scheme: https
    port: 8501
    ca_path: /etc/consul.d/ca.pem
    token: "{{ consul_operator_token }}"
"""

RETURN = r"""
leader:
  description: Raft address of the leader, empty when there is none.
  returned: success
  type: str
  sample: 10.0.0.1:8300
peers:
  description: Raft addresses from C(/v1/status/peers); includes non-voters.
  returned: success
  type: list
  elements: str
  sample: [10.0.0.1:8300, 10.0.0.2:8300]
servers:
  description: The raft configuration; empty when there is no leader.
  returned: success
  type: list
  elements: dict
  contains:
    node:
      description: Node name.
      type: str
    id:
      description: Node ID.
      type: str
    address:
      description: Raft address.
      type: str
    leader:
      description: Whether this server is the leader.
      type: bool
    voter:
      description: Whether this server votes.
      type: bool
  sample:
    - {node: n1, id: 4797307c-ebf4-6f44-b997-7d2359e5f218, address: 10.0.0.1:8300, leader: true, voter: true}
voters:
  description: Number of voters in O(ignore:servers).
  returned: success
  type: int
  sample: 3
raft:
  description:
    - This agent's raft statistics (C(Stats.raft) of C(/v1/agent/self), what C(consul info) prints), numbers as integers.
    - Empty on a client agent.
  returned: success
  type: dict
  sample: {state: Follower, last_log_index: 52, commit_index: 52, applied_index: 52, num_peers: 2, term: 2}
bootstrap:
  description: Whether this agent runs with C(bootstrap = true) (C(bootstrap_expect = 1) counts too).
  returned: success
  type: bool
server:
  description: Whether this agent is a server.
  returned: success
  type: bool
node:
  description: This agent's node name.
  returned: success
  type: str
datacenter:
  description: This agent's datacenter.
  returned: success
  type: str
data_dir:
  description: This agent's data directory, as it runs.
  returned: success
  type: str
  sample: /opt/consul
gossip:
  description:
    - This agent's gossip encryption as it runs. A datacenter moves from plaintext to encryption in stages
      (U(https://developer.hashicorp.com/consul/tutorials/security/gossip-encryption-secure)).
  returned: success
  type: dict
  contains:
    encrypted:
      description: Whether gossip is encrypted.
      type: bool
    verify_incoming:
      description: Whether incoming gossip must be encrypted (C(encrypt_verify_incoming)).
      type: bool
    verify_outgoing:
      description: Whether outgoing gossip is encrypted (C(encrypt_verify_outgoing)).
      type: bool
  sample: {encrypted: true, verify_incoming: true, verify_outgoing: true}
tls_stage:
  description:
    - How far this agent runs in HashiCorp's move of a running datacenter to TLS - C(0) no certificate, C(1) a
      certificate and HTTPS next to HTTP with nothing verified, C(2) outgoing RPC verified, C(3) incoming RPC verified
      too (the end state).
  returned: success
  type: int
  sample: 3
acl:
  description:
    - Whether this agent runs ACLs (C(enabled)), and with which C(default_policy) (C(allow) or C(deny); empty without
      ACLs).
  returned: success
  type: dict
  sample: {enabled: true, default_policy: deny}
scheme:
  description: The scheme of the API that answered (C(http) or C(https)).
  returned: success
  type: str
  sample: https
members:
  description: Gossip (LAN) members as this agent sees them.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Node name.
      type: str
    address:
      description: Gossip address.
      type: str
    status:
      description: One of V(alive), V(leaving), V(left), V(failed), V(none).
      type: str
    role:
      description: V(server) or V(client).
      type: str
autopilot:
  description: Autopilot health (C(Healthy), C(FailureTolerance), C(Servers)), null without a leader.
  returned: success
  type: dict
failure_tolerance:
  description:
    - How many servers may fail with a quorum left - the voters of the raft configuration that autopilot last saw
      healthy, beyond a quorum of those voters; 0 without a leader.
    - The same count as autopilot's C(FailureTolerance), but with the voters as they are now - autopilot recounts them
      only at its next health refresh, so its own figure lags a promotion by up to one refresh.
  returned: success
  type: int
  sample: 1
denied:
  description:
    - Endpoints the token may not read (403) - the raft configuration and autopilot health need C(operator:read).
      Then RV(servers) is empty and RV(autopilot) null. Only without waits; a wait fails on a 403.
  returned: success
  type: list
  elements: str
  sample: [operator/raft/configuration, operator/autopilot/health]
status:
  description: The HTTP status of an agent that answered with an error (for example 403 for a missing or bad token).
  returned: failure
  type: int
  sample: 403
duration:
  description: Seconds this call took, waits included.
  returned: always
  type: float
  sample: 12.3
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    client_from_params,
    connection_argument_spec,
    snapshot,
)
from ansible_collections.quorum.consul.plugins.module_utils._wait import WaitTimeout, wait_until


def unmet(params, view, waited):
    """What still stands between the view and the requested conditions, worded for the failure message."""
    missing = []
    if params['wait_for_leader'] and not view['leader']:
        missing.append('no leader after %ds' % waited)
    if params['min_voters'] is not None and view['voters'] < params['min_voters']:
        names = ', '.join(s['node'] for s in view['servers'] if s['voter']) or 'none'
        missing.append('%d of %d voters after %ds: %s' % (view['voters'], params['min_voters'], waited, names))
    tolerance = view['failure_tolerance']
    if params['min_failure_tolerance'] is not None and tolerance < params['min_failure_tolerance']:
        missing.append('failure tolerance %d of %d after %ds' % (tolerance, params['min_failure_tolerance'], waited))
    index = view['raft'].get('last_log_index')
    if params['min_last_log_index'] is not None and not (isinstance(index, int) and index >= params['min_last_log_index']):
        missing.append('last_log_index %s of %d after %ds' % (index, params['min_last_log_index'], waited))
    target = leader_last_index(view)
    if params['caught_up'] and not (isinstance(index, int) and target is not None and index >= target):
        missing.append('last_log_index %s of the leader\'s %s after %ds' % (index, target, waited))
    return missing


def leader_last_index(view):
    """The leader's raft index in autopilot's last health refresh; None without one."""
    leaders = [s for s in (view['autopilot'] or {}).get('Servers') or [] if s.get('Leader')]
    return leaders[0].get('LastIndex') if leaders else None


def failure_tolerance(view):
    """Servers that may fail: healthy voters beyond a quorum, voters from the raft configuration.

    Autopilot's FailureTolerance counts the voters of its last refresh; the raft configuration has a promotion
    at once, and autopilot's per-server health (Healthy) does not change with it.
    """
    healthy = set(s.get('ID') for s in (view['autopilot'] or {}).get('Servers') or [] if s.get('Healthy'))
    voters = [s for s in view['servers'] if s['voter']]
    return max(0, sum(1 for s in voters if s['id'] in healthy) - (len(voters) // 2 + 1))


def look(client, tolerate_denied=False, raft_of_clients=True):
    view = snapshot(client, tolerate_denied=tolerate_denied, raft_of_clients=raft_of_clients)
    view['failure_tolerance'] = failure_tolerance(view)
    return view


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        wait_for_leader=dict(type='bool', default=False),
        client_raft_view=dict(type='bool', default=True),
        min_voters=dict(type='int'),
        min_last_log_index=dict(type='int'),
        min_failure_tolerance=dict(type='int'),
        caught_up=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=60),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    started = time.monotonic()
    waits = params['wait_for_leader'] or params['caught_up'] or any(
        params[name] is not None for name in ('min_voters', 'min_last_log_index', 'min_failure_tolerance'))
    try:
        client = client_from_params(params)
        if waits:
            view = wait_until(lambda: look(client, raft_of_clients=params['client_raft_view']), lambda v: not unmet(params, v, 0), params['wait_timeout'],
                              describe=lambda v, waited: '; '.join(unmet(params, v, waited)))
        else:
            view = look(client, tolerate_denied=True, raft_of_clients=params['client_raft_view'])
    except WaitTimeout as exc:
        # hand back the last view too, so the play log shows the cluster as it stood
        module.fail_json(msg=str(exc), duration=round(time.monotonic() - started, 3), **(exc.last or {}))
    except ConsulError as exc:
        # status: the HTTP status of an agent that answered with an error (null when it did not answer)
        module.fail_json(msg=str(exc), status=exc.status, duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=False, duration=round(time.monotonic() - started, 3), **view)


if __name__ == '__main__':
    main()
