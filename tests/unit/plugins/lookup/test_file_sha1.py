# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

import pytest

from ansible.errors import AnsibleLookupError
from ansible_collections.quorum.consul.plugins.lookup.file_sha1 import LookupModule


def run(terms):
    lookup = LookupModule()
    # the options come from the plugin's documentation through Ansible's configuration, which a unit test lacks;
    # the lookup has none but its terms
    lookup.set_options = lambda **kwargs: None
    return lookup.run(terms)


def test_each_file_gets_the_sha1_stat_would_give(tmp_path):
    small, large = tmp_path / 'small', tmp_path / 'large'
    small.write_bytes(b'consul\n')
    # more than one read block, and not text
    large.write_bytes(bytes(range(256)) * 9000)
    assert run([str(small), str(large)]) == [hashlib.sha1(small.read_bytes()).hexdigest(),
                                             hashlib.sha1(large.read_bytes()).hexdigest()]
    assert run([]) == []


def test_a_path_that_is_no_readable_file_fails_naming_it(tmp_path):
    missing = str(tmp_path / 'missing')
    with pytest.raises(AnsibleLookupError, match='file_sha1: cannot read %s' % missing):
        run([missing])
