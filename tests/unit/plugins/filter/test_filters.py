# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filters are thin: each exposes one decision of plugin_utils/_cluster.py under its own name.

What they add is tested here: cluster_preflight reads hosts outside the play from hostvars.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import os

import pytest

# every filter file of the collection, found, not listed: a new one is checked without anyone adding it here
FILTER_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')
FILTERS = sorted(name[:-3] for name in os.listdir(FILTER_DIR) if name.endswith('.py') and name != '__init__.py')


def test_the_filters_are_found():
    assert 'cluster_preflight' in FILTERS and 'agent_config' in FILTERS and len(FILTERS) >= 13


@pytest.mark.parametrize('name', FILTERS)
def test_each_file_exposes_its_filter_and_documents_it(name):
    module = importlib.import_module('ansible_collections.quorum.consul.plugins.filter.' + name)
    assert list(module.FilterModule().filters()) == [name]
    assert 'name: %s\n' % name in module.DOCUMENTATION
    assert module.EXAMPLES.strip() and module.RETURN.strip()


def test_preflight_reads_hosts_outside_the_play_from_hostvars():
    from ansible_collections.quorum.consul.plugins.filter.cluster_preflight import cluster_preflight

    records = dict(n1=dict(node='n1', addr='10.0.0.1', addresses=['10.0.0.1'], install_method='none'))
    hostvars = dict(
        # inventory variables win over gathered facts
        n2=dict(consul_cluster_node_name='n2', consul_cluster_bind_addr='10.0.0.2'),
        # facts gathered by the role's preflight for a server outside the play
        n3=dict(ansible_facts=dict(default_ipv4=dict(address='10.0.0.3'))),
        # a client outside the play with another host's node name
        c4=dict(consul_cluster_node_name='n1'),
    )
    decision = cluster_preflight(records, ['n1', 'n2', 'n3'], ['n1'], 'n1', clients=['c4', 'c5'], hostvars=hostvars)
    assert decision['server_addrs'] == ['10.0.0.1', '10.0.0.2', '10.0.0.3']
    assert decision['problems'] == dict(n1=["hosts n1, c4 share the node name 'n1' (consul_cluster_node_name)"])
    assert decision['roles'] == dict(n1='server', n2='server', n3='server', c4='client', c5='client')


def test_preflight_reads_the_extra_keys_and_the_probe_of_a_play_host_from_hostvars():
    from ansible_collections.quorum.consul.plugins.filter.cluster_preflight import cluster_preflight

    records = dict(n1=dict(node='n1', addr='10.0.0.1', addresses=['10.0.0.1'], install_method='none', security=None))
    probe = dict(agent={}, data_files={'/opt/consul/raft/raft.db': 'consul'})
    hostvars = dict(n1=dict(consul_cluster_extra_config=dict(ui_config=dict(enabled=True), ports=dict(http='s3cr3t')),
                            __consul_cluster_probe_result=probe))
    decision = cluster_preflight(records, ['n1'], ['n1'], 'n1', allow_single_server=True, hostvars=hostvars,
                                 tls=False, acl=False)
    # ports.http is the role's: refused by its path, never by its value
    assert any('ports.http' in message for message in decision['problems']['n1'])
    assert 's3cr3t' not in repr(decision)
    assert 'ui_config' in decision['role_keys']['n1'] and decision['security']['running'] is True
