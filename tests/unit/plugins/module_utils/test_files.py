# -*- coding: utf-8 -*-
# Copyright (c) quorum.consul contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SHA-1 kept with a file: read back while the file is the one it was kept for, recomputed otherwise."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import os

from ansible_collections.quorum.consul.plugins.module_utils import _files


def test_a_kept_digest_is_read_back_without_reading_the_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'consul')
    with open(path, 'wb') as handle:
        handle.write(b'binary')
    _files.keep_digest(path, 'a' * 40)
    # the attribute is there (this file system has them: the test fails where the role's hosts would not cache)
    assert os.getxattr(path, _files.DIGEST_ATTR).decode().endswith(' ' + 'a' * 40)
    monkeypatch.setattr(_files, 'file_digest', lambda name: 'read')
    assert _files.kept_digest(path) == 'a' * 40


def test_a_changed_file_is_read_again(tmp_path):
    path = str(tmp_path / 'consul')
    with open(path, 'wb') as handle:
        handle.write(b'binary')
    _files.keep_digest(path, hashlib.sha1(b'binary').hexdigest())
    # written in place: same inode, another size
    with open(path, 'ab') as handle:
        handle.write(b' patched')
    assert _files.kept_digest(path) == hashlib.sha1(b'binary patched').hexdigest()


def test_a_same_size_rewrite_with_another_time_is_read_again(tmp_path):
    path = str(tmp_path / 'consul')
    with open(path, 'wb') as handle:
        handle.write(b'binary')
    _files.keep_digest(path, 'b' * 40)
    with open(path, 'wb') as handle:
        handle.write(b'BINARY')
    info = os.stat(path)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1000))
    assert _files.kept_digest(path) == hashlib.sha1(b'BINARY').hexdigest()


def test_a_file_without_the_attribute_is_read(tmp_path):
    path = str(tmp_path / 'consul')
    with open(path, 'wb') as handle:
        handle.write(b'binary')
    assert _files.kept_digest(path) == hashlib.sha1(b'binary').hexdigest()
