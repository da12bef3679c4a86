# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The agent configuration the consul_cluster role writes, rendered for the Consul version in use.

Standard library only. Key names follow HashiCorp's agent configuration reference: Consul 1.12 moved
ca_file, cert_file, key_file and verify_* under tls { defaults / internal_rpc / https } (the old names still
work there, with warnings); 1.11 renamed acl.tokens.master to initial_management.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import re
import uuid

from ansible.module_utils.common.text.converters import to_bytes
from ansible_collections.quorum.consul.plugins.module_utils._files import role_path_kinds


def version_tuple(version):
    """'1.12.3' or 'v1.8.7+ent' -> (1, 12, 3); unparsable parts count as 0."""
    numbers = re.findall(r'\d+', str(version).split('+', maxsplit=1)[0].split('-', maxsplit=1)[0])
    return tuple(int(n) for n in (numbers + ['0', '0', '0'])[:3])


def merge(base, extra):
    """base with extra merged in recursively (extra wins), as Ansible's combine(recursive=true)."""
    out = dict(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def tls_config(version, tls, stage=3):
    """TLS keys: servers verify incoming RPC, everyone verifies outgoing RPC and the server's hostname.

    The HTTPS API does not ask clients for a certificate: the role's own calls present the CA and a token.
    stage: HashiCorp's move of a running datacenter to TLS - 1 the certificates with nothing verified (agents accept
    TLS and plaintext RPC), 2 outgoing RPC verified, 3 incoming RPC verified too (the end state).
    """
    outgoing, incoming = stage >= 2, stage >= 3
    if version_tuple(version) >= (1, 12, 0):
        return dict(tls=dict(
            defaults=dict(ca_file=tls['ca_file'], cert_file=tls['cert_file'], key_file=tls['key_file'],
                          verify_incoming=False, verify_outgoing=outgoing),
            internal_rpc=dict(verify_incoming=incoming, verify_server_hostname=outgoing),
            https=dict(verify_incoming=False),
        ))
    return dict(ca_file=tls['ca_file'], cert_file=tls['cert_file'], key_file=tls['key_file'],
                verify_incoming=False, verify_incoming_rpc=incoming, verify_incoming_https=False,
                verify_outgoing=outgoing, verify_server_hostname=outgoing)


def acl_config(version, acl, server, stage=3):
    """The acl block. stage 1: HashiCorp's first step for a running datacenter, ACLs on with the default policy that
    keeps traffic flowing (allow) while every agent gets its token; 3: the policy asked for."""
    tokens = dict(agent=acl['agent_token'])
    if acl.get('recovery_token'):
        # lets the role call the agent's own endpoints while no server can validate tokens
        tokens['agent_recovery' if version_tuple(version) >= (1, 11, 0) else 'agent_master'] = acl['recovery_token']
    if server and acl.get('management_token'):
        # a management token the user chose: created by the leader from the configuration
        tokens['initial_management' if version_tuple(version) >= (1, 11, 0) else 'master'] = acl['management_token']
    return dict(acl=dict(enabled=True, default_policy='allow' if stage < 3 else acl.get('default_policy', 'deny'),
                         down_policy=acl.get('down_policy', 'extend-cache'), tokens=tokens))


def agent_config(settings):
    """The whole agent configuration (consul.json) as a dict.

    settings: version, datacenter, domain, node_name, server, data_dir, bind_addr, client_addr, http_port,
    https_port, log_level, raft_multiplier, server_stabilization_time and bootstrap_expect (servers), retry_join (clients),
    tls (None or {ca_file, cert_file, key_file}), tls_stage (1, 2 or 3, the end state; see tls_config), http_loopback
    (with TLS, plain HTTP kept on 127.0.0.1 once HTTPS is the API),
    acl (None or {default_policy, down_policy, agent_token, recovery_token, management_token}), acl_stage (1 or 3, the
    end state; see acl_config), extra (merged last).
    Clients rejoin the servers by themselves (retry_join): a client leaves on SIGTERM. Servers join only their own
    address: the play joins them to each other (the guide's sequence), a restarted server finds its peers in its raft
    and serf state, and the unit's Type=notify needs a join (Consul says READY=1 after its first successful join).
    With bootstrap_expect (no manual sequence to keep) servers retry_join every server, their own address included.
    """
    version = settings.get('version', '')
    server = bool(settings['server'])
    tls = settings.get('tls')
    tls_stage = int(settings.get('tls_stage') or 3)
    loopback = bool(tls and settings.get('http_loopback'))
    config = dict(
        datacenter=settings['datacenter'],
        domain=settings.get('domain') or 'consul',
        node_name=settings['node_name'],
        server=server,
        data_dir=settings['data_dir'],
        bind_addr=settings['bind_addr'],
        client_addr=settings['client_addr'],
        # with TLS the plain HTTP listener is closed (HTTPS next to HTTP until a running datacenter's move to TLS
        # reaches its last stage), or kept on loopback only for local tools that need it (http_loopback)
        ports=(dict(http=-1 if tls_stage >= 3 and not loopback else settings['http_port'], https=settings['https_port'])
               if tls else dict(http=settings['http_port'])),
        log_level=settings.get('log_level') or 'INFO',
        performance=dict(raft_multiplier=settings.get('raft_multiplier') or 1),
    )
    if server:
        # how long a new or restarted server must be healthy before autopilot makes it a voter
        config['autopilot'] = dict(server_stabilization_time=settings.get('server_stabilization_time') or '10s')
        # a join that always succeeds and joins nobody else: ready at once, no server found before the play's join
        config['retry_join'] = [settings['bind_addr']]
        if settings.get('bootstrap_expect'):
            # automatic bootstrap as HashiCorp's deployment guide writes it: the servers find each other (retry_join)
            # and elect a leader once this many are there; a server back from a leave or a reboot rejoins by itself
            config['bootstrap_expect'] = int(settings['bootstrap_expect'])
            config['retry_join'] = list(settings.get('retry_join') or [])
    else:
        config['retry_join'] = list(settings.get('retry_join') or [])
    if tls:
        config.update(tls_config(version, tls, tls_stage))
        if loopback and tls_stage >= 3:
            config['addresses'] = dict(http='127.0.0.1')
    if settings.get('acl'):
        config.update(acl_config(version, settings['acl'], server, int(settings.get('acl_stage') or 3)))
    config = merge(config, settings.get('extra'))
    if server and settings['bind_addr'] not in config.get('retry_join', []):
        # a retry_join of consul_cluster_extra_config replaces the list: the own address stays, or the unit's
        # Type=notify would wait forever for a server that has nobody to join yet
        config['retry_join'] = list(config.get('retry_join') or []) + [settings['bind_addr']]
    return config


def managed_keys(version, tls, acl, extra_keys=()):
    """The top-level keys the role's consul.json sets on a server or on a client (the union: a hand-made file of
    either kind is judged by the same keys), with consul_cluster_extra_config's key paths ('ports.http')."""
    base = dict(version=version, datacenter='dc1', node_name='node', data_dir='/data', bind_addr='10.0.0.1',
                client_addr='127.0.0.1', http_port=8500, https_port=8501, retry_join=['10.0.0.1'],
                tls=dict(ca_file='ca', cert_file='cert', key_file='key') if tls else None,
                acl=dict(agent_token='t', recovery_token='t', management_token='t') if acl else None)
    keys = set()
    for server in (True, False):
        keys.update(agent_config(dict(base, server=server)))
    keys.update(path.split('.', 1)[0] for path in extra_keys or ())
    return sorted(keys)


def _derived_uuid(seed, label):
    digest = hmac.new(seed.encode('utf-8'), label.encode('utf-8'), hashlib.sha256).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def agent_tokens(seed, nodes, kind='agent'):
    """Each agent's token, derived from one secret seed.

    kind 'agent': [{node, accessor_id, secret_id}], the ACL token the agent uses (made through the API);
    kind 'recovery': [{node, secret_id}], the agent recovery token (only in the agent's configuration).
    Derived, so every run finds the same tokens (nothing per node to store) and an agent's configuration
    carries its secrets before the agent first starts.
    """
    if not seed or len(seed) < 32:
        raise ValueError('the agent token seed must be at least 32 characters')
    if kind == 'recovery':
        return [dict(node=node, secret_id=_derived_uuid(seed, 'recovery:' + node)) for node in nodes]
    return [dict(node=node, accessor_id=_derived_uuid(seed, 'accessor:' + node),
                 secret_id=_derived_uuid(seed, 'secret:' + node)) for node in nodes]


def sha1(text):
    """The SHA-1 of a text as Ansible's hash('sha1') filter and the probe's checksum compute it."""
    return hashlib.sha1(to_bytes(text, errors='surrogate_or_strict')).hexdigest()


def private_file(user):
    """Owner, group and mode of a file only root writes and the agent reads (consul.json, encrypt.json, the TLS key)."""
    return dict(owner='root', group=user, mode='0640')


def agent_paths(settings, contents=None, checksums=None):
    """The paths a run leaves on an agent's host, with their owner, group and mode: what the probe checks a host
    against, and what agent_layout gives each directory and file it writes.

    settings: config_dir, data_dir, user, unit_file, config_file, encrypt_file; binary_path (the copy method's, else
    none) and tls_dir (with TLS, else none) add theirs.
    contents: {path: text or none}: the file gets the SHA-1 of the text as its checksum (none: any content, as long
    as it is the same on every host); checksums: {path: SHA-1 or none}, known already (the binary's).
    Raises ValueError for a content or checksum of a path that is not one of them.
    """
    user = settings['user']
    modes = dict(config_dir=dict(owner='root', group=user, mode='0750'), data_dir=dict(owner=user, group=user, mode='0750'),
                 unit=dict(owner='root', group='root', mode='0644'), binary=dict(owner='root', group='root', mode='0755'),
                 tls_dir=dict(owner='root', group=user, mode='0750'), private=private_file(user),
                 readable=dict(owner='root', group=user, mode='0644'))
    paths = dict((path, dict(modes[kind])) for path, kind in role_path_kinds(settings))
    known = dict((path, None if text is None else sha1(text))
                 for path, text in (contents or {}).items())
    known.update(checksums or {})
    for path, checksum in known.items():
        if path not in paths:
            raise ValueError('agent_paths: %s is not a path the role writes' % path)
        paths[path]['checksum'] = checksum
    return paths


def agent_layout(kinds, paths, contents, extra=None):
    """The arguments of consul_agent_files: each path with its owner, group and mode, each file with its content.

    kinds: {'directories': [path], 'files': [path], 'sensitive_files': [path]} (what to write, in order);
    paths: {path: {owner, group, mode, ...}} (the role's paths, as the probe checks them; other keys are dropped);
    contents: {path: text} for every file; extra: {path: {option: value}} such as validate or backup.
    Raises ValueError for a path without attributes or a file without content: a typo would else write a file
    with the connecting user's owner and mode.
    """
    def entry(path, is_file):
        if path not in paths:
            raise ValueError('agent_layout: %s has no owner, group and mode' % path)
        item = dict(path=path, **dict((key, paths[path][key]) for key in ('owner', 'group', 'mode') if key in paths[path]))
        if is_file:
            if path not in contents:
                raise ValueError('agent_layout: %s has no content' % path)
            item['content'] = contents[path]
            item.update((extra or {}).get(path) or {})
        return item

    return dict(directories=[entry(path, False) for path in kinds.get('directories') or ()],
                files=[entry(path, True) for path in kinds.get('files') or ()],
                sensitive_files=[entry(path, True) for path in kinds.get('sensitive_files') or ()])
