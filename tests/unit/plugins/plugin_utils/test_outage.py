# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Outage recovery's decision, one named case per situation.

The datacenter had five servers s1..s5 and a client c1; s3, s4 and s5 are gone for good, s1 and s2 survive. A
running survivor without a leader answers its raft configuration (/v1/status/peers) and its gossip members;
a case only changes what its situation changes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

from ansible_collections.quorum.consul.plugins.filter.outage_peers import outage_peers
from ansible_collections.quorum.consul.plugins.plugin_utils import _outage

ID1 = '4797307c-ebf4-6f44-b997-7d2359e5f218'
ID2 = 'adf4238a-882b-9ddc-4a9d-5b6758e4159e'
ADDRS = dict(s1='10.0.0.1', s2='10.0.0.2', s3='10.0.0.3', s4='10.0.0.4', s5='10.0.0.5', c1='10.0.0.21')
NODES = dict((host, host) for host in ADDRS)
PEERS5 = ['10.0.0.%d:8300' % n for n in (1, 2, 3, 4, 5)]
MEMBERS = ([dict(name='s%d' % n, address='10.0.0.%d' % n, status='alive' if n < 3 else 'failed', role='server')
            for n in (1, 2, 3, 4, 5)] + [dict(name='c1', address='10.0.0.21', status='alive', role='client')])
FILES = {'/opt/consul/raft': 'consul', '/opt/consul/raft/raft.db': 'consul', '/opt/consul/node-id': 'consul',
         '/opt/consul/serf': 'consul'}
SNAPSHOT = 'alive: s1 10.0.0.1:8301\nalive: s3 10.0.0.3:8301\nnot-alive: s4\nalive: c1 10.0.0.21:8301\nclock: 7\n'


def server(node, leader='', running=True):
    agent = dict(node=node, leader=leader, server=True, peers=list(PEERS5), members=copy.deepcopy(MEMBERS)) if running else {}
    return dict(owners=dict(FILES), unit=dict(active='active' if running else 'inactive'), agent=agent)


def client(leader=''):
    return dict(owners={}, unit=dict(active='active'), agent=dict(node='c1', leader=leader, server=False, peers=[]))


def outage(**change):
    """The decision for the situation above, with what the case changes."""
    args = dict(probes=dict(s1=server('s1'), s2=server('s2'), c1=client()), survivors=['s1', 's2'],
                play_hosts=['s1', 's2', 'c1'], node_ids=dict(s1=ID1 + '\n', s2=ID2), addrs=ADDRS, nodes=NODES,
                clients=['c1'])
    args.update(change)
    return outage_peers(**args)


def test_two_survivors_get_the_same_peers_json_in_raft_protocol_3_format():
    plan = outage()
    assert plan['problems'] == []
    assert plan['peers'] == [dict(id=ID1, address='10.0.0.1:8300', non_voter=False),
                             dict(id=ID2, address='10.0.0.2:8300', non_voter=False)]
    assert json.loads(plan['content']) == plan['peers']
    assert plan['content'].endswith('\n') and '"non_voter": false' in plan['content']
    assert plan['running'] == ['s1', 's2']
    assert plan['dropped'] == ['s3', 's4', 's5']
    assert plan['dropped_addrs'] == PEERS5[2:]
    assert 'the raft configuration of s1' in plan['known_from']
    # an even number of survivors works, but tolerates no failure
    assert len(plan['warnings']) == 1 and '2 survivors' in plan['warnings'][0]


def test_the_file_is_the_same_whatever_the_probes_order_and_it_is_plain_json():
    assert outage()['content'] == outage(probes=dict(c1=client(), s2=server('s2'), s1=server('s1')))['content']
    # the node ID as the file on disk has it, without its whitespace, in lower case
    assert outage(node_ids=dict(s1=' %s\n' % ID1.upper(), s2=ID2))['peers'][0]['id'] == ID1


@pytest.mark.parametrize('port, address', [(8300, '10.0.0.1:8300'), (8305, '10.0.0.1:8305')])
def test_the_raft_port_is_the_one_the_servers_use(port, address):
    assert outage(raft_port=port)['peers'][0]['address'] == address


def test_ipv6_addresses_are_bracketed():
    plan = outage(addrs=dict(ADDRS, s1='fd00::1'))
    assert plan['peers'][0]['address'] == '[fd00::1]:8300'


# The refusals: (case, change, what the message must say). Each names the host and what was expected.
REFUSALS = [
    ('leader seen by a server', dict(probes=dict(s1=server('s1', leader='10.0.0.3:8300'), s2=server('s2'), c1=client())),
     ['host s1 (node s1) sees the leader 10.0.0.3:8300', 'Nothing was changed', 'bootstrap.yml']),
    ('leader seen by a client only', dict(probes=dict(s1=server('s1'), s2=server('s2'), c1=client('10.0.0.9:8300'))),
     ['host c1 (node c1) sees the leader 10.0.0.9:8300']),
    ('empty servers group', dict(survivors=[]), ["group 'consul_servers' (consul_cluster_servers_group) has no hosts"]),
    ('survivor outside the play', dict(play_hosts=['s1', 'c1']), ['survivors s2 of', 'not in the play']),
    ('no raft state', dict(probes=dict(s1=server('s1'), s2=dict(server('s2'), owners={'/opt/consul/node-id': 'consul'}),
                                       c1=client())),
     ['host s2 of', '/opt/consul/raft/raft.db is missing', 'consul_cluster_data_dir']),
    ('no node-id file', dict(node_ids=dict(s1=ID1, s2=None)), ['host s2 of', '/opt/consul/node-id is missing']),
    ('not a node ID', dict(node_ids=dict(s1=ID1, s2='garbage')), ["host s2: /opt/consul/node-id holds 'garbage'",
                                                                  'expected a node ID']),
    ('copied node-id', dict(node_ids=dict(s1=ID1, s2=ID1)), ['hosts s1, s2 share the node ID %s' % ID1]),
    ('shared address', dict(addrs=dict(ADDRS, s2='10.0.0.1')), ['hosts s1, s2 share the raft address 10.0.0.1:8300']),
    ('no address', dict(addrs=dict(ADDRS, s2='')), ['host s2: no raft address', 'consul_cluster_bind_addr']),
    ('a client agent in the servers group',
     dict(probes=dict(s1=server('s1'), s2=dict(server('s2'), agent=dict(node='s2', leader='', server=False)), c1=client())),
     ['host s2 of', 'runs a client agent (node s2), expected a server']),
]


@pytest.mark.parametrize('change, expected', [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS])
def test_refused_before_any_change(change, expected):
    plan = outage(**change)
    message = ' '.join(plan['problems'])
    assert plan['problems'], 'not refused'
    for words in expected:
        assert words in message


def test_every_agent_that_sees_a_leader_is_named():
    plan = outage(probes=dict(s1=server('s1', leader='10.0.0.3:8300'), s2=server('s2', leader='10.0.0.3:8300'),
                              c1=client('10.0.0.3:8300')))
    assert len(plan['problems']) == 1
    assert all('host %s' % host in plan['problems'][0] for host in ('s1', 's2', 'c1'))


def test_stopped_survivors_are_recovered_too_and_name_the_dropped_from_serfs_snapshot():
    plan = outage(probes=dict(s1=server('s1', running=False), s2=server('s2', running=False), c1=client()),
                  snapshots=dict(s1=SNAPSHOT))
    assert plan['problems'] == [] and plan['running'] == []
    # the snapshot does not tell servers from clients: the inventory's clients are left out
    assert plan['dropped'] == ['s3', 's4'] and plan['dropped_addrs'] == []
    assert plan['known_from'] == "serf's snapshot of s1"


def test_nothing_known_about_the_dropped_servers_is_said():
    plan = outage(probes=dict(s1=server('s1', running=False), s2=server('s2', running=False), c1=client()))
    assert plan['dropped'] == [] and plan['known_from'] == ''
    assert 'drop: none known (from nothing)' in plan['lines']


def test_a_server_that_left_gracefully_is_not_dropped_and_an_unnamed_peer_keeps_its_address():
    probe = server('s1')
    probe['agent']['members'] = [m for m in probe['agent']['members'] if m['name'] != 's5']
    probe['agent']['members'].append(dict(name='s6', address='10.0.0.6', status='left', role='server'))
    plan = outage(probes=dict(s1=probe, s2=dict(server('s2'), agent={}), c1=client()))
    assert plan['dropped'] == ['s3', 's4', '10.0.0.5:8300']


def test_one_survivor_alone():
    plan = outage(survivors=['s1'], play_hosts=['s1', 'c1'], node_ids=dict(s1=ID1))
    assert plan['problems'] == [] and plan['warnings'] == []
    assert [p['address'] for p in plan['peers']] == ['10.0.0.1:8300']
    assert plan['dropped'] == ['s2', 's3', 's4', 's5']


@pytest.mark.parametrize('text, members', [
    ('', {}),
    (SNAPSHOT, {'s1': '10.0.0.1:8301', 's3': '10.0.0.3:8301', 's4': '', 'c1': '10.0.0.21:8301'}),
    ('# a comment\nleave\ncoordinate: {}\n', {}),
])
def test_serf_snapshot_members(text, members):
    assert _outage.snapshot_members(text) == members
