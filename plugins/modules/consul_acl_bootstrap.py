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
  - To bootstrap again after the token was lost, give O(reset_file) and run the module on the leader's host
    (HashiCorp's ACL bootstrap reset procedure, in one call so that the reset opens no window for anyone else), then
    revoke what the lost token could do with O(revoke_replaced).
  - A datacenter born with a management token in its servers' configuration (C(acl.tokens.master), from Consul 1.11
    C(acl.tokens.initial_management)) needs no bootstrap call, and leaves no moment in which someone else could make
    the first token; O(bootstrap=false) waits until the leader has made it.
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
  bootstrap:
    description:
      - Whether this call may bootstrap the ACL system.
      - V(false) for a datacenter born with O(token) as its initial management token - the call never bootstraps and
        waits (until O(wait_timeout)) until O(token) is valid, which it is once the leader has taken office.
    type: bool
    default: true
  reset_file:
    description:
      - HashiCorp's reset procedure, only when bootstrapping is no longer allowed and O(token) is not a valid
        management token - write the reset index Consul reports to this file (C(<data_dir>/acl-bootstrap-reset)),
        owned as its directory is and readable only by that owner, bootstrap again at once, and remove the file.
      - The module must run on the host of the leader, whose data directory Consul reads the file from.
    type: path
  revoke_replaced:
    description:
      - When O(token) is a valid management token, revoke every other token that a bootstrap or an initial management
        token made (descriptions C(Bootstrap Token (Global Management)), C(Master Token) and
        C(Initial Management Token)) - what a reset replaces, and what whoever holds a lost token could still use.
        Tokens made any other way are kept.
      - Run it once every server's configuration names O(token) as its initial management token (if one does), or a
        leader elected from an older configuration would make the old one again.
    type: bool
    default: false
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

- name: Wait until the leader has made the initial management token the servers were started with
  quorum.consul.consul_acl_bootstrap:
    token: "{{ management_token }}"
    bootstrap: false
  no_log: true

- name: Reset after the token was lost, on the leader's host, and revoke the lost one
  quorum.consul.consul_acl_bootstrap:
    reset_file: /opt/consul/acl-bootstrap-reset
    revoke_replaced: true
  register: acl
  no_log: true

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
reset:
  description: Whether this call bootstrapped again through O(reset_file).
  returned: success
  type: bool
revoked:
  description: Accessor IDs of the tokens O(revoke_replaced) revoked.
  returned: success
  type: list
  elements: str
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

import os
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


# What Consul names the tokens that a bootstrap and an initial management token (1.8: master) make.
REPLACED_DESCRIPTIONS = ('Bootstrap Token (Global Management)', 'Master Token', 'Initial Management Token')


def _write_reset(path, index):
    """The reset index, owned as the data directory is (Consul runs as that user) and readable by it alone."""
    directory = os.stat(os.path.dirname(path) or '.')
    # a new file, never what someone left there (a link, a FIFO): the directory is the agent's, not root's
    _remove(path)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(handle, ('%d\n' % index).encode('ascii'))
        os.fchown(handle, directory.st_uid, directory.st_gid)
    finally:
        os.close(handle)


def _remove(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def bootstrap(client, check_mode, allowed=True, reset_file=None):
    """One attempt: the result dict, or raise ConsulError (5xx while there is no leader is retried by the caller)."""
    result = dict(bootstrapped_now=False, accessor_id='', secret_id='', reset_index=None, token_valid=None, reset=False)
    if client.token:
        valid, accessor = token_check(client)
        if valid:
            result.update(token_valid=True, accessor_id=accessor)
            return result
    if not allowed:
        # the caller waits: the leader makes the token when it takes office
        result.update(token_valid=False)
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
        if not reset_file:
            return result
        # the file lets one more bootstrap through: the next request is ours, sent at once
        _write_reset(reset_file, index)
        try:
            token = client.acl_bootstrap()
        except ConsulHTTPError as again:
            if bootstrap_reset_index(again) is None:
                raise
            raise ConsulError('%s was written with reset index %d, but the bootstrap is still refused: %s. The file '
                              'must be in the data directory of the leader, and the module run on its host.'
                              % (reset_file, index, again), status=again.status)
        finally:
            _remove(reset_file)
        result.update(reset=True)
    result.update(bootstrapped_now=True, accessor_id=token.get('AccessorID', ''), secret_id=token.get('SecretID', ''))
    return result


def revoke_replaced(client, keep, check_mode):
    """Accessor IDs of the other tokens a bootstrap or an initial management token made, revoked unless check_mode."""
    tokens = client.get('acl/tokens') or []
    replaced = [t['AccessorID'] for t in tokens
                if t.get('Description') in REPLACED_DESCRIPTIONS and t.get('AccessorID') != keep]
    if not check_mode:
        for accessor in replaced:
            client.request('DELETE', 'acl/token/%s' % accessor)
    return replaced


def main():
    argument_spec = connection_argument_spec()
    argument_spec.update(wait_timeout=dict(type='int', default=60), bootstrap=dict(type='bool', default=True),
                         reset_file=dict(type='path'), revoke_replaced=dict(type='bool', default=False))
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    started = time.monotonic()
    try:
        client = client_from_params(params)
        # "No cluster leader" and the ACL system still initialising answer 5xx: retried until wait_timeout
        result = wait_until(lambda: bootstrap(client, module.check_mode, params['bootstrap'], params['reset_file']),
                            lambda r: params['bootstrap'] or r['token_valid'], params['wait_timeout'],
                            describe=lambda r, waited: 'the token is still not a valid management token after %ds; the '
                                                       'servers must be started with it as their initial management token'
                                                       % waited)
        result['revoked'] = []
        if params['revoke_replaced'] and (result['token_valid'] or (result['bootstrapped_now'] and not module.check_mode)):
            if result['bootstrapped_now']:
                # a token made by this call is the one that may revoke
                client.token = result['secret_id']
            result['revoked'] = revoke_replaced(client, result['accessor_id'], module.check_mode)
    except WaitTimeout as exc:
        module.fail_json(msg=str(exc), duration=round(time.monotonic() - started, 3))
    except ConsulError as exc:
        module.fail_json(msg=str(exc), status=exc.status, duration=round(time.monotonic() - started, 3))
    module.exit_json(changed=result['bootstrapped_now'] or bool(result['revoked']),
                     duration=round(time.monotonic() - started, 3), **result)


if __name__ == '__main__':
    main()
