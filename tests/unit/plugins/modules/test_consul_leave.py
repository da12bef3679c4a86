# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_leave's main() against the recorded leave of client c4."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import conftest
from ansible_collections.quorum.consul.plugins.modules import consul_leave

SELF = 'GET /v1/agent/self'
LEAVE = 'PUT /v1/agent/leave'


def test_leaves_and_waits_until_the_agent_is_gone(consul, run, clock):
    # the agent still answers once after the leave, then its port is closed
    consul.serve('leave_200').route(SELF, 'agent_self_client', 'agent_self_client', consul.refused())
    result = run(consul_leave)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['node'] == 'c4'
    assert consul.count(LEAVE) == 1
    assert consul.count(SELF) == 3
    assert clock.sleeps == [0.25]
    # a server's leave takes about 15 s: the PUT gets the whole wait_timeout, not the 10 s default
    leave_call = [call for call in consul.calls if call['request'] == LEAVE][0]
    assert leave_call['kwargs']['timeout'] == 60


def test_stopped_agent_is_no_change(consul, run):
    consul.route(SELF, consul.refused())
    result = run(consul_leave)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['node'] == ''
    assert consul.count(LEAVE) == 0


def test_check_mode_reports_the_leave_and_leaves_nothing(consul, run):
    consul.serve('agent_self_client', 'leave_200')
    result = run(consul_leave, check_mode=True)
    assert result['changed'] is True
    assert result['node'] == 'c4'
    assert consul.count(LEAVE) == 0


def test_answer_lost_while_the_agent_shuts_down_still_counts(consul, run):
    consul.route(LEAVE, consul.refused()).route(SELF, 'agent_self_client', consul.refused())
    result = run(consul_leave)
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['node'] == 'c4'


def test_agent_that_keeps_answering_fails_after_wait_timeout(consul, run, clock):
    consul.serve('agent_self_client', 'leave_200')
    result = run(consul_leave, wait_timeout=5)
    assert result['failed'] is True
    assert result['msg'] == 'agent c4 (127.0.0.1:8500) still answers 5s after the leave'
    assert 4.9 < sum(clock.sleeps) <= 5


def test_denied_agent_is_an_error_not_a_stopped_agent(consul, run):
    consul.route(SELF, 'acl_403_permission_denied')
    result = run(consul_leave)
    assert result['failed'] is True
    assert '403 Permission denied' in result['msg']
    assert consul.count(LEAVE) == 0


# node: a dead server removed from elsewhere (HashiCorp's replacement of a failed server)
MEMBERS = 'GET /v1/agent/members'
RAFT = 'GET /v1/operator/raft/configuration'
N3_ID = '4d4830c6-b9cf-5b35-67d1-25806d8dc7f8'
FORCE = 'PUT /v1/agent/force-leave/n3'
REMOVE = 'DELETE /v1/operator/raft/peer?id=' + N3_ID


def _members(consul, n3_status):
    """The recorded members with n3's status changed (1 alive, 3 left, 4 failed)."""
    members = json.loads(conftest._recorded('members')['body'])
    for member in members:
        if member['Name'] == 'n3':
            member['Status'] = n3_status
    return consul.synthetic(200, members)


def _raft(consul, with_n3=True):
    raft = json.loads(conftest._recorded('raft_configuration')['body'])
    raft['Servers'] = [server for server in raft['Servers'] if with_n3 or server['Node'] != 'n3']
    return consul.synthetic(200, raft)


def test_dead_server_is_force_left_and_removed_from_raft(consul, run):
    consul.route(MEMBERS, _members(consul, 4), _members(consul, 3)).route(RAFT, _raft(consul), _raft(consul, False))
    consul.route(FORCE, consul.synthetic(200, '')).route(REMOVE, consul.synthetic(200, ''))
    result = run(consul_leave, node='n3')
    assert 'failed' not in result, result
    assert (result['changed'], result['node'], result['removed_peer']) == (True, 'n3', N3_ID)
    assert (consul.count(FORCE), consul.count(REMOVE)) == (1, 1)


def test_a_server_the_leader_removed_after_its_force_leave_is_no_error(consul, run):
    # the leader takes a server that force-left out of raft by itself: the DELETE may come too late
    consul.route(MEMBERS, _members(consul, 4), _members(consul, 3)).route(RAFT, _raft(consul), _raft(consul, False))
    consul.route(FORCE, consul.synthetic(200, '')).route(REMOVE, consul.synthetic(500, 'address not found'))
    result = run(consul_leave, node='n3')
    assert 'failed' not in result, result
    assert result['changed'] is True


def test_a_node_that_is_gone_already_is_no_change(consul, run):
    consul.route(MEMBERS, _members(consul, 3)).route(RAFT, _raft(consul, False))
    result = run(consul_leave, node='n3')
    assert (result['changed'], result['removed_peer']) == (False, '')
    assert consul.count(FORCE) == 0


def test_an_alive_node_is_refused_and_nothing_changes(consul, run):
    consul.route(MEMBERS, _members(consul, 1)).route(RAFT, _raft(consul))
    result = run(consul_leave, node='n3')
    assert result['failed'] is True
    assert 'node n3 is alive' in result['msg'] and 'leaves by itself' in result['msg']
    assert (consul.count(FORCE), consul.count(REMOVE)) == (0, 0)


def test_check_mode_reports_the_removal_and_changes_nothing(consul, run):
    consul.route(MEMBERS, _members(consul, 4)).route(RAFT, _raft(consul))
    result = run(consul_leave, node='n3', check_mode=True)
    assert (result['changed'], result['removed_peer']) == (True, N3_ID)
    assert (consul.count(FORCE), consul.count(REMOVE)) == (0, 0)
