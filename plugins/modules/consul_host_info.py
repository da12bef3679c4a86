#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_host_info
short_description: Read what a host has for Consul on disk, how its unit runs and what its agent says, in one call
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - One read-only probe of a Consul host - the configuration files in O(config_dir) with their top-level keys, the
    entries of O(data_dir) with their owners, the systemd unit O(service), the checksum, owner and mode of chosen
    O(paths), and the local agent's view of its datacenter (what M(quorum.consul.consul_peers_info) returns without
    waiting).
  - Of the configuration files only the key names and the values of C(bootstrap), C(bootstrap_expect), C(data_dir),
    C(node_name) and C(datacenter) are returned; a gossip key or a token in a file never leaves the host.
  - The role M(quorum.consul.consul_cluster) decides from this probe, so a re-run on a healthy datacenter needs one
    task per host to know that nothing is to be done.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Only reads; runs the same in check mode.
    support: full
options:
  config_dir:
    description: The agent's configuration directory; its C(*.json) and C(*.hcl) files are listed and read.
    type: path
    required: true
  data_dir:
    description: The agent's data directory; its entries and theirs (two levels) are listed with their owners.
    type: path
    required: true
  service:
    description: The systemd unit of the agent.
    type: str
    default: consul
  paths:
    description:
      - Files and directories to report the SHA-1 checksum (files only), owner, group and mode of (missing ones are
        null).
      - A file M(quorum.consul.consul_agent_files) put in place (the copy method's binary) carries the SHA-1 it was
        written with in an extended attribute (C(user.quorum.sha1), with the file's inode, size and modification
        time); while those are unchanged, that SHA-1 is reported and the file is not read again.
    type: list
    elements: path
    default: []
  skip_summary:
    description: File names in O(config_dir) that are listed but not read (the caller wrote them and knows them).
    type: list
    elements: str
    default: []
  security_of:
    description: A configuration file the caller wrote (JSON), whose TLS and ACL settings RV(security) reports, as
      booleans only.
    type: path
  agent:
    description: Ask the local agent (RV(agent)). C(false) returns an empty RV(agent), for a caller that asks later
      with credentials it does not hold yet.
    type: bool
    default: true
  http_port:
    description:
      - When the agent does not answer on HTTPS, ask its plain HTTP API on this port (a datacenter that moves to TLS
        answers on HTTP until its last stage). C(scheme) in RV(agent) says which answered.
    type: int
  network:
    description: Also return RV(network), the host's addresses as C(ansible.builtin.setup) names them in its
      C(network) subset, so that a play needs no separate fact gathering for them. Two calls of C(ip) (three with
      IPv6), not the whole network fact collector.
    type: bool
    default: false
  platform:
    description: Fill RV(platform) with what the C(platform), C(distribution) and C(pkg_mgr) subsets of
      C(ansible.builtin.setup) give, gathered by setup's own collectors, so that a play needs no separate fact
      gathering for them.
    type: bool
    default: false
  record:
    description:
      - The host's settings as the caller holds them (no secrets, since they are returned), returned as RV(record) with what
        this probe found added, so that one task per host yields the whole record a caller decides from.
      - Added - C(security) (RV(security)); with O(network), C(addresses) (RV(network)'s IPv4 and IPv6 addresses) and,
        when C(addr) is empty, the default route's IPv4 address; with O(platform), C(pkg_mgr) when it is empty.
    type: dict
  role_record:
    description:
      - O(record) holds the settings of the role M(quorum.consul.consul_cluster) - C(config_dir), C(data_dir),
        C(unit_file), C(config_file), C(encrypt_file), C(flag_file), C(tls_dir), C(install_method) and
        C(binary_path) - and the probe looks at what the role writes, so that the caller names each setting once.
      - Every path the role writes is added to O(paths) (the copy method's binary, the TLS files whether or not the
        datacenter runs TLS), the files C(config_file), C(encrypt_file) and C(flag_file) to O(skip_summary), and
        C(config_file) is O(security_of) unless that is given.
    type: bool
    default: false
seealso:
  - module: quorum.consul.consul_peers_info
"""

EXAMPLES = r"""
- name: Probe the host before deciding anything
  quorum.consul.consul_host_info:
    config_dir: /etc/consul.d
    data_dir: /opt/consul
    paths: [/usr/local/bin/consul, /etc/consul.d/consul.json]
  register: probe

- name: Show which files set the bootstrap flag
  ansible.builtin.debug:
    msg: "{{ probe.config | selectattr('values.bootstrap', 'defined') | map(attribute='path') }}"
"""

RETURN = r"""
config_files:
  description: The C(*.json) and C(*.hcl) files of O(config_dir), sorted (the order Consul reads them in).
  returned: success
  type: list
  elements: str
config:
  description: Per configuration file not in O(skip_summary) - C(path), C(keys) (its top-level keys), C(values) (the
    watched values it sets) and C(error) (why it could not be read, else empty).
  returned: success
  type: list
  elements: dict
data_files:
  description: Entries of O(data_dir) and of its subdirectories, each path with the name of its owner.
  returned: success
  type: dict
  sample: {/opt/consul/raft: consul, /opt/consul/raft/raft.db: consul}
security:
  description: What O(security_of) turns on - C(tls) (the plain HTTP port closed, or TLS keys) and C(acl)
    (C(acl.enabled)); null when the file does not exist or O(security_of) is not set.
  returned: success
  type: dict
  sample: {tls: true, acl: true}
unit:
  description: The unit's C(path) (its file, empty when systemd does not know it), C(user), C(active) (ActiveState),
    C(enabled) (UnitFileState), C(dropins) (drop-in files) and C(error) (why systemd could not be asked, else empty).
  returned: success
  type: dict
paths:
  description: Per O(paths) entry, null when missing, else C(checksum) (SHA-1), C(owner), C(group) and C(mode) (of
    what a symbolic link leads to) and C(link) (whether the path itself is a symbolic link).
  returned: success
  type: dict
  sample: {/etc/consul.d/consul.json: {checksum: 0a4d55a8d778e5022fab701977c5d840bbc486d0, owner: root,
           group: consul, mode: "0640", link: false}}
agent:
  description:
    - What the local agent answers - the return values of M(quorum.consul.consul_peers_info) (C(node), C(leader),
      C(servers), C(members), C(raft), ...) - or, when it does not answer, C(msg) and C(status) (the HTTP status of
      an error answer, null when nothing answered). Empty with O(agent=false).
    - A client agent's C(peers), C(servers) and C(autopilot) are left out (empty, empty and null) - servers answer
      them.
  returned: success
  type: dict
network:
  description:
    - With O(network), these facts of C(ansible.builtin.setup), named as in C(ansible_facts) (without the C(ansible_)
      prefix) - C(all_ipv4_addresses) (every address but 127.0.0.0/8), C(all_ipv6_addresses) (every address but ::1),
      C(default_ipv4) and C(default_ipv6) (C(address), C(interface) and C(gateway) of the route to the internet,
      as far as there is one; empty without).
    - They are returned as values, not as facts, as an info module should. Without the C(ip) command all are empty.
  returned: when O(network=true)
  type: dict
  sample: {default_ipv4: {address: 10.89.65.11, interface: eth0, gateway: 10.89.65.1}, default_ipv6: {},
           all_ipv4_addresses: [10.89.65.11], all_ipv6_addresses: ["fe80::1"]}
record:
  description: O(record) with what the probe found added (see O(record)).
  returned: when O(record) is given
  type: dict
  sample: {node: consul-a, addr: 10.89.65.11, addresses: [10.89.65.11], pkg_mgr: apt, security: {tls: true, acl: true}}
platform:
  description:
    - With O(platform), these facts of C(ansible.builtin.setup), named as in C(ansible_facts) (without the
      C(ansible_) prefix) - C(architecture), C(system), C(distribution), C(distribution_release), C(os_family),
      C(pkg_mgr) and the rest of the C(platform), C(distribution) and C(pkg_mgr) subsets. Values, not facts.
    - Empty without O(platform).
  returned: success
  type: dict
  sample: {architecture: x86_64, distribution: Debian, distribution_release: bookworm, os_family: Debian,
           pkg_mgr: apt, system: Linux}
"""

import grp
import os
import pwd
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulConnectionError,
    ConsulError,
    client_from_params,
    connection_argument_spec,
    snapshot,
)
from ansible_collections.quorum.consul.plugins.module_utils._config_scan import config_summary, security_summary
from ansible_collections.quorum.consul.plugins.module_utils._files import kept_digest, probed_settings, role_path_kinds

UNIT_PROPERTIES = (('FragmentPath', 'path'), ('User', 'user'), ('ActiveState', 'active'),
                   ('UnitFileState', 'enabled'), ('DropInPaths', 'dropins'))


def _name(lookup, ident):
    try:
        return lookup(ident)[0]
    except KeyError:
        return str(ident)


def config_files(config_dir):
    try:
        names = sorted(os.listdir(config_dir))
    except OSError:
        return []
    return [os.path.join(config_dir, name) for name in names
            if name.endswith(('.json', '.hcl')) and os.path.isfile(os.path.join(config_dir, name))]


def data_files(data_dir):
    """Owner of each entry of data_dir and of its subdirectories (an agent once run as root leaves root's files)."""
    found = {}
    try:
        top = sorted(os.listdir(data_dir))
    except OSError:
        return found
    for name in top:
        path = os.path.join(data_dir, name)
        entries = [path]
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                entries += [os.path.join(path, child) for child in sorted(os.listdir(path))]
            except OSError:
                pass
        for entry in entries:
            # a running agent renames and removes files (serf snapshots) while this looks
            try:
                found[entry] = _name(pwd.getpwuid, os.lstat(entry).st_uid)
            except OSError:
                pass
    return found


def file_facts(path):
    try:
        info = os.stat(path)
    except OSError:
        return None
    checksum = None
    if stat.S_ISREG(info.st_mode):
        try:
            checksum = kept_digest(path)
        except OSError:
            return None
    return dict(checksum=checksum, owner=_name(pwd.getpwuid, info.st_uid),
                group=_name(grp.getgrgid, info.st_gid), mode='%04o' % stat.S_IMODE(info.st_mode),
                link=os.path.islink(path))


def unit_status(module, service):
    systemctl = module.get_bin_path('systemctl', required=True)
    props = ','.join(name for name, key in UNIT_PROPERTIES)
    rc, out, err = module.run_command([systemctl, 'show', service, '--property', props])
    # no systemd running (a container without it, a build host): the unit is unknown, which is what it is
    values = dict(line.split('=', 1) for line in out.splitlines() if '=' in line) if rc == 0 else {}
    unit = dict((key, values.get(name, '')) for name, key in UNIT_PROPERTIES)
    unit['dropins'] = unit['dropins'].split()
    unit['error'] = '' if rc == 0 else (err.strip() or out.strip() or 'systemctl show failed')
    return unit


# What setup's LinuxNetwork asks to find the default routes' interface, source address and gateway.
ROUTE_TARGETS = (('default_ipv4', '-4', '8.8.8.8'), ('default_ipv6', '-6', '2404:6800:400a:800::1012'))


def network_facts(module):
    """The host's addresses, as setup's network subset gives them, from `ip -o addr` and `ip route get`.

    Setup's collector would add 70 ms of imports and a call of ip per interface to every probe.
    """
    facts = dict(all_ipv4_addresses=[], all_ipv6_addresses=[], default_ipv4={}, default_ipv6={})
    ip = module.get_bin_path('ip')
    if not ip:
        return facts
    rc, out, dummy = module.run_command([ip, '-o', 'addr', 'show'])
    for line in out.splitlines() if rc == 0 else ():
        # "2: eth0    inet 10.89.65.11/24 brd 10.89.65.255 scope global eth0\       valid_lft forever ..."
        words = line.split()
        if len(words) < 4:
            continue
        address = words[3].split('/')[0]
        if words[2] == 'inet' and not address.startswith('127.'):
            facts['all_ipv4_addresses'].append(address)
        elif words[2] == 'inet6' and address != '::1':
            facts['all_ipv6_addresses'].append(address)
    for key, family, target in ROUTE_TARGETS:
        if not facts['all_ipv%s_addresses' % family[1]]:
            continue
        rc, out, dummy = module.run_command([ip, family, 'route', 'get', target])
        words = out.split() if rc == 0 else []
        for word, name in (('dev', 'interface'), ('src', 'address'), ('via', 'gateway')):
            if word in words[:-1]:
                facts[key][name] = words[words.index(word) + 1]
    return facts


def platform_facts(module):
    """What setup's platform, distribution and pkg_mgr subsets give, from setup's collectors. They travel in every
    probe's payload (Ansible packs the imports of functions too) but are imported only here, when asked for."""
    from ansible.module_utils.facts import ansible_collector
    from ansible.module_utils.facts.namespace import PrefixFactNamespace
    from ansible.module_utils.facts.system.distribution import DistributionFactCollector
    from ansible.module_utils.facts.system.pkg_mgr import OpenBSDPkgMgrFactCollector, PkgMgrFactCollector
    from ansible.module_utils.facts.system.platform import PlatformFactCollector

    # setup's namespace: the pkg_mgr collector reads the distribution's facts by their ansible_ names
    collector = ansible_collector.get_ansible_collector(
        all_collector_classes=[PlatformFactCollector, DistributionFactCollector, PkgMgrFactCollector,
                               OpenBSDPkgMgrFactCollector],
        namespace=PrefixFactNamespace(namespace_name='ansible', prefix='ansible_'),
        gather_subset=['!all', 'platform', 'distribution', 'pkg_mgr'], minimal_gather_subset=frozenset())
    # gather_subset and module_setup are the collector's own bookkeeping, not facts of the host
    return dict((key[len('ansible_'):], value) for key, value in collector.collect(module=module).items()
                if key.startswith('ansible_'))


def host_record(record, found):
    """The caller's record with what the probe found (found: the network, platform and security it returns)."""
    record = dict(record, security=found['security'])
    network = found.get('network')
    if network:
        record['addresses'] = network['all_ipv4_addresses'] + network['all_ipv6_addresses']
        record['addr'] = record.get('addr') or network['default_ipv4'].get('address', '')
    if found['platform']:
        record['pkg_mgr'] = record.get('pkg_mgr') or found['platform'].get('pkg_mgr', '')
    return record


# What O(role_record) reads of the record (the role's settings).
ROLE_SETTINGS = ('config_dir', 'data_dir', 'unit_file', 'config_file', 'encrypt_file', 'flag_file', 'tls_dir',
                 'install_method', 'binary_path')


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        config_dir=dict(type='path', required=True),
        data_dir=dict(type='path', required=True),
        service=dict(type='str', default='consul'),
        paths=dict(type='list', elements='path', default=[]),
        skip_summary=dict(type='list', elements='str', default=[]),
        security_of=dict(type='path'),
        agent=dict(type='bool', default=True),
        http_port=dict(type='int'),
        network=dict(type='bool', default=False),
        platform=dict(type='bool', default=False),
        record=dict(type='dict'),
        role_record=dict(type='bool', default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[('role_record', True, ['record'])])
    params = module.params
    paths, skip_summary, security_of = list(params['paths']), list(params['skip_summary']), params['security_of']
    if params['role_record']:
        role = params['record']
        missing = [key for key in ROLE_SETTINGS if not role.get(key)]
        if missing:
            module.fail_json(msg='role_record: record lacks %s' % ', '.join(missing))
        paths += [path for path, _kind in role_path_kinds(probed_settings(role)) if path not in paths]
        skip_summary += [os.path.basename(role[key]) for key in ('config_file', 'encrypt_file', 'flag_file')]
        security_of = security_of or role['config_file']
    files = config_files(params['config_dir'])
    summaries = []
    for path in files:
        if os.path.basename(path) in skip_summary:
            continue
        with open(path, 'rb') as handle:
            summaries.append(config_summary(to_text(handle.read(), errors='surrogate_or_replace'), path))
    # The agent before the unit: an agent that answered is not taken for one outside the unit because the unit
    # was still starting when it was looked at.
    agent = {}
    try:
        if params['agent']:
            client = client_from_params(params)
            try:
                agent = snapshot(client, tolerate_denied=True, raft_of_clients=False)
            except ConsulConnectionError:
                if client.scheme != 'https' or not params['http_port']:
                    raise
                agent = snapshot(client_from_params(dict(params, scheme='http', port=params['http_port'])),
                                 tolerate_denied=True, raft_of_clients=False)
    except ConsulError as exc:
        agent = dict(msg=str(exc), status=exc.status)
    extra = {}
    if params['network']:
        extra['network'] = network_facts(module)
    # always there, so that a caller's missing-key check never has to look into the whole result
    extra['platform'] = platform_facts(module) if params['platform'] else {}
    extra['security'] = None
    if security_of and os.path.isfile(security_of):
        with open(security_of, 'rb') as handle:
            extra['security'] = security_summary(to_text(handle.read(), errors='surrogate_or_replace'))
    if params['record'] is not None:
        extra['record'] = host_record(params['record'], extra)
    module.exit_json(
        changed=False,
        config_files=files,
        config=summaries,
        data_files=data_files(params['data_dir']),
        unit=unit_status(module, params['service']),
        paths=dict((path, file_facts(path)) for path in paths),
        agent=agent,
        **extra
    )


if __name__ == '__main__':
    main()
