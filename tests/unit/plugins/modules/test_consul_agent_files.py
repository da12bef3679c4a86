# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""consul_agent_files: what the module logs on the host for its arguments never holds a sensitive file's content.

Ansible logs "Invoked with <arguments>" to the host's journal; a list of files is logged as its repr, newlines
escaped. The action plugin's encoding is what makes the masking find a multi-line secret there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible.module_utils import basic

from ansible_collections.quorum.consul.plugins.action.consul_agent_files import encode_sensitive
from ansible_collections.quorum.consul.plugins.modules import consul_agent_files

KEY = 'c2VjcmV0LWdvc3NpcC1rZXktMzItYnl0ZXMtbG9uZyE='
# what the role writes: to_nice_json, several lines
SECRET = json.dumps({'encrypt': KEY, 'acl': {'tokens': {'agent': 'b1f5a3c2-1111-4222-8333-944455556666'}}}, indent=4) + '\n'


@pytest.fixture
def logged(monkeypatch):
    """Every message the module logs on the host (what would reach the journal)."""
    messages = []
    monkeypatch.setattr(basic.AnsibleModule, 'log', lambda self, msg, log_args=None: messages.append(msg))
    return messages


def files(tmp_path):
    return [dict(path=str(tmp_path / 'encrypt.json'), content=SECRET, mode='0600')]


@pytest.mark.parametrize('encoded', [True, False], ids=['as_the_action_plugin_sends_it', 'content_as_given'])
def test_a_sensitive_file_is_written_and_its_content_never_logged(tmp_path, run, logged, encoded):
    sensitive = encode_sensitive(files(tmp_path)) if encoded else files(tmp_path)
    result = run(consul_agent_files, sensitive_files=sensitive)
    assert result.get('failed') is not True, result
    assert (tmp_path / 'encrypt.json').read_text() == SECRET
    assert result['changed_files'] == [str(tmp_path / 'encrypt.json')]
    invocation = [m for m in logged if m.startswith('Invoked with')]
    assert len(invocation) == 1 and 'sensitive_files' in invocation[0]
    if encoded:
        assert KEY not in invocation[0] and 'b1f5a3c2' not in invocation[0]
        assert sensitive[0]['content_base64'] not in invocation[0]
    else:
        # why the action plugin encodes: Ansible's own masking misses a multi-line value in the logged repr
        assert KEY in invocation[0]


def test_encode_sensitive_turns_content_into_one_base64_line_and_keeps_the_rest():
    encoded = encode_sensitive([dict(path='/etc/consul.d/encrypt.json', content=SECRET, mode='0640', owner='root')])
    assert encoded == [dict(path='/etc/consul.d/encrypt.json', mode='0640', owner='root',
                            content_base64=encoded[0]['content_base64'])]
    assert '\n' not in encoded[0]['content_base64'] and KEY not in encoded[0]['content_base64']
    assert encode_sensitive(None) == [] and encode_sensitive([dict(path='/x', content_base64='eA==')])[0]['content_base64'] == 'eA=='


def test_content_and_content_base64_together_are_refused(tmp_path, run):
    both = [dict(path=str(tmp_path / 'k'), content='x', content_base64='eA==')]
    result = run(consul_agent_files, sensitive_files=both)
    assert result['failed'] and 'mutually exclusive' in result['msg']
    assert not (tmp_path / 'k').exists()
