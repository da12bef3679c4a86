# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Taking over a datacenter set up without the role: what is read from foreign files, what is refused, what moves.

The agents' views have the shape of consul_peers_info's result (test_cluster.py feeds the recorded replies
through the same decision); a case only sets what its situation needs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

from ansible_collections.quorum.consul.plugins.plugin_utils import _adopt

GUIDE_HCL = '''
# HashiCorp's guide, as typed by hand
datacenter = "dc1"
data_dir = "/opt/consul"
encrypt = "c2VjcmV0LWdvc3NpcC1rZXktMTIzNDU2Nzg5MA=="
server = true
bootstrap = true // left in
retry_join = ["10.0.0.2", "10.0.0.3"]
performance {
  raft_multiplier = 1
}
acl { tokens { agent = "s3cr3t" } }
/* bootstrap_expect = 3 */
service "web" { port = 80 }
'''
ROLE_KEYS = ['bind_addr', 'client_addr', 'data_dir', 'datacenter', 'log_level', 'node_name', 'performance', 'retry_join',
             'server']
NODES = dict(s1='s1', s2='s2', s3='s3', c1='c1')


def test_hcl_top_level_keys_and_watched_values_only():
    summary = _adopt.config_summary(GUIDE_HCL, '/etc/consul.d/consul.hcl')
    assert summary['error'] == ''
    assert summary['keys'] == ['acl', 'bootstrap', 'data_dir', 'datacenter', 'encrypt', 'performance', 'retry_join',
                               'server', 'service']
    assert summary['values'] == dict(datacenter='dc1', data_dir='/opt/consul', bootstrap=True)
    # secrets never leave the file
    assert 's3cr3t' not in repr(summary) and 'c2VjcmV0' not in repr(summary)


@pytest.mark.parametrize('text, path, keys, values', [
    ('{"bootstrap_expect": 3, "server": true, "encrypt": "k"}', 'a.json', ['bootstrap_expect', 'encrypt', 'server'],
     dict(bootstrap_expect=3)),
    ('## comment\nlog_level = "info"\n', '00-log_level.hcl', ['log_level'], {}),
    ('"bootstrap" = false\nnode_name = "n-1"\n', 'q.hcl', ['bootstrap', 'node_name'], dict(bootstrap=False, node_name='n-1')),
    ('ui_config { enabled = true }\nlog_level = <<EOT\nINFO\nEOT\nports = { dns = -1 }\n', 'h.hcl',
     ['log_level', 'ports', 'ui_config'], {}),
    ('', 'empty.hcl', [], {}),
])
def test_config_summary_cases(text, path, keys, values):
    summary = _adopt.config_summary(text, path)
    assert (summary['keys'], summary['values'], summary['error']) == (keys, values, '')


def test_unreadable_json_is_an_error_not_a_crash():
    summary = _adopt.config_summary('{"server": true,', 'broken.json')
    assert summary['keys'] == [] and summary['error'].startswith('cannot be read as Consul configuration')


def test_config_summaries_skip_the_role_files():
    def slurped(path, text):
        return dict(source=path, content=base64.b64encode(text.encode()).decode())
    result = _adopt.config_summaries([slurped('/etc/consul.d/consul.json', '{"server": true}'),
                                      slurped('/etc/consul.d/server.hcl', 'bootstrap_expect = 3'),
                                      slurped('/etc/consul.d/encrypt.json', '{"encrypt": "k"}')])
    assert [s['path'] for s in result] == ['/etc/consul.d/server.hcl']


def agent(node, encrypted=False, verify_incoming=True, verify_outgoing=True, data_dir='/opt/consul', datacenter='dc1',
          leader='10.0.0.1:8300'):
    return dict(node=node, datacenter=datacenter, data_dir=data_dir, leader=leader, raft={'last_log_index': 9},
                gossip=dict(encrypted=encrypted, verify_incoming=verify_incoming, verify_outgoing=verify_outgoing))


def hand_made(host, server=True, flag=False, node=None, **agent_changes):
    """A host of a datacenter bootstrapped by hand: root unit, HCL, root-owned data, plaintext gossip."""
    # the guide's file, without what the role does not manage (the acl block and the service)
    text = GUIDE_HCL.replace('bootstrap = true', 'bootstrap = %s' % str(flag).lower()).split('acl {', maxsplit=1)[0]
    if not server:
        text = text.replace('server = true', 'server = false')
    return dict(
        files=['consul.hcl', 'node-id'] + (['raft.db'] if server else []),
        agent=agent(node or host, **agent_changes),
        unit=dict(path='/etc/systemd/system/consul.service', user='', active='active', dropins=[]),
        owners={'/opt/consul/node-id': 'root', '/opt/consul/raft': 'root'},
        config=[_adopt.config_summary(text, '/etc/consul.d/consul.hcl')],
    )


def role_made(host, stage_agent=None):
    return dict(files=['consul.json', 'encrypt.json', 'raft.db', 'node-id'],
                agent=stage_agent or agent(host, encrypted=True),
                unit=dict(path='/etc/systemd/system/consul.service', user='consul', active='active', dropins=[]),
                owners={'/opt/consul/node-id': 'consul'}, config=[])


def decide(probes, adopt=False, key_known=False):
    return _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', adopt=adopt, key_known=key_known)


def hand_datacenter(**changes):
    probes = dict(s1=hand_made('s1', flag=True), s2=hand_made('s2'), s3=hand_made('s3'), c1=hand_made('c1', server=False))
    probes.update(changes)
    return probes


def test_hand_made_datacenter_is_refused_with_every_finding_per_host():
    result = decide(hand_datacenter())
    assert result['foreign'] == ['c1', 's1', 's2', 's3']
    assert len(result['problems']) == 1
    message = result['problems'][0]
    for text in ('s1: runs from unit /etc/systemd/system/consul.service (as user root)',
                 '/etc/consul.d/consul.hcl sets bootstrap = true',
                 'which the role also sets (consul.json is read after it and wins)',
                 'its agent runs as root, not as consul', 'belong to another user than consul (/opt/consul/node-id',
                 'gossip is not encrypted', 'consul_cluster_adopt=true', 'nothing was changed'):
        assert text in message
    assert message.count('runs from unit') == 4


def test_adopting_moves_conflicting_files_aside_and_walks_every_gossip_stage():
    result = decide(hand_datacenter(), adopt=True)
    assert result['problems'] == []
    assert result['hosts']['s1']['move_aside'] == [
        dict(path='/etc/consul.d/consul.hcl', backup='/etc/consul.d/consul.hcl.quorum-backup')]
    assert all(plan['unit_backup'] for plan in result['hosts'].values())
    assert result['gossip'] == [dict(encrypt_verify_incoming=False, encrypt_verify_outgoing=False),
                                dict(encrypt_verify_incoming=False), {}]
    assert result['warnings'][0].startswith('host c1: moving aside /etc/consul.d/consul.hcl (kept as ')


@pytest.mark.parametrize('stages, expected', [
    # every agent at stage 1 (encrypted, nothing verified): outgoing next, then incoming
    ((1, 1, 1), [dict(encrypt_verify_incoming=False), {}]),
    ((2, 2, 1), [dict(encrypt_verify_incoming=False), {}]),
    ((2, 2, 2), [{}]),
    ((3, 3, 3), [{}]),
    ((3, 0, 3), list(_adopt.GOSSIP_STAGES)),
])
def test_a_run_stopped_midway_resumes_from_the_stage_the_agents_run(stages, expected):
    settings = {0: dict(encrypted=False), 1: dict(encrypted=True, verify_incoming=False, verify_outgoing=False),
                2: dict(encrypted=True, verify_incoming=False), 3: dict(encrypted=True)}
    probes = dict(('s%d' % (i + 1), role_made('s%d' % (i + 1), agent('s%d' % (i + 1), **settings[stage])))
                  for i, stage in enumerate(stages))
    result = decide(probes)
    assert result['problems'] == [] and result['gossip'] == expected
    first_stage = len(_adopt.GOSSIP_STAGES) - len(expected) + 1
    assert [result['hosts'][h]['behind'] for h in sorted(probes)] == [stage < first_stage for stage in stages]


def test_role_made_datacenter_needs_nothing():
    result = decide(dict(s1=role_made('s1'), s2=role_made('s2'), s3=role_made('s3')))
    assert result == dict(problems=[], warnings=[], foreign=[], gossip=[{}], tls=[3], tls_moving={}, tls_served=True,
                          acl=[3], acl_moving={}, acl_enabling=False, hosts=result['hosts'])
    assert not any(plan['findings'] or plan['move_aside'] or plan['behind'] for plan in result['hosts'].values())


def test_new_host_with_a_package_file_moves_it_aside_without_adopting():
    probe = dict(files=['00-log_level.hcl'], agent=dict(failed=True, msg='refused'),
                 unit=dict(path='/lib/systemd/system/consul.service', user='consul', active='inactive', dropins=[]),
                 owners={}, config=[_adopt.config_summary('log_level = "info"\n', '/etc/consul.d/00-log_level.hcl')])
    result = decide(dict(s1=probe))
    assert result['problems'] == [] and result['foreign'] == []
    assert result['hosts']['s1']['move_aside'][0]['path'] == '/etc/consul.d/00-log_level.hcl'
    assert result['hosts']['s1']['unit_backup'] is False
    assert 'kept as /etc/consul.d/00-log_level.hcl.quorum-backup' in result['warnings'][0]


def test_service_definitions_are_left_alone():
    probe = hand_made('c1', server=False)
    probe['config'].append(_adopt.config_summary('service {\n  name = "web"\n}\n', '/etc/consul.d/web.hcl'))
    result = decide(hand_datacenter(c1=probe), adopt=True)
    assert [m['path'] for m in result['hosts']['c1']['move_aside']] == ['/etc/consul.d/consul.hcl']


def test_drop_ins_are_findings_and_move_aside():
    probe = hand_made('s2')
    probe['unit']['dropins'] = ['/etc/systemd/system/consul.service.d/override.conf']
    result = decide(hand_datacenter(s2=probe), adopt=True)
    assert '/etc/systemd/system/consul.service.d/override.conf' in [m['path'] for m in result['hosts']['s2']['move_aside']]
    assert 'drop-in /etc/systemd/system/consul.service.d/override.conf changes the consul unit' in result['hosts']['s2']['findings']


@pytest.mark.parametrize('changes, text', [
    (dict(s2=hand_made('s2', data_dir='/var/lib/consul')),
     'host s2: its agent runs with data_dir "/var/lib/consul" but the role would use "/opt/consul"; '
     'set consul_cluster_data_dir to "/var/lib/consul"'),
    (dict(s2=hand_made('s2', datacenter='east')), 'set consul_cluster_datacenter to "east"'),
    (dict(s2=hand_made('s2', node='node-b')), 'set consul_cluster_node_name to "node-b"'),
])
def test_a_takeover_that_would_lose_data_or_identity_is_refused_even_when_adopting(changes, text):
    result = decide(hand_datacenter(**changes), adopt=True)
    assert any(text in problem for problem in result['problems']), result['problems']


def test_a_stopped_foreign_server_whose_file_names_another_data_dir_is_refused():
    probe = hand_made('s3')
    probe['agent'] = dict(failed=True, msg='connection refused')
    probe['config'] = [_adopt.config_summary('data_dir = "/srv/consul"\nserver = true\n', '/etc/consul.d/consul.hcl')]
    result = decide(hand_datacenter(s3=probe), adopt=True)
    assert ['host s3: /etc/consul.d/consul.hcl sets data_dir = "/srv/consul" but the role would use "/opt/consul"; '
            'set consul_cluster_data_dir to "/srv/consul" for this host.'] == result['problems']


def test_an_agent_outside_the_unit_is_always_refused():
    probe = hand_made('s2')
    probe['unit'] = dict(path='', user='', active='inactive', dropins=[])
    result = decide(hand_datacenter(s2=probe), adopt=True)
    assert any('host s2: a Consul agent answers, but not from the unit consul.service (inactive;' in p for p in result['problems'])


def test_encrypted_foreign_datacenter_needs_its_key():
    encrypted = dict((h, hand_made(h, encrypted=True)) for h in ('s1', 's2', 's3'))
    refused = decide(encrypted, adopt=True)
    assert len(refused['problems']) == 3 and 'set consul_cluster_encrypt_key' in refused['problems'][0]
    assert decide(encrypted, adopt=True, key_known=True)['problems'] == []
    assert decide(encrypted, adopt=True, key_known=True)['gossip'] == [{}]


def test_unreadable_foreign_file_is_a_finding_and_moves_aside():
    probe = hand_made('s2')
    probe['config'].append(_adopt.config_summary('{"server": ', '/etc/consul.d/zz.json'))
    result = decide(hand_datacenter(s2=probe), adopt=True)
    assert '/etc/consul.d/zz.json' in [m['path'] for m in result['hosts']['s2']['move_aside']]
    assert any(f.startswith('/etc/consul.d/zz.json cannot be read') for f in result['hosts']['s2']['findings'])


def test_a_file_read_after_consul_json_says_it_wins():
    probe = hand_made('s2')
    probe['config'] = [_adopt.config_summary('log_level = "debug"\n', '/etc/consul.d/zz-debug.hcl')]
    result = decide(hand_datacenter(s2=probe))
    assert 'zz-debug.hcl is read after consul.json and wins' in result['problems'][0]


def test_moving_a_file_aside_that_also_sets_what_the_role_does_not_manage_is_refused():
    probe = hand_made('s2')
    probe['config'] = [_adopt.config_summary(GUIDE_HCL, '/etc/consul.d/consul.hcl')]
    result = decide(hand_datacenter(s2=probe), adopt=True)
    assert result['problems'] == [
        'host s2: /etc/consul.d/consul.hcl also sets acl, service, which the role does not manage: moving the file '
        'aside would drop that. Carry it over in consul_cluster_extra_config (or move it to a file of its own that '
        'sets nothing the role sets), then re-run.']
    # carried over in consul_cluster_extra_config, the keys are the role's: nothing is dropped
    carried = _adopt.adoption(hand_datacenter(s2=probe), NODES, ROLE_KEYS + ['acl', 'service'], 'consul', '/opt/consul',
                              'dc1', adopt=True)
    assert carried['problems'] == []


def test_a_hand_made_consul_json_run_as_root_is_not_taken_for_the_roles():
    probe = hand_made('s2')
    probe['files'] = ['consul.json', 'raft.db']
    assert 's2' in decide(hand_datacenter(s2=probe))['foreign']
    probe['unit']['user'] = 'consul'
    assert 's2' not in decide(hand_datacenter(s2=probe))['foreign']


def test_gossip_encryption_is_refused_while_an_alive_agent_is_outside_the_play():
    probes = hand_datacenter()
    probes['s1']['agent']['members'] = [dict(name=name, status='alive') for name in ('s1', 's2', 's3', 'c1', 'db-7')]
    probes['s1']['agent']['members'].append(dict(name='old-9', status='left'))
    result = decide(probes, adopt=True)
    assert result['problems'] == [
        'Gossip moves to encryption in stages that every agent must take, but db-7 is alive in the datacenter and not '
        'in this play (not in the inventory, or left out by --limit or serial). Add them to the inventory and run '
        'against every host.']
    del probes['c1']
    assert 'but c1, db-7 are alive' in decide(probes, adopt=True)['problems'][0]
    # nothing to move: an agent outside the play is no concern of gossip
    encrypted = dict((h, role_made(h)) for h in ('s1', 's2'))
    encrypted['s1']['agent']['members'] = [dict(name='db-7', status='alive')]
    assert decide(encrypted)['problems'] == []


def test_an_agent_call_that_failed_is_no_running_agent_even_registered_with_failed_when_false():
    probe = hand_made('s1', flag=True)
    probe['unit']['active'] = 'failed'
    probe['agent'] = dict(failed=False, failed_when_result=False, status=None, msg='connection refused')
    result = decide(hand_datacenter(s1=probe), adopt=True)
    assert result['problems'] == [] and result['hosts']['s1']['stage'] == 3


@pytest.mark.parametrize('first', ['s1', 'c1'])
def test_the_keys_the_role_manages_come_from_its_configuration_of_both_kinds_whichever_host_comes_first(first):
    """retry_join in every hand-made file (HashiCorp's deployment guide), with the keys cluster_preflight gives
    the role, per host, from its own configuration of a server and of a client, as detect.yml passes them."""
    from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import preflight

    hosts = ['s1', 's2', 's3', 'c1']
    play = [first] + [host for host in hosts if host != first]
    records = dict((host, dict(node=host, addr='10.0.0.%d' % n, addresses=['10.0.0.%d' % n], install_method='none',
                               extra_keys=[]))
                   for n, host in enumerate(hosts, 1))
    decided = preflight(records, ['s1', 's2', 's3'], ['c1'], play, 's1', tls=False, acl=False, version='1.8.7')
    assert all('retry_join' in decided['role_keys'][host] for host in hosts)
    probes = dict(hand_datacenter())
    # a server-only setting the role writes on servers only: judged by the servers' keys even when a client is first
    probes['s2']['config'] = [_adopt.config_summary(
        'datacenter = "dc1"\nserver = true\nretry_join = ["10.0.0.1"]\nautopilot { server_stabilization_time = "10s" }\n',
        '/etc/consul.d/consul.hcl')]
    # the client's file has no server-only setting: what it sets is judged by the client's keys too
    probes['c1']['config'] = [_adopt.config_summary(
        'datacenter = "dc1"\ndata_dir = "/opt/consul"\nserver = false\nretry_join = ["10.0.0.1"]\n',
        '/etc/consul.d/consul.hcl')]
    result = _adopt.adoption(dict((host, probes[host]) for host in play), NODES, decided['role_keys'], 'consul',
                             '/opt/consul', 'dc1', adopt=True)
    assert result['problems'] == []
    assert all(result['hosts'][host]['move_aside'] for host in hosts)
    findings = ' '.join(' '.join(result['hosts'][host]['findings']) for host in hosts)
    assert 'retry_join' in findings and 'does not manage' not in findings


def _at_tls_stage(host, stage):
    probe = role_made(host)
    probe['agent'] = dict(probe['agent'], tls_stage=stage)
    return probe


def test_a_running_plaintext_datacenter_moves_to_tls_in_three_stages():
    probes = dict(s1=_at_tls_stage('s1', 0), s2=_at_tls_stage('s2', 0), s3=_at_tls_stage('s3', 0))
    assert decide(probes)['tls'] == [3]
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)
    # every agent restarts into the first stage
    assert result["tls"] == [1, 2, 3] and all(plan["behind"] for plan in result["hosts"].values())
    # no agent serves HTTPS before the first stage: the role calls them over HTTP
    assert result["tls_served"] is False


def test_an_interrupted_move_resumes_from_the_stage_the_agents_run():
    # s2 restarted into stage 2 before the run stopped: every agent takes stage 2 before any takes the last one
    probes = dict(s1=_at_tls_stage('s1', 1), s2=_at_tls_stage('s2', 2), s3=_at_tls_stage('s3', 1))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)
    assert result['tls'] == [2, 3] and result['tls_served'] is True
    # an agent behind the first stage restarts even when its file already says that stage
    assert [host for host, plan in sorted(result['hosts'].items()) if plan['behind']] == ['s1', 's3']


def test_a_move_stopped_in_its_last_stage_restarts_the_agents_still_behind():
    probes = dict(s1=_at_tls_stage('s1', 3), s2=_at_tls_stage('s2', 2), s3=_at_tls_stage('s3', 2))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)
    assert result['tls'] == [3]
    assert [host for host, plan in sorted(result['hosts'].items()) if plan['behind']] == ['s2', 's3']


def test_agents_at_the_end_state_move_no_more():
    probes = dict(s1=_at_tls_stage('s1', 3), s2=_at_tls_stage('s2', 3), s3=_at_tls_stage('s3', 3))
    assert _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)['tls'] == [3]


def test_the_stages_the_agents_run_are_reported_while_a_move_is_under_way():
    probes = dict(s1=_at_tls_stage('s1', 3), s2=_at_tls_stage('s2', 2), s3=_at_tls_stage('s3', 2))
    assert _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)['tls_moving'] == dict(
        s1=3, s2=2, s3=2)
    probes = dict(s1=_at_tls_stage('s1', 3), s2=_at_tls_stage('s2', 3), s3=_at_tls_stage('s3', 3))
    assert _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', tls=True)['tls_moving'] == {}


def _with_acl(host, enabled, policy=''):
    probe = role_made(host)
    probe['agent'] = dict(probe['agent'], acl=dict(enabled=enabled, default_policy=policy if enabled else ''))
    return probe


def test_acls_on_for_a_running_datacenter_go_through_allow_first():
    probes = dict(s1=_with_acl('s1', False), s2=_with_acl('s2', False), s3=_with_acl('s3', False))
    assert decide(probes)['acl'] == [3] and decide(probes)['acl_enabling'] is False
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)
    assert result['acl'] == [1, 3] and result['acl_enabling'] is True
    assert all(plan['behind'] for plan in result['hosts'].values())
    assert result['acl_moving'] == dict(s1=0, s2=0, s3=0)
    # asked for allow: the first stage is the end state
    allow = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True, acl_policy='allow')
    assert allow['acl'] == [3] and allow['acl_enabling'] is True


def test_an_interrupted_move_to_acls_resumes_from_what_the_agents_run():
    # s1 restarted with ACLs before the run stopped: the others still run none, so the first stage is still to take
    probes = dict(s1=_with_acl('s1', True, 'allow'), s2=_with_acl('s2', False), s3=_with_acl('s3', False))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)
    assert result['acl'] == [1, 3] and result['acl_enabling'] is True
    assert [host for host, plan in sorted(result['hosts'].items()) if plan['behind']] == ['s2', 's3']
    # every agent runs allow: one stage left, the policy asked for; s1 already took it
    probes = dict(s1=_with_acl('s1', True, 'deny'), s2=_with_acl('s2', True, 'allow'), s3=_with_acl('s3', True, 'allow'))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)
    assert result['acl'] == [3] and result['acl_enabling'] is False and result['acl_moving'] == dict(
        s1=3, s2=1, s3=1)
    assert [host for host, plan in sorted(result['hosts'].items()) if plan['behind']] == ['s2', 's3']


def test_a_datacenter_with_the_acls_asked_for_moves_no_more():
    probes = dict(s1=_with_acl('s1', True, 'deny'), s2=_with_acl('s2', True, 'deny'), s3=_with_acl('s3', True, 'deny'))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)
    assert result['acl'] == [3] and result['acl_moving'] == {} and not any(
        plan['behind'] for plan in result['hosts'].values())


def test_an_acl_policy_the_agents_do_not_report_moves_nothing():
    probes = dict(s1=_with_acl('s1', True, ''), s2=_with_acl('s2', True, ''), s3=_with_acl('s3', True, ''))
    result = _adopt.adoption(probes, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)
    assert result['acl'] == [3] and result['acl_moving'] == {} and not any(
        plan['behind'] for plan in result['hosts'].values())


def test_a_stopped_datacenter_turning_acls_on_makes_its_token_first():
    stopped = dict(s1=role_made('s1'), s2=role_made('s2'), s3=role_made('s3'))
    for probe in stopped.values():
        probe['agent'] = {}
    result = _adopt.adoption(stopped, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True, acl_off_on_disk=True)
    assert result['acl'] == [3] and result['acl_enabling'] is True
    # its files say ACLs already: nothing to enable
    assert _adopt.adoption(stopped, NODES, ROLE_KEYS, 'consul', '/opt/consul', 'dc1', acl=True)['acl_enabling'] is False
