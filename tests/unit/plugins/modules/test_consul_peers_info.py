# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_peers_info's main() against recorded replies of a bootstrapping cluster.

Waits run on the fake clock: a 60 s timeout is 240 polls and no real time.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.quorum.consul.plugins.modules import consul_peers_info

SELF = 'GET /v1/agent/self'
LEADER = 'GET /v1/status/leader'
PEERS = 'GET /v1/status/peers'
RAFT = 'GET /v1/operator/raft/configuration'
AUTOPILOT = 'GET /v1/operator/autopilot/health'
# n1, the bootstrap server and leader, once n2 and n3 are voters
LEADER_VIEW = ('agent_self_bootstrap_leader', 'status_leader', 'status_peers', 'raft_configuration',
               'autopilot_health_200', 'members')
TOKEN = '3f1c2a0e-7d5b-4c55-9a51-bd2e6f0c9d17'
RAFT_500 = 'GET http://127.0.0.1:8500/v1/operator/raft/configuration failed: 500 No cluster leader'


@pytest.fixture
def leader_view(consul):
    return consul.serve(*LEADER_VIEW)


def test_reads_the_cluster_from_the_leader(leader_view, run):
    result = run(consul_peers_info)
    assert 'failed' not in result
    assert result['changed'] is False
    assert result['leader'] == '127.0.0.1:8300'
    assert result['peers'] == ['127.0.0.1:8300', '127.0.0.2:8300', '127.0.0.3:8300']
    assert result['servers'][0] == dict(node='n1', id='379c0903-5849-9d42-7fc3-94301e10ec9c', address='127.0.0.1:8300',
                                        leader=True, voter=True)
    assert [(s['node'], s['leader'], s['voter']) for s in result['servers']] == [
        ('n1', True, True), ('n2', False, True), ('n3', False, True)]
    assert result['voters'] == 3
    assert (result['node'], result['datacenter'], result['server'], result['bootstrap']) == ('n1', 'dc1', True, True)
    assert result['members'][3] == dict(name='c4', address='127.0.0.4', status='alive', role='client')
    assert [m['role'] for m in result['members']] == ['server', 'server', 'server', 'client']
    assert result['autopilot']['Healthy'] is True
    assert result['autopilot']['FailureTolerance'] == 1
    assert isinstance(result['duration'], float)
    # what a takeover checks: the data directory it runs on and its gossip encryption (plaintext in the recording)
    assert result['data_dir'] == '/tmp/tmpyqy9an9v/cluster/n1/data'
    assert result['gossip'] == dict(encrypted=False, verify_incoming=True, verify_outgoing=True)


def test_raft_stats_are_integers_where_numeric(leader_view, run):
    raft = run(consul_peers_info)['raft']
    assert raft['state'] == 'Leader'
    for key, value in dict(last_log_index=7, commit_index=7, applied_index=7, num_peers=0, term=2).items():
        assert raft[key] == value and isinstance(raft[key], int), key
    # text stays text
    assert raft['latest_configuration'].startswith('[{Suffrage:Voter')


def test_follower_is_not_bootstrap_and_keeps_durations_as_text(consul, run):
    consul.serve(*LEADER_VIEW).serve('agent_self_follower')
    result = run(consul_peers_info)
    assert result['bootstrap'] is False
    assert result['node'] == 'n2'
    assert result['raft']['state'] == 'Follower'
    assert result['raft']['last_log_index'] == 18
    assert result['raft']['last_contact'] == '4.189587ms'


def test_check_mode_reads_the_same_and_writes_nothing(leader_view, run):
    result = run(consul_peers_info, check_mode=True)
    assert result['changed'] is False
    assert result['voters'] == 3
    assert all(call['request'].startswith('GET ') for call in leader_view.calls)


def test_counts_only_voters_among_peers(consul, run):
    consul.serve(*LEADER_VIEW).serve('raft_configuration_nonvoters')
    result = run(consul_peers_info)
    assert len(result['peers']) == 3
    assert [s['voter'] for s in result['servers']] == [True, False, False]
    assert result['voters'] == 1


def test_no_leader_gives_empty_servers_without_asking_for_them(consul, run):
    # n2 before any join: a server alone, without peers and without a leader
    consul.serve('agent_self_follower', 'status_leader_none', 'no_cluster_leader_500', 'members')
    consul.route(PEERS, consul.synthetic(200, []))
    result = run(consul_peers_info)
    assert 'failed' not in result
    assert (result['leader'], result['servers'], result['voters'], result['autopilot']) == ('', [], 0, None)
    # without a leader both endpoints block for the 7 s RPC hold timeout, then fail: not asked at all
    assert consul.count(RAFT) == consul.count(AUTOPILOT) == 0


def test_client_that_knows_no_server(consul, run):
    c4_alone = [m for m in consul.body('members') if m['Name'] == 'c4']
    consul.serve('agent_self_client').route(LEADER, 'no_known_servers_500').route(PEERS, 'no_known_servers_500')
    consul.route('GET /v1/agent/members', consul.synthetic(200, c4_alone))
    result = run(consul_peers_info)
    assert 'failed' not in result
    assert (result['leader'], result['peers'], result['servers'], result['voters']) == ('', [], [], 0)
    assert (result['server'], result['bootstrap'], result['raft']) == (False, False, {})
    assert result['members'] == [dict(name='c4', address='127.0.0.4', status='alive', role='client')]


def test_a_client_without_its_raft_view_asks_the_servers_nothing(consul, run):
    # with ACLs a client's own token may not read them: each refusal is an error line in its journal
    consul.serve('agent_self_client', 'status_leader', 'members')
    result = run(consul_peers_info, client_raft_view=False)
    assert 'failed' not in result
    assert (result['peers'], result['servers'], result['autopilot']) == ([], [], None)
    assert consul.count(PEERS) == consul.count(RAFT) == consul.count(AUTOPILOT) == 0


def test_unhealthy_autopilot_429_is_an_answer(consul, run):
    consul.serve(*LEADER_VIEW).serve('autopilot_health_429')
    result = run(consul_peers_info)
    assert 'failed' not in result
    assert (result['autopilot']['Healthy'], result['autopilot']['FailureTolerance']) == (False, 0)
    assert [s['Healthy'] for s in result['autopilot']['Servers']] == [True, True, False]


def test_agent_not_answering(consul, run, clock):
    consul.route(SELF, consul.refused())
    result = run(consul_peers_info)
    assert result['failed'] is True
    assert result['msg'] == ('GET http://127.0.0.1:8500/v1/agent/self failed: no answer from the Consul agent at '
                             '127.0.0.1:8500: [Errno 111] Connection refused')
    assert 'duration' in result
    assert clock.sleeps == []


@pytest.mark.parametrize('via_env', [False, True], ids=['option', 'CONSUL_HTTP_TOKEN'])
def test_bad_token_fails_with_403_and_never_shows_the_token(consul, run, monkeypatch, via_env):
    consul.route(SELF, 'acl_403_acl_not_found')
    if via_env:
        monkeypatch.setenv('CONSUL_HTTP_TOKEN', TOKEN)
        result = run(consul_peers_info, host='127.0.0.5')
    else:
        result = run(consul_peers_info, host='127.0.0.5', token=TOKEN)
    assert result['failed'] is True
    assert result['msg'] == 'GET http://127.0.0.5:8500/v1/agent/self failed: 403 ACL not found'
    assert TOKEN not in json.dumps(result)
    assert consul.calls[0]['headers']['X-Consul-Token'] == TOKEN


def test_no_token_sends_no_token_header(leader_view, run):
    run(consul_peers_info)
    assert all('X-Consul-Token' not in call['headers'] for call in leader_view.calls)


def test_consul_http_addr_and_cacert_from_the_environment(leader_view, run, monkeypatch):
    monkeypatch.setenv('CONSUL_HTTP_ADDR', 'https://127.0.0.1:8501')
    monkeypatch.setenv('CONSUL_CACERT', '/etc/consul.d/ca.pem')
    assert 'failed' not in run(consul_peers_info)
    assert {call['url'].split('/v1/')[0] for call in leader_view.calls} == {'https://127.0.0.1:8501'}
    assert {call['kwargs']['ca_path'] for call in leader_view.calls} == {'/etc/consul.d/ca.pem'}


def test_500_without_a_wait_fails_at_once(consul, run, clock):
    consul.serve(*LEADER_VIEW).serve('no_cluster_leader_500')
    result = run(consul_peers_info)
    assert result['failed'] is True
    assert result['msg'] == RAFT_500
    assert clock.sleeps == []


def test_malformed_json_is_a_response_error(consul, run):
    # a reply cut short after 60 characters
    cut = consul.recorded('agent_self_follower')['body'][:60]
    consul.serve(*LEADER_VIEW).route(SELF, consul.synthetic(200, cut))
    result = run(consul_peers_info)
    assert result['failed'] is True
    assert result['msg'].startswith('GET http://127.0.0.1:8500/v1/agent/self: status 200 but the body is not JSON (')
    assert result['msg'].endswith('): ' + cut)


def test_reply_of_the_wrong_shape_is_a_response_error(consul, run):
    consul.serve(*LEADER_VIEW).route(LEADER, 'status_peers')
    result = run(consul_peers_info)
    assert result['failed'] is True
    assert "v1/status/leader: expected a JSON str, got ['127.0.0.1:8300'" in result['msg']


def test_min_voters_waits_through_autopilot_promotion(consul, run, clock):
    consul.serve(*LEADER_VIEW).route(RAFT, 'raft_configuration_nonvoters', 'raft_configuration_nonvoters',
                                     'raft_configuration')
    result = run(consul_peers_info, min_voters=3)
    assert 'failed' not in result
    assert result['voters'] == 3
    assert clock.sleeps == [0.25, 0.25]


@pytest.mark.parametrize('promoted, message', [
    ([], '1 of 3 voters after 60s: n1'),
    (['n2'], '2 of 3 voters after 60s: n1, n2'),
])
def test_min_voters_timeout_says_what_it_last_saw(consul, run, clock, promoted, message):
    # n2 promoted alone is the recorded non-voter configuration with one flag turned
    config = consul.body('raft_configuration_nonvoters')
    for server in config['Servers']:
        server['Voter'] = server['Voter'] or server['Node'] in promoted
    consul.serve(*LEADER_VIEW).route(RAFT, consul.synthetic(200, config))
    result = run(consul_peers_info, min_voters=3, wait_timeout=60)
    assert result['failed'] is True
    assert result['msg'] == message
    assert result['voters'] == 1 + len(promoted)
    assert result['leader'] == '127.0.0.1:8300'
    assert 'duration' in result
    assert clock.now - 1000.0 == pytest.approx(60)


def test_wait_for_leader(consul, run, clock):
    consul.serve(*LEADER_VIEW).route(LEADER, 'status_leader_none', 'status_leader')
    result = run(consul_peers_info, wait_for_leader=True)
    assert result['leader'] == '127.0.0.1:8300'
    assert clock.sleeps == [0.25]


def test_wait_for_leader_timeout(consul, run):
    consul.serve(*LEADER_VIEW).serve('status_leader_none')
    result = run(consul_peers_info, wait_for_leader=True, wait_timeout=30)
    assert result['failed'] is True
    assert result['msg'] == 'no leader after 30s'
    assert consul.count(RAFT) == 0


def test_no_cluster_leader_500_is_retried(consul, run, clock):
    consul.serve(*LEADER_VIEW).route(RAFT, 'no_cluster_leader_500', 'raft_configuration')
    result = run(consul_peers_info, min_voters=3)
    assert 'failed' not in result
    assert result['voters'] == 3
    assert consul.count(RAFT) == 2


def test_no_cluster_leader_500_until_timeout(consul, run, clock):
    consul.serve(*LEADER_VIEW).serve('no_cluster_leader_500')
    result = run(consul_peers_info, min_voters=3, wait_timeout=60)
    assert result['failed'] is True
    assert result['msg'] == 'still failing after 60s: ' + RAFT_500
    assert consul.count(RAFT) > 200


def test_connection_refused_is_retried_while_the_agent_starts(consul, run):
    consul.serve(*LEADER_VIEW).route(SELF, consul.refused(), consul.refused(), 'agent_self_bootstrap_leader')
    result = run(consul_peers_info, wait_for_leader=True)
    assert 'failed' not in result
    assert result['leader'] == '127.0.0.1:8300'
    assert consul.count(SELF) == 3


def test_403_ends_a_wait_at_once(consul, run, clock):
    consul.route(SELF, 'acl_403_permission_denied')
    result = run(consul_peers_info, wait_for_leader=True, wait_timeout=60)
    assert result['failed'] is True
    assert result['msg'] == 'GET http://127.0.0.1:8500/v1/agent/self failed: 403 Permission denied'
    assert consul.count(SELF) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize('index, message', [
    (18, None),
    (19, 'last_log_index 18 of 19 after 60s'),
])
def test_min_last_log_index(consul, run, index, message):
    consul.serve(*LEADER_VIEW).serve('agent_self_follower')
    result = run(consul_peers_info, min_last_log_index=index, wait_timeout=60)
    assert result.get('msg') == message
    assert result['raft']['last_log_index'] == 18


def test_min_failure_tolerance_waits_for_healthy_autopilot(consul, run, clock):
    consul.serve(*LEADER_VIEW).route(AUTOPILOT, 'autopilot_health_429', 'autopilot_health_200')
    result = run(consul_peers_info, min_failure_tolerance=1)
    assert 'failed' not in result
    assert result['autopilot']['FailureTolerance'] == 1
    assert clock.sleeps == [0.25]


def test_timeout_names_every_unmet_condition(consul, run):
    consul.serve(*LEADER_VIEW).serve('raft_configuration_nonvoters', 'autopilot_health_429')
    result = run(consul_peers_info, min_voters=3, min_failure_tolerance=1, wait_timeout=10)
    assert result['msg'] == '1 of 3 voters after 10s: n1; failure tolerance 0 of 1 after 10s'


def test_token_without_operator_read_leaves_raft_parts_empty(consul, run):
    # the agent recovery token reads the agent's own endpoints; the raft configuration needs operator:read
    consul.serve(*LEADER_VIEW).route(RAFT, 'acl_403_permission_denied')
    result = run(consul_peers_info)
    assert 'failed' not in result
    assert (result['servers'], result['autopilot'], result['leader']) == ([], None, '127.0.0.1:8300')
    assert result['denied'] == ['operator/raft/configuration', 'operator/autopilot/health']


def test_a_wait_fails_at_once_on_403(consul, run, clock):
    consul.serve(*LEADER_VIEW).route(RAFT, 'acl_403_permission_denied')
    result = run(consul_peers_info, min_voters=3)
    assert result['failed'] is True and result['status'] == 403 and clock.sleeps == []


@pytest.mark.parametrize('autopilot, message', [
    # the leader's LastIndex in the recording is 18 (healthy) and 19 (the refresh after), the follower's own 18
    ('autopilot_health_200', None),
    ('autopilot_health_429', "last_log_index 18 of the leader's 19 after 60s"),
])
def test_caught_up_compares_with_the_leaders_index_in_autopilot(consul, run, autopilot, message):
    consul.serve(*LEADER_VIEW).serve('agent_self_follower', autopilot)
    result = run(consul_peers_info, caught_up=True, wait_timeout=60)
    assert result.get('msg') == message


def test_caught_up_waits_for_a_leader(consul, run):
    consul.serve(*LEADER_VIEW).serve('agent_self_follower', 'status_leader_none')
    result = run(consul_peers_info, caught_up=True, wait_timeout=30)
    assert result['msg'] == "last_log_index 18 of the leader's None after 30s"
    assert result['autopilot'] is None


def test_failure_tolerance_counts_the_voters_of_the_raft_configuration(consul, run):
    # a refresh before the promotion: autopilot still counts one voter (tolerance 0), every server healthy
    health = consul.body('autopilot_health_200')
    health['FailureTolerance'] = 0
    for server in health['Servers'][1:]:
        server['Voter'] = False
    consul.serve(*LEADER_VIEW).route(AUTOPILOT, consul.synthetic(429, health))
    assert run(consul_peers_info, min_failure_tolerance=1)['failure_tolerance'] == 1
    # and the other way round: autopilot still counts three voters, the raft configuration has one
    consul.route(AUTOPILOT, 'autopilot_health_200').route(RAFT, 'raft_configuration_nonvoters')
    result = run(consul_peers_info, min_failure_tolerance=1, wait_timeout=10)
    assert (result['failure_tolerance'], result['autopilot']['FailureTolerance']) == (0, 1)
    assert result['msg'] == 'failure tolerance 0 of 1 after 10s'


def test_failure_tolerance_leaves_out_unhealthy_voters(consul, run):
    consul.serve(*LEADER_VIEW).serve('autopilot_health_429')
    assert run(consul_peers_info)['failure_tolerance'] == 0
