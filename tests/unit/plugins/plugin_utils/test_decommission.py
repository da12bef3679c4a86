# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""decommission_plan: who leaves how, and the refusals, case by case."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quorum.consul.plugins.plugin_utils._decommission import decommission_plan, inventory_nodes


def view(dead=(), left=(), servers=5, clients=('c1',), leader='10.0.0.1:8300'):
    """A datacenter of servers s1..sN and clients as a server's consul_peers_info sees it."""
    names = ['s%d' % n for n in range(1, servers + 1)]
    status = dict((name, 'failed' if name in dead else 'left' if name in left else 'alive') for name in names + list(clients))
    return dict(
        leader=leader if leader else '',
        members=[dict(name=name, address='10.0.0.%d' % i, status=status[name], role='server' if name in names else 'client')
                 for i, name in enumerate(names + list(clients), 1)],
        servers=[dict(node=name, id='id-' + name, address='10.0.0.%d:8300' % i, voter=True)
                 for i, name in enumerate(names, 1) if name not in left])


NODES = dict(('s%d' % n, 's%d' % n) for n in range(1, 5))  # s5 is out of the inventory's groups
KNOWN = dict(s5='host5', c9='host9')

CASES = {
    'dead_server_is_removed': (['s5'], view(dead=['s5']), dict(remove=[dict(node='s5', server=True)], leave=[], gone=[])),
    'server_that_left_already_is_gone': (['s5'], view(left=['s5']), dict(remove=[], leave=[], gone=['s5'])),
    'unknown_name_is_gone': (['s9'], view(), dict(remove=[], leave=[], gone=['s9'])),
    'running_server_leaves_on_its_host': (['s5'], view(), dict(leave=[dict(node='s5', host='host5', server=True)],
                                                               remove=[], gone=[])),
    'running_client_leaves_after_the_servers': (
        ['c1', 's5'], dict(view(), members=view()['members']),
        dict(leave=[dict(node='s5', host='host5', server=True), dict(node='c1', host='c1', server=False)])),
    'dead_client_is_force_left': (['c1'], view(dead=['c1']), dict(remove=[dict(node='c1', server=False)])),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_decommission_plan(case):
    names, seen, expected = CASES[case]
    plan = decommission_plan(names, seen, NODES, dict(KNOWN, c1='c1'))
    assert plan['problems'] == []
    for key, value in expected.items():
        assert plan[key] == value, key


REFUSALS = {
    'a_host_still_in_a_group': (['s4'], view(), 'lists s4, the node of host s4, which is still in the servers'),
    'running_agent_without_a_host': (['c1'], view(), 'node c1 is alive, and an agent that runs leaves gracefully'),
    'no_leader': (['s5'], view(dead=['s3', 's4', 's5'], leader=''), 'run playbooks/recover_outage.yml'),
    'no_agent_answered': (['s5'], {}, 'needs a datacenter with a leader'),
    'leave_below_quorum': (['s5'], view(dead=['s3', 's4'], servers=5),
                           'the leave of server s5 would leave 2 of 4 voters running (s1, s2), below a quorum of 3'),
    'not_a_list': ('s5', view(), 'must be a list of node names'),
}


@pytest.mark.parametrize('case', sorted(REFUSALS))
def test_decommission_refusals(case):
    names, seen, message = REFUSALS[case]
    plan = decommission_plan(names, seen, NODES, KNOWN)
    assert len(plan['problems']) == 1 and message in plan['problems'][0], plan['problems']


def test_dead_servers_go_first_so_a_running_one_may_leave_after_them():
    # 3 voters, s3 dead: s2's leave alone would leave 1 of 2 (no quorum); after s3's removal it leaves 1 of 1
    nodes = dict(s1='s1')
    plan = decommission_plan(['s2', 's3'], view(dead=['s3'], servers=3), nodes, dict(s2='host2'))
    assert plan['problems'] == [] and [item['node'] for item in plan['remove']] == ['s3']
    assert plan['leave'] == [dict(node='s2', host='host2', server=True)]


def test_the_last_voter_never_leaves():
    plan = decommission_plan(['s1'], view(servers=1, clients=()), {}, dict(s1='host1'))
    assert 'the leave of server s1 would leave 0 of 0 voters' in plan['problems'][0]


def test_inventory_nodes_by_node_name_or_host_name():
    assert inventory_nodes(dict(h1={}, h2=dict(consul_cluster_node_name='n2'))) == dict(h1='h1', n2='h2')
