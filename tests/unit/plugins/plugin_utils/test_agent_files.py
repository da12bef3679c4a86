# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""agent_files: what one run writes on a host. A re-run changes nothing only if every checksum the role compares a
host with is the SHA-1 of what it would write there, for every kind of host and every mode."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import itertools
import json

import pytest

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_files import agent_files, role_paths

SETTINGS = dict(
    node='n1', addr='10.0.0.1', version='1.22.6', datacenter='dc1', domain='consul', client_addr='127.0.0.1',
    http_port=8500, https_port=8501, log_level='INFO', raft_multiplier=1, server_stabilization_time='10s',
    acl_default_policy='deny', acl_down_policy='extend-cache', wait_timeout=300, user='consul',
    config_dir='/etc/consul.d', data_dir='/opt/consul', binary_path='/usr/local/bin/consul',
    binary_file='/srv/consul', config_file='/etc/consul.d/consul.json', encrypt_file='/etc/consul.d/encrypt.json',
    flag_file='/etc/consul.d/bootstrap.json', unit_file='/etc/systemd/system/consul.service',
    tls_dir='/etc/consul.d/tls')
KEY = base64.b64encode(b'k' * 32).decode()
TOKENS = dict(agent='agent-secret', recovery='recovery-secret', management='management-secret')
TLS_FILES = ['-----CA-----\n', '-----CERT-----\n', '-----KEY-----\n']
BINARY = 'b' * 40


def plan(server=True, tls=True, acl=True, method='copy', probe_paths=None, **changes):
    preflight = dict(roles=dict(h='server' if server else 'client'), tls=tls, acl=acl,
                     server_addrs=['10.0.0.1', '10.0.0.2', '10.0.0.3'])
    state = dict(hosts=dict(h=dict(write_flag=changes.pop('write_flag', False))))
    adoption = dict(hosts=dict(h=dict(unit_backup=False)), gossip=changes.pop('gossip', [{}]),
                    tls=changes.pop('tls_stages', [3]), acl=changes.pop('acl_stages', [3]))
    settings = dict(SETTINGS, install_method=method, **changes)
    return agent_files(settings, 'h', preflight, state, adoption, dict(paths=probe_paths or {}),
                       extra=dict(ui_config=dict(enabled=True)), tokens=TOKENS if acl else None,
                       tls_files=TLS_FILES if tls else None, binary_checksum=BINARY, gossip_key=KEY, encrypt_key=KEY)


def sha1(text):
    return hashlib.sha1(text.encode('utf-8')).hexdigest()


@pytest.mark.parametrize('tls, acl, method, server', list(itertools.product(
    [True, False], [True, False], ['copy', 'archive', 'package', 'none'], [True, False])))
def test_every_desired_checksum_is_the_sha1_of_what_the_layout_writes(tls, acl, method, server):
    result = plan(server=server, tls=tls, acl=acl, method=method)
    layout = result['layout']
    written = dict((item['path'], item['content']) for item in layout['files'] + layout['sensitive_files'])
    checked = dict((path, want['checksum']) for path, want in result['paths'].items() if 'checksum' in want)
    for path, checksum in checked.items():
        if path == SETTINGS['binary_path']:
            assert checksum == BINARY and method == 'copy'
        else:
            assert checksum == sha1(written[path]), path
    # every file the role compares is one it writes, and every file it writes is compared (the flag is not left)
    files = set(written) - {SETTINGS['flag_file']}
    assert files == set(checked) - {SETTINGS['binary_path']}
    # every directory and file has the owner, group and mode the probe compares
    for item in layout['directories'] + layout['files'] + layout['sensitive_files']:
        want = result['paths'][item['path']]
        assert (item['owner'], item['group'], item['mode']) == (want['owner'], want['group'], want['mode'])
    # the probe looks at every path a run may write
    assert set(result['paths']) <= set(role_paths(dict(SETTINGS, install_method=method)))


@pytest.mark.parametrize('tls, acl', list(itertools.product([True, False], [True, False])))
def test_secrets_only_in_the_sensitive_files_and_the_management_token_only_on_servers(tls, acl):
    for server in (True, False):
        layout = plan(server=server, tls=tls, acl=acl)['layout']
        shown = json.dumps(layout['files'] + layout['directories'])
        for secret in [KEY, TLS_FILES[2]] + list(TOKENS.values()):
            assert secret not in shown
        config = json.loads(next(item['content'] for item in layout['sensitive_files']
                                 if item['path'] == SETTINGS['config_file']))
        assert ('management-secret' in json.dumps(config)) is (acl and server)


def test_the_binary_goes_only_where_the_copy_differs():
    binary = SETTINGS['binary_path']
    assert plan()['layout']['binary']['checksum'] == BINARY
    assert plan(probe_paths={binary: dict(checksum='other')})['layout']['binary']['src'] == SETTINGS['binary_file']
    assert plan(probe_paths={binary: dict(checksum=BINARY)})['layout']['binary'] is None
    assert plan(method='archive')['layout']['binary'] is None


def test_the_flag_file_only_where_the_state_asks_for_it():
    assert SETTINGS['flag_file'] not in [item['path'] for item in plan()['layout']['files']]
    flag = [item for item in plan(write_flag=True)['layout']['files'] if item['path'] == SETTINGS['flag_file']]
    assert json.loads(flag[0]['content']) == dict(bootstrap=True) and flag[0]['mode'] == '0640'


def test_gossip_stages_write_the_same_key_with_each_stage():
    stages = [{'encrypt_verify_incoming': False, 'encrypt_verify_outgoing': False}, {'encrypt_verify_incoming': False}, {}]
    result = plan(gossip=stages)
    first = next(item for item in result['layout']['sensitive_files'] if item['path'] == SETTINGS['encrypt_file'])
    later = [files[SETTINGS['encrypt_file']] for files in result['stage_files']]
    assert [json.loads(text) for text in [first['content']] + later] == [
        dict(stage, encrypt=KEY) for stage in stages]


def test_acls_on_for_a_running_datacenter_first_allow_with_every_token_then_the_policy_asked_for():
    result = plan(tls=False, acl_stages=[1, 3])
    first = next(item for item in result['layout']['sensitive_files'] if item['path'] == SETTINGS['config_file'])
    configs = [json.loads(first['content'])] + [json.loads(files[SETTINGS['config_file']]) for files in result['stage_files']]
    assert [config['acl']['default_policy'] for config in configs] == ['allow', 'deny']
    assert configs[0]['acl']['tokens'] == configs[1]['acl']['tokens'] and configs[0]['acl']['tokens']['agent']
    # what a host in sync has is the end state
    assert result['paths'][SETTINGS['config_file']]['checksum'] == sha1(result['stage_files'][-1][SETTINGS['config_file']])


def test_tls_stages_then_nothing_else():
    result = plan(acl=False, tls_stages=[1, 2, 3], acl_stages=[1, 3], version='1.8.7')
    configs = [json.loads(files[SETTINGS['config_file']]) for files in result['stage_files']]
    assert [(config['verify_outgoing'], config['verify_incoming_rpc'], config['ports']['http']) for config in configs] == [
        (True, False, SETTINGS['http_port']), (True, True, -1)]


def test_a_low_port_lets_the_unit_bind_it():
    unit = next(item['content'] for item in plan()['layout']['files'] if item['path'] == SETTINGS['unit_file'])
    assert 'AmbientCapabilities=\n' in unit
    low = agent_files(dict(SETTINGS, install_method='none'), 'h', dict(roles=dict(h='server'), server_addrs=[]),
                      dict(hosts={}), dict(hosts={}), {}, extra=dict(ports=dict(dns=53)), gossip_key=KEY)
    unit = next(item['content'] for item in low['layout']['files'] if item['path'] == SETTINGS['unit_file'])
    assert 'AmbientCapabilities=CAP_NET_BIND_SERVICE\n' in unit


def test_a_host_that_trusts_another_ca_is_a_problem_and_a_missing_tls_file_an_error():
    ca = SETTINGS['tls_dir'] + '/consul-agent-ca.pem'
    assert plan(probe_paths={ca: dict(checksum=sha1(TLS_FILES[0]))})['problems'] == []
    problems = plan(probe_paths={ca: dict(checksum='other')})['problems']
    assert len(problems) == 1 and 'trusts another CA' in problems[0] and 'host h' in problems[0].lower()
    with pytest.raises(ValueError, match='host h: the CA, certificate or key'):
        agent_files(dict(SETTINGS, install_method='none'), 'h', dict(roles=dict(h='server'), tls=True, server_addrs=[]),
                    dict(hosts={}), dict(hosts={}), {}, tls_files=None, gossip_key=KEY)


def test_a_data_directory_that_is_a_link_is_refused_only_when_its_owner_must_change():
    data_dir = SETTINGS['data_dir']
    linked = {data_dir: dict(owner='consul', link=True)}
    assert plan(probe_paths=linked)['problems'] == []
    owners = dict(paths=linked, owners={data_dir + '/raft': 'root'})
    result = agent_files(dict(SETTINGS, install_method='none'), 'h', dict(roles=dict(h='server'), server_addrs=[]),
                         dict(hosts={}), dict(hosts={}), owners, gossip_key=KEY)
    assert len(result['problems']) == 1 and 'consul_cluster_data_dir /opt/consul is a symbolic link' in result['problems'][0]
