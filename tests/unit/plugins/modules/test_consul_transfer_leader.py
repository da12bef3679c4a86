# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_transfer_leader's main(): the agents' own answers are Consul 1.8.7's recordings; the transfer endpoint's
answer is synthetic (it exists from Consul 1.15, which these machines do not have), in the shape HashiCorp documents."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quorum.consul.plugins.modules import consul_transfer_leader

SELF = 'GET /v1/agent/self'
LEADER = 'GET /v1/status/leader'
TRANSFER = 'POST /v1/operator/raft/transfer-leader'


def _follower_now(consul):
    """The bootstrap leader's recorded agent/self, as it reads once another server leads."""
    body = consul.body('agent_self_bootstrap_leader')
    body['Stats']['raft']['state'] = 'Follower'
    return consul.synthetic(200, body)


def test_a_follower_hands_nothing_over(consul, run):
    consul.serve('agent_self_follower', 'status_leader').route(TRANSFER, consul.synthetic(200, {'Success': True}))
    result = run(consul_transfer_leader)
    assert 'failed' not in result and result['changed'] is False
    assert result['leader'] == consul.body('status_leader')
    assert consul.count(TRANSFER) == 0


def test_the_leader_hands_over_and_waits_for_another_leader(consul, run, clock):
    consul.route(SELF, 'agent_self_bootstrap_leader', 'agent_self_bootstrap_leader', _follower_now(consul))
    consul.route(LEADER, consul.synthetic(200, '"127.0.0.2:8300"'))
    consul.route(TRANSFER, consul.synthetic(200, {'Success': True}))
    result = run(consul_transfer_leader)
    assert 'failed' not in result and result['changed'] is True
    assert result['leader'] == '127.0.0.2:8300'
    assert consul.count(TRANSFER) == 1
    # the first poll still saw this server lead
    assert clock.sleeps


def test_check_mode_reports_the_transfer_and_hands_nothing_over(consul, run):
    consul.serve('agent_self_bootstrap_leader', 'status_leader')
    result = run(consul_transfer_leader, check_mode=True)
    assert result['changed'] is True and consul.count(TRANSFER) == 0


def test_a_leader_without_the_endpoint_changes_nothing_and_says_so(consul, run):
    consul.serve('agent_self_bootstrap_leader', 'status_leader').route(TRANSFER, consul.synthetic(404, '404 page not found\n'))
    result = run(consul_transfer_leader)
    assert 'failed' not in result and result['changed'] is False
    assert result['leader'] == consul.body('status_leader')


def test_a_leader_that_stays_fails_after_wait_timeout(consul, run, clock):
    consul.serve('agent_self_bootstrap_leader', 'status_leader').route(TRANSFER, consul.synthetic(200, {'Success': True}))
    result = run(consul_transfer_leader, wait_timeout=3)
    assert result['failed'] is True
    assert result['msg'].startswith('127.0.0.1:8500 still leads, or no other server does, 3s after the transfer')
