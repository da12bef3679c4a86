# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_leave's main() against the recorded leave of client c4."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
