# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""host_sync: which hosts already are what a run of the role would leave, so that a re-run skips them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.quorum.consul.plugins.plugin_utils._cluster import host_sync

HOSTS = ['s1', 's2', 's3', 'c1']
SERVERS = ['s1', 's2', 's3']
CONFIG = '/etc/consul.d/consul.json'
KEY = '/etc/consul.d/encrypt.json'
BINARY = '/usr/local/bin/consul'
DESIRED = {
    '/etc/consul.d': dict(owner='root', group='consul', mode='0750'),
    CONFIG: dict(checksum='c0ffee', owner='root', group='consul', mode='0640'),
    KEY: dict(checksum=None, owner='root', group='consul', mode='0640'),
    BINARY: dict(checksum='b1', owner='root', group='root', mode='0755'),
}
STATE = dict(bootstrapped=True, hosts=dict((h, dict(stray=False, remove_flag=False, write_flag=False, flagged=False))
                                           for h in HOSTS))
ADOPTION = dict(hosts=dict((h, dict(move_aside=[], unit_backup=False, behind=False)) for h in HOSTS), gossip=[{}])
NODES = dict((h, h) for h in HOSTS)


def probe(host):
    return dict(
        paths={'/etc/consul.d': dict(checksum=None, owner='root', group='consul', mode='0750'),
               CONFIG: dict(checksum='c0ffee', owner='root', group='consul', mode='0640'),
               KEY: dict(checksum='k1', owner='root', group='consul', mode='0640'),
               BINARY: dict(checksum='b1', owner='root', group='root', mode='0755')},
        unit=dict(active='active', enabled='enabled', user='consul'),
        owners={'/opt/consul/raft': 'consul'},
        agent=dict(node=host, members=[dict(name=h, status='alive') for h in HOSTS], leader='10.0.0.1:8300',
                   servers=[dict(node=h, voter=True) for h in SERVERS]),
    )


def decide(change=None, state=None, adoption=None):
    probes = dict((h, probe(h)) for h in HOSTS)
    if change:
        change(probes)
    return host_sync(probes, dict((h, copy.deepcopy(DESIRED)) for h in HOSTS), state or STATE, adoption or ADOPTION,
                     'consul', NODES, SERVERS, ADDRS)


ADDRS = dict(s1='10.0.0.1', s2='10.0.0.2', s3='10.0.0.3', c1='10.0.0.21')


def test_healthy_datacenter_is_in_sync_everywhere():
    result = decide()
    assert result == dict(hosts=dict((h, []) for h in HOSTS), all=True, rejoin_addrs=['10.0.0.1', '10.0.0.2', '10.0.0.3'])


def test_a_single_server_rejoins_the_clients_in_sync_too():
    probes = dict((h, probe(h)) for h in ['s1', 'c1', 'c2'])
    probes['c2']['unit']['active'] = 'inactive'
    result = host_sync(probes, dict((h, copy.deepcopy(DESIRED)) for h in probes), STATE, ADOPTION, 'consul',
                       dict((h, h) for h in probes), ['s1'], dict(ADDRS, c2='10.0.0.22'))
    # c2 starts (and joins) after the restarts: only the client already running is rejoined
    assert result['rejoin_addrs'] == ['10.0.0.1', '10.0.0.21']


def set_path(host, path, **facts):
    def change(probes):
        if facts.get('missing'):
            probes[host]['paths'][path] = None
        else:
            probes[host]['paths'][path].update(facts)
    return change


@pytest.mark.parametrize('change, host, reason', [
    (set_path('s2', CONFIG, checksum='other'), 's2', CONFIG + ': checksum'),
    (set_path('c1', BINARY, mode='0775'), 'c1', BINARY + ': mode'),
    (set_path('s1', '/etc/consul.d', group='root'), 's1', '/etc/consul.d: group'),
    (set_path('s3', CONFIG, missing=True), 's3', CONFIG + ' is missing'),
    (set_path('s3', KEY, checksum='k2'), 's3', KEY + ' differs between hosts'),
    (lambda p: p['s1']['unit'].update(active='failed'), 's1', 'unit failed/enabled as consul'),
    (lambda p: p['c1']['unit'].update(enabled='disabled'), 'c1', 'unit active/disabled as consul'),
    (lambda p: p['s2']['unit'].update(user=''), 's2', 'unit active/enabled as '),
    (lambda p: p['s2']['owners'].update({'/opt/consul/raft/raft.db': 'root'}), 's2', '/opt/consul/raft/raft.db owned by root'),
    (lambda p: p['c1'].update(agent=dict(msg='connection refused', status=None)), 'c1', 'agent not running as c1'),
    (lambda p: p['c1']['agent']['members'][1].update(status='failed'), 'c1', 'servers not alive in its view: s2'),
    (lambda p: p['s2']['agent'].update(leader=''), 's2', 'no leader in its view'),
    (lambda p: p['s3']['agent']['servers'][2].update(voter=False), 's3', 'not a voter'),
], ids=['config changed', 'binary mode', 'directory group', 'config missing', 'key differs', 'unit failed',
        'unit disabled', 'unit not the role\'s', 'data owned by root', 'agent stopped', 'server failed in its view',
        'an election', 'not promoted'])
def test_each_difference_is_named_on_its_host_only(change, host, reason):
    result = decide(change)
    assert reason in result['hosts'][host]
    # the key is compared across hosts: a differing key makes every host that has it differ
    others = [h for h in HOSTS if h != host and result['hosts'][h]]
    assert others == ([h for h in HOSTS if h != host] if 'differs between hosts' in reason else [])
    assert result['all'] is False


def test_a_key_set_as_a_variable_is_compared_by_checksum():
    def change(probes):
        probes['s1']['paths'][KEY]['checksum'] = 'wanted'
    probes = dict((h, probe(h)) for h in HOSTS)
    change(probes)
    desired = dict((h, copy.deepcopy(DESIRED)) for h in HOSTS)
    for h in HOSTS:
        desired[h][KEY]['checksum'] = 'wanted'
    result = host_sync(probes, desired, STATE, ADOPTION, 'consul', NODES, SERVERS)
    assert result['hosts']['s1'] == [] and result['hosts']['s2'] == [KEY + ': checksum']


def test_a_new_server_makes_every_host_differ():
    # it is in the inventory but no agent sees it yet: every host must be configured and joined
    nodes = dict(NODES, s4='s4')
    probes = dict((h, probe(h)) for h in HOSTS)
    probes['s4'] = dict(paths={}, unit=dict(active='inactive', enabled='', user=''), owners={}, agent=dict(msg='refused'))
    desired = dict((h, copy.deepcopy(DESIRED)) for h in HOSTS + ['s4'])
    state = dict(STATE, hosts=dict(STATE['hosts'], s4=dict(stray=False)))
    result = host_sync(probes, desired, state, ADOPTION, 'consul', nodes, SERVERS + ['s4'])
    assert all('servers not alive in its view: s4' in result['hosts'][h] for h in HOSTS)
    assert CONFIG + ' is missing' in result['hosts']['s4'] and result['all'] is False


@pytest.mark.parametrize('state, adoption, reason', [
    (dict(STATE, bootstrapped=False), ADOPTION, 'the datacenter is not bootstrapped'),
    (dict(STATE, hosts=dict(STATE['hosts'], s1=dict(flagged=True))), ADOPTION, 'flagged'),
    (dict(STATE, hosts=dict(STATE['hosts'], s1=dict(stray=True, remove_flag=True))), ADOPTION, 'stray'),
    (STATE, dict(ADOPTION, hosts=dict(ADOPTION['hosts'], s1=dict(move_aside=[dict(path='/etc/consul.d/x.hcl')]))),
     'taken over'),
    (STATE, dict(ADOPTION, gossip=[{}, {}]), 'taken over'),
], ids=['new datacenter', 'node a still flagged', 'stray', 'files to move aside', 'gossip stages left'])
def test_decisions_of_the_run_keep_a_host_out_of_sync(state, adoption, reason):
    result = decide(state=state, adoption=adoption)
    assert reason in result['hosts']['s1'] and result['all'] is False


def test_a_host_without_the_key_file_does_not_make_the_others_differ():
    # a new client: its encrypt.json is missing, which is its own reason; the others keep their shared key
    result = decide(set_path('c1', KEY, missing=True))
    assert KEY + ' is missing' in result['hosts']['c1']
    assert [h for h in HOSTS if result['hosts'][h]] == ['c1']
