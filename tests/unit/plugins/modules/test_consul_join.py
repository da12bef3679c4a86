# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_join's main() against n1's recorded replies (n1..n3 servers, c4 a client that has left)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket

import pytest

from ansible_collections.quorum.consul.plugins.modules import consul_join

JOIN_C4 = 'PUT /v1/agent/join/127.0.0.4'
JOIN_9 = 'PUT /v1/agent/join/127.0.0.9'


def puts(consul):
    return [call['request'] for call in consul.calls if call['request'].startswith('PUT ')]


def test_joins_only_what_is_not_an_alive_member(consul, run):
    # c4 left: it is a member still listed, but not alive, so it is joined again
    consul.serve('members_after_leave').route(JOIN_C4, 'join_200')
    result = run(consul_join, addresses=['127.0.0.2', '127.0.0.4'])
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['joined'] == ['127.0.0.4']
    assert result['already_members'] == ['127.0.0.2']
    assert result['failed_addresses'] == {}
    assert puts(consul) == [JOIN_C4]


def test_second_run_joins_nothing(consul, run):
    consul.serve('members')
    result = run(consul_join, addresses=['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'])
    assert result['changed'] is False
    assert result['joined'] == []
    assert result['already_members'] == ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']
    assert puts(consul) == []


@pytest.mark.parametrize('address, member', [
    ('n3', True),                 # node name
    ('127.0.0.2:8301', True),     # gossip address with its port
    ('consul-2.example', True),   # host name resolving to n2's address
    ('127.0.0.2:8302', False),    # n2's address, but another port: another agent
    ('consul-9.example', False),  # resolves to no member
])
def test_recognises_members_by_name_address_and_port(consul, run, monkeypatch, address, member):
    names = {'consul-2.example': '127.0.0.2', 'consul-9.example': '127.0.0.9'}

    def getaddrinfo(host, port, *args, **kwargs):
        # no real DNS in a unit test; IP literals resolve to themselves as they would
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, '', (names[host], 0))]
        if host.replace('.', '').isdigit():
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, '', (host, 0))]
        raise socket.gaierror(socket.EAI_NONAME, 'Name or service not known')

    monkeypatch.setattr(socket, 'getaddrinfo', getaddrinfo)
    consul.serve('members').route('PUT /v1/agent/join/%s' % address, 'join_200')
    result = run(consul_join, addresses=[address])
    assert result['already_members'] == ([address] if member else [])
    assert result['joined'] == ([] if member else [address])
    assert result['changed'] is not member


def test_check_mode_reports_and_joins_nothing(consul, run):
    consul.serve('members_after_leave')
    result = run(consul_join, check_mode=True, addresses=['127.0.0.4', '127.0.0.2'])
    assert result['changed'] is True
    assert result['joined'] == ['127.0.0.4']
    assert result['already_members'] == ['127.0.0.2']
    assert puts(consul) == []


def test_partial_failure_names_the_address_and_keeps_the_join(consul, run):
    consul.serve('members_after_leave', 'join_unreachable_500').route(JOIN_C4, 'join_200')
    result = run(consul_join, addresses=['127.0.0.4', '127.0.0.9'])
    assert result['failed'] is True
    assert 'could not join 127.0.0.9' in result['msg']
    assert 'Failed to join 127.0.0.9: dial tcp 127.0.0.9:8301: connect: connection refused' in result['msg']
    # the join of c4 happened before the failure: the cluster did change
    assert result['changed'] is True
    assert result['joined'] == ['127.0.0.4']
    assert list(result['failed_addresses']) == ['127.0.0.9']
    assert '500' in result['failed_addresses']['127.0.0.9']


def test_wan_compares_with_wan_members_and_joins_the_wan_pool(consul, run):
    consul.serve('members_wan').route('PUT /v1/agent/join/127.0.0.9?wan=1', 'join_200')
    result = run(consul_join, addresses=['127.0.0.2', '127.0.0.9'], wan=True)
    assert result['already_members'] == ['127.0.0.2']
    assert result['joined'] == ['127.0.0.9']
    assert puts(consul) == ['PUT /v1/agent/join/127.0.0.9?wan=1']


def test_agent_not_answering_fails_without_change(consul, run, clock):
    consul.route('GET /v1/agent/members', consul.refused())
    result = run(consul_join, addresses=['127.0.0.2'], wait_timeout=3)
    assert result['failed'] is True
    assert result['changed'] is False
    assert 'no answer from the Consul agent at 127.0.0.1:8500' in result['msg']
    assert 'Connection refused' in result['msg']
    # asked again for wait_timeout seconds, then given up
    assert consul.count('GET /v1/agent/members') > 1 and sum(clock.sleeps) == pytest.approx(3)
    assert puts(consul) == []


def test_waits_for_an_agent_that_is_still_starting(consul, run, clock):
    # a client started a moment ago: its API opens after its gossip listeners
    consul.route('GET /v1/agent/members', consul.refused(), consul.refused(), 'members_after_leave').route(JOIN_C4, 'join_200')
    result = run(consul_join, addresses=['127.0.0.4'])
    assert 'failed' not in result
    assert result['joined'] == ['127.0.0.4']
    assert consul.count('GET /v1/agent/members') == 3 and clock.sleeps == [0.25, 0.25]


def dial_timeout(consul, address):
    # what n1 answers when its first dial to a host whose network has just come up gets lost
    body = '1 error occurred:\n\t* Failed to join %s: dial tcp %s:8301: i/o timeout\n\n' % (address, address)
    return consul.synthetic(500, body)


def test_retries_a_failed_dial_until_it_joins(consul, run, clock):
    consul.serve('members_after_leave').route(JOIN_C4, dial_timeout(consul, '127.0.0.4'), dial_timeout(consul, '127.0.0.4'), 'join_200')
    result = run(consul_join, addresses=['127.0.0.4'])
    assert 'failed' not in result
    assert result['changed'] is True
    assert result['joined'] == ['127.0.0.4']
    assert result['failed_addresses'] == {}
    assert consul.count(JOIN_C4) == 3
    # sub-second polling inside the call, on the fake clock
    assert clock.sleeps == [0.25, 0.25]


def test_retries_only_the_addresses_that_failed(consul, run):
    consul.serve('members_after_leave').route(JOIN_C4, 'join_200')
    consul.route(JOIN_9, dial_timeout(consul, '127.0.0.9'), 'join_200')
    result = run(consul_join, addresses=['127.0.0.4', '127.0.0.9'])
    assert 'failed' not in result
    assert result['joined'] == ['127.0.0.4', '127.0.0.9']
    assert puts(consul) == [JOIN_C4, JOIN_9, JOIN_9]


def test_gives_up_after_wait_timeout_naming_each_address_and_its_last_error(consul, run, clock):
    consul.serve('members')
    consul.route(JOIN_9, dial_timeout(consul, '127.0.0.9'), 'join_unreachable_500')
    consul.route('PUT /v1/agent/join/127.0.0.8', dial_timeout(consul, '127.0.0.8'))
    result = run(consul_join, addresses=['127.0.0.9', '127.0.0.8'], wait_timeout=5)
    assert result['failed'] is True
    assert result['changed'] is False
    assert result['msg'].startswith('agent 127.0.0.1:8500 could not join 127.0.0.9, 127.0.0.8 in 5s: ')
    assert '127.0.0.9: PUT http://127.0.0.1:8500/v1/agent/join/127.0.0.9 failed: 500' in result['msg']
    assert 'dial tcp 127.0.0.9:8301: connect: connection refused' in result['msg']
    assert 'dial tcp 127.0.0.8:8301: i/o timeout' in result['msg']
    assert sorted(result['failed_addresses']) == ['127.0.0.8', '127.0.0.9']
    assert 'connection refused' in result['failed_addresses']['127.0.0.9']
    assert clock.now - 1000.0 == 5
    assert consul.count(JOIN_9) == 21


def test_wait_timeout_zero_tries_once(consul, run, clock):
    consul.serve('members', 'join_unreachable_500')
    result = run(consul_join, addresses=['127.0.0.9'], wait_timeout=0)
    assert result['failed'] is True
    assert consul.count(JOIN_9) == 1
    assert clock.sleeps == []


def test_a_denied_join_is_not_retried(consul, run, clock):
    consul.serve('members').route(JOIN_9, 'acl_403_permission_denied')
    result = run(consul_join, addresses=['127.0.0.9'])
    assert result['failed'] is True
    assert '403' in result['msg'] and 'Permission denied' in result['msg']
    assert list(result['failed_addresses']) == ['127.0.0.9']
    assert consul.count(JOIN_9) == 1
    assert clock.sleeps == []


def test_after_the_first_join_members_that_came_meanwhile_are_skipped(consul, run):
    # the first view has c4 gone; the join of 127.0.0.9 brings the member list in which c4 is alive again
    consul.route('GET /v1/agent/members', 'members_after_leave', 'members').route(JOIN_9, 'join_200')
    result = run(consul_join, addresses=['127.0.0.9', '127.0.0.4'])
    assert 'failed' not in result
    assert result['joined'] == ['127.0.0.9'] and result['already_members'] == ['127.0.0.4']
    assert puts(consul) == [JOIN_9]
    assert consul.count('GET /v1/agent/members') == 2
