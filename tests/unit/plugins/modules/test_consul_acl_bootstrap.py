# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_acl_bootstrap's main() against replies in the shapes Consul 1.8.7 gives (tests/integration has the real agent)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quorum.consul.plugins.module_utils import _api
from ansible_collections.quorum.consul.plugins.modules import consul_acl_bootstrap

BOOTSTRAP = 'PUT /v1/acl/bootstrap'
SELF = 'GET /v1/acl/token/self'
SECRET = '6e3d8b0a-1f1c-4f0e-9d2a-0c5b7a9e2f11'
HELD = '3f1c2a0e-7d5b-4c55-9a51-bd2e6f0c9d17'
MANAGEMENT = {'AccessorID': 'b0c6d7e2-4a3f-4f5e-8d9c-1a2b3c4d5e6f', 'SecretID': SECRET,
              'Description': 'Bootstrap Token (Global Management)',
              'Policies': [{'ID': '00000000-0000-0000-0000-000000000001', 'Name': 'global-management'}],
              'Local': False, 'CreateIndex': 12, 'ModifyIndex': 12}


@pytest.fixture
def done(consul):
    return consul.synthetic(403, 'ACL bootstrap no longer allowed (reset index: 14)')


def test_bootstraps_and_returns_the_secret_once(consul, run):
    consul.route(BOOTSTRAP, consul.synthetic(200, MANAGEMENT))
    result = run(consul_acl_bootstrap)
    assert (result['changed'], result['bootstrapped_now'], result['secret_id']) == (True, True, SECRET)
    assert result['accessor_id'] == MANAGEMENT['AccessorID'] and result['reset_index'] is None
    # the bootstrap request never carries a token
    assert 'X-Consul-Token' not in consul.calls[-1]['headers']


def test_already_bootstrapped_is_no_change_with_the_reset_index(consul, run, done):
    consul.route(BOOTSTRAP, done)
    result = run(consul_acl_bootstrap)
    assert 'failed' not in result
    assert (result['changed'], result['reset_index'], result['secret_id'], result['token_valid']) == (False, 14, '', None)


def test_a_valid_management_token_is_checked_not_bootstrapped(consul, run):
    consul.route(SELF, consul.synthetic(200, dict(MANAGEMENT, SecretID=HELD)))
    result = run(consul_acl_bootstrap, token=HELD)
    assert (result['changed'], result['token_valid']) == (False, True)
    assert consul.count(BOOTSTRAP) == 0
    assert HELD not in str(result)


def test_a_bad_token_is_invalid_not_an_error(consul, run, done):
    consul.route(SELF, consul.synthetic(403, 'ACL not found')).route(BOOTSTRAP, done)
    result = run(consul_acl_bootstrap, token=HELD)
    assert 'failed' not in result
    assert (result['changed'], result['token_valid'], result['reset_index']) == (False, False, 14)
    # the unknown token goes to token/self only, never with the bootstrap request
    assert [('X-Consul-Token' in c['headers']) for c in consul.calls] == [True, False]


def test_a_token_without_the_management_policy_is_invalid(consul, run, done):
    reader = dict(MANAGEMENT, Policies=[{'ID': 'aaaaaaaa-0000-0000-0000-000000000009', 'Name': 'read-only'}])
    consul.route(SELF, consul.synthetic(200, reader)).route(BOOTSTRAP, done)
    result = run(consul_acl_bootstrap, token=HELD)
    assert (result['changed'], result['token_valid']) == (False, False)


def test_waits_for_a_leader_inside_the_call(consul, run, clock):
    consul.route(BOOTSTRAP, 'no_cluster_leader_500', 'no_cluster_leader_500', consul.synthetic(200, MANAGEMENT))
    result = run(consul_acl_bootstrap)
    assert result['changed'] is True and consul.count(BOOTSTRAP) == 3 and len(clock.sleeps) == 2


def test_gives_up_after_wait_timeout(consul, run, clock):
    consul.route(BOOTSTRAP, 'no_cluster_leader_500')
    result = run(consul_acl_bootstrap, wait_timeout=5)
    assert result['failed'] is True and 'No cluster leader' in result['msg']


def test_check_mode_bootstraps_nothing(consul, run):
    result = run(consul_acl_bootstrap, check_mode=True)
    assert (result['changed'], result['secret_id']) == (True, '')
    assert consul.calls == []


def test_other_errors_fail_with_the_status(consul, run):
    consul.route(BOOTSTRAP, consul.synthetic(403, 'Permission denied'))
    result = run(consul_acl_bootstrap)
    assert result['failed'] is True and result['status'] == 403 and 'Permission denied' in result['msg']


def test_born_with_the_token_never_bootstraps_and_waits_until_the_leader_made_it(consul, run, clock):
    consul.route(SELF, consul.synthetic(403, 'ACL not found'), consul.synthetic(403, 'ACL not found'),
                 consul.synthetic(200, dict(MANAGEMENT, SecretID=HELD)))
    result = run(consul_acl_bootstrap, token=HELD, bootstrap=False)
    assert (result['changed'], result['token_valid'], result['bootstrapped_now']) == (False, True, False)
    assert consul.count(BOOTSTRAP) == 0 and consul.count(SELF) == 3


def test_born_with_the_token_that_never_becomes_valid_fails_after_wait_timeout(consul, run):
    consul.route(SELF, consul.synthetic(403, 'ACL not found'))
    result = run(consul_acl_bootstrap, token=HELD, bootstrap=False, wait_timeout=5)
    assert result['failed'] and 'initial management token' in result['msg']
    assert consul.count(BOOTSTRAP) == 0


def test_reset_writes_the_index_bootstraps_at_once_and_removes_the_file(consul, run, done, tmp_path, monkeypatch):
    reset_file = tmp_path / 'acl-bootstrap-reset'
    seen = []

    def watching(url, method='GET', **kwargs):
        # what the file holds as each bootstrap request goes out
        if url.endswith('/acl/bootstrap'):
            seen.append(reset_file.read_text() if reset_file.exists() else None)
        return consul(url, method=method, **kwargs)

    monkeypatch.setattr(_api, 'open_url', watching)
    consul.route(SELF, consul.synthetic(403, 'ACL not found')).route(BOOTSTRAP, done, consul.synthetic(200, MANAGEMENT))
    result = run(consul_acl_bootstrap, token=HELD, reset_file=str(reset_file))
    assert (result['changed'], result['reset'], result['secret_id'], result['reset_index']) == (True, True, SECRET, 14)
    assert seen == [None, '14\n'] and not reset_file.exists()


def test_a_reset_that_is_still_refused_fails_and_leaves_no_file(consul, run, done, tmp_path):
    reset_file = tmp_path / 'acl-bootstrap-reset'
    consul.route(BOOTSTRAP, done)
    result = run(consul_acl_bootstrap, reset_file=str(reset_file))
    assert result['failed'] and 'data directory of the leader' in result['msg']
    assert not reset_file.exists()


def test_revoke_replaced_revokes_what_bootstraps_made_and_keeps_the_rest(consul, run):
    keep = MANAGEMENT['AccessorID']
    tokens = [dict(AccessorID=keep, Description='Bootstrap Token (Global Management)'),
              dict(AccessorID='old-bootstrap', Description='Bootstrap Token (Global Management)'),
              dict(AccessorID='old-master', Description='Master Token'),
              dict(AccessorID='mine', Description='an operator made this one'),
              dict(AccessorID='agent', Description='agent token of n1')]
    consul.route(SELF, consul.synthetic(200, dict(MANAGEMENT, SecretID=HELD)))
    consul.route('GET /v1/acl/tokens', consul.synthetic(200, tokens))
    consul.route('DELETE /v1/acl/token/old-bootstrap', consul.synthetic(200, True))
    consul.route('DELETE /v1/acl/token/old-master', consul.synthetic(200, True))
    result = run(consul_acl_bootstrap, token=HELD, revoke_replaced=True)
    assert (result['changed'], result['revoked']) == (True, ['old-bootstrap', 'old-master'])
    assert consul.count('DELETE /v1/acl/token/old-bootstrap') == 1 and consul.count('DELETE /v1/acl/token/mine') == 0
    checked = run(consul_acl_bootstrap, token=HELD, revoke_replaced=True, check_mode=True)
    assert checked['revoked'] == ['old-bootstrap', 'old-master'] and consul.count('DELETE /v1/acl/token/old-master') == 1
