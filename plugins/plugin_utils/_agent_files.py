# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Everything one run of the consul_cluster role writes on one host, decided in one call per host.

The role freezes the result as a fact (no_log: consul.json and encrypt.json hold secrets) and every task that
writes, compares or restarts reads it: the probe comparison (host_sync), consul_agent_files, the gossip stages and
the CA check. Standard library only.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.quorum.consul.plugins.module_utils._files import TLS_FILES, probed_settings
from ansible_collections.quorum.consul.plugins.plugin_utils._agent_config import (
    agent_config, agent_layout, agent_paths, sha1)

# The unit the role writes (consul.service). Type=notify: Consul says READY=1 after its first LAN join, which is why
# every agent has a retry_join (servers their own address too).
UNIT = u"""# Written by the quorum.consul.consul_cluster role; changes here are replaced on its next run.
[Unit]
Description=Consul agent ({kind})
Documentation=https://developer.hashicorp.com/consul/docs
Wants=network-online.target
After=network-online.target
ConditionFileNotEmpty={config_file}

[Service]
# Consul says READY=1 after its first LAN join: servers join their own address (retry_join), clients a server.
Type=notify
# a start (the first join) may take as long as any of the role's waits
TimeoutStartSec={wait_timeout}
User={user}
Group={user}
ExecStart={binary_path} agent -config-dir={config_dir}
ExecReload=/bin/kill --signal HUP $MAINPID
# SIGTERM: a server stays in the raft configuration (leave_on_terminate is false for servers),
# a client leaves and rejoins through retry_join.
KillMode=process
KillSignal=SIGTERM
Restart=on-failure
# Go before 1.19 keeps the soft limit systemd gives (1024).
LimitNOFILE=65536

# Sandbox: the agent writes only its data directory and binds low ports only when configured to.
NoNewPrivileges=yes
CapabilityBoundingSet={bind_cap}
AmbientCapabilities={bind_cap}
ProtectSystem=strict
ReadWritePaths={data_dir}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
DevicePolicy=closed
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
# Not ProcSubset=pid: /v1/agent/host (consul debug) reads /proc/meminfo and /proc/stat.
ProtectProc=invisible
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
MemoryDenyWriteExecute=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallFilter=~@privileged @resources
SystemCallErrorNumber=EPERM
UMask=0077

[Install]
WantedBy=multi-user.target
"""


def json_text(data):
    """A file's JSON as Ansible's to_nice_json writes it, with the newline the role's files end with."""
    return json.dumps(data, indent=4, sort_keys=True, separators=(',', ': ')) + '\n'


def unit_text(settings, config, server):
    """consul.service for this agent; it may bind low ports (below 1024) only when its configuration asks for one."""
    ports = [value for value in (config.get('ports') or {}).values() if isinstance(value, int) or str(value).isdigit()]
    low = any(0 < int(port) < 1024 for port in ports)
    return UNIT.format(kind='server' if server else 'client', config_file=settings['config_file'],
                       wait_timeout=settings['wait_timeout'], user=settings['user'], binary_path=settings['binary_path'],
                       config_dir=settings['config_dir'], data_dir=settings['data_dir'],
                       bind_cap='CAP_NET_BIND_SERVICE' if low else '')


def encrypt_text(key, stage=None):
    """encrypt.json: the gossip key with a stage of the move from plaintext gossip (none: the final one)."""
    return json_text(dict(stage or {}, encrypt=key))


def agent_files(settings, host, preflight, state, adoption, probe, extra=None, tokens=None, tls_files=None,
                binary_checksum=None, gossip_key=None, encrypt_key=None):
    """What a run writes on one host, and how the host must look afterwards.

    settings: the host's public settings as preflight recorded them (node, addr, version, datacenter, domain,
    client_addr, http_port, https_port, http_loopback, log_level, raft_multiplier, server_stabilization_time, config_dir, data_dir,
    user, install_method, binary_path, binary_file, wait_timeout,
    acl_default_policy, acl_down_policy, and the paths config_file, encrypt_file, flag_file, unit_file, tls_dir).
    host: its inventory name; preflight, state, adoption: the play's decisions (cluster_preflight, cluster_state,
    cluster_adoption); probe: the host's probe record (its paths). extra: consul_cluster_extra_config.
    tokens: with ACLs, {agent, recovery, management} (the management token goes to servers only).
    tls_files: with TLS, the texts of the CA, this agent's certificate and its key on the controller.
    binary_checksum: the SHA-1 of the copy method's binary on the controller (none: no host had one, any).
    gossip_key: the key this run writes (none: every agent has the same key file already, which the run leaves as it
    is); encrypt_key: consul_cluster_encrypt_key (none or '': any key, as long as it is
    the same on every host).

    Returns paths ({path: owner, group, mode and, for a file whose content is known before the run, checksum}: what
    the probe is compared with), layout (consul_agent_files' binary, directories, files and sensitive_files),
    stage_files ({path: content} for each later stage, one rolling restart each: encrypt.json for a move to encrypted
    gossip, then consul.json for a running datacenter's move to TLS or to ACLs) and problems.
    Raises ValueError for a TLS file the controller does not have.
    """
    server = preflight['roles'].get(host) == 'server'
    tls, acl = bool(preflight.get('tls')), bool(preflight.get('acl'))
    tls_dir = settings['tls_dir']
    tls_paths = [tls_dir + '/' + name for name in TLS_FILES]
    if tls and (not tls_files or any(text is None for text in tls_files)):
        raise ValueError('host %s: the CA, certificate or key for this agent is not on the controller '
                         '(consul_cluster_secrets_dir or consul_cluster_tls_*_src)' % host)
    acl_settings = None
    if acl:
        tokens = tokens or {}
        acl_settings = dict(default_policy=settings['acl_default_policy'], down_policy=settings['acl_down_policy'],
                            agent_token=tokens.get('agent') or '', recovery_token=tokens.get('recovery') or '',
                            management_token=tokens.get('management') or '')
    # a running datacenter's move to TLS or to ACLs (never both in one run: security_modes), one consul.json per stage
    stage_key, config_stages = 'tls_stage', [3]
    if tls and len(adoption.get('tls') or ()) > 1:
        config_stages = list(adoption['tls'])
    elif acl and len(adoption.get('acl') or ()) > 1:
        stage_key, config_stages = 'acl_stage', list(adoption['acl'])
    config_settings = dict(
        version=settings['version'], datacenter=settings['datacenter'], domain=settings['domain'],
        node_name=settings['node'], server=server, data_dir=settings['data_dir'], bind_addr=settings['addr'],
        client_addr=settings['client_addr'], http_port=settings['http_port'], https_port=settings['https_port'],
        http_loopback=bool(settings.get('http_loopback')),
        log_level=settings['log_level'], raft_multiplier=settings['raft_multiplier'],
        server_stabilization_time=settings['server_stabilization_time'], retry_join=preflight['server_addrs'],
        bootstrap_expect=len(preflight['server_addrs']) if preflight.get('bootstrap_mode') == 'expect' else None,
        extra=extra, acl=acl_settings,
        tls=dict(zip(('ca_file', 'cert_file', 'key_file'), tls_paths)) if tls else None)
    # the end state (what a host in sync has), and what this run writes first (a running datacenter's first stage)
    config = agent_config(config_settings)
    first = agent_config(dict(config_settings, **{stage_key: config_stages[0]})) if config_stages[0] != 3 else config
    copy = settings['install_method'] == 'copy'
    unit_file, config_file, encrypt_file, flag_file = (
        settings['unit_file'], settings['config_file'], settings['encrypt_file'], settings['flag_file'])
    unit, config_text = unit_text(settings, config, server), json_text(config)

    checksums = dict(zip(tls_paths, [sha1(text) for text in tls_files])) if tls else {}
    if copy:
        checksums[settings['binary_path']] = binary_checksum
    paths = agent_paths(
        dict(config_dir=settings['config_dir'], data_dir=settings['data_dir'], user=settings['user'],
             unit_file=unit_file, config_file=config_file, encrypt_file=encrypt_file,
             binary_path=settings['binary_path'] if copy else None, tls_dir=tls_dir if tls else None),
        contents={unit_file: unit, config_file: config_text,
                  encrypt_file: encrypt_text(encrypt_key) if encrypt_key else None},
        checksums=checksums)

    stages = list(adoption.get('gossip') or [{}])
    own_adoption = adoption['hosts'].get(host) or {}
    contents = {unit_file: unit, config_file: json_text(first), flag_file: json_text(dict(bootstrap=True))}
    if gossip_key:
        contents[encrypt_file] = encrypt_text(gossip_key, stages[0])
    if tls:
        contents.update(zip(tls_paths, tls_files))
    write_flag = bool(state['hosts'].get(host, {}).get('write_flag'))
    layout = agent_layout(
        dict(directories=[settings['config_dir'], settings['data_dir']] + ([tls_dir] if tls else []),
             files=[unit_file] + (tls_paths[:2] if tls else []) + ([flag_file] if write_flag else []),
             # consul.json always: ACL tokens, or a secret in consul_cluster_extra_config
             sensitive_files=[config_file] + ([encrypt_file] if gossip_key else []) + (tls_paths[2:] if tls else [])),
        dict(paths, **{flag_file: paths[config_file]}), contents,
        extra={config_file: dict(validate=settings['binary_path'] + ' validate -quiet -config-format=json %s'),
               unit_file: dict(backup=bool(own_adoption.get('unit_backup')))})

    seen = (probe.get('paths') or {})
    binary = None
    if copy:
        found = seen.get(settings['binary_path'])
        if not found or found.get('checksum') != binary_checksum:
            binary = dict(paths[settings['binary_path']], src=settings['binary_file'], path=settings['binary_path'])
    layout['binary'] = binary

    problems = []
    held_ca = seen.get(tls_paths[0]) or {}
    if tls and held_ca.get('checksum') and held_ca['checksum'] != checksums[tls_paths[0]]:
        problems.append(
            'Host %s trusts another CA (%s) than the one on the controller: agents with new certificates and agents '
            'with the old ones would refuse each other\'s RPC. Point consul_cluster_secrets_dir (or '
            'consul_cluster_tls_ca_cert_src) at the datacenter\'s CA; the role does not rotate a CA.'
            % (host, tls_paths[0]))
    data_dir, user = settings['data_dir'], settings['user']
    unit = probe.get('unit') or {}
    foreign = unit.get('active') == 'active' and (unit.get('user') or 'root') != user
    if (seen.get(data_dir) or {}).get('link') and (foreign or any(
            owner != user for owner in (probe.get('owners') or {}).values())):
        problems.append(
            'host %s: consul_cluster_data_dir %s is a symbolic link, and its files must be given to the %s user; the '
            'role does not change owners through links. Set consul_cluster_data_dir to the directory it points to and '
            're-run.' % (host, data_dir, user))
    # the later stages, in order: gossip's move to encryption, then the move to TLS or ACLs
    stage_files = [{encrypt_file: encrypt_text(gossip_key, stage)} for stage in stages[1:]] if gossip_key else []
    stage_files += [{config_file: json_text(agent_config(dict(config_settings, **{stage_key: stage})))}
                    for stage in config_stages[1:]]
    return dict(paths=paths, layout=layout, problems=problems, stage_files=stage_files)


def role_paths(settings):
    """Every path the role may write on a host, with owner, group and mode (the TLS files whether or not the run uses
    TLS): what the first probe looks at, before the run decided anything."""
    return agent_paths(probed_settings(settings))
