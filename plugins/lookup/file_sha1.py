# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: file_sha1
short_description: The SHA-1 checksums of files on the controller
version_added: 0.1.0
author:
  - quorum.consul contributors (@quorum)
description:
  - The SHA-1 of each file, read in blocks, in the controller's own process - what C(ansible.builtin.stat) returns as
    C(checksum) with O(ansible.builtin.stat#module:checksum_algorithm=sha1), without running a module for it. Any
    file works, binaries too (C(ansible.builtin.file) reads text).
  - The role C(quorum.consul.consul_cluster) compares it with what M(quorum.consul.consul_host_info) reports of the
    copy method's binary on each host.
options:
  _terms:
    description: Paths of the files, absolute or relative to the working directory (this lookup does not search a
      role's C(files/)).
    required: true
    type: list
    elements: path
notes:
  - A path that is not a readable file fails the lookup.
"""

EXAMPLES = r"""
- name: Checksum a file on the controller
  ansible.builtin.debug:
    msg: "{{ lookup('quorum.consul.file_sha1', '/usr/local/bin/consul') }}"
"""

RETURN = r"""
_raw:
  description: The SHA-1 of each file, as 40 hexadecimal digits, in the order of the terms.
  type: list
  elements: str
"""

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase
from ansible_collections.quorum.consul.plugins.module_utils._files import file_digest


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        sums = []
        for term in terms:
            try:
                sums.append(file_digest(term))
            except (IOError, OSError) as exc:
                raise AnsibleLookupError('file_sha1: cannot read %s: %s' % (term, to_native(exc)))
        return sums
