# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_host_info's addresses from recorded `ip` output (the integration test compares them with setup's), and its
scan of the data directory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import pwd

from ansible_collections.quorum.consul.plugins.modules import consul_host_info

ADDR = """1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever
2: eth0    inet 10.89.65.11/24 brd 10.89.65.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.89.65.50/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever
3: docker0    inet 172.17.0.1/16 brd 172.17.255.255 scope global docker0\\       valid_lft forever preferred_lft forever
"""
ROUTE4 = "8.8.8.8 via 10.89.65.1 dev eth0 src 10.89.65.11 uid 0 \n    cache \n"


class FakeModule(object):
    def __init__(self, replies, ip='/usr/sbin/ip'):
        self.replies, self.ip, self.commands = replies, ip, []

    def get_bin_path(self, name):
        return self.ip if name == 'ip' else None

    def run_command(self, argv):
        self.commands.append(' '.join(argv[1:]))
        return self.replies.get(' '.join(argv[1:]), (2, '', 'RTNETLINK answers: Network is unreachable'))


def test_addresses_as_setup_names_them_without_loopback():
    module = FakeModule({'-o addr show': (0, ADDR, ''), '-4 route get 8.8.8.8': (0, ROUTE4, '')})
    facts = consul_host_info.network_facts(module)
    assert facts['all_ipv4_addresses'] == ['10.89.65.11', '10.89.65.50', '172.17.0.1']
    assert facts['all_ipv6_addresses'] == ['fe80::1']
    assert facts['default_ipv4'] == {'address': '10.89.65.11', 'interface': 'eth0', 'gateway': '10.89.65.1'}
    # an IPv6 address but no IPv6 route: no default, and no error
    assert facts['default_ipv6'] == {}


def test_a_family_without_addresses_is_not_asked_for_its_route():
    module = FakeModule({'-o addr show': (0, ADDR.split('2: eth0', maxsplit=1)[0], ''), '-4 route get 8.8.8.8': (0, ROUTE4, '')})
    facts = consul_host_info.network_facts(module)
    assert facts == {'all_ipv4_addresses': [], 'all_ipv6_addresses': [], 'default_ipv4': {}, 'default_ipv6': {}}
    assert module.commands == ['-o addr show']


def test_a_host_without_ip_has_no_addresses():
    facts = consul_host_info.network_facts(FakeModule({}, ip=None))
    assert facts == {'all_ipv4_addresses': [], 'all_ipv6_addresses': [], 'default_ipv4': {}, 'default_ipv6': {}}


def test_the_data_directory_scan_reports_links_themselves_and_never_enters_them(tmp_path):
    # the consul user can plant links in its data directory; the repair chowns what the scan reports
    outside, data = tmp_path / 'outside', tmp_path / 'data'
    (outside / 'dir').mkdir(parents=True)
    (outside / 'dir' / 'child').write_text(u'')
    (outside / 'secret').write_text(u'')
    (data / 'raft').mkdir(parents=True)
    (data / 'raft' / 'raft.db').write_text(u'')
    (data / 'planted').symlink_to(outside / 'secret')
    (data / 'linkdir').symlink_to(outside / 'dir')
    planted = str(data / 'planted')
    if os.geteuid() == 0:
        # as root the link and its target can have different owners
        os.chown(str(outside / 'secret'), 0, 0)
        os.lchown(planted, 65534, 65534)
        assert os.lstat(planted).st_uid != os.stat(planted).st_uid
    found = consul_host_info.data_files(str(data))
    assert sorted(found) == [str(data / name) for name in ('linkdir', 'planted', 'raft', 'raft/raft.db')]
    assert found[planted] == consul_host_info._name(pwd.getpwuid, os.lstat(planted).st_uid)


def test_the_record_gets_what_the_probe_found_and_keeps_what_the_caller_set():
    network = consul_host_info.network_facts(
        FakeModule({'-o addr show': (0, ADDR, ''), '-4 route get 8.8.8.8': (0, ROUTE4, '')}))
    found = dict(network=network, platform=dict(pkg_mgr='apt'), security=dict(tls=True, acl=False))
    record = consul_host_info.host_record(dict(node='n1', addr='', addresses=[], pkg_mgr=''), found)
    assert record == dict(node='n1', addr='10.89.65.11', addresses=['10.89.65.11', '10.89.65.50', '172.17.0.1', 'fe80::1'],
                          pkg_mgr='apt', security=dict(tls=True, acl=False))
    # a bind address and a package manager the caller has (consul_cluster_bind_addr, gathered facts) stay
    kept = consul_host_info.host_record(dict(addr='10.89.65.50', pkg_mgr='dnf'), found)
    assert (kept['addr'], kept['pkg_mgr']) == ('10.89.65.50', 'dnf')
    # without network and platform (the play gathered them): only the security is added
    assert consul_host_info.host_record(dict(addr='10.0.0.1', addresses=['10.0.0.1'], pkg_mgr=''),
                                        dict(platform={}, security=None)) == dict(addr='10.0.0.1', addresses=['10.0.0.1'],
                                                                                  pkg_mgr='', security=None)
