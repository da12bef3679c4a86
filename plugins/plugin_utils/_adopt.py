# -*- coding: utf-8 -*-
# Copyright: contributors to quorum.consul
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the role finds on hosts it did not set up, and how it takes them over (the filter cluster_adoption).

Standard library only, plain data in and out, linear in the hosts. A host is the role's when its configuration
directory holds the role's consul.json; a host that is not, but runs an agent or holds raft state, belongs to a
datacenter set up some other way (by hand, as HashiCorp's manual-bootstrap guide does it). Such a datacenter is
taken over only when asked (consul_cluster_adopt), and never when the takeover would lose data or split it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

from ansible_collections.quorum.consul.plugins.module_utils._config_scan import config_summary

ROLE_FILES = ('consul.json', 'encrypt.json', 'bootstrap.json')
CONFIG_FILE = 'consul.json'
KEY_FILE = 'encrypt.json'
BACKUP_SUFFIX = '.quorum-backup'
# What a foreign file may set that the role owns besides consul.json's keys: the flag files and encrypt.json.
OWNED = ('bootstrap', 'bootstrap_expect', 'encrypt', 'encrypt_verify_incoming', 'encrypt_verify_outgoing')
# HashiCorp's staged move from plaintext gossip to encryption: every agent takes a stage before any takes the
# next (https://developer.hashicorp.com/consul/tutorials/security/gossip-encryption-secure).
GOSSIP_STAGES = (
    {'encrypt_verify_incoming': False, 'encrypt_verify_outgoing': False},
    {'encrypt_verify_incoming': False},
    {},
)


def config_summaries(slurped):
    """config_summary() of each file read with slurp (its loop's results), the role's own files left out."""
    return [config_summary(base64.b64decode(result['content']).decode('utf-8', 'replace'), result['source'])
            for result in slurped
            if result.get('content') is not None and result['source'].rsplit('/', 1)[-1] not in ROLE_FILES]


def _gossip_stage(agent):
    """How far a running agent is in the staged move to gossip encryption: 0 plaintext .. 3 fully encrypted."""
    gossip = agent.get('gossip') or {}
    if not gossip.get('encrypted'):
        return 0
    if not gossip.get('verify_outgoing'):
        return 1
    return 3 if gossip.get('verify_incoming') else 2


def _acl_stage(mode, policy):
    """How far a running agent is in the move to ACLs: 0 without ACLs, 1 with ACLs and another default policy than
    policy (the allow that keeps traffic flowing while every agent gets its token), 3 the end state (a policy the agent
    does not report counts as that: never a restart for what the role cannot read)."""
    mode = mode or {}
    if not mode.get('enabled'):
        return 0
    return 1 if mode.get('default_policy') not in ('', None, policy) else 3


def _running(agent):
    # registered with failed_when: false, a call that failed says failed: false; only an answer names the node
    return bool(agent.get('node')) and not agent.get('failed')


def _wins(path):
    """Which file's single values win: Consul reads a configuration directory in lexical order, the last one wins."""
    name = path.rsplit('/', 1)[-1]
    return ('%s is read after %s and wins' % (name, CONFIG_FILE)) if name > CONFIG_FILE else (
        '%s is read after it and wins' % CONFIG_FILE)


def _same_dir(one, other):
    return (one or '').rstrip('/') == (other or '').rstrip('/')


def adoption(probes, nodes, role_keys, user, data_dir, datacenter, adopt=False, key_known=False,
             unit_file='/etc/systemd/system/consul.service', tls=False, acl=False, acl_policy='deny', acl_off_on_disk=False):
    """Decide whether the role may act on these hosts, and what a takeover moves aside.

    probes: {host: {files: basenames, agent: consul_peers_info's result ({} or failed when it did not answer),
                    unit: {path, user, active (its ActiveState), dropins}, owners: {path in the data directory: owner},
                    config: [config_summary() of each file in the configuration directory but the role's]}}
    nodes: {host: the node name the role gives it}; role_keys: {host: the top-level keys the role's consul.json sets
    there} (cluster_preflight's role_keys), or one list for every host.
    key_known: consul_cluster_encrypt_key is set (an encrypt.json on a host makes the key known too).

    Returns problems (refusals; empty when the role may go on), warnings, foreign (hosts the role did not set
    up that run an agent or hold raft state), hosts ({host: move_aside: [paths], unit_backup, findings, behind}) and
    gossip (the encrypt.json settings to walk through, one rolling restart each; the last is the final one) and tls
    (with tls, this run's TLS stages, one rolling restart each: [1, 2, 3] for a running plaintext datacenter, [3] when
    every running agent has the end state already; see _api.tls_stage), tls_moving ({host: TLS stage its agent
    runs} while a move to TLS is under way, else empty) and tls_served (false while some running agent serves no
    HTTPS yet, before a move's first stage).
    With acl (ACLs on for this run; acl_policy: consul_cluster_acl_default_policy): acl, this run's ACL stages (_acl_stage),
    one rolling restart each, [1, 3] for a running datacenter without ACLs (when acl_policy is not allow; [3] when it
    is), acl_moving ({host: ACL stage its agent runs} while some running agent has not the end state yet) and
    acl_enabling (some running agent runs no ACLs yet, or none runs and the role's files on the hosts say no ACLs:
    acl_off_on_disk, a stopped datacenter turning them on).
    """
    key_known = key_known or any(KEY_FILE in (probe.get('files') or ()) for probe in probes.values())
    problems, warnings, foreign, hosts, stages = [], [], [], {}, []
    for host in sorted(probes):
        probe = probes[host]
        files, agent = probe.get('files') or (), probe.get('agent') or {}
        unit = probe.get('unit') or {}
        running = _running(agent)
        # the role's consul.json, and an agent run by the role's unit as its user (a hand-made consul.json is not)
        ours = CONFIG_FILE in files and (not running or (unit.get('user') or 'root') == user)
        theirs = not ours and (running or 'raft.db' in files)
        findings, move = [], []
        owned = set(role_keys.get(host) or () if isinstance(role_keys, dict) else role_keys) | set(OWNED)
        for summary in probe.get('config') or ():
            path, keys, values = summary['path'], summary.get('keys') or [], summary.get('values') or {}
            if summary.get('error'):
                findings.append('%s %s' % (path, summary['error']))
                move.append(path)
                continue
            flags = ['%s = %s' % (key, json.dumps(values[key])) for key in ('bootstrap', 'bootstrap_expect') if key in values]
            clash = sorted(owned.intersection(keys).difference(('bootstrap', 'bootstrap_expect')))
            if flags:
                findings.append('%s sets %s' % (path, ', '.join(flags)))
            if clash:
                findings.append('%s sets %s, which the role also sets (%s)' % (path, ', '.join(clash), _wins(path)))
            if flags or clash:
                move.append(path)
                # what the file also sets would be lost with it: a security setting (acl, tls) most of all
                dropped = sorted(set(keys).difference(owned))
                if dropped:
                    problems.append('host %s: %s also sets %s, which the role does not manage: moving the file aside '
                                    'would drop that. Carry it over in consul_cluster_extra_config (or move it to a '
                                    'file of its own that sets nothing the role sets), then re-run.'
                                    % (host, path, ', '.join(dropped)))
            # a takeover that changed these would lose the agent's data or identity: refused even when adopting
            for key, wanted in (('data_dir', data_dir), ('datacenter', datacenter), ('node_name', nodes.get(host))):
                if key in values and not running and theirs and not (
                        _same_dir(values[key], wanted) if key == 'data_dir' else values[key] == wanted):
                    problems.append('host %s: %s sets %s = %s but the role would use %s; set %s to %s for this host.'
                                    % (host, path, key, json.dumps(values[key]), json.dumps(wanted),
                                       'consul_cluster_' + key, json.dumps(values[key])))
        for dropin in unit.get('dropins') or ():
            findings.append('drop-in %s changes the consul unit' % dropin)
            move.append(dropin)
        if running:
            for key, seen, wanted in (('data_dir', agent.get('data_dir'), data_dir),
                                      ('datacenter', agent.get('datacenter'), datacenter),
                                      ('node_name', agent.get('node'), nodes.get(host))):
                if seen and not (_same_dir(seen, wanted) if key == 'data_dir' else seen == wanted):
                    problems.append('host %s: its agent runs with %s %s but the role would use %s; set %s to %s for '
                                    'this host.' % (host, key, json.dumps(seen), json.dumps(wanted),
                                                    'consul_cluster_' + key, json.dumps(seen)))
            if unit.get('active') != 'active':
                problems.append('host %s: a Consul agent answers, but not from the unit consul.service (%s; started by '
                                'hand or by another unit): the role could neither restart nor stop it. Stop it, then '
                                're-run.' % (host, unit.get('active') or 'not found'))
        if theirs:
            foreign.append(host)
            if unit.get('path'):
                findings.insert(0, 'runs from unit %s (%s), not written by this role'
                                % (unit['path'], 'as user %s' % (unit.get('user') or 'root')))
            if running and (unit.get('user') or 'root') != user:
                findings.append('its agent runs as %s, not as %s' % (unit.get('user') or 'root', user))
            others = sorted(path for path, owner in (probe.get('owners') or {}).items() if owner != user)
            if others:
                findings.append('%d file(s) of the data directory belong to another user than %s (%s%s)'
                                % (len(others), user, ', '.join(others[:4]), ', ...' if len(others) > 4 else ''))
            if running and not _gossip_stage(agent):
                findings.append('gossip is not encrypted')
            if running and _gossip_stage(agent) and not key_known:
                problems.append('host %s: its agent encrypts gossip with a key the role does not know; set '
                                'consul_cluster_encrypt_key to the datacenter\'s key (the encrypt value of its '
                                'configuration).' % host)
        if running:
            stages.append(_gossip_stage(agent))
        hosts[host] = dict(findings=findings, move_aside=[dict(path=path, backup=path + BACKUP_SUFFIX) for path in move],
                           unit_backup=theirs and unit.get('path') == unit_file,
                           stage=_gossip_stage(agent) if running else 3)
    if foreign and not adopt:
        problems.append(
            'This datacenter was not set up by this role: %s. Taking it over rewrites the unit, runs the agents as %s, '
            'moves the conflicting files aside and moves gossip to encryption in stages, restarting one server at a '
            'time. Re-run with consul_cluster_adopt=true to do that (see "Adopting a datacenter you bootstrapped by '
            'hand" in the README); nothing was changed.'
            % ('; '.join('%s: %s' % (host, '; '.join(hosts[host]['findings']) or 'agent or raft state without '
                                     'the role\'s configuration') for host in foreign), user))
    for host in sorted(hosts):
        if hosts[host]['move_aside']:
            warnings.append('host %s: moving aside %s' % (host, ', '.join(
                '%s (kept as %s)' % (move['path'], move['backup']) for move in hosts[host]['move_aside'])))
    gossip = list(GOSSIP_STAGES[min(min(stages) if stages else 3, 2):])
    agents = dict((host, probe['agent']) for host, probe in probes.items() if _running(probe.get('agent') or {}))
    # the TLS stage each running agent runs (_api.tls_stage)
    running_tls = dict((host, int(agent.get('tls_stage') or 0)) for host, agent in agents.items())
    lowest = min(running_tls.values()) if tls and running_tls else 3
    # HashiCorp's order for a running datacenter: certificates and HTTPS next to HTTP, then outgoing verification,
    # then incoming verification and HTTP closed; every agent takes a stage before any takes the next
    tls_stages = list(range(lowest + 1, 4)) if lowest < 3 else [3]
    # HashiCorp's order for ACLs on a running datacenter: on with the default policy that keeps traffic flowing (allow)
    # and every agent's token, then the policy asked for
    running_acl = dict((host, _acl_stage(agent.get('acl'), acl_policy)) for host, agent in agents.items())
    acl_lowest = min(running_acl.values()) if acl and running_acl else 3
    acl_stages = [1, 3] if acl_lowest == 0 and acl_policy != 'allow' else [3]
    if len(gossip) > 1 or len(tls_stages) > 1 or acl_lowest == 0:
        # an agent that misses a stage is cut off by the last one (incoming gossip must be encrypted)
        alive = set(member['name'] for agent in agents.values() for member in agent.get('members') or ()
                    if member.get('status') == 'alive')
        outside = sorted(alive.difference(nodes.get(host, host) for host in probes))
        if outside:
            problems.append('%s in stages that every agent must take, but %s %s alive in the '
                            'datacenter and not in this play (not in the inventory, or left out by --limit or serial). '
                            'Add them to the inventory and run against every host.'
                            % ('Gossip moves to encryption' if len(gossip) > 1 else 'The datacenter moves to TLS'
                               if len(tls_stages) > 1 else 'ACLs are turned on',
                               ', '.join(outside), 'is' if len(outside) == 1 else 'are'))
    for host, plan in hosts.items():
        # an agent that still runs an earlier stage than its file says restarts even when the file does not change
        plan['behind'] = bool(plan['stage'] < 3 and plan['stage'] < len(GOSSIP_STAGES) - len(gossip) + 1) or bool(
            tls and host in running_tls and running_tls[host] < tls_stages[0]) or bool(
            acl and host in running_acl and running_acl[host] < acl_stages[0])
    return dict(problems=problems, warnings=warnings, foreign=foreign, hosts=hosts, gossip=gossip, tls=tls_stages,
                acl=acl_stages, acl_moving=running_acl if acl_lowest < 3 else {},
                # some running agent runs no ACLs yet: the management token and the agents' tokens are made once every
                # server runs the first stage (the leader makes the management token then)
                acl_enabling=bool(acl) and (acl_lowest == 0 or (not running_acl and bool(acl_off_on_disk))),
                tls_moving=running_tls if lowest < 3 else {},
                # until the first stage is out, some agent serves no HTTPS: the role calls the agents over HTTP
                tls_served=lowest > 0)
