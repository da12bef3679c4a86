# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Sends consul_agent_files' binary to the host, then runs the module (which puts it in place) in the same task.

One transfer and one module run per host: ansible.builtin.copy would add a checksum of the source per host on the
controller, a stat module before the transfer and a second module after it.

The content of sensitive files goes base64-encoded: the module's arguments are logged on the host with newlines
escaped, and Ansible's masking of a no_log value that holds newlines would not find it there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.action import ActionBase


def encode_sensitive(files):
    """sensitive_files with each content turned into content_base64 (a single line the host's log masks whole)."""
    encoded = []
    for spec in files or []:
        spec = dict(spec)
        if spec.get('content') is not None:
            spec['content_base64'] = to_text(base64.b64encode(to_bytes(spec.pop('content'), errors='surrogate_or_strict')))
        encoded.append(spec)
    return encoded


class ActionModule(ActionBase):

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if args.get('sensitive_files'):
            args['sensitive_files'] = encode_sensitive(args['sensitive_files'])
        binary = args.get('binary')
        try:
            if binary:
                binary = dict(binary)
                try:
                    source = self._find_needle('files', binary.get('src'))
                except AnsibleError as exc:
                    result.update(failed=True, msg='binary.src: %s' % exc.message)
                    return result
                if self._task.check_mode:
                    binary['src'] = source
                else:
                    staged = self._connection._shell.join_path(self._make_tmp_path(), 'binary')
                    self._transfer_file(source, staged)
                    self._fixup_perms2((self._connection._shell.tmpdir, staged))
                    binary['src'] = staged
                args['binary'] = binary
            result.update(self._execute_module(module_name='quorum.consul.consul_agent_files', module_args=args,
                                               task_vars=task_vars))
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
