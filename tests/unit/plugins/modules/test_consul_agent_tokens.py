# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_agent_tokens' main() against replies in the shapes Consul 1.8.7 gives (tests/integration has the real agent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.quorum.consul.plugins.modules import consul_agent_tokens

ACCESSOR = '5d4c5b0a-6b1e-4c8e-9a53-1d6f6e6d2a11'
SECRET = '7e0f0e0c-2b1a-4d8e-8f5b-8c2d9a1e4f21'
READ = 'GET /v1/acl/token/' + ACCESSOR
ARGS = dict(datacenter='dc1', token='mgmt', tokens=[dict(node='n1', accessor_id=ACCESSOR, secret_id=SECRET)])
EXISTING = dict(AccessorID=ACCESSOR, SecretID=SECRET, Description='Agent token for node n1 (quorum.consul)',
                NodeIdentities=[dict(NodeName='n1', Datacenter='dc1')], Local=False, CreateIndex=20, ModifyIndex=20)


def body(call):
    return json.loads(call['kwargs']['data'])


def test_creates_a_missing_token_with_the_chosen_ids(consul, run):
    consul.route(READ, consul.synthetic(403, 'ACL not found')).route('PUT /v1/acl/token', consul.synthetic(200, EXISTING))
    result = run(consul_agent_tokens, **ARGS)
    assert (result['changed'], result['created']) == (True, ['n1'])
    sent = body(consul.calls[-1])
    assert (sent['AccessorID'], sent['SecretID'], sent['NodeIdentities']) == (ACCESSOR, SECRET, [dict(NodeName='n1', Datacenter='dc1')])
    assert SECRET not in str(result)


def test_a_token_already_right_is_left_alone(consul, run):
    consul.route(READ, consul.synthetic(200, EXISTING))
    result = run(consul_agent_tokens, **ARGS)
    assert (result['changed'], result['unchanged']) == (False, ['n1'])
    assert [c['request'] for c in consul.calls] == [READ]


def test_another_identity_is_updated_in_place(consul, run):
    consul.route(READ, consul.synthetic(200, dict(EXISTING, NodeIdentities=[dict(NodeName='old', Datacenter='dc1')])))
    consul.route('PUT /v1/acl/token/' + ACCESSOR, consul.synthetic(200, EXISTING))
    result = run(consul_agent_tokens, **ARGS)
    assert (result['changed'], result['updated']) == (True, ['n1'])


def test_another_secret_replaces_the_token(consul, run):
    consul.route(READ, consul.synthetic(200, dict(EXISTING, SecretID='00000000-2b1a-4d8e-8f5b-8c2d9a1e4f21')))
    consul.route('DELETE /v1/acl/token/' + ACCESSOR, consul.synthetic(200, True))
    consul.route('PUT /v1/acl/token', consul.synthetic(200, EXISTING))
    result = run(consul_agent_tokens, **ARGS)
    assert (result['changed'], result['updated']) == (True, ['n1'])
    assert [c['request'] for c in consul.calls] == [READ, 'DELETE /v1/acl/token/' + ACCESSOR, 'PUT /v1/acl/token']


def test_check_mode_reads_and_writes_nothing(consul, run):
    consul.route(READ, consul.synthetic(403, 'ACL not found'))
    result = run(consul_agent_tokens, check_mode=True, **ARGS)
    assert (result['changed'], result['created']) == (True, ['n1'])
    assert all(c['request'].startswith('GET ') for c in consul.calls)


def test_permission_denied_fails_with_the_status(consul, run):
    consul.route(READ, consul.synthetic(403, 'Permission denied'))
    result = run(consul_agent_tokens, **ARGS)
    assert result['failed'] is True and result['status'] == 403 and SECRET not in str(result)
