#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_agent_tokens
short_description: Make sure every Consul agent has its ACL agent token, with the IDs the caller chose
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - For each node, makes sure an ACL token exists with the given accessor ID and secret and a node identity for that
    node (C(node:write) on the node itself, C(service:read) and C(node:read) on everything) - what an agent token needs.
  - Caller-chosen IDs (Consul 1.5 and later) make this idempotent, and let the secret go into the agent's configuration
    before the agent first starts. A token found with the same IDs, node identity and description is left alone; one
    with another secret is replaced.
  - All tokens are handled in this one call. Needs a token with C(acl:write), such as the management token.
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description: Reads the tokens and reports what would change; writes nothing.
    support: full
options:
  tokens:
    description: One entry per agent.
    type: list
    elements: dict
    required: true
    suboptions:
      node:
        description: The agent's node name.
        type: str
        required: true
      accessor_id:
        description: The token's accessor ID (a UUID).
        type: str
        required: true
      secret_id:
        description: The token's secret (a UUID).
        type: str
        required: true
  datacenter:
    description: The datacenter of the node identities.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Make sure the agents' tokens exist before the agents start
  quorum.consul.consul_agent_tokens:
    datacenter: dc1
    token: "{{ management_token }}"
    tokens:
      - node: consul-a
        accessor_id: 5d4c5b0a-6b1e-4c8e-9a53-1d6f6e6d2a11
        secret_id: "{{ agent_secret_a }}"
  no_log: true
"""

RETURN = r"""
created:
  description: Nodes whose token was created.
  returned: success
  type: list
  elements: str
updated:
  description: Nodes whose token was changed or replaced.
  returned: success
  type: list
  elements: str
unchanged:
  description: Nodes whose token was already right.
  returned: success
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    ConsulHTTPError,
    client_from_params,
    connection_argument_spec,
)

DESCRIPTION = 'Agent token for node %s (quorum.consul)'


def read_token(client, accessor_id):
    """The token with this accessor ID, or None when there is none."""
    try:
        return client.get('acl/token/%s' % accessor_id)
    except ConsulHTTPError as exc:
        if exc.status == 404 or (exc.status == 403 and 'not found' in (exc.body or '').lower()):
            return None
        raise


def wanted(entry, datacenter):
    return dict(AccessorID=entry['accessor_id'], SecretID=entry['secret_id'], Description=DESCRIPTION % entry['node'],
                NodeIdentities=[dict(NodeName=entry['node'], Datacenter=datacenter)], Local=False)


def same(found, want):
    identities = [(i.get('NodeName'), i.get('Datacenter')) for i in found.get('NodeIdentities') or []]
    return (found.get('Description') == want['Description'] and not found.get('Policies') and not found.get('Roles')
            and identities == [(i['NodeName'], i['Datacenter']) for i in want['NodeIdentities']])


def ensure(client, entry, datacenter, check_mode):
    """'created', 'updated' or 'unchanged' for one agent token."""
    want = wanted(entry, datacenter)
    found = read_token(client, entry['accessor_id'])
    if found is not None and found.get('SecretID') == entry['secret_id'] and same(found, want):
        return 'unchanged'
    if check_mode:
        return 'created' if found is None else 'updated'
    if found is None:
        client.put('acl/token', data=want)
        return 'created'
    if found.get('SecretID') != entry['secret_id']:
        # a secret cannot change in place: replace the token
        client.request('DELETE', 'acl/token/%s' % entry['accessor_id'])
        client.put('acl/token', data=want)
    else:
        client.put('acl/token/%s' % entry['accessor_id'], data=want)
    return 'updated'


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(
        # the secrets are in the suboption secret_id, which is no_log
        tokens=dict(type='list', elements='dict', required=True, no_log=False, options=dict(
            node=dict(type='str', required=True),
            accessor_id=dict(type='str', required=True),
            secret_id=dict(type='str', required=True, no_log=True),
        )),
        datacenter=dict(type='str', required=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    outcome = dict(created=[], updated=[], unchanged=[])
    try:
        client = client_from_params(module.params)
        for entry in module.params['tokens']:
            outcome[ensure(client, entry, module.params['datacenter'], module.check_mode)].append(entry['node'])
    except ConsulError as exc:
        module.fail_json(msg=str(exc), status=exc.status, **outcome)
    module.exit_json(changed=bool(outcome['created'] or outcome['updated']), **outcome)


if __name__ == '__main__':
    main()
