# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consul_cluster role's decisions, one named case per situation.

The agents' answers are what consul_peers_info's main() returns for recorded Consul 1.8.7 replies
(n1 the bootstrap server and leader at 127.0.0.1:8300, n2 a follower, c4 a client), so the shapes are
real; a case only changes what its situation changes (another leader, an empty log, a lone server).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re

import pytest

from ansible_collections.quorum.consul.plugins.modules import consul_peers_info
from ansible_collections.quorum.consul.plugins.plugin_utils import _cluster

LEADER_VIEW = ('agent_self_bootstrap_leader', 'status_leader', 'status_peers', 'raft_configuration',
               'autopilot_health_200', 'members')
L1 = '127.0.0.1:8300'
SERVERS3 = ['n1', 'n2', 'n3']
RAFT = ['raft.db']
KEY = ['encrypt.json']
FLAG = ['bootstrap.json']


@pytest.fixture(scope='module')
def recorded():
    """consul_peers_info's results for the recorded agents: leader (n1), follower (n2), client (c4), down."""
    views = {}
    mp = pytest.MonkeyPatch()
    from ansible_collections.quorum.consul.plugins.module_utils import _api
    from ansible.module_utils import basic

    import conftest  # tests/unit/conftest.py: the fake agent of the module tests

    def main(*names, route=None):
        fake = conftest.FakeConsul().serve(*names)
        if route:
            fake.route(*route)
        mp.setattr(_api, 'open_url', fake)
        with conftest.patch_module_args({}):
            try:
                consul_peers_info.main()
            except (conftest.AnsibleExitJson, conftest.AnsibleFailJson) as exc:
                return exc.args[0]

    mp.setattr(basic.AnsibleModule, 'exit_json', conftest._exit_json)
    mp.setattr(basic.AnsibleModule, 'fail_json', conftest._fail_json)
    try:
        views['leader'] = main(*LEADER_VIEW)
        views['follower'] = main(*(LEADER_VIEW + ('agent_self_follower',)))
        views['client'] = main(*(LEADER_VIEW + ('agent_self_client',)))
        views['down'] = main(route=('GET /v1/agent/self', conftest.FakeConsul.refused()))
    finally:
        mp.undo()
    assert views['leader']['raft']['state'] == 'Leader' and views['leader']['leader'] == L1
    assert views['follower']['raft']['state'] == 'Follower' and views['client']['raft'] == {}
    assert views['down']['failed'] is True
    return views


def agent(recorded, kind, node=None, **changes):
    """A recorded view as another node (n3 is n2's view renamed) with the situation's changes."""
    view = copy.deepcopy(recorded[kind])
    if node and kind != 'down':
        view['node'] = node
        if node not in [member['name'] for member in view['members']]:
            # an agent is always in its own member list; the recorded nodes nN have the address 127.0.0.N
            view['members'].append(dict(name=node, address='127.0.0.' + node.lstrip('nc'), status='alive',
                                        role='server' if view['server'] else 'client'))
    for key, value in changes.items():
        if key in ('last_log_index', 'term'):
            view['raft'][key] = value
        elif key == 'voters_of':
            # the raft configuration the server last knows: these voters (nN at 127.0.0.N:8300)
            view['raft']['latest_configuration'] = '[%s]' % ' '.join(
                '{Suffrage:Voter ID:id-%s Address:127.0.0.%s:8300}' % (n, n) for n in value)
            view['raft']['num_peers'] = len(value) - 1 if int(view['node'].lstrip('nc')) in value else 0
        elif key == 'peers_of':
            view['peers'] = ['127.0.0.%s:8300' % n for n in value]
        elif key == 'alone':
            view['servers'] = [s for s in view['servers'] if s['node'] == view['node']] or view['servers'][:1]
            view['voters'] = sum(1 for s in view['servers'] if s['voter'])
        else:
            view[key] = value
    return view


def probes(recorded, spec):
    """spec: {host: (files, kind, changes)} -> cluster_state's input."""
    return dict((host, dict(files=files, agent=agent(recorded, kind, host, **changes)))
                for host, (files, kind, changes) in spec.items())


def running(leader=L1, bootstrap=False):
    """A healthy datacenter led from 127.0.0.1:8300 (n1): servers n1-n3 with raft state, client c4."""
    files = RAFT
    return {
        'n1': (files + FLAG * bootstrap, 'leader', dict(leader=leader, bootstrap=bootstrap)),
        'n2': (files, 'follower', dict(leader=leader)),
        'n3': (files, 'follower', dict(leader=leader)),
        'c4': ([], 'client', dict(leader=leader)),
    }


DOWN = ([], 'down', {})
STOPPED = (RAFT + KEY, 'down', {})

# (spec, servers, batch, play_hosts, recover_stray) -> expected subset of the decision
STATE_CASES = {
    'new_datacenter': (
        dict(n1=DOWN, n2=DOWN, n3=DOWN, c4=DOWN), SERVERS3, None, None, False,
        dict(bootstrapped=False, leader='', join_host='n1', key_holder='', strays=[], problems=[],
             write_flag=['n1'], flagged=['n1'], remove_flag=[])),
    'new_datacenter_with_a_flag_left_on_another_server': (
        dict(n1=DOWN, n2=(FLAG, 'down', {}), n3=DOWN, c4=(FLAG, 'down', {})), SERVERS3, None, None, False,
        dict(bootstrapped=False, write_flag=['n1'], flagged=['n1'], remove_flag=['n2'])),
    'stopped_datacenter_raft_db_agents_down': (
        dict(n1=STOPPED, n2=STOPPED, n3=STOPPED, c4=DOWN), SERVERS3, None, None, False,
        dict(bootstrapped=True, leader='', raft_hosts=SERVERS3, join_host='n1', key_holder='n1', problems=[],
             write_flag=[], flagged=[], remove_flag=[])),
    'running_server_with_an_empty_log_is_no_datacenter': (
        dict(n1=(RAFT, 'follower', dict(leader='', last_log_index=0)), n2=DOWN, n3=DOWN), SERVERS3, None, None, False,
        dict(bootstrapped=False, raft_hosts=[], join_host='n1', write_flag=['n1'], flagged=['n1'])),
    'running_server_with_a_log_is_a_datacenter': (
        dict(n1=(RAFT, 'follower', dict(leader='', last_log_index=7)), n2=DOWN, n3=DOWN), SERVERS3, None, None, False,
        dict(bootstrapped=True, raft_hosts=['n1'], join_host='n1', write_flag=[], flagged=[])),
    'node_a_wiped_while_b_and_c_run': (
        dict(n1=DOWN, n2=(RAFT + KEY, 'follower', dict(leader='127.0.0.2:8300')),
             n3=(RAFT + KEY, 'follower', dict(leader='127.0.0.2:8300'))), SERVERS3, None, None, False,
        dict(bootstrapped=True, leader='127.0.0.2:8300', members=['n2', 'n3'], join_host='n2', key_holder='n2',
             write_flag=[], flagged=[], remove_flag=[], strays=[], problems=[])),
    'node_a_wiped_with_its_flag_file_left': (
        dict(n1=(FLAG, 'down', {}), n2=(RAFT, 'follower', dict(leader='127.0.0.2:8300')),
             n3=(RAFT, 'follower', dict(leader='127.0.0.2:8300'))), SERVERS3, None, None, False,
        dict(bootstrapped=True, write_flag=[], flagged=[], remove_flag=['n1'])),
    'node_a_still_flagged_after_an_interrupted_run': (
        running(bootstrap=True), SERVERS3, None, None, False,
        dict(bootstrapped=True, leader=L1, members=SERVERS3, join_host='n1', write_flag=[], flagged=['n1'],
             remove_flag=[], problems=[])),
    'healthy_datacenter': (
        running(), SERVERS3, None, None, False,
        dict(bootstrapped=True, leader=L1, members=SERVERS3, raft_hosts=SERVERS3, strays=[], write_flag=[],
             flagged=[], remove_flag=[], problems=[], running=['c4', 'n1', 'n2', 'n3'])),
    'clients_only_play_on_a_datacenter': (
        dict(c4=([], 'client', {})), SERVERS3, ['c4'], ['c4'], False,
        dict(bootstrapped=True, leader=L1, join_host='', key_holder='n1', problems=[], write_flag=[], flagged=[])),
    'clients_only_play_before_any_server': (
        dict(c4=DOWN), SERVERS3, ['c4'], ['c4'], False,
        dict(bootstrapped=False, join_host='n1', key_holder='n1', problems=[], write_flag=[], flagged=[])),
    'key_holder_inside_the_play': (
        dict(n1=DOWN, n2=([] + KEY, 'down', {}), n3=DOWN), SERVERS3, None, None, False,
        dict(key_holder='n2')),
    'key_holder_outside_the_play': (
        dict(c4=([], 'client', {})), SERVERS3 + ['n5'], ['c4'], ['c4'], False,
        dict(key_holder='n1')),
    'key_holder_nowhere': (
        dict(n1=DOWN, n2=DOWN, n3=DOWN), SERVERS3, None, None, False,
        dict(key_holder='')),
    'stray_that_leads_itself': (
        dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', alone=True))), SERVERS3 + ['n4'],
        None, None, False,
        dict(leader=L1, strays=['n4'], members=SERVERS3, problem='n4 lead or follow a cluster of their own')),
    'stray_that_leads_itself_recovered': (
        dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', alone=True))), SERVERS3 + ['n4'],
        None, None, True,
        dict(leader=L1, strays=['n4'], problems=[], remove_flag=['n4'], flagged=[], join_host='n1')),
    'stray_alone_in_its_raft_configuration': (
        dict(running(), n1=(RAFT + FLAG, 'leader', dict(alone=True, bootstrap=True))), SERVERS3, None, None, False,
        dict(leader=L1, strays=['n1'], members=['n2', 'n3'], problem='n1 lead or follow a cluster of their own')),
    'two_strays': (
        dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', alone=True)),
             n5=(RAFT, 'leader', dict(leader='127.0.0.5:8300', alone=True))), SERVERS3 + ['n4', 'n5'],
        None, None, False,
        dict(leader=L1, strays=['n4', 'n5'], problem='n4, n5 lead or follow')),
    'stray_cluster_of_two_servers_following_another_leader': (
        dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300')),
             n5=(RAFT, 'follower', dict(leader='127.0.0.4:8300'))), SERVERS3 + ['n4', 'n5'], None, None, False,
        dict(leader=L1, strays=['n4', 'n5'], members=SERVERS3, problem='n4, n5 lead or follow')),
    'leader_alone_while_the_other_servers_with_raft_state_are_stopped_is_unsure_not_a_stray': (
        dict(n1=(RAFT, 'leader', dict(alone=True, bootstrap=False)), n2=STOPPED, n3=STOPPED, c4=([], 'client', {})),
        SERVERS3, None, None, True,
        dict(strays=[], members=[], remove_flag=[], problem='cannot tell which of them holds the datacenter')),
    # one voter of three runs: it elects nobody, so nothing may wait for a leader
    'api_host_that_runs_without_a_leader_is_not_ready': (
        dict(n1=(RAFT, 'follower', dict(leader='', last_log_index=7)), n2=STOPPED, n3=STOPPED), SERVERS3, None, None,
        False, dict(bootstrapped=True, api_host='n1', api_host_ready=False, leader_pending=False)),
    # two voters of three run, neither leads yet (n3 crashed seconds ago): they elect one, so a snapshot can wait for it
    'two_of_three_voters_running_without_a_leader_elect_one': (
        dict(n1=(RAFT, 'follower', dict(leader='', term=7)), n2=(RAFT, 'follower', dict(leader='', term=7)),
             n3=STOPPED, c4=([], 'client', dict(leader=''))), SERVERS3, None, None, False,
        dict(bootstrapped=True, leader='', api_host='n1', api_host_ready=False, leader_pending=True, problems=[])),
    # the same two servers in a raft configuration of five voters (n4, n5 lost): a minority elects nobody
    'two_of_five_voters_running_elect_nobody': (
        dict(n1=(RAFT, 'follower', dict(leader='', voters_of=[1, 2, 3, 4, 5])),
             n2=(RAFT, 'follower', dict(leader='', voters_of=[1, 2, 3, 4, 5])),
             n3=STOPPED, n4=STOPPED, n5=STOPPED), SERVERS3 + ['n4', 'n5'], None, None, False,
        dict(bootstrapped=True, leader='', api_host_ready=False, leader_pending=False)),
    # n3 is the only voter that runs; n4 and n5 run but were never promoted: three answer, one of three voters runs
    'servers_not_yet_voters_are_not_counted': (
        dict(n1=STOPPED, n2=STOPPED, n3=(RAFT, 'follower', dict(leader='')),
             n4=(RAFT, 'follower', dict(leader='')), n5=(RAFT, 'follower', dict(leader=''))),
        SERVERS3 + ['n4', 'n5'], None, None, False,
        dict(bootstrapped=True, api_host_ready=False, leader_pending=False)),
    # n3 was removed while it was down and still knows the old configuration; n2 alone cannot win the new one {n1, n2}
    'servers_that_know_different_configurations_elect_nobody_here': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader='', voters_of=[1, 2])),
             n3=(RAFT, 'follower', dict(leader=''))), SERVERS3, None, None, False,
        dict(bootstrapped=True, api_host_ready=False, leader_pending=False)),
    # recovering a stray while the datacenter has no leader: the stray's own one-server cluster is not counted
    'stray_is_not_counted_among_the_voters_that_run': (
        dict(n1=(RAFT, 'follower', dict(leader='')), n2=STOPPED,
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', alone=True, voters_of=[3]))), SERVERS3, None, None, True,
        dict(bootstrapped=True, api_host_ready=False, leader_pending=False)),
    # Node A's agent is down (killed, not back yet) and the others elect: the calls go through a server that answers
    'election_without_node_a_goes_through_a_running_server': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader='')), n3=(RAFT, 'follower', dict(leader=''))), SERVERS3,
        None, None, False,
        dict(bootstrapped=True, join_host='n2', api_host='n2', api_host_ready=False, leader_pending=True, problems=[])),
    'tie_between_two_leaders_is_refused': (
        dict(n1=(RAFT, 'leader', {}), n2=(RAFT, 'follower', {}),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300')), n4=(RAFT, 'follower', dict(leader='127.0.0.3:8300'))),
        ['n1', 'n2', 'n3', 'n4'], None, None, True,
        dict(strays=[], members=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    # n1 (the leader) was just killed: n2 has not noticed yet, n3 already leads; n2 is no stray, nothing is refused
    'leader_just_died_agents_still_naming_it_tie_with_the_new_one': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader=L1)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300'))), SERVERS3, None, None, True,
        dict(leader='127.0.0.3:8300', strays=[], members=['n3'], remove_flag=[], problems=[])),
    'leader_just_died_most_agents_still_naming_it': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader=L1)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300')), c4=([], 'client', dict(leader=L1))),
        SERVERS3, None, None, True,
        dict(leader='127.0.0.3:8300', strays=[], members=['n3'], remove_flag=[], problems=[])),
    # the same without the raft terms that tell a stale leader (an agent that did not report them): the dead leader is
    # still left out, because no running server has its address
    'leader_just_died_terms_unknown': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader=L1, term=None)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300'))), SERVERS3, None, None, True,
        dict(leader='127.0.0.3:8300', strays=[], members=['n3'], remove_flag=[], problems=[])),
    # n1 was killed and came back at once, mid-election: n2 names n3, n3 names n1, n1 names nobody. No named leader
    # names itself, so none counts: no leader yet (the run waits for one), no stray, no refusal
    'election_seen_midway_names_no_leader_and_no_stray': (
        dict(n1=(RAFT, 'follower', dict(leader='', term=7)), n2=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=6)),
             n3=(RAFT, 'follower', dict(leader=L1, term=7))), SERVERS3, None, None, True,
        dict(leader='', bootstrapped=True, strays=[], members=[], remove_flag=[], problems=[], api_host_ready=False,
             leader_pending=True, write_flag=[])),
    # the same election next to a separate cluster of two servers (n4 leads n5): the count of agents would crown n4
    # and make n2 and n3 strays; no leader of most of the servers is in sight, so it is a refusal and nobody a stray
    'election_next_to_a_separate_cluster_is_refused_without_strays': (
        dict(n1=(RAFT, 'follower', dict(leader='', term=7)), n2=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=6)),
             n3=(RAFT, 'follower', dict(leader=L1, term=7)),
             n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', term=2, peers_of=[4, 5], alone=True)),
             n5=(RAFT, 'follower', dict(leader='127.0.0.4:8300', term=2, peers_of=[4, 5]))),
        SERVERS3 + ['n4', 'n5'], None, None, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    # n1 restarted and names nobody, n2 and c4 still name it, n3 was just elected; a separate cluster n5/n6 as large
    # as n1's followers: refused as before (never n3 a stray)
    'restart_next_to_a_separate_cluster_is_refused_without_strays': (
        dict(n1=(RAFT, 'follower', dict(leader='', term=7)), n2=(RAFT, 'follower', dict(leader=L1, term=6)),
             c4=([], 'client', dict(leader=L1)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', term=7)),
             n5=(RAFT, 'leader', dict(leader='127.0.0.5:8300', term=2, peers_of=[5, 6])),
             n6=(RAFT, 'follower', dict(leader='127.0.0.5:8300', term=2, peers_of=[5, 6]))),
        SERVERS3 + ['n5', 'n6'], None, None, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    # the old leader n1 still names itself (it has not stepped down), n3 leads a newer term with n2: one raft
    # configuration, so the newer term's leader is the datacenter's and n1 is no stray
    'old_leader_not_stepped_down_yet_the_newer_term_leads': (
        dict(n1=(RAFT, 'leader', dict(term=6)), n2=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=7)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', term=7))), SERVERS3, None, None, True,
        dict(leader='127.0.0.3:8300', strays=[], members=['n2', 'n3'], remove_flag=[], problems=[])),
    # the same, but n3 reports other peers than n1 and n2: separate clusters, whose terms say nothing of each other
    'leaders_of_different_raft_configurations_stay_a_refusal': (
        dict(n1=(RAFT, 'leader', dict(term=6)), n2=(RAFT, 'follower', dict(term=6)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', term=7, peers_of=[3])),
             n4=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=7, peers_of=[3]))),
        ['n1', 'n2', 'n3', 'n4'], None, None, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    'leaders_named_from_one_term_stay_a_refusal': (
        dict(n1=(RAFT, 'leader', dict(term=7)), n2=(RAFT, 'follower', dict(term=7)),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', term=7)),
             n4=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=7))),
        ['n1', 'n2', 'n3', 'n4'], None, None, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    # n5 outside the play; n1 died, n3 leads a newer term, n2 has not noticed yet: n2 names a leader no server of the
    # play says it is, which is a reason to wait, never to wipe n2 as a stray
    'follower_of_a_leader_that_just_died_is_no_stray_in_a_limited_play': (
        dict(n1=STOPPED, n2=(RAFT, 'follower', dict(leader=L1, term=6, peers_of=[1, 2, 3, 4, 5])),
             n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300', term=7, peers_of=[1, 2, 3, 4, 5])),
             n4=(RAFT, 'follower', dict(leader='127.0.0.3:8300', term=7, peers_of=[1, 2, 3, 4, 5]))),
        ['n1', 'n2', 'n3', 'n4', 'n5'], None, None, True,
        dict(leader='127.0.0.3:8300', strays=[], remove_flag=[], problem='name another leader (127.0.0.1:8300)')),
    # a separate cluster's leader n4 followed by more agents (its clients) than the datacenter's: its raft
    # configuration has one voter of the 4 servers (the others only as non-voters), so nobody is a stray
    'separate_cluster_followed_by_more_agents_makes_no_strays': (
        dict(n1=(RAFT, 'leader', dict(term=9)), n2=(RAFT, 'follower', {}), n3=(RAFT, 'follower', {}),
             n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', term=2, alone=True, peers_of=[4, 2, 3])),
             c5=([], 'client', dict(leader='127.0.0.4:8300')), c6=([], 'client', dict(leader='127.0.0.4:8300')),
             c7=([], 'client', dict(leader='127.0.0.4:8300')), c8=([], 'client', dict(leader='127.0.0.4:8300'))),
        SERVERS3 + ['n4'], None, None, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    # the same views with a server not probed: the named leader may be that server, so the doubt stays a refusal
    'tie_with_a_server_not_probed_is_still_refused': (
        dict(n2=(RAFT, 'follower', dict(leader=L1)), n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300'))),
        SERVERS3, ['n2', 'n3'], SERVERS3, True,
        dict(strays=[], remove_flag=[], problem='Agents disagree about the leader, with no majority')),
    'new_datacenter_with_a_server_outside_the_play': (
        dict(n1=DOWN, n2=DOWN), SERVERS3, ['n1', 'n2'], ['n1', 'n2'], False,
        dict(bootstrapped=False, problem='servers n3 are not in the play')),
    'new_datacenter_in_serial_batches': (
        dict(n1=DOWN), SERVERS3, ['n1'], SERVERS3, False,
        dict(bootstrapped=False, problem='servers n2, n3 are in a later serial batch')),
    'new_datacenter_with_every_server_in_the_first_batch': (
        dict(n1=DOWN, n2=DOWN, n3=DOWN), SERVERS3, SERVERS3, SERVERS3 + ['c4'], False,
        dict(bootstrapped=False, problems=[], write_flag=['n1'])),
    'agent_refusing_the_role_token_is_not_a_stopped_agent': (
        dict(running(), n2=(RAFT, 'down', dict(status=403, msg='GET .../v1/agent/self failed: 403 ACL not found'))),
        SERVERS3, None, None, False,
        dict(bootstrapped=True, problem='The agent on n2 runs but refused the role\'s request (HTTP 403')),
    # what the role registers: failed_when: false turns the module's failed: true into failed: false
    'agent_refusing_the_token_as_registered_with_failed_when_false': (
        dict(running(), n2=(RAFT, 'down', dict(failed=False, failed_when_result=False, status=403, msg='GET .../v1/agent/self failed: 403 ACL not found'))),
        SERVERS3, None, None, False,
        dict(bootstrapped=True, problem='The agent on n2 runs but refused the role\'s request (HTTP 403')),
    'client_whose_servers_are_all_down_is_no_refusal': (
        dict(n1=STOPPED, n2=STOPPED, n3=STOPPED, c4=([], 'down', dict(
            failed=False, status=500, msg='GET .../v1/status/leader failed: 500 rpc error making call: No cluster leader'))),
        SERVERS3, None, None, False,
        dict(bootstrapped=True, problems=[], join_host='n1')),
    'leader_and_api_host_of_a_running_datacenter': (
        running(), SERVERS3, None, None, False,
        dict(leader_host='n1', api_host='n1', api_host_ready=True, leader_pending=False)),
    'api_host_of_a_clients_only_play_is_a_server_outside_it': (
        dict(c4=([], 'client', {})), SERVERS3, ['c4'], ['c4'], False,
        dict(leader_host='', join_host='', api_host='n1', api_host_ready=True)),
    'api_host_of_a_stopped_datacenter_is_not_running': (
        dict(n1=STOPPED, n2=STOPPED, n3=STOPPED), SERVERS3, None, None, False,
        dict(api_host='n1', api_host_ready=False)),
    'existing_datacenter_in_serial_batches': (
        dict(n1=(RAFT, 'leader', {})), SERVERS3, ['n1'], SERVERS3, False,
        dict(bootstrapped=True, problems=[], write_flag=[])),
}


def _pick(decision, key):
    if key in decision:
        return decision[key]
    # per-host flags, as the sorted list of hosts where they are true
    return sorted(host for host, plan in decision['hosts'].items() if plan[key])


@pytest.mark.parametrize('case', sorted(STATE_CASES))
def test_cluster_state(recorded, case):
    spec, servers, batch, play_hosts, recover, expected = STATE_CASES[case]
    batch = batch or list(spec)
    decision = _cluster.cluster_state(probes(recorded, spec), servers, batch, play_hosts or batch, 'n1',
                                      recover_stray=recover)
    expected = dict(expected)
    problem = expected.pop('problem', None)
    for key, value in expected.items():
        assert _pick(decision, key) == value, key
    if problem:
        assert len(decision['problems']) == 1 and problem in decision['problems'][0], decision['problems']


def ipv6(views):
    """The same views on IPv6: members at fd00::N, raft addresses (peers, leaders, configurations) at [fd00::N]:8300."""
    text = re.sub(r'127\.0\.0\.(\d+):(\d+)', r'[fd00::\1]:\2', json.dumps(views))
    return json.loads(re.sub(r'127\.0\.0\.(\d+)', r'fd00::\1', text))


# Raft names IPv6 servers with brackets, member lists without: the dead leader is still told apart from the new one,
# and an election among running voters is still seen as one.
@pytest.mark.parametrize('case', ['leader_just_died_terms_unknown', 'two_of_three_voters_running_without_a_leader_elect_one'])
def test_cluster_state_on_ipv6(recorded, case):
    spec, servers, batch, play_hosts, recover, expected = STATE_CASES[case]
    batch = batch or list(spec)
    decision = _cluster.cluster_state(ipv6(probes(recorded, spec)), servers, batch, play_hosts or batch, 'n1',
                                      recover_stray=recover)
    assert ipv6(dict((key, _pick(decision, key)) for key in expected)) == ipv6(expected)


@pytest.mark.parametrize('spec, flagged', [
    # a new datacenter: no server gets the flag, every one starts with bootstrap_expect
    (dict(n1=DOWN, n2=DOWN, n3=DOWN, c4=DOWN), []),
    # a one-server datacenter runs with bootstrap_expect = 1, which its agent reports as bootstrap: no flag to take off
    (dict(n1=(RAFT, 'leader', dict(bootstrap=True))), []),
    # a flag file left by a manual-mode run still comes off
    (running(bootstrap=True), ['n1']),
])
def test_expect_mode_writes_no_flag(recorded, spec, flagged):
    decision = _cluster.cluster_state(probes(recorded, spec), sorted(h for h in spec if h != 'c4'), list(spec),
                                      list(spec), 'n1', bootstrap_mode='expect')
    assert (_pick(decision, 'write_flag'), _pick(decision, 'flagged'), decision['problems']) == ([], flagged, [])
    assert decision['join_host'] == 'n1'


def test_stray_refusal_says_how_to_fix_it_by_hand(recorded):
    spec = dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', alone=True)))
    decision = _cluster.cluster_state(probes(recorded, spec), SERVERS3 + ['n4'], list(spec), list(spec), 'n1',
                                      data_dir='/srv/consul', flag_path='/etc/consul.d/bootstrap.json')
    message = decision['problems'][0]
    for part in ('(127.0.0.4:8300)', "leader 127.0.0.1:8300", 'delete /srv/consul/raft and /etc/consul.d/bootstrap.json',
                 'consul_cluster_recover_stray_bootstrap=true'):
        assert part in message


def test_tie_does_not_depend_on_the_order_hosts_are_seen(recorded):
    spec = dict(n3=(RAFT, 'leader', dict(leader='127.0.0.3:8300')), n1=(RAFT, 'leader', {}))
    for order in (['n1', 'n3'], ['n3', 'n1']):
        decision = _cluster.cluster_state(probes(recorded, spec), order, order, order, 'n1', recover_stray=True)
        assert decision['strays'] == [] and decision['problems'], order


# restart_plan: (state spec, changed, expected restart, expected in-place restarts)
PLAN_CASES = {
    'fresh_datacenter_node_a_flag_comes_off': (
        dict(n1=DOWN, n2=DOWN, n3=DOWN, c4=DOWN), dict(n1=True, n2=True, n3=True, c4=True), ['n1'], []),
    'rerun_on_a_healthy_datacenter': (running(), {}, [], []),
    'config_change_on_running_servers': (running(), dict(n1=True, n2=True, n3=True), SERVERS3, []),
    'config_change_on_a_running_client_restarts_it_in_place': (running(), dict(c4=True), [], ['c4']),
    'interrupted_run_node_a_still_flagged': (running(bootstrap=True), {}, ['n1'], []),
    'new_server_added_to_a_datacenter_just_starts': (
        dict(running(), n4=DOWN), dict(n4=True), [], []),
    'recovered_stray_is_stopped_and_started_not_restarted': (
        dict(running(), n4=(RAFT, 'leader', dict(leader='127.0.0.4:8300', alone=True))), dict(n4=True), [], []),
}


@pytest.mark.parametrize('case', sorted(PLAN_CASES))
def test_restart_plan(recorded, case):
    spec, changed, restart, in_place = PLAN_CASES[case]
    servers = [h for h in spec if h != 'c4']
    state = _cluster.cluster_state(probes(recorded, spec), servers, list(spec), list(spec), 'n1', recover_stray=True)
    plan = _cluster.restart_plan(state, changed)
    assert plan['restart'] == restart
    assert sorted(h for h, how in plan['start_state'].items() if how == 'restarted') == in_place
    assert set(plan['start_state']) == set(spec)


@pytest.mark.parametrize('hosts, states, expected', [
    (SERVERS3, dict(n1='Follower', n2='Leader', n3='Follower'), ['n1', 'n3', 'n2']),
    (SERVERS3, dict(n1='Leader', n2='Follower', n3='Follower'), ['n2', 'n3', 'n1']),
    (SERVERS3, dict(n1='Follower', n2='Follower', n3='Follower'), SERVERS3),
    (SERVERS3, {}, SERVERS3),
    (['n1', 'n3'], dict(n1='Follower', n2='Leader', n3='Follower'), ['n1', 'n3']),
    (SERVERS3, dict(n1='Leader', n2='Follower', n3='Leader'), ['n2', 'n1', 'n3']),
], ids=['leader_in_the_middle', 'leader_first', 'no_leader', 'no_health', 'leader_not_restarted', 'two_leaders_last'])
def test_restart_order(recorded, hosts, states, expected):
    health = {}
    for host, state in states.items():
        view = agent(recorded, 'leader' if state == 'Leader' else 'follower', host)
        health[host] = view
    assert _cluster.restart_order(hosts, health) == expected


RECORDS = dict((h, dict(node=h, addr='10.0.0.%d' % (i + 1))) for i, h in enumerate(['n1', 'n2', 'n3', 'c4']))


def summary_health(recorded, **changes):
    """health per host of a healthy datacenter (n1 leads, not in bootstrap mode), with changes per host."""
    health = dict(n1=agent(recorded, 'leader', 'n1', bootstrap=False), n2=agent(recorded, 'follower', 'n2'),
                  n3=agent(recorded, 'follower', 'n3'), c4=dict(skipped=True))
    for host, change in changes.items():
        health[host] = agent(recorded, change[0], change[1], **(change[2] if len(change) > 2 else {}))
    # the recorded raft configuration names n1-n3; n3's own entry comes from its renamed view
    return health


SUMMARY_CASES = {
    'one_leader': (dict(), SERVERS3 + ['c4'], []),
    'two_leaders': (dict(n3=('leader', 'n3', dict(bootstrap=False))), SERVERS3 + ['c4'],
                    ['2 servers report themselves leader, expected exactly 1']),
    'no_leader': (dict(n1=('follower', 'n1')), SERVERS3 + ['c4'],
                  ['0 servers report themselves leader, expected exactly 1']),
    'server_still_in_bootstrap_mode': (dict(n1=('leader', 'n1')), SERVERS3 + ['c4'],
                                       ['server n1 still runs in bootstrap mode']),
    'servers_follow_different_leaders': (dict(n3=('follower', 'n3', dict(leader='127.0.0.9:8300'))), SERVERS3,
                                         ['servers follow different leaders: 127.0.0.1:8300, 127.0.0.9:8300']),
    'partial_play_without_the_leader': (dict(), ['n2', 'c4'], []),
    'clients_only_play': (dict(c4=('client', 'c4')), ['c4'], []),
}


@pytest.mark.parametrize('case', sorted(SUMMARY_CASES))
def test_health_summary(recorded, case):
    changes, play, problems = SUMMARY_CASES[case]
    health = summary_health(recorded, **changes)
    summary = _cluster.health_summary(dict((h, health[h]) for h in play), SERVERS3, ['c4'], play, RECORDS)
    assert summary['problems'] == problems
    assert 'client c4 127.0.0.4 alive' in summary['lines']


def test_health_summary_lines(recorded):
    summary = _cluster.health_summary(summary_health(recorded), SERVERS3, ['c4'], SERVERS3 + ['c4'], RECORDS)
    assert summary['lines'] == [
        'server n1 10.0.0.1 leader voter=true last_log_index=7 bootstrap=false',
        'server n2 10.0.0.2 follower voter=true last_log_index=18 bootstrap=false',
        'server n3 10.0.0.3 follower voter=true last_log_index=18 bootstrap=false',
        'client c4 127.0.0.4 alive',
    ]


def test_health_summary_dead_client(recorded):
    health = summary_health(recorded)
    for member in health['n1']['members']:
        if member['name'] == 'c4':
            member['status'] = 'failed'
    summary = _cluster.health_summary(health, SERVERS3, ['c4'], SERVERS3 + ['c4'], RECORDS)
    assert summary['problems'] == ['client c4 (c4) is not an alive member']
    assert 'client c4 127.0.0.4 failed' in summary['lines']


def test_health_summary_non_voter(recorded):
    # the leader's raft configuration still holds n3 as a non-voter (autopilot did not promote it)
    health = summary_health(recorded)
    for server in health['n1']['servers']:
        server['voter'] = server['voter'] and server['node'] != 'n3'
    summary = _cluster.health_summary(health, SERVERS3, ['c4'], SERVERS3 + ['c4'], RECORDS)
    assert summary['problems'] == ['server n3 (n3) is not a voter']
    # a server missing from the configuration is no voter either; a server outside the play is not checked
    health['n1']['servers'] = [s for s in health['n1']['servers'] if s['node'] != 'n3']
    assert _cluster.health_summary(health, SERVERS3, ['c4'], SERVERS3 + ['c4'], RECORDS)['problems'] == [
        'server n3 (n3) is not a voter']
    assert _cluster.health_summary(health, SERVERS3, ['c4'], ['n1', 'n2', 'c4'], RECORDS)['problems'] == []


def host(name, addr, node=None, **settings):
    record = dict(node=node or name, addr=addr, addresses=[addr, '127.0.0.1'], install_method='none', datacenter='dc1',
                  user='consul', binary_path='/usr/local/bin/consul', config_dir='/etc/consul.d', data_dir='/opt/consul',
                  extra_keys=[])
    record.update(settings)
    return record


def n2(**settings):
    """INVENTORY's n2 with other settings: a host's own problem is reported on it alone."""
    return dict(n2=host('n2', '10.0.0.2', **settings))


def refused_extra(*paths):
    """n2 with consul_cluster_extra_config setting these key paths (the record carries the keys, not the values)."""
    return n2(extra_keys=list(paths))


ACL_REASON = 'the role manages ACLs through consul_cluster_acl_enabled, consul_cluster_acl_default_policy, '
GOSSIP_REASON = 'the role manages gossip encryption through consul_cluster_encrypt_key'
TLS_REASON = 'the role manages TLS through consul_cluster_tls_enabled and the consul_cluster_tls_*_src variables'
EXEC_REASON = "it lets anyone with write access to Consul's API run commands on the hosts (HashiCorp's security model)"
EXTRA = 'host n2: consul_cluster_extra_config may not set '


INVENTORY = dict(n1=host('n1', '10.0.0.1'), n2=host('n2', '10.0.0.2'), n3=host('n3', '10.0.0.3'),
                 c4=host('c4', '10.0.0.4'))

# (changes to INVENTORY, servers, clients, play hosts, bootstrap host, allow single) -> {host: [fragments]}
PREFLIGHT_CASES = {
    'valid_inventory': ({}, SERVERS3, ['c4'], None, 'n1', False, {}),
    'no_servers': ({}, [], ['c4'], ['c4'], 'n1', False,
                   dict(c4=["no servers: group 'consul_servers' (consul_cluster_servers_group) has no hosts "
                            "(play hosts: c4)"])),
    'bootstrap_host_not_a_server': ({}, SERVERS3, ['c4'], None, 'c4', False,
                                    dict(n1=["consul_cluster_bootstrap_host 'c4' is not in group 'consul_servers'"])),
    'single_server': ({}, ['n1'], ['c4'], ['n1', 'c4'], 'n1', False,
                      dict(n1=['a single server (n1) loses data when it fails; add servers or set '
                               'consul_cluster_allow_single_server: true'])),
    'single_server_allowed': ({}, ['n1'], ['c4'], ['n1', 'c4'], 'n1', True, {}),
    'duplicate_node_names': (dict(n3=host('n3', '10.0.0.3', node='n2'), c4=host('c4', '10.0.0.4', node='n2')),
                             SERVERS3, ['c4'], None, 'n1', False,
                             dict(n1=["hosts n2, n3, c4 share the node name 'n2' (consul_cluster_node_name)"])),
    'server_outside_the_play_without_an_address': (
        dict(n3=dict(node='n3', addr='')), SERVERS3, ['c4'], ['n1', 'n2', 'c4'], 'n1', False,
        dict(n1=['server n3 has no address: set consul_cluster_bind_addr for it or include it in the play'])),
    'host_in_neither_group': (dict(x9=host('x9', '10.0.0.9')), SERVERS3, ['c4'], SERVERS3 + ['c4', 'x9'], 'n1', False,
                              dict(x9=["host x9 is in neither group 'consul_servers' (consul_cluster_servers_group) "
                                       "nor group 'consul_clients' (consul_cluster_clients_group)"])),
    'empty_bind_addr': (dict(n2=host('n2', '')), SERVERS3, ['c4'], None, 'n1', False,
                        dict(n1=['server n2 has no address'],
                             n2=['host n2: consul_cluster_bind_addr is empty and the host has no default IPv4'])),
    'foreign_bind_addr': (dict(n2=dict(host('n2', '10.0.0.99'), addresses=['10.0.0.2'])), SERVERS3, ['c4'], None,
                          'n1', False,
                          dict(n2=['host n2: consul_cluster_bind_addr 10.0.0.99 is not an address of this host '
                                   '(it has 10.0.0.2)'])),
    'copy_without_binary_src': (dict(c4=host('c4', '10.0.0.4', install_method='copy', binary_src='')), SERVERS3,
                                ['c4'], None, 'n1', False,
                                dict(c4=['host c4: consul_cluster_install_method is copy but '
                                         'consul_cluster_binary_src is empty'])),
    'copy_with_a_binary_src_the_controller_lacks': (
        dict(c4=host('c4', '10.0.0.4', install_method='copy', binary_src='/srv/consul', binary_file='')), SERVERS3,
        ['c4'], None, 'n1', False,
        dict(c4=['host c4: consul_cluster_binary_src /srv/consul is not a file on the controller'])),
    'archive_with_a_binary_path_not_named_consul': (
        dict(n3=host('n3', '10.0.0.3', install_method='archive', binary_path='/usr/local/bin/consul-1.8')), SERVERS3,
        ['c4'], None, 'n1', False,
        dict(n3=['host n3: consul_cluster_binary_path must end in /consul for install method archive'])),
    'package_repo_on_a_host_without_apt': (
        dict(c4=host('c4', '10.0.0.4', install_method='package', package_repo=True, pkg_mgr='dnf')), SERVERS3, ['c4'],
        None, 'n1', False,
        dict(c4=['host c4: consul_cluster_package_repo sets up an apt repository, but the package manager here is dnf'])),
    'package_repo_with_apt': (dict(c4=host('c4', '10.0.0.4', install_method='package', package_repo=True, pkg_mgr='apt')),
                              SERVERS3, ['c4'], None, 'n1', False, {}),
    'global_problems_once_host_problems_on_their_host': (
        dict(n3=dict(host('n3', '10.0.0.99'), node='n2', addresses=['10.0.0.3'])), SERVERS3, ['c4'], None, 'n1', False,
        dict(n1=["hosts n2, n3 share the node name 'n2'"], n3=['host n3: consul_cluster_bind_addr 10.0.0.99'])),
    # Node names and the datacenter become controller paths (secrets_dir/certs/<node>, secrets_dir ends with the
    # datacenter) and values in consul.json; the user and the paths lines of the systemd unit.
    'fqdn_node_names_and_plain_values_pass': (
        dict(n1=host('n1', '10.0.0.1', node='app-1.example.net', datacenter='eu-west_1', user='consul-agent',
                     data_dir='/var/lib/consul', extra_keys=['ui', 'ports.dns', 'performance.raft_multiplier']),
             n2=host('n2', '10.0.0.2', node='db_2.example.net', user='_consul$'),
             n3=host('n3', '10.0.0.3', node='n' * 253)), SERVERS3, ['c4'], None, 'n1', False, {}),
    'node_name_with_a_slash': (n2(node='n2/x'), SERVERS3, ['c4'], None, 'n1', False,
                               dict(n2=["host n2: consul_cluster_node_name 'n2/x' may only hold letters, digits, '-', "
                                        "'_' and '.', and neither start with '.' nor hold '..'"])),
    'node_name_with_dot_dot': (n2(node='a..b'), SERVERS3, ['c4'], None, 'n1', False,
                               dict(n2=["host n2: consul_cluster_node_name 'a..b' may only hold"])),
    'node_name_starting_with_a_dot': (n2(node='.n2'), SERVERS3, ['c4'], None, 'n1', False,
                                      dict(n2=["host n2: consul_cluster_node_name '.n2' may only hold"])),
    'node_name_with_a_newline': (n2(node='n2\nx'), SERVERS3, ['c4'], None, 'n1', False,
                                 dict(n2=["host n2: consul_cluster_node_name 'n2\\nx' may only hold"])),
    'node_name_with_a_space': (n2(node='n2 x'), SERVERS3, ['c4'], None, 'n1', False,
                               dict(n2=["host n2: consul_cluster_node_name 'n2 x' may only hold"])),
    'node_name_too_long': (n2(node='n' * 254), SERVERS3, ['c4'], None, 'n1', False,
                           dict(n2=['host n2: consul_cluster_node_name is 254 characters long, at most 253 are allowed'])),
    'datacenter_with_a_slash': (n2(datacenter='a/b'), SERVERS3, ['c4'], None, 'n1', False,
                                dict(n2=["host n2: consul_cluster_datacenter 'a/b' may only hold letters, digits, '_' "
                                         "and '-'"])),
    'datacenter_climbing_out_of_the_secrets_dir': (n2(datacenter='../dc1'), SERVERS3, ['c4'], None, 'n1', False,
                                                   dict(n2=["host n2: consul_cluster_datacenter '../dc1' may only hold"])),
    'datacenter_with_a_final_newline': (n2(datacenter='dc1\n'), SERVERS3, ['c4'], None, 'n1', False,
                                        dict(n2=["host n2: consul_cluster_datacenter 'dc1\\n' may only hold"])),
    'empty_datacenter': (n2(datacenter=''), SERVERS3, ['c4'], None, 'n1', False,
                         dict(n2=["host n2: consul_cluster_datacenter '' may only hold"])),
    'user_not_a_plain_user_name': (n2(user='Consul User'), SERVERS3, ['c4'], None, 'n1', False,
                                   dict(n2=["host n2: consul_cluster_user 'Consul User' is not a plain user name"])),
    'user_adding_a_unit_line': (n2(user='consul\nExecStartPre=+/bin/sh -c id'), SERVERS3, ['c4'], None, 'n1', False,
                                dict(n2=["host n2: consul_cluster_user 'consul\\nExecStartPre=+/bin/sh -c id' is not"])),
    'user_too_long': (n2(user='c' * 33), SERVERS3, ['c4'], None, 'n1', False,
                      dict(n2=['is not a plain user name: a lowercase letter or \'_\', then lowercase letters, '
                               "digits, '_' or '-' (a final '$' allowed), at most 32 characters"])),
    'data_dir_with_a_newline': (n2(data_dir='/opt/consul\nExecStartPre=+/bin/sh -c id'), SERVERS3, ['c4'], None, 'n1',
                                False,
                                dict(n2=["host n2: consul_cluster_data_dir '/opt/consul\\nExecStartPre=+/bin/sh -c id' "
                                         "must be an absolute path without whitespace, control characters, quotes or "
                                         "any of % $ \\ ; (it is written into the systemd unit)"])),
    # systemd would read two paths there: /opt/consul and /
    'data_dir_with_a_space': (n2(data_dir='/opt/consul /'), SERVERS3, ['c4'], None, 'n1', False,
                              dict(n2=["host n2: consul_cluster_data_dir '/opt/consul /' must be an absolute path"])),
    'relative_config_dir': (n2(config_dir='etc/consul.d'), SERVERS3, ['c4'], None, 'n1', False,
                            dict(n2=["host n2: consul_cluster_config_dir 'etc/consul.d' must be an absolute path"])),
    'binary_path_with_a_systemd_specifier': (n2(binary_path='/home/%u/consul'), SERVERS3, ['c4'], None, 'n1', False,
                                             dict(n2=["host n2: consul_cluster_binary_path '/home/%u/consul' must be"])),
    # consul_cluster_extra_config is merged last into consul.json: it must not take over what the role secures.
    'extra_config_sets_acl_enabled': (refused_extra('acl.enabled'), SERVERS3, ['c4'], None, 'n1', False,
                                      dict(n2=[EXTRA + 'acl.enabled: ' + ACL_REASON])),
    'extra_config_sets_acl_tokens': (refused_extra('acl.tokens'), SERVERS3, ['c4'], None, 'n1', False,
                                     dict(n2=[EXTRA + 'acl.tokens: ' + ACL_REASON])),
    'extra_config_sets_a_legacy_acl_key': (refused_extra('acl_token', 'acl_default_policy'), SERVERS3, ['c4'], None,
                                           'n1', False, dict(n2=[EXTRA + 'acl_token, acl_default_policy: ' + ACL_REASON])),
    'extra_config_sets_encrypt': (refused_extra('encrypt'), SERVERS3, ['c4'], None, 'n1', False,
                                  dict(n2=[EXTRA + 'encrypt: ' + GOSSIP_REASON])),
    'extra_config_sets_encrypt_verify_incoming': (refused_extra('encrypt_verify_incoming'), SERVERS3, ['c4'], None,
                                                  'n1', False, dict(n2=[EXTRA + 'encrypt_verify_incoming: ' + GOSSIP_REASON])),
    'extra_config_sets_encrypt_verify_outgoing': (refused_extra('encrypt_verify_outgoing'), SERVERS3, ['c4'], None,
                                                  'n1', False, dict(n2=[EXTRA + 'encrypt_verify_outgoing: ' + GOSSIP_REASON])),
    'extra_config_sets_verify_incoming': (refused_extra('verify_incoming'), SERVERS3, ['c4'], None, 'n1', False,
                                          dict(n2=[EXTRA + 'verify_incoming: ' + TLS_REASON])),
    'extra_config_sets_tls_keys_of_before_1_12': (
        refused_extra('verify_incoming_rpc', 'verify_incoming_https', 'verify_outgoing', 'verify_server_hostname',
                      'ca_file', 'ca_path', 'cert_file', 'key_file'), SERVERS3, ['c4'], None, 'n1', False,
        dict(n2=[EXTRA + 'verify_incoming_rpc, verify_incoming_https, verify_outgoing, verify_server_hostname, '
                 'ca_file, ca_path, cert_file, key_file: ' + TLS_REASON])),
    'extra_config_sets_the_tls_stanza': (refused_extra('tls.defaults'), SERVERS3, ['c4'], None, 'n1', False,
                                         dict(n2=[EXTRA + 'tls.defaults: ' + TLS_REASON])),
    'extra_config_sets_ports_http': (refused_extra('ports.http'), SERVERS3, ['c4'], None, 'n1', False,
                                     dict(n2=[EXTRA + 'ports.http: the role sets it from consul_cluster_http_port'])),
    'extra_config_sets_ports_https': (refused_extra('ports.https'), SERVERS3, ['c4'], None, 'n1', False,
                                      dict(n2=[EXTRA + 'ports.https: the role sets it from consul_cluster_https_port'])),
    # a value that is not a mapping replaces the role's whole ports (merge keeps only mappings together)
    'extra_config_replaces_ports': (refused_extra('ports'), SERVERS3, ['c4'], None, 'n1', False,
                                    dict(n2=[EXTRA + 'ports (it replaces ports.http): the role sets it from '
                                             'consul_cluster_http_port',
                                             EXTRA + 'ports (it replaces ports.https): the role sets it from '
                                             'consul_cluster_https_port'])),
    'extra_config_enables_script_checks': (refused_extra('enable_script_checks'), SERVERS3, ['c4'], None, 'n1', False,
                                           dict(n2=[EXTRA + 'enable_script_checks: ' + EXEC_REASON])),
    'extra_config_enables_local_script_checks': (refused_extra('enable_local_script_checks'), SERVERS3, ['c4'], None,
                                                 'n1', False, dict(n2=[EXTRA + 'enable_local_script_checks: ' + EXEC_REASON])),
    'extra_config_sets_bootstrap': (refused_extra('bootstrap', 'bootstrap_expect'), SERVERS3, ['c4'], None, 'n1', False,
                                    dict(n2=[EXTRA + 'bootstrap, bootstrap_expect: the role bootstraps the datacenter '
                                             'itself, from consul_cluster_bootstrap_host'])),
    'extra_config_sets_server': (refused_extra('server'), SERVERS3, ['c4'], None, 'n1', False,
                                 dict(n2=[EXTRA + 'server: the role sets it from the servers group '
                                          '(consul_cluster_servers_group)'])),
    'extra_config_sets_data_dir': (refused_extra('data_dir'), SERVERS3, ['c4'], None, 'n1', False,
                                   dict(n2=[EXTRA + 'data_dir: the role sets it from consul_cluster_data_dir'])),
    'extra_config_sets_datacenter': (refused_extra('datacenter'), SERVERS3, ['c4'], None, 'n1', False,
                                     dict(n2=[EXTRA + 'datacenter: the role sets it from consul_cluster_datacenter'])),
    'extra_config_sets_node_name': (refused_extra('node_name'), SERVERS3, ['c4'], None, 'n1', False,
                                    dict(n2=[EXTRA + 'node_name: the role sets it from consul_cluster_node_name'])),
}


@pytest.mark.parametrize('case', sorted(PREFLIGHT_CASES))
def test_preflight(case):
    changes, servers, clients, play, bootstrap_host, single, expected = PREFLIGHT_CASES[case]
    hosts = dict(INVENTORY, **changes)
    play = play or servers + clients
    decision = _cluster.preflight(dict((h, r) for h, r in hosts.items() if h in play or h in servers + clients),
                                  servers, clients, play, bootstrap_host, allow_single_server=single)
    problems = decision['problems']
    assert sorted(problems) == sorted(expected), problems
    for name, fragments in expected.items():
        assert len(problems[name]) == len(fragments), problems[name]
        for message, fragment in zip(problems[name], fragments):
            assert fragment in message, message
            # every message names a host and the variable to change
            assert 'consul_cluster_' in message
            assert any(h in message for h in hosts), message


@pytest.mark.parametrize('mode, problem', [('manual', None), ('expect', None), ('auto', "consul_cluster_bootstrap_mode is 'auto'")])
def test_bootstrap_mode_is_manual_or_expect(mode, problem):
    decision = _cluster.preflight(dict(INVENTORY), SERVERS3, ['c4'], SERVERS3 + ['c4'], 'n1', bootstrap_mode=mode)
    assert decision['bootstrap_mode'] == mode
    assert decision['problems'] == ({'n1': [decision['problems']['n1'][0]]} if problem else {})
    if problem:
        assert problem in decision['problems']['n1'][0] and 'manual, expect' in decision['problems']['n1'][0]


def test_preflight_addresses_roles_and_warning():
    decision = _cluster.preflight(dict(INVENTORY), ['n1', 'n2'], ['c4', 'n2'], ['n1', 'n2', 'c4'], 'n1')
    assert decision['server_addrs'] == ['10.0.0.1', '10.0.0.2']
    assert decision['roles'] == dict(n1='server', n2='server', c4='client')
    assert (decision['play_servers'], decision['play_clients']) == (['n1', 'n2'], ['c4'])
    assert decision['warnings'] == ["WARNING: 2 servers in group 'consul_servers' tolerate 0 failed server(s), no more "
                                    "than 1 would; use an odd number (3 or 5)."]
    assert _cluster.preflight(dict(INVENTORY), SERVERS3, ['c4'], SERVERS3 + ['c4'], 'n1')['warnings'] == []


def test_recorded_agents_of_a_datacenter_without_the_roles_files_are_refused_unless_adopted(recorded):
    """The recorded agents (plaintext gossip, no consul.json) through the takeover decision."""
    from ansible_collections.quorum.consul.plugins.plugin_utils import _adopt
    views = dict(n1=agent(recorded, 'leader'), n2=agent(recorded, 'follower'), n3=agent(recorded, 'follower', 'n3'),
                 c4=agent(recorded, 'client'))
    assert len(set(view['data_dir'] for view in views.values())) == 3  # one per recorded agent (n3 is n2 renamed)
    for view in views.values():
        view['data_dir'] = '/opt/consul'
    probes = dict((host, dict(files=['raft.db'] if host != 'c4' else [], agent=view,
                              unit=dict(path='/etc/systemd/system/consul.service', user='', active='active', dropins=[]),
                              owners={}, config=[]))
                  for host, view in views.items())
    nodes = dict((host, host) for host in views)

    def decide(adopt):
        return _adopt.adoption(probes, nodes, ['server'], 'consul', '/opt/consul', 'dc1', adopt=adopt)
    assert 'consul_cluster_adopt=true' in decide(False)['problems'][0]
    assert decide(True)['problems'] == [] and decide(True)['gossip'] == list(_adopt.GOSSIP_STAGES)
    # the recorded members are the four agents: with one left out, the stages would cut it off
    del probes['c4']
    assert 'but c4 is alive in the datacenter and not in this play' in decide(True)['problems'][0]


# security_modes: TLS and ACLs unset are on for a new datacenter and what a running one runs; a variable that would
# change a running datacenter's security is refused.
PLAIN, SECURE, TLS_ONLY = dict(tls=False, acl=False), dict(tls=True, acl=True), dict(tls=True, acl=False)


def security_hosts(security=None, running=False, client_security='same'):
    """n1-n3 servers and client c4 with the security their role-written consul.json turns on (None: none there)."""
    hosts = dict((h, dict(security=security, running=running)) for h in SERVERS3)
    hosts['c4'] = dict(security=security if client_security == 'same' else client_security, running=False)
    return hosts


SECURITY_CASES = {
    # name: (hosts, tls variable, acl variable, expected tls, expected acl, running, problem patterns)
    'new_datacenter_with_the_defaults_is_secure': (security_hosts(), None, None, True, True, False, []),
    'new_datacenter_plaintext_when_asked': (security_hosts(), False, 'false', False, False, False, []),
    'new_datacenter_text_from_extra_vars': (security_hosts(), 'yes', 'no', True, False, False, []),
    'running_plaintext_keeps_plaintext': (security_hosts(PLAIN, True), None, None, False, False, True, []),
    'running_secure_keeps_tls_and_acls': (security_hosts(SECURE, True), None, None, True, True, True, []),
    'running_tls_only_keeps_what_it_runs': (security_hosts(TLS_ONLY, True), '', None, True, False, True, []),
    'hand_made_datacenter_without_role_files_keeps_plaintext': (security_hosts(None, True), None, None, False, False,
                                                                True, []),
    'stopped_datacenter_known_by_its_files': (security_hosts(SECURE, False), None, None, True, True, True, []),
    # HashiCorp's staged move (cluster_adoption's tls stages)
    'tls_on_for_a_running_plaintext_datacenter_moves_in_stages': (security_hosts(PLAIN, True), True, None, True, False,
                                                                  True, []),
    'acls_on_for_a_running_datacenter_move_in_stages': (security_hosts(PLAIN, True), None, True, False, True, True, []),
    'acls_on_for_a_running_tls_datacenter_move_in_stages': (
        security_hosts(TLS_ONLY, True), None, True, True, True, True, []),
    'tls_and_acls_on_at_once_for_a_running_plaintext_datacenter_is_refused': (
        security_hosts(PLAIN, True), True, True, True, True, True,
        [r'runs neither: the role moves a running datacenter one change at a time. Move to TLS first']),
    'tls_on_for_a_running_datacenter_with_acls_is_refused': (
        security_hosts(dict(tls=False, acl=True), True), True, None, True, True, True,
        [r'runs without TLS but with ACLs: the role moves a running datacenter to TLS in stages only without ACLs']),
    'tls_off_for_a_running_tls_datacenter_is_refused': (
        security_hosts(TLS_ONLY, True), False, None, False, False, True,
        [r'consul_cluster_tls_enabled is false, but datacenter dc1 runs with TLS \(on c4, n1, n2, n3\): turning TLS off '
         r'.*staged procedure']),
    'acl_off_for_a_running_secure_datacenter_is_refused': (
        security_hosts(SECURE, True), None, False, True, False, True,
        [r'consul_cluster_acl_enabled is false, but datacenter dc1 runs with ACLs \(on c4, n1, n2, n3\): turning ACLs off']),
    'the_same_values_set_explicitly_pass': (security_hosts(SECURE, True), True, 'true', True, True, True, []),
}


@pytest.mark.parametrize('name', sorted(SECURITY_CASES))
def test_security_modes(name):
    hosts, tls, acl, want_tls, want_acl, running, problems = SECURITY_CASES[name]
    decision = _cluster.security_modes(hosts, SERVERS3 + ['c4'], tls=tls, acl=acl)
    assert (decision['tls'], decision['acl'], decision['running']) == (want_tls, want_acl, running)
    assert len(decision['problems']) == len(problems)
    for pattern, message in zip(problems, decision['problems']):
        assert re.search(pattern, message), message
    assert decision['line'].startswith('security: TLS %s' % ('on' if want_tls else 'off'))


def test_a_security_variable_that_is_not_a_boolean_is_a_preflight_problem():
    decision = _cluster.preflight(dict(INVENTORY), SERVERS3, ['c4'], SERVERS3 + ['c4'], 'n1', tls='maybe')
    assert any("must be true, false or unset: 'maybe' is not a boolean" in m for m in decision['problems']['n1'])


@pytest.mark.parametrize('version, warned', [('1.8.7', True), ('1.20.8', True), ('1.21.0', False), ('1.22.6', False),
                                             ('v1.21.4+ent', False)])
def test_preflight_warns_about_a_release_hashicorp_no_longer_supports(version, warned):
    warnings = _cluster.preflight(dict(INVENTORY), SERVERS3, ['c4'], SERVERS3 + ['c4'], 'n1', version=version)['warnings']
    assert bool([w for w in warnings if 'no longer supports' in w]) is warned
    assert all(version in w and 'CVE-2021-37219' in w for w in warnings if 'no longer supports' in w)


def test_new_hosts_alone_cannot_tell_what_a_datacenter_runs():
    """--limit to a new client of a datacenter that runs elsewhere: unset variables are refused, set ones pass."""
    hosts = dict(c9=dict(security=None, running=False))
    blind = _cluster.security_modes(hosts, ['c9'], servers=SERVERS3)
    assert [m.split(' is unset')[0] for m in blind['problems']] == ['consul_cluster_tls_enabled', 'consul_cluster_acl_enabled']
    assert 'none of its servers is in the play' in blind['problems'][0]
    assert _cluster.security_modes(hosts, ['c9'], tls=False, acl=False, servers=SERVERS3)['problems'] == []
    # a new datacenter with its servers in the play is new, not unknown
    assert _cluster.security_modes(dict(n1={}), ['n1'], servers=SERVERS3)['problems'] == []


def test_probe_records_read_the_probe_or_the_view_asked_again():
    result = dict(config_files=['/etc/consul.d/consul.json'], data_files={'/opt/consul/raft/raft.db': 'consul'},
                  config=[], unit=dict(active='active'), paths={}, agent=dict(node='n1'))
    records = _cluster.probe_records(dict(n1=result))
    assert records['n1']['files'] == ['consul.json', 'raft.db'] and records['n1']['agent'] == dict(node='n1')
    assert records['n1']['owners'] == {'/opt/consul/raft/raft.db': 'consul'}
    asked = _cluster.probe_records(dict(n1=result), views=dict(n1=dict(node='n1', leader='10.0.0.1:8300')))
    assert asked['n1']['agent']['leader'] == '10.0.0.1:8300'


KEY_FILE = '/etc/consul.d/encrypt.json'


@pytest.mark.parametrize('change, shared', [
    (None, True),
    (lambda paths: paths.pop(KEY_FILE), False),  # a host without the key file needs it written
    (lambda paths: paths[KEY_FILE].update(checksum='other'), False),
    (lambda paths: paths[KEY_FILE].update(mode='0644'), False),  # its mode is fixed by writing it
])
def test_the_gossip_key_needs_no_read_when_every_agent_has_the_same_file(recorded, change, shared):
    spec = dict((host, value) for host, value in running().items() if host in SERVERS3)
    found = probes(recorded, spec)
    for host in found:
        found[host]['paths'] = {KEY_FILE: dict(checksum='k1', owner='root', group='consul', mode='0640')}
    if change:
        change(found['n2']['paths'])
    decision = _cluster.cluster_state(found, SERVERS3, list(spec), list(spec), 'n1', key_file=KEY_FILE)
    assert decision['key_shared'] is shared
    # a server outside the batch may have another file
    assert not _cluster.cluster_state(found, SERVERS3 + ['n4'], list(spec), list(spec), 'n1', key_file=KEY_FILE)['key_shared']


@pytest.mark.parametrize('methods, asks', [(dict(), False), (dict(c4='copy'), False), (dict(c4='archive'), True),
                                           (dict(n2='package'), True), (dict(c5='archive'), False)])
def test_preflight_says_whether_a_host_of_the_play_asks_an_install_source(methods, asks):
    # c5 is outside the play: its install method is not this run's business
    inventory = dict(INVENTORY, c5=host('c5', '10.0.0.5'))
    inventory.update((name, host(name, inventory[name]['addr'], install_method=method)) for name, method in methods.items())
    decision = _cluster.preflight(inventory, SERVERS3, ['c4', 'c5'], SERVERS3 + ['c4'], 'n1')
    assert decision['asks_source'] is asks
