#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_keyring
short_description: Rotate a running datacenter's gossip key through Consul's keyring, like C(consul keyring)
version_added: 0.2.0
author:
  - quorum.consul contributors (@quorum)
description:
  - Makes O(key) the only gossip encryption key of every agent of the datacenter, in HashiCorp's order
    (U(https://developer.hashicorp.com/consul/docs/security/encryption/gossip#rotate-the-gossip-encryption-key)) -
    install it on every agent (C(POST /v1/operator/keyring)), make it the primary key (C(PUT)), then remove every
    other key (C(DELETE)). The agents keep their keyring in their data directory; none restarts.
  - The step to take is read from the agents' keyrings (C(GET /v1/operator/keyring)), so a rotation that was
    interrupted resumes where it stopped, and a datacenter that has only O(key) changes nothing.
  - Before the first change, a member of the datacenter that is not alive (C(failed)) is refused - it would keep only
    the old key, and be cut off once that is removed. Start it, or remove it (M(quorum.consul.consul_leave) with
    C(node)), then call again.
  - The key is sent in the request body only and never returned.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reads the keyrings and reports the steps a call would take, and takes none.
    support: full
options:
  key:
    description:
      - The gossip encryption key to use from now on (32 bytes, base64, as C(consul keygen) makes it).
      - With ACLs, the token needs C(keyring:write).
    type: str
    required: true
notes:
  - An agent that is stopped during the rotation keeps only the old key in its keyring file
    (C(<data_dir>/serf/local.keyring)); remove that file before it starts with the new key in its configuration.
seealso:
  - module: quorum.consul.consul_peers_info
"""

EXAMPLES = r"""
- name: Rotate the gossip key on a running datacenter
  quorum.consul.consul_keyring:
    key: "{{ new_gossip_key }}"
  run_once: true
  no_log: true
"""

RETURN = r"""
steps:
  description: What the call did (or, in check mode, would do), in order - C(install), C(use), C(remove).
  returned: always
  type: list
  elements: str
  sample: [install, use, remove]
removed:
  description: How many other keys were removed (or would be).
  returned: always
  type: int
  sample: 1
nodes:
  description: Agents of each pool (C(lan), C(wan)) that answered the keyring query, the last one made.
  returned: always
  type: dict
  sample: {lan: 4, wan: 3}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    ConsulHTTPError,
    client_from_params,
    connection_argument_spec,
)


def _pools(rings):
    """{'lan' or 'wan' (segment appended when set): (keys {key: agents that have it}, primary keys or None, agents)}"""
    pools = {}
    for ring in rings or ():
        name = ('wan' if ring.get('WAN') else 'lan') + ((':' + ring['Segment']) if ring.get('Segment') else '')
        pools[name] = (ring.get('Keys') or {}, ring.get('PrimaryKeys'), int(ring.get('NumNodes') or 0))
    return pools


def steps(rings, key):
    """The steps that make key the only key of every pool, from GET /v1/operator/keyring's answer."""
    pools = _pools(rings)
    todo = []
    if any(keys.get(key) != count for keys, dummy, count in pools.values()):
        todo.append('install')
    others = sorted(set(other for keys, dummy, dummy in pools.values() for other in keys if other != key))
    # Consul before 1.10 does not say which key is primary: use again while other keys remain (use is idempotent)
    unknown = any(primary is None for dummy, primary, dummy in pools.values())
    if 'install' in todo or (others and unknown) or any(
            primary is not None and primary.get(key) != count for dummy, primary, count in pools.values()):
        todo.append('use')
    if others:
        todo.append('remove')
    return todo, others


def _refuse_down(client):
    """Before the first change: an agent that misses the new key is cut off when the old one goes."""
    down = sorted(set('%s (%s)' % (member['name'], member['status']) for wan in (False, True)
                      for member in client.members(wan=wan) if member['status'] == 'failed'))
    if down:
        raise ConsulError('the gossip key cannot be rotated while %s %s not alive: an agent that misses the new key is '
                          'cut off once the old one is removed. Start it, or remove it (consul_leave with node), then '
                          'try again; nothing was changed.' % (', '.join(down), 'is' if len(down) == 1 else 'are'))


def rotate(client, key, check_mode):
    """Take the steps; return (steps, keys removed, agents per pool)."""
    try:
        rings = client.get('operator/keyring')
    except ConsulHTTPError as exc:
        # the keyring query fails when an agent does not answer it: say which
        _refuse_down(client)
        raise ConsulError('the keyrings could not be read (%s): an agent of the datacenter did not answer, or it is '
                          'gone and not every agent knows it yet; nothing was changed.' % exc)
    todo, others = steps(rings, key)
    if todo:
        _refuse_down(client)
    if not check_mode:
        if 'install' in todo:
            client.request('POST', 'operator/keyring', data=dict(Key=key))
        if 'use' in todo:
            client.put('operator/keyring', data=dict(Key=key))
        for other in others:
            client.request('DELETE', 'operator/keyring', data=dict(Key=other))
        if todo:
            rings = client.get('operator/keyring')
            left, dummy = steps(rings, key)
            if left and left != ['use']:
                raise ConsulError('the keyring still needs %s after the rotation: an agent did not take it'
                                  % ', '.join(left))
    return todo, len(others), dict((name, count) for name, (dummy, dummy, count) in _pools(rings).items())


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(key=dict(type='str', required=True, no_log=True))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        todo, removed, nodes = rotate(client_from_params(module.params), module.params['key'], module.check_mode)
    except ConsulError as exc:
        module.fail_json(msg=str(exc), steps=[], removed=0, nodes={})
    module.exit_json(changed=bool(todo), steps=todo, removed=removed, nodes=nodes)


if __name__ == '__main__':
    main()
