# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The consul_cluster role's decisions, as pure functions over plain dicts and lists.

The role gathers one probe per host, calls one of these once per run (through the filters in
plugins/filter/) and only acts on the frozen result. Standard library only; every function runs in
time linear in the number of hosts. The steps named below are those of HashiCorp's guide
"Manually Bootstrapping a Datacenter".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from collections.abc import Mapping

from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import managed_keys, private_file, version_tuple

RAFT_DB = 'raft.db'
FLAG_FILE = 'bootstrap.json'
KEY_FILE = 'encrypt.json'

# \Z, not $: $ also matches before a final newline
DATACENTER = re.compile(r'[A-Za-z0-9_-]+\Z')
# FQDN inventory names stay valid; no '..', no leading '.': node names become paths on the controller (certs/<node>)
NODE_NAME = re.compile(r'(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_.-]*\Z')
NODE_NAME_MAX = 253
USER_NAME = re.compile(r'[a-z_][a-z0-9_-]*[$]?\Z')
USER_NAME_MAX = 32
# Written into the unit: systemd splits on whitespace ('/opt/consul /' would be two paths) and expands %, $ and \
UNIT_PATH = re.compile(r'/[^\s\x00-\x1f\x7f%$\\\'";]*\Z')
UNIT_PATHS = (('binary_path', 'consul_cluster_binary_path'), ('config_dir', 'consul_cluster_config_dir'),
              ('data_dir', 'consul_cluster_data_dir'))

_ACL = ('the role manages ACLs through consul_cluster_acl_enabled, consul_cluster_acl_default_policy, '
        'consul_cluster_acl_down_policy and consul_cluster_acl_management_token')
_GOSSIP = 'the role manages gossip encryption through consul_cluster_encrypt_key'
_TLS = 'the role manages TLS through consul_cluster_tls_enabled and the consul_cluster_tls_*_src variables'
_EXEC = "it lets anyone with write access to Consul's API run commands on the hosts (HashiCorp's security model)"
_BOOTSTRAP = 'the role bootstraps the datacenter itself, from consul_cluster_bootstrap_host'
# Keys of consul.json that consul_cluster_extra_config, merged last, would take from the role, and why not.
MANAGED_KEYS = (
    ('acl', _ACL),
    ('encrypt', _GOSSIP), ('encrypt_verify_incoming', _GOSSIP), ('encrypt_verify_outgoing', _GOSSIP),
    ('tls', _TLS), ('verify_incoming', _TLS), ('verify_incoming_rpc', _TLS), ('verify_incoming_https', _TLS),
    ('verify_outgoing', _TLS), ('verify_server_hostname', _TLS), ('ca_file', _TLS), ('ca_path', _TLS),
    ('cert_file', _TLS), ('key_file', _TLS),
    ('ports.http', 'the role sets it from consul_cluster_http_port'),
    ('ports.https', 'the role sets it from consul_cluster_https_port'),
    ('enable_script_checks', _EXEC), ('enable_local_script_checks', _EXEC),
    ('bootstrap', _BOOTSTRAP), ('bootstrap_expect', _BOOTSTRAP),
    ('server', 'the role sets it from the servers group (consul_cluster_servers_group)'),
    ('data_dir', 'the role sets it from consul_cluster_data_dir'),
    ('datacenter', 'the role sets it from consul_cluster_datacenter'),
    ('node_name', 'the role sets it from consul_cluster_node_name'),
)

# consul_cluster_bootstrap_mode: the guide's procedure, or bootstrap_expect on every server
BOOTSTRAP_MODES = ('manual', 'expect')


def _group(name, variable):
    return "group '%s' (%s)" % (name, variable)


def _text(record, field):
    """A field of a host's record as text ('' for null), or None when the record does not carry it.

    Messages show it with %r: quoted, a newline or control character escaped, so a message stays on one line.
    """
    if field not in record:
        return None
    return '' if record[field] is None else str(record[field])


def _managed(path):
    """(key, why) for every key of MANAGED_KEYS that a key path of consul_cluster_extra_config sets: the key, a key
    under it or, for a path listed without its keys (its value is not a mapping), a key it replaces."""
    # Consul 1.8 still reads the top-level acl_* keys of before 1.4 (acl_token, acl_master_token, ...)
    name = 'acl' if path.startswith('acl_') else path
    return [(key, why) for key, why in MANAGED_KEYS
            if name == key or name.startswith(key + '.') or key.startswith(name + '.')]


# The oldest Consul release line HashiCorp still supports as far as this collection knows: HashiCorp supports the
# newest three major releases, and 1.22 is the newest its golden tests cover (December 2026).
SUPPORTED_FROM = (1, 21, 0)


def _flag(value):
    """A variable that may be unset (None or '', the role's default) or a boolean, also as text from -e."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    # what Ansible's argument spec takes for a bool
    if text in ('true', 'yes', 'on', '1', 'y', 't', '1.0'):
        return True
    if text in ('false', 'no', 'off', '0', 'n', 'f', '0.0'):
        return False
    raise ValueError('%r is not a boolean' % (value,))


def security_modes(hosts, play_hosts, tls=None, acl=None, datacenter='dc1', servers=None):
    """TLS and ACLs for this run, and why: the variable when it is set (true or false), else on for a new datacenter
    and what a running datacenter runs, so that a new release of the role never changes a running datacenter's
    security by itself.

    hosts: {host: record} as preflight() takes them; a host of the play carries security ({tls, acl} that the
    configuration the role wrote there turns on, or None without one) and running (raft state in its data directory,
    or an agent that answered). Returns tls, acl, running, line (what the summary says) and problems: a variable that
    would turn TLS or ACLs off on a running datacenter, or both on at once (turning one on moves the datacenter in
    HashiCorp's stages: moving_to_tls, moving_to_acl), and an unset
    one when nothing in the play tells (no server of the inventory in it, no state on its hosts: new hosts added with
    --limit to a datacenter that runs elsewhere).
    """
    records = [hosts.get(host) or {} for host in play_hosts]
    running = any(r.get('running') or r.get('security') is not None for r in records)
    blind = not running and bool(servers) and not set(servers) & set(play_hosts)
    out = dict(running=running, problems=[])
    why = []
    for kind, wanted, variable, name in (('tls', tls, 'consul_cluster_tls_enabled', 'TLS'),
                                         ('acl', acl, 'consul_cluster_acl_enabled', 'ACLs')):
        runs = sorted(host for host in play_hosts if ((hosts.get(host) or {}).get('security') or {}).get(kind))
        wanted = _flag(wanted)
        if wanted is None and blind:
            out['problems'].append(
                '%s is unset, and no host of this play shows whether datacenter %s runs %s (none of its servers is in '
                'the play and its hosts hold no state): set %s to what the datacenter runs, or include a server.'
                % (variable, datacenter, name, variable))
        if wanted is None:
            out[kind] = bool(runs) if running else True
            source = 'what the datacenter runs' if running else 'a new datacenter'
            why.append('%s %s (%s)' % (name, 'on' if out[kind] else 'off', source))
            continue
        out[kind] = wanted
        why.append('%s %s (%s)' % (name, 'on' if wanted else 'off', variable))
        if running and wanted and not runs and kind == 'tls':
            # HashiCorp's staged move of a running datacenter to TLS (cluster_adoption's tls stages)
            why[-1] = ('TLS on (%s: the running datacenter moves to it in stages; applications that call an agent '
                       'over plain HTTP must move to HTTPS on consul_cluster_https_port with the CA, which every host '
                       'has in its tls directory, or keep plain HTTP on 127.0.0.1 with consul_cluster_tls_http_loopback)'
                       % variable)
            out['moving_to_tls'] = True
        elif running and wanted and not runs:
            # HashiCorp's order for ACLs on a running datacenter (cluster_adoption's acl stages)
            why[-1] = ('ACLs on (%s: the running datacenter moves to them in stages; with the default policy deny, '
                       'applications that call the API without a token are refused)' % variable)
            out['moving_to_acl'] = True
        elif running and wanted != bool(runs):
            out['problems'].append(
                "%s is %s, but datacenter %s runs %s: turning %s %s on a running datacenter takes HashiCorp's "
                "staged procedure, which this role does not run yet. Unset %s to keep what the datacenter runs."
                % (variable, str(wanted).lower(), datacenter,
                   ('with %s (on %s)' % (name, ', '.join(runs))) if runs else 'without %s' % name,
                   name, 'on' if wanted else 'off', variable))
    if out.get('moving_to_tls') and out.get('moving_to_acl'):
        out['problems'].append(
            'consul_cluster_tls_enabled and consul_cluster_acl_enabled are true and datacenter %s runs neither: the role '
            'moves a running datacenter one change at a time. Move to TLS first (consul_cluster_tls_enabled=true alone), '
            'then turn ACLs on; nothing was changed.' % datacenter)
    elif out.get('moving_to_tls') and out['acl']:
        out['problems'].append(
            'consul_cluster_tls_enabled is true and datacenter %s runs without TLS but with ACLs: the role moves a running '
            'datacenter to TLS in stages only without ACLs yet. Move to TLS before turning ACLs on; nothing was changed.'
            % datacenter)
    out['line'] = ('security: %s, gossip encrypted. A running datacenter keeps what it runs unless '
                   'consul_cluster_tls_enabled or consul_cluster_acl_enabled is set.' % ', '.join(why))
    return out


def version_warnings(version):
    """A warning when consul_cluster_version is a release line HashiCorp no longer supports."""
    if version_tuple(version) >= SUPPORTED_FROM:
        return []
    return ['WARNING: consul_cluster_version %s is a release HashiCorp no longer supports (it fixes the newest three '
            'major releases, %d.%d and later): it gets no security fixes (for example CVE-2021-37219, fixed in '
            '1.8.15: any certificate signed by the agents\' CA reaches server-only RPC). Upgrade, one server at a '
            'time, by setting consul_cluster_version.' % ((version,) + SUPPORTED_FROM[:2])]


def extra_key_paths(extra):
    """consul_cluster_extra_config's key paths, two levels deep ('ports.http'; a key whose value is not a mapping
    alone), as deep as a key preflight refuses: never its values, which may be secrets."""
    paths = []
    for key, value in (extra or {}).items():
        paths += ['%s.%s' % (key, sub) for sub in value] if isinstance(value, Mapping) else [key]
    return paths


def probe_running(result):
    """Whether a datacenter runs on a host, from its probe (consul_host_info): its agent answered, or raft state."""
    result = result or {}
    return bool((result.get('agent') or {}).get('node')) or any(
        path.rsplit('/', 1)[-1] == 'raft.db' for path in result.get('data_files') or {})


def split_roles(servers, clients):
    """{host: 'server' | 'client'}; a host in both groups is a server."""
    roles = dict((host, 'client') for host in clients)
    roles.update((host, 'server') for host in servers)
    return roles


def preflight(hosts, servers, clients, play_hosts, bootstrap_host, allow_single_server=False,
              servers_group='consul_servers', clients_group='consul_clients', tls=None, acl=None, version='',
              datacenter='dc1', bootstrap_mode='manual'):
    """Check the inventory and variables before any change.

    hosts: {host: {node, addr, addresses, install_method, binary_src, binary_file, binary_path, package_repo, pkg_mgr,
    datacenter, user, config_dir, data_dir, extra_keys}} for every host of the play and every server and client
    outside it; addresses is None for a host whose own addresses were not gathered (outside the play), the other
    settings matter only for hosts of the play and are checked when present. extra_keys: the key paths of
    consul_cluster_extra_config ('ports.http'; a key whose value is not a mapping alone), never its values.
    A host of the play also carries security and running (see security_modes); tls and acl are the variables
    (None: the default, secure for a new datacenter), version consul_cluster_version (a warning when HashiCorp no
    longer supports it).
    Returns problems ({host: [message]}: each message names a host and the variable to change; problems of
    the whole inventory are reported once, on the first host of the play), warnings, roles (see
    split_roles), server_addrs (in group order), servers and clients of the play, tls and acl (what this run
    makes the datacenter run), security (security_modes()) and asks_source (a host of the play installs from an
    archive or a package, whose source every run asks).
    """
    roles = split_roles(servers, clients)
    report = play_hosts[0] if play_hosts else ''
    problems = dict((host, []) for host in play_hosts)
    common = problems.setdefault(report, [])
    sgroup = _group(servers_group, 'consul_cluster_servers_group')

    if not servers:
        common.append('no servers: %s has no hosts (play hosts: %s)' % (sgroup, ', '.join(play_hosts)))
    elif bootstrap_host not in roles or roles[bootstrap_host] != 'server':
        common.append("consul_cluster_bootstrap_host '%s' is not in %s" % (bootstrap_host, sgroup))
    if bootstrap_mode not in BOOTSTRAP_MODES:
        common.append('consul_cluster_bootstrap_mode is %r: expected one of %s (manual: the guide\'s procedure, Node A '
                      'with bootstrap = true; expect: every server with bootstrap_expect = the number of servers)'
                      % (bootstrap_mode, ', '.join(BOOTSTRAP_MODES)))
    if len(servers) == 1 and not allow_single_server:
        common.append('a single server (%s) loses data when it fails; add servers or set '
                      'consul_cluster_allow_single_server: true' % servers[0])

    owners = {}
    for host in list(servers) + [c for c in clients if roles[c] == 'client']:
        owners.setdefault(hosts.get(host, {}).get('node') or host, []).append(host)
    for node, named in owners.items():
        if len(named) > 1:
            common.append("hosts %s share the node name '%s' (consul_cluster_node_name)" % (', '.join(named), node))

    server_addrs = [hosts.get(host, {}).get('addr') or '' for host in servers]
    for host, addr in zip(servers, server_addrs):
        if not addr:
            common.append('server %s has no address: set consul_cluster_bind_addr for it or include it in the play'
                          % host)

    for host in play_hosts:
        problems[host].extend(host_problems(host, hosts.get(host, {}), roles, servers_group, clients_group))

    try:
        security = security_modes(hosts, play_hosts, tls=tls, acl=acl, datacenter=datacenter, servers=servers)
    except ValueError as exc:
        security = dict(tls=False, acl=False, running=False, line='', problems=[
            'consul_cluster_tls_enabled and consul_cluster_acl_enabled must be true, false or unset: %s' % exc])
    common.extend(security.pop('problems'))

    warnings = version_warnings(version) if version else []
    if servers and len(servers) % 2 == 0:
        warnings.append('WARNING: %d servers in %s tolerate %d failed server(s), no more than %d would; '
                        'use an odd number (3 or 5).'
                        % (len(servers), "group '%s'" % servers_group, (len(servers) - 1) // 2, len(servers) - 1))
    return dict(
        problems=dict((host, found) for host, found in problems.items() if found),
        warnings=warnings,
        roles=roles,
        nodes=dict((host, hosts.get(host, {}).get('node') or host) for host in roles),
        server_addrs=server_addrs,
        addrs=dict((host, record.get('addr') or '') for host, record in hosts.items()),
        play_servers=[host for host in play_hosts if roles.get(host) == 'server'],
        play_clients=[host for host in play_hosts if roles.get(host) == 'client'],
        tls=security['tls'],
        acl=security['acl'],
        security=security,
        bootstrap_mode=bootstrap_mode,
        asks_source=any(hosts.get(host, {}).get('install_method') in ('archive', 'package') for host in play_hosts),
        # per host, what a file of the host's own may not set without being moved aside in a takeover
        role_keys=role_keys(hosts, play_hosts, version, security['tls'], security['acl']),
    )


def role_keys(hosts, play_hosts, version, tls, acl):
    """Per host of the play, the top-level keys the role's consul.json sets (managed_keys), rendered once per distinct
    set of consul_cluster_extra_config keys (most plays: once)."""
    rendered, keys = {}, {}
    for host in play_hosts:
        extra = tuple(sorted((hosts.get(host) or {}).get('extra_keys') or ()))
        if extra not in rendered:
            rendered[extra] = managed_keys(version, tls, acl, extra)
        keys[host] = rendered[extra]
    return keys


def host_problems(host, record, roles, servers_group='consul_servers', clients_group='consul_clients'):
    """What is wrong with one host of the play, each message naming the host and the variable."""
    found = []
    if host not in roles:
        found.append('host %s is in neither %s nor %s' % (
            host, _group(servers_group, 'consul_cluster_servers_group'),
            _group(clients_group, 'consul_cluster_clients_group')))
    addr, own = record.get('addr') or '', record.get('addresses') or []
    if not addr:
        found.append('host %s: consul_cluster_bind_addr is empty and the host has no default IPv4 address' % host)
    elif addr not in own:
        found.append('host %s: consul_cluster_bind_addr %s is not an address of this host (it has %s)'
                     % (host, addr, ', '.join(own)))
    found += input_problems(host, record)
    method = record.get('install_method')
    if method == 'copy' and not record.get('binary_src'):
        found.append('host %s: consul_cluster_install_method is copy but consul_cluster_binary_src is empty' % host)
    elif method == 'copy' and 'binary_file' in record and not record['binary_file']:
        found.append('host %s: consul_cluster_binary_src %s is not a file on the controller' % (host, record['binary_src']))
    if method == 'archive' and (record.get('binary_path') or '').rsplit('/', 1)[-1] != 'consul':
        found.append('host %s: consul_cluster_binary_path must end in /consul for install method archive' % host)
    if method == 'package' and record.get('package_repo') and record.get('pkg_mgr') != 'apt':
        found.append('host %s: consul_cluster_package_repo sets up an apt repository, but the package manager here is '
                     '%s; set consul_cluster_package_repo: false and configure the repository yourself'
                     % (host, record.get('pkg_mgr') or 'unknown'))
    return found


def input_problems(host, record):
    """Values of one host that would not be safe where they end up: node name and datacenter in controller paths and
    consul.json, user and paths in the systemd unit, keys of consul_cluster_extra_config over what the role secures.
    A field the record does not carry is not checked."""
    found = []
    node = _text(record, 'node')
    if node is not None and len(node) > NODE_NAME_MAX:
        found.append('host %s: consul_cluster_node_name is %d characters long, at most %d are allowed'
                     % (host, len(node), NODE_NAME_MAX))
    elif node is not None and not NODE_NAME.match(node):
        found.append("host %s: consul_cluster_node_name %r may only hold letters, digits, '-', '_' and '.', and "
                     "neither start with '.' nor hold '..'" % (host, node))
    datacenter = _text(record, 'datacenter')
    if datacenter is not None and not DATACENTER.match(datacenter):
        found.append("host %s: consul_cluster_datacenter %r may only hold letters, digits, '_' and '-'"
                     % (host, datacenter))
    user = _text(record, 'user')
    if user is not None and (len(user) > USER_NAME_MAX or not USER_NAME.match(user)):
        found.append("host %s: consul_cluster_user %r is not a plain user name: a lowercase letter or '_', then "
                     "lowercase letters, digits, '_' or '-' (a final '$' allowed), at most %d characters"
                     % (host, user, USER_NAME_MAX))
    for field, variable in UNIT_PATHS:
        path = _text(record, field)
        if path is not None and not UNIT_PATH.match(path):
            found.append("host %s: %s %r must be an absolute path without whitespace, control characters, quotes or "
                         "any of %% $ \\ ; (it is written into the systemd unit)" % (host, variable, path))
    refused = {}  # one message per reason: acl.enabled and acl.tokens share one
    for path in (str(path) for path in record.get('extra_keys') or ()):
        for key, why in _managed(path):
            refused.setdefault(why, []).append('%s (it replaces %s)' % (path, key) if key.startswith(path + '.') else path)
    found.extend('host %s: consul_cluster_extra_config may not set %s: %s' % (host, ', '.join(paths), why)
                 for why, paths in refused.items())
    return found


def _raft_state(probe):
    """Whether a server's probe shows raft state: raft.db on disk and, if the agent runs, a non-empty log.

    A running server that never joined anything has a raft.db but an empty log: Consul would still
    bootstrap it, so that is not raft state. A stopped server's raft.db counts, to be safe.
    """
    if RAFT_DB not in probe.get('files', ()):
        return False
    raft = probe.get('agent', {}).get('raft')
    return raft is None or int(raft.get('last_log_index') or 0) > 0


def probe_records(results, views=None):
    """{host: consul_host_info's result} -> {host: the record the decisions read}: files (the basenames in the
    configuration and data directories), owners (the data directory's entries and their owners), config, unit, paths
    and agent: what the agent answered the probe, or, when it was asked again with the run's scheme and tokens,
    views[host] (consul_peers_info's result).
    """
    records = {}
    for host, result in results.items():
        result = result or {}
        data_files = result.get('data_files') or {}
        names = list(result.get('config_files') or []) + list(data_files)
        records[host] = dict(files=[name.rsplit('/', 1)[-1] for name in names], owners=data_files,
                             config=result.get('config') or [], unit=result.get('unit') or {},
                             paths=result.get('paths') or {},
                             agent=(views or {}).get(host) if views is not None else result.get('agent'))
    return records


def _ranked(followers):
    """{leader: [hosts that follow it]} -> its items, most followed first, ties in name order (not probe order)."""
    return sorted(followers.items(), key=lambda item: (-len(item[1]), item[0]))


def _own_address(agent):
    """The gossip address an answering agent has in its own member list ('' when it did not answer)."""
    return next((member.get('address') for member in agent.get('members') or () if member.get('name') == agent.get('node')
                 and agent.get('node')), '')


def _confirmed_leaders(probes, batch_servers):
    """{leader: its view}: the leaders a server of the batch names as itself (raft's Leader state)."""
    views = (probes.get(host, {}).get('agent', {}) for host in batch_servers)
    return dict((view['leader'], view) for view in views
                if view.get('leader') and (view.get('raft') or {}).get('state') == 'Leader')


def _stale_leaders(followers, probes, servers, confirmed):
    """The named leaders that lead no longer, when that can be told: every server whose agent answered reports its raft
    term and the same raft peers, which hold every named leader (one datacenter; a separate cluster's peers differ).
    Raft's leader names itself, so a named leader not in confirmed (_confirmed_leaders) is one the agents last heard of
    (a crash or restart seconds ago, an election under way); of several that still say they lead (an old leader that
    has not stepped down yet), all but the newest term's. [] when it cannot be told."""
    views = [probes[host]['agent'] for host in servers if (probes.get(host) or {}).get('agent', {}).get('node')]
    peer_sets = set(frozenset(view.get('peers') or ()) for view in views)
    if (not views or len(peer_sets) != 1 or not set(followers) <= next(iter(peer_sets))
            or not all(isinstance((view.get('raft') or {}).get('term'), int) for view in views)):
        return []
    terms = dict((name, view['raft']['term']) for name, view in confirmed.items() if name in followers)
    stale = [name for name in followers if name not in terms]
    newest = max(terms.values()) if terms else None
    if list(terms.values()).count(newest) == 1:
        stale += [name for name, term in terms.items() if term < newest]
    return sorted(stale)


def _leads_most_servers(view, servers):
    """Whether a leader's raft configuration has voters for most of the servers group (its peers when the
    configuration was not readable). A separate cluster's leader may list the datacenter's servers too, as non-voters
    that autopilot added when they met through gossip."""
    return (view.get('voters') or len(set(view.get('peers') or ()))) * 2 > len(servers)


# One server of Stats.raft latest_configuration: "[{Suffrage:Voter ID:<node id> Address:10.0.0.1:8300} ...]"
_CONFIG_SERVER = re.compile(r'\{Suffrage:(\w+) ID:\S* Address:(\S+)\}')


def _raft_host(address):
    """A raft address's host, as the agents' member lists give it: '10.0.0.1:8300' and '[fd00::1]:8300' without port
    and brackets."""
    return address.rsplit(':', 1)[0].strip('[]')


def _voters(raft):
    """The hosts (_raft_host) of the voters of a server's latest raft configuration."""
    return frozenset(_raft_host(address)
                     for suffrage, address in _CONFIG_SERVER.findall(raft.get('latest_configuration') or '')
                     if suffrage == 'Voter')


def _election_expected(probes, hosts):
    """Whether raft will elect a leader by itself: the servers among hosts whose agents answer report one raft
    configuration, and those that are voters in it are most of its voters. A minority left after an outage, servers
    not yet promoted, or configurations that differ (a stray, one that missed a change while it was down): no."""
    views = [view for view in ((probes.get(host) or {}).get('agent') or {} for host in hosts) if view.get('raft')]
    configurations = set(_voters(view['raft']) for view in views)
    if len(configurations) != 1:
        return False
    voters = configurations.pop()
    running = [view for view in views if _own_address(view) in voters]
    return len(running) * 2 > len(voters)


def cluster_state(probes, servers, batch, play_hosts, bootstrap_host, recover_stray=False, servers_group='consul_servers',
                  data_dir='/opt/consul', flag_path='/etc/consul.d/bootstrap.json', key_file=None, user='consul',
                  bootstrap_mode='manual'):
    """Decide, from one probe per host, what kind of datacenter this is and what each host must do.

    probes: {host: {files: [basenames found in the data and configuration directories],
                    agent: consul_peers_info's result, or {} when the agent did not answer}}
    for every host of batch (the hosts of this serial batch; all of the play without serial).
    play_hosts: every host of the play (ansible_play_hosts); servers: the whole servers group.

    The datacenter exists ("bootstrapped") when any server has raft state or any agent sees a leader;
    then no host gets the flag. The datacenter's leader is the one most agents follow (not counting a dead one,
    or, in one raft configuration, one that no longer leads; see below); a tie is a refusal.
    A stray is a server that leads or follows another leader, or is alone in its raft configuration while
    other servers have raft state (the guide's last step: started with the flag by accident).
    data_dir and flag_path only word the by-hand fix in the refusal. In bootstrap_mode expect no server gets the flag:
    every server starts with bootstrap_expect (which also makes a one-server datacenter's agent say bootstrap).
    """
    manual = bootstrap_mode != 'expect'
    batch_set = set(batch)
    roles = dict((host, 'server') for host in servers)
    batch_servers = [host for host in batch if host in roles]
    raft_hosts = [host for host in batch_servers if _raft_state(probes.get(host, {}))]

    followers = {}
    for host in batch:
        leader = probes.get(host, {}).get('agent', {}).get('leader') or ''
        if leader:
            followers.setdefault(leader, []).append(host)
    ranked, gone = _ranked(followers), []
    confirmed = _confirmed_leaders(probes, batch_servers)
    if len(ranked) > 1 and set(servers) <= batch_set:
        # Right after a leader dies, agents that have not noticed it yet still name it while others name the new
        # one. A leader that no answering server is, with every server probed, is such a dead one, not a second
        # cluster: its followers are neither counted nor strays (a re-run made in the seconds after a crash is
        # neither refused nor mistakes the new leader for a stray).
        alive = set(_own_address(probes.get(host, {}).get('agent', {})) for host in servers)
        gone = [name for name in followers if _raft_host(name) not in alive]
        if gone and len(gone) < len(ranked):
            ranked = _ranked(dict(item for item in followers.items() if item[0] not in gone))
        else:
            gone = []
        # A server that restarted seconds ago can be caught mid-election: agents name leaders of terms that have
        # passed, or none leads yet. Told apart from separate clusters by one raft configuration (_stale_leaders):
        # then a leader that does not name itself counts no more than a dead one, and with none left the run finds
        # no leader and waits for one, as any run that finds none.
        stale = _stale_leaders(dict(ranked), probes, servers, confirmed) if len(ranked) > 1 else []
        gone += stale
        ranked = [item for item in ranked if item[0] not in stale]
    leader = ranked[0][0] if ranked else ''
    tie = [name for name, hosts in ranked if len(hosts) == len(ranked[0][1])] if ranked else []
    if len(ranked) > 1 and not (leader in confirmed and _leads_most_servers(confirmed[leader], servers)):
        # Strays are wiped on request: agents that disagree make some only against a leader that says it leads a raft
        # configuration of most of the servers group; a count of agents alone could crown a separate cluster while
        # the datacenter elects. Otherwise the doubt is a refusal, as a tie is.
        tie = [name for name, hosts in ranked]

    running_raft = [host for host in raft_hosts if 'raft' in probes[host].get('agent', {})]
    strays, members, unsure, unconfirmed = [], [], [], []
    for host in batch_servers:
        agent = probes.get(host, {}).get('agent', {})
        seen = agent.get('leader') or ''
        alone = len(agent.get('servers') or []) == 1 and any(other != host for other in raft_hosts)
        if len(tie) > 1 or seen in gone:
            continue  # nobody is declared a stray (and wiped) when the datacenter itself is in doubt
        if seen and alone and seen == leader and not any(other != host for other in running_raft):
            # the leader most agents follow, alone, while the other servers with raft state are stopped: which
            # one holds the datacenter cannot be told from here, and a wrong guess wipes it
            unsure.append(host)
        elif seen and (seen != leader or alone) and seen in confirmed:
            strays.append(host)
        elif seen and seen != leader:
            # a leader no server of the batch says it is: one that died or stepped down seconds ago, which this
            # server has not noticed yet, or a separate cluster's leader outside the play; wiping it on that is a guess
            unconfirmed.append(host)
        elif seen:
            members.append(host)
    stray_set = set(strays)
    bootstrapped = bool(raft_hosts or followers)

    problems = []
    # an agent that answers with an error status runs: taking it for a stopped one could bootstrap a second datacenter
    for host in batch:
        agent = probes.get(host, {}).get('agent', {})
        # registered with failed_when: false, the failed call says failed: false; its status is what tells. Only a
        # refused token: a client whose servers are all down answers 500 and is as good as stopped here.
        if agent.get('status') in (401, 403) and not agent.get('node'):
            problems.append('The agent on %s runs but refused the role\'s request (HTTP %s: %s). With ACLs on, the role '
                            'needs the management token (consul_cluster_acl_management_token, or management.token in '
                            'consul_cluster_secrets_dir).' % (host, agent['status'], agent.get('msg', '')))
    if unsure:
        problems.append(
            'Server(s) %s lead a raft configuration of their own while servers %s have raft state but are stopped: '
            'this run cannot tell which of them holds the datacenter, and recovering the wrong one would delete its '
            'data. Start those servers and re-run, or, if they never held data, stop them and delete their raft '
            'folder first.' % (', '.join(unsure), ', '.join(h for h in raft_hosts if h not in unsure)))
    if unconfirmed:
        problems.append(
            'Server(s) %s name another leader (%s) than the datacenter\'s %s, one that no server of this play says it '
            'is: it may have stopped leading seconds ago, or lead a separate cluster outside the play. Re-run in a '
            'few seconds; if this stays, run against every server of group \'%s\'.'
            % (', '.join(unconfirmed), ', '.join(sorted(set(probes[host]['agent']['leader'] for host in unconfirmed))),
               leader, servers_group))
    if len(tie) > 1:
        problems.append(
            'Agents disagree about the leader, with no majority: %s. Each may be a separate cluster formed by '
            'a server started with bootstrap = true; this run cannot tell which one is the datacenter. Stop '
            'the wrong one(s), delete their raft/ folder and bootstrap flag, start them and re-run.'
            % '; '.join('%s followed by %s' % (name, ', '.join(followers[name])) for name in tie))
    elif strays and not recover_stray:
        problems.append(
            'Server(s) %s lead or follow a cluster of their own (%s), not the datacenter\'s leader %s: most '
            'likely started with bootstrap = true and an empty data directory. Anything written to that cluster '
            'is not in the datacenter. To fix it by hand: stop consul there, delete %s/raft and %s, start consul '
            'and join it to a server of the datacenter. Or re-run with consul_cluster_recover_stray_bootstrap=true, '
            'which does exactly that.'
            % (', '.join(strays), ', '.join(probes[host]['agent']['leader'] for host in strays), leader, data_dir,
               flag_path))
    if not bootstrapped and batch_servers:
        in_play = set(play_hosts)
        outside = [host for host in servers if host not in in_play]
        later = [host for host in servers if host not in batch_set and host not in outside]
        if outside:
            problems.append(
                'No server of this play has raft state and no agent sees a leader, but servers %s are not in '
                'the play (failed or excluded by --limit). Bootstrapping now could found a second datacenter '
                "beside theirs; run against every host of group '%s'." % (', '.join(outside), servers_group))
        if later:
            problems.append(
                'No server of this batch has raft state and no agent sees a leader, but servers %s are in a later '
                'serial batch and have not been probed: one of them may hold the datacenter, and bootstrapping '
                'now could found a second one. Found a new datacenter without serial (or with every server in '
                'the first batch).' % ', '.join(later))

    join_host = bootstrap_host
    if bootstrapped:
        # with no leader in sight, a server whose agent answers before a stopped one: others join it, and the calls
        # through the API host (a snapshot) can wait there for the election under way
        known = members + [h for h in running_raft + raft_hosts + batch_servers if h not in stray_set]
        join_host = known[0] if known else ''

    # datacenter-wide API calls (ACLs) go through the join host, else (a play without servers) the first
    # server, which may be outside the play
    api_host = join_host or (servers[0] if servers else '')
    # ready: its agent answers and sees a leader (a server outside the play is taken to be ready when agents
    # of the play see a leader)
    api_seen = probes[api_host].get('agent', {}).get('leader') if api_host in probes else None
    api_host_ready = bool(api_seen) and api_seen not in gone if api_host in probes else bool(ranked)
    # Not ready, but its agent answers and most voters run (a crash or a restart seconds ago, an election under way):
    # raft elects a leader within seconds, so a snapshot through it waits for one instead of being skipped.
    leader_pending = (bootstrapped and not api_host_ready and bool(((probes.get(api_host) or {}).get('agent') or {}).get('node'))
                      and _election_expected(probes, [host for host in raft_hosts if host not in stray_set]))

    holders = [host for host in batch if KEY_FILE in probes.get(host, {}).get('files', ())]
    holders += [host for host in servers if host not in batch_set]
    # every agent already has the same gossip key file (key_file, as the probe's paths report it), owned as the role
    # leaves it: a run that writes other files keeps it, and need not read the key
    held = [((probes.get(host) or {}).get('paths') or {}).get(key_file) for host in batch] if key_file else [None]
    owned = private_file(user)
    key_shared = (all(held) and len(set(facts.get('checksum') for facts in held)) == 1 and set(servers) <= batch_set
                  and all(all(facts.get(key) == value for key, value in owned.items()) for facts in held))

    plan = {}
    for host in batch:
        probe = probes.get(host, {})
        files, agent = probe.get('files', ()), probe.get('agent', {})
        server = host in roles
        stray = host in stray_set
        has_flag = FLAG_FILE in files
        # a flag is harmless next to raft state, but on a server without it the flag founds a second datacenter;
        # in a new datacenter only Node A may have one (a flag left on another server would make it elect itself)
        remove_flag = server and ((bootstrapped and (stray or (has_flag and RAFT_DB not in files)))
                                  or (not bootstrapped and has_flag and host != bootstrap_host))
        write_flag = manual and not bootstrapped and host == bootstrap_host
        plan[host] = dict(
            server=server,
            running='raft' in agent,
            stray=stray,
            remove_flag=remove_flag,
            write_flag=write_flag,
            # the flag stays on until the one-at-a-time restart path takes it off
            flagged=server and not stray and (write_flag or (has_flag and not remove_flag)
                                              or (manual and bool(agent.get('bootstrap')))),
        )
    leader_hosts = [h for h in members if (probes[h]['agent'].get('raft') or {}).get('state') == 'Leader']
    return dict(
        bootstrapped=bootstrapped,
        leader=leader,
        leader_host=leader_hosts[0] if leader_hosts else '',
        raft_hosts=raft_hosts,
        members=members,
        strays=strays,
        join_host=join_host,
        api_host=api_host,
        api_host_ready=api_host_ready,
        leader_pending=leader_pending,
        key_holder=holders[0] if holders else '',
        key_shared=key_shared,
        problems=problems,
        hosts=plan,
    )


def restart_plan(state, changed, later=False):
    """Which servers restart one at a time, and how every other agent is started.

    state: cluster_state()'s result; changed: {host: whether its binary, unit, configuration or key changed}.
    later: a later restart of the same run (a stage of the gossip rollout): every agent runs, the flags are off.
    A server of a running datacenter never restarts in place: it restarts through the one-at-a-time path
    when its flag must come off or something under its running agent changed. A new agent just starts; a
    running client or a server of a datacenter being founded restarts in place when something changed.
    """
    restart, start_state = [], {}
    for host, plan in state['hosts'].items():
        dirty, running = bool(changed.get(host)), later or plan['running']
        if (plan['flagged'] and not later) or (plan['server'] and state['bootstrapped'] and not plan['stray'] and dirty and running):
            restart.append(host)
        in_place = dirty and running and not (plan['server'] and state['bootstrapped'])
        start_state[host] = 'restarted' if in_place else 'started'
    flagged = [host for host, plan in state['hosts'].items() if plan['flagged'] and not later]
    return dict(restart=restart, flagged=flagged, start_state=start_state)


def _leaders(health):
    return [host for host, result in health.items() if (result.get('raft') or {}).get('state') == 'Leader']


def restart_order(hosts, health):
    """hosts in their given order, followers first and the leader last.

    health: {host: consul_peers_info's result} from the health check just before the restarts; every host
    that reports itself leader goes last.
    """
    leaders = set(_leaders(health))
    return [host for host in hosts if host not in leaders] + [host for host in hosts if host in leaders]


def health_summary(health, servers, clients, play_hosts, records):
    """The end state of the play, as summary lines and problems.

    health: {host: consul_peers_info's result} for hosts of the play (a result without raft statistics,
    such as a skipped check, is ignored for servers); records: {host: {node, addr}} for hosts of the play.
    Checks: exactly one server reports itself leader (when every server is in the play), all follow the
    same leader, every server of the play is a voter in the raft configuration the first view shows (the
    leader's when it is in the play), none runs in bootstrap mode, every client of the play is an alive member.
    """
    play = set(play_hosts)
    server_set = set(servers)
    by_host = [(host, health[host]) for host in servers if host in play and 'raft' in (health.get(host) or {})]
    leaders = [result for host, result in by_host if result['raft'].get('state') == 'Leader']
    views = leaders + [result for host, result in by_host]
    views += [health[host] for host in play_hosts if host not in server_set and 'members' in (health.get(host) or {})]
    view = views[0] if views else {}
    client_members = [m for m in view.get('members') or [] if m.get('role') == 'client']

    lines = []
    for host, result in by_host:
        me = [s for s in result.get('servers') or [] if s.get('node') == result.get('node')]
        lines.append('server %s %s %s voter=%s last_log_index=%s bootstrap=%s' % (
            result.get('node'), records.get(host, {}).get('addr', ''), result['raft'].get('state', '').lower(),
            str(bool(me and me[0].get('voter'))).lower(), result['raft'].get('last_log_index'),
            str(bool(result.get('bootstrap'))).lower()))
    lines.extend('client %s %s %s' % (m.get('name'), m.get('address'), m.get('status')) for m in client_members)

    problems = []
    every_server = all(host in play for host in servers)
    if len(leaders) > 1 or (every_server and len(leaders) != 1):
        problems.append('%d servers report themselves leader, expected exactly 1' % len(leaders))
    seen = []
    for host, result in by_host:
        if result.get('leader') not in seen:
            seen.append(result.get('leader'))
    if len(seen) > 1:
        problems.append('servers follow different leaders: %s' % ', '.join(str(s) for s in seen))
    voters = set(s.get('node') for s in view.get('servers') or [] if s.get('voter'))
    if view.get('servers'):
        problems.extend('server %s (%s) is not a voter' % (host, records.get(host, {}).get('node') or host)
                        for host in servers if host in play and (records.get(host, {}).get('node') or host) not in voters)
    problems.extend('server %s still runs in bootstrap mode' % host for host, result in by_host if result.get('bootstrap'))
    alive = set(m.get('name') for m in client_members if m.get('status') == 'alive')
    client_set = set(clients) - server_set
    for host in play_hosts:
        if host in client_set:
            node = records.get(host, {}).get('node') or host
            if node not in alive:
                problems.append('client %s (%s) is not an alive member' % (host, node))
    return dict(lines=lines, problems=problems)


FILE_FACTS = ('checksum', 'owner', 'group', 'mode')


def host_sync(probes, desired, state, adoption, user, nodes, servers, addrs=None):
    """Per host of the play, what stands between it and what a run of the role would leave there.

    probes: {host: probe} with paths ({path: {checksum, owner, group, mode} or None}), unit ({active, enabled,
    user}), agent and owners (the data directory's entries); desired: {host: {path: {checksum, owner, group,
    mode}}}, a checksum of None meaning "any, but the same on every host of the play" (the gossip key file when
    the key is not a variable); state: cluster_state(); adoption: cluster_adoption(); nodes: {host: node name};
    servers: the inventory's servers; addrs: {host: gossip address} (cluster_preflight's addrs).
    Returns {hosts: {host: [reasons]}, all: every host has none, rejoin_addrs}. A host without reasons needs no
    install, configuration, start or join: its files, unit and agent are what the role would make them.
    rejoin_addrs: what a server joins after its restart: the servers, and for a datacenter of one server (which has no
    other server to learn them from after a leave) the play's clients already in sync (the others start and join
    after the restarts).
    """
    shared = {}
    for host, paths in desired.items():
        for path, want in paths.items():
            have = ((probes.get(host) or {}).get('paths') or {}).get(path)
            # a host without the file says so itself; it does not make the others differ
            if want.get('checksum') is None and have:
                shared.setdefault(path, set()).add(have.get('checksum'))
    server_nodes = set(nodes.get(host, host) for host in servers)
    server_hosts = set(servers)
    reasons = {}
    for host, paths in desired.items():
        probe = probes.get(host) or {}
        plan = (state.get('hosts') or {}).get(host) or {}
        taken = (adoption.get('hosts') or {}).get(host) or {}
        found = []
        if not state.get('bootstrapped'):
            found.append('the datacenter is not bootstrapped')
        found += [name for name in ('stray', 'remove_flag', 'write_flag', 'flagged') if plan.get(name)]
        if taken.get('move_aside') or taken.get('unit_backup') or taken.get('behind') or len(adoption.get('gossip') or ()) > 1:
            found.append('taken over')
        have_paths = probe.get('paths') or {}
        for path, want in sorted(paths.items()):
            have = have_paths.get(path)
            if not have:
                found.append('%s is missing' % path)
                continue
            found += ['%s: %s' % (path, key) for key in FILE_FACTS
                      if want.get(key) is not None and have.get(key) != want[key]]
            if want.get('checksum') is None and len(shared.get(path, ())) > 1:
                found.append('%s differs between hosts' % path)
        unit = probe.get('unit') or {}
        if (unit.get('active'), unit.get('enabled'), unit.get('user')) != ('active', 'enabled', user):
            found.append('unit %s/%s as %s' % (unit.get('active'), unit.get('enabled'), unit.get('user')))
        found += ['%s owned by %s' % (path, owner) for path, owner in sorted((probe.get('owners') or {}).items())
                  if owner != user]
        agent = probe.get('agent') or {}
        if agent.get('node') != nodes.get(host, host):
            found.append('agent not running as %s' % nodes.get(host, host))
        alive = set(member.get('name') for member in agent.get('members') or () if member.get('status') == 'alive')
        if not server_nodes <= alive:
            found.append('servers not alive in its view: %s' % ', '.join(sorted(server_nodes - alive)))
        # a moment without a leader (an election) or a server autopilot has not promoted (yet): the run then waits
        # for a healthy datacenter instead of reporting one from its probes
        if host in server_hosts and agent.get('node') and not agent.get('leader'):
            found.append('no leader in its view')
        elif host in server_hosts and agent.get('servers') and nodes.get(host, host) not in set(
                s.get('node') for s in agent['servers'] if s.get('voter')):
            found.append('not a voter')
        reasons[host] = found
    addrs = addrs or {}
    rejoin = [addrs.get(host) or '' for host in servers]
    if len(servers) == 1:
        rejoin += [addrs.get(host) or '' for host in reasons if host not in server_hosts and not reasons[host]]
    return dict(hosts=reasons, all=not any(reasons.values()), rejoin_addrs=rejoin)
