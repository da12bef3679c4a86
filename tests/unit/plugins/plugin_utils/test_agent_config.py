# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Golden tests of the agent configuration the role writes, per Consul version (no binary needed).

Each case's expected consul.json is tests/unit/fixtures/golden/<case>.json. After a deliberate change, rewrite them
with `python3 scripts/refresh_golden.py` (a separate command: this test only compares) and review the diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.quorum.consul.plugins.module_utils._config_scan import security_summary
from ansible_collections.quorum.consul.plugins.plugin_utils import _agent_config

GOLDEN = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'golden')
TLS = dict(ca_file='/etc/consul.d/tls/consul-agent-ca.pem', cert_file='/etc/consul.d/tls/agent.pem',
           key_file='/etc/consul.d/tls/agent-key.pem')
ACL = dict(default_policy='deny', down_policy='extend-cache', agent_token='agent-secret', recovery_token='recovery-secret')


def settings(server=True, version='1.8.7', **changes):
    base = dict(version=version, datacenter='dc1', domain='consul', node_name='server1' if server else 'client1',
                server=server, data_dir='/opt/consul', bind_addr='10.0.0.11' if server else '10.0.0.21',
                client_addr='127.0.0.1', http_port=8500, https_port=8501, log_level='INFO', raft_multiplier=1,
                retry_join=['10.0.0.11', '10.0.0.12', '10.0.0.13'], tls=None, acl=None, extra={})
    base.update(changes)
    return base


CASES = {
    'server_1.8.7_plain': settings(),
    'client_1.8.7_plain': settings(server=False),
    'server_1.8.7_tls_acl': settings(tls=TLS, acl=ACL),
    'client_1.8.7_tls_acl': settings(server=False, tls=TLS, acl=ACL),
    'server_1.12.0_tls_acl': settings(version='1.12.0', tls=TLS, acl=ACL),
    'client_1.17.1_tls': settings(server=False, version='1.17.1', tls=TLS),
    # the role's default version, secure as the role's defaults make a new datacenter
    'server_1.22.6_tls_acl': settings(version='1.22.6', tls=TLS, acl=dict(ACL, management_token='mgmt-secret')),
    'client_1.22.6_tls_acl': settings(server=False, version='1.22.6', tls=TLS, acl=dict(ACL, management_token='mgmt-secret')),
    'server_1.8.7_management_token': settings(acl=dict(ACL, management_token='mgmt-secret')),
    'server_1.11.0_management_token': settings(version='1.11.0', acl=dict(ACL, management_token='mgmt-secret')),
    'client_1.8.7_management_token_stays_on_servers': settings(server=False, acl=dict(ACL, management_token='mgmt-secret')),
    'server_1.8.7_stabilization_5s': settings(server_stabilization_time='5s'),
    'server_1.8.7_bootstrap_expect_5': settings(bootstrap_expect=5),
    # a client never bootstraps: bootstrap_expect is a server's key
    'client_1.8.7_bootstrap_expect_not_set': settings(server=False, bootstrap_expect=5),
    'server_1.8.7_extra_config_merged_last': settings(tls=TLS, extra=dict(ui=True, ports=dict(dns=-1), log_level='DEBUG')),
}


def golden_text(case):
    """What tests/unit/fixtures/golden/<case>.json holds for the configuration rendered now."""
    return json.dumps(_agent_config.agent_config(CASES[case]), indent=2, sort_keys=True) + '\n'


@pytest.mark.parametrize('case', sorted(CASES))
def test_rendered_configuration_matches_golden(case):
    with open(os.path.join(GOLDEN, case + '.json')) as handle:
        assert json.loads(golden_text(case)) == json.load(handle)


@pytest.mark.parametrize('version, expected', [
    ('1.8.7', (1, 8, 7)), ('1.12.0', (1, 12, 0)), ('v1.14.2+ent', (1, 14, 2)), ('1.13', (1, 13, 0)),
    ('1.11.0-beta1', (1, 11, 0)), ('', (0, 0, 0)),
])
def test_version_tuple(version, expected):
    assert _agent_config.version_tuple(version) == expected


def test_tls_stanza_from_1_12_and_top_level_keys_before():
    old = _agent_config.agent_config(settings(version='1.11.9', tls=TLS))
    new = _agent_config.agent_config(settings(version='1.12.0', tls=TLS))
    assert 'tls' not in old and old['verify_server_hostname'] is True and old['verify_incoming_rpc'] is True
    assert 'verify_server_hostname' not in new and new['tls']['internal_rpc']['verify_server_hostname'] is True
    assert old['ports'] == new['ports'] == dict(http=-1, https=8501)


def test_plain_http_kept_on_loopback_only_once_https_is_the_api():
    kept = _agent_config.agent_config(settings(tls=TLS, http_loopback=True))
    assert kept['ports'] == dict(http=8500, https=8501) and kept['addresses'] == dict(http='127.0.0.1')
    # a move's earlier stages serve HTTP on client_addr still; without TLS there is nothing to keep
    assert 'addresses' not in _agent_config.agent_config(settings(tls=TLS, http_loopback=True, tls_stage=2))
    assert 'addresses' not in _agent_config.agent_config(settings(http_loopback=True))


def test_acls_first_stage_allows_with_the_same_tokens():
    first = _agent_config.agent_config(settings(acl=ACL, acl_stage=1))
    end = _agent_config.agent_config(settings(acl=ACL))
    assert first['acl']['default_policy'] == 'allow' and end['acl']['default_policy'] == ACL['default_policy']
    assert first['acl']['tokens'] == end['acl']['tokens']


def test_agent_tokens_are_stable_distinct_uuids():
    seed = 'a' * 64
    first = _agent_config.agent_tokens(seed, ['n1', 'n2'])
    assert first == _agent_config.agent_tokens(seed, ['n1', 'n2'])
    ids = [t['accessor_id'] for t in first] + [t['secret_id'] for t in first]
    assert len(set(ids)) == 4 and all(len(i) == 36 and i[14] == '4' for i in ids)
    assert _agent_config.agent_tokens('b' * 64, ['n1'])[0]['secret_id'] != first[0]['secret_id']
    recovery = _agent_config.agent_tokens(seed, ['n1'], kind='recovery')
    assert list(recovery[0]) == ['node', 'secret_id'] and recovery[0]['secret_id'] not in ids
    with pytest.raises(ValueError):
        _agent_config.agent_tokens('short', ['n1'])


LAYOUT_PATHS = {
    '/etc/consul.d': dict(owner='root', group='consul', mode='0750'),
    '/etc/consul.d/consul.json': dict(owner='root', group='consul', mode='0640', checksum='c0ffee'),
    '/etc/consul.d/encrypt.json': dict(owner='root', group='consul', mode='0640', checksum=None),
}


def test_agent_layout_gives_each_path_its_attributes_and_each_file_its_content():
    layout = _agent_config.agent_layout(
        dict(directories=['/etc/consul.d'], files=['/etc/consul.d/consul.json'], sensitive_files=['/etc/consul.d/encrypt.json']),
        LAYOUT_PATHS, {'/etc/consul.d/consul.json': '{}\n', '/etc/consul.d/encrypt.json': 'k'},
        extra={'/etc/consul.d/consul.json': dict(validate='consul validate %s')})
    assert layout == dict(
        directories=[dict(path='/etc/consul.d', owner='root', group='consul', mode='0750')],
        files=[dict(path='/etc/consul.d/consul.json', owner='root', group='consul', mode='0640', content='{}\n',
                    validate='consul validate %s')],
        sensitive_files=[dict(path='/etc/consul.d/encrypt.json', owner='root', group='consul', mode='0640', content='k')])


@pytest.mark.parametrize('kinds, contents, message', [
    (dict(files=['/etc/consul.d/other.json']), {'/etc/consul.d/other.json': ''}, 'other.json has no owner'),
    (dict(sensitive_files=['/etc/consul.d/encrypt.json']), {}, 'encrypt.json has no content'),
])
def test_agent_layout_refuses_a_path_it_cannot_write_safely(kinds, contents, message):
    with pytest.raises(ValueError, match=message):
        _agent_config.agent_layout(kinds, LAYOUT_PATHS, contents)


PATH_SETTINGS = dict(config_dir='/etc/consul.d', data_dir='/opt/consul', user='consul',
                     unit_file='/etc/systemd/system/consul.service', config_file='/etc/consul.d/consul.json',
                     encrypt_file='/etc/consul.d/encrypt.json', binary_path=None, tls_dir=None)


def test_agent_paths_owns_what_the_agent_writes_and_keeps_the_rest_from_it():
    paths = _agent_config.agent_paths(PATH_SETTINGS)
    assert paths == {
        '/etc/consul.d': dict(owner='root', group='consul', mode='0750'),
        '/opt/consul': dict(owner='consul', group='consul', mode='0750'),
        '/etc/systemd/system/consul.service': dict(owner='root', group='root', mode='0644'),
        '/etc/consul.d/consul.json': dict(owner='root', group='consul', mode='0640'),
        '/etc/consul.d/encrypt.json': dict(owner='root', group='consul', mode='0640'),
    }


def test_agent_paths_adds_the_copied_binary_and_the_tls_files():
    paths = _agent_config.agent_paths(dict(PATH_SETTINGS, binary_path='/usr/local/bin/consul', tls_dir='/etc/consul.d/tls'))
    assert paths['/usr/local/bin/consul'] == dict(owner='root', group='root', mode='0755')
    assert paths['/etc/consul.d/tls'] == dict(owner='root', group='consul', mode='0750')
    assert paths['/etc/consul.d/tls/agent.pem']['mode'] == '0644'
    # the key is the agent's group's to read, no one else's
    assert paths['/etc/consul.d/tls/agent-key.pem'] == dict(owner='root', group='consul', mode='0640')


def test_agent_paths_checksums_are_the_sha1_of_the_contents_or_the_ones_given():
    paths = _agent_config.agent_paths(dict(PATH_SETTINGS, binary_path='/usr/local/bin/consul'),
                                      contents={'/etc/consul.d/consul.json': '{}\n', '/etc/consul.d/encrypt.json': None},
                                      checksums={'/usr/local/bin/consul': 'c0ffee'})
    # sha1 of "{}\n", as `printf '{}\n' | sha1sum` gives it (the probe's checksum of the written file)
    assert paths['/etc/consul.d/consul.json']['checksum'] == '5f36b2ea290645ee34d943220a14b54ee5ea5be5'
    assert paths['/etc/consul.d/encrypt.json']['checksum'] is None
    assert paths['/usr/local/bin/consul']['checksum'] == 'c0ffee'
    assert 'checksum' not in paths['/etc/consul.d']


def test_agent_paths_refuses_a_content_for_a_path_it_does_not_write():
    with pytest.raises(ValueError, match='/etc/consul.d/other.json is not a path the role writes'):
        _agent_config.agent_paths(PATH_SETTINGS, contents={'/etc/consul.d/other.json': ''})


@pytest.mark.parametrize('case, expected', [
    ('server_1.8.7_plain', dict(tls=False, acl=False)),
    ('server_1.8.7_tls_acl', dict(tls=True, acl=True)),
    ('client_1.8.7_tls_acl', dict(tls=True, acl=True)),
    ('server_1.12.0_tls_acl', dict(tls=True, acl=True)),
    ('client_1.17.1_tls', dict(tls=True, acl=False)),
    ('server_1.8.7_management_token', dict(tls=False, acl=True)),
])
def test_security_summary_reads_what_the_role_wrote(case, expected):
    """What the probe reports of a host's consul.json (booleans only): the golden files are what the role writes."""
    with open(os.path.join(GOLDEN, case + '.json')) as handle:
        assert security_summary(handle.read()) == expected


def test_security_summary_of_what_cannot_be_read_turns_nothing_on():
    assert security_summary('{"acl": ') == security_summary('[]') == dict(tls=False, acl=False)


@pytest.mark.parametrize('extra', [dict(retry_join=[]), dict(retry_join=['10.0.0.12', '10.0.0.13'])])
def test_a_server_always_joins_its_own_address(extra):
    """Type=notify: Consul is ready after its first join; a server whose list lacks itself may have nobody to join."""
    config = _agent_config.agent_config(settings(extra=extra))
    assert config['retry_join'] == extra['retry_join'] + ['10.0.0.11']
    client = _agent_config.agent_config(settings(server=False, extra=dict(retry_join=['10.0.0.12'])))
    assert client['retry_join'] == ['10.0.0.12']
