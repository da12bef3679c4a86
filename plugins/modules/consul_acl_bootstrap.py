#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: consul_acl_bootstrap
short_description: Bootstrap Consul's ACL system once, and check the management token held for it
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - "Calls C(PUT /v1/acl/bootstrap), which creates the first management token. Consul allows that once; later it
    answers 403 C(ACL bootstrap no longer allowed) with a reset index. That answer is not an error here - the module
    returns C(changed=false) with the reset index, and, when O(token) is set, whether that token is a valid
    management token of the datacenter."
  - "The new token's secret is returned in RV(secret_id). Register the result in a task with C(no_log: true) and store
    the secret before anything else can fail - it is shown only once."
  - Waits, inside this one call, until the datacenter has a leader and its ACL system is ready (until O(wait_timeout)).
  - To bootstrap again after the token was lost, write the reset index to C(<data_dir>/acl-bootstrap-reset) on the
    leader and run this module again (HashiCorp's ACL bootstrap reset procedure).
extends_documentation_fragment:
  - quorum.consul.connection
  - quorum.consul.connection.attributes
attributes:
  check_mode:
    description:
      - Bootstraps nothing. Reports C(changed=true) unless O(token) is a valid management token, which proves the
        ACL system is bootstrapped already.
    support: partial
    details:
      - Without a valid O(token), nothing tells whether bootstrapping is still allowed short of trying it, so check
        mode predicts a change.
options:
  token:
    description:
      - The management token the caller holds, to check against the bootstrapped datacenter. The bootstrap request
        itself never sends a token.
    type: str
  wait_timeout:
    description:
      - Seconds to wait for a leader and for the ACL system to be ready before failing.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Bootstrap the ACL system (the secret is shown only once)
  quorum.consul.consul_acl_bootstrap:
  register: acl
  no_log: true

- name: Keep the management token on the controller before anything else can fail
  ansible.builtin.copy:
    content: "{{ acl.secret_id }}\n"
    dest: "{{ lookup('env', 'HOME') }}/.ansible/consul/management.token"
    mode: "0600"
  delegate_to: localhost
  no_log: true
  when: acl is changed

- name: Check the token held for an already bootstrapped datacenter
  quorum.consul.consul_acl_bootstrap:
    token: "{{ management_token }}"
  register: acl
  failed_when: not acl.bootstrapped_now and not acl.token_valid
"""

RETURN = r"""
bootstrapped_now:
  description: Whether this call bootstrapped the ACL system (the same as C(changed) outside check mode).
  returned: success
  type: bool
accessor_id:
  description: Accessor ID of the new management token; of O(token) when it is valid; else empty.
  returned: success
  type: str
  sample: 834a5881-10a9-a45b-f63c-490e28743557
secret_id:
  description: Secret of the new management token. Empty unless this call bootstrapped the ACL system.
  returned: success
  type: str
reset_index:
  description: The reset index Consul reports once bootstrapping is no longer allowed; null otherwise.
  returned: success
  type: int
  sample: 14
token_valid:
  description:
    - Whether O(token) is a valid token with the C(global-management) policy. Null when no token was given or the
      ACL system was bootstrapped by this call.
  returned: success
  type: bool
duration:
  description: Seconds this call took, waits included.
  returned: always
  type: float
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.quorum.consul.plugins.module_utils._api import (
    ConsulError,
    ConsulHTTPError,
    bootstrap_reset_index,
    client_from_params,
    connection_argument_spec,
)
from ansible_collections.quorum.consul.plugins.module_utils._wait import WaitTimeout, wait_until

MANAGEMENT_POLICY_ID = '00000000-0000-0000-0000-000000000001'


def token_check(client):
    """(valid, accessor_id) for the client's token; an unknown token is invalid, not an error."""
    try:
        token = client.token_self()
    except ConsulHTTPError as exc:
        if exc.status == 403:
            return False, ''
        raise
    policies = [p.get('ID') for p in token.get('Policies') or []]
    return MANAGEMENT_POLICY_ID in policies, token.get('AccessorID', '')


def bootstrap(client, check_mode):
    """One attempt: the result dict, or raise ConsulError (5xx while there is no leader is retried by the caller)."""
    result = dict(bootstrapped_now=False, accessor_id='', secret_id='', reset_index=None, token_valid=None)
    if client.token:
        valid, accessor = token_check(client)
        if valid:
            result.update(token_valid=True, accessor_id=accessor)
            return result
    if check_mode:
        # without a valid token nothing tells, without trying, whether bootstrapping is still allowed
        result.update(bootstrapped_now=True, token_valid=False if client.token else None)
        return result
    try:
        token = client.acl_bootstrap()
    except ConsulHTTPError as exc:
        index = bootstrap_reset_index(exc)
        if index is None:
            raise
        result.update(reset_index=index, token_valid=False if client.token else None)
        return result
    result.update(bootstrapped_now=True, accessor_id=token.get('AccessorID', ''), secret_id=token.get('SecretID', ''))
    return result


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(wait_timeout=dict(type='int', default=60))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    started = time.monotonic()
    try:
        client = client_from_params(module.params)
        # "No cluster leader" and the ACL system still initialising answer 5xx: retried until wait_timeout
        result = wait_until(lambda: bootstrap(client, module.check_mode), lambda r: True, module.params['wait_timeout'])
    except WaitTimeout as exc:
        module.fail_json(msg=str(exc), duration=round(time.monotonic() - started, 3))
    except ConsulError as exc:
        module.fail_json(msg=str(exc), status=exc.status, duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=result['bootstrapped_now'], duration=round(time.monotonic() - started, 3), **result)


if __name__ == '__main__':
    main()
